using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Drift.Tests;

/// <summary>Issue 14, class 7: drift sees a dead feed, an absent column and too little data.</summary>
public class DeadFeedTests
{
    private static readonly Lazy<CreditData> Credit = new(() => CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")));

    /// <summary>The bundled data with one column replaced.</summary>
    private static CreditData With(CreditData data, string column, Func<int, double> value)
    {
        var columns = data.Columns.Select(c => c.Name == column ? new NumericColumn(column, Enumerable.Range(0, data.RowCount).Select(value).ToArray()) : c).ToArray();
        return CreditData.FromColumns(columns, o => o.Target("default"));
    }

    [Fact]
    public void AColumnAllMissing_IsDrifted_WithTheReason()
    {
        var reference = Credit.Value;
        var current = With(reference, "Income", _ => double.NaN);

        var drift = DriftDetector.Compare(reference, current);

        var income = drift.Columns.Single(c => c.Name == "Income");
        Assert.True(income.Drifted);
        Assert.True(income.MissingShareDrifted);
        Assert.Equal("missing share 8.6% -> 100.0% (no current values: is the feed dead?)", income.Reason);
        Assert.Equal(1, income.CurrentMissing);
        Assert.Equal(income, drift.Columns[0]);
        Assert.Equal(1, drift.DriftedCount);
    }

    [Fact]
    public void AColumnAllMissing_AgainstTheModelsProfile_IsDriftedToo()
    {
        var model = new CreditScoringContext(seed: 1).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(Credit.Value);
        var current = With(Credit.Value, "Income", _ => double.NaN);

        var drift = DriftDetector.Compare(model.Profile!, current);

        Assert.True(drift.Columns.Single(c => c.Name == "Income").MissingShareDrifted);
    }

    [Fact]
    public void AMissingShareThatMoves_Drifts_AndASmallMoveDoesNot()
    {
        var reference = Credit.Value;
        var income = ((NumericColumn)reference["Income"]).Values.ToArray();
        var moved = With(reference, "Income", i => i % 3 == 0 ? double.NaN : income[i]);
        var nudged = With(reference, "Income", i => i % 50 == 0 ? double.NaN : income[i]);

        var big = DriftDetector.Compare(reference, moved).Columns.Single(c => c.Name == "Income");
        var small = DriftDetector.Compare(reference, nudged).Columns.Single(c => c.Name == "Income");

        Assert.True(big.MissingShareDrifted);
        Assert.StartsWith("missing share 8.6% -> 39.", big.Reason, StringComparison.Ordinal);
        Assert.False(small.MissingShareDrifted);
    }

    [Fact]
    public void AColumnAbsentFromTheCurrentData_IsReportedAsDrifted()
    {
        var reference = Credit.Value;
        var current = CreditData.FromColumns(reference.Columns.Where(c => c.Name != "Assets"), o => o.Target("default"));

        var drift = DriftDetector.Compare(reference, current);

        var assets = drift.Columns.Single(c => c.Name == "Assets");
        Assert.True(assets.Drifted);
        Assert.True(assets.Absent);
        Assert.Equal("absent from the current data", assets.Reason);
        Assert.True(double.IsNaN(assets.Statistic));
        Assert.Equal(13, drift.Columns.Count);
    }

    [Fact]
    public void WithAModel_AnAbsentInputIsDrifted_AndPredictionDriftSaysWhyItIsMissing()
    {
        var model = new CreditScoringContext(seed: 1).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(Credit.Value);
        var current = CreditData.FromColumns(Credit.Value.Columns.Where(c => c.Name != "Assets"), o => o.Target("default"));

        var drift = DriftDetector.Compare(model.Profile!, current, model: model);

        Assert.True(drift.Columns.Single(c => c.Name == "Assets").Absent);
        Assert.Null(drift.Prediction);
        Assert.Equal(["Prediction drift was not computed: the current data lacks the model input(s) Assets."], drift.Notes);
    }

    [Fact]
    public void TooFewCurrentRows_IsInsufficientData_NotEveryColumnDrifted()
    {
        var reference = Credit.Value;
        var current = reference.SelectRows([0, 1, 2, 3, 4]);

        var drift = DriftDetector.Compare(reference, current);

        Assert.True(drift.IsInsufficient);
        Assert.False(drift.IsDrifted);
        Assert.Equal(0, drift.DriftedCount);
        Assert.Equal("Insufficient data: no column had enough current values to test (5 current rows).", drift.Summary);
        Assert.Equal("Insufficient data to judge drift.", drift.Verdict);
        Assert.All(drift.Columns, c => Assert.StartsWith("insufficient data: ", c.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void ADeadFeedOnFewRows_StillDrifts()
    {
        var reference = Credit.Value;
        var current = With(reference.SelectRows([0, 1, 2, 3, 4]), "Income", _ => double.NaN);

        var drift = DriftDetector.Compare(reference, current);

        Assert.True(drift.Columns.Single(c => c.Name == "Income").Drifted);
        Assert.True(drift.IsDrifted);
        Assert.Equal("Drift is detected for 100% of columns (1 out of 1). 12 column(s) had too few current values to test.", drift.Summary);
    }
}
