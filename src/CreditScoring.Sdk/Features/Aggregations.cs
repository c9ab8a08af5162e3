using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Features;

/// <summary>Statistics of a numeric column of a related table, per applicant.</summary>
[Flags]
public enum AggregateFunctions
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>The smallest value.</summary>
    Min = 1,

    /// <summary>The largest value.</summary>
    Max = 2,

    /// <summary>The mean.</summary>
    Mean = 4,

    /// <summary>The sum.</summary>
    Sum = 8,

    /// <summary>The sample standard deviation (n − 1 in the denominator, as pandas).</summary>
    Std = 16,

    /// <summary>All of them.</summary>
    All = Min | Max | Mean | Sum | Std,
}

/// <summary>
/// Declares what to aggregate from one related table: <c>a =&gt; a.Numeric(["AMT_CREDIT_SUM"], AggregateFunctions.Mean | AggregateFunctions.Max).Categorical("CREDIT_ACTIVE").Where("CREDIT_ACTIVE", "Active")</c>.
/// </summary>
public sealed class AggregationBuilder
{
    internal List<(string Column, AggregateFunctions Functions)> Numerics { get; } = [];

    internal List<(string Column, int MaxCategories)> Categoricals { get; } = [];

    internal (string Column, string[] Values)? Filter { get; private set; }

    /// <summary>Statistics of numeric columns: <c>{PREFIX}_{COLUMN}_{MIN|MAX|MEAN|SUM|STD}</c>, over the applicant's (filtered) rows with a value; missing when there is none (and the standard deviation when there is one).</summary>
    /// <param name="columns">Numeric columns of the related table.</param>
    /// <param name="functions">The statistics. Default mean, max, min and sum.</param>
    /// <returns>This builder.</returns>
    public AggregationBuilder Numeric(IEnumerable<string> columns, AggregateFunctions functions = AggregateFunctions.Min | AggregateFunctions.Max | AggregateFunctions.Mean | AggregateFunctions.Sum)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (functions == AggregateFunctions.None)
        {
            throw new ArgumentException("Choose at least one aggregate function.", nameof(functions));
        }

        foreach (var c in columns)
        {
            Numerics.Add((c, functions));
        }

        return this;
    }

    /// <summary>Counts and shares of the categories of a categorical column: <c>{PREFIX}_{COLUMN}_{CATEGORY}_COUNT</c> and <c>_SHARE</c> (share of the applicant's filtered rows; missing when the applicant has none), for its most frequent training categories.</summary>
    /// <param name="column">A categorical column of the related table.</param>
    /// <param name="maxCategories">The most categories to keep, most frequent first. Default 20.</param>
    /// <returns>This builder.</returns>
    public AggregationBuilder Categorical(string column, int maxCategories = 20)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCategories, 1);
        Categoricals.Add((column, maxCategories));
        return this;
    }

    /// <summary>Aggregates only the rows whose categorical <paramref name="column"/> is one of <paramref name="values"/> (e.g. active credits).</summary>
    /// <param name="column">A categorical column of the related table.</param>
    /// <param name="values">The accepted categories.</param>
    /// <returns>This builder.</returns>
    public AggregationBuilder Where(string column, params string[] values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        if (values is null || values.Length == 0)
        {
            throw new ArgumentException("Give at least one accepted value.", nameof(values));
        }

        Filter = (column, values);
        return this;
    }
}

/// <summary>
/// A fitted aggregation of a related table: per applicant (rows of the related table whose key equals
/// the applicant's key), the count of rows, statistics of numeric columns and category counts and shares.
/// Applicants without related rows get count 0, category counts 0 and every other output missing.
/// </summary>
internal sealed class FittedAggregation
{
    private readonly Dictionary<string, int>[] _categoryIndex;

    public FittedAggregation(string table, string key, string prefix, (string Column, AggregateFunctions Functions)[] numerics, (string Column, string[] Categories)[] categoricals, string? filterColumn, string[] filterValues)
    {
        Table = table;
        Key = key;
        Prefix = prefix;
        Numerics = numerics;
        Categoricals = categoricals;
        FilterColumn = filterColumn;
        FilterValues = filterValues;
        _categoryIndex = categoricals.Select(c => c.Categories.Select((v, k) => (v, k)).ToDictionary(p => p.v, p => p.k, StringComparer.Ordinal)).ToArray();
        var outputs = new List<FeatureInfo> { new($"{prefix}_COUNT", FeatureKind.Continuous) };
        foreach (var (column, functions) in numerics)
        {
            foreach (var f in Functions(functions))
            {
                outputs.Add(new FeatureInfo($"{prefix}_{column}_{f.ToString().ToUpperInvariant()}", FeatureKind.Continuous));
            }
        }

        foreach (var (column, categories) in categoricals)
        {
            foreach (var c in categories)
            {
                outputs.Add(new FeatureInfo($"{prefix}_{column}_{c}_COUNT", FeatureKind.Continuous));
                outputs.Add(new FeatureInfo($"{prefix}_{column}_{c}_SHARE", FeatureKind.Continuous));
            }
        }

        Outputs = [.. outputs];
    }

