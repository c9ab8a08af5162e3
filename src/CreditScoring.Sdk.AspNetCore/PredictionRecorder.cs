using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using CreditScoring.Sdk.Drift;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>Where scored requests go, and how the drift monitor watches them.</summary>
public sealed class PredictionEventOptions
{
    /// <summary>The configuration section: <c>CreditScoring:Events</c>.</summary>
    public const string SectionName = "CreditScoring:Events";

    /// <summary>The event store: a SQLite file path (default <c>predictions.db</c>), a <c>postgresql://</c> URI or an Npgsql connection string.</summary>
    public string Store { get; set; } = "predictions.db";

    /// <summary>Events waiting to be written before a new one is dropped (and counted) rather than delay a request; default 65,536.</summary>
    public int QueueCapacity { get; set; } = 65_536;

    /// <summary>The most events written in one transaction; default 1,000.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// How long the writer lets events gather after a batch smaller than <see cref="BatchSize"/>, so that a steady stream is
    /// written in a few transactions per second of hundreds of events each, not one per event, and the writer works in small
    /// slices that never hold up requests for long; default 10 ms (about the longest an event waits to be written,
    /// when the store keeps up).
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Attempts to write a batch before its events are counted as dropped (the store did not answer); default 5, waiting 0.2 s, 0.4 s, 0.8 s … between them.</summary>
    public int WriteAttempts { get; set; } = 5;

    /// <summary>
    /// The secret an applicant id is hashed with (HMAC-SHA-256), so that the store holds no id a reader could look up or
    /// guess; <see langword="null"/> (the default) hashes with plain SHA-256, which hides the id but lets anyone who knows
    /// an id find its events. Set it in production, and keep it: outcomes by applicant id match through the same hash.
    /// </summary>
    public string? ApplicantIdKey { get; set; }

    /// <summary>The drift monitor's windows and thresholds over the champion's events; default <see cref="DriftMonitorOptions"/> (windows of 1,000 events).</summary>
    public DriftMonitorOptions Monitor { get; set; } = new();

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Store, "CreditScoring:Events:Store");
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, "CreditScoring:Events:QueueCapacity");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, "CreditScoring:Events:BatchSize");
        ArgumentOutOfRangeException.ThrowIfLessThan(WriteAttempts, 1, "CreditScoring:Events:WriteAttempts");
        ArgumentOutOfRangeException.ThrowIfLessThan(FlushInterval, TimeSpan.Zero, "CreditScoring:Events:FlushInterval");
        ArgumentNullException.ThrowIfNull(Monitor, "CreditScoring:Events:Monitor");
    }
}

/// <summary>Counts of the events a host recorded.</summary>
/// <param name="Recorded">Events taken into the queue.</param>
/// <param name="Written">Events committed to the store.</param>
/// <param name="Dropped">Events dropped: the queue was full, or the store refused their batch every attempt.</param>
/// <param name="Queued">Events waiting to be written now.</param>
public sealed record PredictionEventCounts(long Recorded, long Written, long Dropped, int Queued);

/// <summary>How the challenger's scores compare with the champion's over the requests both scored.</summary>
/// <param name="Requests">Requests the challenger was asked to score.</param>
/// <param name="Failed">Requests it could not score (it reads an input the champion does not, or a value it refuses).</param>
/// <param name="Disagreements">Requests where its decision differs from the champion's.</param>
/// <param name="MeanAbsoluteDifference">The mean absolute difference of the two probabilities (NaN before any).</param>
/// <param name="MaxAbsoluteDifference">The largest absolute difference of the two probabilities (0 before any).</param>
public sealed record ChallengerComparison(long Requests, long Failed, long Disagreements, double MeanAbsoluteDifference, double MaxAbsoluteDifference);

