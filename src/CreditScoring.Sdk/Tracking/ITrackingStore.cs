namespace CreditScoring.Sdk.Tracking;

/// <summary>A run to create: its name, who runs it, when it starts, its first tags and its parent.</summary>
public sealed record NewRun
{
    /// <summary>The run's name; empty for a generated one.</summary>
    public string RunName { get; init; } = "";

    /// <summary>Who runs it (default: the operating system user).</summary>
    public string UserId { get; init; } = Environment.UserName;

    /// <summary>When it starts, in milliseconds since the Unix epoch, or <see langword="null"/> (the default) for now, by the store's clock.</summary>
    public long? StartTime { get; init; }

    /// <summary>Tags to set at once (source, git commit, description...).</summary>
    public IReadOnlyList<RunTag> Tags { get; init; } = [];

    /// <summary>The parent run's id for a nested run (a cross-validation fold, a search trial), stored as MLflow's <c>mlflow.parentRunId</c> tag.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>What the run is for, in words (empty by default), stored as MLflow's description tag <c>mlflow.note.content</c>.</summary>
    public string Description { get; init; } = "";
}

/// <summary>A run search: the experiments, a filter and an ordering in MLflow's grammar, and a page.</summary>
public sealed record RunSearch
{
    /// <summary>The experiments to search (at least one).</summary>
    public required IReadOnlyList<string> ExperimentIds { get; init; }

    /// <summary>The filter (<see cref="RunFilter"/>); empty for every run.</summary>
    public string? Filter { get; init; }

    /// <summary>The ordering (<see cref="RunOrder"/>); empty for the newest first.</summary>
    public IReadOnlyList<string> OrderBy { get; init; } = [];

    /// <summary>The most runs on one page, 1 to 50,000 (default 1,000, as MLflow).</summary>
    public int MaxResults { get; init; } = 1000;

    /// <summary>The token of the page to read, from the previous page; <see langword="null"/> for the first.</summary>
    public string? PageToken { get; init; }
}

/// <summary>One page of a run search.</summary>
/// <param name="Runs">The runs, in order.</param>
/// <param name="NextPageToken">The token of the next page, or <see langword="null"/> on the last.</param>
public sealed record RunPage(IReadOnlyList<TrackedRun> Runs, string? NextPageToken);

/// <summary>One entry of a run's artifacts: a file or a folder.</summary>
/// <param name="Path">Its path under the run's artifacts, with <c>/</c> between folders.</param>
/// <param name="IsDirectory">A folder.</param>
/// <param name="Size">A file's size in bytes; <see langword="null"/> for a folder.</param>
public sealed record ArtifactInfo(string Path, bool IsDirectory, long? Size);

/// <summary>
/// Where experiments and runs are kept: one interface for the embedded SQLite store, PostgreSQL and an MLflow tracking
/// server, with one conformance suite run against each. Every store checks <see cref="TrackingRules"/> before it writes
/// and writes a batch whole or not at all; a request that breaks a rule or names what does not exist throws
/// <see cref="TrackingException"/> and changes nothing. A store holds connections (a pool, an HTTP client): dispose it
/// when done.
/// </summary>
public interface ITrackingStore : IDisposable
{
    /// <summary>Creates an experiment.</summary>
    /// <param name="name">Its name, unique in the store.</param>
    /// <param name="tags">Its tags, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Its id.</returns>
    /// <exception cref="TrackingException">The name breaks a rule, or is taken (<see cref="TrackingErrorCode.ResourceAlreadyExists"/>).</exception>
    Task<string> CreateExperimentAsync(string name, IReadOnlyList<RunTag>? tags = null, CancellationToken cancellationToken = default);

