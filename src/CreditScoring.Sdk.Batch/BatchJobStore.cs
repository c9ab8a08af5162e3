using System.Data.Common;
using System.Globalization;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.Batch;

/// <summary>
/// The job tables of a database (SQLite or PostgreSQL): <c>batch_jobs</c> (the history: job, model version, input,
/// output, rows, started, ended, status, error), <c>batch_partitions</c> (each partition's bounds, status, lease and
/// checkpoint) and <c>batch_rejects</c> (rows that could not be scored, with the reason). A partition is taken under a
/// lease (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>, so workers never wait on each other) that its worker renews by
/// heartbeat; a partition whose lease ran out goes to the next worker that asks. Its checkpoint (status done, rows,
/// rejects) is written in the same transaction as its scores, only while its worker is still its owner (no other worker took it after the lease ran out). Times are
/// the database's clock, in Unix milliseconds, so that workers on several machines agree.
/// </summary>
internal sealed class BatchJobStore : IDisposable
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Stopped = "stopped";

    private readonly string _now;
    private readonly string _skipLocked;

    public BatchJobStore(string location)
    {
        Database = SqlDatabase.Open(location);
        _now = Database.IsPostgres ? "(extract(epoch from clock_timestamp()) * 1000)::bigint" : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
        _skipLocked = Database.IsPostgres ? " FOR UPDATE SKIP LOCKED" : "";
    }

    /// <summary>The database (what a database sink writes its scores to, in the checkpoint's transaction).</summary>
    public SqlDatabase Database { get; }

    /// <summary>Creates the tables if they are not there (PostgreSQL: under an advisory lock, so that workers starting together do not collide).</summary>
    public async ValueTask EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        var big = Database.IsPostgres ? "bigint" : "INTEGER";
        var statements = new[]
        {
            $"CREATE TABLE IF NOT EXISTS batch_jobs (job_id text PRIMARY KEY, job_key text NOT NULL, model_name text NOT NULL, model_version text NOT NULL, input text NOT NULL, input_fingerprint text NOT NULL, output text NOT NULL, partitioning text NOT NULL, partitions integer NOT NULL, integer_ids integer NOT NULL, reasons integer NOT NULL, rejects text NOT NULL, status text NOT NULL, row_count {big} NOT NULL DEFAULT 0, rejected {big} NOT NULL DEFAULT 0, planned_rows {big} NOT NULL, started_ms {big} NOT NULL, ended_ms {big}, error text)",
            "CREATE UNIQUE INDEX IF NOT EXISTS batch_jobs_open ON batch_jobs (job_key) WHERE status <> 'succeeded'",
            $"CREATE TABLE IF NOT EXISTS batch_partitions (job_id text NOT NULL, partition_no integer NOT NULL, lower_bound text, upper_bound text, status text NOT NULL, owner text, lease_until_ms {big}, attempts integer NOT NULL DEFAULT 0, row_count {big}, rejected {big}, started_ms {big}, finished_ms {big}, error text, PRIMARY KEY (job_id, partition_no))",
            "CREATE TABLE IF NOT EXISTS batch_rejects (job_id text NOT NULL, partition_no integer NOT NULL, id text NOT NULL, column_name text, reason text NOT NULL)",
            "CREATE INDEX IF NOT EXISTS batch_rejects_job ON batch_rejects (job_id, partition_no)",
        };
        var connection = await Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (Database.IsPostgres)
                {
                    await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7294011)", cancellationToken).ConfigureAwait(false);
                }

                foreach (var sql in statements)
                {
                    await ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The unfinished job of this key (running, failed or stopped), or <see langword="null"/>.</summary>
    public async ValueTask<BatchJobInfo?> FindOpenAsync(string key, CancellationToken cancellationToken)
    {
        var jobs = await QueryJobsAsync("WHERE job_key = @key AND status <> 'succeeded'", [("key", key)], cancellationToken).ConfigureAwait(false);
        return jobs.Count == 0 ? null : jobs[0];
    }

    /// <summary>A job by id, or <see langword="null"/>.</summary>
    public async ValueTask<BatchJobInfo?> FindAsync(string jobId, CancellationToken cancellationToken)
    {
        var jobs = await QueryJobsAsync("WHERE job_id = @job", [("job", jobId)], cancellationToken).ConfigureAwait(false);
        return jobs.Count == 0 ? null : jobs[0];
    }

    /// <summary>The jobs, newest first.</summary>
    public ValueTask<IReadOnlyList<BatchJobInfo>> ListAsync(int limit, CancellationToken cancellationToken) =>
        QueryJobsAsync($"ORDER BY started_ms DESC, job_id LIMIT {limit.ToString(CultureInfo.InvariantCulture)}", [], cancellationToken);

    /// <summary>
    /// Creates a job and its partitions, unless another worker created one for the same key meanwhile (then that job is
    /// returned). Returns the job and whether it is new.
    /// </summary>
    public async ValueTask<(BatchJobInfo Job, bool Created)> CreateAsync(BatchJobInfo job, string key, string fingerprint, IReadOnlyList<PartitionBounds> partitions, CancellationToken cancellationToken)
    {
        var connection = await Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                if (Database.IsPostgres)
                {
                    await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7294012)", cancellationToken).ConfigureAwait(false);
                }

                await using (var existing = SqlDatabase.Command(connection, transaction, "SELECT job_id FROM batch_jobs WHERE job_key = @key AND status <> 'succeeded'", ("key", key)))
                {
                    if (await existing.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string other)
                    {
                        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                        return ((await FindAsync(other, cancellationToken).ConfigureAwait(false))!, false);
                    }
                }

                await using (var insert = SqlDatabase.Command(connection, transaction,
                    $"INSERT INTO batch_jobs (job_id, job_key, model_name, model_version, input, input_fingerprint, output, partitioning, partitions, integer_ids, reasons, rejects, status, planned_rows, started_ms) VALUES (@job, @key, @model, @version, @input, @fingerprint, @output, @partitioning, @partitions, @integer, @reasons, @rejects, 'running', @planned, {_now})",
                    ("job", job.JobId), ("key", key), ("model", job.ModelName), ("version", job.ModelVersion), ("input", job.Input), ("fingerprint", fingerprint), ("output", job.Output),
                    ("partitioning", job.Partitioning.ToString()), ("partitions", partitions.Count), ("integer", job.IntegerIds ? 1 : 0), ("reasons", job.Reasons), ("rejects", job.Rejects.ToString()), ("planned", job.PlannedRows)))
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                foreach (var p in partitions)
                {
                    await using var insert = SqlDatabase.Command(connection, transaction, "INSERT INTO batch_partitions (job_id, partition_no, lower_bound, upper_bound, status) VALUES (@job, @p, @lower, @upper, 'pending')",
                        ("job", job.JobId), ("p", p.Index), ("lower", p.Lower), ("upper", p.Upper));
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return ((await FindAsync(job.JobId, cancellationToken).ConfigureAwait(false))!, true);
    }

    /// <summary>The key of a job (what makes two runs the same job).</summary>
    public async ValueTask<string> KeyAsync(string jobId, CancellationToken cancellationToken) =>
        (string)(await ScalarAsync("SELECT job_key FROM batch_jobs WHERE job_id = @job", [("job", jobId)], cancellationToken).ConfigureAwait(false))!;

    /// <summary>The stored input fingerprint of a job (a file's size and time; empty for a database).</summary>
    public async ValueTask<string> FingerprintAsync(string jobId, CancellationToken cancellationToken) =>
        (string)(await ScalarAsync("SELECT input_fingerprint FROM batch_jobs WHERE job_id = @job", [("job", jobId)], cancellationToken).ConfigureAwait(false))!;

    /// <summary>Sets a failed or stopped job running again: its failed partitions go back to pending.</summary>
    public async ValueTask ReopenAsync(string jobId, CancellationToken cancellationToken)
    {
        await ExecuteAsync("UPDATE batch_partitions SET status = 'pending', error = NULL, owner = NULL WHERE job_id = @job AND status = 'failed'", [("job", jobId)], cancellationToken).ConfigureAwait(false);
        await ExecuteAsync("UPDATE batch_jobs SET status = 'running', error = NULL, ended_ms = NULL WHERE job_id = @job AND status <> 'succeeded'", [("job", jobId)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The partitions of a job.</summary>
    public async ValueTask<IReadOnlyList<BatchPartitionInfo>> PartitionsAsync(string jobId, CancellationToken cancellationToken)
    {
        var result = new List<BatchPartitionInfo>();
        var connection = await Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = SqlDatabase.Command(connection, null, $"SELECT partition_no, lower_bound, upper_bound, status, owner, lease_until_ms, attempts, row_count, rejected, started_ms, finished_ms, error, {_now} FROM batch_partitions WHERE job_id = @job ORDER BY partition_no", ("job", jobId));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var now = reader.GetInt64(12);
                    result.Add(new BatchPartitionInfo
                    {
                        Partition = reader.GetInt32(0),
                        LowerBound = reader.IsDBNull(1) ? null : reader.GetString(1),
                        UpperBound = reader.IsDBNull(2) ? null : reader.GetString(2),
                        Status = reader.GetString(3),
                        Worker = reader.IsDBNull(4) || (reader.GetString(3) != "done" && (reader.IsDBNull(5) || reader.GetInt64(5) < now)) ? null : reader.GetString(4),
                        Attempts = reader.GetInt32(6),
                        Rows = reader.IsDBNull(7) ? 0 : reader.GetInt64(7),
                        Rejected = reader.IsDBNull(8) ? 0 : reader.GetInt64(8),
                        Started = Time(reader, 9),
                        Finished = Time(reader, 10),
                        Error = reader.IsDBNull(11) ? null : reader.GetString(11),
                    });
                }
            }
        }

        return result;
    }

    /// <summary>Takes the first pending partition whose lease is free or ran out; <see langword="null"/> when there is none (or the job is no longer running).</summary>
    public async ValueTask<PartitionBounds?> ClaimAsync(string jobId, string worker, TimeSpan lease, CancellationToken cancellationToken)
    {
        var connection = await Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await using var command = SqlDatabase.Command(connection, transaction,
                    $"UPDATE batch_partitions SET owner = @worker, lease_until_ms = {_now} + @lease, attempts = attempts + 1, started_ms = coalesce(started_ms, {_now}) " +
                    $"WHERE job_id = @job AND partition_no = (SELECT partition_no FROM batch_partitions WHERE job_id = @job AND status = 'pending' AND (owner IS NULL OR lease_until_ms < {_now}) " +
                    $"AND EXISTS (SELECT 1 FROM batch_jobs WHERE job_id = @job AND status = 'running') ORDER BY partition_no LIMIT 1{_skipLocked}) RETURNING partition_no, lower_bound, upper_bound",
                    ("worker", worker), ("lease", (long)lease.TotalMilliseconds), ("job", jobId));
                PartitionBounds? claimed = null;
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        claimed = new PartitionBounds(reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return claimed;
            }
        }
    }

    /// <summary>Renews a lease; <see langword="false"/> when the worker no longer holds it (another took the partition, or it is done).</summary>
    public async ValueTask<bool> HeartbeatAsync(string jobId, int partition, string worker, TimeSpan lease, CancellationToken cancellationToken) =>
        await ExecuteAsync($"UPDATE batch_partitions SET lease_until_ms = {_now} + @lease WHERE job_id = @job AND partition_no = @p AND owner = @worker AND status = 'pending'",
            [("lease", (long)lease.TotalMilliseconds), ("job", jobId), ("p", partition), ("worker", worker)], cancellationToken).ConfigureAwait(false) == 1;

    /// <summary>
    /// Writes a partition's checkpoint and its rejects in the caller's transaction (the one that wrote its scores);
    /// <see langword="false"/>, with nothing written, when the worker is no longer the partition's owner (another took it after the lease ran out).
    /// </summary>
    public async ValueTask<bool> CompleteAsync(DbConnection connection, DbTransaction transaction, string jobId, int partition, string worker, long rows, IReadOnlyList<BatchReject> rejects, CancellationToken cancellationToken)
    {
        await using (var update = SqlDatabase.Command(connection, transaction,
            $"UPDATE batch_partitions SET status = 'done', row_count = @rows, rejected = @rejected, finished_ms = {_now}, lease_until_ms = NULL WHERE job_id = @job AND partition_no = @p AND owner = @worker AND status = 'pending'",
            ("rows", rows), ("rejected", (long)rejects.Count), ("job", jobId), ("p", partition), ("worker", worker)))
        {
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return false;
            }
        }

        if (rejects.Count > 0)
        {
            await using var insert = SqlDatabase.Command(connection, transaction, "INSERT INTO batch_rejects (job_id, partition_no, id, column_name, reason) VALUES (@job, @p, @id, @column, @reason)",
                ("job", jobId), ("p", partition), ("id", ""), ("column", null), ("reason", ""));
            await insert.PrepareAsync(cancellationToken).ConfigureAwait(false);
            foreach (var reject in rejects)
            {
                insert.Parameters[2].Value = reject.Id;
                insert.Parameters[3].Value = (object?)reject.Column ?? DBNull.Value;
                insert.Parameters[4].Value = reject.Reason;
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>Marks a partition failed and its job failed with the reason (the partition goes back to pending when the job is resumed).</summary>
    public async ValueTask FailAsync(string jobId, int partition, string worker, string error, CancellationToken cancellationToken)
    {
        await ExecuteAsync("UPDATE batch_partitions SET status = 'failed', error = @error, owner = NULL WHERE job_id = @job AND partition_no = @p AND owner = @worker AND status = 'pending'",
            [("error", error), ("job", jobId), ("p", partition), ("worker", worker)], cancellationToken).ConfigureAwait(false);
        await ExecuteAsync($"UPDATE batch_jobs SET status = 'failed', error = @error, ended_ms = {_now} WHERE job_id = @job AND status = 'running'",
            [("error", $"partition {partition.ToString(CultureInfo.InvariantCulture)} failed: {error}"), ("job", jobId)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks a running job failed with the reason, every partition done (the job's output could not be finished; a resumed job tries again).</summary>
    public async ValueTask FailJobAsync(string jobId, string error, CancellationToken cancellationToken) =>
        await ExecuteAsync($"UPDATE batch_jobs SET status = 'failed', error = @error, ended_ms = {_now} WHERE job_id = @job AND status = 'running'",
            [("error", $"finishing the output failed: {error}"), ("job", jobId)], cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// How the job's partitions stand: pending (and of those, leased now by a live worker, and by a live worker other than
    /// <paramref name="worker"/>), done and failed; and the job's status.
    /// </summary>
    public async ValueTask<(int Pending, int Leased, int LeasedByOthers, int Done, int Failed, string Status)> StandingAsync(string jobId, string worker, CancellationToken cancellationToken)
    {
        var connection = await Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var live = $"status = 'pending' AND owner IS NOT NULL AND lease_until_ms >= {_now}";
            await using var command = SqlDatabase.Command(connection, null,
                $"SELECT coalesce(sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN {live} THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN {live} AND owner <> @worker THEN 1 ELSE 0 END), 0), " +
                "coalesce(sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0), (SELECT status FROM batch_jobs WHERE job_id = @job) FROM batch_partitions WHERE job_id = @job",
                ("job", jobId), ("worker", worker));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                int Count(int ordinal) => Convert.ToInt32(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
                return (Count(0), Count(1), Count(2), Count(3), Count(4), reader.GetString(5));
            }
        }
    }

    /// <summary>Marks a running job succeeded, with its totals from the partitions.</summary>
    public ValueTask<int> SucceedAsync(string jobId, CancellationToken cancellationToken) => EndAsync(jobId, Succeeded, cancellationToken);

    /// <summary>Marks a running job stopped (a worker was asked to stop and no other holds a partition).</summary>
    public ValueTask<int> StopAsync(string jobId, CancellationToken cancellationToken) => EndAsync(jobId, Stopped, cancellationToken);

    /// <summary>The rejects of a job, in partition order.</summary>
    public async ValueTask<IReadOnlyList<BatchReject>> RejectsAsync(string jobId, int limit, CancellationToken cancellationToken)
    {
        var result = new List<BatchReject>();
        var connection = await Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = SqlDatabase.Command(connection, null, $"SELECT id, column_name, reason FROM batch_rejects WHERE job_id = @job ORDER BY partition_no, id LIMIT {limit.ToString(CultureInfo.InvariantCulture)}", ("job", jobId));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    result.Add(new BatchReject(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2)));
                }
            }
        }

        return result;
    }

    public void Dispose() => Database.Dispose();

    /// <summary>Ends a running job with a status, its end time and its totals from the partitions.</summary>
    private ValueTask<int> EndAsync(string jobId, string status, CancellationToken cancellationToken) =>
        ExecuteAsync($"UPDATE batch_jobs SET status = @status, ended_ms = {_now}, row_count = (SELECT coalesce(sum(row_count), 0) FROM batch_partitions WHERE job_id = @job), rejected = (SELECT coalesce(sum(rejected), 0) FROM batch_partitions WHERE job_id = @job) WHERE job_id = @job AND status = 'running'",
            [("status", status), ("job", jobId)], cancellationToken);

    private async ValueTask<IReadOnlyList<BatchJobInfo>> QueryJobsAsync(string tail, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var result = new List<BatchJobInfo>();
        var connection = await Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = SqlDatabase.Command(connection, null,
                "SELECT job_id, model_name, model_version, input, output, partitioning, partitions, integer_ids, reasons, rejects, status, row_count, rejected, planned_rows, started_ms, ended_ms, error, " +
                $"(SELECT coalesce(sum(row_count), 0) FROM batch_partitions p WHERE p.job_id = batch_jobs.job_id), (SELECT coalesce(sum(rejected), 0) FROM batch_partitions p WHERE p.job_id = batch_jobs.job_id) FROM batch_jobs {tail}", parameters);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var status = reader.GetString(10);
                    var finished = status is Succeeded or Stopped;
                    result.Add(new BatchJobInfo
                    {
                        JobId = reader.GetString(0),
                        ModelName = reader.GetString(1),
                        ModelVersion = reader.GetString(2),
                        Input = reader.GetString(3),
                        Output = reader.GetString(4),
                        Partitioning = Enum.Parse<BatchPartitioning>(reader.GetString(5)),
                        Partitions = reader.GetInt32(6),
                        IntegerIds = reader.GetInt32(7) != 0,
                        Reasons = reader.GetInt32(8),
                        Rejects = Enum.Parse<RejectHandling>(reader.GetString(9)),
                        Status = status,
                        Rows = finished ? reader.GetInt64(11) : Convert.ToInt64(reader.GetValue(17), CultureInfo.InvariantCulture),
                        Rejected = finished ? reader.GetInt64(12) : Convert.ToInt64(reader.GetValue(18), CultureInfo.InvariantCulture),
                        PlannedRows = reader.GetInt64(13),
                        Started = Time(reader, 14)!.Value,
                        Ended = Time(reader, 15),
                        Error = reader.IsDBNull(16) ? null : reader.GetString(16),
                    });
                }
            }
        }

        return result;
    }

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private async ValueTask<object?> ScalarAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var connection = await Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = SqlDatabase.Command(connection, null, sql, parameters);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<int> ExecuteAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var connection = await Database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = SqlDatabase.Command(connection, null, sql, parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = SqlDatabase.Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
