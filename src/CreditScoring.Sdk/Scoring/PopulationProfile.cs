using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Scoring;

/// <summary>
/// One column of a <see cref="PopulationProfile"/>. Numeric: row and missing counts, mean and population standard
/// deviation, the quantiles at 0, 1/<see cref="PopulationProfile.QuantileSteps"/>, …, 1 (NumPy's linear interpolation),
/// and the reference deciles PSI uses with the non-missing count in each. Categorical: the count of every category.
/// </summary>
public sealed record ProfiledColumn
{
    /// <summary>The column.</summary>
    public required string Name { get; init; }

    /// <summary>Numeric or categorical.</summary>
    public required ColumnKind Kind { get; init; }

    /// <summary>Rows profiled.</summary>
    public required int Rows { get; init; }

    /// <summary>Missing values.</summary>
    public required int Missing { get; init; }

    /// <summary>Mean of the non-missing values (numeric; NaN otherwise).</summary>
    public required double Mean { get; init; }

    /// <summary>Population standard deviation (numeric; NaN otherwise).</summary>
    public required double StandardDeviation { get; init; }

    /// <summary>Evenly spaced quantiles, from the minimum to the maximum: at i/<see cref="PopulationProfile.QuantileSteps"/> for the whole population, at i/<see cref="PopulationProfile.BandQuantileSteps"/> within a score band (numeric; empty otherwise).</summary>
    public required IReadOnlyList<double> Quantiles { get; init; }

    /// <summary>The distinct deciles of the non-missing values: PSI's bin edges (numeric).</summary>
    public required IReadOnlyList<double> DecileEdges { get; init; }

    /// <summary>Non-missing values per PSI bin, one more than the edges (numeric).</summary>
    public required IReadOnlyList<int> DecileCounts { get; init; }

    /// <summary>Category labels (categorical).</summary>
    public required IReadOnlyList<string> Categories { get; init; }

    /// <summary>Rows per category (categorical).</summary>
    public required IReadOnlyList<int> CategoryCounts { get; init; }

    /// <summary>The share of the non-missing values at or below <paramref name="x"/>, interpolated linearly between the profile's quantiles.</summary>
    /// <param name="x">A value.</param>
    /// <returns>An approximation of the empirical distribution function.</returns>
    public double Cdf(double x)
    {
        var q = Quantiles;
        if (q.Count == 0)
        {
            return double.NaN;
        }

        if (x < q[0])
        {
            return 0;
        }

        if (x >= q[^1])
        {
            return 1;
        }

        // The last quantile at or below x; flat stretches (ties) map to their right end.
        int lo = 0, hi = q.Count - 1;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) >>> 1;
            if (q[mid] <= x)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        var steps = q.Count - 1;
        var t = q[hi] > q[lo] ? (x - q[lo]) / (q[hi] - q[lo]) : 1;
        return (lo + t) / steps;
    }

    /// <summary>The quantile function, interpolated linearly between the profile's quantiles.</summary>
    /// <param name="u">A probability in [0, 1].</param>
    /// <returns>The value.</returns>
    public double Quantile(double u)
    {
        var q = Quantiles;
        var position = Math.Clamp(u, 0, 1) * (q.Count - 1);
        var lo = Math.Min((int)Math.Floor(position), q.Count - 2);
        return q[lo] + ((q[lo + 1] - q[lo]) * (position - lo));
    }
}

/// <summary>
/// The training applicants of one score decile ("clients with a similar score"): their scores lie in
/// (<see cref="Low"/>, <see cref="High"/>], and each input is profiled among them (with <see cref="PopulationProfile.BandQuantileSteps"/>
/// quantile steps).
/// </summary>
public sealed class ScoreBand
{
    private readonly Dictionary<string, ProfiledColumn> _byName;

