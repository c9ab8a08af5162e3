using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Resampling;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Training;
using Xunit;

namespace CreditScoring.Sdk.Tests.Imbalance;

public class ImbalancePipelineTests
{
    private static CreditData Credit() => CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));

    [Fact]
    public void Cost_optimal_policy_is_chosen_on_the_pipelines_own_out_of_fold_predictions_and_saved()
    {
        var data = Credit();
        var pipeline = new CreditScoringContext(seed: 3).CreatePipeline()
            .Train(t => t.LogisticRegression())
            .Decide(d => d.MinimizeCost(CostMatrix.Create(falseNegative: 5, falsePositive: 1), bootstrapSamples: 50))
            .Build();
        var model = pipeline.Fit(data);

        // The same choice by hand, from the inner cross-validation's margins.
        var margins = pipeline.OutOfFoldMargins(data, CreditPipeline.DefaultInnerFolds, 3, default);
        var p = margins.Select(LogisticFunction.Probability).ToArray();
        var expected = ThresholdAnalysis.Analyze(p, data.Labels, CostMatrix.Create(5, 1).Constant(data.RowCount)).Choose(ThresholdObjective.MinimumCost);
        Assert.Equal(expected.Threshold, model.Decision.Threshold);
        Assert.Equal(expected.Cost, model.Decision.Choice!.Cost);
        Assert.Equal("cost", model.Decision.Method);
        Assert.NotNull(model.Decision.Choice.Interval);
        var f1 = Assert.Single(model.Decision.Alternatives, a => a.Objective.Kind == ThresholdObjectiveKind.MaximumF1);
        Assert.True(f1.Cost >= model.Decision.Choice.Cost);

        // Saved in the model: the policy, its costs and choices round-trip; scoring and evaluation use it.
        var loaded = ModelRoundTrip.SaveAndLoad(model);
        Assert.Equal(model.Decision.Threshold, loaded.Decision.Threshold);
        Assert.Equal(model.Decision.Choice, loaded.Decision.Choice);
        Assert.Equal(model.Decision.Alternatives, loaded.Decision.Alternatives);
        Assert.Equal(model.Decision.Costs!.ToString(), loaded.Decision.Costs!.ToString());
        var report = loaded.Evaluate(data);
        Assert.Equal(model.Decision.Threshold, report.Threshold);
        Assert.NotNull(report.Business);
        var declined = loaded.CreateScorer().ScoreBatch(data);
        Assert.Equal(report.Confusion.TruePositives + report.Confusion.FalsePositives, declined.Count(s => s.Decision == CreditDecision.Decline));
    }

    [Fact]
    public void Resampling_happens_only_when_fitting_and_prior_correction_restores_the_default_rate()
    {
        var data = Credit();
        var plain = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);
        var smote = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Resample(r => r.Smote()).Build().Fit(data);
        var corrected = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Resample(r => r.Smote()).Calibrate(CalibrationMethod.PriorCorrection).Build().Fit(data);

        double MeanPd(CreditModel m) => ModelRoundTrip.Probabilities(m, data).Average();

        // SMOTE to 50/50 inflates the PDs; the prior correction brings their mean back to the observed rate.
        Assert.InRange(MeanPd(plain), data.DefaultRate - 0.001, data.DefaultRate + 0.001);
        Assert.True(MeanPd(smote) > 0.4);
        Assert.Equal(data.DefaultRate, MeanPd(corrected), 1e-9);
        Assert.IsType<PriorCorrection>(corrected.Calibration);
        Assert.Equal(data.RowCount, smote.Metadata.TrainingRows);
        Assert.StartsWith("smote(", smote.Metadata.LearnerParameters["resampler"]);

        // Ranking is unchanged by a constant shift.
        Assert.Equal(smote.Evaluate(data).Auc, corrected.Evaluate(data).Auc, 12);
    }

    [Theory]
    [InlineData(CalibrationMethod.Platt)]
    [InlineData(CalibrationMethod.Isotonic)]
    public void Calibration_on_out_of_fold_margins_brings_resampled_probabilities_back(CalibrationMethod method)
    {
        var (train, test) = Credit().SplitStratified(0.3, 1);
        var uncalibrated = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Resample(r => r.Smote()).Build().Fit(train).Evaluate(test);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Resample(r => r.Smote()).Calibrate(method).Build().Fit(train);
        var calibrated = model.Evaluate(test);
        Assert.Equal(method == CalibrationMethod.Platt ? "platt" : "isotonic", model.Calibration!.Kind);
        Assert.True(calibrated.ExpectedCalibrationError < uncalibrated.ExpectedCalibrationError / 3, $"{calibrated.ExpectedCalibrationError} vs {uncalibrated.ExpectedCalibrationError}");
        Assert.True(calibrated.Brier < uncalibrated.Brier);

        Assert.Equal(ModelRoundTrip.Probabilities(model, test), ModelRoundTrip.Probabilities(ModelRoundTrip.SaveAndLoad(model), test));
    }

    [Fact]
    public void Cross_validation_refits_the_whole_pipeline_per_fold()
    {
        var data = Credit();
        var pipeline = new CreditScoringContext(seed: 9).CreatePipeline().Train(t => t.LogisticRegression()).Resample(r => r.Smote()).Calibrate(CalibrationMethod.Platt).Build();
        var cv = pipeline.CrossValidate(data, folds: 4);
        Assert.Equal(4, cv.Folds.Count);
        Assert.Equal(data.RowCount, cv.Folds.Sum(f => f.TestRows));

        // Fold 2 by hand: the recipe fitted on the other folds scores the held-out rows exactly as the CV did.
        var test = Enumerable.Range(0, data.RowCount).Where(i => cv.FoldOfRow[i] == 2).ToArray();
        var train = Enumerable.Range(0, data.RowCount).Where(i => cv.FoldOfRow[i] != 2).ToArray();
        var model = pipeline.Fit(data.SelectRows(train));
        Assert.Equal(test.Select(i => cv.OutOfFoldProbabilities[i]), ModelRoundTrip.Probabilities(model, data.SelectRows(test)));

        var aucs = cv.Folds.Select(f => f.Auc).ToArray();
        Assert.Equal(aucs.Average(), cv.Auc.Mean, 12);
        Assert.Equal(Math.Sqrt(aucs.Sum(a => (a - aucs.Average()) * (a - aucs.Average())) / 3), cv.Auc.StandardDeviation, 12);
        Assert.InRange(cv.Auc.Mean, 0.78, 0.86);
        Assert.InRange(cv.ExpectedCalibrationError.Mean, 0, 0.08);
    }

    [Fact]
    public void Resampling_inside_the_folds_does_not_leak_a_random_target()
    {
        // With SMOTE before the split, synthetic copies of held-out defaults would sit in training and boosted trees
        // would find them: AUC far above 0.5. Inside the folds, a random target stays near 0.5.
        var data = SyntheticCredit.Generate(1500);
        var random = new Random(5);
        var noise = data.Columns.Where(c => c.Name != "target").Append(new NumericColumn("target", Enumerable.Range(0, data.RowCount).Select(_ => random.NextDouble() < 0.1 ? 1.0 : 0.0).ToArray()));
        var randomTarget = CreditData.FromColumns(noise, o => o.Target("target").Id("id"));
        var cv = new CreditScoringContext().CreatePipeline().Train(t => t.GradientBoosting(o => { o.NumberOfIterations = 60; o.MinimumExampleCountPerLeaf = 5; })).Resample(r => r.Smote()).Build().CrossValidate(randomTarget, 5);
        Assert.InRange(cv.OutOfFold.Auc, 0.42, 0.58);
    }

    [Fact]
    public void Same_seed_gives_the_same_models_and_predictions_on_any_thread_count()
    {
        var data = SyntheticCredit.Generate(1200);
        CrossValidationResult Run(int threads) => new CreditScoringContext(seed: 4, maxDegreeOfParallelism: threads).CreatePipeline()
            .Train(t => t.GradientBoosting(o => o.NumberOfIterations = 30))
            .Resample(r => r.BorderlineSmote())
            .Calibrate(CalibrationMethod.Isotonic)
            .Decide(d => d.MinimizeCost(CostMatrix.Create(10, 1), bootstrapSamples: 20))
            .InnerFolds(3)
            .Build()
            .CrossValidate(data, 3);
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.OutOfFoldProbabilities, two.OutOfFoldProbabilities);
        Assert.Equal(one.Folds.Select(f => f.Threshold), two.Folds.Select(f => f.Threshold));
        Assert.Equal(one.Folds.Select(f => f.Cost), two.Folds.Select(f => f.Cost));
    }

    [Fact]
    public void Smote_nc_in_a_pipeline_keeps_categories_for_trees_and_one_hot_groups_for_logistic_regression()
    {
        var data = Credit();
        var trees = new CreditScoringContext().CreatePipeline().Train(t => t.GradientBoosting(o => o.NumberOfIterations = 20)).Resample(r => r.SmoteNc()).Build().Fit(data);
        Assert.Contains(trees.Predictor.Features, f => f.Kind == FeatureKind.Categorical);
        var linear = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Resample(r => r.SmoteNc()).Build().Fit(data);
        Assert.DoesNotContain(linear.Predictor.Features, f => f.Kind == FeatureKind.Categorical);
        Assert.InRange(linear.Evaluate(data).Auc, 0.8, 0.9);

        // SMOTE itself cannot take categories: the pipeline one-hot encodes them for it even for trees.
        var smoteTrees = new CreditScoringContext().CreatePipeline().Train(t => t.GradientBoosting(o => o.NumberOfIterations = 20)).Resample(r => r.Smote()).Build().Fit(data);
        Assert.DoesNotContain(smoteTrees.Predictor.Features, f => f.Kind == FeatureKind.Categorical);
    }

    [Fact]
    public void Per_applicant_costs_from_a_column_drive_the_threshold()
    {
        var data = Credit();
        var costs = CostMatrix.FromColumns(new CostMatrix.Term("Amount", 0.45), new CostMatrix.Term("Amount", 0.1));
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Decide(d => d.MinimizeCost(costs, bootstrapSamples: 0)).Build().Fit(data);
        Assert.Null(model.Decision.Choice!.Interval);
        var report = model.Evaluate(data);
        var p = ModelRoundTrip.Probabilities(model, data);
        var amount = ((NumericColumn)data["Amount"]).Values.ToArray();
        var byHand = Enumerable.Range(0, data.RowCount).Sum(i => p[i] >= model.Decision.Threshold ? (data.Labels[i] == 0 ? 0.1 * amount[i] : 0) : (data.Labels[i] == 1 ? 0.45 * amount[i] : 0));
        Assert.Equal(byHand, report.Business!.Cost, 1e-6);
        Assert.InRange(report.Business.BusinessScore, 0.05, 1);

        // Evaluate leaves the business figures out for data without the cost columns (and still reports the rest).
        var withoutAmount = CreditData.FromColumns(data.Columns.Where(c => c.Name != "Amount"), o => o.Target("default"));
        Assert.False(costs.CanResolve(withoutAmount));
        Assert.True(costs.CanResolve(data));
        Assert.True(CostMatrix.Create(10, 1).CanResolve(withoutAmount));
    }
}

