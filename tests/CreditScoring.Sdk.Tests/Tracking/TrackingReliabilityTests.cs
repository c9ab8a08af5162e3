using System.Diagnostics;
using System.Globalization;
using CreditScoring.Sdk.Tracking;
using Microsoft.Data.Sqlite;

namespace CreditScoring.Sdk.Tests.Tracking;

/// <summary>
/// Reliability as tests, not promises, on the embedded SQLite store and on a real PostgreSQL server: separate processes
/// (CreditScoring.Sdk.TrackingWriter) logging at once lose nothing, and a process killed with SIGKILL in the middle of
/// logging leaves a store that opens and reads, every batch whole, its interrupted run ready to be marked FAILED.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class TrackingReliabilityTests(PostgresServer server) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-reliability-").FullName;

    /// <summary>The writer, in its own output folder beside this project's (same configuration and framework): its dependencies are its own.</summary>
    private static string Writer
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // .../tests/CreditScoring.Sdk.Tests/bin/CONFIG/TFM
            var (framework, configuration) = (output.Name, output.Parent!.Name);
            var writer = Path.Combine(TestPaths.RepositoryRoot, "tests", "CreditScoring.Sdk.TrackingWriter", "bin", configuration, framework, "CreditScoring.Sdk.TrackingWriter.dll");
            return File.Exists(writer) ? writer : throw new FileNotFoundException($"The tracking writer is not built at {writer}; build the solution first.", writer);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TwoProcesses_Logging1000RunsOf20MetricsAtOnce_LoseNothing(string kind)
    {
        var location = Location(kind);

        var writers = new[] { Start(location, "a", runs: 1000, metrics: 20, batch: 20), Start(location, "b", runs: 1000, metrics: 20, batch: 20) };
        foreach (var w in writers)
        {
            Assert.True(w.WaitForExit(TimeSpan.FromMinutes(4)), "a writer did not finish within four minutes");
            Assert.True(w.ExitCode == 0, await w.StandardError.ReadToEndAsync());
        }

        using var store = TrackingStores.Open(location);
        var experiment = (await store.FindExperimentAsync("reliability"))!;
        var runs = (await store.SearchRunsAsync(new RunSearch { ExperimentIds = [experiment.ExperimentId], MaxResults = 5000 })).Runs;
        Assert.Equal(2000, runs.Count);
        Assert.Equal(
            [.. new[] { "a", "b" }.SelectMany(w => Enumerable.Range(0, 1000).Select(i => $"{w}-{i}")).Order(StringComparer.Ordinal)],
            runs.Select(r => r.Info.RunName).Order(StringComparer.Ordinal));
        Assert.All(runs, r =>
        {
            Assert.Equal(RunStatus.Finished, r.Info.Status);
            var i = int.Parse(r.Info.RunName[2..], CultureInfo.InvariantCulture);
            Assert.Equal(Enumerable.Range(0, 20).Select(k => (double)((i * 1000) + k)), r.Metrics.OrderBy(m => int.Parse(m.Key[1..], CultureInfo.InvariantCulture)).Select(m => m.Value));
        });
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AProcessKilledMidLogging_LeavesAStoreThatOpensAndReads_AndItsRunCanBeMarkedFailed(string kind)
    {
        var location = Location(kind);
        using var writer = Start(location, "killed", runs: 0, metrics: 200, batch: 20);
        var logged = -1;
        var clock = Stopwatch.StartNew();
        while (logged < 30 && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var line = await writer.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the writer stopped: " + await writer.StandardError.ReadToEndAsync());
            logged = line.StartsWith("logged ", StringComparison.Ordinal) ? int.Parse(line[7..], CultureInfo.InvariantCulture) : logged;
        }

        writer.Kill(); // SIGKILL: no finally, no dispose, mid-batch or between batches
        await writer.WaitForExitAsync();
        SqliteConnection.ClearAllPools();

        using var store = TrackingStores.Open(location);
        Assert.Equal(SqlTrackingStore.SchemaVersion, ((SqlTrackingStore)store).StoredSchemaVersion());
        if (kind == "sqlite")
        {
            using var connection = new SqliteConnection($"Data Source={location}");
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", check.ExecuteScalar());
        }

        var experiment = (await store.FindExperimentAsync("reliability"))!;
        var runs = (await store.SearchRunsAsync(new RunSearch { ExperimentIds = [experiment.ExperimentId], MaxResults = 5000 })).Runs;
        var finished = runs.Where(r => r.Info.Status == RunStatus.Finished).ToList();
        Assert.True(finished.Count >= logged + 1, $"{finished.Count} finished runs; the writer reported {logged + 1}");
        Assert.All(finished, r => Assert.Equal(200, r.Metrics.Count));
        var interrupted = runs.Where(r => r.Info.Status == RunStatus.Running).ToList();
        Assert.True(interrupted.Count <= 1, $"{interrupted.Count} runs left RUNNING");
        foreach (var run in interrupted)
        {
            Assert.Equal(0, run.Metrics.Count % 20); // whole batches only
            await store.UpdateRunAsync(run.Info.RunId, RunStatus.Failed, 1);
            Assert.Equal(RunStatus.Failed, (await store.GetRunAsync(run.Info.RunId)).Info.Status);
        }
    }

    private string Location(string kind) => kind == "sqlite" ? Path.Combine(_folder, Guid.NewGuid().ToString("N"), "mlruns.db") : server.NewDatabase();

    private static Process Start(string location, string name, int runs, int metrics, int batch)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Writer, location, "reliability", name, runs.ToString(CultureInfo.InvariantCulture), metrics.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        if (runs > 0)
        {
            // Drained as it goes, so that a full pipe never blocks the writer.
            _ = process.StandardOutput.ReadToEndAsync();
        }

        return process;
    }
}
