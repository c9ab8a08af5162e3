using System.Text.Json;

namespace CreditScoring.Sdk.Internal;

/// <summary>What the library's JSON documents (the evaluation report, explanations) write the same way.</summary>
internal static class JsonWriting
{
    /// <summary>Writes a number, or null when it is NaN or infinite (JSON has neither).</summary>
    public static void NumberOrNull(this Utf8JsonWriter json, string name, double value)
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
