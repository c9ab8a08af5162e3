using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.Batch;

/// <summary>
/// Batch scoring jobs: a source scored partition by partition into a sink, each partition's scores and checkpoint
/// committed together, so that a job killed at any moment (kill -9, a lost machine) and started again with the same
/// options finishes with every row written once. Several workers (processes or machines) running the same job share
/// its partitions through the job table under leases. Within a partition, reading, scoring and writing run at once, a
/// chunk apart.
/// </summary>
public static class BatchScoringJob
{
    /// <summary>
    /// Runs a job as one worker: finds the unfinished job of these options (the same model version, source, sink,
    /// partitions, reasons and handling) and resumes it, or plans and creates it; then takes partitions until none is
    /// left, and the worker that finds every partition done completes the job (a file sink assembles its file).
    /// </summary>
    /// <param name="options">The job.</param>
    /// <param name="progress">Receives the job's progress after every chunk this worker writes.</param>
    /// <param name="cancellationToken">Stops the worker at the next partition boundary: the partition in progress is written and committed first, and the job is left to resume.</param>
    /// <returns>What this worker did, and the job as it stands.</returns>
    /// <exception cref="BatchJobException">The job cannot start (a column missing, a null id, a changed input file) or failed (the message names the partition, and for a row its id and column).</exception>
    public static async Task<BatchJobResult> RunAsync(BatchJobOptions options, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ParallelPartitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Reasons);
        if (options.JobId is { } name && (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            throw new ArgumentException($"The job id '{name}' must be 1 to 64 letters, digits, '.', '_' or '-'.", nameof(options));
        }

        if (options.Lease < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Lease, "BatchJobOptions.Lease must be at least one second.");
        }

