using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.Tests.Tracking;

public sealed class RunComparisonTests
{
    private static TrackedRun Run(string id, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters) => new()
    {
        Info = new RunInfo { RunId = id, ExperimentId = "0", RunName = "run " + id, UserId = "ana", Status = RunStatus.Finished, StartTime = 1, ArtifactUri = "x", LifecycleStage = "active" },
        Metrics = metrics,
        Params = parameters,
    };

    [Fact]
    public void Runs_AreComparedMetricByMetric_AndTheirDifferingParametersNamed()
    {
        var a = Run("a", [new Metric("auc", 0.80, 1), new Metric("log_loss", 0.45, 1)], [new Param("learner", "gbdt"), new Param("seed", "42"), new Param("NumberOfLeaves", "31")]);
        var b = Run("b", [new Metric("auc", 0.82, 1)], [new Param("learner", "gbdt"), new Param("seed", "42"), new Param("NumberOfLeaves", "63")]);
        var c = Run("c", [new Metric("auc", 0.81, 1), new Metric("log_loss", 0.43, 1)], [new Param("learner", "gbdt"), new Param("seed", "42")]);

        var comparison = RunComparison.Of([a, b, c]);

        Assert.Equal(["auc", "log_loss"], comparison.Metrics.Select(m => m.Key));
        Assert.Equal([0.80, 0.82, 0.81], comparison.Metrics[0].Values);
        Assert.Equal([0.45, null, 0.43], comparison.Metrics[1].Values);
        var difference = Assert.Single(comparison.Differences);
        Assert.Equal("NumberOfLeaves", difference.Key);
        Assert.Equal(["31", "63", null], difference.Values);

        var text = new StringWriter();
        comparison.WriteText(text);
        Assert.Contains("parameters that differ:", text.ToString(), StringComparison.Ordinal);
        var html = new MemoryStream();
        comparison.WriteHtml(html);
        var page = System.Text.Encoding.UTF8.GetString(html.ToArray());
        Assert.Contains("<td class=\"n best\">0.82</td>", page, StringComparison.Ordinal); // the highest AUC
        Assert.Contains("<td class=\"n best\">0.43</td>", page, StringComparison.Ordinal); // the lowest log-loss
        Assert.Contains("<tr class=\"differs\"><td>NumberOfLeaves</td>", page, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => RunComparison.Of([a]));
        Assert.Throws<ArgumentException>(() => RunComparison.Of([a, a]));
    }
}
