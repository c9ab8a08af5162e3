using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
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
/// points), skippedRows. All figures are on the evaluated (test) rows; an undefined figure is null.
/// </summary>
internal static class Report
{
    public static void Write(string path, string command, CreditModel model, EvaluationReport report, IReadOnlyDictionary<string, object?> context)
    {
        using var stream = File.Create(path);
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

    /// <summary>Reports rows read while a large file loads.</summary>
    public IProgress<long> Rows(string file) => new RowProgress(this, file);

    private sealed class RowProgress(ProgressLog log, string file) : IProgress<long>
    {
        public void Report(long value) => log.Step(string.Create(CultureInfo.InvariantCulture, $"  {Path.GetFileName(file)}: {value:N0} rows read"));
    }
}

/// <summary>Loads CSV files with the CLI's role options.</summary>
internal static class Input
{
    public static CreditData Read(string path, ProgressLog log, string? target, string? id, string? positiveLabel, string? negativeLabel)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"data file '{path}' does not exist.");
        }

        if ((positiveLabel is null) != (negativeLabel is null))
        {
            throw new CliException("give both --positive-label and --negative-label, or neither.");
        }

        log.Step($"Reading {path}");
        var data = CreditData.ReadCsv(path, o =>
        {
            o.Progress = log.Rows(path);
            if (target is not null)
            {
                if (positiveLabel is not null)
                {
                    o.Target(target, positiveLabel, negativeLabel!);
                }
                else
                {
                    o.Target(target);
                }
            }

            if (id is not null)
            {
                o.Id(id);
            }
        });
        log.Step(string.Create(CultureInfo.InvariantCulture, $"  {data.RowCount:N0} rows x {data.Schema.Count} columns{(data.HasTarget ? $", {data.PositiveCount:N0} defaults" : "")}"));
        return data;
    }
}
