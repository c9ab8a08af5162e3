namespace CreditScoring.Sdk.Data;

/// <summary>The name, storage kind and role of one column.</summary>
/// <param name="Name">The column name, unique within its table (compared ordinally, case-sensitive).</param>
/// <param name="Kind">How values are stored.</param>
/// <param name="Role">What the column is for.</param>
public sealed record ColumnSchema(string Name, ColumnKind Kind, ColumnRole Role);

/// <summary>The ordered columns of a <see cref="CreditData"/> table.</summary>
public sealed class DataSchema
{
    private readonly ColumnSchema[] _columns;
    private readonly Dictionary<string, int> _index;

    internal DataSchema(ColumnSchema[] columns)
    {
        _columns = columns;
        _index = new Dictionary<string, int>(columns.Length, StringComparer.Ordinal);
        for (var i = 0; i < columns.Length; i++)
        {
            if (!_index.TryAdd(columns[i].Name, i))
            {
                throw new CreditScoringException(
                    $"Duplicate column name '{columns[i].Name}' (columns {_index[columns[i].Name] + 1} and {i + 1}); column names must be unique.");
            }
        }
    }

    /// <summary>The columns in table order.</summary>
    public IReadOnlyList<ColumnSchema> Columns => _columns;

    /// <summary>The number of columns.</summary>
    public int Count => _columns.Length;

    /// <summary>The column at a position.</summary>
    /// <param name="index">Zero-based column position.</param>
    public ColumnSchema this[int index] => _columns[index];

    /// <summary>The position of a column, or -1 when there is none of that name.</summary>
    /// <param name="name">The column name (ordinal, case-sensitive).</param>
    /// <returns>The zero-based position, or -1.</returns>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _index.TryGetValue(name, out var i) ? i : -1;
    }

    /// <summary>The columns with a given role, in table order.</summary>
    /// <param name="role">The role to look for.</param>
    /// <returns>The matching columns.</returns>
    public IReadOnlyList<ColumnSchema> WithRole(ColumnRole role)
    {
        var list = new List<ColumnSchema>();
        foreach (var c in _columns)
        {
            if (c.Role == role)
            {
                list.Add(c);
            }
        }

        return list;
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _columns.Select(c => $"{c.Name}:{c.Kind}{(c.Role == ColumnRole.Feature ? "" : "/" + c.Role)}"));
}
