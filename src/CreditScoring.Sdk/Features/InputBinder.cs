using System.Globalization;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Features;

/// <summary>Maps a table's columns onto a model's raw inputs (see <see cref="FittedFeatures"/> for the encoding).</summary>
internal static class InputBinder
{
    /// <summary>Builds the input schema of training data: every numeric or categorical feature column, categories restricted to those that occur.</summary>
    public static InputSchema SchemaOf(CreditData data)
    {
        var columns = new List<InputColumn>();
        for (var i = 0; i < data.Schema.Count; i++)
        {
            var s = data.Schema[i];
            if (s.Role != ColumnRole.Feature)
            {
                continue;
            }

            switch (data[i])
            {
                case NumericColumn:
                    columns.Add(new InputColumn(s.Name, ColumnKind.Numeric, []));
                    break;
                case CategoricalColumn c:
                    var counts = c.CountCategories();
                    var seen = new List<string>();
                    for (var k = 0; k < counts.Length; k++)
                    {
                        if (counts[k] > 0)
                        {
                            seen.Add(c.Categories[k]);
                        }
                    }

                    columns.Add(new InputColumn(s.Name, ColumnKind.Categorical, seen));
                    break;
                default:
                    break;
            }
        }

        if (columns.Count == 0)
        {
            throw new TrainingDataException($"The data has no numeric or categorical feature columns to train on. Columns: {data.Schema}.");
        }

        return new InputSchema(columns);
    }

    /// <summary>Raw input columns for every row of <paramref name="data"/>. Numeric arrays are shared, not copied.</summary>
    public static double[][] Bind(InputSchema schema, CreditData data, UnknownCategoryHandling unknown)
    {
        var raw = new double[schema.Count][];
        var missing = new List<InputColumn>();
        for (var j = 0; j < schema.Count; j++)
        {
            var input = schema.Columns[j];
            var index = data.Schema.IndexOf(input.Name);
            if (index < 0)
            {
                missing.Add(input);
                continue;
            }

            raw[j] = (input.Kind, data[index]) switch
            {
                (ColumnKind.Numeric, NumericColumn n) => n.RawValues,
                (ColumnKind.Numeric, var other) => throw new ScoringInputException(input.Name,
                    Lead(data, $"column '{input.Name}' is {other.Kind.ToString().ToLowerInvariant()} in the data, but the model expects numbers.")),
                (ColumnKind.Categorical, CategoricalColumn c) => MapCategories(schema, j, c, unknown),
                (ColumnKind.Categorical, NumericColumn n) => MapNumbersAsCategories(schema, j, n, unknown),
                (_, var other) => throw new ScoringInputException(input.Name,
                    Lead(data, $"column '{input.Name}' is {other.Kind.ToString().ToLowerInvariant()} in the data, but the model expects categories.")),
            };
        }

        if (missing.Count > 0)
        {
            throw new ScoringInputException(missing[0].Name,
                Lead(data, $"the data lacks {missing.Count} input column(s) the model needs: {string.Join("; ", missing)}. Data columns: {string.Join(", ", data.Schema.Columns.Select(c => c.Name))}."));
        }

        return raw;
    }

    /// <summary>A message that names the table's source ("file.csv: column ...") when it was loaded from one, else starts with a capital.</summary>
    private static string Lead(CreditData data, string message) =>
        data.LoadReport is { Source: { Length: > 0 } source } ? $"{source}: {message}" : char.ToUpperInvariant(message[0]) + message[1..];

    /// <summary>The raw code of a category: its training code, or what the unknown-category handling says.</summary>
    public static double CodeOf(InputSchema schema, int column, ReadOnlySpan<char> category, UnknownCategoryHandling unknown, int? row = null)
    {
        var code = schema.CategoryCode(column, category);
        if (code >= 0)
        {
            return code;
        }

        return unknown switch
        {
            UnknownCategoryHandling.Ignore => -1.0,
            UnknownCategoryHandling.TreatAsMissing => double.NaN,
            _ => throw UnknownCategory(schema.Columns[column], category.ToString(), row),
        };
    }

    /// <summary>Looks each distinct category up once, then maps the rows' codes.</summary>
    private static double[] MapCategories(InputSchema schema, int column, CategoricalColumn c, UnknownCategoryHandling unknown)
    {
        var map = new double[c.Categories.Count];
        var rejected = new bool[map.Length];
        for (var k = 0; k < map.Length; k++)
        {
            rejected[k] = unknown == UnknownCategoryHandling.Throw && schema.CategoryCode(column, c.Categories[k]) < 0;
            map[k] = rejected[k] ? double.NaN : CodeOf(schema, column, c.Categories[k], unknown);
        }

        var codes = c.Codes;
        var raw = new double[codes.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            if (codes[i] >= 0 && rejected[codes[i]])
            {
                throw UnknownCategory(schema.Columns[column], c[i]!, i);
            }

            raw[i] = codes[i] < 0 ? double.NaN : map[codes[i]];
        }

        return raw;
    }

    private static double[] MapNumbersAsCategories(InputSchema schema, int column, NumericColumn n, UnknownCategoryHandling unknown)
    {
        var raw = new double[n.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = double.IsNaN(n[i]) ? double.NaN : CodeOf(schema, column, n[i].ToString("R", CultureInfo.InvariantCulture), unknown, i);
        }

        return raw;
    }

    private static ScoringInputException UnknownCategory(InputColumn input, string value, int? row) =>
        new(input.Name, $"Column '{input.Name}'{(row is { } r ? $", row {r}" : "")}: category '{value}' was not seen in training (known: {string.Join(", ", input.Categories.Take(20))}{(input.Categories.Count > 20 ? ", ..." : "")}). Unknown categories are rejected because UnknownCategory is Throw.");
}
