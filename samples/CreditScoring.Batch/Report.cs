using System.Diagnostics;
using System.Globalization;
using CreditScoring.Sdk.Training;
using CreditScoring.Sdk.Tuning;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Learners.Scorecards;

namespace CreditScoring.Batch;

/// <summary>What the commands print: the evaluation summary, diagnostics, threshold, cross-validation and search tables, scorecard points. The JSON report is the library's <c>CreditScoring.Sdk.Reporting.ReportJson</c>.</summary>
internal static class Report
{

    public static string Percent(double value) => double.IsFinite(value) ? (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";

    public static string Fixed(double value, int digits = 4) => double.IsFinite(value) ? value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Writes rows under a header, each column as wide as its widest cell (the last one not padded).</summary>
    public static void Table(TextWriter output, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, j) => rows.Aggregate(h.Length, (w, r) => Math.Max(w, r[j].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            output.WriteLine(string.Join("  ", row.Select((cell, j) => j == row.Length - 1 ? cell : cell.PadRight(widths[j]))).TrimEnd());
        }
    }

    /// <summary>The evaluation summary printed by train, evaluate and quickstart.</summary>
    public static void Print(TextWriter output, EvaluationReport report)
    {
        var b = report.Baseline;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Evaluated on {report.Rows:N0} rows, {report.Positives:N0} defaults ({Percent(report.PositiveRate)})"));
        output.WriteLine("              model   baseline (prior only)");
        output.WriteLine($"  AUC        {Fixed(report.Auc),7}   {Fixed(b.Auc),7}");
        output.WriteLine($"  Gini       {Fixed(report.Gini),7}   {Fixed(b.Gini),7}");
        output.WriteLine($"  KS         {Fixed(report.Ks),7}   {Fixed(b.Ks),7}");
        output.WriteLine($"  Brier      {Fixed(report.Brier),7}   {Fixed(b.Brier),7}");
        output.WriteLine($"  Log-loss   {Fixed(report.LogLoss),7}   {Fixed(b.LogLoss),7}");
        var c = report.Confusion;
        output.WriteLine(
            $"Decline at PD >= {Fixed(report.Threshold, 2)}: approve {Percent(c.ApprovalRate)}, bad rate among approved {Percent(c.BadRateAmongApproved)}, " +
            $"precision {Fixed(c.Precision, 3)}, recall {Fixed(c.Recall, 3)}, F1 {Fixed(c.F1, 3)}");
        PrintDiagnostics(output, report.Diagnostics);
    }

    /// <summary>Prints diagnostics as <c>warning (code): message</c> lines.</summary>
    public static void PrintDiagnostics(TextWriter output, IReadOnlyList<ModelDiagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            output.WriteLine($"warning ({d.Code}): {d.Message}");
        }
    }

