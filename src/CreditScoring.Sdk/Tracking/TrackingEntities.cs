namespace CreditScoring.Sdk.Tracking;

/// <summary>Where a run is in its life (MLflow's <c>RunStatus</c>).</summary>
public enum RunStatus
{
    /// <summary>Started and not yet ended.</summary>
    Running,

    /// <summary>Scheduled, not started (kept for MLflow clients; the SDK never creates one).</summary>
    Scheduled,

    /// <summary>Ended normally.</summary>
    Finished,

    /// <summary>Ended with an error.</summary>
    Failed,

    /// <summary>Stopped from outside (or found interrupted).</summary>
    Killed,
}

/// <summary>One value of a metric at a step and a time.</summary>
/// <param name="Key">The metric's name.</param>
/// <param name="Value">The value (NaN and infinities are kept, as MLflow keeps them).</param>
/// <param name="Timestamp">Milliseconds since the Unix epoch, at least 0.</param>
/// <param name="Step">The step (an iteration, a fold, a round), 0 by default.</param>
public sealed record Metric(string Key, double Value, long Timestamp, long Step = 0);

/// <summary>A parameter of a run: set once; logging another value for the key is an error.</summary>
/// <param name="Key">The parameter's name.</param>
/// <param name="Value">The value as text.</param>
public sealed record Param(string Key, string Value);

/// <summary>A tag: a key and a text value that may be changed.</summary>
/// <param name="Key">The tag's name.</param>
/// <param name="Value">The value.</param>
public sealed record RunTag(string Key, string Value);

/// <summary>A data set a run read.</summary>
/// <param name="Name">Its name, such as the file name.</param>
/// <param name="Digest">Its fingerprint (at most 36 characters, as MLflow's digest).</param>
/// <param name="Context">What the run used it for: <c>training</c>, <c>validation</c>, <c>test</c>...</param>
/// <param name="Rows">Its rows.</param>
/// <param name="Positives">Its defaults (rows with target 1), or −1 when it has no target.</param>
public sealed record DatasetInput(string Name, string Digest, string Context, long Rows, long Positives);

/// <summary>An experiment: a named group of runs.</summary>
public sealed record Experiment
{
    /// <summary>Its id.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>Its name, unique in the store.</summary>
    public required string Name { get; init; }

    /// <summary>Where its runs' artifacts go.</summary>
    public required string ArtifactLocation { get; init; }

    /// <summary><c>active</c> or <c>deleted</c>.</summary>
    public string LifecycleStage { get; init; } = "active";

    /// <summary>When it was created, in milliseconds since the Unix epoch.</summary>
    public required long CreationTime { get; init; }

    /// <summary>When it last changed, in milliseconds since the Unix epoch.</summary>
    public required long LastUpdateTime { get; init; }

    /// <summary>Its tags.</summary>
    public IReadOnlyList<RunTag> Tags { get; init; } = [];
}

/// <summary>What a run is: its ids, name, status and times (MLflow's <c>RunInfo</c>).</summary>
public sealed record RunInfo
{
    /// <summary>The run's id (32 lowercase hexadecimal digits when the SDK creates it).</summary>
    public required string RunId { get; init; }

    /// <summary>Its experiment.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>Its name.</summary>
    public required string RunName { get; init; }

    /// <summary>Who ran it.</summary>
    public required string UserId { get; init; }

    /// <summary>Its status.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>When it started, in milliseconds since the Unix epoch.</summary>
    public required long StartTime { get; init; }

    /// <summary>When it ended, or <see langword="null"/> while it runs.</summary>
    public long? EndTime { get; init; }

    /// <summary>Where its artifacts go.</summary>
    public required string ArtifactUri { get; init; }

    /// <summary><c>active</c> or <c>deleted</c>.</summary>
    public string LifecycleStage { get; init; } = "active";
}

/// <summary>A run with everything logged to it: its latest metric values, parameters, tags and data sets (MLflow's <c>Run</c>).</summary>
public sealed record TrackedRun
{
    /// <summary>What the run is.</summary>
    public required RunInfo Info { get; init; }

    /// <summary>Each metric's latest value (the largest step, then the latest time, then the largest value, as MLflow).</summary>
    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    /// <summary>The parameters.</summary>
    public IReadOnlyList<Param> Params { get; init; } = [];

    /// <summary>The tags (including <c>mlflow.*</c> system tags: parent run, source, git commit).</summary>
    public IReadOnlyList<RunTag> Tags { get; init; } = [];

    /// <summary>The data sets the run read.</summary>
    public IReadOnlyList<DatasetInput> Inputs { get; init; } = [];
}
