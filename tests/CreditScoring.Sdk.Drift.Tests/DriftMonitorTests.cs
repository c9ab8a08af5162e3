using System.Diagnostics.Metrics;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Scoring;
using Microsoft.Extensions.Logging;

namespace CreditScoring.Sdk.Drift.Tests;

public class DriftMonitorTests
{
    private static IEnumerable<(IReadOnlyDictionary<string, object?> Features, int Label)> Events(CreditData data)
    {
        var income = ((NumericColumn)data["income"]).Values.ToArray();
        var utilisation = ((NumericColumn)data["utilisation"]).Values.ToArray();
        var region = (CategoricalColumn)data["region"];
        var owner = (CategoricalColumn)data["owner"];
        for (var i = 0; i < data.RowCount; i++)
        {
            yield return (new Dictionary<string, object?>
            {
                ["income"] = double.IsNaN(income[i]) ? null : income[i],
                ["utilisation"] = utilisation[i],
                ["region"] = region.Codes[i] < 0 ? null : region.Categories[region.Codes[i]],
                ["owner"] = owner.Categories[owner.Codes[i]],
            }, data.Labels[i]);
        }
    }

    [Fact]
    public void Count_windows_compare_each_window_with_the_reference_and_alert_on_drift()
    {
        var reference = DataDriftTests.Applicants(3000, 1);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(reference);
        var scorer = model.CreateScorer();
        var logger = new ListLogger();
        using var meters = new MeterListener();
        long alertCount = 0;
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DriftMonitor.MeterName && instrument.Name == "creditscoring.drift.alerts")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref alertCount, value));
        meters.Start();

        using var monitor = new DriftMonitor(reference, model, new DriftMonitorOptions { WindowSize = 500 }, logger);
        var alerts = new List<DriftAlert>();
        monitor.Alert += (_, a) => alerts.Add(a);
        var closed = new List<MonitorWindowResult>();
        void Feed(CreditData data)
        {
            foreach (var (features, _) in Events(data))
            {
                if (monitor.Record(null, features, scorer.Score(features).Probability) is { } w)
                {
                    closed.Add(w);
                }
            }
        }

        Feed(DataDriftTests.Applicants(1000, 2));                                        // two quiet windows
        Feed(DataDriftTests.Applicants(1000, 3, incomeShift: 0.6, flipRegion: true));    // two drifting windows
        Assert.Equal([0, 1, 2, 3], closed.Select(w => w.Index));
        Assert.All(closed, w => Assert.Equal(500, w.Events));
        Assert.False(closed[0].Alerted);
        Assert.False(closed[1].Alerted);
        Assert.True(closed[2].Alerted);
        Assert.True(closed[3].Alerted);
        Assert.Equal(2, alerts.Count);
        Assert.Contains(alerts[0].Reasons, r => r.StartsWith("dataset drift: 2 of 4 columns", StringComparison.Ordinal));
        Assert.Equal(2, alertCount);
        Assert.Equal(2, logger.Warnings.Count);
        Assert.StartsWith("Drift alert for window 2 (500 events): dataset drift", logger.Warnings[0], StringComparison.Ordinal);
        Assert.NotNull(closed[0].Drift.Prediction);

        // A window's drift is exactly DriftDetector's on the same rows.
        var quiet = DataDriftTests.Applicants(1000, 2).SelectRows(Enumerable.Range(0, 500).ToArray());
        var expected = DriftDetector.Compare(reference, quiet, model: model);
        Assert.Equal(expected.Columns.Select(c => (c.Name, c.Statistic)), closed[0].Drift.Columns.Select(c => (c.Name, c.Statistic)));
        Assert.Equal(expected.Prediction!.Psi, closed[0].Drift.Prediction!.Psi, 12);
        Assert.Equal(4, monitor.Windows.Count);
    }

    [Fact]
    public void A_monitor_built_from_the_model_alone_uses_its_population_profile()
    {
        var reference = DataDriftTests.Applicants(4000, 1);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(reference);
        using var monitor = new DriftMonitor(model, new DriftMonitorOptions { WindowSize = 800 });
        var scorer = model.CreateScorer();
        // (ToList, not Last: LINQ's Select(...).Last() calls the selector for the last element only.)
        var quiet = Events(DataDriftTests.Applicants(800, 2)).Select(e => monitor.Record(null, e.Features, scorer.Score(e.Features).Probability)).ToList()[^1]!;
        var moved = Events(DataDriftTests.Applicants(800, 3, incomeShift: 0.6, flipRegion: true)).Select(e => monitor.Record(null, e.Features, scorer.Score(e.Features).Probability)).ToList()[^1]!;
        Assert.False(quiet.Alerted);
        Assert.True(moved.Alerted);
        Assert.NotNull(moved.Drift.Prediction);

        // The window is compared with the profile exactly as DriftDetector compares a table with it.
        var expected = DriftDetector.Compare(model.Profile!, DataDriftTests.Applicants(800, 2), model: model);
        Assert.Equal(expected.Columns.Select(c => (c.Name, c.Statistic)), quiet.Drift.Columns.Select(c => (c.Name, c.Statistic)));
        Assert.Equal(expected.Prediction!.Psi, quiet.Drift.Prediction!.Psi, 12);

        var imported = CreditModel.FromPredictor(model.Predictor);
        Assert.StartsWith("The model has no population profile", Assert.Throws<ArgumentException>(() => new DriftMonitor(imported)).Message);
    }

    [Fact]
    public void Time_windows_close_when_their_time_is_up()
    {
        var reference = DataDriftTests.Applicants(2000, 1);
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        using var monitor = new DriftMonitor(reference, null, new DriftMonitorOptions { Window = MonitorWindow.Time, WindowDuration = TimeSpan.FromMinutes(10), WindowSize = 10_000 }, timeProvider: clock);
        var events = Events(DataDriftTests.Applicants(300, 2)).ToArray();
        for (var i = 0; i < 200; i++)
        {
            Assert.Null(monitor.Record(null, events[i].Features, 0.1));
            clock.Advance(TimeSpan.FromSeconds(2));
        }

        // 200 events over 400 s; the next one, past 10 minutes after the first, closes the window before it is added.
        clock.Advance(TimeSpan.FromMinutes(5));
        var closed = monitor.Record(null, events[200].Features, 0.1);
        Assert.NotNull(closed);
        Assert.Equal(200, closed!.Events);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), closed.Start);
        Assert.Null(closed.Drift.Prediction);
        Assert.Equal(1, monitor.Flush()!.Events);
        Assert.Null(monitor.Flush());
    }

    [Fact]
    public void Outcomes_feed_a_rolling_auc_over_the_most_recent_ones()
    {
        var reference = DataDriftTests.Applicants(2000, 1);
        using var monitor = new DriftMonitor(reference, null, new DriftMonitorOptions { WindowSize = 100_000, OutcomeWindow = 300, MaxPendingOutcomes = 1000 });
        var events = Events(DataDriftTests.Applicants(1500, 2)).ToArray();
        var random = new Random(3);
        var scores = events.Select(e => Math.Clamp((0.3 * e.Label) + (random.NextDouble() * 0.7), 0, 1)).ToArray();
        for (var i = 0; i < events.Length; i++)
        {
            monitor.Record($"app-{i}", events[i].Features, scores[i]);
        }

        Assert.Equal(1000, monitor.PendingOutcomes); // bounded: the 500 oldest were forgotten
        Assert.False(monitor.RecordOutcome("app-0", 1));
        for (var i = 500; i < events.Length; i++)
        {
            Assert.True(monitor.RecordOutcome($"app-{i}", events[i].Label));
        }

        var last = Enumerable.Range(events.Length - 300, 300).ToArray();
        var performance = monitor.Performance();
        Assert.Equal(300, performance.Outcomes);
        Assert.Equal(last.Average(i => (double)events[i].Label), performance.DefaultRate, 12);
        Assert.Equal(ClassificationMetrics.Auc(last.Select(i => scores[i]).ToArray(), last.Select(i => events[i].Label).ToArray()), performance.Auc, 12);
        Assert.Equal((2 * performance.Auc) - 1, performance.Gini, 12);
        Assert.Equal(0, monitor.PendingOutcomes);
    }

    [Fact]
    public void OutcomesWithTheirScores_FeedTheRollingPerformance_WithNothingRemembered()
    {
        using var monitor = new DriftMonitor(DataDriftTests.Applicants(500, 1), null, new DriftMonitorOptions { OutcomeWindow = 4 });
        var outcomes = new (double Score, int Label)[] { (0.9, 1), (0.2, 0), (0.7, 1), (0.6, 0), (0.1, 0), (0.8, 1) };
        foreach (var (score, label) in outcomes)
        {
            monitor.RecordOutcome(score, label);
        }

        // The last four: (0.7, 1), (0.6, 0), (0.1, 0), (0.8, 1): both defaults above both repayments.
        var performance = monitor.Performance();
        Assert.Equal(4, performance.Outcomes);
        Assert.Equal(0.5, performance.DefaultRate);
        Assert.Equal(1.0, performance.Auc);
        Assert.Equal(0, monitor.PendingOutcomes);
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.RecordOutcome(1.5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.RecordOutcome(0.5, 2));
    }

    [Fact]
    public void Concurrent_recording_loses_no_event()
    {
        var reference = DataDriftTests.Applicants(2000, 1);
        using var monitor = new DriftMonitor(reference, null, new DriftMonitorOptions { WindowSize = 250 });
        var events = Events(DataDriftTests.Applicants(2000, 2)).ToArray();
        var closed = 0;
        Parallel.For(0, events.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            if (monitor.Record(null, events[i].Features, 0.2) is not null)
            {
                Interlocked.Increment(ref closed);
            }
        });
        Assert.Equal(8, closed);
        Assert.Equal(8 * 250, monitor.Windows.Sum(w => w.Events));
        Assert.Equal(Enumerable.Range(0, 8), monitor.Windows.Select(w => w.Index).Order());
    }

    [Fact]
    public void Bad_events_get_specific_errors()
    {
        var reference = DataDriftTests.Applicants(500, 1);
        using var monitor = new DriftMonitor(reference);
        var ok = Events(reference).First().Features;
        Assert.Equal("The event has no value for monitored column 'owner' (use null for a missing value). (Parameter 'features')", Assert.Throws<ArgumentException>(() => monitor.Record(null, ok.Where(p => p.Key != "owner").ToDictionary(), 0.1)).Message);
        var wrong = ok.ToDictionary();
        wrong["income"] = "high";
        Assert.Equal("Monitored column 'income' is numeric, but the event holds a String (high).", Assert.Throws<ArgumentException>(() => monitor.Record(null, wrong, 0.1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.Record(null, ok, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.RecordOutcome("x", 2));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                lock (Warnings)
                {
                    Warnings.Add(formatter(state, exception));
                }
            }
        }
    }
}