    /// <summary>Creates a band (the profile builder and the model reader do this).</summary>
    /// <param name="low">The scores above which the band starts (−∞ for the first band).</param>
    /// <param name="high">The highest score of the band (+∞ for the last band).</param>
    /// <param name="rows">The training rows in the band.</param>
    /// <param name="columns">Each input profiled over those rows.</param>
    public ScoreBand(double low, double high, int rows, IReadOnlyList<ProfiledColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        Low = low;
        High = high;
        Rows = rows;
        Columns = columns;
        _byName = columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>The scores above which the band starts (−∞ for the first band).</summary>
    public double Low { get; }

    /// <summary>The highest score in the band (+∞ for the last band).</summary>
    public double High { get; }

    /// <summary>The training rows in the band.</summary>
    public int Rows { get; }

    /// <summary>Each input profiled over the band's rows.</summary>
    public IReadOnlyList<ProfiledColumn> Columns { get; }

    /// <summary>An input's profile in the band, or <see langword="null"/>.</summary>
    /// <param name="name">The input.</param>
    /// <returns>The profile.</returns>
    public ProfiledColumn? Find(string name) => _byName.GetValueOrDefault(name);
}

/// <summary>
/// The training population, summarised at fit time and saved in the model (DESIGN.md): per-input quantiles, PSI deciles and
/// category counts, and the same for the training scores. Explanations use it to say where a client stands; the Drift
/// package uses it as the reference, so monitoring production needs no copy of the training data.
/// </summary>
public sealed class PopulationProfile
{
    /// <summary>Quantile steps per numeric column: 200, i.e. 201 quantiles from the minimum to the maximum.</summary>
    public const int QuantileSteps = 200;

    /// <summary>The PSI bins the profile holds: 10 (deciles).</summary>
    public const int PsiBins = 10;

    /// <summary>Quantile steps per numeric column within a score band: 20 (every 5%).</summary>
    public const int BandQuantileSteps = 20;

    /// <summary>The name of the scores' profile.</summary>
    public const string ScoreColumn = "(score)";

    private readonly Dictionary<string, ProfiledColumn> _byName;
    private readonly double[] _bandHighs;

    /// <summary>Creates a profile from its columns (the model reader does this).</summary>
    /// <param name="rows">Rows profiled.</param>
    /// <param name="columns">The columns.</param>
    /// <param name="scores">The scores' profile, or <see langword="null"/>.</param>
    public PopulationProfile(int rows, IReadOnlyList<ProfiledColumn> columns, ProfiledColumn? scores)
        : this(rows, columns, scores, [])
    {
    }

    /// <summary>Creates a profile with its score bands (the model reader does this).</summary>
    /// <param name="rows">Rows profiled.</param>
    /// <param name="columns">The columns.</param>
    /// <param name="scores">The scores' profile, or <see langword="null"/>.</param>
    /// <param name="bands">The score deciles' profiles, lowest scores first, contiguous (empty when none).</param>
    /// <exception cref="ArgumentException">The bands are not contiguous and ascending.</exception>
    public PopulationProfile(int rows, IReadOnlyList<ProfiledColumn> columns, ProfiledColumn? scores, IReadOnlyList<ScoreBand> bands)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(bands);
        for (var b = 0; b < bands.Count; b++)
        {
            var expectedLow = b == 0 ? double.NegativeInfinity : bands[b - 1].High;
            if (!bands[b].Low.Equals(expectedLow) || !(bands[b].High > bands[b].Low) || (b == bands.Count - 1 && !double.IsPositiveInfinity(bands[b].High)))
            {
                throw new ArgumentException($"Score band {b} covers ({bands[b].Low}, {bands[b].High}]; the bands must be contiguous and ascending, from -Infinity to Infinity.", nameof(bands));
            }
        }

        Rows = rows;
        Columns = columns;
        Scores = scores;
        ScoreBands = bands;
        _bandHighs = [.. bands.Select(b => b.High)];
        _byName = columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>The training population by score decile (empty for profiles built without scores, and files of format 5 and older).</summary>
    public IReadOnlyList<ScoreBand> ScoreBands { get; }

    /// <summary>
    /// The band of clients with a score similar to <paramref name="score"/>: the training applicants whose score falls in
    /// the same decile of the training scores. <see langword="null"/> when the profile has no bands or the score is NaN.
    /// </summary>
    /// <param name="score">A probability of default from the model.</param>
    /// <returns>The band.</returns>
    public ScoreBand? BandOf(double score)
    {
        return ScoreBands.Count == 0 || double.IsNaN(score) ? null : ScoreBands[BandIndex(_bandHighs, score)];
    }

    /// <summary>The band a score falls in, given each band's highest score: the first whose high is at or above it (scores lie in (low, high]).</summary>
    private static int BandIndex(ReadOnlySpan<double> highs, double score)
    {
        var band = 0;
        while (band < highs.Length - 1 && score > highs[band])
        {
            band++;
        }

        return band;
    }

