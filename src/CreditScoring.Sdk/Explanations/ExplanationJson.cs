using System.Text;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Explanations;

/// <summary>
/// The explanation of one applicant as JSON (UTF-8, indented), schema <c>creditscoring-explanation/1</c>:
/// <code>
/// {
///   "schema": "creditscoring-explanation/1",
///   "id": "A-17" | null,                        the applicant's id when known
///   "probability": 0.31, "decision": "decline", "threshold": 0.2,
///   "warnings": ["OutOfRange"],                 the scorer's flags (empty when none)
///   "method": "path-dependent" | "interventional",
///   "baseValue": -1.9, "margin": -0.8,          log-odds; baseValue + Σ contributions = margin at both levels
///   "similarClients": {"lowScore", "highScore", "rows"} | null,   the training score decile of this applicant (null ends: unbounded)
///   "reasons": [{"rank": 1, "input": "Income", "code": "R01", "text": "...", "contribution": 0.42, "value": "80"}],
///   "inputs": [{"name": "Income", "derived": false, "sources": ["Income"], "value": "80" | null,
///               "contribution": 0.42,
///               "population": {"percentile", "median", "low", "high", "missingShare", "categoryShare"} | null,
///               "amongSimilar": {the same, among the clients with a similar score} | null}],
///   "features": [{"name": "Income", "value": 80, "contribution": 0.40, "input": "Income"}]
/// }
/// </code>
/// Numbers that are not defined (NaN, such as the median of a categorical input) are written as <c>null</c>.
/// </summary>
public static class ExplanationJson
{
    /// <summary>The schema name written in every document.</summary>
    public const string Schema = "creditscoring-explanation/1";

