using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Training;
using CreditScoring.Sdk.Tuning;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Learners.Scorecards;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Batch;

/// <summary>
/// The JSON report of <c>train</c> and <c>evaluate</c>. Schema (camelCase): command, model, data,
/// testData or testFraction, learner, learnerParameters, seed, trainRows, trainSeconds (fitting only),
/// rows, positives, positiveRate, features (model inputs), encodedFeatures (after preprocessing),
/// auc, gini, ks, ksThreshold, brier, logLoss, threshold, confusion {tp, fp, tn, fn}, precision,
/// recall, f1, accuracy, approvalRate, badRateAmongApproved, baseline {prior, auc, gini, ks, brier,
/// logLoss}, calibration [], gains [], roc [], precisionRecall [] (curves thinned to at most 201
/// points), skippedRows, expectedCalibrationError, decision {threshold, method, costs, choices [{objective,
/// threshold, cost, costPerApplicant, approvalRate, badRate, f1, businessScore, interval}] (chosen on out-of-fold
/// predictions of the training rows)}, business {cost, costPerApplicant, approvalRate, badRate, businessScore} (when the
/// policy has costs), and from train: thresholdsOnTest [...], crossValidation {folds [...], auc {mean, std}, ...},
/// search {trials [...], best}. All figures are on the evaluated (test) rows unless said; an undefined figure is null.
/// </summary>
internal static class Report
{
    public static void Write(Stream stream, string command, CreditModel model, EvaluationReport report, IReadOnlyDictionary<string, object?> context, IEnumerable<Action<Utf8JsonWriter>>? sections = null)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("command", command);
        foreach (var (key, value) in context)
        {
            switch (value)
            {
                case null: json.WriteNull(key); break;
                case string s: json.WriteString(key, s); break;
                case double d: Number(json, key, d); break;
                case int i: json.WriteNumber(key, i); break;
                case long l: json.WriteNumber(key, l); break;
                default: throw new UnreachableException($"Report value of type {value.GetType().Name}.");
            }
        }

