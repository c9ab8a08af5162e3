using System.Diagnostics;
using System.Globalization;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Benchmarks;

/// <summary>
/// <c>race fit DATA.csv TARGET [--threads 1,2] [--repeats 5]</c>: the gbdt race's fit (300 rounds, 31 leaves) on the first 80 %
/// of the rows, timed for each thread count in turn (1, 2, 1, 2, ...; interleaved, so that a load on the machine hits each
/// alike), one median line per thread count. <c>benchmarks/peer-race/loaded-fit.sh</c> runs it with and without a CPU-bound
/// process on one core.
/// </summary>
internal static class LoadRace
{
    public static int Fit(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: race fit DATA.csv TARGET [--threads 1,2] [--repeats 5]");
            return 2;
        }

        var threads = new[] { 1, 2 };
        var repeats = 5;
        for (var i = 2; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--threads": threads = [.. args[i + 1].Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture))]; break;
                case "--repeats": repeats = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        var data = CreditData.ReadCsv(args[0], o => o.Target(args[1]));
        var train = data.SplitStratified(0.2, 42).Train;
        CreditScoring.Sdk.Learners.ICreditPredictor Once(int n) => new CreditScoringContext(42, maxDegreeOfParallelism: n).CreatePipeline()
            .Train(t => t.GradientBoosting(o =>
            {
                o.NumberOfLeaves = 31;
                o.LearningRate = 0.05;
                o.NumberOfIterations = 300;
            }))
            .Build().Fit(train).Predictor;

        foreach (var n in threads)
        {
            Once(n); // compile and warm up
        }

        var times = threads.ToDictionary(n => n, _ => new List<double>());
        for (var r = 0; r < repeats; r++)
        {
            foreach (var n in threads)
            {
                var clock = Stopwatch.StartNew();
                Once(n);
                times[n].Add(clock.Elapsed.TotalSeconds);
            }
        }

        foreach (var n in threads)
        {
            var sorted = times[n].Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threads {n}: median {sorted[sorted.Length / 2]:F3} s (min {sorted[0]:F3}, max {sorted[^1]:F3}) over {repeats}"));
        }

        return 0;
    }
}
