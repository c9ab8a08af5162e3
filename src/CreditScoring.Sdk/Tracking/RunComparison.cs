using System.Globalization;
using System.Net;
using System.Text;

namespace CreditScoring.Sdk.Tracking;

/// <summary>One metric across the compared runs: each run's latest value, or <see langword="null"/> where it was not logged.</summary>
/// <param name="Key">The metric.</param>
/// <param name="Values">One value per run, in the runs' order.</param>
public sealed record ComparedMetric(string Key, IReadOnlyList<double?> Values);

/// <summary>One parameter across the compared runs: each run's value, or <see langword="null"/> where it was not logged.</summary>
/// <param name="Key">The parameter.</param>
/// <param name="Values">One value per run, in the runs' order.</param>
/// <param name="Differs">Whether the runs disagree (a value missing in some counts as a difference).</param>
public sealed record ComparedParam(string Key, IReadOnlyList<string?> Values, bool Differs);

/// <summary>
/// Two or more runs side by side (MLflow's "compare runs"): every metric's latest value per run, and the parameters with
/// which of them differ. The Batch CLI's <c>runs compare</c> prints it and writes it as HTML (<see cref="WriteHtml"/>); the
/// runs page shows it.
/// </summary>
public sealed class RunComparison
{
    private RunComparison(IReadOnlyList<TrackedRun> runs, IReadOnlyList<ComparedMetric> metrics, IReadOnlyList<ComparedParam> parameters)
    {
        Runs = runs;
        Metrics = metrics;
        Params = parameters;
    }

    /// <summary>The runs, in the order given.</summary>
    public IReadOnlyList<TrackedRun> Runs { get; }

    /// <summary>Every metric any run logged, by key.</summary>
    public IReadOnlyList<ComparedMetric> Metrics { get; }

    /// <summary>Every parameter any run logged, by key.</summary>
    public IReadOnlyList<ComparedParam> Params { get; }

    /// <summary>The parameters on which the runs differ.</summary>
    public IEnumerable<ComparedParam> Differences => Params.Where(p => p.Differs);

    /// <summary>Compares runs.</summary>
    /// <param name="runs">Two or more runs.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentException">Fewer than two runs, or one run twice.</exception>
    public static RunComparison Of(IReadOnlyList<TrackedRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count < 2)
        {
            throw new ArgumentException($"A comparison needs at least two runs (got {runs.Count}).", nameof(runs));
        }

        if (runs.Select(r => r.Info.RunId).Distinct(StringComparer.Ordinal).Count() != runs.Count)
        {
            throw new ArgumentException("A comparison names each run once.", nameof(runs));
        }

