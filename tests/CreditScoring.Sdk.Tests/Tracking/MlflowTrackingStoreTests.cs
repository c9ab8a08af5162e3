using System.Net;
using CreditScoring.Sdk.AspNetCore;
using CreditScoring.Sdk.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreditScoring.Sdk.Tests.Tracking;

/// <summary>
/// The conformance suite on the MLflow REST client store, against a real server: a .NET host on loopback that maps
/// MLflow's REST API over a fresh SQLite store for every test (no mock of either side). And the client's own: retries of
/// transient failures, none of refusals.
/// </summary>
public sealed class MlflowTrackingStoreTests : TrackingStoreConformance, IDisposable
{
    private readonly List<(WebApplication App, SqliteTrackingStore Behind, MlflowTrackingStore Client)> _servers = [];

    protected override bool RecordsGivenUser => false;

    public void Dispose()
    {
        foreach (var (app, _, client) in _servers)
        {
            client.Dispose();
            app.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)app).Dispose();
        }

        SqliteConnection.ClearAllPools();
    }

    protected override IModelRegistry OpenStore() => Start(null).Client;

    protected override async Task TamperAsync(ITrackingStore store, string runId, string path)
    {
        var behind = _servers.Single(s => s.Client == store).Behind;
        var folder = new Uri((await behind.GetRunAsync(runId)).Info.ArtifactUri).LocalPath;
        await File.AppendAllTextAsync(Path.Combine(folder, path), " ");
    }

    protected override Task<IReadOnlyList<Exception>> RewriteAuditAsync(ITrackingStore store) =>
        Task.FromResult(SqliteTrackingStoreTests.RewriteAudit(_servers.Single(s => s.Client == store).Behind.DatabasePath));

    [Fact]
    public async Task TransientFailures_AreRetried_AndRefusalsAreNot()
    {
        // The server fails the first two attempts of every request with 503, as a restarting server or a gateway does.
        var attempts = new Dictionary<string, int>();
        var (_, _, client) = Start(app => app.Use(async (context, next) =>
        {
            var key = context.Request.Method + " " + context.Request.Path + context.Request.QueryString;
            int seen;
            lock (attempts)
            {
                seen = attempts[key] = attempts.GetValueOrDefault(key) + 1;
            }

            if (seen <= 2 && !key.Contains("nope", StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await next(context);
        }));

        var experiment = await client.CreateExperimentAsync("flaky");

        Assert.Equal("flaky", (await client.GetExperimentAsync(experiment)).Name);
        Assert.Equal(3, attempts[$"POST /api/2.0/mlflow/experiments/create"]);
        var refused = await Assert.ThrowsAsync<TrackingException>(() => client.GetRegisteredModelAsync("nope"));
        Assert.Equal(TrackingErrorCode.ResourceDoesNotExist, refused.Code);
        Assert.Equal(1, attempts["GET /api/2.0/mlflow/registered-models/get?name=nope"]);
    }

    [Fact]
    public async Task AServerThatCannotBeReached_IsSaidSo_AfterTheRetries()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        using var client = new MlflowTrackingStore(new Uri($"http://127.0.0.1:{port}"), new MlflowStoreOptions { MaxRetryAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(5) });

        var e = await Assert.ThrowsAsync<TrackingException>(() => client.ListExperimentsAsync());

        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("could not be reached", e.Message, StringComparison.Ordinal);
    }

    private (WebApplication App, SqliteTrackingStore Behind, MlflowTrackingStore Client) Start(Action<WebApplication>? middleware)
    {
        var folder = Directory.CreateTempSubdirectory("cs-mlflow-").FullName;
        var behind = SqliteTrackingStore.Open(Path.Combine(folder, "mlruns.db"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IModelRegistry>(behind);
        var app = builder.Build();
        middleware?.Invoke(app);
        app.MapExperimentTracking();
        app.StartAsync().GetAwaiter().GetResult();
        var client = new MlflowTrackingStore(new Uri(app.Urls.Single()), new MlflowStoreOptions { RetryDelay = TimeSpan.FromMilliseconds(5) });
        _servers.Add((app, behind, client));
        return (app, behind, client);
    }
}
