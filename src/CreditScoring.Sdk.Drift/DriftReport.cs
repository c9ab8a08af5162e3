using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace CreditScoring.Sdk.Drift;

/// <summary>
/// Writes a <see cref="DatasetDrift"/> as a JSON document with a stable schema or as one self-contained HTML page (inline
/// styles and SVG charts: no scripts, fonts or files from elsewhere).
/// </summary>
/// <remarks>
/// JSON schema <c>creditscoring-drift/1</c> (camelCase): <c>schema</c>, <c>summary</c>, <c>referenceRows</c>,
/// <c>currentRows</c>, <c>verdict</c> (drift|no_drift|insufficient_data), <c>datasetDrift</c>, <c>driftedShare</c>,
/// <c>driftedColumns</c>, <c>testedColumns</c>, <c>columnCount</c>, <c>driftShareThreshold</c>, <c>notes[]</c>,
/// <c>columns[]</c> (drifted first: <c>name</c>, <c>type</c> numeric|categorical, <c>test</c>
/// ks|wasserstein|chi2|z|jensen_shannon|psi|auto, <c>statistic</c>, <c>pValue</c> (only for ks, chi2 and z), <c>threshold</c>,
/// <c>drifted</c>, <c>missingShareDrifted</c>, <c>absent</c>, <c>insufficientData</c>, <c>reason</c>, <c>psi</c>,
/// <c>referenceMissing</c>, <c>currentMissing</c>, <c>bars[]</c> {<c>label</c>, <c>reference</c>, <c>current</c>}), and
/// <c>prediction</c> {<c>psi</c>, <c>stability</c>, <c>referenceMeanPd</c>, <c>currentMeanPd</c>, <c>bars[]</c>} when a model
/// scored both sides. Non-finite numbers are written as null.
/// </remarks>
public static class DriftReport
{
    /// <summary>The JSON schema name and version.</summary>
    public const string Schema = "creditscoring-drift/1";

    /// <summary>The name a test has in reports.</summary>
    /// <param name="test">The test.</param>
    /// <returns><c>ks</c>, <c>wasserstein</c>, <c>chi2</c>, <c>z</c>, <c>jensen_shannon</c> or <c>psi</c>.</returns>
    public static string TestName(DriftTest test) => test switch
    {
        DriftTest.KolmogorovSmirnov => "ks",
        DriftTest.Wasserstein => "wasserstein",
        DriftTest.ChiSquare => "chi2",
        DriftTest.ZTest => "z",
        DriftTest.JensenShannon => "jensen_shannon",
        DriftTest.Psi => "psi",
        _ => "auto",
    };

