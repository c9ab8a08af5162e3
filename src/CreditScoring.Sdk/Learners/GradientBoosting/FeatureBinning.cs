using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>
/// Maps feature values to one-byte bins for histogram boosting. Bin 0 of every feature holds missing
/// values. A continuous feature's values fall in bins 1..k by upper bounds: bin i+1 holds the values
/// x with bound[i−1] &lt; x ≤ bound[i] (the last bound is +∞). With at most k distinct sample values
/// there is a bound between each two consecutive ones; otherwise the bounds cut the sample where its
/// percentiles 100·i/k (midpoint method, duplicates dropped) do, as scikit-learn's HistGradientBoosting
/// bins. A bound between sample values a &lt; b is the largest double that rounds to a float below
/// float(b): it separates a from b, and x ≤ bound exactly when float(x) &lt; float(b), XGBoost's own
/// comparison, so that exported models score exactly as in XGBoost (values that round to the same
/// float share a bin). A categorical
/// feature with native splits has its code c in bin c+1 (codes of 255 and above share bin 0 with
/// missing values); without them its codes are binned as numbers.
/// </summary>
internal sealed class FeatureBinning
{
    public const int MaxCategoricalCode = 254;

    private FeatureBinning(bool[] isCategorical, double[]?[] upperBounds, int[] binCount)
    {
        IsCategorical = isCategorical;
        UpperBounds = upperBounds;
        BinCount = binCount;
        Offset = new int[binCount.Length + 1];
        for (var j = 0; j < binCount.Length; j++)
        {
            Offset[j + 1] = Offset[j] + binCount[j];
        }
    }

    public bool[] IsCategorical { get; }

    /// <summary>Per continuous feature, the value bins' upper bounds (last = +∞); null for categorical features.</summary>
    public double[]?[] UpperBounds { get; }

    /// <summary>Per feature, the bins including the missing bin 0.</summary>
    public int[] BinCount { get; }

    /// <summary>Per feature, the first bin's index in a histogram over all features; the last entry is the total.</summary>
    public int[] Offset { get; }

    public int FeatureCount => BinCount.Length;

    public int TotalBins => Offset[^1];

    /// <summary>Bin edges from the sample rows; with <paramref name="categoricalSplits"/> false, categorical codes are binned as numbers.</summary>
    /// <param name="features">The training features.</param>
    /// <param name="sampleRows">The rows the edges are computed from.</param>
    /// <param name="maxBins">The most value bins per continuous feature.</param>
    /// <param name="minPerBin">The fewest sample rows a value bin holds (LightGBM's <c>min_data_in_bin</c>; 1 for none).</param>
    /// <param name="categoricalSplits">Whether categorical features keep one bin per category.</param>
    /// <param name="team">The threads the features are shared among (the result does not depend on their number).</param>
    /// <returns>The binning.</returns>
    public static FeatureBinning Fit(FeatureMatrix features, int[] sampleRows, int maxBins, int minPerBin, bool categoricalSplits, WorkTeam team)
    {
        var p = features.ColumnCount;
        var isCategorical = new bool[p];
        var bounds = new double[]?[p];
        var binCount = new int[p];
        var values = new double[team.Size][];
        team.For(p, j =>
        {
            var info = features.Features[j];
            if (info.Kind == FeatureKind.Categorical && categoricalSplits)
            {
                isCategorical[j] = true;
                binCount[j] = Math.Min(Math.Max(info.CategoryCount, 1), MaxCategoricalCode + 1) + 1;
                return;
            }

            var column = features.Column(j);
            var buffer = values[WorkTeam.Member] ??= new double[sampleRows.Length];
            var count = 0;
            foreach (var r in sampleRows)
            {
                var v = column[r];
                if (!double.IsNaN(v))
                {
                    buffer[count++] = v;
                }
            }

            bounds[j] = UpperBoundsOf(buffer.AsSpan(0, count), maxBins, minPerBin);
            binCount[j] = bounds[j]!.Length + 1;
        });
        return new FeatureBinning(isCategorical, bounds, binCount);
    }

