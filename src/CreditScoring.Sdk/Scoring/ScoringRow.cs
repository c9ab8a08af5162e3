using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.Scoring;

/// <summary>
/// One applicant's raw inputs, filled by name and reused between calls: create it once per thread
/// with <see cref="ICreditScorer.CreateRow"/>, then <see cref="Clear"/>, <c>Set</c> every input and
/// score. Every input must be set (a missing value is set with <see cref="SetMissing"/>), so a
/// forgotten column is an error rather than a silent "missing". Setting values allocates nothing.
/// Not thread-safe: use one row per thread.
/// </summary>
public sealed class ScoringRow
{
    private readonly double[] _values;
    private readonly bool[] _set;
    private readonly UnknownCategoryHandling _unknown;
    private readonly FittedFeatures _features;
    private readonly double[] _aggregates;
    private readonly string[] _related;
    private readonly bool[] _relatedSet;

    internal ScoringRow(FittedFeatures features, UnknownCategoryHandling unknown)
    {
        _features = features;
        Schema = features.Input;
        _unknown = unknown;
        _values = new double[Schema.Count];
        _set = new bool[Schema.Count];
        _aggregates = new double[features.AggregateWidth];
        _related = [.. features.RelatedTables];
        _relatedSet = new bool[_related.Length];
    }

    /// <summary>The related tables whose rows this row needs (see <see cref="SetRelated(string, IReadOnlyList{IReadOnlyDictionary{string, object}})"/>); empty for most models.</summary>
    public IReadOnlyList<string> RelatedTables => _related;

    internal ReadOnlySpan<double> Aggregates => _aggregates;

    /// <summary>
    /// Gives the applicant's rows of a related table (e.g. their credit-bureau records), which the model
    /// aggregates; an empty list means the applicant has none. Every related table must be set. Each row
    /// maps column names to numbers, strings, JSON values or null; the key column is not needed.
    /// </summary>
    /// <param name="table">The related table's name.</param>
    /// <param name="rows">The applicant's rows.</param>
    /// <returns>This row.</returns>
    /// <exception cref="ScoringInputException">The model aggregates no such table, or a row lacks a column or has a value of the wrong type.</exception>
    public ScoringRow SetRelated(string table, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return SetRelated(table, a => a.Read(rows), rows.Count);
    }

    /// <summary>Gives the applicant's rows of a related table as a table (all of its rows belong to the applicant).</summary>
    /// <param name="table">The related table's name.</param>
    /// <param name="rows">The applicant's rows.</param>
    /// <returns>This row.</returns>
    /// <exception cref="ScoringInputException">The model aggregates no such table, or a column is missing or has the wrong kind.</exception>
    public ScoringRow SetRelated(string table, CreditData rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return SetRelated(table, a => a.Read(rows), rows.RowCount);
    }

    private ScoringRow SetRelated(string table, Func<FittedAggregation, FittedAggregation.SideRows> read, int count)
    {
        ArgumentNullException.ThrowIfNull(table);
        var t = Array.IndexOf(_related, table);
        if (t < 0)
        {
            throw new ScoringInputException(table, $"The model aggregates no related table '{table}' ({(_related.Length == 0 ? "it uses none" : "it uses: " + string.Join(", ", _related))}).");
        }

        var all = Enumerable.Range(0, count).ToArray();
        var offset = 0;
        foreach (var a in _features.Aggregations)
        {
            if (a.Table == table)
            {
                a.Compute(read(a), all, _aggregates.AsSpan(offset, a.Outputs.Length));
            }

            offset += a.Outputs.Length;
        }

        _relatedSet[t] = true;
        return this;
    }

    /// <summary>The inputs this row holds.</summary>
    public InputSchema Schema { get; }

    internal ReadOnlySpan<double> Values => _values;

    /// <summary>Sets a numeric input; <see cref="double.NaN"/> means missing.</summary>
    /// <param name="column">The input name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This row.</returns>
    /// <exception cref="ScoringInputException">No such input, the input is categorical, or the value is infinite.</exception>
    public ScoringRow Set(string column, double value) => Set(IndexOf(column), value);

