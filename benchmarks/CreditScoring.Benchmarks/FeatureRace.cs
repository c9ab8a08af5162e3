using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Training;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.Scorecards;

namespace CreditScoring.Benchmarks;

/// <summary>
/// Feature-engineering races (issue 4), each printing one JSON line:
/// <list type="bullet">
/// <item><c>race features-hc DATA_DIR PIPELINE.json</c>: 5-fold stratified CV AUC (seed 42) of logistic regression
/// and gradient boosting on the raw Home Credit application table and with the pipeline (side tables
/// aggregated), and the time to fit and transform the pipeline on the whole table.</item>
/// <item><c>race scorecard DATA.csv TARGET [--test-rows PEER.test_pred.csv] [--special COL=V1|V2]...</c>: the WoE scorecard's
/// test AUC on the peer's test rows (or our 80/20 split) and its fit time.</item>
/// </list>
/// </summary>
internal static class FeatureRace
{
    public static int HomeCredit(string[] args)
    {
        var dir = args[0];
        var pipelineFile = args[1];
        var application = CreditData.ReadCsv(Path.Combine(dir, "home-credit-sample.csv"), o => o.Target("TARGET").Id("SK_ID_CURR"));
        var bureau = CreditData.ReadCsv(Path.Combine(dir, "home-credit-sample-bureau.csv"));
        var previous = CreditData.ReadCsv(Path.Combine(dir, "home-credit-sample-previous-application.csv"));
        var data = application.WithRelated("bureau", bureau).WithRelated("previous", previous);
        var result = new Dictionary<string, object> { ["dataset"] = "home-credit-sample.csv + bureau + previous_application", ["rows"] = data.RowCount };

        CreditPipeline Pipeline(bool features, Func<LearnerCatalog, ICreditLearner> learner, int threads = -1)
        {
            var builder = new CreditScoringContext(42, maxDegreeOfParallelism: threads).CreatePipeline();
            if (features)
            {
                builder.Features(f => FeaturePipelineJson.ApplyFile(f, pipelineFile));
            }

            return builder.Train(learner).Build();
        }

        var learners = new (string Name, Func<LearnerCatalog, ICreditLearner> Learner)[]
        {
            ("logistic", t => t.LogisticRegression()),
            ("gbdt", t => t.GradientBoosting(o => { o.NumberOfLeaves = 15; o.LearningRate = 0.05; o.NumberOfIterations = 200; o.FeatureFraction = 0.5; })),
        };
        foreach (var (name, learner) in learners)
        {
            foreach (var features in new[] { false, true })
            {
                var aucs = new List<double>();
                var oof = new double[data.RowCount];
                foreach (var fold in data.StratifiedKFold(5, 42))
                {
                    var model = Pipeline(features, learner, 2).Fit(fold.Train);
                    var p = new double[fold.Test.RowCount];
                    model.CreateScorer().PredictProbabilities(fold.Test, p);
                    aucs.Add(ClassificationMetrics.Auc(p, fold.Test.Labels));
                    for (var k = 0; k < p.Length; k++)
                    {
                        oof[fold.TestRows[k]] = p[k];
                    }
                }

                var key = $"{name}_{(features ? "pipeline" : "raw")}";
                result[key + "_cv_auc_mean"] = aucs.Average();
                result[key + "_cv_auc_std"] = Math.Sqrt(aucs.Select(a => (a - aucs.Average()) * (a - aucs.Average())).Sum() / (aucs.Count - 1));
                result[key + "_oof_auc"] = ClassificationMetrics.Auc(oof, data.Labels);
            }
        }

        var timing = Pipeline(true, learners[0].Learner, 2);
        FittedFeatures? fitted = null;
        var seconds = PeerRace.Median(5, () =>
        {
            fitted = timing.FitFeatures(data);
            fitted.Transform(data);
        });
        result["pipeline_fit_transform_s"] = seconds;
        result["pipeline_features"] = fitted!.Features.Count;
        result["raw_inputs"] = fitted.Input.Count;
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    // Knobs for exploring the binning from the shell: CS_MAX_BINS, CS_MIN_BIN_SHARE, CS_MIN_IV.
    private static ScorecardOptions Options(Dictionary<string, double[]> specials)
    {
        var o = new ScorecardOptions { SpecialValues = specials };
        static double? Env(string name) => Environment.GetEnvironmentVariable(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : null;
        o.MaximumBinCount = (int)(Env("CS_MAX_BINS") ?? o.MaximumBinCount);
        o.MinimumBinShare = Env("CS_MIN_BIN_SHARE") ?? o.MinimumBinShare;
        o.MinimumInformationValue = Env("CS_MIN_IV") ?? o.MinimumInformationValue;
        o.Trend = Environment.GetEnvironmentVariable("CS_TREND") is { } t ? Enum.Parse<MonotonicTrend>(t, true) : o.Trend;
        return o;
    }

    public static int Scorecard(string[] args)
    {
        string? testRows = null;
        var specials = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (var i = 2; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--test-rows": testRows = args[i + 1]; break;
                case "--special":
                    var (col, values) = (args[i + 1].Split('=')[0], args[i + 1].Split('=')[1]);
                    specials[col] = values.Split('|').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                    break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }

        var data = CreditData.ReadCsv(args[0], o => o.Target(args[1]));
        var (train, test) = testRows is null ? data.SplitStratified(0.2, 42) : PeerRace.SplitByRows(data, testRows);
        var pipeline = new CreditScoringContext(42).CreatePipeline().Train(new ScorecardLearner(Options(specials))).Build();
        var model = pipeline.Fit(train);
        var seconds = PeerRace.Median(5, () => pipeline.Fit(train));
        var p = new double[test.RowCount];
        model.CreateScorer().PredictProbabilities(test, p);
        var card = (ScorecardPredictor)model.Predictor;
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["dataset"] = Path.GetFileName(args[0]),
            ["split"] = testRows is null ? "ours" : "peer",
            ["n_train"] = train.RowCount,
            ["n_test"] = test.RowCount,
            ["cs_scorecard_auc"] = ClassificationMetrics.Auc(p, test.Labels),
            ["cs_scorecard_fit_s"] = seconds,
            ["characteristics"] = card.Binnings.Count(b => b is not null),
            ["attributes"] = card.PointsTable.Count,
        }));
        Console.Error.Write(card.ToCsv());
        return 0;
    }
}
