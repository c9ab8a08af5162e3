using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>A host on loopback serving a model trained on the bundled credit data, unknown categories refused.</summary>
public class ScoringHost : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-serving-").FullName;
    private WebApplication? _app;

    public string ModelPath => Path.Combine(_folder, "pd-model.json");

    public CreditModel Model { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        new CreditScoringContext(seed: 5).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data).Save(ModelPath);
        Model = CreditModel.Load(ModelPath);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCreditScoring(o =>
        {
            o.ModelPath = ModelPath;
            o.UnknownCategory = UnknownCategoryHandling.Throw;
            ConfigureScoring(o);
        });
        builder.Services.AddCreditScoringServing(o => o.MaxBatchSize = 50);
        Configure(builder);
        _app = builder.Build();
        Map(_app);
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    /// <summary>Changes the scorer's settings.</summary>
    protected virtual void ConfigureScoring(CreditScoringOptions options)
    {
    }

    /// <summary>Adds services before the host is built.</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    /// <summary>Maps the endpoints.</summary>
    protected virtual void Map(WebApplication app)
    {
        app.MapCreditScoring();
        app.MapCreditScoringHealth();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _app!.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The scoring API: scores, reasons, batches, explanations and the model's description, and every bad request answered with its documented status and problem details.</summary>
public sealed class ScoringApiTests(ScoringHost host) : IClassFixture<ScoringHost>
{
    private static readonly Dictionary<string, object?> Applicant = new()
    {
        ["Seniority"] = 1, ["Home"] = "rent", ["Time"] = 60, ["Age"] = 24, ["Marital"] = "single", ["Records"] = "yes", ["Job"] = "partime",
        ["Expenses"] = 60, ["Income"] = 80, ["Assets"] = 0, ["Debt"] = 0, ["Amount"] = 1200, ["Price"] = 1300,
    };

    private async Task<(HttpStatusCode Status, string ContentType, JsonNode Body)> Post(string path, string json, string contentType = "application/json")
    {
        using var response = await host.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, contentType));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", JsonNode.Parse(text)!);
    }

    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    [Fact]
    public async Task AnApplicant_IsScored_AsTheModelScoresIt_WithItsReasons()
    {
        var (status, _, body) = await Post("/v1/score?reasons=3", Json(Applicant));

        Assert.Equal(HttpStatusCode.OK, status);
        var expected = host.Model.CreateScorer().Score(Applicant);
        Assert.Equal(expected.Probability, body["probability"]!.GetValue<double>());
        Assert.Equal(expected.Decision == Decisions.CreditDecision.Decline ? "decline" : "approve", body["decision"]!.GetValue<string>());
        Assert.Equal(host.Model.Decision.Threshold, body["threshold"]!.GetValue<double>());
        Assert.Equal("pd-model", body["model"]!["name"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(host.ModelPath)))[..12], body["model"]!["version"]!.GetValue<string>());
        var reasons = body["reasons"]!.AsArray();
        var explained = host.Model.CreateExplainer().Explain(Applicant);
        Assert.Equal(explained.Reasons.Take(3).Select(r => r.Code), reasons.Select(r => r!["code"]!.GetValue<string>()));

        // Field names match whatever their case; a null is a missing value.
        var lower = Applicant.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value);
        lower["assets"] = null;
        var (lowerStatus, _, lowerBody) = await Post("/v1/score", Json(lower));
        Assert.Equal(HttpStatusCode.OK, lowerStatus);
        Assert.Equal(host.Model.CreateScorer().Score(new Dictionary<string, object?>(Applicant) { ["Assets"] = null }).Probability, lowerBody["probability"]!.GetValue<double>());
    }

    [Fact]
    public async Task ABatch_IsScoredAsItsApplicantsOneByOne_AndTheModelDescribesItself()
    {
        var second = new Dictionary<string, object?>(Applicant) { ["Income"] = 300, ["Records"] = "no" };
        var (status, _, body) = await Post("/v1/score/batch", Json(new { applicants = new[] { Applicant, second } }));

        Assert.Equal(HttpStatusCode.OK, status);
        var scorer = host.Model.CreateScorer();
        Assert.Equal([scorer.Score(Applicant).Probability, scorer.Score(second).Probability], body["results"]!.AsArray().Select(r => r!["probability"]!.GetValue<double>()));

        var (explainStatus, _, explanation) = await Post("/v1/explain", Json(Applicant));
        Assert.Equal(HttpStatusCode.OK, explainStatus);
        Assert.Equal(scorer.Score(Applicant).Probability, explanation["probability"]!.GetValue<double>(), 12);
        Assert.NotEmpty(explanation["reasons"]!.AsArray());

        var model = JsonNode.Parse(await host.Http.GetStringAsync("/v1/model"))!;
        Assert.Equal("logistic", model["learner"]!.GetValue<string>());
        Assert.Equal(13, model["inputs"]!.AsArray().Count);
        var home = model["inputs"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "Home")!;
        Assert.Equal("category", home["type"]!.GetValue<string>());
        Assert.Contains("rent", home["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public async Task BadApplicants_GetProblemDetails_NamingEveryFieldAtFault()
    {
        var bad = new Dictionary<string, object?>(Applicant) { ["Age"] = "twenty", ["Home"] = "castle" };
        bad.Remove("Income");

        var (status, type, body) = await Post("/v1/score", Json(bad));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", type);
        Assert.Equal(400, body["status"]!.GetValue<int>());
        var errors = body["errors"]!.AsObject();
        Assert.Equal(["Age", "Home", "Income"], errors.Select(e => e.Key));
        Assert.Equal("Expected a number, got text.", errors["Age"]![0]!.GetValue<string>());
        Assert.StartsWith("Unknown category 'castle': the model knows ", errors["Home"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("Missing", errors["Income"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var (batchStatus, _, batch) = await Post("/v1/score/batch", Json(new { applicants = new object[] { Applicant, new Dictionary<string, object?>(Applicant) { ["Debt"] = true } } }));
        Assert.Equal(HttpStatusCode.BadRequest, batchStatus);
        Assert.Equal(["applicants[1].Debt"], batch["errors"]!.AsObject().Select(e => e.Key));
    }

    [Theory]
    [InlineData("{\"Age\": ", HttpStatusCode.BadRequest, "$")] // malformed
    [InlineData("[1, 2]", HttpStatusCode.BadRequest, "$")] // not an object
    [InlineData("{} {}", HttpStatusCode.BadRequest, "$")] // two values
    [InlineData("{} x", HttpStatusCode.BadRequest, "$")] // garbage after the value
    [InlineData("", HttpStatusCode.BadRequest, "$")] // empty
    [InlineData("deep", HttpStatusCode.BadRequest, "$")] // nested past the depth limit
    [InlineData("huge", HttpStatusCode.RequestEntityTooLarge, null)] // a string past the body limit
    [InlineData("plain", HttpStatusCode.UnsupportedMediaType, null)] // not JSON at all
    public async Task MalformedRequests_GetTheirDocumentedStatus(string kind, HttpStatusCode expected, string? field)
    {
        var (json, contentType) = kind switch
        {
            "deep" => (new string('[', 100) + new string(']', 100), "application/json"),
            "huge" => (Json(new Dictionary<string, object?>(Applicant) { ["Home"] = new string('x', 2 << 20) }), "application/json"),
            "plain" => ("Age=24", "text/plain"),
            _ => (kind, "application/json"),
        };

        var (status, type, body) = await Post("/v1/score", json, contentType);

        Assert.Equal(expected, status);
        Assert.Equal("application/problem+json", type);
        Assert.Equal((int)expected, body["status"]!.GetValue<int>());
        if (field is not null)
        {
            Assert.NotNull(body["errors"]![field]);
        }
    }

    [Fact]
    public async Task ABatchAboveTheLimit_AndABadReasonCount_AreRefused()
    {
        var (tooMany, _, body) = await Post("/v1/score/batch", Json(new { applicants = Enumerable.Repeat(Applicant, 51).ToArray() }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany);
        Assert.Contains("at most 50", body["title"]!.GetValue<string>(), StringComparison.Ordinal);

        var (reasons, _, reasonsBody) = await Post("/v1/score?reasons=lots", Json(Applicant));
        Assert.Equal(HttpStatusCode.BadRequest, reasons);
        Assert.NotNull(reasonsBody["errors"]!["reasons"]);
    }

    [Fact]
    public async Task HealthSaysLive_AndReadyWithTheModelLoaded()
    {
        var live = await host.Http.GetAsync("/health/live");
        var ready = JsonNode.Parse(await host.Http.GetStringAsync("/health/ready"))!;

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", ready["status"]!.GetValue<string>());
        Assert.StartsWith("pd-model ", ready["checks"]!["model"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("No tracking store is used.", ready["checks"]!["tracking-store"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task AStoreThatDoesNotAnswer_MakesTheHostNotReady_ButLive()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddCreditScoring(o => o.ModelPath = host.ModelPath);
        builder.Services.AddCreditScoringServing();
        builder.Services.AddSingleton<Tracking.IModelRegistry>(new Tracking.MlflowTrackingStore(new Uri($"http://127.0.0.1:{port}"), new Tracking.MlflowStoreOptions { MaxRetryAttempts = 0 }));
        await using var app = builder.Build();
        app.MapCreditScoringHealth();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        var ready = await http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal("Unhealthy", body["checks"]!["tracking-store"]!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", body["checks"]!["model"]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task Requests_AreMeasuredOnTheCreditScoringMeter_TaggedWithTheModelVersion()
    {
        var measured = new System.Collections.Concurrent.ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Hosting.CreditScoringMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measured.Add((instrument.Name, value, Tags(tags))));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measured.Add((instrument.Name, value, Tags(tags))));
        listener.Start();

        var (_, _, body) = await Post("/v1/score", Json(Applicant));
        listener.RecordObservableInstruments();

        var version = body["model"]!["version"]!.GetValue<string>();
        var probability = body["probability"]!.GetValue<double>();
        Assert.Contains(measured, m => m.Instrument == "creditscoring.request.duration" && m.Value > 0 && (string?)m.Tags["endpoint"] == "score" && (int?)m.Tags["status"] == 200 && (string?)m.Tags["model.version"] == version);
        Assert.Contains(measured, m => m.Instrument == "creditscoring.probability" && m.Value == probability && (string?)m.Tags["model.version"] == version);
        Assert.Contains(measured, m => m.Instrument == "creditscoring.scores" && (string?)m.Tags["decision"] == body["decision"]!.GetValue<string>() && (string?)m.Tags["model.version"] == version);
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            result[key] = value;
        }

        return result;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ApplicantValues_NeverReachTheLogs_UnlessEnabled_AndCorsIsOff(bool enabled)
    {
        var logged = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(new ListLoggerProvider(logged));
        builder.Services.AddCreditScoring(o => { o.ModelPath = host.ModelPath; o.UnknownCategory = UnknownCategoryHandling.Throw; });
        builder.Services.AddCreditScoringServing(o => o.LogApplicantValues = enabled);
        await using var app = builder.Build();
        app.MapCreditScoring();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        var marked = new Dictionary<string, object?>(Applicant) { ["Income"] = 987654.321 };
        var ok = await http.PostAsync("/v1/score", new StringContent(Json(marked), Encoding.UTF8, "application/json"));
        var bad = await http.PostAsync("/v1/score", new StringContent(Json(new Dictionary<string, object?>(marked) { ["Home"] = "castle-987654" }), Encoding.UTF8, "application/json"));
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/score");
        preflight.Headers.Add("Origin", "https://elsewhere.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var cors = await http.SendAsync(preflight);
        await app.StopAsync();

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotEmpty(logged); // the host did log (startup, requests)
        if (enabled)
        {
            // Debug lines under the serving category: the scored inputs, and the refused field with its value.
            Assert.Contains(logged, line => line.Contains("[Debug]", StringComparison.Ordinal) && line.Contains("\"Income\":987654.321", StringComparison.Ordinal));
            Assert.Contains(logged, line => line.Contains("[Debug]", StringComparison.Ordinal) && line.Contains("Home: Unknown category 'castle-987654'", StringComparison.Ordinal));
        }
        else
        {
            Assert.DoesNotContain(logged, line => line.Contains("987654", StringComparison.Ordinal));
        }

        Assert.False(cors.Headers.Contains("Access-Control-Allow-Origin"));
    }
}

/// <summary>A host that clips inputs outside the training range.</summary>
public sealed class ClippingHost : ScoringHost
{
    protected override void ConfigureScoring(CreditScoringOptions options) => options.OutOfRange = OutOfRangeHandling.Clip;
}

/// <summary>Explanations and reasons check and score inputs as the host's scorer does, not with the defaults.</summary>
public sealed class ExplanationSettingsTests(ClippingHost host) : IClassFixture<ClippingHost>
{
    [Fact]
    public async Task UnderClip_TheExplanationAndTheReasons_AreOfTheScoreTheHostGives()
    {
        var applicant = new Dictionary<string, object?>
        {
            ["Seniority"] = 1, ["Home"] = "rent", ["Time"] = 60, ["Age"] = 24, ["Marital"] = "single", ["Records"] = "yes", ["Job"] = "partime",
            ["Expenses"] = 60, ["Income"] = 1e7, ["Assets"] = 0, ["Debt"] = 0, ["Amount"] = 1200, ["Price"] = 1300,
        };
        var json = System.Text.Json.JsonSerializer.Serialize(applicant);
        using var scored = await host.Http.PostAsync("/v1/score?reasons=2", new StringContent(json, Encoding.UTF8, "application/json"));
        using var explained = await host.Http.PostAsync("/v1/explain", new StringContent(json, Encoding.UTF8, "application/json"));
        var score = JsonNode.Parse(await scored.Content.ReadAsStringAsync())!;
        var explanation = JsonNode.Parse(await explained.Content.ReadAsStringAsync())!;

        var clipped = host.Model.CreateScorer(new ScorerOptions { OutOfRange = OutOfRangeHandling.Clip }).Score(applicant);
        var flagged = host.Model.CreateScorer().Score(applicant);
        Assert.NotEqual(flagged.Probability, clipped.Probability); // the income is far outside the training range
        Assert.Equal(clipped.Probability, score["probability"]!.GetValue<double>());
        Assert.Equal(clipped.Probability, explanation["probability"]!.GetValue<double>(), 12);
        var expected = host.Model.CreateExplainer(new ExplainerOptions { Scoring = new ScorerOptions { OutOfRange = OutOfRangeHandling.Clip } }).Explain(applicant);
        Assert.Equal(expected.Reasons.Take(2).Select(r => r.Code), score["reasons"]!.AsArray().Select(r => r!["code"]!.GetValue<string>()));
    }
}