    /// <summary>Reads an experiment.</summary>
    /// <param name="experimentId">Its id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The experiment.</returns>
    /// <exception cref="TrackingException">There is none with that id (<see cref="TrackingErrorCode.ResourceDoesNotExist"/>).</exception>
    Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>Finds an experiment by name.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The experiment, or <see langword="null"/>.</returns>
    Task<Experiment?> FindExperimentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists the active experiments, by id.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The experiments.</returns>
    Task<IReadOnlyList<Experiment>> ListExperimentsAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts a run (status <see cref="RunStatus.Running"/>).</summary>
    /// <param name="experimentId">Its experiment.</param>
    /// <param name="run">Its name, user, start, tags and parent.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The run.</returns>
    /// <exception cref="TrackingException">The experiment or the parent does not exist, or a tag breaks a rule.</exception>
    Task<TrackedRun> CreateRunAsync(string experimentId, NewRun run, CancellationToken cancellationToken = default);

    /// <summary>Reads a run with its latest metric values, parameters, tags and inputs.</summary>
    /// <param name="runId">Its id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The run.</returns>
    /// <exception cref="TrackingException">There is none with that id.</exception>
    Task<TrackedRun> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Sets a run's status, end time and (when given) name.</summary>
    /// <param name="runId">Its id.</param>
    /// <param name="status">The status.</param>
    /// <param name="endTime">When it ended, in milliseconds since the Unix epoch, or <see langword="null"/> to leave it.</param>
    /// <param name="runName">A new name, or <see langword="null"/> to leave it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">There is no such run.</exception>
    Task UpdateRunAsync(string runId, RunStatus status, long? endTime = null, string? runName = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Logs metric values, parameters and tags to a run in one batch (MLflow's <c>log-batch</c>): all of it or, when any
    /// entry breaks a rule or a parameter already holds another value, none of it.
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="metrics">Metric values (kept with their whole history).</param>
    /// <param name="parameters">Parameters: set once; the same value again is accepted, another is an error naming both.</param>
    /// <param name="tags">Tags (a tag's value may change).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">A rule is broken, a parameter would change, or the run does not exist or is deleted.</exception>
    Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken = default);

    /// <summary>Records the data sets a run read (the same data set and context twice is kept once).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="inputs">The data sets.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">An input breaks a rule, or the run does not exist.</exception>
    Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken = default);

    /// <summary>Every value logged for a metric of a run, by step, then time.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="key">The metric.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The history (empty when the metric was never logged).</returns>
    /// <exception cref="TrackingException">The run does not exist.</exception>
    Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default);

    /// <summary>Searches runs (MLflow's <c>runs/search</c>).</summary>
    /// <param name="search">The experiments, filter, ordering and page.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>One page of runs.</returns>
    /// <exception cref="TrackingException">The filter, ordering, page size or token is bad.</exception>
    Task<RunPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken = default);

    /// <summary>Stores a file as an artifact of a run (the model file, a report, a picture), written whole: a reader sees the old file or the new, never a part.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="path">Its path under the run's artifacts (<see cref="TrackingRules.CheckArtifactPath"/>), such as <c>model/model.json</c>.</param>
    /// <param name="content">The bytes, read to the end.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">The path is not a safe relative path, or the run does not exist.</exception>
    Task LogArtifactAsync(string runId, string path, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Lists a run's artifacts in a folder (MLflow's <c>artifacts/list</c>), by path.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="path">The folder, or <see langword="null"/> for the top.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The files and folders directly in it (empty when there is none).</returns>
    /// <exception cref="TrackingException">The path is not safe, or the run does not exist.</exception>
    Task<IReadOnlyList<ArtifactInfo>> ListArtifactsAsync(string runId, string? path = null, CancellationToken cancellationToken = default);

    /// <summary>Opens an artifact for reading.</summary>
    /// <param name="runId">The run.</param>
    /// <param name="path">Its path.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A stream the caller disposes.</returns>
    /// <exception cref="TrackingException">The path is not safe, or the run or the artifact does not exist.</exception>
    Task<Stream> OpenArtifactAsync(string runId, string path, CancellationToken cancellationToken = default);
}