    /// <summary>Writes the JSON report.</summary>
    /// <param name="drift">The drift.</param>
    /// <param name="stream">The destination (left open).</param>
    public static void WriteJson(DatasetDrift drift, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(drift);
        ArgumentNullException.ThrowIfNull(stream);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("schema", Schema);
        json.WriteString("summary", drift.Summary);
        json.WriteNumber("referenceRows", drift.ReferenceRows);
        json.WriteNumber("currentRows", drift.CurrentRows);
        json.WriteString("verdict", drift.IsInsufficient ? "insufficient_data" : drift.IsDrifted ? "drift" : "no_drift");
        json.WriteBoolean("datasetDrift", drift.IsDrifted);
        Number(json, "driftedShare", drift.DriftedShare);
        json.WriteNumber("driftedColumns", drift.DriftedCount);
        json.WriteNumber("testedColumns", drift.TestedCount);
        json.WriteNumber("columnCount", drift.Columns.Count);
        Number(json, "driftShareThreshold", drift.DriftShareThreshold);
        json.WriteStartArray("notes");
        foreach (var note in drift.Notes)
        {
            json.WriteStringValue(note);
        }

        json.WriteEndArray();
        json.WriteStartArray("columns");
        foreach (var c in drift.Columns)
        {
            json.WriteStartObject();
            json.WriteString("name", c.Name);
            json.WriteString("type", c.Type);
            json.WriteString("test", TestName(c.Test));
            Number(json, "statistic", c.Statistic);
            if (c.PValue is { } p)
            {
                Number(json, "pValue", p);
            }

            Number(json, "threshold", c.Threshold);
            json.WriteBoolean("drifted", c.Drifted);
            json.WriteBoolean("missingShareDrifted", c.MissingShareDrifted);
            json.WriteBoolean("absent", c.Absent);
            json.WriteBoolean("insufficientData", c.InsufficientData);
            json.WriteString("reason", c.Reason);
            Number(json, "psi", c.Psi);
            Number(json, "referenceMissing", c.ReferenceMissing);
            Number(json, "currentMissing", c.CurrentMissing);
            Bars(json, c.Bars);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (drift.Prediction is { } prediction)
        {
            json.WriteStartObject("prediction");
            Number(json, "psi", prediction.Psi);
            json.WriteString("stability", prediction.Stability);
            Number(json, "referenceMeanPd", prediction.ReferenceMeanPd);
            Number(json, "currentMeanPd", prediction.CurrentMeanPd);
            Bars(json, prediction.Bars);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>Writes the JSON report to a file (written beside it and renamed over it).</summary>
    /// <param name="drift">The drift.</param>
    /// <param name="path">The file.</param>
    public static void WriteJson(DatasetDrift drift, string path)
    {
        using var buffer = new MemoryStream();
        WriteJson(drift, buffer);
        Data.OutputFiles.WriteAllBytes(path, buffer.ToArray());
    }

    /// <summary>The self-contained HTML report: the summary line, a table of every column (drifted first) and a chart of reference against current for every column.</summary>
    /// <param name="drift">The drift.</param>
    /// <param name="title">The page title; default "Data drift report".</param>
    /// <returns>The HTML text.</returns>
    public static string ToHtml(DatasetDrift drift, string title = "Data drift report")
    {
        ArgumentNullException.ThrowIfNull(drift);
        var h = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1d2733}")
            .Append("h1{font-size:22px}.summary{font-size:18px;padding:10px 14px;border-radius:6px;background:#eef4fb}")
            .Append(".summary.drift{background:#fdecea}table{border-collapse:collapse;margin:16px 0}td,th{padding:4px 10px;border-bottom:1px solid #dde3ea;text-align:right}")
            .Append("td:first-child,th:first-child{text-align:left}.yes{color:#b3261e;font-weight:600}.no{color:#2e7d32}")
            .Append(".column{display:inline-block;vertical-align:top;margin:8px;padding:8px;border:1px solid #dde3ea;border-radius:6px}")
            .Append(".column h3{font-size:14px;margin:0 0 4px}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}")
            .Append("</style></head><body>\n<h1>").Append(E(title)).Append("</h1>\n");
        h.Append("<p class=\"summary").Append(drift.IsDrifted ? " drift" : "").Append("\" id=\"summary\">").Append(E(drift.Summary))
            .Append(' ').Append(E(drift.Verdict.TrimEnd('.'))).Append(string.Create(ci, $" (threshold {drift.DriftShareThreshold:0.##} of columns). Reference {drift.ReferenceRows:N0} rows, current {drift.CurrentRows:N0} rows.")).Append("</p>\n");
        foreach (var note in drift.Notes)
        {
            h.Append("<p class=\"note\">").Append(E(note)).Append("</p>\n");
        }

        h.Append("<p class=\"legend\"><span style=\"background:#4c78a8\"></span>reference<span style=\"background:#f58518\"></span>current</p>\n");
        if (drift.Prediction is { } prediction)
        {
            h.Append(string.Create(ci, $"<h2>Prediction drift</h2>\n<p id=\"prediction\">PSI of the scores {prediction.Psi:F4}: {prediction.Stability} (mean PD {prediction.ReferenceMeanPd:P2} → {prediction.CurrentMeanPd:P2}).</p>\n"));
            Chart(h, "(score)", prediction.Bars);
        }

        h.Append("<h2>Columns</h2>\n<table id=\"columns\"><tr><th>column</th><th>type</th><th>test</th><th>statistic</th><th>p-value</th><th>threshold</th><th>PSI</th><th>missing ref / cur</th><th>drift</th><th>why</th></tr>\n");
        foreach (var c in drift.Columns)
        {
            h.Append("<tr><td>").Append(E(c.Name)).Append("</td><td>").Append(c.Type).Append("</td><td>").Append(TestName(c.Test))
                .Append(string.Create(ci, $"</td><td>{c.Statistic:G4}</td><td>{(c.PValue is { } p ? p.ToString("G4", ci) : "")}</td><td>{c.Threshold:G4}</td><td>{c.Psi:F4}</td><td>{c.ReferenceMissing:P1} / {c.CurrentMissing:P1}</td>"))
                .Append(c.Drifted ? "<td class=\"yes\">drift</td>" : c.InsufficientData ? "<td>insufficient data</td>" : "<td class=\"no\">no drift</td>")
                .Append("<td>").Append(E(c.Reason)).Append("</td></tr>\n");
        }

        h.Append("</table>\n<h2>Distributions</h2>\n");
        foreach (var c in drift.Columns)
        {
            Chart(h, c.Name, c.Bars, c.Drifted);
        }

        h.Append("</body></html>\n");
        return h.ToString();
    }

    /// <summary>Writes the HTML report to a file (written beside it and renamed over it).</summary>
    /// <param name="drift">The drift.</param>
    /// <param name="path">The file.</param>
    /// <param name="title">The page title.</param>
    public static void WriteHtml(DatasetDrift drift, string path, string title = "Data drift report") =>
        Data.OutputFiles.WriteAllBytes(path, Encoding.UTF8.GetBytes(ToHtml(drift, title)));

    /// <summary>An inline SVG bar chart of the reference's and the current data's shares.</summary>
    private static void Chart(StringBuilder h, string name, IReadOnlyList<DriftBar> bars, bool drifted = false)
    {
        const int width = 360, height = 150, top = 8, bottom = 20;
        var ci = CultureInfo.InvariantCulture;
        var max = bars.Count == 0 ? 1 : Math.Max(1e-12, bars.Max(b => Math.Max(b.Reference, b.Current)));
        var slot = bars.Count == 0 ? width : (double)width / bars.Count;
        h.Append("<div class=\"column\" data-column=\"").Append(E(name)).Append("\"><h3>").Append(E(name)).Append(drifted ? " <span class=\"yes\">drift</span>" : "").Append("</h3>");
        h.Append(string.Create(ci, $"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{E(name)}: reference against current\">"));
        h.Append(string.Create(ci, $"<line x1=\"0\" y1=\"{height - bottom}\" x2=\"{width}\" y2=\"{height - bottom}\" stroke=\"#99a\"/>"));
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var w = Math.Max(1, (slot / 2) - 1);
            var hr = (height - top - bottom) * b.Reference / max;
            var hc = (height - top - bottom) * b.Current / max;
            var x = i * slot;
            h.Append(string.Create(ci, $"<rect x=\"{x:F1}\" y=\"{height - bottom - hr:F1}\" width=\"{w:F1}\" height=\"{hr:F1}\" fill=\"#4c78a8\"><title>{E(b.Label)} reference {b.Reference:P2}</title></rect>"));
            h.Append(string.Create(ci, $"<rect x=\"{x + w:F1}\" y=\"{height - bottom - hc:F1}\" width=\"{w:F1}\" height=\"{hc:F1}\" fill=\"#f58518\"><title>{E(b.Label)} current {b.Current:P2}</title></rect>"));
        }

        if (bars.Count > 0)
        {
            h.Append(string.Create(ci, $"<text x=\"0\" y=\"{height - 5}\" font-size=\"10\">{E(bars[0].Label)}</text>"));
            h.Append(string.Create(ci, $"<text x=\"{width}\" y=\"{height - 5}\" font-size=\"10\" text-anchor=\"end\">{E(bars[^1].Label)}</text>"));
        }

        h.Append("</svg></div>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static void Bars(Utf8JsonWriter json, IReadOnlyList<DriftBar> bars)
    {
        json.WriteStartArray("bars");
        foreach (var b in bars)
        {
            json.WriteStartObject();
            json.WriteString("label", b.Label);
            Number(json, "reference", b.Reference);
            Number(json, "current", b.Current);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

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
}