        var worker = new Worker(options, progress);
        try
        {
            return await worker.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            options.Input.Close();
        }
    }

    /// <summary>The jobs of a job database, newest first.</summary>
    /// <param name="jobDatabase">The job database (a database sink's, or a file sink's job database); a sink's location with <c>?table=</c> names its database.</param>
    /// <param name="limit">How many jobs at most.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The jobs.</returns>
    /// <exception cref="BatchJobException">A SQLite job database that does not exist.</exception>
    public static async Task<IReadOnlyList<BatchJobInfo>> ListJobsAsync(string jobDatabase, int limit = 50, CancellationToken cancellationToken = default)
    {
        using var store = await OpenAsync(jobDatabase, cancellationToken).ConfigureAwait(false);
        return await store.ListAsync(limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One job, its partitions and its first rejects.</summary>
    /// <param name="jobDatabase">The job database.</param>
    /// <param name="jobId">The job.</param>
    /// <param name="rejects">How many rejects at most.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The job, or <see langword="null"/> when there is no such job.</returns>
    public static async Task<(BatchJobInfo Job, IReadOnlyList<BatchPartitionInfo> Partitions, IReadOnlyList<BatchReject> Rejects)?> ShowJobAsync(string jobDatabase, string jobId, int rejects = 20, CancellationToken cancellationToken = default)
    {
        using var store = await OpenAsync(jobDatabase, cancellationToken).ConfigureAwait(false);
        if (await store.FindAsync(jobId, cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return null;
        }

        return (job, await store.PartitionsAsync(jobId, cancellationToken).ConfigureAwait(false), await store.RejectsAsync(jobId, rejects, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The job database a job of these options uses.</summary>
    /// <param name="output">The sink.</param>
    /// <param name="jobDatabase">The job database asked for, if any (for a file sink).</param>
    /// <returns>The database's location.</returns>
    public static string JobDatabaseOf(BatchSink output, string? jobDatabase)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.OwnJobDatabase ?? jobDatabase ?? output.DefaultJobDatabase;
    }

    /// <summary>
    /// Opens a job database to read its history: a sink's location (with <c>?table=</c>) names its database; a SQLite file
    /// must exist (reading the history of a mistyped path would otherwise create an empty database there).
    /// </summary>
    private static async Task<BatchJobStore> OpenAsync(string jobDatabase, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobDatabase);
        var question = jobDatabase.IndexOf('?', StringComparison.Ordinal);
        var database = question > 0 && jobDatabase.Contains("://", StringComparison.Ordinal) ? jobDatabase[..question] : jobDatabase;
        if (SqlDatabase.Classify(database) is (StoreKind.Sqlite, var path) && !File.Exists(path))
        {
            throw new BatchJobException($"There is no job database at {path}: a file output's jobs are in creditscoring-jobs.db beside it, a database output's in its own database.");
        }

        var store = new BatchJobStore(database);
        try
        {
            await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>One worker of one job.</summary>
    private sealed class Worker
    {
        private readonly BatchJobOptions _options;
        private readonly IProgress<BatchProgress>? _progress;
        private readonly ICreditScorer _scorer;
        private readonly CreditExplainer? _explainer;
        private readonly string _worker;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _rowsWritten;
        private long _rowsRejected;
        private long _readTicks;
        private long _scoreTicks;
        private long _writeTicks;
        private long _doneBefore;
        private int _partitionsDone;
        private long _doneAtStart;
        private long _inFlight;

        public Worker(BatchJobOptions options, IProgress<BatchProgress>? progress)
        {
            _options = options;
            _progress = progress;
            if (options.Model.Features.RelatedTables.Count > 0)
            {
                throw new BatchJobException($"The model aggregates related table(s) {string.Join(", ", options.Model.Features.RelatedTables)}; a batch job scores models of one table. Join the aggregates into the source first, or score with the CLI's score --data and --related.");
            }

            _scorer = options.Model.CreateScorer(options.Scoring);
            _explainer = options.Reasons > 0 ? options.Model.CreateExplainer(new ExplainerOptions { TopReasons = options.Reasons, Scoring = options.Scoring }) : null;
            _worker = options.WorkerId ?? $"{Environment.MachineName}:{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}:{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
        }

        public async Task<BatchJobResult> RunAsync(CancellationToken stop)
        {
            var inputs = _scorer.Input.Columns;
            using var store = new BatchJobStore(JobDatabaseOf(_options.Output, _options.JobDatabase));
            await store.EnsureSchemaAsync(stop).ConfigureAwait(false);
            var (job, resumed) = await FindOrCreateAsync(store, inputs, stop).ConfigureAwait(false);
            var shape = new OutputShape(job.IntegerIds, _options.Reasons, _options.ModelName, _options.ModelVersion);
            var partitionsWritten = 0;
            if (job.Status != BatchJobStore.Succeeded)
            {
                await _options.Output.PrepareAsync(store, shape, job.JobId, stop).ConfigureAwait(false);
                partitionsWritten = await WorkAsync(store, job, shape, inputs, stop).ConfigureAwait(false);
            }

            var final = (await store.FindAsync(job.JobId, CancellationToken.None).ConfigureAwait(false))!;
            return new BatchJobResult
            {
                Job = final,
                Resumed = resumed,
                PartitionsWritten = partitionsWritten,
                RowsWritten = _rowsWritten,
                RowsRejected = _rowsRejected,
                ReadSeconds = Seconds(_readTicks),
                ScoreSeconds = Seconds(_scoreTicks),
                WriteSeconds = Seconds(_writeTicks),
                TotalSeconds = _clock.Elapsed.TotalSeconds,
            };
        }

        private async Task<(BatchJobInfo Job, bool Resumed)> FindOrCreateAsync(BatchJobStore store, IReadOnlyList<Features.InputColumn> inputs, CancellationToken stop)
        {
            var key = Key();
            var existing = _options.JobId is { } id
                ? await store.FindAsync(id, stop).ConfigureAwait(false)
                : await store.FindOpenAsync(key, stop).ConfigureAwait(false);
            if (existing is not null)
            {
                if (await store.KeyAsync(existing.JobId, stop).ConfigureAwait(false) != key)
                {
                    throw new BatchJobException($"Job {existing.JobId} exists with other options (model {existing.ModelName} version {existing.ModelVersion}, {existing.Input} to {existing.Output}, {existing.Partitions} partitions, {existing.Reasons} reasons); give another job id, or the options it was started with.");
                }

                if (existing.Status != BatchJobStore.Succeeded)
                {
                    await CheckUnchangedAsync(store, existing.JobId, stop).ConfigureAwait(false);
                    await store.ReopenAsync(existing.JobId, stop).ConfigureAwait(false);
                }

                return (existing, true);
            }

            var plan = await _options.Input.PlanAsync(inputs, _options.Partitions, _options.Partitioning, stop).ConfigureAwait(false);
            var job = new BatchJobInfo
            {
                JobId = _options.JobId ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
                ModelName = _options.ModelName,
                ModelVersion = _options.ModelVersion,
                Input = _options.Input.Description,
                Output = _options.Output.Description,
                Partitioning = _options.Partitioning,
                Partitions = plan.Partitions.Count,
                IntegerIds = plan.IntegerIds,
                Reasons = _options.Reasons,
                Rejects = _options.Rejects,
                Status = BatchJobStore.Running,
                Rows = 0,
                Rejected = 0,
                PlannedRows = plan.Rows,
                Started = default,
                Ended = null,
                Error = null,
            };
            var (created, isNew) = await store.CreateAsync(job, key, plan.Fingerprint, plan.Partitions, stop).ConfigureAwait(false);
            if (!isNew)
            {
                await store.ReopenAsync(created.JobId, stop).ConfigureAwait(false);
            }

            return (created, !isNew);
        }

        /// <summary>A resumed job's file source must be the file it started on.</summary>
        private async Task CheckUnchangedAsync(BatchJobStore store, string jobId, CancellationToken stop)
        {
            var stored = await store.FingerprintAsync(jobId, stop).ConfigureAwait(false);
            if (stored.Length == 0)
            {
                return;
            }

            var now = _options.Input.Fingerprint();
            if (now != stored)
            {
                throw new BatchJobException($"{_options.Input.Description} changed since job {jobId} started on it (size and time {stored}, now {now}); its done partitions were read from the old file. Restore the file, or start a new job with other options (such as --partitions).");
            }
        }

        /// <summary>What makes two runs the same job: the options that decide what is written, and the job's name when it has one.</summary>
        private string Key()
        {
            var s = _options.Scoring;
            var text = string.Join('\n', _options.JobId ?? "", _options.ModelName, _options.ModelVersion, _options.Input.Description, _options.Input.IdColumn, _options.Output.Description, _options.Partitioning, _options.Partitions.ToString(CultureInfo.InvariantCulture),
                _options.Reasons.ToString(CultureInfo.InvariantCulture), _options.Rejects, s.UnknownCategory, s.OutOfRange, s.OutOfRangeTolerance.ToString("R", CultureInfo.InvariantCulture), s.InvalidProbability);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        }

        private async Task<int> WorkAsync(BatchJobStore store, BatchJobInfo job, OutputShape shape, IReadOnlyList<Features.InputColumn> inputs, CancellationToken stop)
        {
            await RefreshDoneAsync(store, job.JobId).ConfigureAwait(false);
            _doneAtStart = _doneBefore;

            // Partitions side by side, each with its own connections: one's reading and scoring overlap another's writing
            // and commit, instead of the pipeline draining at every partition boundary. A failure stops the others at theirs.
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var lanes = Enumerable.Range(0, Math.Min(Math.Min(_options.ParallelPartitions, _options.Output.MaxParallelPartitions), job.Partitions)).Select(_ => Task.Run(async () =>
            {
                try
                {
                    return await LaneAsync(store, job, shape, inputs, failed.Token).ConfigureAwait(false);
                }
                catch
                {
                    await failed.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            }, CancellationToken.None)).ToArray();
            try
            {
                await Task.WhenAll(lanes).ConfigureAwait(false);
            }
            catch when (lanes.Any(l => l.IsFaulted))
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(lanes.First(l => l.IsFaulted).Exception!.InnerException!);
            }

            var written = lanes.Sum(l => l.Result);
            var standing = await store.StandingAsync(job.JobId, _worker, CancellationToken.None).ConfigureAwait(false);
            if (standing.Status == BatchJobStore.Running && standing.Pending == 0 && standing.Failed == 0)
            {
                try
                {
                    await _options.Output.FinishAsync(store, job.JobId, job.Partitions, shape, CancellationToken.None).ConfigureAwait(false);
                }
                catch (BatchJobException e)
                {
                    await store.FailJobAsync(job.JobId, e.Message, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }

                await store.SucceedAsync(job.JobId, CancellationToken.None).ConfigureAwait(false);
            }
            else if (stop.IsCancellationRequested && standing.Leased == 0 && standing.Pending > 0)
            {
                // Asked to stop: the job stays resumable; it is marked stopped unless another worker is still at it.
                await store.StopAsync(job.JobId, CancellationToken.None).ConfigureAwait(false);
            }

            return written;
        }

        /// <summary>Takes partitions one after another until none is left or the worker is asked to stop; returns how many it wrote.</summary>
        private async Task<int> LaneAsync(BatchJobStore store, BatchJobInfo job, OutputShape shape, IReadOnlyList<Features.InputColumn> inputs, CancellationToken stop)
        {
            var written = 0;
            var idle = TimeSpan.FromMilliseconds(Math.Clamp(_options.Lease.TotalMilliseconds / 4, 200, 5_000));
            while (!stop.IsCancellationRequested)
            {
                var partition = await store.ClaimAsync(job.JobId, _worker, _options.Lease, CancellationToken.None).ConfigureAwait(false);
                if (partition is null)
                {
                    var (pending, leased, leasedByOthers, _, failed, status) = await store.StandingAsync(job.JobId, _worker, CancellationToken.None).ConfigureAwait(false);
                    if (status == BatchJobStore.Failed || failed > 0)
                    {
                        var failedJob = (await store.FindAsync(job.JobId, CancellationToken.None).ConfigureAwait(false))!;
                        throw new BatchJobException($"Job {job.JobId} failed: {failedJob.Error}");
                    }

                    if (status != BatchJobStore.Running || pending == 0 || (leasedByOthers == 0 && leased == pending))
                    {
                        // Done, or what is left is this worker's other lanes' work.
                        return written;
                    }

                    // Partitions held by other workers: wait for them to finish, or for a lease to run out.
                    try
                    {
                        await Task.Delay(idle, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return written;
                    }

                    continue;
                }

                try
                {
                    if (await WritePartitionAsync(store, job, shape, inputs, partition).ConfigureAwait(false))
                    {
                        written++;
                        await RefreshDoneAsync(store, job.JobId).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is BatchJobException or CreditScoringException or DbException or IOException or InvalidOperationException or FormatException)
                {
                    await store.FailAsync(job.JobId, partition.Index, _worker, e.Message, CancellationToken.None).ConfigureAwait(false);
                    throw new BatchJobException($"Job {job.JobId} failed in partition {partition.Index.ToString(CultureInfo.InvariantCulture)}: {e.Message}", e);
                }
            }

            return written;
        }

        private async Task RefreshDoneAsync(BatchJobStore store, string jobId)
        {
            var partitions = await store.PartitionsAsync(jobId, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _doneBefore, partitions.Sum(p => p.Status == "done" ? p.Rows + p.Rejected : 0));
            Volatile.Write(ref _partitionsDone, partitions.Count(p => p.Status == "done"));
        }

        /// <summary>Reads, scores and writes one partition; <see langword="false"/> when its lease was lost (nothing of it kept).</summary>
        private async Task<bool> WritePartitionAsync(BatchJobStore store, BatchJobInfo job, OutputShape shape, IReadOnlyList<Features.InputColumn> inputs, PartitionBounds partition)
        {
            using var lease = new CancellationTokenSource();
            using var work = CancellationTokenSource.CreateLinkedTokenSource(lease.Token);
            using var heartbeatStop = new CancellationTokenSource();
            var heartbeat = HeartbeatAsync(store, job.JobId, partition.Index, lease, heartbeatStop.Token);
            var free = Channel.CreateUnbounded<ChunkBuffer>();
            for (var b = 0; b < 4; b++)
            {
                free.Writer.TryWrite(new ChunkBuffer(inputs, job.IntegerIds, _options.ChunkRows));
            }

            var read = Channel.CreateBounded<ChunkBuffer>(2);
            var scored = Channel.CreateBounded<ScoredRows>(2);
            var rejects = new List<BatchReject>();
            long rows = 0, rejected = 0;
            var token = work.Token;
            var reading = Task.Run(() => ReadAsync(partition, inputs, job, free, read, token), token);
            var scoring = Task.Run(() => ScoreAsync(partition, job, read, scored, free, rejects, token), token);
            try
            {
                var writer = await _options.Output.BeginAsync(store, shape, job.JobId, partition.Index, token).ConfigureAwait(false);
                await using (writer.ConfigureAwait(false))
                {
                    await foreach (var chunk in scored.Reader.ReadAllAsync(token).ConfigureAwait(false))
                    {
                        var started = Stopwatch.GetTimestamp();
                        await writer.WriteAsync(chunk, token).ConfigureAwait(false);
                        Interlocked.Add(ref _writeTicks, Stopwatch.GetTimestamp() - started);
                        rows += chunk.Rows.Length;
                        rejected += chunk.Chunk.Count - chunk.Rows.Length;
                        Report(job, Volatile.Read(ref _doneBefore) + Interlocked.Add(ref _inFlight, chunk.Chunk.Count));
                        chunk.Chunk.Clear();
                        free.Writer.TryWrite(chunk.Chunk);
                    }

                    await Task.WhenAll(reading, scoring).ConfigureAwait(false);
                    var committing = Stopwatch.GetTimestamp();
                    await heartbeatStop.CancelAsync().ConfigureAwait(false);
                    await heartbeat.ConfigureAwait(false);
                    var kept = !lease.IsCancellationRequested && await writer.CommitAsync((c, t, ct) => store.CompleteAsync(c, t, job.JobId, partition.Index, _worker, rows, rejects, ct), CancellationToken.None).ConfigureAwait(false);
                    Interlocked.Add(ref _writeTicks, Stopwatch.GetTimestamp() - committing);
                    if (kept)
                    {
                        Interlocked.Add(ref _rowsWritten, rows);
                        Interlocked.Add(ref _rowsRejected, rejected);
                    }

                    return kept;
                }
            }
            catch (OperationCanceledException) when (lease.IsCancellationRequested)
            {
                return false;
            }
            finally
            {
                Interlocked.Add(ref _inFlight, -(rows + rejected));

                // Whatever happened, the reader and scorer stop and their connections close before the partition is left.
                await work.CancelAsync().ConfigureAwait(false);
                await heartbeatStop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(reading, scoring, heartbeat).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }

        private async Task ReadAsync(PartitionBounds partition, IReadOnlyList<Features.InputColumn> inputs, BatchJobInfo job, Channel<ChunkBuffer> free, Channel<ChunkBuffer> read, CancellationToken token)
        {
            long waited = 0;
            async ValueTask<ChunkBuffer> Rent(CancellationToken ct)
            {
                var started = Stopwatch.GetTimestamp();
                var buffer = await free.Reader.ReadAsync(ct).ConfigureAwait(false);
                waited += Stopwatch.GetTimestamp() - started;
                return buffer;
            }

            try
            {
                var begun = Stopwatch.GetTimestamp();
                await foreach (var chunk in _options.Input.ReadAsync(inputs, job.IntegerIds, job.Partitioning, partition, Rent, token).ConfigureAwait(false))
                {
                    var handing = Stopwatch.GetTimestamp();
                    await read.Writer.WriteAsync(chunk, token).ConfigureAwait(false);
                    waited += Stopwatch.GetTimestamp() - handing;
                }

                Interlocked.Add(ref _readTicks, Stopwatch.GetTimestamp() - begun - waited);
                read.Writer.Complete();
            }
            catch (Exception e)
            {
                read.Writer.Complete(e);
                throw;
            }
        }

        private async Task ScoreAsync(PartitionBounds partition, BatchJobInfo job, Channel<ChunkBuffer> read, Channel<ScoredRows> scored, Channel<ChunkBuffer> free, List<BatchReject> rejects, CancellationToken token)
        {
            try
            {
                await foreach (var chunk in read.Reader.ReadAllAsync(token).ConfigureAwait(false))
                {
                    if (chunk.Count == 0)
                    {
                        free.Writer.TryWrite(chunk);
                        continue;
                    }

                    var started = Stopwatch.GetTimestamp();
                    var result = Score(partition, job, chunk, rejects);
                    Interlocked.Add(ref _scoreTicks, Stopwatch.GetTimestamp() - started);
                    await scored.Writer.WriteAsync(result, token).ConfigureAwait(false);
                }

                scored.Writer.Complete();
            }
            catch (Exception e)
            {
                scored.Writer.Complete(e);
                throw;
            }
        }

        /// <summary>Scores a chunk; rows that cannot be scored are rejected (or fail the job) by id and column.</summary>
        private ScoredRows Score(PartitionBounds partition, BatchJobInfo job, ChunkBuffer chunk, List<BatchReject> rejects)
        {
            if (chunk.Rejected > 0)
            {
                for (var i = 0; i < chunk.Count; i++)
                {
                    if (chunk.IsRejected(i, out var column, out var reason))
                    {
                        Reject(partition, chunk.IdText(i), column, reason, rejects);
                    }
                }
            }

            var (table, rows) = chunk.ToTable();
            try
            {
                return Scored(chunk, rows, table);
            }
            catch (ScoringInputException)
            {
                // Some row the scorer refuses: find which, one by one, and score the others together.
                var keep = new List<int>(rows.Length);
                for (var k = 0; k < rows.Length; k++)
                {
                    try
                    {
                        _ = _scorer.ScoreBatch(table.SelectRows([k]));
                        keep.Add(k);
                    }
                    catch (ScoringInputException e)
                    {
                        chunk.Reject(rows[k], e.Column, e.Message);
                        Reject(partition, chunk.IdText(rows[k]), e.Column, e.Message, rejects);
                    }
                }

                return Scored(chunk, [.. keep.Select(k => rows[k])], table.SelectRows([.. keep]));
            }
        }

        private ScoredRows Scored(ChunkBuffer chunk, int[] rows, Data.CreditData table)
        {
            if (rows.Length == 0)
            {
                return new ScoredRows(chunk, [], [], null);
            }

            if (_explainer is null)
            {
                return new ScoredRows(chunk, rows, [.. _scorer.ScoreBatch(table)], null);
            }

            var explained = _explainer.ReasonsBatch(table);
            var scores = new CreditScore[explained.Count];
            var reasons = new IReadOnlyList<ReasonCode>[explained.Count];
            for (var k = 0; k < scores.Length; k++)
            {
                (scores[k], reasons[k]) = (explained[k].Score, explained[k].Reasons);
            }

            return new ScoredRows(chunk, rows, scores, reasons);
        }

        private void Reject(PartitionBounds partition, string id, string? column, string reason, List<BatchReject> rejects)
        {
            if (_options.Rejects == RejectHandling.Fail)
            {
                throw new BatchJobException($"row with {_options.Input.IdColumn} {id}{(column is null ? "" : $", column {column}")}: {reason} (partition {partition.Index.ToString(CultureInfo.InvariantCulture)}; set rejects to table to write such rows to batch_rejects and go on).");
            }

            rejects.Add(new BatchReject(id, column, reason));
        }

        private async Task HeartbeatAsync(BatchJobStore store, string jobId, int partition, CancellationTokenSource lease, CancellationToken stop)
        {
            var period = _options.Lease / 3;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(period, stop).ConfigureAwait(false);
                    if (!await store.HeartbeatAsync(jobId, partition, _worker, _options.Lease, stop).ConfigureAwait(false))
                    {
                        await lease.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e) when (e is DbException or TimeoutException or IOException)
                {
                    // A missed heartbeat is retried; the lease only runs out if they keep failing.
                }
            }
        }

        private void Report(BatchJobInfo job, long done)
        {
            if (_progress is null)
            {
                return;
            }

            var seconds = _clock.Elapsed.TotalSeconds;
            var rate = seconds > 0 ? (done - _doneAtStart) / seconds : 0;
            _progress.Report(new BatchProgress
            {
                JobId = job.JobId,
                RowsDone = done,
                RowsTotal = job.PlannedRows,
                RowsPerSecond = rate,
                Remaining = rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, job.PlannedRows - done) / rate) : null,
                PartitionsDone = Volatile.Read(ref _partitionsDone),
                PartitionsTotal = job.Partitions,
            });
        }

        private static double Seconds(long ticks) => ticks / (double)Stopwatch.Frequency;
    }
}
