using Microsoft.Playwright;

namespace CreditScoring.Sdk.Drift.Tests;

/// <summary>
/// The HTML report opened in a real browser: Debian's headless Chromium driven by Playwright (which cannot download
/// browsers here). <c>.ci/run</c> installs the <c>chromium</c> package; CHROMIUM_PATH overrides /usr/bin/chromium.
/// </summary>
public class BrowserReportTests
{
    private static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    [Fact]
    public async Task Html_report_opens_in_chromium_with_its_summary_and_a_chart_for_every_column()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is not at {ChromiumPath}; install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH.");
        var reference = DataDriftTests.Applicants(1500, 1);
        var current = DataDriftTests.Applicants(1500, 2, incomeShift: 0.3, flipRegion: true);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(reference);
        var drift = DriftDetector.Compare(reference, current, model: model);
        var path = Path.Combine(TestPaths.NewTempDirectory(), "drift.html");
        DriftReport.WriteHtml(drift, path);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);
        await page.GotoAsync(new Uri(path).AbsoluteUri);

        var summary = await page.Locator("#summary").InnerTextAsync();
        Assert.StartsWith("Drift is detected for 50% of columns (2 out of 4).", summary, StringComparison.Ordinal);
        Assert.Contains("Dataset drift detected", summary, StringComparison.Ordinal);
        foreach (var column in drift.Columns)
        {
            var chart = page.Locator($"div.column[data-column=\"{column.Name}\"] svg.chart");
            Assert.Equal(1, await chart.CountAsync());
            var box = await chart.BoundingBoxAsync();
            Assert.True(box is { Width: > 100, Height: > 50 }, $"the chart of {column.Name} is not laid out");
            Assert.True(await chart.Locator("rect").CountAsync() >= 2 * column.Bars.Count);
        }

        Assert.Equal(drift.Columns.Count + 1, await page.Locator("svg.chart").CountAsync()); // + the score chart
        Assert.Contains("PSI of the scores", await page.Locator("#prediction").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(drift.Columns.Count + 1, await page.Locator("#columns tr").CountAsync());
        Assert.Equal([new Uri(path).AbsoluteUri], requests); // self-contained: nothing else is fetched
    }
}