/// <summary>
/// Takes every scored request to the <see cref="PredictionEventStore"/> through a bounded queue, written in batches by
/// one background writer, so a request never waits for the store: when the queue is full the event is dropped, counted
/// (<c>creditscoring.events.dropped</c>, tagged <c>reason</c> = <c>queue_full</c> or <c>store_failed</c>) and logged,
/// never lost in silence. Written champion events feed a <see cref="DriftMonitor"/> per model version, against the
/// model's population profile; its alerts go to the logger, the <c>creditscoring.drift.alerts</c> counter and
/// <c>GET /v1/monitoring</c>. At shutdown the queue is written out before the host stops.
/// </summary>
public sealed partial class PredictionRecorder : BackgroundService
{
    private readonly PredictionEventOptions _options;
    private readonly Channel<(ServedModel Served, PredictionEvent Event)> _queue;
    private readonly Task<PredictionEventStore> _store;
    private readonly ILogger _logger;
    private readonly ILoggerFactory? _loggers;
    private readonly IMeterFactory? _meters;
    private readonly TimeProvider _time;
    private readonly byte[]? _hashKey;
    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _stopping;
    private bool _disposed;
    private long _recordedCount;
    private long _writtenCount;
    private long _droppedCount;
    private readonly Queue<DriftAlert> _alerts = new();
    private readonly Counter<long> _disagreements;
    private long _challengerRequests;
    private long _challengerFailed;
    private long _challengerDisagreements;
    private double _challengerDifference;
    private double _challengerMaxDifference;
    private (ServedModel Served, DriftMonitor? Monitor, string? Why)? _monitor;

    /// <summary>The alerts remembered for <see cref="Alerts"/>.</summary>
    private const int RememberedAlerts = 50;

    /// <summary>Creates the recorder and starts opening its store.</summary>
    /// <param name="options">The store, queue and monitor settings.</param>
    /// <param name="time">The clock of event times.</param>
    /// <param name="services">The logger and meter factories.</param>
    public PredictionRecorder(IOptions<PredictionEventOptions> options, TimeProvider time, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        _options = options.Value;
        _options.Validate();

        // A window's drift is computed on the writer's thread alone, never spread over the threads that answer requests.
        if (_options.Monitor.Drift.MaxDegreeOfParallelism < 0)
        {
            _options.Monitor.Drift.MaxDegreeOfParallelism = 1;
        }
        _time = time;
        _hashKey = _options.ApplicantIdKey is { Length: > 0 } key ? Encoding.UTF8.GetBytes(key) : null;
        _queue = Channel.CreateBounded<(ServedModel, PredictionEvent)>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _loggers = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
        _logger = _loggers?.CreateLogger("CreditScoring.Sdk.AspNetCore.Events") ?? NullLogger.Instance;
        _meters = services.GetService(typeof(IMeterFactory)) as IMeterFactory;
        var meter = _meters?.Create(Hosting.CreditScoringMetrics.MeterName) ?? new Meter(Hosting.CreditScoringMetrics.MeterName);
        _written = meter.CreateCounter<long>("creditscoring.events.written", unit: "{event}", description: "Prediction events committed to the event store.");
        _dropped = meter.CreateCounter<long>("creditscoring.events.dropped", unit: "{event}", description: "Prediction events dropped: the queue was full (queue_full) or the store refused them (store_failed).");
        _disagreements = meter.CreateCounter<long>("creditscoring.challenger.disagreements", unit: "{request}", description: "Requests where the challenger's decision differs from the champion's.");
        meter.CreateObservableGauge("creditscoring.events.queued", () => (long)_queue.Reader.Count, unit: "{event}", description: "Prediction events waiting to be written.");
        _store = PredictionEventStore.OpenAsync(_options.Store);
    }

    /// <summary>The event store, once open (it throws when the store cannot be opened).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The store.</returns>
    public Task<PredictionEventStore> StoreAsync(CancellationToken cancellationToken = default) => _store.WaitAsync(cancellationToken);

    /// <summary>What was recorded, written and dropped so far.</summary>
    public PredictionEventCounts Counts => new(Interlocked.Read(ref _recordedCount), Interlocked.Read(ref _writtenCount), Interlocked.Read(ref _droppedCount), _queue.Reader.Count);

    /// <summary>The monitor of the champion version whose events were written last, or <see langword="null"/> before any (or when the model has no population profile: <see cref="MonitorUnavailable"/> says why).</summary>
    public DriftMonitor? Monitor
    {
        get
        {
            lock (_gate)
            {
                return _monitor?.Monitor;
            }
        }
    }

    /// <summary>The model the monitor watches, or <see langword="null"/> before any event was written.</summary>
    public ServedModel? MonitoredModel
    {
        get
        {
            lock (_gate)
            {
                return _monitor?.Served;
            }
        }
    }

    /// <summary>The most recent drift alerts (at most 50), oldest first, across the model versions monitored.</summary>
    public IReadOnlyList<DriftAlert> Alerts
    {
        get
        {
            lock (_gate)
            {
                return [.. _alerts];
            }
        }
    }

    /// <summary>Why the served model cannot be monitored (it has no population profile), or <see langword="null"/>.</summary>
    public string? MonitorUnavailable
    {
        get
        {
            lock (_gate)
            {
                return _monitor?.Why;
            }
        }
    }