    public string Table { get; }

    public string Key { get; }

    public string Prefix { get; }

    public (string Column, AggregateFunctions Functions)[] Numerics { get; }

    public (string Column, string[] Categories)[] Categoricals { get; }

    public string? FilterColumn { get; }

    public string[] FilterValues { get; }

    public FeatureInfo[] Outputs { get; }

    public string Describe() =>
        $"{Prefix}_*: {Outputs.Length} aggregate(s) of related table '{Table}' by {Key}{(FilterColumn is null ? "" : $" where {FilterColumn} in ({string.Join(", ", FilterValues)})")}";

    private static IEnumerable<AggregateFunctions> Functions(AggregateFunctions set) =>
        new[] { AggregateFunctions.Min, AggregateFunctions.Max, AggregateFunctions.Mean, AggregateFunctions.Sum, AggregateFunctions.Std }.Where(f => set.HasFlag(f));

    /// <summary>The related table's rows in the aggregation's terms: numeric values, fitted category indices (−1 other/missing) and the filter.</summary>
    public sealed class SideRows(double[][] numeric, int[][] categorical, bool[] pass)
    {
        public double[][] Numeric { get; } = numeric;

        public int[][] Categorical { get; } = categorical;

        public bool[] Pass { get; } = pass;

        public int Count => Pass.Length;
    }

    /// <summary>Reads a related table (all rows).</summary>
    public SideRows Read(CreditData table)
    {
        var numeric = Numerics.Select(n => ColumnOf(table, n.Column) switch
        {
            NumericColumn c => c.RawValues,
            var other => throw new ScoringInputException(n.Column, $"Related table '{Table}': column '{n.Column}' is {other.Kind.ToString().ToLowerInvariant()}; numeric aggregates need numbers."),
        }).ToArray();
        var categorical = Categoricals.Select((c, k) => CodesOf(table, c.Column, _categoryIndex[k])).ToArray();
        var pass = new bool[table.RowCount];
        if (FilterColumn is null)
        {
            Array.Fill(pass, true);
        }
        else
        {
            var accepted = FilterValues.ToDictionary(v => v, _ => 0, StringComparer.Ordinal);
            var codes = CodesOf(table, FilterColumn, accepted);
            for (var r = 0; r < pass.Length; r++)
            {
                pass[r] = codes[r] >= 0;
            }
        }

        return new SideRows(numeric, categorical, pass);
    }

    /// <summary>Reads one applicant's related rows given as name → value maps (numbers, strings, JSON values or null).</summary>
    public SideRows Read(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        var n = rows.Count;
        var numeric = Numerics.Select(c => new double[n]).ToArray();
        var categorical = Categoricals.Select(c => new int[n]).ToArray();
        var pass = new bool[n];
        for (var r = 0; r < n; r++)
        {
            var row = rows[r] ?? throw new ScoringInputException(null, $"Related table '{Table}': row {r} is null.");
            for (var k = 0; k < Numerics.Length; k++)
            {
                numeric[k][r] = NumberOf(row, Numerics[k].Column, r);
            }

            for (var k = 0; k < Categoricals.Length; k++)
            {
                var text = TextOf(row, Categoricals[k].Column, r);
                categorical[k][r] = text is not null && _categoryIndex[k].TryGetValue(text, out var code) ? code : -1;
            }

            pass[r] = FilterColumn is null || (TextOf(row, FilterColumn, r) is { } f && Array.IndexOf(FilterValues, f) >= 0);
        }

        return new SideRows(numeric, categorical, pass);
    }

