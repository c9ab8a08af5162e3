using System.Globalization;
using CreditScoring.Sdk.Explanations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>
/// The adviser dashboard in Debian's headless Chromium (Playwright): a client found by id and by a search on an input,
/// the decision and reasons in plain language, the gauge and the waterfall, the comparison switched to another input by
/// keyboard; no request leaves the host and the content security policy refuses nothing. A screenshot is saved under
/// the test results.
/// </summary>
public sealed class DashboardBrowserTests(TrainedModel trained) : IClassFixture<TrainedModel>, IDisposable
{
    private static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    private readonly string _folder = Directory.CreateTempSubdirectory("cs-dashboard-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AnAdviser_FindsAClient_ReadsTheDecisionAndReasons_AndComparesAnInput()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is not at {ChromiumPath}; install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH.");
        var database = Path.Combine(_folder, "applicants.db");
        await ApplicantStoreTests.CreateClients(database, "sqlite", trained, 80);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCreditScoring(o => o.ModelPath = trained.ModelPath);
        builder.Services.AddCreditScoringServing();
        builder.Services.AddCreditScoringApplicants(o => { o.Store = database; o.Table = "clients"; o.IdColumn = "client_id"; });
        await using var app = builder.Build();
        app.MapCreditScoring();
        app.MapCreditScoringDashboard();
        await app.StartAsync();
        var address = app.Urls.Single();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
        var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 1400 } });
        var requests = new List<string>();
        var console = new List<string>();
        tab.Request += (_, r) => requests.Add(r.Url);
        tab.Console += (_, m) => console.Add(m.Text);

        await tab.GotoAsync(address + "/dashboard");
        await Assertions.Expect(tab.Locator("#model")).ToContainTextAsync("Model pd-model version");

        // By id, with the keyboard only: type the id and press Enter.
        await tab.Locator("#client-id").FocusAsync();
        await tab.Keyboard.TypeAsync("1003");
        await tab.Keyboard.PressAsync("Enter");
        await Assertions.Expect(tab.Locator("#decision")).ToContainTextAsync("client 1003");
        var explanation = trained.Model.CreateExplainer().Explain(trained.Rows[3]);
        var declined = explanation.Decision == Decisions.CreditDecision.Decline;
        Assert.Equal($"{(declined ? "Declined" : "Approved")}: client 1003", (await tab.Locator("#decision").InnerTextAsync()).Trim());
        Assert.Contains((100 * explanation.Probability).ToString("F1", CultureInfo.InvariantCulture) + "%", await tab.Locator("#summary").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(explanation.Reasons.Select(r => r.Text), await tab.Locator("#reasons li").AllInnerTextsAsync());
        Assert.Equal("decision", await tab.EvaluateAsync<string>("document.activeElement.id")); // focus moves to the answer
        Assert.Equal(1, await tab.Locator("#gauge #needle").CountAsync());
        var steps = Math.Min(8, explanation.Inputs.Count) + (explanation.Inputs.Count > 8 ? 1 : 0) + 2;
        Assert.Equal(steps, await tab.Locator("#waterfall rect").CountAsync());

        // The comparison starts on the first reason's input; switch it to Age by keyboard.
        var first = explanation.Reasons.Count > 0 ? explanation.Reasons[0].Input : explanation.Inputs[0].Name;
        Assert.Equal(first, await tab.Locator("#compare-input").InputValueAsync());
        await tab.Locator("#compare-input").FocusAsync();
        await tab.Locator("#compare-input").SelectOptionAsync("Age");
        var age = explanation.Inputs.Single(i => i.Name == "Age");
        await Assertions.Expect(tab.Locator("#comparison-value")).ToHaveTextAsync($"This client's Age: {age.Value}.");
        var strips = await tab.Locator("#comparison .strip-text").AllInnerTextsAsync();
        Assert.Equal(2, strips.Count);
        Assert.StartsWith("Higher than " + (100 * age.Population!.Percentile).ToString("F1", CultureInfo.InvariantCulture) + "% of these clients.", strips[0], StringComparison.Ordinal);
        Assert.StartsWith("Higher than " + (100 * age.AmongSimilar!.Percentile).ToString("F1", CultureInfo.InvariantCulture) + "% of these clients.", strips[1], StringComparison.Ordinal);

        var screenshots = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "test-results");
        Directory.CreateDirectory(screenshots);
        await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "adviser-dashboard.png"), FullPage = true });

        // By a search on an input: the renters aged 30 to 40, then one of them opened from the list.
        await tab.Locator("#filter-input").SelectOptionAsync("Age");
        await tab.Locator("#filter-min").FillAsync("30");
        await tab.Locator("#filter-max").FillAsync("40");
        await tab.Locator("#by-filters button").ClickAsync();
        var expected = Enumerable.Range(0, 80).Where(r => trained.Rows[r]["Age"] is double a && a is >= 30 and <= 40).Take(20).Select(r => (1000 + r).ToString(CultureInfo.InvariantCulture)).ToList();
        await Assertions.Expect(tab.Locator("#found-table tbody tr")).ToHaveCountAsync(expected.Count);
        Assert.Equal(expected, await tab.Locator("#found-table tbody button").AllInnerTextsAsync());
        await tab.Locator("#found-table tbody button").Nth(1).PressAsync("Enter");
        await Assertions.Expect(tab.Locator("#decision")).ToContainTextAsync($"client {expected[1]}");
        Assert.Equal("Age", await tab.Locator("#compare-input").InputValueAsync()); // the adviser's choice is kept

        // An unknown id is said plainly.
        await tab.Locator("#client-id").FillAsync("77");
        await tab.Locator("#by-id button").ClickAsync();
        await Assertions.Expect(tab.Locator("#status")).ToHaveTextAsync("No applicant has client_id '77'.");

        Assert.All(requests, url => Assert.StartsWith(address, url, StringComparison.Ordinal));
        Assert.DoesNotContain(console, line => line.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        await app.StopAsync();
    }
}
