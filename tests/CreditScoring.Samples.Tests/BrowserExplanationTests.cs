using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Scoring;
using Microsoft.Playwright;

namespace CreditScoring.Samples.Tests;

/// <summary>
/// The explanation page (explain --html) opened in Debian's headless Chromium through Playwright, as the drift report's
/// test does: the reasons come first, the waterfall has a bar per step, the comparisons are drawn, nothing is fetched.
/// </summary>
public class BrowserExplanationTests
{
    private static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    [Fact]
    public async Task TheExplanationPage_OpensInChromium_WithTheReasonsTheWaterfallAndTheComparisons()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is not at {ChromiumPath}; install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH.");
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        var page = Path.Combine(dir, "applicant.html");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "gbdt", "--model", model, "--option", "NumberOfIterations=40").Exit);
        var (row, expected) = Declined(model);

        var (exit, _, error) = CliRunner.Run("explain", "--model", model, "--data", TestPaths.CreditData, "--row", row.ToString(CultureInfo.InvariantCulture), "--html", page);

        Assert.True(exit == 0, error);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
        var tab = await browser.NewPageAsync();
        var requests = new List<string>();
        tab.Request += (_, r) => requests.Add(r.Url);
        await tab.GotoAsync(new Uri(page).AbsoluteUri);

        Assert.Equal($"Row {row}: declined", (await tab.Locator("#decision h1").InnerTextAsync()).Trim());
        var reasons = await tab.Locator("#reasons li").AllInnerTextsAsync();
        Assert.Equal(expected.Reasons.Select(r => $"{r.Code}: {r.Text}"), reasons.Select(r => r.Trim()));
        var headings = await tab.Locator("h2").AllInnerTextsAsync();
        Assert.Equal(["Main reasons", "From the average client to this applicant", "Compared with other clients"], headings);

        var waterfall = tab.Locator("#waterfall svg.chart");
        var box = await waterfall.BoundingBoxAsync();
        Assert.True(box is { Width: > 300, Height: > 100 }, "the waterfall is not laid out");
        Assert.Equal(Math.Min(expected.Inputs.Count, ExplanationHtml.WaterfallInputs) + (expected.Inputs.Count > ExplanationHtml.WaterfallInputs ? 1 : 0), await waterfall.Locator("rect.step").CountAsync());
        Assert.Equal(1, await waterfall.Locator("rect.base").CountAsync());
        Assert.Equal(1, await waterfall.Locator("rect.score").CountAsync());

        var compared = tab.Locator("#standing div.input");
        Assert.Equal(ExplanationHtml.StandingInputs, await compared.CountAsync());
        Assert.Equal(expected.Reasons[0].Input, await compared.First.GetAttributeAsync("data-input"));
        Assert.True(await tab.Locator("#standing svg.chart circle.applicant").CountAsync() >= 1);
        Assert.True(await tab.Locator("#standing svg.chart rect.middle80").CountAsync() >= 2);
        Assert.Contains("clients with a similar score", await tab.Locator("#standing").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal([new Uri(page).AbsoluteUri], requests); // self-contained: nothing else is fetched
    }

    /// <summary>The first declined row with four reasons, and its explanation by the library.</summary>
    private static (int Row, Explanation Explanation) Declined(string modelPath)
    {
        var explanations = CreditModel.Load(modelPath).CreateExplainer().ExplainBatch(CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")));
        var index = explanations.Select((e, i) => (e, i)).First(t => t.e.Decision == CreditDecision.Decline && t.e.Reasons.Count == 4).i;
        return (index + 1, explanations[index]);
    }
}