    /// <summary>Computes the outputs for the given related rows of one applicant.</summary>
    public void Compute(SideRows side, ReadOnlySpan<int> rows, Span<double> outputs)
    {
        var count = 0;
        foreach (var r in rows)
        {
            if (side.Pass[r])
            {
                count++;
            }
        }

        outputs[0] = count;
        var o = 1;
        for (var k = 0; k < Numerics.Length; k++)
        {
            var values = side.Numeric[k];
            double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity, mean = 0, m2 = 0;
            var n = 0;
            foreach (var r in rows)
            {
                var x = values[r];
                if (!side.Pass[r] || double.IsNaN(x))
                {
                    continue;
                }

                n++;
                sum += x;
                min = Math.Min(min, x);
                max = Math.Max(max, x);
                var delta = x - mean;
                mean += delta / n;
                m2 += delta * (x - mean);
            }

            var f = Numerics[k].Functions;
            if (f.HasFlag(AggregateFunctions.Min))
            {
                outputs[o++] = n > 0 ? min : double.NaN;
            }

            if (f.HasFlag(AggregateFunctions.Max))
            {
                outputs[o++] = n > 0 ? max : double.NaN;
            }

            if (f.HasFlag(AggregateFunctions.Mean))
            {
                outputs[o++] = n > 0 ? sum / n : double.NaN;
            }

            if (f.HasFlag(AggregateFunctions.Sum))
            {
                outputs[o++] = n > 0 ? sum : double.NaN;
            }

            if (f.HasFlag(AggregateFunctions.Std))
            {
                outputs[o++] = n > 1 ? Math.Sqrt(m2 / (n - 1)) : double.NaN;
            }
        }

        for (var k = 0; k < Categoricals.Length; k++)
        {
            var codes = side.Categorical[k];
            var width = Categoricals[k].Categories.Length;
            var block = outputs.Slice(o, 2 * width);
            block.Clear();
            foreach (var r in rows)
            {
                if (side.Pass[r] && codes[r] >= 0)
                {
                    block[2 * codes[r]] += 1;
                }
            }

            for (var c = 0; c < width; c++)
            {
                block[(2 * c) + 1] = count > 0 ? block[2 * c] / count : double.NaN;
            }

            o += 2 * width;
        }
    }

    /// <summary>
    /// The aggregates of every row of an application table, for each aggregation in turn, from the related
    /// tables attached to it. Each related table is grouped by its key once, however many aggregations read it.
    /// </summary>
    public static double[][] TransformAll(IReadOnlyList<FittedAggregation> aggregations, CreditData data)
    {
        var groups = new Dictionary<(string Table, string Key), Dictionary<string, List<int>>>();
        var columns = new List<double[]>();
        foreach (var a in aggregations)
        {
            var table = a.RelatedOf(data);
            if (!groups.TryGetValue((a.Table, a.Key), out var byKey))
            {
                groups[(a.Table, a.Key)] = byKey = a.Group(table);
            }

            columns.AddRange(a.Transform(data, table, byKey));
        }

        return [.. columns];
    }

    private double[][] Transform(CreditData data, CreditData table, Dictionary<string, List<int>> groups)
    {
        var keyIndex = data.Schema.IndexOf(Key);
        if (keyIndex < 0)
        {
            throw new ScoringInputException(Key, $"Aggregating related table '{Table}' needs the key column '{Key}' in the application data; it has none.");
        }

        var side = Read(table);
        var outputs = Outputs.Select(_ => new double[data.RowCount]).ToArray();
        var buffer = new double[Outputs.Length];
        var mainKey = data[keyIndex];
        for (var i = 0; i < data.RowCount; i++)
        {
            var key = mainKey.FormatValue(i);
            var rows = key is not null && groups.TryGetValue(key, out var list) ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list) : [];
            Compute(side, rows, buffer);
            for (var o = 0; o < buffer.Length; o++)
            {
                outputs[o][i] = buffer[o];
            }
        }

