using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Scoring;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditScoring.Sdk.Drift;

/// <summary>How the monitor cuts the stream of scored events into windows.</summary>
public enum MonitorWindow
{
    /// <summary>Every <see cref="DriftMonitorOptions.WindowSize"/> events.</summary>
    Count,

    /// <summary>Every <see cref="DriftMonitorOptions.WindowDuration"/> of the monitor's clock (at most <see cref="DriftMonitorOptions.WindowSize"/> events).</summary>
    Time,
}

/// <summary>Settings of a <see cref="DriftMonitor"/>.</summary>
public sealed class DriftMonitorOptions
{
    /// <summary>Count or time windows; default <see cref="MonitorWindow.Count"/>.</summary>
    public MonitorWindow Window { get; set; } = MonitorWindow.Count;

    /// <summary>Events per count window, and the most a time window holds before it closes early; default 1,000.</summary>
    public int WindowSize { get; set; } = 1000;

    /// <summary>The length of a time window; default one hour.</summary>
    public TimeSpan WindowDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Alert when the PSI of a window's scores against the reference's exceeds this; default 0.25 ("significant").</summary>
    public double PredictionPsiAlert { get; set; } = 0.25;

    /// <summary>Tests, thresholds and the drift share of each window's column drift; default <see cref="DriftOptions"/>.</summary>
    public DriftOptions Drift { get; set; } = new();

    /// <summary>Outcomes kept for the rolling AUC, Gini and default rate; default 5,000.</summary>
    public int OutcomeWindow { get; set; } = 5000;

    /// <summary>Scored events remembered, by id, until their outcome arrives (the oldest are forgotten first); default 100,000.</summary>
    public int MaxPendingOutcomes { get; set; } = 100_000;

    /// <summary>Closed windows kept in <see cref="DriftMonitor.Windows"/>; default 24.</summary>
    public int History { get; set; } = 24;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(WindowSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WindowDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(OutcomeWindow, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingOutcomes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(History, 1);
        ArgumentNullException.ThrowIfNull(Drift);
        Drift.Validate();
    }
}

/// <summary>One closed window: when, how many events, and its drift against the reference.</summary>
/// <param name="Index">The window's number, from 0.</param>
/// <param name="Start">The first event's time.</param>
/// <param name="End">The last event's time.</param>
/// <param name="Events">Events in the window.</param>
/// <param name="Drift">Column, dataset and prediction drift of the window against the reference.</param>
/// <param name="Alerted">Whether the window raised an alert.</param>
public sealed record MonitorWindowResult(int Index, DateTimeOffset Start, DateTimeOffset End, int Events, DatasetDrift Drift, bool Alerted);

/// <summary>An alert: a window whose data or scores drifted past a threshold.</summary>
/// <param name="Window">The window.</param>
/// <param name="Reasons">What crossed its threshold, e.g. "dataset drift: 3 of 5 columns" or "score PSI 0.31 > 0.25".</param>
public sealed record DriftAlert(MonitorWindowResult Window, IReadOnlyList<string> Reasons);

/// <summary>Rolling performance over the most recent outcomes.</summary>
/// <param name="Outcomes">Outcomes in the rolling window.</param>
/// <param name="DefaultRate">Share of defaults.</param>
/// <param name="Auc">AUC of the scores against the outcomes (NaN with a single class).</param>
/// <param name="Gini">2·AUC − 1.</param>
public sealed record RollingPerformance(int Outcomes, double DefaultRate, double Auc, double Gini);

/// <summary>
/// Watches a model while it serves: scored events (features and score) go into count or time windows; each closed window
/// is compared with the reference (column drift and score PSI) and an alert is raised — the <see cref="Alert"/> event, an
/// <see cref="ILogger"/> warning and the <c>creditscoring.drift.alerts</c> counter of meter <c>CreditScoring</c> — when the
/// dataset drifts or the score PSI passes its threshold. Outcomes that arrive later (by event id) feed a rolling AUC, Gini
/// and default rate. Thread-safe; memory is bounded by the window size, the pending-outcome cap and the outcome window.
/// </summary>
public sealed partial class DriftMonitor : IDisposable
{
    /// <summary>The meter name of the monitor's instruments (the SDK's meter).</summary>
    public const string MeterName = "CreditScoring";

    private readonly object _gate = new();
    private readonly CreditData? _reference;
    private readonly PopulationProfile? _profile;
    private readonly double[]? _referenceScores;
    private string[] _columns;
    private bool[] _numeric;
    private readonly DriftMonitorOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _windows;
    private readonly Counter<long> _events;
    private readonly Dictionary<string, double> _pending = new(StringComparer.Ordinal);
    private readonly Queue<string> _pendingOrder = new();
    private readonly (double Score, int Label)[] _outcomes;
    private readonly List<MonitorWindowResult> _history = [];
    private List<double>[] _numbers;
    private List<string?>[] _labels;
    private List<double> _scores = [];
    private DateTimeOffset _windowStart;
    private DateTimeOffset _windowEnd;
    private int _windowIndex;
    private int _outcomeCount;
    private int _outcomeNext;

