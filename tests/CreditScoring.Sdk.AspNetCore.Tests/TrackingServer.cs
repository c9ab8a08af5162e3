using CreditScoring.Sdk.AspNetCore;
using CreditScoring.Sdk.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>A real host on a loopback port serving MLflow's REST API over a fresh SQLite store, as a client on another process sees it.</summary>
public sealed class TrackingServer : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-server-").FullName;
    private WebApplication? _app;

    /// <summary>The host's address, such as <c>http://127.0.0.1:40123</c>.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The store the host serves, for checks behind the API.</summary>
    public IModelRegistry Store => _app!.Services.GetRequiredService<IModelRegistry>();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddExperimentTracking(Path.Combine(_folder, "mlruns.db"));
        _app = builder.Build();
        _app.MapExperimentTracking();
        _app.MapRunsPage();
        await _app.StartAsync();
        Address = _app.Urls.Single().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