        return outputs;
    }

    private CreditData RelatedOf(CreditData data) =>
        data.Related.TryGetValue(Table, out var table)
            ? table
            : throw new ScoringInputException(Table, $"The features aggregate related table '{Table}' by {Key}, but the data has no related table of that name (it has: {(data.Related.Count == 0 ? "none" : string.Join(", ", data.Related.Keys))}). Attach it with data.WithRelated(\"{Table}\", table).");

    private Dictionary<string, List<int>> Group(CreditData table)
    {
        var key = ColumnOf(table, Key);
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var r = 0; r < table.RowCount; r++)
        {
            var k = key.FormatValue(r);
            if (k is null)
            {
                continue;
            }

            if (!groups.TryGetValue(k, out var list))
            {
                groups[k] = list = [];
            }

            list.Add(r);
        }

        return groups;
    }

    private DataColumn ColumnOf(CreditData table, string column)
    {
        var index = table.Schema.IndexOf(column);
        return index >= 0
            ? table[index]
            : throw new ScoringInputException(column, $"Related table '{Table}' has no column '{column}'. Its columns: {string.Join(", ", table.Schema.Columns.Select(c => c.Name))}.");
    }

    private int[] CodesOf(CreditData table, string column, Dictionary<string, int> index)
    {
        var source = ColumnOf(table, column);
        var codes = new int[table.RowCount];
        if (source is CategoricalColumn c)
        {
            var map = c.Categories.Select(v => index.TryGetValue(v, out var k) ? k : -1).ToArray();
            for (var r = 0; r < codes.Length; r++)
            {
                codes[r] = c.Codes[r] < 0 ? -1 : map[c.Codes[r]];
            }
        }
        else
        {
            for (var r = 0; r < codes.Length; r++)
            {
                codes[r] = source.FormatValue(r) is { } text && index.TryGetValue(text, out var k) ? k : -1;
            }
        }

        return codes;
    }

    private double NumberOf(IReadOnlyDictionary<string, object?> row, string column, int r)
    {
        if (!row.TryGetValue(column, out var value))
        {
            throw new ScoringInputException(column, $"Related table '{Table}', row {r}: no value for '{column}'; pass null for a missing value.");
        }

        return value switch
        {
            null => double.NaN,
            JsonElement { ValueKind: JsonValueKind.Null } => double.NaN,
            JsonElement { ValueKind: JsonValueKind.Number } j => j.GetDouble(),
            byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            _ => throw new ScoringInputException(column, $"Related table '{Table}', row {r}: '{column}' must be a number or null, not {value}."),
        };
    }

    private string? TextOf(IReadOnlyDictionary<string, object?> row, string column, int r)
    {
        if (!row.TryGetValue(column, out var value))
        {
            throw new ScoringInputException(column, $"Related table '{Table}', row {r}: no value for '{column}'; pass null for a missing value.");
        }

        return value switch
        {
            null => null,
            string s => s,
            JsonElement { ValueKind: JsonValueKind.Null } => null,
            JsonElement { ValueKind: JsonValueKind.String } j => j.GetString(),
            JsonElement j => j.GetRawText(),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Fits an aggregation: checks the columns and keeps each categorical column's most frequent categories.</summary>
    public static FittedAggregation Fit(CreditData data, string table, string key, string prefix, AggregationBuilder spec)
    {
        if (!data.Related.TryGetValue(table, out var side))
        {
            throw new ConfigurationException($"Aggregate('{table}', ...) needs the related table '{table}' attached to the training data with data.WithRelated(\"{table}\", table); the data has {(data.Related.Count == 0 ? "no related tables" : "only: " + string.Join(", ", data.Related.Keys))}.");
        }

        foreach (var (where, column) in new[] { ("application data", data.Schema.IndexOf(key)), ($"related table '{table}'", side.Schema.IndexOf(key)) })
        {
            if (column < 0)
            {
                throw new ConfigurationException($"Aggregate('{table}', key: '{key}'): the {where} has no column '{key}'.");
            }
        }

        foreach (var (column, _) in spec.Numerics)
        {
            var index = side.Schema.IndexOf(column);
            if (index < 0 || side[index] is not NumericColumn)
            {
                throw new ConfigurationException(index < 0
                    ? $"Aggregate('{table}'): the related table has no column '{column}'. Its columns: {string.Join(", ", side.Schema.Columns.Select(c => c.Name))}."
                    : $"Aggregate('{table}'): column '{column}' is {side[index].Kind.ToString().ToLowerInvariant()}; Numeric(...) aggregates numbers (use Categorical(...) for categories).");
            }
        }

        var categoricals = new List<(string, string[])>();
        foreach (var (column, max) in spec.Categoricals)
        {
            var index = side.Schema.IndexOf(column);
            if (index < 0 || side[index] is not CategoricalColumn c)
            {
                throw new ConfigurationException(index < 0
                    ? $"Aggregate('{table}'): the related table has no column '{column}'."
                    : $"Aggregate('{table}'): column '{column}' is {side[index].Kind.ToString().ToLowerInvariant()}; Categorical(...) counts categories.");
            }

            var counts = c.CountCategories();
            var kept = Enumerable.Range(0, counts.Length).Where(k => counts[k] > 0).OrderByDescending(k => counts[k]).ThenBy(k => c.Categories[k], StringComparer.Ordinal).Take(max).Select(k => c.Categories[k]).ToArray();
            categoricals.Add((column, kept));
        }

        if (spec.Filter is { } filter && side.Schema.IndexOf(filter.Column) < 0)
        {
            throw new ConfigurationException($"Aggregate('{table}'): the filter column '{filter.Column}' is not in the related table.");
        }

        return new FittedAggregation(table, key, prefix, [.. spec.Numerics], [.. categoricals], spec.Filter?.Column, spec.Filter?.Values ?? []);
    }
}