    /// <summary>Creates a monitor.</summary>
    /// <param name="reference">The reference population (e.g. the training data) with every monitored column.</param>
    /// <param name="model">The model whose inputs are monitored and whose reference scores the windows' scores are compared with; <see langword="null"/> to monitor the reference's feature columns without score drift.</param>
    /// <param name="options">Windows, thresholds and bounds; default <see cref="DriftMonitorOptions"/>.</param>
    /// <param name="logger">Receives a warning per alert; default none.</param>
    /// <param name="timeProvider">The clock of time windows and event times; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="meterFactory">Creates the <c>CreditScoring</c> meter; default a meter of its own.</param>
    public DriftMonitor(CreditData reference, CreditModel? model = null, DriftMonitorOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
        : this(options, logger, timeProvider, meterFactory)
    {
        ArgumentNullException.ThrowIfNull(reference);
        _reference = reference;
        _columns = model is not null
            ? [.. model.Input.Columns.Select(c => c.Name)]
            : [.. reference.Schema.Columns.Where(c => c.Role == ColumnRole.Feature && c.Kind is ColumnKind.Numeric or ColumnKind.Categorical).Select(c => c.Name)];
        _numeric = new bool[_columns.Length];
        for (var j = 0; j < _columns.Length; j++)
        {
            var index = reference.Schema.IndexOf(_columns[j]);
            if (index < 0)
            {
                throw new ArgumentException($"The reference has no column '{_columns[j]}', which the model reads.", nameof(reference));
            }

            _numeric[j] = reference.Schema[index].Kind == ColumnKind.Numeric;
        }

        if (model is not null)
        {
            _referenceScores = new double[reference.RowCount];
            model.CreateScorer().PredictProbabilities(reference, _referenceScores);
        }

        (_numbers, _labels) = NewBuffers();
    }

    /// <summary>Creates a monitor whose reference is the training population the model saved (<see cref="CreditModel.Profile"/>): no training data needed.</summary>
    /// <param name="model">A model with a population profile.</param>
    /// <param name="options">Windows, thresholds and bounds; default <see cref="DriftMonitorOptions"/>.</param>
    /// <param name="logger">Receives a warning per alert; default none.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="meterFactory">Creates the <c>CreditScoring</c> meter; default a meter of its own.</param>
    /// <exception cref="ArgumentException">The model has no profile (an imported model).</exception>
    public DriftMonitor(CreditModel model, DriftMonitorOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
        : this(options, logger, timeProvider, meterFactory)
    {
        ArgumentNullException.ThrowIfNull(model);
        _profile = model.Profile ?? throw new ArgumentException("The model has no population profile (models trained by this SDK save one; imported models do not); give the reference data instead.", nameof(model));
        _columns = [.. model.Input.Columns.Select(c => c.Name)];
        _numeric = [.. _columns.Select(c => _profile[c].Kind == ColumnKind.Numeric)];
        (_numbers, _labels) = NewBuffers();
    }

    private DriftMonitor(DriftMonitorOptions? options, ILogger? logger, TimeProvider? timeProvider, IMeterFactory? meterFactory)
    {
        _options = options ?? new DriftMonitorOptions();
        _options.Validate();
        _clock = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _columns = [];
        _numeric = [];

        var meter = meterFactory?.Create(MeterName);
        if (meter is null)
        {
            _ownedMeter = new Meter(MeterName);
            meter = _ownedMeter;
        }

        _alerts = meter.CreateCounter<long>("creditscoring.drift.alerts", unit: "{alert}", description: "Monitor windows that drifted past a threshold.");
        _windows = meter.CreateCounter<long>("creditscoring.drift.windows", unit: "{window}", description: "Monitor windows closed and compared with the reference.");
        _events = meter.CreateCounter<long>("creditscoring.drift.events", unit: "{event}", description: "Scored events recorded by the drift monitor.");
        _outcomes = new (double, int)[_options.OutcomeWindow];
        _numbers = [];
        _labels = [];
    }

    /// <summary>Raised (on the thread that closed the window) for every window that drifted past a threshold.</summary>
    public event EventHandler<DriftAlert>? Alert;

    /// <summary>The monitored columns.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>The most recent closed windows, oldest first (at most <see cref="DriftMonitorOptions.History"/>).</summary>
    public IReadOnlyList<MonitorWindowResult> Windows
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>Scored events waiting for their outcome.</summary>
    public int PendingOutcomes
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Records a scored event. Closes the window (and compares it with the reference) when it is full or its time is up.</summary>
    /// <param name="id">The event's id, to match its outcome later; <see langword="null"/> when no outcome will come.</param>
    /// <param name="features">The applicant's inputs by column name (numbers, strings, JSON values or null for missing); other keys are ignored.</param>
    /// <param name="score">The probability of default the model gave.</param>
    /// <returns>The window this event closed (a time window closes before the event that falls past its end is added), or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentException">A monitored column is absent, or a value has the wrong type.</exception>
    public MonitorWindowResult? Record(string? id, IReadOnlyDictionary<string, object?> features, double score)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A score is a probability of default in [0, 1].");
        }

        var numbers = new double[_columns.Length];
        var labels = new string?[_columns.Length];
        for (var j = 0; j < _columns.Length; j++)
        {
            if (!features.TryGetValue(_columns[j], out var value))
            {
                throw new ArgumentException($"The event has no value for monitored column '{_columns[j]}' (use null for a missing value).", nameof(features));
            }

            if (_numeric[j])
            {
                numbers[j] = Number(_columns[j], value);
            }
            else
            {
                labels[j] = Label(_columns[j], value);
            }
        }

        var now = _clock.GetUtcNow();
        Closing? closing = null;
        Closing? early = null;
        lock (_gate)
        {
            if (_options.Window == MonitorWindow.Time && _scores.Count > 0 && now - _windowStart >= _options.WindowDuration)
            {
                early = Swap();
            }

            if (_scores.Count == 0)
            {
                _windowStart = now;
            }

            _windowEnd = now;
            for (var j = 0; j < _columns.Length; j++)
            {
                if (_numeric[j])
                {
                    _numbers[j].Add(numbers[j]);
                }
                else
                {
                    _labels[j].Add(labels[j]);
                }
            }

            _scores.Add(score);
            if (id is not null)
            {
                Remember(id, score);
            }

            if (_scores.Count >= _options.WindowSize)
            {
                closing = Swap();
            }
        }

        _events.Add(1);
        var closedEarly = early is null ? null : Close(early);
        return closing is null ? closedEarly : Close(closing);
    }