    /// <summary>
    /// Equal-frequency upper bounds over the sorted distinct values (midpoints), at most <paramref name="maxBins"/> value bins;
    /// with <paramref name="minPerBin"/> above 1, a bound only once that many values lie below it since the last one, and at
    /// most values / <paramref name="minPerBin"/> bins (LightGBM's <c>GreedyFindBin</c>).
    /// </summary>
    internal static double[] UpperBoundsOf(Span<double> values, int maxBins, int minPerBin = 1)
    {
        if (values.IsEmpty)
        {
            return [double.PositiveInfinity];
        }

        values.Sort();
        var distinct = new List<(double Value, int Count)>();
        for (var i = 0; i < values.Length;)
        {
            var k = i;
            while (k < values.Length && values[k] == values[i])
            {
                k++;
            }

            distinct.Add((values[i], k - i));
            i = k;
        }

        var bounds = new List<double>(Math.Min(distinct.Count, maxBins));
        if (distinct.Count <= maxBins)
        {
            var inBin = 0;
            for (var i = 0; i + 1 < distinct.Count; i++)
            {
                inBin += distinct[i].Count;
                if (inBin < minPerBin)
                {
                    continue;
                }

                var bound = Float32Threshold.Between(distinct[i].Value, distinct[i + 1].Value);
                if (!double.IsNaN(bound))
                {
                    bounds.Add(bound);
                    inBin = 0;
                }
            }
        }
        else
        {
            // Equal-frequency edges as scikit-learn's HistGradientBoosting computes them: the
            // percentiles 100·k/maxBins (k = 1..maxBins−1) with numpy's "midpoint" method, deduplicated.
            var n = values.Length;
            maxBins = Math.Max(1, Math.Min(maxBins, n / minPerBin));
            for (var k = 1; k < maxBins; k++)
            {
                var position = (double)k / maxBins * (n - 1);
                var lo = (int)Math.Floor(position);
                var hi = (int)Math.Ceiling(position);
                var edge = Midpoint(values[lo], values[hi]);

                // Keep the partition but move the bound between the data values around it (see Between).
                var next = UpperBound(values, edge);
                if (next == n)
                {
                    break;
                }

                edge = Float32Threshold.Between(values[next - 1], values[next]);
                if (!double.IsNaN(edge) && (bounds.Count == 0 || edge > bounds[^1]))
                {
                    bounds.Add(edge);
                }
            }
        }

        bounds.Add(double.PositiveInfinity);
        return [.. bounds];
    }

    /// <summary>The index of the first value greater than <paramref name="x"/> in sorted values.</summary>
    private static int UpperBound(ReadOnlySpan<double> values, double x)
    {
        int lo = 0, hi = values.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (values[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static double Midpoint(double a, double b)
    {
        var m = a + ((b - a) / 2);
        return m >= b || m < a ? a : m;
    }

    public byte BinOf(int feature, double value)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        if (IsCategorical[feature])
        {
            return value >= 0 && value <= MaxCategoricalCode ? (byte)((int)value + 1) : (byte)0;
        }

        // The first bound ≥ value (the last bound catches the rest).
        var bounds = UpperBounds[feature]!;
        return (byte)(Math.Min(SampleStatistics.CountBelow(bounds, value), bounds.Length - 1) + 1);
    }

    /// <summary>Bins every column (columns in parallel; the result does not depend on the thread count).</summary>
    public byte[][] Bin(FeatureMatrix features, WorkTeam team)
    {
        var n = features.RowCount;
        var result = new byte[FeatureCount][];
        team.For(FeatureCount, j =>
        {
            var column = features.Column(j);
            var bins = new byte[n];
            for (var i = 0; i < n; i++)
            {
                bins[i] = BinOf(j, column[i]);
            }

            result[j] = bins;
        });
        return result;
    }
}
