using System.Globalization;
using System.Text;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Benchmarks;

/// <summary>
/// Data for the benchmarks: the Kaggle files from ../shared/data when that folder is present (they
/// may not be committed or used in tests), otherwise a generated file of the same shape.
/// </summary>
public static class BenchmarkData
{
    public static string SharedData(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return string.Empty;
    }

    /// <summary>give-me-some-credit.csv (150,000 x 11), or a generated stand-in with the same columns, missing rates and scientific notation.</summary>
    public static string GiveMeSomeCredit()
    {
        var real = SharedData("give-me-some-credit.csv");
        if (real.Length > 0)
        {
            return real;
        }

        var path = Path.Combine(Path.GetTempPath(), "creditscoring-bench-gmsc-like.csv");
        if (!File.Exists(path))
        {
            var rng = new Random(42);
            var sb = new StringBuilder("SeriousDlqin2yrs,RevolvingUtilizationOfUnsecuredLines,age,NumberOfTime30-59DaysPastDueNotWorse,DebtRatio,MonthlyIncome,NumberOfOpenCreditLinesAndLoans,NumberOfTimes90DaysLate,NumberRealEstateLoansOrLines,NumberOfTime60-89DaysPastDueNotWorse,NumberOfDependents\n");
            for (var i = 0; i < 150_000; i++)
            {
                var util = rng.NextDouble() * 1.2;
                var late = rng.NextDouble() < 0.1 ? rng.Next(1, 5) : 0;
                var y = rng.NextDouble() < 1 / (1 + Math.Exp(3.2 - (1.5 * util) - (0.6 * late))) ? 1 : 0;
                sb.Append(CultureInfo.InvariantCulture, $"{y},{(rng.NextDouble() < 0.001 ? "7.96E-05" : util.ToString("G9", CultureInfo.InvariantCulture))},{rng.Next(21, 90)},{late},{rng.NextDouble() * 2:G9},");
                sb.Append(rng.NextDouble() < 0.198 ? "" : rng.Next(500, 20000).ToString(CultureInfo.InvariantCulture));
                sb.Append(CultureInfo.InvariantCulture, $",{rng.Next(0, 30)},{(rng.NextDouble() < 0.05 ? 1 : 0)},{rng.Next(0, 5)},{(rng.NextDouble() < 0.05 ? 1 : 0)},");
                sb.Append(rng.NextDouble() < 0.026 ? "" : rng.Next(0, 5).ToString(CultureInfo.InvariantCulture));
                sb.Append('\n');
            }

            File.WriteAllText(path, sb.ToString());
        }

        return path;
    }

    public static CreditData LoadGiveMeSomeCredit() => CreditData.ReadCsv(GiveMeSomeCredit(), o => o.Target("SeriousDlqin2yrs"));

    /// <summary>The suites' gradient-boosting model: 300 rounds, 31 leaves, learning rate 0.05, on 80% of give-me-some-credit (seed 42); and the other 20%.</summary>
    public static (CreditModel Model, CreditData Test) GiveMeSomeCreditGbdt()
    {
        var (train, test) = LoadGiveMeSomeCredit().SplitStratified(0.2, 42);
        var model = new CreditScoringContext(42, maxDegreeOfParallelism: 2).CreatePipeline()
            .Train(t => t.GradientBoosting(o =>
            {
                o.NumberOfIterations = 300;
                o.NumberOfLeaves = 31;
                o.LearningRate = 0.05;
            }))
            .Build()
            .Fit(train);
        return (model, test);
    }
}
