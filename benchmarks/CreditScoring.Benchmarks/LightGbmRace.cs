using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.MLNet.LightGbm;
using CreditScoring.Sdk.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace CreditScoring.Benchmarks;

/// <summary>
/// <c>race lightgbm DATA.csv TARGET --threads N [--test-rows FILE] [--drop COL]...</c>: one interleaved repetition of the
/// GBDT race against ML.NET's LightGBM trainer. On the same split and the same features (ours, after our feature
/// steps; categories as codes), trains ours and then ML.NET's <c>LightGbmBinaryTrainer</c> set to LightGBM's defaults
/// with the race's settings (31 leaves, learning rate 0.05, 300 rounds, 255 bins, 20 rows per leaf), each after a
/// warm-up fit of 5 rounds; times each fit, scores the test rows with each and with LightGBM's own predictor (its C API,
/// one thread, on the trees our LightGBM learner trains with the same settings) and prints one JSON line.
/// </summary>
internal static class LightGbmRace
{
    public static int Run(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: race lightgbm DATA.csv TARGET --threads N [--test-rows FILE] [--drop COL]...");
            return 2;
        }

        var threads = 2;
        string? testRows = null;
        var drop = new List<string>();
        for (var i = 3; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--test-rows": testRows = args[i + 1]; break;
                case "--drop": drop.Add(args[i + 1]); break;
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
        var (train, test) = testRows is null ? data.SplitStratified(0.2, 42) : PeerRace.SplitByRows(data, testRows);

        // Ours: the race's pipeline at this thread count, warmed up on 5 rounds first.
        Pipeline(threads, 5).Fit(train);
        var t0 = Stopwatch.GetTimestamp();
        var ours = Pipeline(threads, 300).Fit(train);
        var oursTrain = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var oursAuc = ours.Evaluate(test).Auc;

        // ML.NET's LightGBM on the same features (ours, transformed) as a Single vector, warmed up on 5 rounds first.
        var ml = new MLContext(seed: 42);
        var trainFeatures = ours.Features.Transform(train);
        var testFeatures = ours.Features.Transform(test);
        var trainView = View(ml, trainFeatures, train.Labels);
        var testView = View(ml, testFeatures, test.Labels);
        MlNet(ml, threads, 5).Fit(trainView);
        t0 = Stopwatch.GetTimestamp();
        var mlnet = MlNet(ml, threads, 300).Fit(trainView);
        var mlnetTrain = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var mlnetAuc = ml.BinaryClassification.Evaluate(mlnet.Transform(testView)).AreaUnderRocCurve;

        // Scoring, one thread each, the same test rows: our trees, and LightGBM's own predictor on LightGBM's trees.
        var gb = (GradientBoostingPredictor)ours.Predictor;
        var margins = new double[testFeatures.RowCount];
        var oursPredict = PeerRace.Median(7, () => gb.PredictMargins(testFeatures, margins));
        var lgbmModel = new LightGbmLearner(new LightGbmLearnerOptions { NumberOfIterations = 300, LearningRate = 0.05 })
            .Fit(trainFeatures, train.Labels, default, new Sdk.Learners.LearnerContext(42, maxDegreeOfParallelism: threads));
        using var native = LightGbmNative.Load(LightGbmModel.ToText((GradientBoostingPredictor)lgbmModel));
        var rows = LightGbmNative.RowMajor(testFeatures);
        var lightGbmPredict = PeerRace.Median(7, () => native.Predict(rows, testFeatures.RowCount, testFeatures.ColumnCount, threads: 1));

        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["dataset"] = Path.GetFileName(args[1]),
            ["n_train"] = train.RowCount,
            ["n_test"] = test.RowCount,
            ["features"] = trainFeatures.ColumnCount,
            ["threads"] = threads,
            ["cs_train_s"] = oursTrain,
            ["mlnet_train_s"] = mlnetTrain,
            ["cs_auc"] = oursAuc,
            ["mlnet_auc"] = mlnetAuc,
            ["cs_predict_us_row"] = oursPredict / test.RowCount * 1e6,
            ["lgbm_predict_us_row"] = lightGbmPredict / test.RowCount * 1e6,
        }));
        return 0;
    }

    private static CreditPipeline Pipeline(int threads, int rounds) =>
        new CreditScoringContext(42, maxDegreeOfParallelism: threads).CreatePipeline()
            .Train(t => t.GradientBoosting(o =>
            {
                o.NumberOfLeaves = 31;
                o.LearningRate = 0.05;
                o.NumberOfIterations = rounds;
                o.MaximumBinCountPerFeature = 255;
                o.MinimumExampleCountPerLeaf = 20;
                o.MinimumExampleCountPerBin = 3; // LightGBM's min_data_in_bin default, which ML.NET's trainer leaves as it is
            }))
            .Build();

    /// <summary>ML.NET's trainer with LightGBM's own defaults where ML.NET's differ (sigmoid 1, no L2, hessian floor 0.001, no categorical splits) and the race's settings.</summary>
    private static LightGbmBinaryTrainer MlNet(MLContext ml, int threads, int rounds) => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
    {
        NumberOfLeaves = 31,
        LearningRate = 0.05,
        NumberOfIterations = rounds,
        MaximumBinCountPerFeature = 255,
        MinimumExampleCountPerLeaf = 20,
        Sigmoid = 1.0,
        UseCategoricalSplit = false,
        HandleMissingValue = true,
        NumberOfThreads = threads,
        Seed = 42,
        Booster = new GradientBooster.Options { L2Regularization = 0, MinimumChildWeight = 1e-3 },
    });

    private sealed class Example
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private static IDataView View(MLContext ml, FeatureMatrix features, ReadOnlySpan<int> labels)
    {
        var width = features.ColumnCount;
        var examples = new Example[features.RowCount];
        var row = new double[width];
        for (var r = 0; r < examples.Length; r++)
        {
            features.CopyRow(r, row);
            examples[r] = new Example { Features = [.. row.Select(v => (float)v)], Label = labels[r] == 1 };
        }

        var schema = SchemaDefinition.Create(typeof(Example));
        schema[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.Cache(ml.Data.LoadFromEnumerable(examples, schema));
    }
}
