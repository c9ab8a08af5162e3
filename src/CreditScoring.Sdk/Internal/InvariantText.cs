using System.Globalization;

namespace CreditScoring.Sdk.Internal;

/// <summary>Values shown in messages, in the invariant culture.</summary>
internal static class InvariantText
{
    public static string Format(object? value) => value switch
    {
        null => "null",
        DBNull => "DBNull",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>A CSV field (RFC 4180): quoted, with inner quotes doubled, when it holds a comma, a quote or a line break.</summary>
    public static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