    /// <summary>Sets a numeric input by position; <see cref="double.NaN"/> means missing.</summary>
    /// <param name="index">The input position in <see cref="Schema"/>.</param>
    /// <param name="value">The value.</param>
    /// <returns>This row.</returns>
    /// <exception cref="ScoringInputException">The input is categorical, or the value is infinite.</exception>
    public ScoringRow Set(int index, double value)
    {
        var input = Schema.Columns[index];
        if (input.Kind != ColumnKind.Numeric)
        {
            throw new ScoringInputException(input.Name, $"Input '{input.Name}' is categorical; set it to one of its categories (a string), not to the number {value.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (double.IsInfinity(value))
        {
            throw new ScoringInputException(input.Name, $"Input '{input.Name}' is {value.ToString(CultureInfo.InvariantCulture)}; a numeric input must be finite (NaN = missing).");
        }

        _values[index] = value;
        _set[index] = true;
        return this;
    }

    /// <summary>Sets a categorical input; <see langword="null"/> means missing.</summary>
    /// <param name="column">The input name.</param>
    /// <param name="category">The category text (compared ordinally).</param>
    /// <returns>This row.</returns>
    /// <exception cref="ScoringInputException">No such input, the input is numeric, or the category is unknown and unknown categories are rejected.</exception>
    public ScoringRow Set(string column, string? category) => Set(IndexOf(column), category);

    /// <summary>Sets a categorical input by position; <see langword="null"/> means missing.</summary>
    /// <param name="index">The input position in <see cref="Schema"/>.</param>
    /// <param name="category">The category text.</param>
    /// <returns>This row.</returns>
    /// <exception cref="ScoringInputException">The input is numeric, or the category is unknown and unknown categories are rejected.</exception>
    public ScoringRow Set(int index, string? category)
    {
        var input = Schema.Columns[index];
        if (input.Kind != ColumnKind.Categorical)
        {
            throw new ScoringInputException(input.Name, $"Input '{input.Name}' is numeric; set it to a number, not to the text '{category}'.");
        }

        _values[index] = category is null ? double.NaN : InputBinder.CodeOf(Schema, index, category, _unknown);
        _set[index] = true;
        return this;
    }

    /// <summary>Marks an input as missing.</summary>
    /// <param name="column">The input name.</param>
    /// <returns>This row.</returns>
    /// <exception cref="ScoringInputException">No such input.</exception>
    public ScoringRow SetMissing(string column)
    {
        var index = IndexOf(column);
        _values[index] = double.NaN;
        _set[index] = true;
        return this;
    }

    /// <summary>Whether an input has been set since the last <see cref="Clear"/>.</summary>
    /// <param name="column">The input name.</param>
    /// <returns><see langword="true"/> when set.</returns>
    public bool IsSet(string column) => _set[IndexOf(column)];

    /// <summary>Unsets every input, for the next applicant.</summary>
    public void Clear()
    {
        Array.Clear(_set);
        Array.Clear(_relatedSet);
    }

    internal void EnsureComplete()
    {
        for (var i = 0; i < _set.Length; i++)
        {
            if (!_set[i])
            {
                var unset = Schema.Columns.Where((_, k) => !_set[k]).Select(c => c.Name).ToArray();
                throw new ScoringInputException(unset[0], $"{unset.Length} input(s) were not set: {string.Join(", ", unset)}. Set every input; use SetMissing for a missing value.");
            }
        }

        for (var t = 0; t < _related.Length; t++)
        {
            if (!_relatedSet[t])
            {
                throw new ScoringInputException(_related[t], $"The applicant's rows of related table '{_related[t]}' were not given; call SetRelated(\"{_related[t]}\", rows) (an empty list when there are none).");
            }
        }
    }

    private int IndexOf(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var index = Schema.IndexOf(column);
        return index >= 0
            ? index
            : throw new ScoringInputException(column, $"The model has no input '{column}' (names are case-sensitive). Inputs: {string.Join(", ", Schema.Columns.Select(c => c.Name))}.");
    }
}