    /// <summary>Rows profiled.</summary>
    public int Rows { get; }

    /// <summary>The profiled columns.</summary>
    public IReadOnlyList<ProfiledColumn> Columns { get; }

    /// <summary>The training scores' profile, when known.</summary>
    public ProfiledColumn? Scores { get; }

    /// <summary>A column by name.</summary>
    /// <param name="name">The column.</param>
    /// <returns>The column's profile.</returns>
    /// <exception cref="KeyNotFoundException">The column was not profiled.</exception>
    public ProfiledColumn this[string name] => _byName.TryGetValue(name, out var c) ? c : throw new KeyNotFoundException($"The population profile has no column '{name}'; it profiles {string.Join(", ", _byName.Keys.Take(20))}.");

    /// <summary>Whether a column was profiled.</summary>
    /// <param name="name">The column.</param>
    /// <returns><see langword="true"/> when it was.</returns>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Profiles columns of a table and, optionally, scores.</summary>
    /// <param name="data">The population.</param>
    /// <param name="columns">The numeric or categorical columns to profile.</param>
    /// <param name="scores">Scores of the rows, or empty.</param>
    /// <param name="maxDegreeOfParallelism">Threads the columns are shared among: −1 for all processors or a positive count; default 1. The profile is the same on any number.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="KeyNotFoundException">A column is not in the table.</exception>
    /// <exception cref="ArgumentException">A column is neither numeric nor categorical, or there are scores but not one per row.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below −1.</exception>
    public static PopulationProfile Build(CreditData data, IEnumerable<string> columns, ReadOnlySpan<double> scores = default, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(columns);
        if (!scores.IsEmpty && scores.Length != data.RowCount)
        {
            throw new ArgumentException($"There are {scores.Length} scores for {data.RowCount} rows: give one score per row, or none.", nameof(scores));
        }

        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use -1 for all processors or a positive thread count.");
        }

        var sources = columns.Select(name => data[name] switch
        {
            NumericColumn or CategoricalColumn => (Name: name, Column: data[name]),
            _ => throw new ArgumentException($"Column '{name}' is neither numeric nor categorical and cannot be profiled.", nameof(columns)),
        }).ToArray();
        var profiled = new ProfiledColumn[sources.Length];
        var scoreValues = scores.ToArray();
        var sortedScores = SampleStatistics.SortedPresent(scoreValues);

        // The score deciles' members: band[row] is the row's band + 1 (0 for a missing score).
        double[] highs = [.. SampleStatistics.QuantileEdges(sortedScores, PsiBins), double.PositiveInfinity];
        var members = scoreValues.Length == 0 ? [] : highs.Select(_ => new List<int>()).ToArray();
        var band = new int[scoreValues.Length];
        for (var i = 0; i < scoreValues.Length; i++)
        {
            if (!double.IsNaN(scoreValues[i]))
            {
                var b = BandIndex(highs, scoreValues[i]);
                members[b].Add(i);
                band[i] = b + 1;
            }
        }

        // Each numeric column is sorted once, with its rows: its profile reads the whole order, and every band's sorted
        // values are read off the same order (a band's rows in the column's order are its values sorted).
        var sortedByBand = new double[sources.Length][][];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        ProfiledColumn? scoreProfile = null;
        Parallel.For(0, sources.Length + 1, options, i =>
        {
            if (i == sources.Length)
            {
                scoreProfile = scoreValues.Length == 0 ? null : Numeric(ScoreColumn, scoreValues, sortedScores, QuantileSteps);
                return;
            }

            var (name, column) = sources[i];
            if (column is NumericColumn n)
            {
                var sorted = Sorted(n.Values, band, members.Length, out sortedByBand[i]);
                profiled[i] = Numeric(name, n.Values, sorted, QuantileSteps);
            }
            else
            {
                profiled[i] = Categorical(name, (CategoricalColumn)column);
            }
        });

