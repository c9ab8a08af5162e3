using System.Data.Common;
using Npgsql;

namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// The team's tracking store: a PostgreSQL database that several people and processes log to at once. The schema,
/// migrations and searches are those of <see cref="SqlTrackingStore"/>; the tables are created on first use (the
/// database must exist; the user needs rights to create tables in it). Text is compared by code point (<c>COLLATE "C"</c>),
/// whatever the database's locale, so that searches order runs as the other stores do.
/// <para>
/// Artifacts are kept <b>in the database</b> (a <c>bytea</c> per file, up to 1 GiB), not in a folder: a team's clients
/// run on several machines, and a folder would need a share that every one of them mounts with the same path; in the
/// database an artifact is written in one transaction (whole or not at all), backed up with the runs it belongs to, and
/// served by whatever serves the store (see <c>MapExperimentTracking</c>). Runs report
/// <c>mlflow-artifacts:/EXPERIMENT/RUN/artifacts</c> as their artifact URI, as an MLflow server that proxies artifacts does.
/// </para>
/// </summary>
public sealed class PostgresTrackingStore : SqlTrackingStore
{
    /// <summary>The largest artifact the store keeps: 1 GiB, PostgreSQL's limit for one value.</summary>
    public const long MaxArtifactBytes = 1L << 30;

    private readonly NpgsqlDataSource _source;

    private PostgresTrackingStore(NpgsqlDataSource source, string location, TimeProvider time)
        : base(time)
    {
        _source = source;
        Location = location;
    }

    /// <summary>The connection string (with its password), for tests that reach the tables directly.</summary>
    internal string ConnectionString => _source.ConnectionString;

    private protected override string Location { get; }

    private protected override (string Int, string Real, string Text, string Blob) ColumnTypes => ("BIGINT", "DOUBLE PRECISION", "TEXT COLLATE \"C\"", "BYTEA");

    private protected override string AppendOnlyAudit => """
        CREATE FUNCTION registry_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $guard$
        BEGIN
            RAISE EXCEPTION 'the registry audit log is append-only: its entries cannot be changed or deleted';
        END
        $guard$;
        CREATE TRIGGER registry_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON registry_audit
            FOR EACH STATEMENT EXECUTE FUNCTION registry_audit_append_only();
        """;

    private protected override string RegistryLock => "LOCK TABLE registry_audit IN SHARE ROW EXCLUSIVE MODE;";

    private protected override string OwnTables(int version) => version == 1
        ? """
          CREATE TABLE artifacts (
              run_id {text} NOT NULL REFERENCES runs (run_id), path {text} NOT NULL, size {int} NOT NULL, content {blob} NOT NULL,
              PRIMARY KEY (run_id, path));
          """
        : base.OwnTables(version);

    // One lock for everyone migrating a tracking schema in this database (an arbitrary number, fixed forever).
    private protected override string MigrationLock => "SELECT pg_advisory_xact_lock(738215540912);";

    private protected override string ExperimentLock => "LOCK TABLE experiments IN SHARE ROW EXCLUSIVE MODE;";

    private protected override string LikeEscape => " ESCAPE ''";

    /// <summary>Opens a store in a PostgreSQL database, creating its tables (with the <c>Default</c> experiment, id 0) on first use, and migrates an older schema.</summary>
    /// <param name="connectionString">An Npgsql connection string, such as <c>Host=db;Database=mlruns;Username=tracker;Password=...</c>.</param>
    /// <param name="time">The clock for times not given (run starts, experiment creation); <see langword="null"/> for the system's.</param>
    /// <returns>The store, which holds a connection pool until disposed.</returns>
    /// <exception cref="TrackingException">The database holds a schema from a newer SDK.</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached or refuses the user.</exception>
    public static PostgresTrackingStore Open(string connectionString, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var source = NpgsqlDataSource.Create(builder);
        var store = new PostgresTrackingStore(source, $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}", time ?? TimeProvider.System);
        try
        {
            store.Migrate();
            return store;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }

        base.Dispose(disposing);
    }

    private protected override DbConnection Connect() => _source.OpenConnection();

    private protected override async ValueTask<DbConnection> ConnectAsync(CancellationToken cancellationToken) =>
        await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private protected override string ExperimentLocation(string experimentId) => MlflowConventions.ProxiedExperimentUri(experimentId);

    private protected override string RunArtifactUri(string experimentId, string runId) => MlflowConventions.ProxiedArtifactUri(experimentId, runId);

    /// <summary>The whole batch in one statement, its columns sent as arrays: one round trip, not one per value.</summary>
    private protected override async Task WriteMetricHistoryAsync(DbConnection connection, DbTransaction transaction, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        await ExecuteAsync(
            connection,
            transaction,
            """
            INSERT INTO metrics (run_id, key, value, is_nan, timestamp, step)
            SELECT @id, u.k, u.v, u.n, u.t, u.s FROM unnest(@keys, @values, @nans, @times, @steps) AS u (k, v, n, t, s)
            ON CONFLICT DO NOTHING;
            """,
            cancellationToken,
            ("@id", runId),
            ("@keys", metrics.Select(m => m.Key).ToArray()),
            ("@values", metrics.Select(m => Stored(m.Value)).ToArray()),
            ("@nans", metrics.Select(m => double.IsNaN(m.Value) ? 1L : 0L).ToArray()),
            ("@times", metrics.Select(m => m.Timestamp).ToArray()),
            ("@steps", metrics.Select(m => m.Step).ToArray())).ConfigureAwait(false);
    }

    private protected override async Task WriteArtifactAsync(string runId, string artifactUri, string path, Stream content, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length > MaxArtifactBytes)
        {
            throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"The artifact '{path}' has {buffer.Length} bytes; the PostgreSQL store keeps artifacts up to {MaxArtifactBytes} bytes (1 GiB).");
        }

        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "INSERT INTO artifacts (run_id, path, size, content) VALUES (@id, @path, @size, @content) ON CONFLICT (run_id, path) DO UPDATE SET size = excluded.size, content = excluded.content;", cancellationToken, ("@id", runId), ("@path", path), ("@size", buffer.Length), ("@content", buffer.ToArray())).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private protected override async Task<IReadOnlyList<ArtifactInfo>> ListArtifactsAsync(string runId, string artifactUri, string? path, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var files = new List<(string, long)>();
        await foreach (var r in QueryAsync(connection, null, "SELECT path, size FROM artifacts WHERE run_id = @id;", [("@id", runId)], cancellationToken).ConfigureAwait(false))
        {
            files.Add((r.GetString(0), r.GetInt64(1)));
        }

        return DirectEntries(files, path);
    }

    private protected override async Task<Stream?> ReadArtifactAsync(string runId, string artifactUri, string path, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT content FROM artifacts WHERE run_id = @id AND path = @path;", cancellationToken, ("@id", runId), ("@path", path)).ConfigureAwait(false) is byte[] bytes
            ? new MemoryStream(bytes, writable: false)
            : null;
    }
}
