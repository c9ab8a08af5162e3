using CreditScoring.Sdk.Tracking;
using Microsoft.Playwright;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>
/// The runs page opened in Debian's headless Chromium (through Playwright, as the drift report's test does): the
/// experiments, an experiment's runs sorted and filtered, a run, a metric's history as a chart, and runs compared; every
/// request goes to the host.
/// </summary>
public sealed class RunsPageBrowserTests(TrackingServer server) : IClassFixture<TrackingServer>
{
    private static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    [Fact]
    public async Task TheRunsPage_ListsSortsFiltersShowsChartsAndComparesLoggedRuns()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is not at {ChromiumPath}; install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH.");
        var store = server.Store;
        var experiment = await store.CreateExperimentAsync("pd-page");
        var ids = new Dictionary<string, string>();
        foreach (var (name, auc, learner) in new[] { ("gbdt 31 leaves", 0.85, "gbdt"), ("logistic", 0.80, "logistic"), ("gbdt 63 leaves", 0.82, "gbdt") })
        {
            var run = await store.CreateRunAsync(experiment, new NewRun { RunName = name, UserId = "ana" });
            var metrics = new List<Metric> { new("auc", auc, 1) };
            metrics.AddRange(Enumerable.Range(0, 5).Select(step => new Metric("loss", 0.7 - (0.05 * step) - (auc - 0.8), 2 + step, step)));
            await store.LogBatchAsync(run.Info.RunId, metrics, [new Param("learner", learner)], []);
            await store.UpdateRunAsync(run.Info.RunId, RunStatus.Finished, 100);
            ids[name] = run.Info.RunId;
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
        var tab = await browser.NewPageAsync();
        var requests = new List<string>();
        tab.Request += (_, r) => requests.Add(r.Url);

        await tab.GotoAsync(server.Address + "/runs");
        await tab.Locator("#experiments a", new() { HasText = "pd-page" }).ClickAsync();
        async Task<IReadOnlyList<string>> Names() => await tab.Locator("#runs tr[data-run] td:nth-child(2)").AllInnerTextsAsync();
        Assert.Equal(["gbdt 63 leaves", "logistic", "gbdt 31 leaves"], await Names()); // newest first

        // Sorted by a metric's column: descending, then ascending.
        await tab.Locator("#runs a.sort[data-field='metrics.`auc`']").ClickAsync();
        Assert.Equal(["gbdt 31 leaves", "gbdt 63 leaves", "logistic"], await Names());
        await tab.Locator("#runs a.sort[data-field='metrics.`auc`']").ClickAsync();
        Assert.Equal(["logistic", "gbdt 63 leaves", "gbdt 31 leaves"], await Names());
        Assert.Contains("0.85", await tab.Locator("#runs tr[data-run]").Last.InnerTextAsync(), StringComparison.Ordinal);

        // Filtered with MLflow's grammar.
        await tab.Locator("#search input[name=filter]").FillAsync("params.learner = 'gbdt'");
        await tab.Locator("#search button").ClickAsync();
        Assert.Equal(["gbdt 31 leaves", "gbdt 63 leaves"], (await Names()).Order());

        // A run, and its loss history as a chart with a point per step.
        await tab.Locator("#runs a", new() { HasText = "gbdt 31 leaves" }).ClickAsync();
        Assert.Equal("gbdt 31 leaves", (await tab.Locator("h1").InnerTextAsync()).Trim());
        Assert.Contains("learner", await tab.Locator("#params").InnerTextAsync(), StringComparison.Ordinal);
        await tab.Locator("#metrics a", new() { HasText = "loss" }).ClickAsync();
        var chart = tab.Locator("svg#history");
        Assert.True(await chart.BoundingBoxAsync() is { Width: > 300, Height: > 100 }, "the chart is not laid out");
        Assert.Equal(5, await chart.Locator("circle.point").CountAsync());
        Assert.Equal(1, await chart.Locator("polyline").CountAsync());
        Assert.Equal(6, await tab.Locator("#values tr").CountAsync());

        // Two runs compared side by side.
        await tab.GotoAsync($"{server.Address}/runs/experiments/{experiment}");
        await tab.Locator($"#runs tr[data-run='{ids["gbdt 31 leaves"]}'] input[type=checkbox]").CheckAsync();
        await tab.Locator($"#runs tr[data-run='{ids["logistic"]}'] input[type=checkbox]").CheckAsync();
        await tab.Locator("#compare-button").ClickAsync();
        Assert.Equal("Runs compared", (await tab.Locator("h1").InnerTextAsync()).Trim());
        Assert.Contains("0.85", await tab.Locator("#metrics tr", new() { HasText = "auc" }).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await tab.Locator("#params tr.differs").CountAsync()); // the learner

        Assert.All(requests, r => Assert.StartsWith(server.Address, r, StringComparison.Ordinal)); // nothing fetched from elsewhere
    }
}
