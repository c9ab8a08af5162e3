using System.Globalization;

namespace CreditScoring.Sdk.Data;

/// <summary>One column of a <see cref="CreditData"/> table: <see cref="NumericColumn"/>, <see cref="CategoricalColumn"/> or <see cref="DateColumn"/>.</summary>
public abstract class DataColumn
{
    private protected DataColumn(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }

    /// <summary>How the values are stored.</summary>
    public abstract ColumnKind Kind { get; }

    /// <summary>The number of rows.</summary>
    public abstract int Length { get; }

    /// <summary>Whether the value in a row is missing.</summary>
    /// <param name="row">Zero-based row.</param>
    /// <returns><see langword="true"/> when the value is missing.</returns>
    public abstract bool IsMissing(int row);

    /// <summary>The value of a row as invariant-culture text, or <see langword="null"/> when it is missing.</summary>
    /// <param name="row">Zero-based row.</param>
    /// <returns>The text, or <see langword="null"/>.</returns>
    public abstract string? FormatValue(int row);

    /// <summary>The number of missing values.</summary>
    /// <returns>How many rows have no value.</returns>
    public int CountMissing()
    {
        var n = 0;
        for (var i = 0; i < Length; i++)
        {
            if (IsMissing(i))
            {
                n++;
            }
        }

        return n;
    }

    internal abstract DataColumn SelectRows(ReadOnlySpan<int> rows);

    internal abstract DataColumn Rename(string name);
}

/// <summary>A numeric column; a missing value is <see cref="double.NaN"/>.</summary>
public sealed class NumericColumn : DataColumn
{
    private readonly double[] _values;

    /// <summary>Creates a numeric column. The array is copied.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="values">The values; <see cref="double.NaN"/> marks a missing value. Infinities are rejected.</param>
    /// <exception cref="ArgumentException">A value is infinite.</exception>
    public NumericColumn(string name, ReadOnlySpan<double> values)
        : this(name, values.ToArray(), validate: true)
    {
    }

    internal NumericColumn(string name, double[] values, bool validate)
        : base(name)
    {
        if (validate)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (double.IsInfinity(values[i]))
                {
                    throw new ArgumentException($"Column '{name}', row {i}: {values[i].ToString(CultureInfo.InvariantCulture)} is not a finite number; use NaN for a missing value.", nameof(values));
                }
            }
        }

        _values = values;
    }

    /// <inheritdoc />
    public override ColumnKind Kind => ColumnKind.Numeric;

    /// <inheritdoc />
    public override int Length => _values.Length;

    /// <summary>The values; <see cref="double.NaN"/> marks a missing value.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>The value of a row (<see cref="double.NaN"/> when missing).</summary>
    /// <param name="row">Zero-based row.</param>
    public double this[int row] => _values[row];

    internal double[] RawValues => _values;

    /// <inheritdoc />
    public override bool IsMissing(int row) => double.IsNaN(_values[row]);

    /// <inheritdoc />
    public override string? FormatValue(int row) => double.IsNaN(_values[row]) ? null : _values[row].ToString("R", CultureInfo.InvariantCulture);

    internal override DataColumn SelectRows(ReadOnlySpan<int> rows)
    {
        var v = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            v[i] = _values[rows[i]];
        }

        return new NumericColumn(Name, v, validate: false);
    }

    internal override DataColumn Rename(string name) => new NumericColumn(name, _values, validate: false);
}

/// <summary>
/// A dictionary-encoded text column. <see cref="Categories"/> holds the distinct values sorted
/// ordinally (so that the codes do not depend on row order); a missing value has code -1.
/// </summary>
public sealed class CategoricalColumn : DataColumn
{
    /// <summary>The code of a missing value.</summary>
    public const int MissingCode = -1;

    private readonly int[] _codes;
    private readonly string[] _categories;

    /// <summary>Creates a categorical column from values; <see langword="null"/> marks a missing value.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="values">The values.</param>
    public CategoricalColumn(string name, IReadOnlyList<string?> values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        var distinct = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            if (v is not null)
            {
                distinct.Add(v);
            }
        }

        _categories = [.. distinct];
        var lookup = new Dictionary<string, int>(_categories.Length, StringComparer.Ordinal);
        for (var i = 0; i < _categories.Length; i++)
        {
            lookup[_categories[i]] = i;
        }

