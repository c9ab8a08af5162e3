using System.Buffers;
using System.Text;
using System.Text.Json;

namespace CreditScoring.Sdk.Data;

/// <summary>Reading JSON Lines (one JSON object per line).</summary>
public sealed partial class CreditData
{
    /// <summary>
    /// Reads a JSON Lines file (<c>.jsonl</c>, <c>.ndjson</c>): one JSON object per line, blank lines skipped. The columns
    /// are every key any record holds, in the order they first appear; a record without a key has a missing value there, as
    /// does <c>null</c>. Kinds follow the JSON values: numbers and <c>true</c>/<c>false</c> are numeric, strings categorical
    /// (name a column in <see cref="DataLoadOptions"/> to read it otherwise, such as dates). A line that is not a JSON object,
    /// holds a nested object or array, or repeats a key is a bad record, handled by <see cref="DataLoadOptions.BadRows"/>
    /// with its line number. The file is read twice, streaming: once for the keys, once for the values.
    /// </summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="configure">Roles, type overrides, missing tokens and bad-record handling.</param>
    /// <returns>The table; <see cref="LoadReport"/> says what was read and skipped.</returns>
    /// <exception cref="DataLoadException">The file holds no record with a key, a role names a missing column, or a bad record was met with <see cref="BadRowHandling.Fail"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CreditData ReadJsonLines(string path, Action<DataLoadOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new DataLoadOptions();
        configure?.Invoke(options);
        var source = options.SourceName ?? path;

        // First pass: the keys, in the order they first appear (lines that do not parse are reported by the second pass).
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var (line, _) in JsonLines(path))
        {
            try
            {
                var reader = new Utf8JsonReader(line.Span);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    if (index.TryAdd(name, names.Count))
                    {
                        names.Add(name);
                    }

                    reader.Read();
                    reader.Skip();
                }
            }
            catch (JsonException)
            {
                // Reported with its line number below.
            }
        }

        if (names.Count == 0)
        {
            throw new DataLoadException($"{source}: no record holds a key; expected one JSON object per line, such as {{\"age\": 41, \"home\": \"rent\"}}.");
        }

        var builder = new TableBuilder(source, "line", names, options, null, 0);
        var values = new object?[names.Count];
        var seen = new bool[names.Count];
        foreach (var (line, number) in JsonLines(path))
        {
            Array.Clear(values);
            Array.Clear(seen);
            var problem = ReadRecord(line.Span, index, values, seen);
            if (problem is null)
            {
                builder.AddTypedRecord(values, number);
            }
            else
            {
                builder.AddMalformedRecord(number, problem);
            }
        }

        return builder.Build();
    }

    /// <summary>One line's values by column, or what is wrong with it.</summary>
    private static string? ReadRecord(ReadOnlySpan<byte> line, Dictionary<string, int> index, object?[] values, bool[] seen)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "not a JSON object: expected {\"column\": value, ...}";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                var j = index[name];
                if (seen[j])
                {
                    return $"the key '{TableBuilder.Shown(name)}' is given twice";
                }

                seen[j] = true;
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.Number:
                        values[j] = reader.GetDouble();
                        break;
                    case JsonTokenType.String:
                        values[j] = reader.GetString();
                        break;
                    case JsonTokenType.True or JsonTokenType.False:
                        values[j] = reader.GetBoolean();
                        break;
                    case JsonTokenType.Null:
                        values[j] = null;
                        break;
                    default:
                        return $"the value of '{TableBuilder.Shown(name)}' is a nested {(reader.TokenType == JsonTokenType.StartArray ? "array" : "object")}; expected a number, text, true/false or null";
                }
            }

            return reader.Read() ? "more than one JSON value on the line" : null;
        }
        catch (JsonException e)
        {
            return $"not valid JSON: {e.Message.Split(" LineNumber:", 2)[0]}";
        }
    }

    /// <summary>The file's non-blank lines as UTF-8, with their line numbers (from 1), streaming.</summary>
    private static IEnumerable<(ReadOnlyMemory<byte> Line, long Number)> JsonLines(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan });
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            long number = 0;
            while (reader.ReadLine() is { } text)
            {
                number++;
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                var length = Encoding.UTF8.GetMaxByteCount(text.Length);
                if (length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                yield return (buffer.AsMemory(0, Encoding.UTF8.GetBytes(text, buffer)), number);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
