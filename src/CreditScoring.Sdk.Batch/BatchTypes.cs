using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Batch;

/// <summary>What a job does with a source row the model cannot score (a value of the wrong type, a category or range the scorer refuses).</summary>
public enum RejectHandling
{
    /// <summary>The job fails (default): its history names the partition, the row's id, the column and the reason; nothing of that partition is written.</summary>
    Fail,

    /// <summary>The row goes to the job database's <c>batch_rejects</c> table (job, partition, id, column, reason), in the partition's transaction, and the job goes on.</summary>
    Table,
}

/// <summary>A row a job could not score.</summary>
/// <param name="Id">The row's id, as text.</param>
/// <param name="Column">The column at fault, or <see langword="null"/> when the row as a whole could not be scored.</param>
/// <param name="Reason">Why.</param>
public sealed record BatchReject(string Id, string? Column, string Reason);

/// <summary>A batch job cannot start or go on: a column is missing, an id is null, the input changed since the job began, a row could not be scored.</summary>
public sealed class BatchJobException : CreditScoringException
{
    /// <summary>Creates the exception.</summary>
    public BatchJobException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, where, and what was expected.</param>
    public BatchJobException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, where, and what was expected.</param>
    /// <param name="innerException">The cause.</param>
    public BatchJobException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>What a batch job does: the model, where it reads and writes, how it cuts and checks the work.</summary>
public sealed class BatchJobOptions
{
    /// <summary>The model.</summary>
    public required CreditModel Model { get; init; }

    /// <summary>The model's name, written on every output row (a registry name, or the file's name).</summary>
    public required string ModelName { get; init; }

    /// <summary>The model's version, written on every output row (a registry version, or the start of the file's SHA-256).</summary>
    public required string ModelVersion { get; init; }

    /// <summary>Where the applicants are.</summary>
    public required BatchSource Input { get; init; }

    /// <summary>Where the scores go.</summary>
    public required BatchSink Output { get; init; }

    /// <summary>
    /// The database of the job tables for a file output (SQLite path or PostgreSQL location). A database output keeps them
    /// in its own database, so that each partition's checkpoint is written in the transaction of its scores.
    /// </summary>
    /// <value>Default <see langword="null"/>: for a file output, <c>creditscoring-jobs.db</c> beside the output file.</value>
    public string? JobDatabase { get; init; }

    /// <summary>How many partitions the job is cut into (fewer when the source has fewer rows or ids).</summary>
    /// <value>Default 16.</value>
    public int Partitions { get; init; } = 16;

    /// <summary>How partitions are cut.</summary>
    /// <value>Default <see cref="BatchPartitioning.IdRanges"/>.</value>
    public BatchPartitioning Partitioning { get; init; } = BatchPartitioning.IdRanges;

    /// <summary>How many reason codes to write per row (the explainer's top reasons toward decline).</summary>
    /// <value>Default 0: none.</value>
    public int Reasons { get; init; }

    /// <summary>What a row the model cannot score does to the job.</summary>
    /// <value>Default <see cref="RejectHandling.Fail"/>.</value>
    public RejectHandling Rejects { get; init; } = RejectHandling.Fail;

    /// <summary>How the scorer treats out-of-range inputs, unknown categories and invalid probabilities.</summary>
    /// <value>Default: <see cref="ScorerOptions"/>' defaults.</value>
    public ScorerOptions Scoring { get; init; } = new();

    /// <summary>
    /// How many partitions this worker writes at once, each with its own connections: one partition's reading and scoring
    /// overlap another's writing and commit. A SQLite output takes one at a time (SQLite has one writer).
    /// </summary>
    /// <value>Default 2.</value>
    public int ParallelPartitions { get; init; } = 2;

    /// <summary>
    /// Rows read, scored and written at a time. Measured on 10,000,000 rows, chunks of 8,192 rows ran as fast as chunks of
    /// 65,536 with under half the peak memory (134 against 294 MiB): a chunk's columns then stay below the large-object
    /// heap's 85,000 bytes and are reclaimed young.
    /// </summary>
    /// <value>Default 8,192.</value>
    public int ChunkRows { get; init; } = 8_192;

    /// <summary>This worker's name in the job table (unique among the job's workers).</summary>
    /// <value>Default: the machine's name and the process id.</value>
    public string? WorkerId { get; init; }

    /// <summary>How long a partition stays with its worker without a heartbeat; another worker takes it after that.</summary>
    /// <value>Default 30 seconds (a heartbeat every third of it).</value>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The job's name (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>; up to 64), such as a date for a nightly run: the job of
    /// that name is created, resumed when unfinished, or left as is when it succeeded (so that a scheduler may run the
    /// same command again safely). It must have been started with the same options. Without a name, a run resumes the
    /// unfinished job of the same options, or creates a new one (named by 12 random hex digits).
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? JobId { get; init; }
}

/// <summary>How far a job is, as reported to <see cref="IProgress{T}"/> after every chunk written.</summary>
public sealed record BatchProgress
{
    /// <summary>The job.</summary>
    public required string JobId { get; init; }

