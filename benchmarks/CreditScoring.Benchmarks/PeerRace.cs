using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Training;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;

namespace CreditScoring.Benchmarks;

/// <summary>
/// <c>race logreg|gbdt DATA.csv TARGET [--repeats 5] [--test-rows PEER.test_pred.csv] [--drop COL]...</c>:
/// times what ../shared/peers/logreg.py or gbdt.py times, the same way (median of repeats after one
/// warm-up, data loading excluded), on the peer's own test rows when given (the <c>row</c> column of
/// its saved predictions), else on our stratified 80/20 split with seed 42. Prints one JSON line.
/// </summary>
internal static class PeerRace
{
    public static int Run(string[] args)
    {
        if (args.Length < 3 || (args[0] != "logreg" && args[0] != "gbdt"))
        {
            Console.Error.WriteLine("usage: race logreg|gbdt DATA.csv TARGET [--repeats N] [--test-rows FILE] [--drop COL]...");
            return 2;
        }

        var repeats = 5;
        string? testRowsFile = null;
        var drop = new List<string>();
        string? export = null;
        var codes = false;
        var cv = false;
        var solver = LogisticSolverKind.Auto;
        var rest = new List<string>(args[3..]);
        codes = rest.Remove("--categorical-as-codes");
        cv = rest.Remove("--cv");
        args = [.. args[..3], .. rest];
        for (var i = 3; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--repeats": repeats = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--test-rows": testRowsFile = args[i + 1]; break;
                case "--drop": drop.Add(args[i + 1]); break;
                case "--export": export = args[i + 1]; break;
                case "--solver": solver = Enum.Parse<LogisticSolverKind>(args[i + 1], ignoreCase: true); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        var data = CreditData.ReadCsv(args[1], o =>
        {
            o.Target(args[2]);
            if (drop.Count > 0)
            {
                o.Ignore([.. drop]);
            }
        });
        if (codes)
        {
            // As the peers encode them: category codes over the sorted values, as numbers (missing = NaN).
            data = CreditData.FromColumns(
                data.Columns.Select(c => c is CategoricalColumn cat && c != data.TargetColumn
                    ? new NumericColumn(c.Name, cat.Codes.ToArray().Select(k => k < 0 ? double.NaN : k).ToArray())
                    : c),
                o => o.Target(args[2]));
        }

        if (cv)
        {
            // 5-fold stratified out-of-fold AUC (seed 42) of the race's gbdt settings, as threshold.py's OOF for XGBoost.
            var oof = new double[data.RowCount];
            foreach (var fold in data.StratifiedKFold(5, 42))
            {
                var m = GbdtPipeline().Fit(data.SelectRows(fold.TrainRows.ToArray()));
                var validation = data.SelectRows(fold.TestRows.ToArray());
                var p = new double[validation.RowCount];
                m.CreateScorer().PredictProbabilities(validation, p);
                for (var k = 0; k < p.Length; k++)
                {
                    oof[fold.TestRows[k]] = p[k];
                }
            }

            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["dataset"] = Path.GetFileName(args[1]), ["cs_oof_auc"] = Sdk.Evaluation.ClassificationMetrics.Auc(oof, data.Labels) }));
            return 0;
        }

        var (train, test) = testRowsFile is null ? data.SplitStratified(0.2, 42) : SplitByRows(data, testRowsFile);
        return args[0] == "gbdt" ? RaceGbdt(args[1], train, test, repeats, testRowsFile is not null, export) : RaceLogistic(args[1], train, test, repeats, testRowsFile is not null, solver);
    }

    private static int RaceGbdt(string file, CreditData train, CreditData test, int repeats, bool peerRows, string? export)
    {
        var pipeline = GbdtPipeline();
        var model = pipeline.Fit(train);
        var trainSeconds = Median(repeats, () => pipeline.Fit(train));
        var scorer = model.CreateScorer();
        var probabilities = new double[test.RowCount];
        var predictSeconds = Median(Math.Max(5, repeats), () => scorer.PredictProbabilities(test, probabilities));
        var report = model.Evaluate(test);
        var gb = (GradientBoostingPredictor)model.Predictor;

        // Single-row latency through the public scorer, as the peer's inplace_predict of a 1 x F array.
        var matrix = model.Features.Transform(test);
        var row = new double[matrix.ColumnCount];
        var rows = Math.Min(1000, test.RowCount);
        var latency = new double[rows];
        for (var i = 0; i < 50; i++)
        {
            matrix.CopyRow(i % rows, row);
            gb.PredictMargin(row);
        }

        var sink = 0.0;
        for (var i = 0; i < rows; i++)
        {
            matrix.CopyRow(i, row);
            var t0 = Stopwatch.GetTimestamp();
            sink += gb.PredictMargin(row);
            latency[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds * 1e6;
        }

        Array.Sort(latency);
        var exportable = gb.Trees.All(t => t.CategorySet.All(c => c is null));
        if (export is not null)
        {
            // Our model in XGBoost JSON and LightGBM text, with our test features and margins, for benchmarks/interop/xgb_check.py.
            Directory.CreateDirectory(export);
            if (exportable)
            {
                XGBoostModel.Export(gb, Path.Combine(export, "ours.xgb.json"));
            }

            LightGbmModel.Export(gb, Path.Combine(export, "ours.lgb.txt"));
            var ourMargins = new double[matrix.RowCount];
            gb.PredictMargins(matrix, ourMargins);
            using var csv = new StreamWriter(Path.Combine(export, "ours.test.csv"));
            csv.WriteLine(string.Join(",", gb.Features.Select(f => f.Name).Append("margin")));
            for (var i = 0; i < matrix.RowCount; i++)
            {
                matrix.CopyRow(i, row);
                csv.WriteLine(string.Join(",", row.Select(v => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture)).Append(ourMargins[i].ToString("R", CultureInfo.InvariantCulture))));
            }
        }

        var margins = new double[matrix.RowCount];
        var matrixSeconds = Median(Math.Max(5, repeats), () => gb.PredictMargins(matrix, margins));
        var depth = gb.Trees.SelectMany(t => t.LeafDepths()).Average();
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>(Header(file, train, test, repeats, peerRows))
        {
            ["cs_train_s"] = trainSeconds,
            ["cs_predict_batch_s"] = predictSeconds,
            ["cs_predict_matrix_s"] = matrixSeconds,
            ["cs_mean_leaf_depth"] = depth,
            ["cs_xgb_exportable"] = exportable,
            ["cs_row_latency_us_median"] = latency[rows / 2],
            ["cs_row_latency_us_p95"] = latency[(int)(rows * 0.95)],
            ["cs_trees"] = gb.Trees.Count,
            ["cs_mean_leaves"] = gb.Trees.Average(t => t.LeafCount),
            ["cs_auc"] = report.Auc,
            ["cs_logloss"] = report.LogLoss,
            ["sink"] = sink,
        }));
        return 0;
    }

    private static int RaceLogistic(string file, CreditData train, CreditData test, int repeats, bool peerRows, LogisticSolverKind solver)
    {
        var pipeline = new CreditScoringContext(42, maxDegreeOfParallelism: 2).CreatePipeline().Train(t => t.LogisticRegression(o => o.Solver = solver)).Build();

        var model = pipeline.Fit(train);
        var pipelineSeconds = Median(repeats, () => pipeline.Fit(train));
        var matrix = model.Features.Transform(train);
        var fitSeconds = Median(repeats, () => new LogisticRegressionLearner(new LogisticRegressionOptions { Solver = solver }).Fit(matrix, train.Labels, default, new LearnerContext(42, maxDegreeOfParallelism: 2)));
        var scorer = model.CreateScorer();
        var probabilities = new double[test.RowCount];
        scorer.PredictProbabilities(test, probabilities);
        var predictSeconds = Median(repeats, () => scorer.PredictProbabilities(test, probabilities));
        var report = model.Evaluate(test);
        var lr = (LogisticRegressionPredictor)model.Predictor;

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>(Header(file, train, test, repeats, peerRows))
        {
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

    /// <summary>The peer's settings: 31 leaves, learning rate 0.05, 300 rounds, 255 bins, 2 threads, seed 42; the rest at our defaults.</summary>
    internal static CreditPipeline GbdtPipeline() =>
        new CreditScoringContext(42, maxDegreeOfParallelism: 2).CreatePipeline()
            .Train(t => t.GradientBoosting(o =>
            {
                o.NumberOfLeaves = 31;
                o.LearningRate = 0.05;
                o.NumberOfIterations = 300;
                o.MaximumBinCountPerFeature = 255;
                o.L2Regularization = double.Parse(Environment.GetEnvironmentVariable("CS_L2") ?? "0", CultureInfo.InvariantCulture);
                o.CategoricalL2Regularization = double.Parse(Environment.GetEnvironmentVariable("CS_CATL2") ?? "10", CultureInfo.InvariantCulture);
                o.CategoricalSmoothing = double.Parse(Environment.GetEnvironmentVariable("CS_CATSMOOTH") ?? "10", CultureInfo.InvariantCulture);
                o.MinimumExampleCountPerCategory = int.Parse(Environment.GetEnvironmentVariable("CS_MINCAT") ?? "100", CultureInfo.InvariantCulture);
                o.UseCategoricalSplit = Environment.GetEnvironmentVariable("CS_NATIVE") == "1";
            }))
            .Build();

    private static Dictionary<string, object> Header(string file, CreditData train, CreditData test, int repeats, bool peerRows) => new()
    {
        ["dataset"] = Path.GetFileName(file),
        ["split"] = peerRows ? "the peer's test rows" : "ours (stratified 80/20, seed 42)",
        ["n_train"] = train.RowCount,
        ["n_test"] = test.RowCount,
        ["threads"] = 2,
        ["repeats"] = repeats,
    };

    internal static DataSplit SplitByRows(CreditData data, string testRowsFile)
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

    internal static double Median(int repeats, Action action)
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

    /// <summary>Every value given for an option (<c>--drop A --drop B</c>).</summary>
    internal static List<string> Values(string[] args, string name)
    {
        var values = new List<string>();
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == name)
            {
                values.Add(args[i + 1]);
            }
        }

        return values;
    }
}