    /// <summary>Writes one explanation.</summary>
    /// <param name="explanation">The explanation.</param>
    /// <param name="id">The applicant's id, or <see langword="null"/>.</param>
    /// <returns>The JSON text.</returns>
    public static string Write(Explanation explanation, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            Write(json, explanation, id);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes one explanation as a JSON object to a writer (for embedding in a larger document).</summary>
    /// <param name="json">The writer.</param>
    /// <param name="explanation">The explanation.</param>
    /// <param name="id">The applicant's id, or <see langword="null"/>.</param>
    public static void Write(Utf8JsonWriter json, Explanation explanation, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(explanation);
        var e = explanation;
        json.WriteStartObject();
        json.WriteString("schema", Schema);
        WriteText(json, "id", id);

        json.NumberOrNull("probability", e.Probability);
        json.WriteString("decision", e.Decision.ToText());
        json.NumberOrNull("threshold", e.Threshold);
        json.WriteStartArray("warnings");
        foreach (var flag in Enum.GetValues<ScoreWarnings>())
        {
            if (flag != ScoreWarnings.None && (e.Warnings & flag) == flag)
            {
                json.WriteStringValue(flag.ToString());
            }
        }

        json.WriteEndArray();
        json.WriteString("method", MethodName(e.Method));
        json.NumberOrNull("baseValue", e.BaseValue);
        json.NumberOrNull("margin", e.Margin);
        if (e.SimilarClients is { } similar)
        {
            json.WriteStartObject("similarClients");
            json.NumberOrNull("lowScore", similar.LowScore);
            json.NumberOrNull("highScore", similar.HighScore);
            json.WriteNumber("rows", similar.Rows);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("similarClients");
        }
        json.WriteStartArray("reasons");
        foreach (var r in e.Reasons)
        {
            json.WriteStartObject();
            json.WriteNumber("rank", r.Rank);
            json.WriteString("input", r.Input);
            json.WriteString("code", r.Code);
            json.WriteString("text", r.Text);
            json.NumberOrNull("contribution", r.Contribution);
            WriteText(json, "value", r.Value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("inputs");
        foreach (var i in e.Inputs)
        {
            json.WriteStartObject();
            json.WriteString("name", i.Name);
            json.WriteBoolean("derived", i.IsDerived);
            json.WriteStartArray("sources");
            foreach (var s in i.Sources)
            {
                json.WriteStringValue(s);
            }

            json.WriteEndArray();
            WriteText(json, "value", i.Value);
            json.NumberOrNull("contribution", i.Contribution);
            WriteStanding(json, "population", i.Population);
            WriteStanding(json, "amongSimilar", i.AmongSimilar);

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("features");
        foreach (var f in e.Features)
        {
            json.WriteStartObject();
            json.WriteString("name", f.Name);
            json.NumberOrNull("value", f.Value);
            json.NumberOrNull("contribution", f.Contribution);
            json.WriteString("input", f.Input);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The method's name in documents and on the command line: <c>path-dependent</c> or <c>interventional</c>.</summary>
    /// <param name="method">The method.</param>
    /// <returns>The name.</returns>
    public static string MethodName(ContributionMethod method) => method == ContributionMethod.Interventional ? "interventional" : "path-dependent";

    private static void WriteStanding(Utf8JsonWriter json, string name, PopulationStanding? p)
    {
        if (p is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.NumberOrNull("percentile", p.Percentile);
        json.NumberOrNull("median", p.Median);
        json.NumberOrNull("low", p.Low);
        json.NumberOrNull("high", p.High);
        json.NumberOrNull("missingShare", p.MissingShare);
        json.NumberOrNull("categoryShare", p.CategoryShare);
        json.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}

/// <summary>
/// The scores file with reason codes: the <see cref="ScoresFile"/> columns, then <c>reason1_code,reason1_text</c> up to
/// <c>reasonN_code,reasonN_text</c> (empty when a row has fewer adverse inputs). Written atomically as the scores file is.
/// </summary>
public static class ExplainedScoresFile
{
    /// <summary>Writes the file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="data">The explained table (for its ids).</param>
    /// <param name="explanations">One explanation per row.</param>
    /// <param name="reasons">The reason columns to write (at least 1).</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The explanations and the table differ in length.</exception>
    public static void Write(string path, CreditData data, IReadOnlyList<Explanation> explanations, int reasons, ScoresFileOptions? options = null) =>
        OutputFiles.Write(path, stream => Write(stream, data, explanations, reasons, options));

    /// <summary>Writes the file to a stream (left open).</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="data">The explained table (for its ids).</param>
    /// <param name="explanations">One explanation per row.</param>
    /// <param name="reasons">The reason columns to write (at least 1).</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The explanations and the table differ in length.</exception>
    public static void Write(Stream stream, CreditData data, IReadOnlyList<Explanation> explanations, int reasons, ScoresFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(explanations);
        Write(stream, data, [.. explanations.Select(e => new ScoredReasons { Score = new CreditScore(e.Probability, e.Decision) { Warnings = e.Warnings }, Reasons = e.Reasons })], reasons, options);
    }

    /// <summary>Writes the file from <see cref="CreditExplainer.ReasonsBatch"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="data">The explained table (for its ids).</param>
    /// <param name="rows">One score and its reasons per row.</param>
    /// <param name="reasons">The reason columns to write (at least 1).</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The rows and the table differ in length.</exception>
    public static void Write(string path, CreditData data, IReadOnlyList<ScoredReasons> rows, int reasons, ScoresFileOptions? options = null) =>
        OutputFiles.Write(path, stream => Write(stream, data, rows, reasons, options));

    /// <summary>Writes the file from <see cref="CreditExplainer.ReasonsBatch"/> to a stream (left open).</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="data">The explained table (for its ids).</param>
    /// <param name="rows">One score and its reasons per row.</param>
    /// <param name="reasons">The reason columns to write (at least 1).</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The rows and the table differ in length.</exception>
    public static void Write(Stream stream, CreditData data, IReadOnlyList<ScoredReasons> rows, int reasons, ScoresFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(reasons, 1);
        var scores = rows.Select(r => r.Score).ToArray();
        var header = Enumerable.Range(1, reasons).SelectMany(k => new[] { $"reason{k}_code", $"reason{k}_text" }).ToArray();
        ScoresFile.Write(stream, data, scores, options, header, (i, cells) =>
        {
            var given = rows[i].Reasons;
            for (var k = 0; k < reasons; k++)
            {
                cells[2 * k] = k < given.Count ? given[k].Code : "";
                cells[(2 * k) + 1] = k < given.Count ? given[k].Text : "";
            }
        });
    }
}