    /// <summary>Rows done by the job (every worker; at this worker's last look), rejected ones included.</summary>
    public required long RowsDone { get; init; }

    /// <summary>The rows the job had when it was planned (for an analyzed PostgreSQL table, the planner's estimate).</summary>
    public required long RowsTotal { get; init; }

    /// <summary>Rows per second this worker scored and wrote since it started.</summary>
    public required double RowsPerSecond { get; init; }

    /// <summary>Time left at this worker's pace, or <see langword="null"/> before the first chunk.</summary>
    public required TimeSpan? Remaining { get; init; }

    /// <summary>Partitions done.</summary>
    public required int PartitionsDone { get; init; }

    /// <summary>Partitions in the job.</summary>
    public required int PartitionsTotal { get; init; }
}

/// <summary>A job in the job history.</summary>
public sealed record BatchJobInfo
{
    /// <summary>The job's id.</summary>
    public required string JobId { get; init; }

    /// <summary>The model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The model's version.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>The source.</summary>
    public required string Input { get; init; }

    /// <summary>The sink.</summary>
    public required string Output { get; init; }

    /// <summary>How the job is cut.</summary>
    public required BatchPartitioning Partitioning { get; init; }

    /// <summary>Its partitions.</summary>
    public required int Partitions { get; init; }

    /// <summary>Whether the ids are integers.</summary>
    public required bool IntegerIds { get; init; }

    /// <summary>Reason codes per row.</summary>
    public required int Reasons { get; init; }

    /// <summary>What a row the model cannot score does.</summary>
    public required RejectHandling Rejects { get; init; }

    /// <summary><c>running</c>, <c>succeeded</c>, <c>failed</c> or <c>stopped</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Rows written (scored) so far.</summary>
    public required long Rows { get; init; }

    /// <summary>Rows rejected so far.</summary>
    public required long Rejected { get; init; }

    /// <summary>Rows the source had when the job was planned (for an analyzed PostgreSQL table, the planner's estimate: the job does not scan the table to count it).</summary>
    public required long PlannedRows { get; init; }

    /// <summary>When the job was created.</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>When it succeeded, failed or stopped; <see langword="null"/> while running.</summary>
    public required DateTimeOffset? Ended { get; init; }

    /// <summary>Why it failed (the partition and the reason), or <see langword="null"/>.</summary>
    public required string? Error { get; init; }
}

/// <summary>A partition of a job.</summary>
public sealed record BatchPartitionInfo
{
    /// <summary>Its number, from 0.</summary>
    public required int Partition { get; init; }

    /// <summary>Its lower bound (an id, a hash bucket or a first row), or <see langword="null"/> when open.</summary>
    public required string? LowerBound { get; init; }

    /// <summary>Its upper bound (exclusive), or <see langword="null"/> when open.</summary>
    public required string? UpperBound { get; init; }

    /// <summary><c>pending</c>, <c>done</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The worker that wrote it (when done) or that holds its lease now (when pending), or <see langword="null"/>.</summary>
    public required string? Worker { get; init; }

    /// <summary>How many times a worker took it.</summary>
    public required int Attempts { get; init; }

    /// <summary>Rows written.</summary>
    public required long Rows { get; init; }

    /// <summary>Rows rejected.</summary>
    public required long Rejected { get; init; }

    /// <summary>When a worker first took it.</summary>
    public required DateTimeOffset? Started { get; init; }

    /// <summary>When it was done.</summary>
    public required DateTimeOffset? Finished { get; init; }

    /// <summary>Why it failed, or <see langword="null"/>.</summary>
    public required string? Error { get; init; }
}

/// <summary>What a worker did in a job.</summary>
public sealed record BatchJobResult
{
    /// <summary>The job (see the job history for all workers' work).</summary>
    public required BatchJobInfo Job { get; init; }

    /// <summary>Whether this worker resumed an existing job rather than creating it.</summary>
    public required bool Resumed { get; init; }

    /// <summary>Partitions this worker wrote.</summary>
    public required int PartitionsWritten { get; init; }

    /// <summary>Rows this worker wrote.</summary>
    public required long RowsWritten { get; init; }

    /// <summary>Rows this worker rejected.</summary>
    public required long RowsRejected { get; init; }

    /// <summary>Seconds this worker spent reading the source (waiting for rows).</summary>
    public required double ReadSeconds { get; init; }

    /// <summary>Seconds this worker spent scoring (and explaining).</summary>
    public required double ScoreSeconds { get; init; }

    /// <summary>Seconds this worker spent writing (and committing).</summary>
    public required double WriteSeconds { get; init; }

    /// <summary>Seconds from start to end of this worker.</summary>
    public required double TotalSeconds { get; init; }
}
