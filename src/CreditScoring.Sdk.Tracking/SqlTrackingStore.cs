using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;

namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// What the SQL tracking stores share (<see cref="SqliteTrackingStore"/>, <see cref="PostgresTrackingStore"/>): one
/// schema, versioned and migrated forward when an older store is opened (a store from a newer SDK is refused); every
/// write one transaction, so a batch is kept whole or not at all; searches translated to SQL from <see cref="RunFilter"/>
/// and <see cref="RunOrder"/>, with the same results as those applied in memory (the conformance tests compare the
/// two). Each store brings its connection, its column types and where its artifacts live.
/// </summary>
public abstract partial class SqlTrackingStore : ITrackingStore, IDisposable, IAsyncDisposable
{
    /// <summary>The schema version this SDK writes and reads.</summary>
    public const int SchemaVersion = 2;

    /// <summary>
    /// The migrations, in order: entry i brings the schema from version i to i + 1. Column types are written as
    /// <c>{int}</c> (64-bit integer), <c>{real}</c> (double), <c>{text}</c> (text compared by code point) and
    /// <c>{blob}</c>, which each store spells in its own SQL.
    /// </summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE experiments (
            experiment_id {int} PRIMARY KEY, name {text} NOT NULL UNIQUE, artifact_location {text} NOT NULL,
            lifecycle_stage {text} NOT NULL DEFAULT 'active', creation_time {int} NOT NULL, last_update_time {int} NOT NULL);
        CREATE TABLE experiment_tags (
            experiment_id {int} NOT NULL REFERENCES experiments (experiment_id), key {text} NOT NULL, value {text} NOT NULL,
            PRIMARY KEY (experiment_id, key));
        CREATE TABLE runs (
            run_id {text} PRIMARY KEY, experiment_id {int} NOT NULL REFERENCES experiments (experiment_id), run_name {text} NOT NULL,
            user_id {text} NOT NULL, status {text} NOT NULL, start_time {int} NOT NULL, end_time {int}, artifact_uri {text} NOT NULL,
            lifecycle_stage {text} NOT NULL DEFAULT 'active');
        CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time);
        CREATE TABLE params (run_id {text} NOT NULL REFERENCES runs (run_id), key {text} NOT NULL, value {text} NOT NULL, PRIMARY KEY (run_id, key));
        CREATE TABLE tags (run_id {text} NOT NULL REFERENCES runs (run_id), key {text} NOT NULL, value {text} NOT NULL, PRIMARY KEY (run_id, key));
        CREATE TABLE metrics (
            run_id {text} NOT NULL REFERENCES runs (run_id), key {text} NOT NULL, value {real} NOT NULL, is_nan {int} NOT NULL,
            timestamp {int} NOT NULL, step {int} NOT NULL, PRIMARY KEY (run_id, key, step, timestamp, value, is_nan));
        CREATE TABLE latest_metrics (
            run_id {text} NOT NULL REFERENCES runs (run_id), key {text} NOT NULL, value {real} NOT NULL, is_nan {int} NOT NULL,
            timestamp {int} NOT NULL, step {int} NOT NULL, PRIMARY KEY (run_id, key));
        CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value);
        CREATE TABLE inputs (
            run_id {text} NOT NULL REFERENCES runs (run_id), name {text} NOT NULL, digest {text} NOT NULL, context {text} NOT NULL,
            rows {int} NOT NULL, positives {int} NOT NULL, PRIMARY KEY (run_id, name, digest, context));
        """,
        RegistryTables,
    ];

    private readonly TimeProvider _time;

    private protected SqlTrackingStore(TimeProvider time) => _time = time;

    /// <summary>Where the store is, for messages (a file, a server and database).</summary>
    private protected abstract string Location { get; }

    /// <summary>The SQL types of <c>{int}</c>, <c>{real}</c>, <c>{text}</c> and <c>{blob}</c>.</summary>
    private protected abstract (string Int, string Real, string Text, string Blob) ColumnTypes { get; }

    /// <summary>What the store adds to the migration to version <paramref name="version"/> (PostgreSQL's artifacts table, the audit log's guard).</summary>
    private protected virtual string OwnTables(int version) => version == 2 ? AppendOnlyAudit : "";

    /// <summary>SQL run first in the migration's transaction, so that two processes opening a new store migrate it once.</summary>
    private protected virtual string MigrationLock => "";

    /// <summary>SQL run first when an experiment is created, so that two creators never take one number.</summary>
    private protected virtual string ExperimentLock => "";

    /// <summary>What follows a LIKE pattern so that only <c>%</c> and <c>_</c> are special, as in MLflow.</summary>
    private protected virtual string LikeEscape => "";

    /// <summary>A connection, opened and set up.</summary>
    private protected abstract DbConnection Connect();

    /// <summary>A connection, opened and set up.</summary>
    private protected abstract ValueTask<DbConnection> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>An experiment's artifact location.</summary>
    private protected abstract string ExperimentLocation(string experimentId);

    /// <summary>A run's artifact URI.</summary>
    private protected abstract string RunArtifactUri(string experimentId, string runId);

    /// <summary>Stores an artifact whole under a run's artifact URI; the path is checked.</summary>
    private protected abstract Task WriteArtifactAsync(string runId, string artifactUri, string path, Stream content, CancellationToken cancellationToken);

    /// <summary>The artifacts directly in a folder of a run's (the path is checked or <see langword="null"/>), by path.</summary>
    private protected abstract Task<IReadOnlyList<ArtifactInfo>> ListArtifactsAsync(string runId, string artifactUri, string? path, CancellationToken cancellationToken);

    /// <summary>An artifact's content, or <see langword="null"/> when there is none at the (checked) path.</summary>
    private protected abstract Task<Stream?> ReadArtifactAsync(string runId, string artifactUri, string path, CancellationToken cancellationToken);

    /// <summary>Closes the store's connections: a PostgreSQL store's pool (a SQLite file's pooled connections close with the process).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the store's connections.</summary>
    /// <returns>The work.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Releases what the store holds.</summary>
    /// <param name="disposing">Called from <see cref="Dispose()"/> rather than a finalizer.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Where the store is: its file, or its server and database (never a password).</summary>
    /// <returns>The location.</returns>
    public override string ToString() => Location;

    /// <summary>The schema version the store holds.</summary>
    /// <returns>The version.</returns>
    public int StoredSchemaVersion()
    {
        using var connection = Connect();
        return Version(connection, null);
    }

    /// <summary>Creates the schema in a new store (with the <c>Default</c> experiment, id 0) or migrates an older one.</summary>
    private protected void Migrate()
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        if (MigrationLock.Length > 0)
        {
            Execute(connection, transaction, MigrationLock);
        }

        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        var version = Version(connection, transaction);
        if (version > SchemaVersion)
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"The tracking store {Location} has schema version {version}, written by a newer CreditScoring.Sdk; this one reads versions up to {SchemaVersion}. Open it with the newer SDK.");
        }

        var (integer, real, text, blob) = ColumnTypes;
        for (var v = version; v < SchemaVersion; v++)
        {
            var ddl = Migrations[v] + "\n" + OwnTables(v + 1);
            Execute(connection, transaction, ddl.Replace("{int}", integer, StringComparison.Ordinal).Replace("{real}", real, StringComparison.Ordinal).Replace("{text}", text, StringComparison.Ordinal).Replace("{blob}", blob, StringComparison.Ordinal));
            if (v == 0)
            {
                var now = Now();
                Execute(connection, transaction, "INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, last_update_time) VALUES (0, 'Default', @location, @now, @now);", ("@location", ExperimentLocation("0")), ("@now", now));
            }
        }

        Execute(connection, transaction, "DELETE FROM schema_version;");
        Execute(connection, transaction, "INSERT INTO schema_version (version) VALUES (@v);", ("@v", SchemaVersion));
        transaction.Commit();
    }

    private static int Version(DbConnection connection, DbTransaction? transaction)
    {
        using var command = Command(connection, transaction, "SELECT version FROM schema_version;");
        return command.ExecuteScalar() is { } v and not DBNull ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : 0;
    }

    /// <inheritdoc />
    public async Task<string> CreateExperimentAsync(string name, IReadOnlyList<RunTag>? tags = null, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckExperimentName(name);
        tags ??= [];
        foreach (var tag in tags)
        {
            TrackingRules.Check(tag);
        }

        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (ExperimentLock.Length > 0)
        {
            await ExecuteAsync(connection, transaction, ExperimentLock, cancellationToken).ConfigureAwait(false);
        }

        if (await ScalarAsync(connection, transaction, "SELECT experiment_id FROM experiments WHERE name = @name;", cancellationToken, ("@name", name)).ConfigureAwait(false) is not null)
        {
            throw new TrackingException(TrackingErrorCode.ResourceAlreadyExists, $"Experiment '{name}' already exists.");
        }

        var number = Convert.ToInt64(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(experiment_id), 0) + 1 FROM experiments;", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var id = number.ToString(CultureInfo.InvariantCulture);
        var now = Now();
        await ExecuteAsync(connection, transaction, "INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, last_update_time) VALUES (@id, @name, @location, @now, @now);", cancellationToken, ("@id", number), ("@name", name), ("@location", ExperimentLocation(id)), ("@now", now)).ConfigureAwait(false);
        foreach (var tag in tags)
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value;", cancellationToken, ("@id", number), ("@key", tag.Key), ("@value", tag.Value)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <inheritdoc />
    public async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadExperimentsAsync(connection, "WHERE experiment_id = @id", cancellationToken, ("@id", ExperimentNumber(experimentId))).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"No experiment with id '{experimentId}' exists.");
    }

    /// <inheritdoc />
    public async Task<Experiment?> FindExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadExperimentsAsync(connection, "WHERE name = @name", cancellationToken, ("@name", name)).ConfigureAwait(false)).FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await ReadExperimentsAsync(connection, "WHERE lifecycle_stage = 'active'", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<TrackedRun> CreateRunAsync(string experimentId, NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var number = ExperimentNumber(experimentId);
        var runId = Guid.NewGuid().ToString("N");
        var name = run.RunName.Length > 0 ? run.RunName : "run-" + runId[..8];
        var tags = MlflowConventions.SystemTags(run, name);
        var startTime = run.StartTime ?? Now();
        if (startTime < 0)
        {
            throw Invalid($"A run's start time must be at least 0 (milliseconds since the Unix epoch), not {startTime}.");
        }

        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await ScalarAsync(connection, transaction, "SELECT lifecycle_stage FROM experiments WHERE experiment_id = @id;", cancellationToken, ("@id", number)).ConfigureAwait(false) is not string stage)
        {
            throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"No experiment with id '{experimentId}' exists.");
        }

        if (stage != "active")
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"Experiment '{experimentId}' is deleted; runs cannot be created in it.");
        }

        if (run.ParentRunId is { } parentId && await ScalarAsync(connection, transaction, "SELECT 1 FROM runs WHERE run_id = @id;", cancellationToken, ("@id", parentId)).ConfigureAwait(false) is null)
        {
            throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"The parent run '{parentId}' does not exist.");
        }

        await ExecuteAsync(connection, transaction, "INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, artifact_uri) VALUES (@id, @experiment, @name, @user, 'RUNNING', @start, @uri);", cancellationToken, ("@id", runId), ("@experiment", number), ("@name", name), ("@user", run.UserId), ("@start", startTime), ("@uri", RunArtifactUri(experimentId, runId))).ConfigureAwait(false);
        await WriteTagsAsync(connection, transaction, runId, tags, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return await GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<TrackedRun> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var runs = await LoadRunsAsync(connection, [runId], cancellationToken).ConfigureAwait(false);
        return runs.TryGetValue(runId, out var run) ? run : throw NoRun(runId);
    }

    /// <inheritdoc />
    public async Task UpdateRunAsync(string runId, RunStatus status, long? endTime = null, string? runName = null, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(status))
        {
            throw Invalid($"Unknown run status {status}.");
        }

        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ActiveRunAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "UPDATE runs SET status = @status WHERE run_id = @id;", cancellationToken, ("@status", RunFilter.StatusName(status)), ("@id", runId)).ConfigureAwait(false);
        if (endTime is { } end)
        {
            await ExecuteAsync(connection, transaction, "UPDATE runs SET end_time = @end WHERE run_id = @id;", cancellationToken, ("@end", end), ("@id", runId)).ConfigureAwait(false);
        }

        if (runName is not null)
        {
            await ExecuteAsync(connection, transaction, "UPDATE runs SET run_name = @name WHERE run_id = @id;", cancellationToken, ("@name", runName), ("@id", runId)).ConfigureAwait(false);
            await WriteTagsAsync(connection, transaction, runId, [new RunTag("mlflow.runName", runName)], cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckBatch(metrics, parameters, tags);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ActiveRunAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);

        // Written first, then read back: a parameter another writer set at the same moment is seen either way.
        await using (var insert = Command(connection, transaction, "INSERT INTO params (run_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (run_id, key) DO NOTHING;", ("@id", runId)))
        {
            var (key, value) = (Add(insert, "@key", DbType.String), Add(insert, "@value", DbType.String));
            foreach (var p in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                (key.Value, value.Value) = (p.Key, p.Value);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (parameters.Count > 0)
        {
            var held = new Dictionary<string, string>(StringComparer.Ordinal);
            await foreach (var r in QueryAsync(connection, transaction, "SELECT key, value FROM params WHERE run_id = @id;", [("@id", runId)], cancellationToken).ConfigureAwait(false))
            {
                held[r.GetString(0)] = r.GetString(1);
            }

            foreach (var p in parameters)
            {
                if (held[p.Key] != p.Value)
                {
                    throw Invalid($"Changing param values is not allowed. Param with key='{p.Key}' was already logged with value='{held[p.Key]}' for run ID='{runId}'. Attempted logging new value '{p.Value}'. Log it to a new run (a nested run for each trial or fold).");
                }
            }
        }

        await WriteTagsAsync(connection, transaction, runId, tags, cancellationToken).ConfigureAwait(false);
        await WriteMetricHistoryAsync(connection, transaction, runId, metrics, cancellationToken).ConfigureAwait(false);
        await WriteLatestMetricsAsync(connection, transaction, runId, metrics, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs)
        {
            TrackingRules.Check(input);
        }

        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ActiveRunAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        foreach (var d in inputs)
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO inputs (run_id, name, digest, context, rows, positives) VALUES (@id, @name, @digest, @context, @rows, @positives) ON CONFLICT (run_id, name, digest, context) DO NOTHING;", cancellationToken, ("@id", runId), ("@name", d.Name), ("@digest", d.Digest), ("@context", d.Context), ("@rows", d.Rows), ("@positives", d.Positives)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (await ScalarAsync(connection, null, "SELECT 1 FROM runs WHERE run_id = @id;", cancellationToken, ("@id", runId)).ConfigureAwait(false) is null)
        {
            throw NoRun(runId);
        }

        var history = new List<Metric>();
        await foreach (var r in QueryAsync(connection, null, "SELECT key, value, is_nan, timestamp, step FROM metrics WHERE run_id = @id AND key = @key ORDER BY step, timestamp, value;", [("@id", runId), ("@key", key)], cancellationToken).ConfigureAwait(false))
        {
            history.Add(new Metric(r.GetString(0), r.GetInt64(2) == 1 ? double.NaN : r.GetDouble(1), r.GetInt64(3), r.GetInt64(4)));
        }

        return history;
    }

    /// <inheritdoc />
    public async Task<RunPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search.ExperimentIds is not { Count: > 0 })
        {
            throw Invalid("A run search needs at least one experiment id.");
        }

        if (search.MaxResults is < 1 or > 50_000)
        {
            throw Invalid($"Invalid value {search.MaxResults} for max_results: it must be between 1 and 50000.");
        }

        var filter = RunFilter.Parse(search.Filter);
        var order = RunOrder.Parse(search.OrderBy);
        var offset = PageOffset(search.PageToken);
        var sql = new StringBuilder("SELECT r.run_id FROM runs r WHERE r.lifecycle_stage = 'active' AND r.experiment_id IN (");
        var parameters = new List<(string, object?)>();
        string Bind(object? value)
        {
            var name = "@p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add((name, value));
            return name;
        }

        sql.AppendJoin(", ", search.ExperimentIds.Select(id => Bind(ExperimentNumber(id)))).Append(')');
        foreach (var clause in filter.Clauses)
        {
            sql.Append(" AND ").Append(ClauseSql(clause, Bind));
        }

        sql.Append(" ORDER BY ");
        foreach (var key in order.Keys)
        {
            var e = OrderSql(key, Bind);
            sql.Append("CASE WHEN ").Append(e).Append(" IS NULL THEN 1 ELSE 0 END, ").Append(e).Append(key.Descending ? " DESC, " : " ASC, ");
        }

        sql.Append("r.start_time DESC, r.run_id ASC LIMIT ").Append(Bind((long)search.MaxResults + 1)).Append(" OFFSET ").Append(Bind(offset)).Append(';');
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        await foreach (var r in QueryAsync(connection, null, sql.ToString(), [.. parameters], cancellationToken).ConfigureAwait(false))
        {
            ids.Add(r.GetString(0));
        }

        var more = ids.Count > search.MaxResults;
        if (more)
        {
            ids.RemoveAt(ids.Count - 1);
        }

        var runs = await LoadRunsAsync(connection, ids, cancellationToken).ConfigureAwait(false);
        return new RunPage([.. ids.Select(id => runs[id])], more ? PageToken(offset + search.MaxResults) : null);
    }

    /// <inheritdoc />
    public async Task LogArtifactAsync(string runId, string path, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        TrackingRules.CheckArtifactPath(path);
        var uri = await ArtifactUriAsync(runId, cancellationToken).ConfigureAwait(false);
        await CheckNotRegisteredAsync(runId, path, cancellationToken).ConfigureAwait(false);
        await WriteArtifactAsync(runId, uri, path, content, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactInfo>> ListArtifactsAsync(string runId, string? path = null, CancellationToken cancellationToken = default)
    {
        var uri = await ArtifactUriAsync(runId, cancellationToken).ConfigureAwait(false);
        if (path is not null)
        {
            TrackingRules.CheckArtifactPath(path);
        }

        return await ListArtifactsAsync(runId, uri, path, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Stream> OpenArtifactAsync(string runId, string path, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckArtifactPath(path);
        var uri = await ArtifactUriAsync(runId, cancellationToken).ConfigureAwait(false);
        return await ReadArtifactAsync(runId, uri, path, cancellationToken).ConfigureAwait(false)
            ?? throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Run {runId} has no artifact '{path}'.");
    }

    /// <summary>The run's artifact URI, after checking that the run exists.</summary>
    private async Task<string> ArtifactUriAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT artifact_uri FROM runs WHERE run_id = @id;", cancellationToken, ("@id", runId)).ConfigureAwait(false) as string
            ?? throw NoRun(runId);
    }

    /// <summary>The entries directly in a folder, from every file path under a run's artifacts with its size.</summary>
    private protected static IReadOnlyList<ArtifactInfo> DirectEntries(IEnumerable<(string Path, long Size)> files, string? folder)
    {
        var prefix = folder is null ? "" : folder + "/";
        var entries = new SortedDictionary<string, ArtifactInfo>(StringComparer.Ordinal);
        foreach (var (path, size) in files)
        {
            if (!path.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var slash = path.IndexOf('/', prefix.Length);
            var entry = slash < 0 ? new ArtifactInfo(path, false, size) : new ArtifactInfo(path[..slash], true, null);
            entries[entry.Path] = entry;
        }

        return [.. entries.Values];
    }

    private string ClauseSql(FilterClause c, Func<object?, string> bind)
    {
        // LIKE is case-sensitive in every store; ILIKE lowers both sides.
        string Compare(string column) => c.Comparator switch
        {
            FilterComparator.Like => $"{column} LIKE {bind(c.Text)}{LikeEscape}",
            FilterComparator.ILike => $"lower({column}) LIKE lower({bind(c.Text)}){LikeEscape}",
            FilterComparator.In => $"{column} IN ({string.Join(", ", c.List.Select(v => bind(v)))})",
            FilterComparator.NotIn => $"{column} NOT IN ({string.Join(", ", c.List.Select(v => bind(v)))})",
            _ => $"{column} {RunFilter.Symbol(c.Comparator)} {bind(c.Text is null ? c.Number : c.Text)}",
        };
        return c.Field switch
        {
            RunField.Metric => $"EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_id = r.run_id AND m.key = {bind(c.Key)} AND m.is_nan = 0 AND {Compare("m.value")})",
            RunField.Param => $"EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.run_id AND p.key = {bind(c.Key)} AND {Compare("p.value")})",
            RunField.Tag => $"EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.run_id AND t.key = {bind(c.Key)} AND {Compare("t.value")})",
            RunField.Dataset => $"EXISTS (SELECT 1 FROM inputs d WHERE d.run_id = r.run_id AND {Compare("d." + c.Key)})",
            _ => Compare("r." + c.Key),
        };
    }

    private static string OrderSql(OrderKey key, Func<object?, string> bind) => key.Field switch
    {
        RunField.Metric => $"(SELECT CASE WHEN m.is_nan = 1 THEN NULL ELSE m.value END FROM latest_metrics m WHERE m.run_id = r.run_id AND m.key = {bind(key.Key)})",
        RunField.Param => $"(SELECT p.value FROM params p WHERE p.run_id = r.run_id AND p.key = {bind(key.Key)})",
        RunField.Tag => $"(SELECT t.value FROM tags t WHERE t.run_id = r.run_id AND t.key = {bind(key.Key)})",
        _ => "r." + key.Key,
    };

    private static long PageOffset(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("offset:", StringComparison.Ordinal) && long.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }

        throw Invalid($"Invalid page token '{token}': pass the next_page_token of the previous page.");
    }

    private static string PageToken(long offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes("offset:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static async Task<Dictionary<string, TrackedRun>> LoadRunsAsync(DbConnection connection, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, TrackedRun>(StringComparer.Ordinal);
        for (var start = 0; start < ids.Count; start += 500)
        {
            var chunk = ids.Skip(start).Take(500).ToArray();
            var names = string.Join(", ", chunk.Select((_, i) => "@r" + i.ToString(CultureInfo.InvariantCulture)));
            var bound = chunk.Select((id, i) => ("@r" + i.ToString(CultureInfo.InvariantCulture), (object?)id)).ToArray();
            var infos = new Dictionary<string, RunInfo>(StringComparer.Ordinal);
            await foreach (var r in QueryAsync(connection, null, $"SELECT run_id, experiment_id, run_name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage FROM runs WHERE run_id IN ({names});", bound, cancellationToken).ConfigureAwait(false))
            {
                infos[r.GetString(0)] = new RunInfo
                {
                    RunId = r.GetString(0),
                    ExperimentId = r.GetInt64(1).ToString(CultureInfo.InvariantCulture),
                    RunName = r.GetString(2),
                    UserId = r.GetString(3),
                    Status = Enum.Parse<RunStatus>(r.GetString(4), ignoreCase: true),
                    StartTime = r.GetInt64(5),
                    EndTime = r.IsDBNull(6) ? null : r.GetInt64(6),
                    ArtifactUri = r.GetString(7),
                    LifecycleStage = r.GetString(8),
                };
            }

            var metrics = Group<Metric>();
            await foreach (var r in QueryAsync(connection, null, $"SELECT run_id, key, value, is_nan, timestamp, step FROM latest_metrics WHERE run_id IN ({names}) ORDER BY key;", bound, cancellationToken).ConfigureAwait(false))
            {
                metrics[r.GetString(0)].Add(new Metric(r.GetString(1), r.GetInt64(3) == 1 ? double.NaN : r.GetDouble(2), r.GetInt64(4), r.GetInt64(5)));
            }

            var parameters = Group<Param>();
            await foreach (var r in QueryAsync(connection, null, $"SELECT run_id, key, value FROM params WHERE run_id IN ({names}) ORDER BY key;", bound, cancellationToken).ConfigureAwait(false))
            {
                parameters[r.GetString(0)].Add(new Param(r.GetString(1), r.GetString(2)));
            }

            var tags = Group<RunTag>();
            await foreach (var r in QueryAsync(connection, null, $"SELECT run_id, key, value FROM tags WHERE run_id IN ({names}) ORDER BY key;", bound, cancellationToken).ConfigureAwait(false))
            {
                tags[r.GetString(0)].Add(new RunTag(r.GetString(1), r.GetString(2)));
            }

            var inputs = Group<DatasetInput>();
            await foreach (var r in QueryAsync(connection, null, $"SELECT run_id, name, digest, context, rows, positives FROM inputs WHERE run_id IN ({names}) ORDER BY name, context;", bound, cancellationToken).ConfigureAwait(false))
            {
                inputs[r.GetString(0)].Add(new DatasetInput(r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5)));
            }

            foreach (var (id, info) in infos)
            {
                result[id] = new TrackedRun { Info = info, Metrics = metrics[id], Params = parameters[id], Tags = tags[id], Inputs = inputs[id] };
            }

            Dictionary<string, List<T>> Group<T>() => chunk.Distinct().ToDictionary(id => id, _ => new List<T>(), StringComparer.Ordinal);
        }

        return result;
    }

    private static async Task WriteTagsAsync(DbConnection connection, DbTransaction transaction, string runId, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "INSERT INTO tags (run_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;", ("@id", runId));
        var (key, value) = (Add(command, "@key", DbType.String), Add(command, "@value", DbType.String));
        foreach (var tag in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            (key.Value, value.Value) = (tag.Key, tag.Value);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>How a metric value is stored: a NaN as 0 with its flag set, as MLflow stores it.</summary>
    private protected static double Stored(double value) => double.IsNaN(value) ? 0.0 : value;

    /// <summary>
    /// Appends metric values to their history (a value logged twice at the same step and time is kept once). By
    /// default one prepared statement, its parameters rebound per row: SQLite's cost is per row, and a multi-row VALUES
    /// with hundreds of named parameters measured slower.
    /// </summary>
    private protected virtual async Task WriteMetricHistoryAsync(DbConnection connection, DbTransaction transaction, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        await using var history = Command(connection, transaction, "INSERT INTO metrics (run_id, key, value, is_nan, timestamp, step) VALUES (@id, @key, @value, @nan, @time, @step) ON CONFLICT DO NOTHING;", ("@id", runId));
        var (k, v, n, t, st) = (Add(history, "@key", DbType.String), Add(history, "@value", DbType.Double), Add(history, "@nan", DbType.Int64), Add(history, "@time", DbType.Int64), Add(history, "@step", DbType.Int64));
        await history.PrepareAsync(cancellationToken).ConfigureAwait(false);
        foreach (var m in metrics)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (k.Value, v.Value, n.Value, t.Value, st.Value) = (m.Key, Stored(m.Value), double.IsNaN(m.Value) ? 1L : 0L, m.Timestamp, m.Step);
            history.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Keeps each metric's latest value: the largest step, then the latest time, then the largest value (MLflow's rule;
    /// a NaN compares as 0, as MLflow stores it), chosen in the batch first so that each metric's latest is written
    /// once, and written in key order so that two writers of one run never wait on each other in a cycle.
    /// </summary>
    private static async Task WriteLatestMetricsAsync(DbConnection connection, DbTransaction transaction, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        var latest = new SortedDictionary<string, Metric>(StringComparer.Ordinal);
        foreach (var m in metrics)
        {
            if (!latest.TryGetValue(m.Key, out var held) || (m.Step, m.Timestamp, Stored(m.Value)).CompareTo((held.Step, held.Timestamp, Stored(held.Value))) > 0)
            {
                latest[m.Key] = m;
            }
        }

        await using var upsert = Command(connection, transaction, """
            INSERT INTO latest_metrics (run_id, key, value, is_nan, timestamp, step) VALUES (@id, @key, @value, @nan, @time, @step)
            ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan, timestamp = excluded.timestamp, step = excluded.step
            WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value);
            """, ("@id", runId));
        var (key, value, nan, time, step) = (Add(upsert, "@key", DbType.String), Add(upsert, "@value", DbType.Double), Add(upsert, "@nan", DbType.Int64), Add(upsert, "@time", DbType.Int64), Add(upsert, "@step", DbType.Int64));
        foreach (var m in latest.Values)
        {
            (key.Value, value.Value, nan.Value, time.Value, step.Value) = (m.Key, Stored(m.Value), double.IsNaN(m.Value) ? 1L : 0L, m.Timestamp, m.Step);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ActiveRunAsync(DbConnection connection, DbTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        var stage = await ScalarAsync(connection, transaction, "SELECT lifecycle_stage FROM runs WHERE run_id = @id;", cancellationToken, ("@id", runId)).ConfigureAwait(false);
        if (stage is null)
        {
            throw NoRun(runId);
        }

        if ((string)stage != "active")
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"The run '{runId}' is deleted; nothing can be logged to it.");
        }
    }

    private static async Task<List<Experiment>> ReadExperimentsAsync(DbConnection connection, string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var experiments = new List<Experiment>();
        await foreach (var r in QueryAsync(connection, null, $"SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments {where} ORDER BY experiment_id;", parameters, cancellationToken).ConfigureAwait(false))
        {
            experiments.Add(new Experiment
            {
                ExperimentId = r.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                Name = r.GetString(1),
                ArtifactLocation = r.GetString(2),
                LifecycleStage = r.GetString(3),
                CreationTime = r.GetInt64(4),
                LastUpdateTime = r.GetInt64(5),
            });
        }

        if (experiments.Count == 0)
        {
            return experiments;
        }

        // Every experiment's tags in one query.
        var tags = experiments.ToDictionary(e => e.ExperimentId, _ => new List<RunTag>(), StringComparer.Ordinal);
        var numbers = experiments.Select((e, i) => ($"@e{i.ToString(CultureInfo.InvariantCulture)}", (object?)long.Parse(e.ExperimentId, CultureInfo.InvariantCulture))).ToArray();
        await foreach (var r in QueryAsync(connection, null, $"SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN ({string.Join(", ", numbers.Select(n => n.Item1))}) ORDER BY key;", numbers, cancellationToken).ConfigureAwait(false))
        {
            tags[r.GetInt64(0).ToString(CultureInfo.InvariantCulture)].Add(new RunTag(r.GetString(1), r.GetString(2)));
        }

        return [.. experiments.Select(e => e with { Tags = tags[e.ExperimentId] })];
    }

    private static long ExperimentNumber(string experimentId) =>
        long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"No experiment with id '{experimentId}' exists (this store's experiment ids are numbers).");

    private static TrackingException Invalid(string message) => new(TrackingErrorCode.InvalidParameterValue, message);

    private static TrackingException NoRun(string runId) => new(TrackingErrorCode.ResourceDoesNotExist, $"Run with id={runId} not found.");

    private protected long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private protected static async IAsyncEnumerable<DbDataReader> QueryAsync(DbConnection connection, DbTransaction? transaction, string sql, (string, object?)[] parameters, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader;
        }
    }

    private protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters) =>
        SqlDatabase.Command(connection, transaction, sql, parameters);

    private protected static DbParameter Add(DbCommand command, string name, DbType type)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        command.Parameters.Add(p);
        return p;
    }

    private static void Execute(DbConnection connection, DbTransaction transaction, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private protected static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private protected static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }
}