/// <summary>The README's imbalance example, line for line, from the repository root.</summary>
[Collection(nameof(WorkingDirectoryTests))]
public class ReadmeImbalanceTests
{
    [Fact]
    public void Readme_imbalance_example_runs_and_the_business_optimum_beats_the_f1_optimum()
    {
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = TestPaths.RepositoryRoot;
        try
        {
            // --- README begins
            var data = CreditData.ReadCsv("samples/data/modeldata-credit-data.csv", o => o.Target("default"));
            var (train, test) = data.SplitStratified(testFraction: 0.2, seed: 42);

            var pipeline = new CreditScoringContext(seed: 42).CreatePipeline()
                .Resample(r => r.Smote(neighbors: 5, minorityRatio: 0.5))       // training rows only
                .Train(t => t.GradientBoosting(o => o.NumberOfIterations = 100))
                .Calibrate(CalibrationMethod.Isotonic)                             // on out-of-fold margins
                .Decide(d => d.MinimizeCost(CostMatrix.Create(falseNegative: 10, falsePositive: 1)))
                .Build();

            CrossValidationResult cv = pipeline.CrossValidate(train, folds: 5);    // refits everything per fold
            Console.WriteLine($"AUC {cv.Auc}, ECE {cv.ExpectedCalibrationError}, business {cv.BusinessScore}");
            CreditModel model = pipeline.Fit(train);
            ThresholdChoice chosen = model.Decision.Choice!;    // threshold, cost, approval and bad rates, 95% CI
            EvaluationReport report = model.Evaluate(test);     // report.Business: the decisions' cost on the test rows
            // --- README ends

            Assert.InRange(cv.Auc.Mean, 0.78, 0.9);
            Assert.InRange(cv.BusinessScore.Mean, 0.1, 0.8);
            Assert.InRange(cv.ExpectedCalibrationError.Mean, 0, 0.1);
            Assert.True(chosen.Cost <= model.Decision.Alternatives.Single(a => a.Objective.Kind == ThresholdObjectiveKind.MaximumF1).Cost);
            Assert.InRange(chosen.Threshold, 0.02, 0.3);
            Assert.True(chosen.Interval!.Lower <= chosen.Threshold && chosen.Threshold <= chosen.Interval.Upper);
            Assert.InRange(report.Business!.BusinessScore, 0.1, 0.8);
            Assert.Equal(chosen.Threshold, report.Threshold);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }
}
