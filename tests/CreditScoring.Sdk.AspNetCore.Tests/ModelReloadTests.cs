using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>Hot reload: a changed file or a moved alias is loaded, checked and swapped; a broken model is refused and the old one keeps serving; requests in flight never fail.</summary>
public sealed class ModelReloadTests : IDisposable
{
    private static readonly Dictionary<string, object?> Applicant = new()
    {
        ["Seniority"] = 1, ["Home"] = "rent", ["Time"] = 60, ["Age"] = 24, ["Marital"] = "single", ["Records"] = "yes", ["Job"] = "partime",
        ["Expenses"] = 60, ["Income"] = 80, ["Assets"] = 0, ["Debt"] = 0, ["Amount"] = 1200, ["Price"] = 1300,
    };

    private static readonly Lazy<CreditData> Data = new(() => CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")));
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-reload-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static byte[] ModelFile(double threshold)
    {
        var model = new CreditScoringContext(seed: 5).CreatePipeline().Train(t => t.LogisticRegression()).Decide(d => d.Threshold(threshold)).Build().Fit(Data.Value);
        var file = new MemoryStream();
        model.Save(file);
        return file.ToArray();
    }

    private static void Replace(string path, byte[] bytes)
    {
        File.WriteAllBytes(path + ".new", bytes);
        File.Move(path + ".new", path, overwrite: true);
    }

    private static async Task<(WebApplication App, HttpClient Http)> Start(Action<IServiceCollection> services)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        services(builder.Services);
        var app = builder.Build();
        app.MapCreditScoring();
        app.MapCreditScoringAdmin();
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()) });
    }

    private static async Task<JsonNode> Score(HttpClient http)
    {
        var response = await http.PostAsJsonAsync("/v1/score", Applicant);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task AChangedFile_IsSwappedIn_ABrokenOneRefused_AndRequestsInFlightNeverFail()
    {
        var path = Path.Combine(_folder, "pd-model.json");
        File.WriteAllBytes(path, ModelFile(0.3));
        var (app, http) = await Start(s => s.AddCreditScoringServing(o => o.ReloadInterval = TimeSpan.Zero).Configure<CreditScoringOptions>(o => o.ModelPath = path));
        await using var _ = app;
        using var __ = http;

        var before = await Score(http);
        Assert.Equal(0.3, before["threshold"]!.GetValue<double>());

        // Requests keep coming while the file changes and the host reloads it.
        var second = ModelFile(0.5);
        using var stop = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            var versions = new List<string>();
            while (!stop.IsCancellationRequested)
            {
                versions.Add((await Score(http))["model"]!["version"]!.GetValue<string>());
            }

            return versions;
        });
        Replace(path, second);
        var reloaded = JsonNode.Parse(await (await http.PostAsync("/v1/model/reload", null)).Content.ReadAsStringAsync())!;
        await Task.Delay(200);
        stop.Cancel();
        var seen = await traffic;

        Assert.True(reloaded["changed"]!.GetValue<bool>());
        var after = await Score(http);
        Assert.Equal(0.5, after["threshold"]!.GetValue<double>());
        Assert.NotEqual(before["model"]!["version"]!.GetValue<string>(), after["model"]!["version"]!.GetValue<string>());
        Assert.All(seen, v => Assert.Contains(v, new[] { before["model"]!["version"]!.GetValue<string>(), after["model"]!["version"]!.GetValue<string>() }));

        // A broken file is refused; the model before it keeps serving.
        Replace(path, "{\"format\": \"creditscoring-model\", broken"u8.ToArray());
        var refused = JsonNode.Parse(await (await http.PostAsync("/v1/model/reload", null)).Content.ReadAsStringAsync())!;
        Assert.False(refused["changed"]!.GetValue<bool>());
        Assert.False(string.IsNullOrEmpty(refused["refused"]!.GetValue<string>()));
        Assert.Equal(after["model"]!.ToJsonString(), (await Score(http))["model"]!.ToJsonString());
        await app.StopAsync();
    }

    [Fact]
    public async Task TheRegistrysChampion_IsServed_AndFollowedWhenPromoted()
    {
        var location = Path.Combine(_folder, "mlruns.db");
        using (var store = TrackingStores.Open(location))
        {
            await store.CreateRegisteredModelAsync("pd-model");
            foreach (var threshold in new[] { 0.3, 0.6 })
            {
                var run = await store.CreateRunAsync("0", new NewRun { RunName = $"t{threshold}" });
                await store.LogArtifactAsync(run.Info.RunId, "model/model.json", new MemoryStream(ModelFile(threshold)));
                await store.CreateModelVersionAsync(new NewModelVersion { Name = "pd-model", Source = $"runs:/{run.Info.RunId}/model" });
            }

            await store.SetAliasAsync("pd-model", "champion", 1);
        }

        var (app, http) = await Start(s => s.AddExperimentTracking(location).AddCreditScoringServing(o => { o.ModelUri = "models:/pd-model@champion"; o.ReloadInterval = TimeSpan.Zero; }));
        await using var _ = app;
        using var __ = http;

        var first = await Score(http);
        Assert.Equal("1", first["model"]!["version"]!.GetValue<string>());
        Assert.Equal(0.3, first["threshold"]!.GetValue<double>());

        await app.Services.GetRequiredService<IModelRegistry>().SetAliasAsync("pd-model", "champion", 2);
        var reloaded = JsonNode.Parse(await (await http.PostAsync("/v1/model/reload", null)).Content.ReadAsStringAsync())!;

        Assert.True(reloaded["changed"]!.GetValue<bool>());
        var second = await Score(http);
        Assert.Equal(("pd-model", "2", 0.6), (second["model"]!["name"]!.GetValue<string>(), second["model"]!["version"]!.GetValue<string>(), second["threshold"]!.GetValue<double>()));
        await app.StopAsync();
    }

    [Fact]
    public async Task NoModelToServeYet_Is503_NotAnEmpty500()
    {
        var location = Path.Combine(_folder, "empty.db");
        var (app, http) = await Start(s => s.AddExperimentTracking(location).AddCreditScoringServing(o => { o.ModelUri = "models:/pd-model@champion"; o.ReloadInterval = TimeSpan.Zero; }));
        await using var _ = app;
        using var __ = http;

        var response = await http.PostAsJsonAsync("/v1/score", Applicant);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("pd-model", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["title"]!.GetValue<string>(), StringComparison.Ordinal);
        await app.StopAsync();
    }
}