        _codes = new int[values.Count];
        for (var i = 0; i < _codes.Length; i++)
        {
            _codes[i] = values[i] is { } s ? lookup[s] : MissingCode;
        }
    }

    internal CategoricalColumn(string name, int[] codes, string[] sortedCategories)
        : base(name)
    {
        _codes = codes;
        _categories = sortedCategories;
    }

    /// <inheritdoc />
    public override ColumnKind Kind => ColumnKind.Categorical;

    /// <inheritdoc />
    public override int Length => _codes.Length;

    /// <summary>The code of each row: an index into <see cref="Categories"/>, or <see cref="MissingCode"/>.</summary>
    public ReadOnlySpan<int> Codes => _codes;

    /// <summary>The distinct values, sorted ordinally. A category may have no rows after <see cref="CreditData.SelectRows"/>.</summary>
    public IReadOnlyList<string> Categories => _categories;

    /// <summary>The value of a row, or <see langword="null"/> when it is missing.</summary>
    /// <param name="row">Zero-based row.</param>
    public string? this[int row] => _codes[row] < 0 ? null : _categories[_codes[row]];

    /// <inheritdoc />
    public override bool IsMissing(int row) => _codes[row] < 0;

    /// <inheritdoc />
    public override string? FormatValue(int row) => this[row];

    /// <summary>The number of rows of each category (same order as <see cref="Categories"/>).</summary>
    /// <returns>The counts.</returns>
    public int[] CountCategories()
    {
        var counts = new int[_categories.Length];
        foreach (var c in _codes)
        {
            if (c >= 0)
            {
                counts[c]++;
            }
        }

        return counts;
    }

    internal override DataColumn SelectRows(ReadOnlySpan<int> rows)
    {
        var c = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            c[i] = _codes[rows[i]];
        }

        return new CategoricalColumn(Name, c, _categories);
    }

    internal override DataColumn Rename(string name) => new CategoricalColumn(name, _codes, _categories);
}

/// <summary>A date/time column stored as fractional days since the Unix epoch; missing is <see cref="double.NaN"/>.</summary>
public sealed class DateColumn : DataColumn
{
    private static readonly DateTime Epoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly double[] _days;

    /// <summary>Creates a date column; <see langword="null"/> marks a missing value.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="values">The values (a value of unspecified kind is taken as UTC; a local one is converted to UTC).</param>
    public DateColumn(string name, IReadOnlyList<DateTime?> values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        _days = new double[values.Count];
        for (var i = 0; i < _days.Length; i++)
        {
            _days[i] = values[i] is { } d ? ToDays(d) : double.NaN;
        }
    }

    internal DateColumn(string name, double[] days)
        : base(name)
    {
        _days = days;
    }

    /// <inheritdoc />
    public override ColumnKind Kind => ColumnKind.Date;

    /// <inheritdoc />
    public override int Length => _days.Length;

    /// <summary>Fractional days since 1970-01-01T00:00:00Z; <see cref="double.NaN"/> marks a missing value.</summary>
    public ReadOnlySpan<double> DaysSinceEpoch => _days;

    /// <summary>The value of a row as a UTC <see cref="DateTime"/>, or <see langword="null"/> when it is missing.</summary>
    /// <param name="row">Zero-based row.</param>
    public DateTime? this[int row] => double.IsNaN(_days[row]) ? null : FromDays(_days[row]);

    /// <summary>Converts a date to fractional days since the Unix epoch.</summary>
    /// <param name="value">The date (unspecified kind is taken as UTC).</param>
    /// <returns>Days since 1970-01-01T00:00:00Z.</returns>
    public static double ToDays(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc);
        return (utc - Epoch).Ticks / (double)TimeSpan.TicksPerDay;
    }

    /// <summary>Converts fractional days since the Unix epoch to a UTC date.</summary>
    /// <param name="days">Days since 1970-01-01T00:00:00Z.</param>
    /// <returns>
    /// The date, rounded to the nearest microsecond: a double holds today's dates as days to about 0.4 µs, so a date
    /// stored to the microsecond (or coarser) comes back exactly, where rounding to the tick gave 12:29:59.9999998
    /// for 12:30.
    /// </returns>
    public static DateTime FromDays(double days) => Epoch.AddTicks((long)Math.Round(days * (TimeSpan.TicksPerDay / TimeSpan.TicksPerMicrosecond)) * TimeSpan.TicksPerMicrosecond);

    /// <inheritdoc />
    public override bool IsMissing(int row) => double.IsNaN(_days[row]);

    /// <inheritdoc />
    public override string? FormatValue(int row) => this[row]?.ToString("O", CultureInfo.InvariantCulture);

    internal override DataColumn SelectRows(ReadOnlySpan<int> rows)
    {
        var d = new double[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            d[i] = _days[rows[i]];
        }

        return new DateColumn(Name, d);
    }

    internal override DataColumn Rename(string name) => new DateColumn(name, _days);
}