        var metrics = runs.SelectMany(r => r.Metrics.Select(m => m.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(key => new ComparedMetric(key, [.. runs.Select(r => r.Metrics.FirstOrDefault(m => m.Key == key)?.Value)]))
            .ToArray();
        var parameters = runs.SelectMany(r => r.Params.Select(p => p.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(key =>
            {
                string?[] values = [.. runs.Select(r => r.Params.FirstOrDefault(p => p.Key == key)?.Value)];
                return new ComparedParam(key, values, values.Distinct(StringComparer.Ordinal).Count() > 1);
            })
            .ToArray();
        return new RunComparison(runs, metrics, parameters);
    }

    /// <summary>The comparison as text: a metrics table and the parameters that differ, runs as columns.</summary>
    /// <param name="output">Where to write.</param>
    public void WriteText(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var width = Math.Max(12, Runs.Max(r => Math.Min(24, r.Info.RunName.Length)));
        var keyWidth = Math.Max(6, Metrics.Select(m => m.Key.Length).Concat(Params.Select(p => p.Key.Length)).DefaultIfEmpty(6).Max());
        void Row(string key, IEnumerable<string> cells) => output.WriteLine((key.PadRight(keyWidth) + "  " + string.Join("  ", cells.Select(c => Clip(c, width).PadLeft(width)))).TrimEnd());
        Row("run", Runs.Select(r => r.Info.RunId[..Math.Min(8, r.Info.RunId.Length)]));
        Row("name", Runs.Select(r => r.Info.RunName));
        Row("status", Runs.Select(r => RunFilter.StatusName(r.Info.Status)));
        output.WriteLine("metrics:");
        foreach (var m in Metrics)
        {
            Row(m.Key, m.Values.Select(Number));
        }

        var differences = Differences.ToArray();
        output.WriteLine(differences.Length == 0 ? "parameters: the same in every run" : "parameters that differ:");
        foreach (var p in differences)
        {
            Row(p.Key, p.Values.Select(v => v ?? "-"));
        }
    }

    /// <summary>The comparison as one self-contained HTML page (no scripts, no external files): the runs, their metrics side by side with each row's best value marked, and the parameters with the differing ones marked.</summary>
    /// <param name="output">Where to write (UTF-8); left open.</param>
    public void WriteHtml(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Runs compared</title>\n<style>")
            .Append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px}")
            .Append("td.n{text-align:right;font-variant-numeric:tabular-nums}td.best{font-weight:bold;background:#e6f4ea}tr.differs td{background:#fff4e5}th{background:#f4f4f4;text-align:left}")
            .Append("</style></head><body>\n<h1>Runs compared</h1>\n<table id=\"runs\"><tr><th></th>");
        foreach (var r in Runs)
        {
            h.Append("<th>").Append(Encode(r.Info.RunName)).Append("<br><code>").Append(Encode(r.Info.RunId)).Append("</code></th>");
        }

        h.Append("</tr>\n<tr><td>status</td>");
        foreach (var r in Runs)
        {
            h.Append("<td>").Append(RunFilter.StatusName(r.Info.Status)).Append("</td>");
        }

        h.Append("</tr></table>\n<h2>Metrics</h2>\n<table id=\"metrics\"><tr><th>metric</th>").Append(string.Concat(Runs.Select(r => $"<th>{Encode(r.Info.RunName)}</th>"))).Append("</tr>\n");
        foreach (var m in Metrics)
        {
            // "Best" is the highest, or the lowest for a loss, a cost, an error or a time.
            var lower = m.Key.Contains("loss", StringComparison.Ordinal) || m.Key.Contains("brier", StringComparison.Ordinal) || m.Key.Contains("cost", StringComparison.Ordinal) || m.Key.Contains("error", StringComparison.Ordinal) || m.Key.Contains("seconds", StringComparison.Ordinal) || m.Key.EndsWith("_std", StringComparison.Ordinal);
            var present = m.Values.Where(v => v is { } x && !double.IsNaN(x)).Select(v => v!.Value).ToArray();
            double? best = present.Length > 1 && present.Distinct().Count() > 1 ? (lower ? present.Min() : present.Max()) : null;
            h.Append("<tr><td>").Append(Encode(m.Key)).Append("</td>");
            foreach (var v in m.Values)
            {
                h.Append(v == best && best is not null ? "<td class=\"n best\">" : "<td class=\"n\">").Append(Number(v)).Append("</td>");
            }

            h.Append("</tr>\n");
        }

        h.Append("</table>\n<h2>Parameters</h2>\n<p>Rows that differ are marked.</p>\n<table id=\"params\"><tr><th>parameter</th>").Append(string.Concat(Runs.Select(r => $"<th>{Encode(r.Info.RunName)}</th>"))).Append("</tr>\n");
        foreach (var p in Params)
        {
            h.Append(p.Differs ? "<tr class=\"differs\">" : "<tr>").Append("<td>").Append(Encode(p.Key)).Append("</td>");
            foreach (var v in p.Values)
            {
                h.Append("<td>").Append(v is null ? "-" : Encode(v)).Append("</td>");
            }

            h.Append("</tr>\n");
        }

        h.Append("</table>\n</body></html>\n");
        var bytes = new UTF8Encoding(false).GetBytes(h.ToString());
        output.Write(bytes);
    }

    private static string Number(double? value) => value is not { } v ? "-" : double.IsNaN(v) ? "NaN" : v.ToString("G6", CultureInfo.InvariantCulture);

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
