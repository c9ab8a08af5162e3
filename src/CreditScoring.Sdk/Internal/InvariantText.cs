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
}
