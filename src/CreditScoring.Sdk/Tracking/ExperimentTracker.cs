namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// Where training logs its runs: a store and an experiment (found, or created on first use). Give it to
/// <c>CreditPipeline.Fit</c>, or to the <c>CreditScoringContext</c> so that every fit of its pipelines is logged.
/// Thread-safe.
/// </summary>
public sealed class ExperimentTracker
{
    private string? _experimentId;
    private TrackedRun? _lastRun;

    /// <summary>Creates a tracker.</summary>
    /// <param name="store">The store (<c>SqliteTrackingStore.Open("mlruns.db")</c> for the embedded one).</param>
    /// <param name="experiment">The experiment's name (default <c>Default</c>, MLflow's experiment 0).</param>
    /// <param name="userId">Who runs the fits (default: the operating system user).</param>
    /// <exception cref="TrackingException">The experiment name breaks MLflow's rules.</exception>
    public ExperimentTracker(ITrackingStore store, string experiment = "Default", string? userId = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        TrackingRules.CheckExperimentName(experiment);
        Store = store;
        Experiment = experiment;
        UserId = userId ?? Environment.UserName;
    }

    /// <summary>The store.</summary>
    public ITrackingStore Store { get; }

    /// <summary>The experiment's name.</summary>
    public string Experiment { get; }

    /// <summary>Who runs the fits.</summary>
    public string UserId { get; }

    /// <summary>
    /// The last top-level run this tracker started (a fit's, a cross-validation's, a search's), as MLflow's
    /// <c>last_active_run()</c>: after an autologged fit, the run to add a test evaluation or a report to. With several
    /// fits at once on one tracker it is whichever started last; give each its own tracker to tell them apart.
    /// </summary>
    public TrackedRun? LastRun => Volatile.Read(ref _lastRun);

    /// <summary>The experiment's id, creating the experiment on first use.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The id.</returns>
    public async Task<string> ExperimentIdAsync(CancellationToken cancellationToken = default)
    {
        if (_experimentId is { } known)
        {
            return known;
        }

        // Two first calls at once may both look the experiment up; the creation's conflict resolves it.
        var found = await Store.FindExperimentAsync(Experiment, cancellationToken).ConfigureAwait(false);
        if (found is not null)
        {
            return _experimentId = found.ExperimentId;
        }

        try
        {
            return _experimentId = await Store.CreateExperimentAsync(Experiment, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (TrackingException e) when (e.Code == TrackingErrorCode.ResourceAlreadyExists)
        {
            // Another thread or process created it between the two calls.
            return _experimentId = (await Store.FindExperimentAsync(Experiment, cancellationToken).ConfigureAwait(false))!.ExperimentId;
        }
    }

    /// <summary>Starts a run in the experiment.</summary>
    /// <param name="runName">Its name.</param>
    /// <param name="tags">Tags to set at once.</param>
    /// <param name="parentRunId">The parent run, for a nested run.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The run.</returns>
    public async Task<TrackedRun> StartRunAsync(string runName, IReadOnlyList<RunTag>? tags = null, string? parentRunId = null, CancellationToken cancellationToken = default)
    {
        return await StartRunAsync(new NewRun { RunName = runName, Tags = tags ?? [], ParentRunId = parentRunId }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a run in the experiment, by this tracker's user, with the source's tags (<see cref="RunSource.Tags"/>: the
    /// program and the git commit) unless the run gives its own; a top-level run becomes <see cref="LastRun"/>.
    /// </summary>
    /// <param name="run">Its name, start, tags and parent (its user is replaced by <see cref="UserId"/>).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The run.</returns>
    public async Task<TrackedRun> StartRunAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var experimentId = await ExperimentIdAsync(cancellationToken).ConfigureAwait(false);
        // MLflow's system tags of the source (program, git commit) unless the run names its own.
        var tags = run.Tags.Concat(RunSource.Tags.Where(t => !run.Tags.Any(given => given.Key == t.Key))).ToArray();
        var started = await Store.CreateRunAsync(experimentId, run with { UserId = UserId, Tags = tags }, cancellationToken).ConfigureAwait(false);
        if (run.ParentRunId is null)
        {
            Volatile.Write(ref _lastRun, started);
        }

        return started;
    }
}