    /// <summary>An applicant id as the store keeps it: HMAC-SHA-256 with <see cref="PredictionEventOptions.ApplicantIdKey"/> (or SHA-256 without one), in lowercase hex.</summary>
    /// <param name="applicantId">The id.</param>
    /// <returns>The hash.</returns>
    public string HashApplicantId(string applicantId)
    {
        ArgumentNullException.ThrowIfNull(applicantId);
        var bytes = Encoding.UTF8.GetBytes(applicantId);
        return Convert.ToHexStringLower(_hashKey is null ? SHA256.HashData(bytes) : HMACSHA256.HashData(_hashKey, bytes));
    }

    /// <summary>A new event id: a time-ordered UUID (version 7) on the recorder's clock.</summary>
    /// <returns>The id.</returns>
    public string NewEventId() => Guid.CreateVersion7(_time.GetUtcNow()).ToString();

    /// <summary>Events per monitoring window (<see cref="DriftMonitorOptions.WindowSize"/>).</summary>
    public int MonitorWindowSize => _options.Monitor.WindowSize;

    /// <summary>The recorder's clock.</summary>
    public TimeProvider Time => _time;

    /// <summary>Queues an event without waiting; when the queue is full it is dropped and counted.</summary>
    /// <param name="served">The model that scored it (its monitor's reference).</param>
    /// <param name="prediction">The event.</param>
    /// <returns><see langword="true"/> when queued; <see langword="false"/> when dropped.</returns>
    public bool TryRecord(ServedModel served, PredictionEvent prediction)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(prediction);
        if (_queue.Writer.TryWrite((served, prediction)))
        {
            Interlocked.Increment(ref _recordedCount);
            return true;
        }

