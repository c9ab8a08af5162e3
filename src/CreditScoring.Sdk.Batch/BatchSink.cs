using System.Data.Common;
using System.Globalization;
using System.Text;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Tracking;
using Microsoft.Data.Sqlite;
using Npgsql;
using Parquet;
using Parquet.Schema;

namespace CreditScoring.Sdk.Batch;

/// <summary>A partition's checkpoint, written in the transaction of its scores; <see langword="false"/> when the worker lost the partition's lease.</summary>
internal delegate ValueTask<bool> Checkpoint(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

/// <summary>
/// Where a batch job writes its scores: a PostgreSQL table (binary COPY) or a SQLite table, created when absent, each
/// partition's rows written in one transaction with its checkpoint; or a Parquet or CSV file, each partition written to
/// a part file (beside the output, renamed into place) and the file assembled from the parts when the job ends,
/// written beside its target and renamed over it. A database table keeps every job's rows (its key is id and job; a
/// PostgreSQL table the job creates gets that key when the job finishes, built once over the loaded rows); a file holds
/// the last job's.
/// </summary>
public abstract class BatchSink
{
    private protected BatchSink(string description) => Description = description;

    /// <summary>What the sink is, without a password (what the job history records).</summary>
    public string Description { get; }

    /// <summary>A table of a database: SQLite (a path or <c>sqlite:///PATH</c>) or PostgreSQL (<c>postgresql://</c> or an Npgsql connection string).</summary>
    /// <param name="location">The database.</param>
    /// <param name="table">The table (created when absent, with the primary key (id, job_id), which PostgreSQL gets when the job finishes; an existing one must have the job's columns).</param>
    /// <returns>The sink.</returns>
    public static BatchSink Database(string location, string table)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentException.ThrowIfNullOrEmpty(table);
        return new DatabaseSink(location, table);
    }

    /// <summary>A file, by its extension: <c>.parquet</c> or <c>.csv</c>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The sink.</returns>
    /// <exception cref="ArgumentException">The extension is neither.</exception>
    public static BatchSink File(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension is ".parquet" or ".csv"
            ? new FileSink(Path.GetFullPath(path), extension == ".parquet")
            : throw new ArgumentException($"'{path}': a batch output file is .parquet or .csv, not '{extension}'.", nameof(path));
    }

    /// <summary>A sink named by one string, as the command line takes it: <c>postgres://USER:PASSWORD@HOST:PORT/DB?table=T</c>, <c>sqlite:///PATH?table=T</c>, or a file path.</summary>
    /// <param name="location">The sink.</param>
    /// <returns>The sink.</returns>
    public static BatchSink Parse(string location)
    {
        var (database, table, query) = DatabaseLocation.Split(location, "output");
        if (query is not null)
        {
            throw new ArgumentException("An output is a table (?table=NAME), not a query.", nameof(location));
        }

        return database is null ? File(location) : Database(database, table!);
    }

    /// <summary>The database of the job tables this sink requires (a database sink's own), or <see langword="null"/> when any will do.</summary>
    internal abstract string? OwnJobDatabase { get; }

    /// <summary>How many partitions may be written at once into this sink (SQLite has one writer at a time: 1).</summary>
    internal virtual int MaxParallelPartitions => int.MaxValue;

    /// <summary>The job database a file sink uses when none is given.</summary>
    internal virtual string DefaultJobDatabase => throw new InvalidOperationException("A database sink keeps its jobs in its own database.");

    /// <summary>Creates the output table, or checks that an existing one has the job's columns.</summary>
    internal abstract ValueTask PrepareAsync(BatchJobStore jobs, OutputShape shape, string jobId, CancellationToken cancellationToken);

    /// <summary>Starts writing one partition.</summary>
    internal abstract ValueTask<PartitionWriter> BeginAsync(BatchJobStore jobs, OutputShape shape, string jobId, int partition, CancellationToken cancellationToken);

    /// <summary>Ends the job's output once every partition is done (a file sink assembles its file).</summary>
    internal virtual ValueTask FinishAsync(BatchJobStore jobs, string jobId, int partitions, OutputShape shape, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>One partition's output: chunks written, then committed with the checkpoint, or abandoned (disposed) with nothing kept.</summary>
internal abstract class PartitionWriter : IAsyncDisposable
{
    public abstract ValueTask WriteAsync(ScoredRows rows, CancellationToken cancellationToken);

    /// <summary>Makes the partition's rows and checkpoint durable together; <see langword="false"/>, with nothing kept, when the checkpoint refuses.</summary>
    public abstract ValueTask<bool> CommitAsync(Checkpoint checkpoint, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>A PostgreSQL or SQLite table.</summary>
internal sealed class DatabaseSink(string location, string table) : BatchSink($"{DatabaseLocation.Redacted(location)} table {table}")
{
    private readonly string _table = string.Join('.', table.Split('.').Select(SqlDatabase.Quote));

    internal override string? OwnJobDatabase => location;

    internal override int MaxParallelPartitions => SqlDatabase.Classify(location).Kind == StoreKind.Postgres ? int.MaxValue : 1;

    internal override async ValueTask PrepareAsync(BatchJobStore jobs, OutputShape shape, string jobId, CancellationToken cancellationToken)
    {
        var postgres = jobs.Database.IsPostgres;
        var connection = await jobs.Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var definition = string.Join(", ", shape.Columns.Select(c => $"{SqlDatabase.Quote(c.Name)} {(postgres ? c.PostgresType : c.SqliteType)}"));
            if (postgres)
            {
                // Several workers may create it at once: they take turns. A table created here gets its key when a job
                // writing it finishes (see KeyAfterLoad); the comment says so, to the next worker and to anyone looking.
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await LockAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    await using var exists = SqlDatabase.Command(connection, transaction, "SELECT to_regclass(@name) IS NOT NULL", ("name", _table));
                    if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                    {
                        await using var create = SqlDatabase.Command(connection, transaction, $"CREATE TABLE {_table} ({definition}); COMMENT ON TABLE {_table} IS '{KeyAfterLoad}'");
                        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await using var create = SqlDatabase.Command(connection, null, $"CREATE TABLE IF NOT EXISTS {_table} ({definition}, PRIMARY KEY (id, job_id))");
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using var probe = SqlDatabase.Command(connection, null, $"SELECT * FROM {_table} LIMIT 0");
            var reader = await probe.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var have = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToHashSet(StringComparer.Ordinal);
                var missing = shape.Columns.Select(c => c.Name).Where(c => !have.Contains(c)).ToArray();
                if (missing.Length > 0)
                {
                    throw new BatchJobException($"{Description} exists without the column(s) {string.Join(", ", missing)} this job writes (it writes {string.Join(", ", shape.Columns.Select(c => c.Name))}). Write to a new table, or add them.");
                }
            }
        }
    }

    /// <summary>
    /// Adds the primary key (id, job_id) to a PostgreSQL table this sink created, once a job writing it has finished.
    /// PostgreSQL's advice for bulk loads ("Populating a Database", section 14.4.3 of its manual: a fresh table is loaded
    /// fastest with COPY and indexed afterwards) holds here: measured on 10,000,000 scores, keeping the key up to date
    /// row by row took 15.8 s of the server's CPU, loading without it and building it afterwards 10.9 s. Nothing is
    /// written twice either way (each partition's rows are committed with its checkpoint); the key, built over every row,
    /// then proves it. A table that existed before the job, or already has its key, is left as it is.
    /// </summary>
    internal override async ValueTask FinishAsync(BatchJobStore jobs, string jobId, int partitions, OutputShape shape, CancellationToken cancellationToken)
    {
        if (!jobs.Database.IsPostgres)
        {
            return;
        }

        var connection = await jobs.Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await LockAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await using var marked = SqlDatabase.Command(connection, transaction, "SELECT obj_description(to_regclass(@name), 'pg_class')", ("name", _table));
                if (await marked.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string != KeyAfterLoad)
                {
                    return;
                }

                try
                {
                    await using var key = SqlDatabase.Command(connection, transaction, $"ALTER TABLE {_table} ADD PRIMARY KEY (id, job_id); COMMENT ON TABLE {_table} IS NULL");
                    await key.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    throw new BatchJobException($"{Description} holds two rows for one id of one job, so its primary key (id, job_id) cannot be added; for example (id, job_id) = {await DoubledAsync(connection, cancellationToken).ConfigureAwait(false)}. Remove the extra rows and run the job again to finish it.", e);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Up to three (id, job_id) pairs that appear more than once, as text.</summary>
    private async ValueTask<string> DoubledAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = SqlDatabase.Command(connection, null, $"SELECT '(' || id || ', ' || job_id || ') ' || count(*) || ' times' FROM {_table} GROUP BY id, job_id HAVING count(*) > 1 ORDER BY id, job_id LIMIT 3");
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var pairs = new List<string>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                pairs.Add(reader.GetString(0));
            }

            return string.Join(", ", pairs);
        }
    }

    /// <summary>The comment on a table this sink created and has not yet keyed.</summary>
    private const string KeyAfterLoad = "CreditScoring batch scores: the primary key (id, job_id) is added when a job writing this table finishes (a bulk load is indexed after loading).";

    /// <summary>Makes workers of every job take turns at creating and keying output tables (held to the end of the transaction).</summary>
    private static async ValueTask LockAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = SqlDatabase.Command(connection, transaction, "SELECT pg_advisory_xact_lock(7294013)");
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal override async ValueTask<PartitionWriter> BeginAsync(BatchJobStore jobs, OutputShape shape, string jobId, int partition, CancellationToken cancellationToken)
    {
        var connection = await jobs.Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            return jobs.Database.IsPostgres
                ? new PostgresWriter((NpgsqlConnection)connection, transaction, _table, shape, jobId)
                : await SqliteWriter.CreateAsync((SqliteConnection)connection, transaction, _table, shape, jobId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class PostgresWriter(NpgsqlConnection connection, DbTransaction transaction, string table, OutputShape shape, string jobId) : PartitionWriter
    {
        private PostgresCopy.Writer? _copy;

        public override async ValueTask WriteAsync(ScoredRows rows, CancellationToken cancellationToken)
        {
            _copy ??= await PostgresCopy.BeginWriteAsync(connection, table, shape, jobId, cancellationToken).ConfigureAwait(false);
            await _copy.WriteAsync(rows, cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask<bool> CommitAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
        {
            if (_copy is not null)
            {
                var copy = _copy;
                _copy = null;
                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!await checkpoint(connection, transaction, cancellationToken).ConfigureAwait(false))
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_copy is not null)
            {
                // A COPY not completed is cancelled; the transaction then rolls back.
                await _copy.CancelAsync().ConfigureAwait(false);
            }

            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class SqliteWriter : PartitionWriter
    {
        private readonly SqliteConnection _connection;
        private readonly DbTransaction _transaction;
        private readonly SqliteCommand _insert;
        private readonly OutputShape _shape;
        private readonly string _jobId;

        private SqliteWriter(SqliteConnection connection, DbTransaction transaction, SqliteCommand insert, OutputShape shape, string jobId) =>
            (_connection, _transaction, _insert, _shape, _jobId) = (connection, transaction, insert, shape, jobId);

        public static async ValueTask<PartitionWriter> CreateAsync(SqliteConnection connection, DbTransaction transaction, string table, OutputShape shape, string jobId, CancellationToken cancellationToken)
        {
            var names = shape.Columns.Select(c => c.Name).ToArray();
            var insert = connection.CreateCommand();
            insert.Transaction = (SqliteTransaction)transaction;
            insert.CommandText = $"INSERT INTO {table} ({string.Join(", ", names.Select(SqlDatabase.Quote))}) VALUES ({string.Join(", ", names.Select((_, j) => "$p" + j.ToString(CultureInfo.InvariantCulture)))})";
            for (var j = 0; j < names.Length; j++)
            {
                insert.Parameters.Add(new SqliteParameter("$p" + j.ToString(CultureInfo.InvariantCulture), DBNull.Value));
            }

            await insert.PrepareAsync(cancellationToken).ConfigureAwait(false);
            return new SqliteWriter(connection, transaction, insert, shape, jobId);
        }

        public override async ValueTask WriteAsync(ScoredRows rows, CancellationToken cancellationToken)
        {
            var p = _insert.Parameters;
            p[0].Value = _jobId;
            p[4].Value = _shape.ModelName;
            p[5].Value = _shape.ModelVersion;
            for (var k = 0; k < rows.Rows.Length; k++)
            {
                var row = rows.Rows[k];
                var score = rows.Scores[k];
                p[1].Value = rows.Chunk.IntegerIds ? rows.Chunk.LongIds[row] : rows.Chunk.TextIds[row];
                p[2].Value = double.IsNaN(score.Probability) ? DBNull.Value : score.Probability;
                p[3].Value = score.Decision.ToText();
                p[6].Value = (object?)OutputShape.WarningsText(score.Warnings) ?? DBNull.Value;
                for (var r = 0; r < _shape.Reasons; r++)
                {
                    var reasons = rows.Reasons?[k];
                    var reason = reasons is not null && r < reasons.Count ? reasons[r] : null;
                    p[7 + (2 * r)].Value = (object?)reason?.Code ?? DBNull.Value;
                    p[8 + (2 * r)].Value = (object?)reason?.Text ?? DBNull.Value;
                }

                await _insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override async ValueTask<bool> CommitAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
        {
            if (!await checkpoint(_connection, _transaction, cancellationToken).ConfigureAwait(false))
            {
                await _transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }

            await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        public override async ValueTask DisposeAsync()
        {
            await _insert.DisposeAsync().ConfigureAwait(false);
            await _transaction.DisposeAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// A Parquet or CSV file. Each partition is written to <c>OUTPUT.parts-JOB/part-NNNNN</c> (beside it as <c>.partial</c>,
/// then renamed), and its checkpoint is committed to the job database after the rename: a partition killed before its
/// checkpoint is written again, over its part, so nothing is doubled. When every partition is done the parts are joined
/// into the output (written beside it, renamed over it) and the parts folder removed.
/// </summary>
internal sealed class FileSink : BatchSink
{
    private readonly string _path;
    private readonly bool _parquet;

    public FileSink(string path, bool parquet)
        : base(path) => (_path, _parquet) = (path, parquet);

    internal override string? OwnJobDatabase => null;

    internal override string DefaultJobDatabase => Path.Combine(Path.GetDirectoryName(_path)!, "creditscoring-jobs.db");

    private string Parts(string jobId) => _path + ".parts-" + jobId;

    private string Part(string jobId, int partition) => Path.Combine(Parts(jobId), "part-" + partition.ToString("D5", CultureInfo.InvariantCulture) + (_parquet ? ".parquet" : ".csv"));

    internal override ValueTask PrepareAsync(BatchJobStore jobs, OutputShape shape, string jobId, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Parts(jobId));
        return ValueTask.CompletedTask;
    }

    internal override async ValueTask<PartitionWriter> BeginAsync(BatchJobStore jobs, OutputShape shape, string jobId, int partition, CancellationToken cancellationToken)
    {
        var target = Part(jobId, partition);
        var partial = target + ".partial";
        var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        return _parquet
            ? await ParquetPartWriter.CreateAsync(stream, jobs, shape, jobId, target, cancellationToken).ConfigureAwait(false)
            : new CsvPartWriter(stream, jobs, shape, jobId, target);
    }

    internal override async ValueTask FinishAsync(BatchJobStore jobs, string jobId, int partitions, OutputShape shape, CancellationToken cancellationToken)
    {
        var partial = _path + ".partial";
        var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (output.ConfigureAwait(false))
        {
            if (_parquet)
            {
                var writer = await ParquetWriter.CreateAsync(ScoresParquet.Schema(shape), output, null, false, cancellationToken).ConfigureAwait(false);
                await using (writer.ConfigureAwait(false))
                {
                    for (var p = 0; p < partitions; p++)
                    {
                        await ScoresParquet.CopyAsync(Part(jobId, p), writer, shape, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            else
            {
                var header = Encoding.UTF8.GetBytes(string.Join(',', shape.Columns.Select(c => c.Name)) + "\n");
                await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
                for (var p = 0; p < partitions; p++)
                {
                    var part = new FileStream(Part(jobId, p), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                    await using (part.ConfigureAwait(false))
                    {
                        await part.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            output.Flush(flushToDisk: true);
        }

        System.IO.File.Move(partial, _path, overwrite: true);
        Directory.Delete(Parts(jobId), recursive: true);
    }

    /// <summary>Renames a part into place, then commits its checkpoint to the job database.</summary>
    private static async ValueTask<bool> CommitPartAsync(FileStream stream, BatchJobStore jobs, string target, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
        await stream.DisposeAsync().ConfigureAwait(false);
        System.IO.File.Move(target + ".partial", target, overwrite: true);
        var connection = await jobs.Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (!await checkpoint(connection, transaction, cancellationToken).ConfigureAwait(false))
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return false;
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
        }
    }

    private sealed class CsvPartWriter(FileStream stream, BatchJobStore jobs, OutputShape shape, string jobId, string target) : PartitionWriter
    {
        private readonly StreamWriter _text = new(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        private readonly StringBuilder _line = new();
        private bool _committed;

        public override async ValueTask WriteAsync(ScoredRows rows, CancellationToken cancellationToken)
        {
            var model = Csv(shape.ModelName) + "," + Csv(shape.ModelVersion);
            for (var k = 0; k < rows.Rows.Length; k++)
            {
                var score = rows.Scores[k];
                _line.Clear();
                _line.Append(jobId).Append(',').Append(Csv(rows.Chunk.IdText(rows.Rows[k]))).Append(',');
                if (!double.IsNaN(score.Probability))
                {
                    _line.Append(score.Probability.ToString("R", CultureInfo.InvariantCulture));
                }

                _line.Append(',').Append(score.Decision.ToText()).Append(',').Append(model).Append(',').Append(Csv(OutputShape.WarningsText(score.Warnings)));
                for (var r = 0; r < shape.Reasons; r++)
                {
                    var reasons = rows.Reasons?[k];
                    var reason = reasons is not null && r < reasons.Count ? reasons[r] : null;
                    _line.Append(',').Append(Csv(reason?.Code)).Append(',').Append(Csv(reason?.Text));
                }

                await _text.WriteLineAsync(_line, cancellationToken).ConfigureAwait(false);
            }
        }

        public override async ValueTask<bool> CommitAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
        {
            await _text.FlushAsync(cancellationToken).ConfigureAwait(false);
            _committed = true;
            return await CommitPartAsync(stream, jobs, target, checkpoint, cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_committed)
            {
                await _text.DisposeAsync().ConfigureAwait(false);
            }

            await stream.DisposeAsync().ConfigureAwait(false);
            System.IO.File.Delete(target + ".partial");
        }

        /// <summary>
        /// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; empty for null. A text a spreadsheet
        /// would run as a formula gets a leading apostrophe (OWASP's CSV-injection rule, as <see cref="Scoring.ScoresFile"/>).
        /// </summary>
        private static string Csv(string? value)
        {
            if (value is null)
            {
                return "";
            }

            value = Scoring.ScoresFile.Neutralized(value);
            return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        }
    }

    private sealed class ParquetPartWriter : PartitionWriter
    {
        private readonly FileStream _stream;
        private readonly ParquetWriter _writer;
        private readonly BatchJobStore _jobs;
        private readonly OutputShape _shape;
        private readonly string _jobId;
        private readonly string _target;
        private bool _closed;

        private ParquetPartWriter(FileStream stream, ParquetWriter writer, BatchJobStore jobs, OutputShape shape, string jobId, string target) =>
            (_stream, _writer, _jobs, _shape, _jobId, _target) = (stream, writer, jobs, shape, jobId, target);

        public static async ValueTask<PartitionWriter> CreateAsync(FileStream stream, BatchJobStore jobs, OutputShape shape, string jobId, string target, CancellationToken cancellationToken)
        {
            var writer = await ParquetWriter.CreateAsync(ScoresParquet.Schema(shape), stream, null, false, cancellationToken).ConfigureAwait(false);
            return new ParquetPartWriter(stream, writer, jobs, shape, jobId, target);
        }

        public override ValueTask WriteAsync(ScoredRows rows, CancellationToken cancellationToken) => ScoresParquet.WriteAsync(_writer, rows, _shape, _jobId, cancellationToken);

        public override async ValueTask<bool> CommitAsync(Checkpoint checkpoint, CancellationToken cancellationToken)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _closed = true;
            return await CommitPartAsync(_stream, _jobs, _target, checkpoint, cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_closed)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
            }

            await _stream.DisposeAsync().ConfigureAwait(false);
            System.IO.File.Delete(_target + ".partial");
        }
    }
}

/// <summary>The scores as Parquet: one row group per chunk, the output shape's columns with their types.</summary>
internal static class ScoresParquet
{
    public static ParquetSchema Schema(OutputShape shape) => new(shape.Columns.Select(c => (Field)(c.Name switch
    {
        "id" when shape.IntegerIds => new DataField<long>("id"),
        "probability" => new DataField<double?>("probability"),
        _ => new DataField<string>(c.Name, c.PostgresType.EndsWith("NOT NULL", StringComparison.Ordinal) ? false : true),
    })).ToArray());

    public static async ValueTask WriteAsync(ParquetWriter writer, ScoredRows rows, OutputShape shape, string jobId, CancellationToken cancellationToken)
    {
        var n = rows.Rows.Length;
        var fields = Schema(shape).GetDataFields();
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(fields[0], Enumerable.Repeat(jobId, n).ToArray(), null).ConfigureAwait(false);
        if (shape.IntegerIds)
        {
            var ids = new long[n];
            for (var k = 0; k < n; k++)
            {
                ids[k] = rows.Chunk.LongIds[rows.Rows[k]];
            }

            await group.WriteAsync<long>(fields[1], ids, null, null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await group.WriteAsync(fields[1], rows.Rows.Select(r => rows.Chunk.TextIds[r]).ToArray(), null).ConfigureAwait(false);
        }

        var probabilities = new double?[n];
        var decisions = new string[n];
        var warnings = new string?[n];
        for (var k = 0; k < n; k++)
        {
            var score = rows.Scores[k];
            probabilities[k] = double.IsNaN(score.Probability) ? null : score.Probability;
            decisions[k] = score.Decision.ToText();
            warnings[k] = OutputShape.WarningsText(score.Warnings);
        }

        await group.WriteAsync<double>(fields[2], probabilities, null, null, cancellationToken).ConfigureAwait(false);
        await group.WriteAsync(fields[3], decisions, null).ConfigureAwait(false);
        await group.WriteAsync(fields[4], Enumerable.Repeat(shape.ModelName, n).ToArray(), null).ConfigureAwait(false);
        await group.WriteAsync(fields[5], Enumerable.Repeat(shape.ModelVersion, n).ToArray(), null).ConfigureAwait(false);
        await group.WriteAsync(fields[6], warnings!, null).ConfigureAwait(false);
        for (var r = 0; r < shape.Reasons; r++)
        {
            var codes = new string?[n];
            var texts = new string?[n];
            for (var k = 0; k < n; k++)
            {
                var reasons = rows.Reasons?[k];
                if (reasons is not null && r < reasons.Count)
                {
                    (codes[k], texts[k]) = (reasons[r].Code, reasons[r].Text);
                }
            }

            await group.WriteAsync(fields[7 + (2 * r)], codes!, null).ConfigureAwait(false);
            await group.WriteAsync(fields[8 + (2 * r)], texts!, null).ConfigureAwait(false);
        }

        group.CompleteValidate();
    }

    /// <summary>Copies a part file's row groups into the output, column by column with their types.</summary>
    public static async ValueTask CopyAsync(string part, ParquetWriter writer, OutputShape shape, CancellationToken cancellationToken)
    {
        var reader = await ParquetReader.CreateAsync(part, null, cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var source = reader.Schema.GetDataFields();
        var target = Schema(shape).GetDataFields();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var input = reader.OpenRowGroupReader(g);
            using var output = writer.CreateRowGroup();
            var n = checked((int)input.RowCount);
            for (var j = 0; j < source.Length; j++)
            {
                if (source[j].Name == "id" && shape.IntegerIds)
                {
                    var ids = new long[n];
                    await input.ReadAsync(source[j], ids.AsMemory(), null, cancellationToken).ConfigureAwait(false);
                    await output.WriteAsync<long>(target[j], ids, null, null, cancellationToken).ConfigureAwait(false);
                }
                else if (source[j].Name == "probability")
                {
                    var values = new double?[n];
                    await input.ReadAsync(source[j], values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
                    await output.WriteAsync<double>(target[j], values, null, null, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var values = new string?[n];
                    await input.ReadAsync(source[j], values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
                    await output.WriteAsync(target[j], values!, null).ConfigureAwait(false);
                }
            }

            output.CompleteValidate();
        }
    }
}