    /// <summary>The policy's thresholds (the chosen one first) on the out-of-fold training predictions they were chosen on, and on the test rows; nothing for a fixed policy.</summary>
    public static void PrintThresholds(TextWriter output, DecisionPolicy policy, IReadOnlyList<ThresholdComparison> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        output.WriteLine($"Decision thresholds (costs {policy.Costs?.ToString() ?? "1 per error"}; chosen on out-of-fold training predictions, then applied to the test rows):");
        output.WriteLine($"  {"objective",-16} {"threshold",9} {"95% CI",17} | {"OOF cost",10} {"approve",8} {"bad rate",8} | {"test cost",10} {"approve",8} {"bad rate",8} {"business",8}");
        foreach (var (c, t) in rows)
        {
            var ci = c.Interval is { } i ? string.Create(CultureInfo.InvariantCulture, $"{i.Lower:F4}-{i.Upper:F4}") : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(c == policy.Choice ? "* " : "  ") + c.Objective.Name,-16} {Fixed(c.Threshold),9} {ci,17} | {c.Cost,10:N0} {Percent(c.ApprovalRate),8} {Percent(c.BadRate),8} | {t.Cost,10:N0} {Percent(t.ApprovalRate),8} {Percent(t.BadRate),8} {Fixed(t.BusinessScore, 3),8}"));
        }
    }

    public static void PrintCrossValidation(TextWriter output, CrossValidationResult cv)
    {
        output.WriteLine($"{cv.Folds.Count}-fold cross-validation of the whole recipe (each fold refits features, resampler, learner, calibration, threshold):");
        output.WriteLine($"  {"fold",4} {"train",8} {"test",7} {"AUC",7} {"Gini",7} {"KS",7} {"Brier",7} {"log-loss",8} {"ECE",7} {"threshold",9} {"business",8}");
        foreach (var f in cv.Folds)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {f.Fold + 1,4} {f.TrainingRows,8:N0} {f.TestRows,7:N0} {f.Auc,7:F4} {f.Gini,7:F4} {f.Ks,7:F4} {f.Brier,7:F4} {f.LogLoss,8:F4} {f.ExpectedCalibrationError,7:F4} {Fixed(f.Threshold),9} {Fixed(f.BusinessScore, 3),8}"));
        }

        output.WriteLine($"  mean ± sd: AUC {cv.Auc}, Gini {cv.Gini}, KS {cv.Ks}, Brier {cv.Brier}, log-loss {cv.LogLoss}, ECE {cv.ExpectedCalibrationError}{(double.IsNaN(cv.BusinessScore.Mean) ? "" : $", business {cv.BusinessScore}")}");
    }

    public static void PrintSearch(TextWriter output, SearchResult result)
    {
        output.WriteLine($"Hyperparameter search: {result.Trials.Count} trials; best candidate {result.Best.Candidate}: {string.Join(", ", result.Best.Parameters.Select(p => $"{p.Key}={p.Value}"))}");
        output.WriteLine($"  {"cand",4} {"round",5} {"rows",8} {"AUC",7} {"± sd",7} {"log-loss",8} {"business",8} {"seconds",7}  parameters");
        foreach (var t in result.Trials)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {t.Candidate,4} {t.Round,5} {t.Rows,8:N0} {t.Auc,7:F4} {t.AucStandardDeviation,7:F4} {t.LogLoss,8:F4} {Fixed(t.BusinessScore, 4),8} {t.Seconds,7:F2}  {string.Join(", ", t.Parameters.Select(p => $"{p.Key}={p.Value}"))}"));
        }
    }

    /// <summary>Prints a scorecard's points table: characteristic, attribute, rows, default rate, WoE and (rounded) points.</summary>
    public static void PrintPoints(TextWriter output, ScorecardPredictor card)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Scorecard points (PDO {card.Scaling.PointsToDoubleOdds}, {card.Scaling.BaseScore} points at {card.Scaling.BaseOdds}:1 good:bad odds):"));
        output.WriteLine($"  {"characteristic",-32} {"attribute",-28} {"rows",8} {"bad rate",8} {"WoE",8} {"points",7}");
        foreach (var p in card.PointsTable)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Characteristic,-32} {p.Attribute,-28} {p.Count,8:N0} {(double.IsNaN(p.EventRate) ? "" : Percent(p.EventRate)),8} {p.WeightOfEvidence,8:F3} {Math.Round(p.Points, MidpointRounding.AwayFromZero),7}"));
        }
    }
}

/// <summary>Progress lines on stderr, each with the time elapsed since the command started.</summary>
internal sealed class ProgressLog(TextWriter error)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Step(string message) => error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,6:F2}s] {message}"));

    /// <summary>Something the user should know (a decision of the loader, a diagnostic), on its own line starting <c>note:</c>.</summary>
    public void Note(string message) => error.WriteLine("note: " + message);

    /// <summary>Reports rows read while a large file loads.</summary>
    public IProgress<long> Rows(string file) => new RowProgress(this, file);

    private sealed class RowProgress(ProgressLog log, string file) : IProgress<long>
    {
        public void Report(long value) => log.Step(string.Create(CultureInfo.InvariantCulture, $"  {Path.GetFileName(file)}: {value:N0} rows read"));
    }
}

/// <summary>Shows the library's progress events (long logistic fits log their iterations) as progress lines on stderr.</summary>
internal sealed class ProgressLoggerFactory(ProgressLog log) : Microsoft.Extensions.Logging.ILoggerFactory
{
    /// <summary>The event id of the logistic solver's progress messages.</summary>
    private const int ProgressEvent = 101;

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(log);

    public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ProgressLog log) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == ProgressEvent)
            {
                log.Step("  " + formatter(state, exception));
            }
        }
    }
}