    /// <summary>Records the outcome of an earlier event (1 = default); unknown or forgotten ids are ignored.</summary>
    /// <param name="id">The event's id.</param>
    /// <param name="defaulted">1 when the applicant defaulted, 0 otherwise.</param>
    /// <returns><see langword="true"/> when the event was found.</returns>
    public bool RecordOutcome(string id, int defaulted)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (defaulted is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(defaulted), defaulted, "An outcome is 0 (repaid) or 1 (defaulted).");
        }

        lock (_gate)
        {
            if (!_pending.Remove(id, out var score))
            {
                return false;
            }

            AddOutcome(score, defaulted);
            return true;
        }
    }

    /// <summary>
    /// Records the outcome of an event whose score is known from elsewhere (an event store), so that the monitor need not
    /// remember the event until its outcome arrives (record such events with a <see langword="null"/> id).
    /// </summary>
    /// <param name="score">The probability of default the event was given.</param>
    /// <param name="defaulted">1 when the applicant defaulted, 0 otherwise.</param>
    public void RecordOutcome(double score, int defaulted)
    {
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A score is a probability of default in [0, 1].");
        }

        if (defaulted is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(defaulted), defaulted, "An outcome is 0 (repaid) or 1 (defaulted).");
        }

        lock (_gate)
        {
            AddOutcome(score, defaulted);
        }
    }

    /// <summary>Adds an outcome to the rolling window (under the lock).</summary>
    private void AddOutcome(double score, int defaulted)
    {
        _outcomes[_outcomeNext] = (score, defaulted);
        _outcomeNext = (_outcomeNext + 1) % _outcomes.Length;
        _outcomeCount = Math.Min(_outcomeCount + 1, _outcomes.Length);
    }

    /// <summary>AUC, Gini and default rate over the most recent outcomes.</summary>
    /// <returns>The figures (NaN with no outcomes or a single class).</returns>
    public RollingPerformance Performance()
    {
        double[] scores;
        int[] labels;
        lock (_gate)
        {
            scores = new double[_outcomeCount];
            labels = new int[_outcomeCount];
            for (var i = 0; i < _outcomeCount; i++)
            {
                (scores[i], labels[i]) = _outcomes[i];
            }
        }

        if (scores.Length == 0)
        {
            return new RollingPerformance(0, double.NaN, double.NaN, double.NaN);
        }

        var rate = labels.Average();
        var auc = rate is > 0 and < 1 ? ClassificationMetrics.Auc(scores, labels) : double.NaN;
        return new RollingPerformance(scores.Length, rate, auc, (2 * auc) - 1);
    }

    /// <summary>Closes the current window now, whatever its size (e.g. at shutdown); nothing happens when it is empty.</summary>
    /// <returns>The closed window, or <see langword="null"/>.</returns>
    public MonitorWindowResult? Flush()
    {
        Closing? closing;
        lock (_gate)
        {
            closing = _scores.Count == 0 ? null : Swap();
        }

        return closing is null ? null : Close(closing);
    }

    /// <inheritdoc />
    public void Dispose() => _ownedMeter?.Dispose();

    private void Remember(string id, double score)
    {
        if (!_pending.ContainsKey(id))
        {
            _pendingOrder.Enqueue(id);
        }

        _pending[id] = score;
        while (_pending.Count > _options.MaxPendingOutcomes || _pendingOrder.Count > 2 * _options.MaxPendingOutcomes)
        {
            var oldest = _pendingOrder.Dequeue();
            if (_pending.Count > _options.MaxPendingOutcomes)
            {
                _pending.Remove(oldest);
            }
        }
    }

    /// <summary>Takes the window's buffers (under the lock) so it can be compared outside it.</summary>
    private Closing Swap()
    {
        var closing = new Closing(_windowIndex++, _windowStart, _windowEnd, _numbers, _labels, [.. _scores]);
        (_numbers, _labels) = NewBuffers();
        _scores = [];
        return closing;
    }

    private MonitorWindowResult Close(Closing w)
    {
        var columns = new List<DataColumn>();
        for (var j = 0; j < _columns.Length; j++)
        {
            columns.Add(_numeric[j] ? new NumericColumn(_columns[j], w.Numbers[j].ToArray()) : new CategoricalColumn(_columns[j], w.Labels[j]));
        }

        var current = CreditData.FromColumns(columns);
        // The window holds exactly the monitored columns, so the default comparison (the reference's columns the window has) covers them.
        var options = _options.Drift;
        var drift = _profile is not null ? DriftDetector.Compare(_profile, current, options) : DriftDetector.Compare(_reference!, current, options);
        if (_referenceScores is not null)
        {
            drift = drift with { Prediction = DriftDetector.Prediction(_referenceScores, w.Scores.ToArray(), _options.Drift.PsiBins) };
        }
        else if (_profile?.Scores is { } scores)
        {
            drift = drift with { Prediction = DriftDetector.Prediction(scores, w.Scores.ToArray()) };
        }

        var reasons = new List<string>();
        if (drift.IsDrifted)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"dataset drift: {drift.DriftedCount} of {drift.TestedCount} columns ({string.Join(", ", drift.Columns.Where(c => c.Drifted).Select(c => c.Name))})"));
        }

        if (drift.Prediction is { } p && p.Psi > _options.PredictionPsiAlert)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"score PSI {p.Psi:F3} > {_options.PredictionPsiAlert:G3}"));
        }

        var result = new MonitorWindowResult(w.Index, w.Start, w.End, w.Scores.Count, drift, reasons.Count > 0);
        lock (_gate)
        {
            _history.Add(result);
            if (_history.Count > _options.History)
            {
                _history.RemoveAt(0);
            }
        }

        _windows.Add(1);
        if (reasons.Count > 0)
        {
            _alerts.Add(1, new KeyValuePair<string, object?>("reason", drift.IsDrifted ? "dataset" : "prediction"));
            LogAlert(_logger, w.Index, w.Scores.Count, string.Join("; ", reasons));
            Alert?.Invoke(this, new DriftAlert(result, reasons));
        }

        return result;
    }

    private (List<double>[] Numbers, List<string?>[] Labels) NewBuffers()
    {
        var numbers = new List<double>[_columns.Length];
        var labels = new List<string?>[_columns.Length];
        for (var j = 0; j < _columns.Length; j++)
        {
            numbers[j] = _numeric[j] ? new List<double>(Math.Min(_options.WindowSize, 4096)) : [];
            labels[j] = _numeric[j] ? [] : new List<string?>(Math.Min(_options.WindowSize, 4096));
        }

        return (numbers, labels);
    }

    private static double Number(string column, object? value) => value switch
    {
        null => double.NaN,
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.Null } => double.NaN,
        _ => throw new ArgumentException($"Monitored column '{column}' is numeric, but the event holds {Describe(value)}."),
    };

    private static string? Label(string column, object? value) => value switch
    {
        null => null,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.Null } => null,
        _ => throw new ArgumentException($"Monitored column '{column}' is categorical, but the event holds {Describe(value)}."),
    };

    private static string Describe(object value) => value is JsonElement e ? $"a JSON {e.ValueKind.ToString().ToLowerInvariant()}" : $"a {value.GetType().Name} ({Convert.ToString(value, CultureInfo.InvariantCulture)})";

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Drift alert for window {Window} ({Events} events): {Reasons}.")]
    private static partial void LogAlert(ILogger logger, int window, int events, string reasons);

    private sealed record Closing(int Index, DateTimeOffset Start, DateTimeOffset End, List<double>[] Numbers, List<string?>[] Labels, List<double> Scores);
}
