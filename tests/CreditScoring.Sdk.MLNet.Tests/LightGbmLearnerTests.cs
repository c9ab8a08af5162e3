using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.MLNet.LightGbm;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Training;
using Xunit.Abstractions;

namespace CreditScoring.Sdk.MLNet.Tests;

/// <summary>The LightGBM learner: LightGBM's own trees with LightGBM's defaults, exactly ours, deterministic, saved and registered.</summary>
public class LightGbmLearnerTests(ITestOutputHelper output)
{
    private static CreditModel Fit(Action<LightGbmLearnerOptions> configure, int threads = 1) =>
        new CreditScoringContext(seed: 42, maxDegreeOfParallelism: threads).CreatePipeline().Train(t => t.LightGbm(configure)).Build().Fit(CreditSplit.Train);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Its_trees_are_the_ones_LightGBM_trains_with_its_own_defaults_and_predict_LightGBMs_probabilities_bit_for_bit(bool categoricalSplits)
    {
        var model = Fit(o => o.UseCategoricalSplit = categoricalSplits);
        var train = model.Features.Transform(CreditSplit.Train);
        var test = model.Features.Transform(CreditSplit.Test);
        var (trainRows, width) = (LightGbmNative.RowMajor(train), train.ColumnCount);
        var testRows = LightGbmNative.RowMajor(test);
        var categoricalColumns = Enumerable.Range(0, width).Where(j => train.Features[j].Kind == FeatureKind.Categorical).ToArray();
        var categorical = string.Join(",", categoricalColumns);
        if (categoricalSplits)
        {
            // The learner gives LightGBM the codes one up (so that its category 0, a missing value's when a feature had
            // none in training, is never one of ours); the referee gets them the same way.
            foreach (var rows in new[] { (trainRows, train.RowCount), (testRows, test.RowCount) })
            {
                foreach (var j in categoricalColumns)
                {
                    for (var r = 0; r < rows.Item2; r++)
                    {
                        rows.Item1[(r * width) + j] += 1;
                    }
                }
            }
        }

        // LightGBM's defaults, written out by hand: only the objective, the seed and what makes it deterministic.
        var parameters = "objective=binary seed=42 num_threads=1 deterministic=true force_row_wise=true verbosity=-1" + (categoricalSplits ? " categorical_feature=" + categorical : "");
        using var reference = LightGbmNative.Train(trainRows, train.RowCount, width, [.. CreditSplit.Train.Labels.ToArray().Select(l => (float)l)], null, parameters, 100);
        var theirs = reference.Predict(testRows, test.RowCount, width);
        var ours = new double[test.RowCount];
        model.CreateScorer().PredictProbabilities(CreditSplit.Test, ours);

        var predictor = (GradientBoostingPredictor)model.Predictor;
        var margins = new double[test.RowCount];
        predictor.PredictMargins(test, margins);
        var sameFormula = margins.Select(m => 1 / (1 + Math.Exp(-m))).Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
        var largest = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"categorical splits {categoricalSplits}: {predictor.Trees.Count} trees, largest difference from LightGBM {sameFormula:E2} (margins through LightGBM's sigmoid), {largest:E2} (our scorer) on {test.RowCount} rows, test AUC {model.Evaluate(CreditSplit.Test).Auc:F4}");
        Assert.Equal(100, predictor.Trees.Count);
        Assert.Equal(0, sameFormula);
        Assert.True(largest <= 1e-15, $"{largest:E2}");
        Assert.Equal(categoricalSplits, predictor.Trees.Any(t => t.CategorySet.Any(set => set is not null)));
        Assert.Equal("lightgbm", model.Metadata.Learner);
        Assert.InRange(model.Evaluate(CreditSplit.Test).Auc, 0.8, 0.9);
    }

    [Fact]
    public void One_and_two_threads_give_the_same_trees()
    {
        var one = (GradientBoostingPredictor)Fit(o => o.NumberOfIterations = 60, threads: 1).Predictor;
        var two = (GradientBoostingPredictor)Fit(o => o.NumberOfIterations = 60, threads: 2).Predictor;

        Assert.Equal(LightGbmModel.ToText(one), LightGbmModel.ToText(two));
    }

    [Fact]
    public void The_model_file_scorer_and_exports_work_for_it_as_for_our_own_trees()
    {
        var model = Fit(o => (o.NumberOfIterations, o.LearningRate) = (80, 0.05));
        var path = Path.Combine(TestPaths.NewTempDirectory(), "lightgbm.json");
        var expected = model.CreateScorer().ScoreBatch(CreditSplit.Test);

        model.Save(path);
        var loaded = CreditModel.Load(path);
        var xgboost = System.Text.Encoding.UTF8.GetString(XGBoostModel.ToJson((GradientBoostingPredictor)loaded.Predictor));

        Assert.Equal(expected.Select(s => s.Probability), loaded.CreateScorer().ScoreBatch(CreditSplit.Test).Select(s => s.Probability));
        Assert.Equal("0.05", loaded.Metadata.LearnerParameters["LearningRate"]);
        Assert.Contains("\"num_trees\":\"80\"", xgboost.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Registered_by_name_its_options_are_set_by_their_names()
    {
        LightGbmLearner.Register();
        LightGbmLearner.Register();

        var learner = LearnerCatalog.Create("lightgbm", ["NumberOfLeaves=15", "LearningRate=0.05"]);

        Assert.IsType<LightGbmLearner>(learner);
        Assert.Equal("15", learner.Parameters["NumberOfLeaves"]);
        Assert.Equal("0.05", learner.Parameters["LearningRate"]);
        Assert.Contains("lightgbm", LearnerCatalog.Names);
    }

    [Fact]
    public void Category_sets_move_one_code_down_across_words_and_their_missing_values_go_right()
    {
        // Two categorical nodes (decision_type 1: categorical, missing type None); the first's set is LightGBM's
        // categories {1, 32, 33} in two words, the second's {2}.
        var text = "Tree=0\nnum_leaves=3\nnum_cat=2\ndecision_type=1 3\ncat_boundaries=0 2 3\ncat_threshold=2 3 4\nTree=1\n";

        var down = LightGbmLearner.CategoriesOneDown(text);

        // Our codes {0, 31, 32} and {1}; missing type NaN (2 << 2) on both, default-left kept.
        Assert.Equal("Tree=0\nnum_leaves=3\nnum_cat=2\ndecision_type=9 11\ncat_boundaries=0 2 3\ncat_threshold=2147483649 1 2\nTree=1\n", down);
    }

    [Fact]
    public void An_option_out_of_range_is_refused_by_name()
    {
        var e = Assert.Throws<ConfigurationException>(() => new LightGbmLearner(new LightGbmLearnerOptions { NumberOfLeaves = 1 }));

        Assert.Contains("NumberOfLeaves is 1", e.Message);
    }
}
