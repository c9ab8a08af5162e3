using System.Text.Json;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;
using CreditScoring.Sdk.Training;
using CreditScoring.Sdk.Tuning;

namespace CreditScoring.Sdk.Reporting;

/// <summary>What a JSON report holds (<see cref="ReportJson.Write"/>); optional parts are left out when <see langword="null"/>.</summary>
public sealed class ReportContent
{
    /// <summary>What produced the report, e.g. <c>train</c> or <c>evaluate</c>.</summary>
    public required string Command { get; init; }

    /// <summary>The model evaluated.</summary>
    public required CreditModel Model { get; init; }

    /// <summary>The evaluation, on the rows scored (usually a test set).</summary>
    public required EvaluationReport Evaluation { get; init; }

    /// <summary>
    /// Fields written after <c>command</c>, in order: where the data and model came from and the like (e.g. <c>model</c>,
    /// <c>data</c>, <c>testFraction</c>, <c>trainRows</c>, <c>trainSeconds</c>). Values are text, numbers
    /// (<see cref="int"/>, <see cref="long"/>, <see cref="double"/>; non-finite doubles as null) or null. Default none.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Context { get; init; } = [];

    /// <summary>A hyperparameter search run before the fit, or <see langword="null"/>.</summary>
    public SearchResult? Search { get; init; }

    /// <summary>A cross-validation of the recipe, or <see langword="null"/>.</summary>
    public CrossValidationResult? CrossValidation { get; init; }

    /// <summary>The policy's threshold choices applied to the evaluated rows (<see cref="DecisionPolicy.CompareOn"/>), or <see langword="null"/>.</summary>
    public IReadOnlyList<ThresholdComparison>? ThresholdsOnTest { get; init; }
}

/// <summary>
/// The JSON evaluation report (the Batch CLI's <c>--report</c>), written by <see cref="Write"/>. Schema (camelCase): command, model, data,
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
public static class ReportJson
{
    /// <summary>
    /// Stores the report as an artifact of a tracked run (by default <c>report.json</c>), such as the run an autologged
    /// fit just logged (<c>tracker.LastRun</c>): the evaluation report beside the model file.
    /// </summary>
    /// <param name="store">The tracking store.</param>
    /// <param name="runId">The run.</param>
    /// <param name="content">What to write.</param>
    /// <param name="path">The artifact's path under the run's artifacts; default <c>report.json</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">The run does not exist or the path is not a safe relative path.</exception>
    public static async Task LogAsync(ITrackingStore store, string runId, ReportContent content, string path = "report.json", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var json = new MemoryStream();
        Write(json, content);
        json.Position = 0;
        await store.LogArtifactAsync(runId, path, json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the report as indented UTF-8 JSON.</summary>
    /// <param name="stream">Where to write; left open.</param>
    /// <param name="content">What to write.</param>
    /// <exception cref="ArgumentException">A context value is not text, a number or null.</exception>
    public static void Write(Stream stream, ReportContent content)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(content);
        var model = content.Model;
        var report = content.Evaluation;
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("command", content.Command);
        foreach (var (key, value) in content.Context)
        {
            switch (value)
            {
                case null: json.WriteNull(key); break;
                case string s: json.WriteString(key, s); break;
                case double d: Number(json, key, d); break;
                case int i: json.WriteNumber(key, i); break;
                case long l: json.WriteNumber(key, l); break;
                default: throw new ArgumentException($"the report context value '{key}' is a {value.GetType().Name}; it must be text, a number or null.", nameof(content));
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

        if (content.Search is { } search)
        {
            WriteSearch(json, search);
        }

        if (content.CrossValidation is { } cv)
        {
            WriteCrossValidation(json, cv);
        }

        if (content.ThresholdsOnTest is { Count: > 0 } thresholds)
        {
            WriteThresholdsOnTest(json, thresholds);
        }

        json.WriteEndObject();
    }

    private static void WriteThresholdsOnTest(Utf8JsonWriter json, IReadOnlyList<ThresholdComparison> rows) =>
        Array(json, "thresholdsOnTest", rows, (w, r) =>
        {
            w.WriteString("objective", r.Chosen.Objective.Name);
            Numbers(w, null, ("threshold", r.Applied.Threshold), ("cost", r.Applied.Cost), ("costPerApplicant", r.Applied.CostPerApplicant), ("approvalRate", r.Applied.ApprovalRate), ("badRate", r.Applied.BadRate), ("f1", r.Applied.F1), ("businessScore", r.Applied.BusinessScore));
        });

    private static void WriteCrossValidation(Utf8JsonWriter json, CrossValidationResult cv)
    {
        json.WriteStartObject("crossValidation");
        Array(json, "folds", cv.Folds, (w, f) => Numbers(w, null, ("fold", f.Fold), ("trainRows", f.TrainingRows), ("testRows", f.TestRows), ("auc", f.Auc), ("gini", f.Gini), ("ks", f.Ks), ("brier", f.Brier), ("logLoss", f.LogLoss), ("expectedCalibrationError", f.ExpectedCalibrationError), ("threshold", f.Threshold), ("cost", f.Cost), ("businessScore", f.BusinessScore)));
        foreach (var (name, m) in new[] { ("auc", cv.Auc), ("gini", cv.Gini), ("ks", cv.Ks), ("brier", cv.Brier), ("logLoss", cv.LogLoss), ("expectedCalibrationError", cv.ExpectedCalibrationError), ("businessScore", cv.BusinessScore) })
        {
            Numbers(json, name, ("mean", m.Mean), ("std", m.StandardDeviation));
        }

        json.WriteEndObject();
    }

    private static void WriteSearch(Utf8JsonWriter json, SearchResult result)
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

    private static void Number(Utf8JsonWriter json, string name, double value) => json.NumberOrNull(name, value);

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
}
