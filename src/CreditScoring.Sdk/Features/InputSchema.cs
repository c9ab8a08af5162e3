using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Features;

/// <summary>One raw input a model expects from an applicant.</summary>
/// <param name="Name">The column name (ordinal, case-sensitive).</param>
/// <param name="Kind"><see cref="ColumnKind.Numeric"/> or <see cref="ColumnKind.Categorical"/>.</param>
/// <param name="Categories">For a categorical input, the categories seen in training, sorted ordinally; any other value is an unknown category. Empty for numeric inputs.</param>
public sealed record InputColumn(string Name, ColumnKind Kind, IReadOnlyList<string> Categories)
{
    /// <summary>A one-line description such as <c>Income (numeric)</c> or <c>Home (categorical: ignore, other, owner, ...)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Kind == ColumnKind.Numeric
        ? $"{Name} (numeric)"
        : $"{Name} (categorical: {string.Join(", ", Categories.Take(8))}{(Categories.Count > 8 ? ", ..." : "")})";
}

/// <summary>
/// The raw inputs of a model, in the order the model stores them: every feature column of the
/// training data that is numeric or categorical (date columns are not model inputs).
/// </summary>
public sealed class InputSchema
{
    private readonly InputColumn[] _columns;
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, int>[] _categoryIndex;

    /// <summary>Creates a schema.</summary>
    /// <param name="columns">The inputs; names must be unique, categories unique within a column.</param>
    /// <exception cref="ArgumentException">A name or category repeats, or a kind is not numeric or categorical.</exception>
    public InputSchema(IReadOnlyList<InputColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = [.. columns];
        _index = new Dictionary<string, int>(_columns.Length, StringComparer.Ordinal);
        _categoryIndex = new Dictionary<string, int>[_columns.Length];
        for (var i = 0; i < _columns.Length; i++)
        {
            var c = _columns[i];
            if (c.Kind is not (ColumnKind.Numeric or ColumnKind.Categorical))
            {
                throw new ArgumentException($"Input '{c.Name}' is {c.Kind}; model inputs are numeric or categorical.", nameof(columns));
            }

            if (!_index.TryAdd(c.Name, i))
            {
                throw new ArgumentException($"Input '{c.Name}' appears twice.", nameof(columns));
            }

            var lookup = new Dictionary<string, int>(c.Categories.Count, StringComparer.Ordinal);
            for (var k = 0; k < c.Categories.Count; k++)
            {
                if (!lookup.TryAdd(c.Categories[k], k))
                {
                    throw new ArgumentException($"Input '{c.Name}' lists category '{c.Categories[k]}' twice.", nameof(columns));
                }
            }

            _categoryIndex[i] = lookup;
        }
    }

    /// <summary>The inputs in model order.</summary>
    public IReadOnlyList<InputColumn> Columns => _columns;

    /// <summary>The number of inputs.</summary>
    public int Count => _columns.Length;

    /// <summary>The position of an input, or -1.</summary>
    /// <param name="name">The input name.</param>
    /// <returns>The position, or -1.</returns>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _index.TryGetValue(name, out var i) ? i : -1;
    }

    /// <summary>The code of a category of a categorical input, or -1 when it was not seen in training.</summary>
    /// <param name="column">The input position.</param>
    /// <param name="category">The category text.</param>
    /// <returns>The code, or -1.</returns>
    public int CategoryCode(int column, ReadOnlySpan<char> category) =>
        _categoryIndex[column].GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(category, out var code) ? code : -1;
}

/// <summary>Reads data with a model's input types.</summary>
public static class InputSchemaLoadExtensions
{
    /// <summary>
    /// Reads the columns that are a model's inputs with the model's types (numbers or categories) instead of inferring them,
    /// so a value of the wrong type (text in a numeric input) is an error naming the line, column and value, and a
    /// categorical input whose values look like numbers keeps their exact text. See <see cref="DataLoadOptions.UseTypes"/>.
    /// </summary>
    /// <param name="options">The load options.</param>
    /// <param name="schema">The model's inputs (<c>model.Input</c>).</param>
    /// <param name="description">Names the model in messages; default "the model".</param>
    /// <returns><paramref name="options"/>.</returns>
    public static DataLoadOptions UseTypesOf(this DataLoadOptions options, InputSchema schema, string description = "the model")
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schema);
        return options.UseTypes(schema.Columns.Select(c => KeyValuePair.Create(c.Name, c.Kind)), description);
    }
}