        json.WriteString("learner", model.Metadata.Learner);
        json.WriteStartObject("learnerParameters");
        foreach (var (key, value) in model.Metadata.LearnerParameters)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteNumber("seed", model.Metadata.Seed);
        json.WriteNumber("rows", report.Rows);
        json.WriteNumber("features", model.Input.Count);
        json.WriteNumber("encodedFeatures", model.Features.Features.Count);
        var c = report.Confusion;
        Numbers(json, null,
            ("positives", report.Positives), ("positiveRate", report.PositiveRate), ("auc", report.Auc), ("gini", report.Gini),
            ("ks", report.Ks), ("ksThreshold", report.KsThreshold), ("brier", report.Brier), ("logLoss", report.LogLoss), ("threshold", report.Threshold));
        Numbers(json, "confusion", ("tp", c.TruePositives), ("fp", c.FalsePositives), ("tn", c.TrueNegatives), ("fn", c.FalseNegatives));
        Numbers(json, null,
            ("precision", c.Precision), ("recall", c.Recall), ("f1", c.F1), ("accuracy", c.Accuracy),
            ("approvalRate", c.ApprovalRate), ("badRateAmongApproved", c.BadRateAmongApproved));
        var b = report.Baseline;
        Numbers(json, "baseline", ("prior", b.Prior), ("auc", b.Auc), ("gini", b.Gini), ("ks", b.Ks), ("brier", b.Brier), ("logLoss", b.LogLoss));
        Array(json, "calibration", report.Calibration, (w, bin) =>
        {
            Number(w, "lower", bin.Lower);
            Number(w, "upper", bin.Upper);
            w.WriteNumber("count", bin.Count);
            Number(w, "meanPredicted", bin.MeanPredicted);
            Number(w, "observedRate", bin.ObservedRate);
        });
        Array(json, "gains", report.Gains, (w, g) =>
        {
            w.WriteNumber("group", g.Group);
            w.WriteNumber("rows", g.Rows);
            Number(w, "minScore", g.MinScore);
            Number(w, "maxScore", g.MaxScore);
            Number(w, "positives", g.Positives);
            Number(w, "positiveRate", g.PositiveRate);
            Number(w, "cumulativeShareOfRows", g.CumulativeShareOfRows);
            Number(w, "cumulativeGain", g.CumulativeGain);
            Number(w, "lift", g.Lift);
            Number(w, "cumulativeLift", g.CumulativeLift);
        });
        Array(json, "roc", Thin(report.Roc), (w, p) =>
        {
            Number(w, "threshold", p.Threshold);
            Number(w, "fpr", p.FalsePositiveRate);
            Number(w, "tpr", p.TruePositiveRate);
        });
        Array(json, "precisionRecall", Thin(report.PrecisionRecall), (w, p) =>
        {
            Number(w, "threshold", p.Threshold);
            Number(w, "precision", p.Precision);
            Number(w, "recall", p.Recall);
        });
        Number(json, "expectedCalibrationError", report.ExpectedCalibrationError);
        json.WriteStartArray("diagnostics");
        foreach (var (source, list) in new[] { ("training", model.Metadata.Diagnostics), ("evaluation", report.Diagnostics) })
        {
            foreach (var d in list)
            {
                json.WriteStartObject();
                json.WriteString("source", source);
                json.WriteString("code", d.Code);
                json.WriteString("message", d.Message);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        WriteDecision(json, model.Decision);
        if (report.Business is { } business)
        {
            Numbers(json, "business", ("cost", business.Cost), ("costPerApplicant", business.CostPerApplicant), ("approvalRate", business.ApprovalRate), ("badRate", business.BadRate), ("businessScore", business.BusinessScore));
        }

        foreach (var section in sections ?? [])
        {
            section(json);
        }

        json.WriteEndObject();
    }

    /// <summary>Writes named numbers, inside an object called <paramref name="objectName"/> when it is not null.</summary>
    private static void Numbers(Utf8JsonWriter json, string? objectName, params (string Name, double Value)[] values)
    {
        if (objectName is not null)
        {
            json.WriteStartObject(objectName);
        }

        foreach (var (name, value) in values)
        {
            Number(json, name, value);
        }

        if (objectName is not null)
        {
            json.WriteEndObject();
        }
    }

    /// <summary>Writes a number, or null when it is NaN or infinite (JSON has neither).</summary>
    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void Array<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            write(json, item);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>At most 201 evenly spaced points, always keeping the first and the last.</summary>
    private static IEnumerable<T> Thin<T>(IReadOnlyList<T> points)
    {
        const int Max = 201;
        if (points.Count <= Max)
        {
            return points;
        }

        return Enumerable.Range(0, Max).Select(k => points[(int)Math.Round(k * (points.Count - 1) / (double)(Max - 1))]);
    }

    public static string Percent(double value) => double.IsFinite(value) ? (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";

    public static string Fixed(double value, int digits = 4) => double.IsFinite(value) ? value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";

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

    private static void WriteDecision(Utf8JsonWriter json, DecisionPolicy policy)
    {
        json.WriteStartObject("decision");
        Number(json, "threshold", policy.Threshold);
        json.WriteString("method", policy.Method);
        if (policy.Costs is { } costs)
        {
            json.WriteString("costs", costs.ToString());
        }

        if (policy.Choice is { } choice)
        {
            Array(json, "choices", policy.Alternatives.Prepend(choice), Choice);
        }

        json.WriteEndObject();
    }

    private static void Choice(Utf8JsonWriter json, ThresholdChoice c)
    {
        json.WriteString("objective", c.Objective.Name);
        Numbers(json, null, ("threshold", c.Threshold), ("cost", c.Cost), ("costPerApplicant", c.CostPerApplicant), ("approvalRate", c.ApprovalRate), ("badRate", c.BadRate), ("f1", c.F1), ("businessScore", c.BusinessScore));
        if (c.Interval is { } i)
        {
            Numbers(json, "interval", ("level", i.Level), ("lower", i.Lower), ("upper", i.Upper));
        }
    }

    /// <summary>The business-optimal threshold beside the F1- and Youden-optimal ones: on the out-of-fold training predictions they were chosen on, and on the test rows.</summary>
    public static IReadOnlyList<(ThresholdChoice OutOfFold, ThresholdChoice Test)> PrintThresholds(TextWriter output, CreditModel model, CreditData test, double[] p)
    {
        var policy = model.Decision;
        var analysis = ThresholdAnalysis.Analyze(p, test.Labels, (policy.Costs ?? CostMatrix.Create(1, 1)).Resolve(test), test.Weights);
        var rows = policy.Alternatives.Prepend(policy.Choice!).Select(c => (c, analysis.At(c.Threshold))).ToArray();
        output.WriteLine($"Decision thresholds (costs {policy.Costs?.ToString() ?? "1 per error"}; chosen on out-of-fold training predictions, then applied to the test rows):");
        output.WriteLine($"  {"objective",-16} {"threshold",9} {"95% CI",17} | {"OOF cost",10} {"approve",8} {"bad rate",8} | {"test cost",10} {"approve",8} {"bad rate",8} {"business",8}");
        foreach (var (c, t) in rows)
        {
            var ci = c.Interval is { } i ? string.Create(CultureInfo.InvariantCulture, $"{i.Lower:F4}-{i.Upper:F4}") : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(c == policy.Choice ? "* " : "  ") + c.Objective.Name,-16} {Fixed(c.Threshold),9} {ci,17} | {c.Cost,10:N0} {Percent(c.ApprovalRate),8} {Percent(c.BadRate),8} | {t.Cost,10:N0} {Percent(t.ApprovalRate),8} {Percent(t.BadRate),8} {Fixed(t.BusinessScore, 3),8}"));
        }

        return rows;
    }

    public static void WriteThresholdsOnTest(Utf8JsonWriter json, IReadOnlyList<(ThresholdChoice OutOfFold, ThresholdChoice Test)> rows) =>
        Array(json, "thresholdsOnTest", rows, (w, r) =>
        {
            w.WriteString("objective", r.OutOfFold.Objective.Name);
            Numbers(w, null, ("threshold", r.Test.Threshold), ("cost", r.Test.Cost), ("costPerApplicant", r.Test.CostPerApplicant), ("approvalRate", r.Test.ApprovalRate), ("badRate", r.Test.BadRate), ("f1", r.Test.F1), ("businessScore", r.Test.BusinessScore));
        });

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

    public static void WriteCrossValidation(Utf8JsonWriter json, CrossValidationResult cv)
    {
        json.WriteStartObject("crossValidation");
        Array(json, "folds", cv.Folds, (w, f) => Numbers(w, null, ("fold", f.Fold), ("trainRows", f.TrainingRows), ("testRows", f.TestRows), ("auc", f.Auc), ("gini", f.Gini), ("ks", f.Ks), ("brier", f.Brier), ("logLoss", f.LogLoss), ("expectedCalibrationError", f.ExpectedCalibrationError), ("threshold", f.Threshold), ("cost", f.Cost), ("businessScore", f.BusinessScore)));
        foreach (var (name, m) in new[] { ("auc", cv.Auc), ("gini", cv.Gini), ("ks", cv.Ks), ("brier", cv.Brier), ("logLoss", cv.LogLoss), ("expectedCalibrationError", cv.ExpectedCalibrationError), ("businessScore", cv.BusinessScore) })
        {
            Numbers(json, name, ("mean", m.Mean), ("std", m.StandardDeviation));
        }

        json.WriteEndObject();
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

    public static void WriteSearch(Utf8JsonWriter json, SearchResult result)
    {
        json.WriteStartObject("search");
        void Trial(Utf8JsonWriter w, SearchTrial t)
        {
            Numbers(w, null, ("candidate", t.Candidate), ("round", t.Round), ("rows", t.Rows), ("auc", t.Auc), ("aucStd", t.AucStandardDeviation), ("logLoss", t.LogLoss), ("businessScore", t.BusinessScore), ("score", t.Score), ("seconds", t.Seconds));
            w.WriteStartObject("parameters");
            foreach (var (k, v) in t.Parameters)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }

        Array(json, "trials", result.Trials, Trial);
        json.WriteStartObject("best");
        Trial(json, result.Best);
        json.WriteEndObject();
        json.WriteEndObject();
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
