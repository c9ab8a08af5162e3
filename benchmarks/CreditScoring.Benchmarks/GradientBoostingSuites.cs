using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;

namespace CreditScoring.Benchmarks;

/// <summary>
/// Scoring a 300-tree, 31-leaf model trained on give-me-some-credit.csv (the peer race's settings):
/// one row through <see cref="GradientBoostingPredictor.PredictMargin"/> (allocation-free) and a batch of
/// 30,000 rows through <see cref="GradientBoostingPredictor.PredictMargins"/> (one thread).
/// </summary>
[MemoryDiagnoser]
public class GradientBoostingScoringBenchmarks
{
    private GradientBoostingPredictor _model = null!;
    private FeatureMatrix _rows = null!;
    private double[] _row = [];
    private double[] _margins = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var (model, test) = BenchmarkData.GiveMeSomeCreditGbdt();
        _model = (GradientBoostingPredictor)model.Predictor;
        _rows = model.Features.Transform(test);
        _row = new double[_rows.ColumnCount];
        _margins = new double[_rows.RowCount];
    }

    [Benchmark(Description = "single row (PredictMargin), cycling through the test rows")]
    public double SingleRow()
    {
        _rows.CopyRow(_next, _row);
        _next = (_next + 1) % _rows.RowCount;
        return _model.PredictMargin(_row);
    }

    [Benchmark(Description = "batch of 30,000 rows (PredictMargins), one thread", OperationsPerInvoke = 30_000)]
    public void Batch() => _model.PredictMargins(_rows, _margins);
}

/// <summary>
/// <c>race memory [ROWS] [FEATURES]</c>: trains 300 rounds on generated data (default 1,000,000 x 50) and
/// prints the process's peak working set, which includes the generated feature matrix itself.
/// </summary>
internal static class MemoryRace
{
    public static int Run(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var p = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50;
        var rng = new Random(42);
        var columns = new double[p][];
        for (var j = 0; j < p; j++)
        {
            columns[j] = new double[rows];
        }

        var labels = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            var logit = -2.5;
            for (var j = 0; j < p; j++)
            {
                var v = rng.NextDouble() < 0.05 ? double.NaN : (rng.NextDouble() * 2) - 1;
                columns[j][i] = v;
                if (j < 10 && !double.IsNaN(v))
                {
                    logit += (j % 2 == 0 ? 1 : -1) * v * (1 + (j * 0.1));
                }
            }

            labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
        }

        var matrix = new FeatureMatrix(Enumerable.Range(0, p).Select(j => new FeatureInfo("x" + j, FeatureKind.Continuous)).ToArray(), columns);
        columns = null;
        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var clock = Stopwatch.StartNew();
        var model = (GradientBoostingPredictor)new GradientBoostingLearner(new GradientBoostingOptions { NumberOfIterations = 300, NumberOfLeaves = 31, LearningRate = 0.05 })
            .Fit(matrix, labels, default, new LearnerContext(42, maxDegreeOfParallelism: 2));
        var seconds = clock.Elapsed.TotalSeconds;
        var process = Process.GetCurrentProcess();
        Console.WriteLine($"{{\"rows\":{rows},\"features\":{p},\"trees\":{model.Trees.Count},\"train_s\":{seconds:F2},\"working_set_before_fit_mb\":{before / 1048576},\"peak_working_set_mb\":{process.PeakWorkingSet64 / 1048576}}}");
        return 0;
    }
}
