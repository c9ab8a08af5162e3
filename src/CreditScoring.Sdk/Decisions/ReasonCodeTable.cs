using System.Globalization;
using System.Text;
using System.Text.Json;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Decisions;

/// <summary>One input's reason code and its customer-facing texts.</summary>
public sealed record ReasonCodeEntry
{
    /// <summary>The input (or derived characteristic) the entry is for, as the model names it.</summary>
    public required string Input { get; init; }

    /// <summary>The code printed on the notice, e.g. <c>R01</c>.</summary>
    public required string Code { get; init; }

    /// <summary>The text when no direction-specific text applies, e.g. "Income too low for the amount requested".</summary>
    public required string Text { get; init; }

    /// <summary>The text when the applicant's value is above the population median (numeric inputs); <see langword="null"/> to use <see cref="Text"/>.</summary>
    public string? TextWhenHigh { get; init; }

    /// <summary>The text when the applicant's value is at or below the population median (numeric inputs); <see langword="null"/> to use <see cref="Text"/>.</summary>
    public string? TextWhenLow { get; init; }

    /// <summary>The text when the applicant's value is missing, e.g. "No credit bureau history"; <see langword="null"/> to use <see cref="Text"/>.</summary>
    public string? TextWhenMissing { get; init; }
}

/// <summary>
/// The lender's reason codes for adverse-action notices: per input, a code and customer-facing texts (optionally one per
/// direction), and the inputs the model must never cite (protected attributes, for instance). An input without an entry
/// gets a clear default text. Read from JSON or CSV (see <see cref="Parse"/>).
/// </summary>
public sealed class ReasonCodeTable
{
    private readonly Dictionary<string, ReasonCodeEntry> _entries;

