using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Tests.Data;

public class SplitTests
{
    [Fact]
    public void SplitStratified_KeepsClassCountsAndIsDeterministic()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));

        var (train, test) = data.SplitStratified(0.2, seed: 42);
        var again = data.SplitStratified(0.2, seed: 42);
        var other = data.SplitStratified(0.2, seed: 7);

        // 1,254 defaults and 3,200 non-defaults: round(0.2 * n) of each go to test.
        Assert.Equal(251 + 640, test.RowCount);
        Assert.Equal(251, test.PositiveCount);
        Assert.Equal(1254 - 251, train.PositiveCount);
        Assert.Equal(data.RowCount, train.RowCount + test.RowCount);
        Assert.Equal(test.Fingerprint, again.Test.Fingerprint);
        Assert.NotEqual(test.Fingerprint, other.Test.Fingerprint);
    }

    [Fact]
    public void SplitStratified_PartsAreDisjointAndKeepOrder()
    {
        var data = SyntheticCredit.Generate(1000);
        var (train, test) = data.SplitStratified(0.3, seed: 1);

        var trainIds = ((NumericColumn)train["id"]).Values.ToArray();
        var testIds = ((NumericColumn)test["id"]).Values.ToArray();
        Assert.Empty(trainIds.Intersect(testIds));
        Assert.Equal(trainIds.Order(), trainIds);
        Assert.Equal(testIds.Order(), testIds);
        Assert.Null(train.LoadReport);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void SplitStratified_BadFraction_Throws(double fraction)
    {
        var data = SyntheticCredit.Generate(100);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.SplitStratified(fraction, 42));
    }

    [Fact]
    public void StratifiedKFold_PartitionsRowsWithBalancedClasses()
    {
        var data = SyntheticCredit.Generate(1003);
        var folds = data.StratifiedKFold(5, seed: 42);

        Assert.Equal(5, folds.Count);
        var all = folds.SelectMany(f => f.TestRows).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 1003), all);
        var positives = data.PositiveCount;
        foreach (var fold in folds)
        {
            Assert.InRange(fold.Test.RowCount, 200, 201);
            Assert.InRange(fold.Test.PositiveCount, positives / 5, (positives / 5) + 1);
            Assert.Equal(1003, fold.Train.RowCount + fold.Test.RowCount);
            Assert.Empty(fold.TrainRows.Intersect(fold.TestRows));
        }

        Assert.Equal(folds.Select(f => f.Test.Fingerprint), data.StratifiedKFold(5, seed: 42).Select(f => f.Test.Fingerprint));
    }

    [Fact]
    public void StratifiedKFold_TooFewMinorityRows_Throws()
    {
        var data = CreditData.FromColumns([new NumericColumn("x", [1, 2, 3, 4, 5, 6]), new NumericColumn("y", [0, 0, 0, 0, 1, 1])], o => o.Target("y"));
        var e = Assert.Throws<TrainingDataException>(() => data.StratifiedKFold(3, 42));
        Assert.Equal("Class 1 has 2 row(s), fewer than the 3 folds; every fold needs both classes.", e.Message);
    }

    [Fact]
    public void SplitOutOfTime_ByDate_PutsLaterRowsInTest()
    {
        var dates = Enumerable.Range(0, 10).Select(i => (DateTime?)new DateTime(2024, 1 + i, 1, 0, 0, 0, DateTimeKind.Utc)).ToArray();
        var data = CreditData.FromColumns(
            [new DateColumn("applied", dates), new NumericColumn("x", Enumerable.Range(0, 10).Select(i => (double)i).ToArray()), new NumericColumn("y", [0, 1, 0, 1, 0, 1, 0, 1, 0, 1])],
            o => o.Target("y").Time("applied"));

        var (train, test) = data.SplitOutOfTime(new DateTime(2024, 8, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal([0.0, 1, 2, 3, 4, 5, 6], ((NumericColumn)train["x"]).Values.ToArray());
        Assert.Equal([7.0, 8, 9], ((NumericColumn)test["x"]).Values.ToArray());

        var byShare = data.SplitOutOfTime(0.2);
        Assert.Equal([8.0, 9], ((NumericColumn)byShare.Test["x"]).Values.ToArray());
    }

    [Fact]
    public void SplitOutOfTime_WithoutTimeColumn_Throws()
    {
        var data = SyntheticCredit.Generate(50);
        var e = Assert.Throws<TrainingDataException>(() => data.SplitOutOfTime(0.2));
        Assert.Equal("An out-of-time split needs a time column; load the data with o.Time(\"application_date\").", e.Message);
    }
}