        var bands = new ScoreBand[members.Length];
        Parallel.For(0, bands.Length, options, b =>
        {
            var rows = members[b].ToArray();
            var columns = sources.Select((s, i) => s.Column is NumericColumn n
                ? Numeric(s.Name, rows.Select(r => n.Values[r]).ToArray(), sortedByBand[i][b], BandQuantileSteps)
                : Categorical(s.Name, (CategoricalColumn)s.Column.SelectRows(rows))).ToArray();
            bands[b] = new ScoreBand(b == 0 ? double.NegativeInfinity : highs[b - 1], highs[b], rows.Length, columns);
        });
        return new PopulationProfile(data.RowCount, profiled, scoreProfile, bands);
    }

    /// <summary>
    /// The non-missing values sorted ascending (−0 as +0, as <see cref="SampleStatistics.SortedPresent"/>) and, per band
    /// (<paramref name="band"/>[row] is the band + 1, 0 for none), the band's, from one stable radix sort of the column
    /// with its rows. Without bands (no scores) it is <see cref="SampleStatistics.SortedPresent"/>.
    /// </summary>
    private static double[] Sorted(ReadOnlySpan<double> values, int[] band, int bands, out double[][] byBand)
    {
        if (bands == 0)
        {
            byBand = [];
            return SampleStatistics.SortedPresent(values);
        }

        var counts = new int[bands];
        var present = 0;
        for (var r = 0; r < values.Length; r++)
        {
            if (!double.IsNaN(values[r]))
            {
                present++;
                if (band[r] > 0)
                {
                    counts[band[r] - 1]++;
                }
            }
        }

        var keys = new ulong[present];
        var rows = new int[present];
        var k = 0;
        for (var r = 0; r < values.Length; r++)
        {
            if (!double.IsNaN(values[r]))
            {
                (keys[k], rows[k]) = (RadixSort.SortableKey(values[r]), r);
                k++;
            }
        }

        RadixSort.SortInplace(keys, rows);
        var sorted = new double[present];
        byBand = new double[bands][];
        var fill = new int[bands];
        for (var b = 0; b < bands; b++)
        {
            byBand[b] = new double[counts[b]];
        }

        for (var i = 0; i < present; i++)
        {
            var value = RadixSort.FromSortableKey(keys[i]);
            sorted[i] = value;
            if (band[rows[i]] is > 0 and var b)
            {
                byBand[b - 1][fill[b - 1]++] = value;
            }
        }

        return sorted;
    }

    /// <summary>The profile of numeric values.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="values">The values, NaN for missing.</param>
    /// <returns>The profile.</returns>
    public static ProfiledColumn Numeric(string name, ReadOnlySpan<double> values) => Numeric(name, values, SampleStatistics.SortedPresent(values), QuantileSteps);

    /// <summary>The profile of numeric values, given them sorted (the non-missing ones, ascending).</summary>
    private static ProfiledColumn Numeric(string name, ReadOnlySpan<double> values, double[] sorted, int steps)
    {
        var (mean, std, _) = SampleStatistics.MeanAndStd(values);
        var quantiles = new double[sorted.Length == 0 ? 0 : steps + 1];
        for (var i = 0; i < quantiles.Length; i++)
        {
            quantiles[i] = SampleStatistics.Quantile(sorted, (double)i / steps);
        }

        var edges = SampleStatistics.QuantileEdges(sorted, PsiBins);
        var counts = new double[sorted.Length == 0 ? 0 : edges.Length + 1];
        SampleStatistics.CountBins(sorted, edges, counts);
        return new ProfiledColumn
        {
            Name = name,
            Kind = ColumnKind.Numeric,
            Rows = values.Length,
            Missing = values.Length - sorted.Length,
            Mean = mean,
            StandardDeviation = std,
            Quantiles = quantiles,
            DecileEdges = edges,
            DecileCounts = [.. counts.Select(c => (int)c)],
            Categories = [],
            CategoryCounts = [],
        };
    }

    private static ProfiledColumn Categorical(string name, CategoricalColumn column)
    {
        var counts = new int[column.Categories.Count];
        var missing = 0;
        foreach (var code in column.Codes)
        {
            if (code < 0)
            {
                missing++;
            }
            else
            {
                counts[code]++;
            }
        }

        return new ProfiledColumn
        {
            Name = name,
            Kind = ColumnKind.Categorical,
            Rows = column.Length,
            Missing = missing,
            Mean = double.NaN,
            StandardDeviation = double.NaN,
            Quantiles = [],
            DecileEdges = [],
            DecileCounts = [],
            Categories = [.. column.Categories],
            CategoryCounts = counts,
        };
    }
}
