using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.Linear;

namespace CreditScoring.Benchmarks;

/// <summary>
/// <c>race logreg DATA.csv TARGET [--repeats 5] [--test-rows PEER.test_pred.csv]</c>: times what
/// ../shared/peers/logreg.py times, the same way (median of repeats after one warm-up, data loading
/// excluded), on the peer's own test rows when given (the <c>row</c> column of its --save-coef
/// output), else on our stratified 80/20 split with seed 42. Prints one JSON line: pipeline fit,
/// learner-only fit, batch predict, test AUC and log-loss.
/// </summary>
internal static class PeerRace
{
    public static int Run(string[] args)
    {
        if (args.Length < 3 || args[0] != "logreg")
        {
            Console.Error.WriteLine("usage: race logreg DATA.csv TARGET [--repeats N]");
            return 2;
        }

        var repeats = 5;
        string? testRowsFile = null;
        for (var i = 3; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--repeats": repeats = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--test-rows": testRowsFile = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        var data = CreditData.ReadCsv(args[1], o => o.Target(args[2]));
        var (train, test) = testRowsFile is null ? data.SplitStratified(0.2, 42) : SplitByRows(data, testRowsFile);
        var pipeline = new CreditScoringContext(42, maxDegreeOfParallelism: 2).CreatePipeline().Train(t => t.LogisticRegression()).Build();

        var model = pipeline.Fit(train);
        var pipelineSeconds = Median(repeats, () => pipeline.Fit(train));
        var matrix = model.Features.Transform(train);
        var fitSeconds = Median(repeats, () => new LogisticRegressionLearner().Fit(matrix, train.Labels, default, new LearnerContext(42, maxDegreeOfParallelism: 2)));
        var scorer = model.CreateScorer();
        var probabilities = new double[test.RowCount];
        scorer.PredictProbabilities(test, probabilities);
        var predictSeconds = Median(repeats, () => scorer.PredictProbabilities(test, probabilities));
        var report = model.Evaluate(test);
        var lr = (LogisticRegressionPredictor)model.Predictor;

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["dataset"] = Path.GetFileName(args[1]),
            ["split"] = testRowsFile is null ? "ours (stratified 80/20, seed 42)" : "the peer's test rows",
            ["n_train"] = train.RowCount,
            ["n_test"] = test.RowCount,
            ["threads"] = 2,
            ["repeats"] = repeats,
            ["cs_pipeline_train_s"] = pipelineSeconds,
            ["cs_fit_only_s"] = fitSeconds,
            ["cs_predict_batch_s"] = predictSeconds,
            ["cs_newton_iter"] = lr.TrainingSummary!.Iterations,
            ["cs_auc"] = report.Auc,
            ["cs_logloss"] = report.LogLoss,
            ["cs_n_coef"] = lr.Coefficients.Count,
        }));
        return 0;
    }

    private static DataSplit SplitByRows(CreditData data, string testRowsFile)
    {
        var lines = File.ReadAllLines(testRowsFile);
        var rowColumn = Array.IndexOf(lines[0].Split(','), "row");
        var test = lines.Skip(1).Select(l => int.Parse(l.Split(',')[rowColumn], CultureInfo.InvariantCulture)).ToArray();
        var isTest = new bool[data.RowCount];
        foreach (var r in test)
        {
            isTest[r] = true;
        }

        return new DataSplit(data.SelectRows(Enumerable.Range(0, data.RowCount).Where(r => !isTest[r]).ToArray()), data.SelectRows(test));
    }

    private static double Median(int repeats, Action action)
    {
        action();
        var runs = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            runs[i] = clock.Elapsed.TotalSeconds;
        }

        Array.Sort(runs);
        return runs[repeats / 2];
    }
}
