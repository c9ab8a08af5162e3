using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Data;
using Microsoft.AspNetCore.Http;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>
/// Reads one applicant from a JSON object against the model's input schema, checking every field before anything is
/// scored: each input present (null for a missing value), numbers for numeric inputs, text for categories (a number is
/// taken as its invariant text, as the scorer takes it), a known category when the model refuses unknown ones, and, when
/// asked, no field that is not an input. Every fault is named, not only the first.
/// </summary>
internal static class ApplicantReader
{
    /// <summary>The categories an error lists before "and N more".</summary>
    private const int ListedCategories = 12;

    public static Dictionary<string, object?> Read(JsonObject body, ServedModel served, ServingOptions options, string prefix)
    {
        var comparer = options.CaseInsensitiveFieldNames ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var fields = new Dictionary<string, JsonNode?>(comparer);
        foreach (var (name, value) in body)
        {
            if (!fields.TryAdd(name, value))
            {
                errors[prefix + name] = [$"Given twice (field names are matched {(options.CaseInsensitiveFieldNames ? "whatever their case" : "exactly")})."];
            }
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var schema = served.Model.Input;
        foreach (var column in schema.Columns)
        {
            var field = prefix + column.Name;
            if (!fields.Remove(column.Name, out var node))
            {
                errors[field] = ["Missing: the model reads this input; send null for a missing value."];
                continue;
            }

            if (node is null)
            {
                values[column.Name] = null;
                continue;
            }

            var kind = node.GetValueKind();
            if (column.Kind == ColumnKind.Numeric)
            {
                if (kind == JsonValueKind.Number)
                {
                    values[column.Name] = node.GetValue<double>();
                }
                else
                {
                    errors[field] = [$"Expected a number, got {Describe(kind)}."];
                }

                continue;
            }

            string? category = kind switch
            {
                JsonValueKind.String => node.GetValue<string>(),
                JsonValueKind.Number => node.GetValue<double>().ToString(CultureInfo.InvariantCulture),
                _ => null,
            };
            if (category is null)
            {
                errors[field] = [$"Expected a category as text, got {Describe(kind)}."];
            }
            else if (served.RejectsUnknownCategories && !column.Categories.Contains(category, StringComparer.Ordinal))
            {
                var listed = string.Join(", ", column.Categories.Take(ListedCategories));
                var more = column.Categories.Count > ListedCategories ? $" and {column.Categories.Count - ListedCategories} more" : "";
                errors[field] = [$"Unknown category '{Clip(category)}': the model knows {listed}{more}."];
            }
            else
            {
                values[column.Name] = category;
            }
        }

        if (options.RejectUnknownFields)
        {
            foreach (var name in fields.Keys)
            {
                errors[prefix + name] = ["Not an input of the model."];
            }
        }

        return errors.Count == 0 ? values : throw new RequestException(StatusCodes.Status400BadRequest, "The applicant cannot be scored.", errors);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "text",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
