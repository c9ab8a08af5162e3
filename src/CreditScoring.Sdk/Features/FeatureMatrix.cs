namespace CreditScoring.Sdk.Features;

/// <summary>What a model feature holds.</summary>
public enum FeatureKind
{
    /// <summary>A real number (NaN = missing where the learner accepts missing values).</summary>
    Continuous,

    /// <summary>A 0/1 indicator, such as a one-hot column; learners do not rescale it.</summary>
    Indicator,

    /// <summary>A category code 0..<see cref="FeatureInfo.CategoryCount"/>−1 stored as a double; NaN = missing.</summary>
    Categorical,
}

/// <summary>One column of a <see cref="FeatureMatrix"/>.</summary>
/// <param name="Name">The feature name, e.g. <c>Income</c> or <c>Home=owner</c>.</param>
/// <param name="Kind">What the feature holds.</param>
/// <param name="CategoryCount">For <see cref="FeatureKind.Categorical"/>, the number of categories; otherwise 0.</param>
/// <param name="Categories">For <see cref="FeatureKind.Categorical"/>, the category labels by code when known (for reports such as a scorecard's points table); otherwise <see langword="null"/>.</param>
public sealed record FeatureInfo(string Name, FeatureKind Kind, int CategoryCount = 0, IReadOnlyList<string>? Categories = null)
{
    /// <summary>Value equality, comparing the category labels element by element.</summary>
    /// <param name="other">The other feature.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool Equals(FeatureInfo? other) =>
        other is not null && Name == other.Name && Kind == other.Kind && CategoryCount == other.CategoryCount
        && (Categories is null ? other.Categories is null : other.Categories is not null && Categories.SequenceEqual(other.Categories));

    /// <summary>A hash of the name, kind and category count.</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode() => HashCode.Combine(Name, Kind, CategoryCount);
}

/// <summary>
/// A dense, column-major matrix of model features: what a learner is fitted on and a predictor scores.
/// Columns are exposed as read-only spans; the matrix never changes after construction.
/// </summary>
public sealed class FeatureMatrix
{
    private readonly double[][] _columns;
    private readonly FeatureInfo[] _features;

    /// <summary>Creates a matrix from columns (copied).</summary>
    /// <param name="features">One description per column.</param>
    /// <param name="columns">The columns, all of the same length.</param>
    /// <exception cref="ArgumentException">Counts or lengths do not match.</exception>
    public FeatureMatrix(IReadOnlyList<FeatureInfo> features, IReadOnlyList<double[]> columns)
        : this([.. features], columns.Select(c => (double[])c.Clone()).ToArray(), columns.Count == 0 ? 0 : columns[0].Length)
    {
    }

    internal FeatureMatrix(FeatureInfo[] features, double[][] columns, int rowCount)
    {
        if (features.Length != columns.Length)
        {
            throw new ArgumentException($"{features.Length} feature descriptions were given for {columns.Length} columns.");
        }

        for (var j = 0; j < columns.Length; j++)
        {
            if (columns[j].Length != rowCount)
            {
                throw new ArgumentException($"Feature '{features[j].Name}' has {columns[j].Length} rows; expected {rowCount}.");
            }
        }

        _features = features;
        _columns = columns;
        RowCount = rowCount;
    }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The number of features.</summary>
    public int ColumnCount => _columns.Length;

    /// <summary>The features, in column order.</summary>
    public IReadOnlyList<FeatureInfo> Features => _features;

    /// <summary>One value.</summary>
    /// <param name="row">Zero-based row.</param>
    /// <param name="column">Zero-based feature.</param>
    public double this[int row, int column] => _columns[column][row];

    /// <summary>One feature's values.</summary>
    /// <param name="column">Zero-based feature.</param>
    /// <returns>The values, one per row.</returns>
    public ReadOnlySpan<double> Column(int column) => _columns[column];

    /// <summary>Copies one row into <paramref name="destination"/>.</summary>
    /// <param name="row">Zero-based row.</param>
    /// <param name="destination">At least <see cref="ColumnCount"/> long.</param>
    public void CopyRow(int row, Span<double> destination)
    {
        for (var j = 0; j < _columns.Length; j++)
        {
            destination[j] = _columns[j][row];
        }
    }

    internal double[][] RawColumns => _columns;

    /// <summary>A copy of the rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    internal FeatureMatrix Slice(int start, int count) =>
        new(_features, Array.ConvertAll(_columns, c => c.AsSpan(start, count).ToArray()), count);

    internal FeatureInfo[] RawFeatures => _features;
}
