using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// The embedded tracking store: one SQLite file, created on first use, with the runs' artifacts in a folder beside it
/// (<c>FILE.artifacts/</c>). Several threads and processes may log to it at once: the file is in write-ahead-log mode,
/// every write is one immediate transaction (a batch is kept whole or not at all), and a writer waits up to 30 s for
/// another. The schema carries its version and is migrated forward when an older file is opened; a file from a newer
/// SDK is refused. Searches are translated to SQL from <see cref="RunFilter"/> and <see cref="RunOrder"/>, with the same
/// results as those applied in memory (the conformance tests compare the two).
/// </summary>
public sealed class SqliteTrackingStore : ITrackingStore
{
    /// <summary>The schema version this SDK writes and reads.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The migrations, in order: entry i brings the schema from version i to i + 1.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE experiments (
            experiment_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, artifact_location TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL DEFAULT 'active', creation_time INTEGER NOT NULL, last_update_time INTEGER NOT NULL);
        CREATE TABLE experiment_tags (
            experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id), key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key));
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY, experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id), run_name TEXT NOT NULL,
            user_id TEXT NOT NULL, status TEXT NOT NULL, start_time INTEGER NOT NULL, end_time INTEGER, artifact_uri TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL DEFAULT 'active');
        CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time);
        CREATE TABLE params (run_id TEXT NOT NULL REFERENCES runs (run_id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
        CREATE TABLE tags (run_id TEXT NOT NULL REFERENCES runs (run_id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
        CREATE TABLE metrics (
            run_id TEXT NOT NULL REFERENCES runs (run_id), key TEXT NOT NULL, value REAL NOT NULL, is_nan INTEGER NOT NULL,
            timestamp INTEGER NOT NULL, step INTEGER NOT NULL, PRIMARY KEY (run_id, key, step, timestamp, value, is_nan));
        CREATE TABLE latest_metrics (
            run_id TEXT NOT NULL REFERENCES runs (run_id), key TEXT NOT NULL, value REAL NOT NULL, is_nan INTEGER NOT NULL,
            timestamp INTEGER NOT NULL, step INTEGER NOT NULL, PRIMARY KEY (run_id, key));
        CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value);
        CREATE TABLE inputs (
            run_id TEXT NOT NULL REFERENCES runs (run_id), name TEXT NOT NULL, digest TEXT NOT NULL, context TEXT NOT NULL,
            rows INTEGER NOT NULL, positives INTEGER NOT NULL, PRIMARY KEY (run_id, name, digest, context));
        """,
    ];

    private readonly string _connectionString;
    private readonly TimeProvider _time;

    private SqliteTrackingStore(string path, TimeProvider time)
    {
        _time = time;
        DatabasePath = path;
        ArtifactRoot = path + ".artifacts";
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    /// <summary>The SQLite file.</summary>
    public string DatabasePath { get; }

    /// <summary>The folder of the runs' artifacts, beside the file.</summary>
    public string ArtifactRoot { get; }

    /// <summary>Opens a store, creating the file (with the <c>Default</c> experiment, id 0) on first use, and migrates an older schema.</summary>
    /// <param name="path">The SQLite file.</param>
    /// <param name="time">The clock for times not given (run starts, experiment creation); <see langword="null"/> for the system's.</param>
    /// <returns>The store.</returns>
    /// <exception cref="TrackingException">The file was written by a newer SDK (its schema version is above <see cref="SchemaVersion"/>).</exception>
    public static SqliteTrackingStore Open(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var store = new SqliteTrackingStore(full, time ?? TimeProvider.System);
        store.Migrate();
        return store;
    }

    /// <summary>The schema version of the open file.</summary>
    /// <returns>The version.</returns>
    public int FileSchemaVersion()
    {
        using var connection = Connect();
        return Version(connection);
    }

    private void Migrate()
    {
        using var connection = Connect();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        var version = Version(connection, transaction);
        if (version > SchemaVersion)
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"The tracking store {DatabasePath} has schema version {version}, written by a newer CreditScoring.Sdk; this one reads versions up to {SchemaVersion}. Open it with the newer SDK.");
        }

        for (var v = version; v < SchemaVersion; v++)
        {
            Execute(connection, transaction, Migrations[v]);
            if (v == 0)
            {
                var now = Now();
                Execute(connection, transaction, "INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, last_update_time) VALUES (0, 'Default', $location, $now, $now);", ("$location", ExperimentLocation("0")), ("$now", now));
            }
        }

        Execute(connection, transaction, "DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ($v);", ("$v", SchemaVersion));
        transaction.Commit();
    }

    private static int Version(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM schema_version;";
        return command.ExecuteScalar() is long v ? (int)v : 0;
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
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await ScalarAsync(connection, transaction, "SELECT experiment_id FROM experiments WHERE name = $name;", cancellationToken, ("$name", name)).ConfigureAwait(false) is not null)
        {
            throw new TrackingException(TrackingErrorCode.ResourceAlreadyExists, $"Experiment '{name}' already exists.");
        }

        var number = (long)(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(experiment_id), 0) + 1 FROM experiments;", cancellationToken).ConfigureAwait(false))!;
        var id = number.ToString(CultureInfo.InvariantCulture);
        var now = Now();
        await ExecuteAsync(connection, transaction, "INSERT INTO experiments (experiment_id, name, artifact_location, creation_time, last_update_time) VALUES ($id, $name, $location, $now, $now);", cancellationToken, ("$id", number), ("$name", name), ("$location", ExperimentLocation(id)), ("$now", now)).ConfigureAwait(false);
        foreach (var tag in tags)
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($id, $key, $value) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value;", cancellationToken, ("$id", number), ("$key", tag.Key), ("$value", tag.Value)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <inheritdoc />
    public async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadExperimentsAsync(connection, "WHERE experiment_id = $id", cancellationToken, ("$id", ExperimentNumber(experimentId))).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"No experiment with id '{experimentId}' exists.");
    }

    /// <inheritdoc />
    public async Task<Experiment?> FindExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadExperimentsAsync(connection, "WHERE name = $name", cancellationToken, ("$name", name)).ConfigureAwait(false)).FirstOrDefault();
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
        var tags = new List<RunTag>(run.Tags) { new("mlflow.runName", name), new("mlflow.user", run.UserId) };
        if (run.ParentRunId is { } parent)
        {
            TrackingRules.CheckRunId(parent);
            tags.Add(new RunTag("mlflow.parentRunId", parent));
        }

        TrackingRules.CheckBatch([], [], tags);
        var startTime = run.StartTime ?? Now();
        if (startTime < 0)
        {
            throw Invalid($"A run's start time must be at least 0 (milliseconds since the Unix epoch), not {startTime}.");
        }

        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await ScalarAsync(connection, transaction, "SELECT lifecycle_stage FROM experiments WHERE experiment_id = $id;", cancellationToken, ("$id", number)).ConfigureAwait(false) is not string stage)
        {
            throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"No experiment with id '{experimentId}' exists.");
        }

        if (stage != "active")
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"Experiment '{experimentId}' is deleted; runs cannot be created in it.");
        }

        if (run.ParentRunId is { } parentId && await ScalarAsync(connection, transaction, "SELECT 1 FROM runs WHERE run_id = $id;", cancellationToken, ("$id", parentId)).ConfigureAwait(false) is null)
        {
            throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"The parent run '{parentId}' does not exist.");
        }

        var artifactUri = new Uri(Path.Combine(ArtifactRoot, experimentId, runId, "artifacts")).AbsoluteUri;
        await ExecuteAsync(connection, transaction, "INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, artifact_uri) VALUES ($id, $experiment, $name, $user, 'RUNNING', $start, $uri);", cancellationToken, ("$id", runId), ("$experiment", number), ("$name", name), ("$user", run.UserId), ("$start", startTime), ("$uri", artifactUri)).ConfigureAwait(false);
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
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ActiveRunAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "UPDATE runs SET status = $status, end_time = COALESCE($end, end_time), run_name = COALESCE($name, run_name) WHERE run_id = $id;", cancellationToken, ("$status", RunFilter.StatusName(status)), ("$end", endTime), ("$name", runName), ("$id", runId)).ConfigureAwait(false);
        if (runName is not null)
        {
            await WriteTagsAsync(connection, transaction, runId, [new RunTag("mlflow.runName", runName)], cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckBatch(metrics, parameters, tags);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ActiveRunAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        foreach (var p in parameters)
        {
            if (await ScalarAsync(connection, transaction, "SELECT value FROM params WHERE run_id = $id AND key = $key;", cancellationToken, ("$id", runId), ("$key", p.Key)).ConfigureAwait(false) is string old && old != p.Value)
            {
                throw Invalid($"Changing param values is not allowed. Param with key='{p.Key}' was already logged with value='{old}' for run ID='{runId}'. Attempted logging new value '{p.Value}'. Log it to a new run (a nested run for each trial or fold).");
            }
        }

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO params (run_id, key, value) VALUES ($id, $key, $value);";
            var (key, value) = (insert.Parameters.Add("$key", SqliteType.Text), insert.Parameters.Add("$value", SqliteType.Text));
            insert.Parameters.AddWithValue("$id", runId);
            foreach (var p in parameters)
            {
                (key.Value, value.Value) = (p.Key, p.Value);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await WriteTagsAsync(connection, transaction, runId, tags, cancellationToken).ConfigureAwait(false);
        await WriteMetricsAsync(connection, transaction, runId, metrics, cancellationToken).ConfigureAwait(false);
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
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ActiveRunAsync(connection, transaction, runId, cancellationToken).ConfigureAwait(false);
        foreach (var d in inputs)
        {
            await ExecuteAsync(connection, transaction, "INSERT OR IGNORE INTO inputs (run_id, name, digest, context, rows, positives) VALUES ($id, $name, $digest, $context, $rows, $positives);", cancellationToken, ("$id", runId), ("$name", d.Name), ("$digest", d.Digest), ("$context", d.Context), ("$rows", d.Rows), ("$positives", d.Positives)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (await ScalarAsync(connection, null, "SELECT 1 FROM runs WHERE run_id = $id;", cancellationToken, ("$id", runId)).ConfigureAwait(false) is null)
        {
            throw NoRun(runId);
        }

        await using var command = Command(connection, null, "SELECT key, value, is_nan, timestamp, step FROM metrics WHERE run_id = $id AND key = $key ORDER BY step, timestamp, value;", ("$id", runId), ("$key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var history = new List<Metric>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            history.Add(ReadMetric(reader));
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
            var name = "$p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
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
            sql.Append(e).Append(" IS NULL, ").Append(e).Append(key.Descending ? " DESC, " : " ASC, ");
        }

        sql.Append("r.start_time DESC, r.run_id ASC LIMIT ").Append(Bind(search.MaxResults + 1)).Append(" OFFSET ").Append(Bind(offset)).Append(';');
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        await using (var command = Command(connection, null, sql.ToString(), [.. parameters]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetString(0));
            }
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
        var file = await ArtifactFileAsync(runId, path, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);

        // Whole or not at all: into a temporary file beside it, then renamed over it.
        var temporary = $"{file}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }

            File.Move(temporary, file, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactInfo>> ListArtifactsAsync(string runId, string? path = null, CancellationToken cancellationToken = default)
    {
        var root = await ArtifactFolderAsync(runId, cancellationToken).ConfigureAwait(false);
        if (path is not null)
        {
            TrackingRules.CheckArtifactPath(path);
        }

        var folder = path is null ? root : Path.Combine(root, path);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var prefix = path is null ? "" : path + "/";
        return
        [
            .. new DirectoryInfo(folder).EnumerateFileSystemInfos()
                .Where(i => !i.Name.EndsWith(".tmp", StringComparison.Ordinal))
                .Select(i => i is FileInfo f ? new ArtifactInfo(prefix + f.Name, false, f.Length) : new ArtifactInfo(prefix + i.Name, true, null))
                .OrderBy(a => a.Path, StringComparer.Ordinal),
        ];
    }

    /// <inheritdoc />
    public async Task<Stream> OpenArtifactAsync(string runId, string path, CancellationToken cancellationToken = default)
    {
        var file = await ArtifactFileAsync(runId, path, cancellationToken).ConfigureAwait(false);
        return File.Exists(file)
            ? new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous)
            : throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Run {runId} has no artifact '{path}'.");
    }

    private async Task<string> ArtifactFileAsync(string runId, string path, CancellationToken cancellationToken)
    {
        TrackingRules.CheckArtifactPath(path);
        return Path.Combine(await ArtifactFolderAsync(runId, cancellationToken).ConfigureAwait(false), path);
    }

    /// <summary>The run's artifact folder on disk (from its artifact URI), after checking that the run exists.</summary>
    private async Task<string> ArtifactFolderAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT artifact_uri FROM runs WHERE run_id = $id;", cancellationToken, ("$id", runId)).ConfigureAwait(false) is string uri
            ? new Uri(uri).LocalPath
            : throw NoRun(runId);
    }

    private static string ClauseSql(FilterClause c, Func<object?, string> bind)
    {
        // LIKE is case-sensitive on every connection (Prepare); ILIKE lowers both sides.
        string Compare(string column) => c.Comparator switch
        {
            FilterComparator.ILike => $"lower({column}) LIKE lower({bind(c.Text)})",
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

    private static async Task<Dictionary<string, TrackedRun>> LoadRunsAsync(SqliteConnection connection, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, TrackedRun>(StringComparer.Ordinal);
        for (var start = 0; start < ids.Count; start += 500)
        {
            var chunk = ids.Skip(start).Take(500).ToArray();
            var names = string.Join(", ", chunk.Select((_, i) => "$r" + i.ToString(CultureInfo.InvariantCulture)));
            var bound = chunk.Select((id, i) => ("$r" + i.ToString(CultureInfo.InvariantCulture), (object?)id)).ToArray();
            var infos = new Dictionary<string, RunInfo>(StringComparer.Ordinal);
            await foreach (var r in QueryAsync(connection, $"SELECT run_id, experiment_id, run_name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage FROM runs WHERE run_id IN ({names});", bound, cancellationToken).ConfigureAwait(false))
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
            await foreach (var r in QueryAsync(connection, $"SELECT run_id, key, value, is_nan, timestamp, step FROM latest_metrics WHERE run_id IN ({names}) ORDER BY key;", bound, cancellationToken).ConfigureAwait(false))
            {
                metrics[r.GetString(0)].Add(new Metric(r.GetString(1), r.GetInt64(3) == 1 ? double.NaN : r.GetDouble(2), r.GetInt64(4), r.GetInt64(5)));
            }

            var parameters = Group<Param>();
            await foreach (var r in QueryAsync(connection, $"SELECT run_id, key, value FROM params WHERE run_id IN ({names}) ORDER BY key;", bound, cancellationToken).ConfigureAwait(false))
            {
                parameters[r.GetString(0)].Add(new Param(r.GetString(1), r.GetString(2)));
            }

            var tags = Group<RunTag>();
            await foreach (var r in QueryAsync(connection, $"SELECT run_id, key, value FROM tags WHERE run_id IN ({names}) ORDER BY key;", bound, cancellationToken).ConfigureAwait(false))
            {
                tags[r.GetString(0)].Add(new RunTag(r.GetString(1), r.GetString(2)));
            }

            var inputs = Group<DatasetInput>();
            await foreach (var r in QueryAsync(connection, $"SELECT run_id, name, digest, context, rows, positives FROM inputs WHERE run_id IN ({names}) ORDER BY name, context;", bound, cancellationToken).ConfigureAwait(false))
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

    private static async IAsyncEnumerable<SqliteDataReader> QueryAsync(SqliteConnection connection, string sql, (string, object?)[] parameters, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reader;
        }
    }

    private static async Task WriteTagsAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "INSERT INTO tags (run_id, key, value) VALUES ($id, $key, $value) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;", ("$id", runId));
        var (key, value) = (command.Parameters.Add("$key", SqliteType.Text), command.Parameters.Add("$value", SqliteType.Text));
        foreach (var tag in tags)
        {
            (key.Value, value.Value) = (tag.Key, tag.Value);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Appends metric values to their history and keeps each metric's latest: the largest
    /// step, then the latest time, then the largest value (MLflow's rule; a NaN compares as 0, as MLflow stores it),
    /// chosen in the batch first so that each metric's latest is written once.
    /// </summary>
    private static async Task WriteMetricsAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, IReadOnlyList<Metric> metrics, CancellationToken cancellationToken)
    {
        static double Stored(double v) => double.IsNaN(v) ? 0.0 : v;

        // One prepared statement, its parameters rebound per row (SQLite's cost is per row; a multi-row VALUES with
        // hundreds of named parameters measured slower).
        await using (var history = Command(connection, transaction, "INSERT OR IGNORE INTO metrics (run_id, key, value, is_nan, timestamp, step) VALUES ($id, $key, $value, $nan, $time, $step);", ("$id", runId)))
        {
            var (k, v, n, t, st) = (history.Parameters.Add("$key", SqliteType.Text), history.Parameters.Add("$value", SqliteType.Real), history.Parameters.Add("$nan", SqliteType.Integer), history.Parameters.Add("$time", SqliteType.Integer), history.Parameters.Add("$step", SqliteType.Integer));
            history.Prepare();
            foreach (var m in metrics)
            {
                cancellationToken.ThrowIfCancellationRequested();
                (k.Value, v.Value, n.Value, t.Value, st.Value) = (m.Key, Stored(m.Value), double.IsNaN(m.Value) ? 1 : 0, m.Timestamp, m.Step);
                history.ExecuteNonQuery();
            }
        }

        var latest = new Dictionary<string, Metric>(StringComparer.Ordinal);
        foreach (var m in metrics)
        {
            if (!latest.TryGetValue(m.Key, out var held) || (m.Step, m.Timestamp, Stored(m.Value)).CompareTo((held.Step, held.Timestamp, Stored(held.Value))) > 0)
            {
                latest[m.Key] = m;
            }
        }

        await using var upsert = Command(connection, transaction, """
            INSERT INTO latest_metrics (run_id, key, value, is_nan, timestamp, step) VALUES ($id, $key, $value, $nan, $time, $step)
            ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan, timestamp = excluded.timestamp, step = excluded.step
            WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value);
            """, ("$id", runId));
        var (key, value, nan, time, step) = (upsert.Parameters.Add("$key", SqliteType.Text), upsert.Parameters.Add("$value", SqliteType.Real), upsert.Parameters.Add("$nan", SqliteType.Integer), upsert.Parameters.Add("$time", SqliteType.Integer), upsert.Parameters.Add("$step", SqliteType.Integer));
        foreach (var m in latest.Values)
        {
            (key.Value, value.Value, nan.Value, time.Value, step.Value) = (m.Key, Stored(m.Value), double.IsNaN(m.Value) ? 1 : 0, m.Timestamp, m.Step);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ActiveRunAsync(SqliteConnection connection, SqliteTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        var stage = await ScalarAsync(connection, transaction, "SELECT lifecycle_stage FROM runs WHERE run_id = $id;", cancellationToken, ("$id", runId)).ConfigureAwait(false);
        if (stage is null)
        {
            throw NoRun(runId);
        }

        if ((string)stage != "active")
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"The run '{runId}' is deleted; nothing can be logged to it.");
        }
    }

    private static async Task<List<Experiment>> ReadExperimentsAsync(SqliteConnection connection, string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        var experiments = new List<Experiment>();
        await foreach (var r in QueryAsync(connection, $"SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments {where} ORDER BY experiment_id;", parameters, cancellationToken).ConfigureAwait(false))
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

        for (var i = 0; i < experiments.Count; i++)
        {
            var tags = new List<RunTag>();
            await foreach (var r in QueryAsync(connection, "SELECT key, value FROM experiment_tags WHERE experiment_id = $id ORDER BY key;", [("$id", long.Parse(experiments[i].ExperimentId, CultureInfo.InvariantCulture))], cancellationToken).ConfigureAwait(false))
            {
                tags.Add(new RunTag(r.GetString(0), r.GetString(1)));
            }

            experiments[i] = experiments[i] with { Tags = tags };
        }

        return experiments;
    }

    private static Metric ReadMetric(SqliteDataReader r) => new(r.GetString(0), r.GetInt64(2) == 1 ? double.NaN : r.GetDouble(1), r.GetInt64(3), r.GetInt64(4));

    private static long ExperimentNumber(string experimentId) =>
        long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"No experiment with id '{experimentId}' exists (this store's experiment ids are numbers).");

    private string ExperimentLocation(string experimentId) => new Uri(Path.Combine(ArtifactRoot, experimentId)).AbsoluteUri;

    private static TrackingException Invalid(string message) => new(TrackingErrorCode.InvalidParameterValue, message);

    private static TrackingException NoRun(string runId) => new(TrackingErrorCode.ResourceDoesNotExist, $"Run with id={runId} not found.");

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Prepare(connection);
        return connection;
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        Prepare(connection);
        return connection;
    }

    /// <summary>
    /// Per connection: foreign keys on; LIKE case-sensitive (ILIKE lowers both sides), as MLflow's LIKE; and, with the
    /// write-ahead log, a commit synced at checkpoints rather than each time (SQLite's <c>synchronous = NORMAL</c>): a
    /// process killed at any moment loses no committed batch and leaves a file that opens; only a power cut may lose the
    /// last few commits, never corrupt the file.
    /// </summary>
    private static void Prepare(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA foreign_keys = ON; PRAGMA case_sensitive_like = ON; PRAGMA synchronous = NORMAL;";
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }
}
