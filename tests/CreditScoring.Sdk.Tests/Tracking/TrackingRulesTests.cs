using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.Tests.Tracking;

/// <summary>MLflow's rules for names, lengths and batches (its own lists of good and bad names).</summary>
public class TrackingRulesTests
{
    public static TheoryData<string> GoodNames => ["a", "Ab-5_", "a/b/c", "a.b.c", ".a", "b.", "a..a/._./o_O/.e.", "a b/c d", "auc", "fold 3/auc"];

    public static TheoryData<string> BadNames => ["", ".", "/", "..", "//", "a//b", "a/./b", "/a", "a/", ":", "\\", "./", "/./", "../a", "a/../b", "auc?"];

    [Theory]
    [MemberData(nameof(GoodNames))]
    public void MlflowsGoodNames_AreAccepted(string name)
    {
        TrackingRules.CheckKey("Metric", name);
        TrackingRules.Check(new Param(name, "v"));
        TrackingRules.Check(new RunTag(name, "v"));
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public void MlflowsBadNames_AreRefused_WithTheName(string name)
    {
        var e = Assert.Throws<TrackingException>(() => TrackingRules.CheckKey("Param", name));

        Assert.Equal(TrackingErrorCode.InvalidParameterValue, e.Code);
        Assert.Equal("INVALID_PARAMETER_VALUE", e.MlflowErrorCode);
        Assert.Contains(name.Length == 0 ? "Param name is empty" : $"'{name}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NormalPath_ResolvesAsPosix()
    {
        Assert.Equal(".", TrackingRules.NormalPath(""));
        Assert.Equal("a/b", TrackingRules.NormalPath("a//b"));
        Assert.Equal("a/b", TrackingRules.NormalPath("a/./b/"));
        Assert.Equal("b", TrackingRules.NormalPath("a/../b"));
        Assert.Equal("../a", TrackingRules.NormalPath("../a"));
        Assert.Equal("//a", TrackingRules.NormalPath("//a"));
        Assert.Equal("/a", TrackingRules.NormalPath("///a"));
    }

    [Fact]
    public void Lengths_AreMlflows_AndTheMessageGivesTheLimit()
    {
        TrackingRules.CheckKey("Metric", new string('k', 250));
        TrackingRules.Check(new Param("p", new string('v', 6000)));
        TrackingRules.Check(new RunTag("t", new string('v', 5000)));

        Assert.Contains("exceeded length limit of 250", Assert.Throws<TrackingException>(() => TrackingRules.CheckKey("Metric", new string('k', 251))).Message, StringComparison.Ordinal);
        Assert.Contains("Param value", Assert.Throws<TrackingException>(() => TrackingRules.Check(new Param("p", new string('v', 6001)))).Message, StringComparison.Ordinal);
        Assert.Contains("length limit of 5000", Assert.Throws<TrackingException>(() => TrackingRules.Check(new RunTag("t", new string('v', 5001)))).Message, StringComparison.Ordinal);
        Assert.Contains("maximum length of 500", Assert.Throws<TrackingException>(() => TrackingRules.CheckExperimentName(new string('e', 501))).Message, StringComparison.Ordinal);
        Assert.Throws<TrackingException>(() => TrackingRules.CheckExperimentName(""));
    }

    [Fact]
    public void Batches_HoldAtMost1000Metrics_100ParamsAnd100Tags_1000InAll_AndNoParamTwice()
    {
        Metric[] Metrics(int n) => [.. Enumerable.Range(0, n).Select(i => new Metric("m", i, 1, i))];
        Param[] Params(int n) => [.. Enumerable.Range(0, n).Select(i => new Param($"p{i}", "v"))];
        RunTag[] Tags(int n) => [.. Enumerable.Range(0, n).Select(i => new RunTag($"t{i}", "v"))];

        TrackingRules.CheckBatch(Metrics(1000), [], []);
        TrackingRules.CheckBatch(Metrics(800), Params(100), Tags(100));

        Assert.Contains("at most 1000 metrics. Got 1001", Assert.Throws<TrackingException>(() => TrackingRules.CheckBatch(Metrics(1001), [], [])).Message, StringComparison.Ordinal);
        Assert.Contains("at most 100 params", Assert.Throws<TrackingException>(() => TrackingRules.CheckBatch([], Params(101), [])).Message, StringComparison.Ordinal);
        Assert.Contains("at most 100 tags", Assert.Throws<TrackingException>(() => TrackingRules.CheckBatch([], [], Tags(101))).Message, StringComparison.Ordinal);
        Assert.Contains("metrics, params, and tags", Assert.Throws<TrackingException>(() => TrackingRules.CheckBatch(Metrics(900), Params(100), Tags(1))).Message, StringComparison.Ordinal);
        Assert.Contains("Duplicate parameter keys", Assert.Throws<TrackingException>(() => TrackingRules.CheckBatch([], [new Param("a", "1"), new Param("a", "2")], [])).Message, StringComparison.Ordinal);
        Assert.Contains("timestamp -1", Assert.Throws<TrackingException>(() => TrackingRules.CheckBatch([new Metric("m", 1, -1)], [], [])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef", true)]
    [InlineData("run_1-a", true)]
    [InlineData("_run", false)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    public void RunIds_FollowMlflowsPattern(string id, bool valid)
    {
        if (valid)
        {
            TrackingRules.CheckRunId(id);
        }
        else
        {
            Assert.Contains("Invalid run ID", Assert.Throws<TrackingException>(() => TrackingRules.CheckRunId(id)).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("champion", null)]
    [InlineData("challenger-2", null)]
    [InlineData("latest", "reserved")]
    [InlineData("LATEST", "reserved")]
    [InlineData("v3", "reserved")]
    [InlineData("a.b", "character '.'")]
    [InlineData("", "cannot be empty")]
    public void Aliases_FollowMlflowsRules(string alias, string? error)
    {
        if (error is null)
        {
            TrackingRules.CheckAlias(alias);
        }
        else
        {
            Assert.Contains(error, Assert.Throws<TrackingException>(() => TrackingRules.CheckAlias(alias)).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DatasetInputs_NeedANameAShortDigestAndConsistentCounts()
    {
        TrackingRules.Check(new DatasetInput("train.csv", "3f2a", "training", 100, 20));
        TrackingRules.Check(new DatasetInput("unlabelled.csv", "3f2a", "scoring", 100, -1));

        Assert.Throws<TrackingException>(() => TrackingRules.Check(new DatasetInput("", "d", "training", 1, 0)));
        Assert.Contains("length limit of 36", Assert.Throws<TrackingException>(() => TrackingRules.Check(new DatasetInput("x", new string('d', 37), "training", 1, 0))).Message, StringComparison.Ordinal);
        Assert.Contains("100 rows and 101 positives", Assert.Throws<TrackingException>(() => TrackingRules.Check(new DatasetInput("x", "d", "training", 100, 101))).Message, StringComparison.Ordinal);
    }
}
