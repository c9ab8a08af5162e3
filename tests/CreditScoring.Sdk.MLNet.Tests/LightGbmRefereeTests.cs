using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.MLNet.LightGbm;
using CreditScoring.Sdk.Scoring;
using Xunit.Abstractions;

namespace CreditScoring.Sdk.MLNet.Tests;

/// <summary>
/// The real LightGBM (its C API, lib_lightgbm 4.6 from NuGet) as the referee of our LightGBM text format both ways: it
/// loads our exported trees and predicts our probabilities, and our scorer imports the trees it trains and predicts
/// its probabilities, on every test row of the bundled credit data, missing values included.
/// </summary>
public class LightGbmRefereeTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_real_LightGBM_loads_our_export_and_predicts_our_probabilities_on_every_test_row(bool categoricalSplits)
    {
        var (train, test) = (CreditSplit.Train, CreditSplit.Test);
        var model = new CreditScoringContext(seed: 42).CreatePipeline()
            .Train(t => t.GradientBoosting(o => (o.NumberOfIterations, o.UseCategoricalSplit) = (150, categoricalSplits)))
            .Build().Fit(train);
        var predictor = (GradientBoostingPredictor)model.Predictor;
        var features = model.Features.Transform(test);
        var (rows, count, width) = (LightGbmNative.RowMajor(features), features.RowCount, features.ColumnCount);
        var ours = Probabilities(predictor, features);

        using var lightGbm = LightGbmNative.Load(LightGbmModel.ToText(predictor));
        var theirs = lightGbm.Predict(rows, count, width);

        var largest = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{count} rows, {width} features, categorical splits {categoricalSplits}: largest difference {largest:E2}");
        Assert.True(largest <= Tolerance, $"largest difference {largest:E2}");
        Assert.Equal(categoricalSplits, predictor.Trees.Any(t => t.CategorySet.Any(set => set is not null)));
        Assert.True(Enumerable.Range(0, count).Any(r => double.IsNaN(rows[(r * width) + features.Features.Select(f => f.Name).ToList().IndexOf("Income")])), "the test rows hold missing incomes");
    }

    [Fact]
    public void A_model_the_real_LightGBM_trains_imports_into_our_scorer_with_its_predictions()
    {
        var (train, test) = (CreditSplit.Train, CreditSplit.Test);
        var model = new CreditScoringContext(seed: 42).CreatePipeline()
            .Train(t => t.GradientBoosting(o => o.NumberOfIterations = 10))
            .Build().Fit(train);
        var trainFeatures = model.Features.Transform(train);
        var testFeatures = model.Features.Transform(test);
        var (trainRows, trainCount, width) = (LightGbmNative.RowMajor(trainFeatures), trainFeatures.RowCount, trainFeatures.ColumnCount);
        var (testRows, testCount) = (LightGbmNative.RowMajor(testFeatures), testFeatures.RowCount);
        var labels = train.Labels.ToArray().Select(l => (float)l).ToArray();

        using var lightGbm = LightGbmNative.Train(trainRows, trainCount, width, labels, null, "objective=binary num_leaves=31 learning_rate=0.05 min_data_in_leaf=20 max_bin=255 num_threads=1 deterministic=true seed=1 verbose=-1", 300);
        var text = lightGbm.SaveToString();
        var theirs = lightGbm.Predict(testRows, testCount, width);
        var imported = LightGbmModel.Parse(text);
        var ours = Probabilities(imported, testFeatures);
        var scorer = CreditModel.FromPredictor(imported).CreateScorer();
        var columns = imported.Features.Select((f, j) => (DataColumn)new NumericColumn(f.Name, [.. Enumerable.Range(0, testCount).Select(r => testRows[(r * width) + j])]));
        var scored = new double[testCount];
        scorer.PredictProbabilities(CreditData.FromColumns(columns), scored);

        var largest = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
        var largestScorer = scored.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"LightGBM trained {imported.Trees.Count} trees on {trainCount} rows; largest difference on {testCount} test rows {largest:E2} (predictor), {largestScorer:E2} (scorer)");
        Assert.Equal(300, imported.Trees.Count);
        Assert.True(largest <= Tolerance, $"largest difference {largest:E2}");
        Assert.True(largestScorer <= Tolerance, $"largest difference through the scorer {largestScorer:E2}");
        Assert.True(theirs.Distinct().Count() > testCount / 2, "LightGBM's predictions vary across rows");
    }

    private static double[] Probabilities(GradientBoostingPredictor predictor, FeatureMatrix features)
    {
        var margins = new double[features.RowCount];
        predictor.PredictMargins(features, margins);
        return [.. margins.Select(m => 1 / (1 + Math.Exp(-m)))];
    }
}
