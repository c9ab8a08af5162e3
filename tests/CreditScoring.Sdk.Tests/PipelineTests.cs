using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests;

public class PipelineTests
{
    [Fact]
    public void Fit_RecordsMetadataFromContext()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var data = SyntheticCredit.Generate(1000, withWeights: true);

        var model = new CreditScoringContext(seed: 7, timeProvider: clock).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);

        var m = model.Metadata;
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero), m.TrainedAt);
        Assert.Equal(0, m.TrainingSeconds);
        Assert.Equal(7, m.Seed);
        Assert.Equal(data.Fingerprint, m.DataFingerprint);
        Assert.Equal(1000, m.TrainingRows);
        Assert.Equal("target", m.TargetColumn);
        Assert.Equal("id", m.IdColumn);
        Assert.Equal("logistic", m.Learner);
        var weighted = Enumerable.Range(0, data.RowCount).Sum(i => data.Weights[i] * data.Labels[i]) / Enumerable.Range(0, data.RowCount).Sum(i => data.Weights[i]);
        Assert.Equal(weighted, m.TrainingDefaultRate, 12);
        Assert.Equal(["income", "age", "utilization", "region"], model.Input.Columns.Select(c => c.Name));
        Assert.Equal(DecisionPolicy.Default, model.Decision);
    }

    [Fact]
    public void Fit_SameDataAndSeed_SameModelFileBytes()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var data = SyntheticCredit.Generate(2000);
        byte[] Train()
        {
            using var stream = new MemoryStream();
            new CreditScoringContext(42, clock).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data).Save(stream);
            return stream.ToArray();
        }

        Assert.Equal(Train(), Train());
    }

    [Fact]
    public void Builder_IsSingleUseAndNeedsALearner()
    {
        var context = new CreditScoringContext();
        Assert.Equal("Choose a learner with Train(...) before Build(), e.g. .Train(t => t.LogisticRegression()).", Assert.Throws<ConfigurationException>(() => context.CreatePipeline().Build()).Message);

        var builder = context.CreatePipeline().Train(t => t.LogisticRegression());
        builder.Build();
        Assert.Equal("This pipeline builder was already built; create a new one with context.CreatePipeline().", Assert.Throws<ConfigurationException>(() => builder.Build()).Message);
        Assert.Throws<ConfigurationException>(() => builder.Decide(d => d.Threshold(0.2)));
    }

    [Fact]
    public void Decide_ThresholdOutOfRange_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CreditScoringContext().CreatePipeline().Decide(d => d.Threshold(1.5)));
        Assert.StartsWith("The decision threshold is a probability of default and must be in [0, 1].", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_WithoutTargetOrFeatures_ThrowsClearly()
    {
        var pipeline = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build();

        Assert.StartsWith("The data has no target column", Assert.Throws<TrainingDataException>(() => pipeline.Fit(CreditData.FromColumns([new NumericColumn("x", [1, 2])]))).Message, StringComparison.Ordinal);
        var onlyTarget = CreditData.FromColumns([new NumericColumn("y", [0, 1])], o => o.Target("y"));
        Assert.StartsWith("The data has no numeric or categorical feature columns to train on.", Assert.Throws<TrainingDataException>(() => pipeline.Fit(onlyTarget)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_CreditData_BeatsTheBaselineAndUsesTheModelThreshold()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var (train, test) = data.SplitStratified(0.2, 42);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Decide(d => d.Threshold(0.25)).Build().Fit(train);

        var report = model.Evaluate(test);

        Assert.Equal(891, report.Rows);
        Assert.Equal(0.25, report.Threshold);
        Assert.InRange(report.Auc, 0.80, 0.88);
        Assert.Equal((2 * report.Auc) - 1, report.Gini, 15);
        Assert.True(report.Brier < report.Baseline.Brier);
        Assert.True(report.LogLoss < report.Baseline.LogLoss);
        Assert.Equal(model.Metadata.TrainingDefaultRate, report.Baseline.Prior);
        Assert.Equal(report.Rows, report.Confusion.Total);
        var probabilities = new double[test.RowCount];
        model.CreateScorer().PredictProbabilities(test, probabilities);
        Assert.Equal(probabilities.Count(p => p >= 0.25), report.Confusion.TruePositives + report.Confusion.FalsePositives);
    }

    [Fact]
    public void IdTimeAndIgnoredColumns_AreNotModelInputs()
    {
        var data = SyntheticCredit.Generate(500).WithRole("age", ColumnRole.Ignored);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);

        Assert.Equal(["income", "utilization", "region"], model.Input.Columns.Select(c => c.Name));
        var scores = model.CreateScorer().ScoreBatch(CreditData.FromColumns(data.Columns.Where(c => c.Name is "income" or "utilization" or "region")));
        Assert.Equal(500, scores.Count);
    }

    [Fact]
    public void WithDecision_ChangesOnlyThePolicy()
    {
        var data = SyntheticCredit.Generate(1000);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);

        var strict = model.WithDecision(new DecisionPolicy(0.1, "manual"));

        Assert.Equal(0.1, strict.Evaluate(data).Threshold);
        Assert.Equal("manual", strict.Decision.Method);
        Assert.Same(model.Predictor, strict.Predictor);
        Assert.Equal(model.CreateScorer().ScoreBatch(data).Select(s => s.Probability), strict.CreateScorer().ScoreBatch(data).Select(s => s.Probability));
        Assert.True(strict.CreateScorer().ScoreBatch(data).Count(s => s.Decision == CreditDecision.Decline) > model.CreateScorer().ScoreBatch(data).Count(s => s.Decision == CreditDecision.Decline));
    }
}
