using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.Tests.Tracking;

/// <summary>MLflow's search grammar: clauses, values, errors with their position, and the ordering.</summary>
public class RunFilterTests
{
    private static TrackedRun MakeRun(string id, long start, double? auc, string? learner, string? stage, RunStatus status = RunStatus.Finished, string name = "run") => new()
    {
        Info = new RunInfo { RunId = id, ExperimentId = "1", RunName = name, UserId = "ana", Status = status, StartTime = start, ArtifactUri = $"file:///a/{id}" },
        Metrics = auc is { } a ? [new Metric("auc", a, start, 0), new Metric("val auc", a - 0.01, start, 0)] : [],
        Params = learner is null ? [] : [new Param("learner", learner)],
        Tags = stage is null ? [] : [new RunTag("stage", stage)],
        Inputs = [new DatasetInput("train.csv", "d1", "training", 100, 20)],
    };

    private static readonly TrackedRun[] Runs =
    [
        MakeRun("r1", 1000, 0.85, "gbdt", "cv"),
        MakeRun("r2", 2000, 0.78, "gbdt", "final"),
        MakeRun("r3", 3000, 0.82, "logistic", "cv", RunStatus.Failed, "Logistic baseline"),
        MakeRun("r4", 4000, null, null, null, RunStatus.Running),
    ];

    private static string[] Select(string filter) => [.. Runs.Where(RunFilter.Parse(filter).Matches).Select(r => r.Info.RunId)];

    [Fact]
    public void TheIssuesExample_SelectsTheGbdtCvRunAbove08()
    {
        Assert.Equal(["r1"], Select("metrics.auc > 0.8 and params.learner = 'gbdt' and tags.stage = 'cv'"));
    }

    [Theory]
    [InlineData("", "r1,r2,r3,r4")]
    [InlineData("metrics.auc >= 0.82", "r1,r3")]
    [InlineData("metrics.auc != 0.85", "r2,r3")]
    [InlineData("metric.`val auc` < 0.8", "r2")]
    [InlineData("params.learner != 'gbdt'", "r3")]
    [InlineData("params.learner LIKE 'gb%'", "r1,r2")]
    [InlineData("params.learner LIKE 'GB%'", "")]
    [InlineData("params.learner ILIKE 'GB%'", "r1,r2")]
    [InlineData("tags.stage = \"final\"", "r2")]
    [InlineData("attributes.status = 'FAILED'", "r3")]
    [InlineData("status != 'FINISHED'", "r3,r4")]
    [InlineData("attributes.run_name ILIKE '%baseline'", "r3")]
    [InlineData("`Run name` = 'run'", "r1,r2,r4")]
    [InlineData("attributes.start_time > 1500 AND attributes.start_time <= 3000", "r2,r3")]
    [InlineData("created < 2000", "r1")]
    [InlineData("attributes.run_id IN ('r1', 'r4')", "r1,r4")]
    [InlineData("run_id NOT IN ('r1')", "r2,r3,r4")]
    [InlineData("datasets.context = 'training' and datasets.name LIKE '%.csv'", "r1,r2,r3,r4")]
    [InlineData("params.x = 'it''s'", "")]
    public void Clauses_SelectAsMlflowDoes(string filter, string expected)
    {
        Assert.Equal(expected.Length == 0 ? [] : expected.Split(','), Select(filter));
    }

    [Theory]
    [InlineData("metrics.auc > 'high'", "at character 15: expected a number to compare metric 'auc'")]
    [InlineData("params.learner = gbdt", "at character 18: expected a quoted text value")]
    [InlineData("params.learner > 'a'", "at character 16: '>' cannot compare parameter 'learner'")]
    [InlineData("metrics.auc > 0.8 or params.learner = 'gbdt'", "at character 19: expected 'and' between clauses, found 'or' (MLflow's filter joins clauses with 'and' only)")]
    [InlineData("foo.auc > 1", "at character 1: unknown field 'foo'")]
    [InlineData("attributes.color = 'red'", "at character 12: unknown attribute 'color'")]
    [InlineData("datasets.size = 'big'", "at character 10: unknown data set key 'size'")]
    [InlineData("params.learner = 'gbdt", "at character 18: the quote ' is never closed")]
    [InlineData("metrics.auc", "at character 12: expected a comparator")]
    [InlineData("metrics.auc >", "at character 14: expected a value, found the end")]
    [InlineData("run_name IN ('a')", "'IN' cannot compare attribute 'run_name'")]
    public void BadFilters_SayWhereAndWhat(string filter, string message)
    {
        var e = Assert.Throws<TrackingException>(() => RunFilter.Parse(filter));

        Assert.Equal(TrackingErrorCode.InvalidParameterValue, e.Code);
        Assert.Contains($"Invalid search expression '{filter}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFilter_WritesBackAsTextThatParsesToTheSameClauses()
    {
        var filter = RunFilter.Parse("metrics.auc > 0.8 and params.`my key` = 'it''s' and run_id IN ('a', 'b') and created < 5");
        var again = RunFilter.Parse(filter.ToString());

        Assert.Equal(filter.Clauses.Count, again.Clauses.Count);
        for (var i = 0; i < filter.Clauses.Count; i++)
        {
            Assert.Equal(filter.Clauses[i] with { List = [] }, again.Clauses[i] with { List = [] });
            Assert.Equal(filter.Clauses[i].List, again.Clauses[i].List);
        }

        Assert.Equal("it's", filter.Clauses[1].Text);
        Assert.Equal("start_time", filter.Clauses[3].Key);
    }

    [Fact]
    public void Orderings_PutRunsWithoutTheKeyLast_ThenTheNewestFirst()
    {
        string[] Order(params string[] keys) => [.. Runs.Order(RunOrder.Parse(keys)).Select(r => r.Info.RunId)];

        Assert.Equal(["r1", "r3", "r2", "r4"], Order("metrics.auc DESC"));
        Assert.Equal(["r2", "r3", "r1", "r4"], Order("metrics.auc"));
        Assert.Equal(["r2", "r1", "r3", "r4"], Order("params.learner asc"));
        Assert.Equal(["r4", "r3", "r2", "r1"], Order());
        Assert.Equal(["r1", "r2", "r3", "r4"], Order("attributes.start_time"));
        Assert.Equal(["r2", "r1", "r3", "r4"], Order("params.learner", "metrics.auc"));
        Assert.Equal(["metrics.`auc` DESC"], RunOrder.Parse(["metrics.auc desc"]).ToStrings());
    }

    [Theory]
    [InlineData("metrics.auc sideways", "at character 13: expected asc or desc, found 'sideways'")]
    [InlineData("datasets.name", "cannot order by data sets")]
    [InlineData("metrics.auc desc extra", "expected the end of the order key")]
    public void BadOrderings_SayWhereAndWhat(string key, string message)
    {
        Assert.Contains(message, Assert.Throws<TrackingException>(() => RunOrder.Parse([key])).Message, StringComparison.Ordinal);
    }
}