    /// <summary>Creates a table.</summary>
    /// <param name="entries">The entries, at most one per input.</param>
    /// <param name="excluded">Inputs never given as reasons; default none.</param>
    /// <exception cref="ConfigurationException">Two entries name the same input, or an entry has an empty input, code or text.</exception>
    public ReasonCodeTable(IEnumerable<ReasonCodeEntry> entries, IEnumerable<string>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = new Dictionary<string, ReasonCodeEntry>(StringComparer.Ordinal);
        var index = 0;
        foreach (var e in entries)
        {
            if (string.IsNullOrWhiteSpace(e.Input) || string.IsNullOrWhiteSpace(e.Code) || string.IsNullOrWhiteSpace(e.Text))
            {
                throw new ConfigurationException($"Reason code entry {index + 1} needs an input, a code and a text (input '{e.Input}', code '{e.Code}').");
            }

            if (!_entries.TryAdd(e.Input, e))
            {
                throw new ConfigurationException($"The reason code table has two entries for input '{e.Input}' ({_entries[e.Input].Code} and {e.Code}); give each input one entry.");
            }

            index++;
        }

        Excluded = [.. (excluded ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The entries, in input-name order.</summary>
    public IReadOnlyList<ReasonCodeEntry> Entries => [.. _entries.Values.OrderBy(e => e.Input, StringComparer.Ordinal)];

    /// <summary>Inputs never given as reasons, in name order.</summary>
    public IReadOnlyList<string> Excluded { get; }

    /// <summary>The entry of an input, or <see langword="null"/>.</summary>
    /// <param name="input">The input's name.</param>
    /// <returns>The entry.</returns>
    public ReasonCodeEntry? Find(string input) => _entries.GetValueOrDefault(input);

    /// <summary>Whether an input must never be given as a reason.</summary>
    /// <param name="input">The input's name.</param>
    /// <returns><see langword="true"/> when excluded.</returns>
    public bool IsExcluded(string input) => Excluded.Contains(input, StringComparer.Ordinal);

    /// <summary>
    /// Reads a table from text. JSON: <c>{"reasons": [{"input": "Income", "code": "R01", "text": "...", "textWhenHigh":
    /// "...", "textWhenLow": "...", "textWhenMissing": "..."}], "exclude": ["Age"]}</c>. CSV (RFC 4180, a header naming
    /// the columns <c>input,code,text</c> and optionally <c>textWhenHigh,textWhenLow,textWhenMissing,exclude</c>): one row per
    /// input; <c>exclude</c> = <c>true</c> marks an input never to cite (its code and text may then be empty).
    /// </summary>
    /// <param name="text">The table.</param>
    /// <param name="source">Where it came from, for messages (a file name).</param>
    /// <returns>The table.</returns>
    /// <exception cref="ConfigurationException">The text is neither form, or an entry is incomplete; the message says where.</exception>
    public static ReasonCodeTable Parse(string text, string source = "the reason code table")
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.TrimStart().StartsWith('{') ? ParseJson(text, source) : ParseCsv(text, source);
    }

    /// <summary>Reads a table from a file (see <see cref="Parse"/>).</summary>
    /// <param name="path">A JSON or CSV file.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ConfigurationException">As <see cref="Parse"/>.</exception>
    public static ReasonCodeTable Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path), Path.GetFileName(path));
    }

    /// <summary>The table as JSON, in the form <see cref="Parse"/> reads.</summary>
    /// <returns>Indented JSON.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("reasons");
            foreach (var e in Entries)
            {
                w.WriteStartObject();
                w.WriteString("input", e.Input);
                w.WriteString("code", e.Code);
                w.WriteString("text", e.Text);
                WriteOptional(w, "textWhenHigh", e.TextWhenHigh);
                WriteOptional(w, "textWhenLow", e.TextWhenLow);
                WriteOptional(w, "textWhenMissing", e.TextWhenMissing);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("exclude");
            foreach (var x in Excluded)
            {
                w.WriteStringValue(x);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static ReasonCodeTable ParseJson(string text, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var entries = new List<ReasonCodeEntry>();
            if (root.TryGetProperty("reasons", out var reasons))
            {
                var i = 0;
                foreach (var r in reasons.EnumerateArray())
                {
                    i++;
                    entries.Add(new ReasonCodeEntry
                    {
                        Input = Required(r, "input", source, i),
                        Code = Required(r, "code", source, i),
                        Text = Required(r, "text", source, i),
                        TextWhenHigh = Optional(r, "textWhenHigh"),
                        TextWhenLow = Optional(r, "textWhenLow"),
                        TextWhenMissing = Optional(r, "textWhenMissing"),
                    });
                }
            }

            var excluded = root.TryGetProperty("exclude", out var x) ? x.EnumerateArray().Select(e => e.GetString() ?? "").ToArray() : [];
            return new ReasonCodeTable(entries, excluded);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ConfigurationException($"{source}: not a reason code table ({e.Message}). Expected {{\"reasons\": [{{\"input\", \"code\", \"text\"}}, ...], \"exclude\": [...]}}.", e);
        }
    }

    private static string Required(JsonElement e, string name, string source, int index) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
            ? v.GetString()!
            : throw new ConfigurationException($"{source}: reason {index} has no \"{name}\" (a non-empty string).");

    private static string? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The CSV records of a text with their line numbers (RFC 4180, comma, double quote).</summary>
    private static List<(long Line, string[] Fields)> CsvRecords(string text, string source)
    {
        var reader = new CsvRecordReader(new StringReader(text), ',', '"');
        var records = new List<(long, string[])>();
        while (true)
        {
            var outcome = reader.Read();
            if (outcome == CsvRecordReader.Outcome.EndOfFile)
            {
                return records;
            }

            if (outcome != CsvRecordReader.Outcome.Record)
            {
                throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{source}: line {reader.RecordLine} is not valid CSV ({(outcome == CsvRecordReader.Outcome.UnterminatedQuote ? "a quoted field is never closed" : reader.Problem)})."));
            }

            var buffer = reader.Buffer;
            var fields = new string[reader.Fields.Length];
            for (var f = 0; f < fields.Length; f++)
            {
                fields[f] = buffer[reader.Fields[f]].ToString();
            }

            if (fields is not [""])
            {
                records.Add((reader.RecordLine, fields));
            }
        }
    }

    private static ReasonCodeTable ParseCsv(string text, string source)
    {
        var rows = CsvRecords(text, source);
        if (rows.Count == 0)
        {
            throw new ConfigurationException($"{source}: the reason code table is empty; expected a header input,code,text.");
        }

        var header = rows[0].Fields.Select(h => h.Trim()).ToArray();
        int Column(string name) => Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
        int input = Column("input"), code = Column("code"), reason = Column("text");
        if (input < 0 || code < 0 || reason < 0)
        {
            throw new ConfigurationException($"{source}: the header ({string.Join(",", header)}) must name the columns input, code and text (JSON tables start with '{{').");
        }

        int high = Column("textWhenHigh"), low = Column("textWhenLow"), missing = Column("textWhenMissing"), exclude = Column("exclude");
        var entries = new List<ReasonCodeEntry>();
        var excluded = new List<string>();
        foreach (var (line, row) in rows.Skip(1))
        {
            if (row.Length != header.Length)
            {
                throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{source}: line {line} has {row.Length} fields; the header has {header.Length}."));
            }

            string? Cell(int c) => c >= 0 && row[c].Trim().Length > 0 ? row[c].Trim() : null;
            if (Cell(exclude) is { } flag && (flag.Equals("true", StringComparison.OrdinalIgnoreCase) || flag == "1" || flag.Equals("yes", StringComparison.OrdinalIgnoreCase)))
            {
                excluded.Add(Cell(input) ?? throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{source}: line {line} excludes an input but names none.")));
                if (Cell(code) is null)
                {
                    continue;
                }
            }

            if (Cell(input) is null || Cell(code) is null || Cell(reason) is null)
            {
                throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{source}: line {line} needs an input, a code and a text."));
            }

            entries.Add(new ReasonCodeEntry { Input = Cell(input)!, Code = Cell(code)!, Text = Cell(reason)!, TextWhenHigh = Cell(high), TextWhenLow = Cell(low), TextWhenMissing = Cell(missing) });
        }

        return new ReasonCodeTable(entries, excluded);
    }
}