        Drop(1, "queue_full", null);
        return false;
    }

    /// <summary>How the challenger compares with the champion so far.</summary>
    public ChallengerComparison Challenger
    {
        get
        {
            lock (_gate)
            {
                var scored = _challengerRequests - _challengerFailed;
                return new ChallengerComparison(_challengerRequests, _challengerFailed, _challengerDisagreements, scored == 0 ? double.NaN : _challengerDifference / scored, _challengerMaxDifference);
            }
        }
    }

    /// <summary>Counts one request the challenger scored beside the champion.</summary>
    /// <param name="champion">The champion's score (the answer).</param>
    /// <param name="challenger">The challenger's score, or <see langword="null"/> when it could not score the request.</param>
    public void CompareChallenger(CreditScore champion, CreditScore? challenger)
    {
        var disagree = challenger is { } other && other.Decision != champion.Decision;
        lock (_gate)
        {
            _challengerRequests++;
            if (challenger is not { } scored)
            {
                _challengerFailed++;
                return;
            }

            var difference = Math.Abs(scored.Probability - champion.Probability);
            _challengerDifference += difference;
            _challengerMaxDifference = Math.Max(_challengerMaxDifference, difference);
            _challengerDisagreements += disagree ? 1 : 0;
        }

        if (disagree)
        {
            _disagreements.Add(1);
        }
    }

    /// <summary>Records outcomes in the store and in the monitor's rolling performance.</summary>
    /// <param name="outcomes">The outcomes, applicant ids as given (they are hashed here).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>For each outcome, the event it matched and the champion's probability, or <see langword="null"/>.</returns>
    public async Task<IReadOnlyList<OutcomeMatch?>> RecordOutcomesAsync(IReadOnlyList<PredictionOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var hashed = outcomes.Select(o => o.ApplicantId is null ? o : o with { ApplicantId = HashApplicantId(o.ApplicantId) }).ToList();
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var matched = await store.RecordOutcomesAsync(hashed, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var monitor = Monitor;
        for (var i = 0; i < matched.Count; i++)
        {
            if (matched[i] is { } match)
            {
                // The store knows the event's score: the monitor remembers no event while it waits for its outcome.
                monitor?.RecordOutcome(match.Probability, outcomes[i].Defaulted);
            }
        }

        return matched;
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may stop its services again after disposing them (WebApplicationFactory's second stop, seen in CI): the
        // writer was drained at the first stop, so a stop after disposal has nothing left to do.
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        _stopping = true;
        _queue.Writer.TryComplete(); // the writer drains what is queued, then ends
        await _stop.CancelAsync().ConfigureAwait(false); // and waits no more between batches
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        lock (_gate)
        {
            _monitor?.Monitor?.Dispose();
        }

        if (_store.IsCompletedSuccessfully)
        {
            _store.Result.Dispose();
        }

        _stop.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        PredictionEventStore store;
        try
        {
            store = await _store.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreUnavailable(_logger, e.Message);
            // Keep counting: every event queued from now on is dropped loudly, not held forever.
            await foreach (var _ in _queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                Drop(1, "store_failed", e.Message);
            }

            return;
        }

        var batch = new List<(ServedModel Served, PredictionEvent Event)>(_options.BatchSize);
        var events = new List<PredictionEvent>(_options.BatchSize);

        // Not the stopping token: at shutdown the queue is completed and drained, so nothing queued is lost.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            events.Clear();
            while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
                events.Add(item.Event);
            }

            if (await WriteAsync(store, events).ConfigureAwait(false))
            {
                Watch(batch);
            }

            // A small batch: let the next gather, unless the host is stopping (the queue is then completed and drained at once).
            if (batch.Count < _options.BatchSize && _options.FlushInterval > TimeSpan.Zero && !_queue.Reader.Completion.IsCompleted && !_stopping)
            {
                try
                {
                    await Task.Delay(_options.FlushInterval, _time, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: drain what is queued now.
                }
            }
        }
    }

    /// <summary>Writes a batch, retrying with doubling waits; when every attempt fails its events are dropped and counted.</summary>
    private async Task<bool> WriteAsync(PredictionEventStore store, List<PredictionEvent> events)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.WriteAsync(events).ConfigureAwait(false);
                Interlocked.Add(ref _writtenCount, events.Count);
                _written.Add(events.Count);
                return true;
            }
            catch (Exception e) when (SqlDatabase.IsStoreFailure(e))
            {
                if (attempt >= _options.WriteAttempts)
                {
                    Drop(events.Count, "store_failed", e.Message);
                    return false;
                }

                LogWriteRetry(_logger, events.Count, attempt, e.Message);
                await Task.Delay(delay, _time).ConfigureAwait(false);
                delay *= 2;
            }
        }
    }

    /// <summary>Feeds the written champion events to the monitor of their model version (a new version gets a new monitor).</summary>
    private void Watch(List<(ServedModel Served, PredictionEvent Event)> batch)
    {
        foreach (var (served, e) in batch)
        {
            if (e.Role != "champion")
            {
                continue;
            }

            DriftMonitor? monitor;
            lock (_gate)
            {
                if (_monitor?.Served != served)
                {
                    _monitor?.Monitor?.Dispose();
                    _monitor = served.Model.Profile is null
                        ? (served, null, $"Model {served.Name} version {served.Version} has no population profile (imported models have none), so its inputs cannot be compared with its training population.")
                        : (served, new DriftMonitor(served.Model, _options.Monitor, _loggers?.CreateLogger("CreditScoring.Sdk.Drift.Monitor"), _time, _meters), null);
                    if (_monitor.Value.Monitor is { } created)
                    {
                        created.Alert += (_, alert) =>
                        {
                            lock (_gate)
                            {
                                _alerts.Enqueue(alert);
                                if (_alerts.Count > RememberedAlerts)
                                {
                                    _alerts.Dequeue();
                                }
                            }
                        };
                    }
                }

                monitor = _monitor.Value.Monitor;
            }

            monitor?.Record(null, e.Inputs, e.Probability);
        }
    }

    private void Drop(long count, string reason, string? error)
    {
        var total = Interlocked.Add(ref _droppedCount, count);
        _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

        // Loud but bounded: the first drop, then one line per 10,000.
        if (total - count == 0 || (total / 10_000) != ((total - count) / 10_000))
        {
            LogDropped(_logger, count, reason, total, error ?? "the queue is full: the store is slower than the requests");
        }
    }

    [LoggerMessage(EventId = 311, Level = LogLevel.Error, Message = "Dropped {Count} prediction events ({Reason}); {Total} dropped since start: {Error}")]
    private static partial void LogDropped(ILogger logger, long count, string reason, long total, string error);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "Writing {Count} prediction events failed (attempt {Attempt}); retrying: {Error}")]
    private static partial void LogWriteRetry(ILogger logger, int count, int attempt, string error);

    [LoggerMessage(EventId = 313, Level = LogLevel.Critical, Message = "The prediction event store cannot be opened; every event will be dropped and counted: {Error}")]
    private static partial void LogStoreUnavailable(ILogger logger, string error);
}
