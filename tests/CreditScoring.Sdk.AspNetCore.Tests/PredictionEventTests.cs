using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tests.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>A model trained once on the bundled credit data, and that data's rows as applicants.</summary>
public sealed class TrainedModel : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-events-model-").FullName;

    public TrainedModel()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        new CreditScoringContext(seed: 5).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data).Save(ModelPath);
        Model = CreditModel.Load(ModelPath);
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var header = lines[0].Split(',');
        Rows = [.. lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',');
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var j = 1; j < header.Length; j++)
            {
                row[header[j]] = cells[j].Length == 0 ? null : double.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : cells[j];
            }

            return row;
        })];
    }

    public string ModelPath => Path.Combine(_folder, "pd-model.json");

    public CreditModel Model { get; }

    /// <summary>The bundled data's applicants (without the target), in file order.</summary>
    public IReadOnlyList<Dictionary<string, object?>> Rows { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

/// <summary>A host on loopback that records prediction events in a given store.</summary>
internal sealed class EventsHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EventsHost(WebApplication app, HttpClient http)
    {
        _app = app;
        Http = http;
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static Task<EventsHost> StartAsync(string modelPath, Action<PredictionEventOptions> configure, ConcurrentQueue<string>? logs = null) =>
        StartAsync(modelPath, services => services.AddCreditScoringEvents(configure), logs);

    /// <summary>Starts a host serving the model, with the services <paramref name="configure"/> adds (events, applicants).</summary>
    public static async Task<EventsHost> StartAsync(string modelPath, Action<IServiceCollection> configure, ConcurrentQueue<string>? logs = null, Action<ServingOptions>? serving = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(new ListLoggerProvider(logs));
        }

        builder.Services.AddCreditScoring(o => o.ModelPath = modelPath);
        builder.Services.AddCreditScoringServing(serving);
        configure(builder.Services);
        var app = builder.Build();
        app.MapCreditScoring();
        if (app.Services.GetService<PredictionRecorder>() is not null)
        {
            app.MapCreditScoringMonitoring();
        }

        app.MapCreditScoringHealth();
        await app.StartAsync();
        return new EventsHost(app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()) });
    }

    public async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string path, object body, string? applicantId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        if (applicantId is not null)
        {
            request.Headers.Add(CreditScoringEndpoints.ApplicantIdHeader, applicantId);
        }

        using var response = await Http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    public async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    public async Task<JsonNode> MonitoringAsync() => JsonNode.Parse(await Http.GetStringAsync("/v1/monitoring"))!;

    /// <summary>Waits until the monitoring shows <paramref name="done"/> (events are written in the background).</summary>
    public async Task<JsonNode> WaitAsync(Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var monitoring = await MonitoringAsync();
            if (done(monitoring))
            {
                return monitoring;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for the monitoring; last: {monitoring.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Prediction events: every scored request stored with its inputs, probability, decision, model version and hashed
/// applicant id, in SQLite and in a real PostgreSQL; outcomes matched later; the drift monitor over the events.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class PredictionEventTests(TrainedModel trained, PostgresServer postgres) : IClassFixture<TrainedModel>, IDisposable
{
    private const string Key = "a-secret-pepper";
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-events-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private string Store(string kind) => kind == "postgres" ? postgres.NewDatabase() : Path.Combine(_folder, "events.db");

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ScoredRequests_AreStoredWithWhatWasDecided_AndOutcomesMatchThemByEventOrApplicant(string kind)
    {
        var location = Store(kind);
        var applicants = trained.Rows.Take(30).ToList();
        var scorer = trained.Model.CreateScorer();
        var ids = new List<string>();
        await using (var host = await EventsHost.StartAsync(trained.ModelPath, o => { o.Store = location; o.ApplicantIdKey = Key; o.BatchSize = 7; }))
        {
            for (var i = 0; i < 10; i++)
            {
                var (status, body) = await host.PostAsync("/v1/score", applicants[i], $"client-{i}");
                Assert.Equal(HttpStatusCode.OK, status);
                ids.Add(body["eventId"]!.GetValue<string>());
            }

            var (batchStatus, batch) = await host.PostAsync("/v1/score/batch", new { applicants = applicants.Skip(10), ids = Enumerable.Range(10, 20).Select(i => $"client-{i}") });
            Assert.Equal(HttpStatusCode.OK, batchStatus);
            ids.AddRange(batch["results"]!.AsArray().Select(r => r!["eventId"]!.GetValue<string>()));
            Assert.Equal(30, ids.Distinct().Count());

            var monitoring = await host.WaitAsync(m => m["events"]!["written"]!.GetValue<long>() == 30);
            Assert.Equal(0, monitoring["events"]!["dropped"]!.GetValue<long>());

            // Outcomes: by event id, by applicant id (its latest event), and one that matches nothing.
            var (outcomeStatus, outcomes) = await host.PostAsync("/v1/outcomes", new
            {
                outcomes = new object[]
                {
                    new { eventId = ids[0], defaulted = 1 },
                    new { applicantId = "client-1", defaulted = 0 },
                    new { eventId = "no-such-event", defaulted = 1 },
                    new { applicantId = "client-2", defaulted = true },
                },
            });
            Assert.Equal(HttpStatusCode.OK, outcomeStatus);
            Assert.Equal(3, outcomes["matched"]!.GetValue<int>());
            Assert.Equal([ids[0], ids[1], null, ids[2]], outcomes["results"]!.AsArray().Select(r => r!["eventId"]?.GetValue<string>()));
            var performance = (await host.MonitoringAsync())["performance"]!;
            Assert.Equal(3, performance["outcomes"]!.GetValue<int>());
            Assert.Equal(2.0 / 3, performance["defaultRate"]!.GetValue<double>(), 12);

            // Bad outcomes name each field at fault, and nothing is recorded.
            var (badStatus, bad) = await host.PostAsync("/v1/outcomes", new { outcomes = new object[] { new { eventId = ids[3], defaulted = 2 }, new { defaulted = 0 }, new { eventId = ids[4], applicantId = "x", defaulted = 1 }, 5 } });
            Assert.Equal(HttpStatusCode.BadRequest, badStatus);
            Assert.Equal(["outcomes[0].defaulted", "outcomes[1]", "outcomes[2]", "outcomes[3]"], bad["errors"]!.AsObject().Select(e => e.Key));

            var ready = JsonNode.Parse(await host.Http.GetStringAsync("/health/ready"))!;
            Assert.Equal("Healthy", ready["checks"]!["event-store"]!["status"]!.GetValue<string>());
        }

        using var store = await PredictionEventStore.OpenAsync(location);
        var events = await store.ReadAsync();
        Assert.Equal(30, events.Count);
        var version = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(trained.ModelPath)))[..12];
        for (var i = 0; i < 30; i++)
        {
            var e = Assert.Single(events, e => e.EventId == ids[i]);
            var expected = scorer.Score(applicants[i]);
            Assert.Equal("champion", e.Role);
            Assert.Equal(expected.Probability, e.Probability);
            Assert.Equal(expected.Decision == Decisions.CreditDecision.Decline ? "decline" : "approve", e.Decision);
            Assert.Equal(trained.Model.Decision.Threshold, e.Threshold);
            Assert.Equal(("pd-model", version), (e.ModelName, e.ModelVersion));
            Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.UTF8.GetBytes($"client-{i}"))), e.ApplicantHash);
            Assert.Equal(applicants[i].OrderBy(p => p.Key, StringComparer.Ordinal), e.Inputs.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(i switch { 0 => 1, 1 => 0, 2 => 1, _ => null }, e.Outcome);
        }

        // Read back oldest first, each at the time it was scored.
        Assert.Equal(events.OrderBy(e => e.Time), events);
        Assert.All(events, e => Assert.InRange(e.Time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task AShiftedPopulation_ScoredThroughTheApi_RaisesADriftAlert_InTheLogTheMonitoringAndTheReport()
    {
        var logs = new ConcurrentQueue<string>();
        await using var host = await EventsHost.StartAsync(trained.ModelPath, o => { o.Store = Store("sqlite"); o.Monitor.WindowSize = 300; }, logs);
        var random = new Random(11);

        // A window of applicants like the training population: no alert.
        var like = trained.Rows.OrderBy(_ => random.Next()).Take(300).ToList();
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync("/v1/score/batch", new { applicants = like })).Status);
        var first = await host.WaitAsync(m => m["windows"]!.AsArray().Count == 1);
        Assert.False(first["windows"]![0]!["alerted"]!.GetValue<bool>(), first.ToJsonString());
        Assert.Empty(first["alerts"]!.AsArray());

        // A window of older, richer applicants with higher expenses, buying dearer goods and asking for more, all with records.
        var shifted = trained.Rows.OrderBy(_ => random.Next()).Take(300).Select(r => new Dictionary<string, object?>(r)
        {
            ["Age"] = (double)r["Age"]! + 25,
            ["Income"] = r["Income"] is double income ? income * 4 : null,
            ["Amount"] = (double)r["Amount"]! * 3,
            ["Seniority"] = (double)r["Seniority"]! + 15,
            ["Records"] = "yes",
            ["Expenses"] = (double)r["Expenses"]! * 2,
            ["Price"] = (double)r["Price"]! * 3,
        }).ToList();
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync("/v1/score/batch", new { applicants = shifted })).Status);
        var second = await host.WaitAsync(m => m["windows"]!.AsArray().Count == 2 && m["alerts"]!.AsArray().Count > 0); // the alert is kept just after its window

        var window = second["windows"]![1]!;
        Assert.True(window["alerted"]!.GetValue<bool>(), second.ToJsonString());
        Assert.Equal(300, window["events"]!.GetValue<int>());
        var drifted = window["drifted"]!.AsArray().Select(d => d!.GetValue<string>()).ToList();
        Assert.Contains("Age", drifted);
        Assert.Contains("Records", drifted);
        var alert = Assert.Single(second["alerts"]!.AsArray())!;
        Assert.Equal(1, alert["window"]!.GetValue<int>());
        var reasons = alert["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Contains(reasons, r => r.StartsWith("dataset drift: ", StringComparison.Ordinal) && r.Contains("Age", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("score PSI ", StringComparison.Ordinal));
        Assert.Contains(logs, line => line.Contains("[Warning]", StringComparison.Ordinal) && line.Contains("dataset drift", StringComparison.Ordinal) && line.Contains("Age", StringComparison.Ordinal));

        using var report = await host.Http.GetAsync("/v1/monitoring/report");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal("text/html", report.Content.Headers.ContentType!.MediaType);
        var html = await report.Content.ReadAsStringAsync();
        Assert.Contains("window 1 (300 requests", html, StringComparison.Ordinal);
        Assert.Contains("Dataset drift detected (threshold", html, StringComparison.Ordinal);
        Assert.Contains("<td>Age</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFullQueue_DropsAndCountsEvents_WithoutFailingRequests_AndShutdownWritesOutTheRest()
    {
        var location = Store("sqlite");
        using (await PredictionEventStore.OpenAsync(location))
        {
            // Creates the table before the lock below.
        }

        var logs = new ConcurrentQueue<string>();
        await using var host = await EventsHost.StartAsync(trained.ModelPath, o => { o.Store = location; o.QueueCapacity = 10; o.BatchSize = 4; }, logs);

        // Another writer holds the file's write lock: the event writer waits, its queue fills.
        var blocker = new SqliteConnection($"Data Source={location};Pooling=False");
        await blocker.OpenAsync();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync();
        }

        var (status, body) = await host.PostAsync("/v1/score/batch", new { applicants = trained.Rows.Take(60) });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(60, body["results"]!.AsArray().Count);
        var recorder = host.Services.GetRequiredService<PredictionRecorder>();
        var counts = recorder.Counts;
        Assert.Equal(60, counts.Recorded + counts.Dropped);
        Assert.InRange(counts.Recorded, 10, 14); // the queue's 10, and at most one batch of 4 the writer holds
        Assert.Equal(0, counts.Written);
        var monitoring = await host.MonitoringAsync();
        Assert.Equal(counts.Dropped, monitoring["events"]!["dropped"]!.GetValue<long>());
        Assert.Contains(logs, line => line.Contains("[Error]", StringComparison.Ordinal) && line.Contains("queue_full", StringComparison.Ordinal));

        // The lock goes; the host stops at once: what was queued is written before it ends.
        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        await blocker.DisposeAsync();
        await host.StopAsync();
        Assert.Equal(counts.Recorded, recorder.Counts.Written);
        using var store = await PredictionEventStore.OpenAsync(location);
        Assert.Equal(counts.Recorded, (await store.ReadAsync()).Count);
    }
}
