using CreditScoring.Sdk.Tracking;
using Npgsql;

namespace CreditScoring.Sdk.Tests.Tracking;

/// <summary>The conformance suite on the PostgreSQL store against a real server, and what is PostgreSQL's own: the schema in a database, artifacts in it, several writers.</summary>
[Collection(PostgresTests.Name)]
public sealed class PostgresTrackingStoreTests(PostgresServer server) : TrackingStoreConformance, IDisposable
{
    private readonly List<PostgresTrackingStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    protected override IModelRegistry OpenStore() => Keep(PostgresTrackingStore.Open(server.NewDatabase()));

    protected override async Task TamperAsync(ITrackingStore store, string runId, string path)
    {
        await using var connection = new NpgsqlConnection(((PostgresTrackingStore)store).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE artifacts SET content = content || '\\x20'::bytea WHERE run_id = @id AND path = @path;", connection);
        command.Parameters.AddWithValue("id", runId);
        command.Parameters.AddWithValue("path", path);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    protected override async Task<IReadOnlyList<Exception>> RewriteAuditAsync(ITrackingStore store)
    {
        var errors = new List<Exception>();
        await using var connection = new NpgsqlConnection(((PostgresTrackingStore)store).ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[] { "UPDATE registry_audit SET user_id = 'nobody';", "DELETE FROM registry_audit;" })
        {
            try
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
            catch (PostgresException e)
            {
                errors.Add(e);
            }
        }

        return errors;
    }

    private PostgresTrackingStore Keep(PostgresTrackingStore store)
    {
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task TheSchema_IsCreatedOnFirstUse_AndReopensWithEverything_ArtifactsIncluded()
    {
        var database = server.NewDatabase();
        var store = Keep(PostgresTrackingStore.Open(database));
        var run = await store.CreateRunAsync("0", new NewRun { RunName = "kept", StartTime = 5 });
        await store.LogBatchAsync(run.Info.RunId, [new Metric("auc", 0.8, 1)], [new Param("learner", "gbdt")], []);
        await store.LogArtifactAsync(run.Info.RunId, "model/model.json", new MemoryStream("{\"format\": 6}"u8.ToArray()));

        var again = Keep(PostgresTrackingStore.Open(database));

        Assert.Equal(SqlTrackingStore.SchemaVersion, again.StoredSchemaVersion());
        var read = await again.GetRunAsync(run.Info.RunId);
        Assert.Equal("kept", read.Info.RunName);
        Assert.Equal(0.8, read.Metrics.Single().Value);
        Assert.Equal($"mlflow-artifacts:/0/{run.Info.RunId}/artifacts", read.Info.ArtifactUri);
        await using var artifact = await again.OpenArtifactAsync(run.Info.RunId, "model/model.json");
        Assert.Equal("{\"format\": 6}", await new StreamReader(artifact).ReadToEndAsync());
    }

    [Fact]
    public async Task ADatabaseFromANewerSdk_IsRefused_AndLeftAsItIs()
    {
        var database = server.NewDatabase();
        Keep(PostgresTrackingStore.Open(database));
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE schema_version SET version = 99;", connection);
            await command.ExecuteNonQueryAsync();
        }

        var e = Assert.Throws<TrackingException>(() => PostgresTrackingStore.Open(database));

        Assert.Equal(TrackingErrorCode.InvalidState, e.Code);
        Assert.Contains("schema version 99", e.Message, StringComparison.Ordinal);
        Assert.Contains(new NpgsqlConnectionStringBuilder(database).Database!, e.Message, StringComparison.Ordinal);
        await using var check = new NpgsqlConnection(database);
        await check.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT version FROM schema_version;", check);
        Assert.Equal(99, await read.ExecuteScalarAsync());
    }

    [Fact]
    public async Task WritersOpeningANewDatabaseAtOnce_MigrateItOnce_AndTheirParametersCannotDisagree()
    {
        var database = server.NewDatabase();
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Keep(PostgresTrackingStore.Open(database)))));
        var experiments = await stores[0].ListExperimentsAsync();
        Assert.Equal(["Default"], experiments.Select(e => e.Name));

        // Four writers set one parameter of one run at once, each to its own value: exactly one value wins, the
        // others are told, and nobody's batch is half-kept.
        var run = await stores[0].CreateRunAsync("0", new NewRun { StartTime = 1 });
        var outcomes = await Task.WhenAll(stores.Select((s, w) => Task.Run(async () =>
        {
            try
            {
                await s.LogBatchAsync(run.Info.RunId, [new Metric($"writer{w}", w, 1)], [new Param("seed", w.ToString(System.Globalization.CultureInfo.InvariantCulture))], []);
                return true;
            }
            catch (TrackingException)
            {
                return false;
            }
        })));

        var kept = await stores[1].GetRunAsync(run.Info.RunId);
        Assert.Equal(1, outcomes.Count(ok => ok));
        var winner = Array.IndexOf(outcomes, true);
        Assert.Equal([new Param("seed", winner.ToString(System.Globalization.CultureInfo.InvariantCulture))], kept.Params);
        Assert.Equal([$"writer{winner}"], kept.Metrics.Select(m => m.Key));
    }
}
