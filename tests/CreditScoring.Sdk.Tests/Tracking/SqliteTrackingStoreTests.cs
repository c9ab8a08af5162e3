using CreditScoring.Sdk.Tracking;
using Microsoft.Data.Sqlite;

namespace CreditScoring.Sdk.Tests.Tracking;

/// <summary>The conformance suite on the embedded SQLite store, and what is SQLite's own: the file, its schema, several writers.</summary>
public sealed class SqliteTrackingStoreTests : TrackingStoreConformance, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-tracking-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    protected override IModelRegistry OpenStore() => SqliteTrackingStore.Open(Path.Combine(_folder, Guid.NewGuid().ToString("N"), "mlruns.db"));

    protected override async Task TamperAsync(ITrackingStore store, string runId, string path)
    {
        var folder = new Uri((await store.GetRunAsync(runId)).Info.ArtifactUri).LocalPath;
        await File.AppendAllTextAsync(Path.Combine(folder, path), " "); // one byte more: the JSON still reads
    }

    protected override Task<IReadOnlyList<Exception>> RewriteAuditAsync(ITrackingStore store) => Task.FromResult(RewriteAudit(((SqliteTrackingStore)store).DatabasePath));

    /// <summary>Tries to change and to delete the audit entries of a SQLite store's file with SQLite itself; returns the errors.</summary>
    internal static IReadOnlyList<Exception> RewriteAudit(string databasePath)
    {
        var errors = new List<Exception>();
        using var connection = new SqliteConnection($"Data Source={databasePath}");
        connection.Open();
        foreach (var sql in new[] { "UPDATE registry_audit SET user_id = 'nobody';", "DELETE FROM registry_audit;" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                errors.Add(e);
            }
        }

        return errors;
    }

    [Fact]
    public async Task TheFile_IsCreatedOnFirstUse_AndReopensWithEverything()
    {
        var path = Path.Combine(_folder, "reopen", "mlruns.db");
        var store = SqliteTrackingStore.Open(path);
        var run = await store.CreateRunAsync("0", new NewRun { RunName = "kept", StartTime = 5 });
        await store.LogBatchAsync(run.Info.RunId, [new Metric("auc", 0.8, 1)], [new Param("learner", "gbdt")], []);

        var again = SqliteTrackingStore.Open(path);

        Assert.True(File.Exists(path));
        Assert.Equal(SqlTrackingStore.SchemaVersion, again.StoredSchemaVersion());
        Assert.Equal(path + ".artifacts", again.ArtifactRoot);
        var read = await again.GetRunAsync(run.Info.RunId);
        Assert.Equal("kept", read.Info.RunName);
        Assert.Equal(0.8, read.Metrics.Single().Value);
        Assert.StartsWith(new Uri(again.ArtifactRoot).AbsoluteUri, read.Info.ArtifactUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AVersion1File_IsMigratedToTheRegistrysSchema_KeepingItsRuns()
    {
        var path = Path.Combine(_folder, "v1", "mlruns.db");
        var run = await SqliteTrackingStore.Open(path).CreateRunAsync("0", new NewRun { RunName = "old", StartTime = 5 });
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            // What an SDK of schema version 1 left: no registry tables.
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE registry_audit; DROP TABLE registered_model_aliases; DROP TABLE model_version_tags; DROP TABLE model_versions; DROP TABLE registered_model_tags; DROP TABLE registered_models; UPDATE schema_version SET version = 1;";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var migrated = SqliteTrackingStore.Open(path);

        Assert.Equal(2, migrated.StoredSchemaVersion());
        Assert.Equal("old", (await migrated.GetRunAsync(run.Info.RunId)).Info.RunName);
        Assert.Equal("pd-model", (await migrated.CreateRegisteredModelAsync("pd-model")).Name);
    }

    [Fact]
    public void AFileFromANewerSdk_IsRefused_AndLeftAsItIs()
    {
        var path = Path.Combine(_folder, "newer", "mlruns.db");
        SqliteTrackingStore.Open(path);
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE schema_version SET version = 99;";
            command.ExecuteNonQuery();
        }

        var e = Assert.Throws<TrackingException>(() => SqliteTrackingStore.Open(path));

        Assert.Equal(TrackingErrorCode.InvalidState, e.Code);
        Assert.Contains("schema version 99", e.Message, StringComparison.Ordinal);
        using var check = new SqliteConnection($"Data Source={path}");
        check.Open();
        using var read = check.CreateCommand();
        read.CommandText = "SELECT version FROM schema_version;";
        Assert.Equal(99L, read.ExecuteScalar());
    }

    [Fact]
    public async Task TwoWriters_LoggingAtOnce_LoseNothing()
    {
        var path = Path.Combine(_folder, "writers", "mlruns.db");
        SqliteTrackingStore.Open(path);
        var experiment = await SqliteTrackingStore.Open(path).CreateExperimentAsync("concurrent");

        async Task<string[]> Writer(int w)
        {
            var store = SqliteTrackingStore.Open(path); // each writer its own store object, as two processes would
            var ids = new string[25];
            for (var i = 0; i < ids.Length; i++)
            {
                var run = await store.CreateRunAsync(experiment, new NewRun { RunName = $"w{w}-{i}", StartTime = i });
                await store.LogBatchAsync(run.Info.RunId, [.. Enumerable.Range(0, 20).Select(k => new Metric($"m{k}", k, i, 0))], [new Param("writer", w.ToString(System.Globalization.CultureInfo.InvariantCulture))], []);
                ids[i] = run.Info.RunId;
            }

            return ids;
        }

        var written = (await Task.WhenAll(Task.Run(() => Writer(1)), Task.Run(() => Writer(2)))).SelectMany(x => x).ToArray();

        var page = await SqliteTrackingStore.Open(path).SearchRunsAsync(new RunSearch { ExperimentIds = [experiment], MaxResults = 1000 });
        Assert.Equal(written.Order(), page.Runs.Select(r => r.Info.RunId).Order());
        Assert.All(page.Runs, r => Assert.Equal(20, r.Metrics.Count));
    }
}
