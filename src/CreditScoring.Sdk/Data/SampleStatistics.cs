using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Data;

/// <summary>
/// Descriptive statistics of a column's values over spans, NaN meaning missing, as the population profile, drift and
/// feature steps compute them. Methods whose argument is named <c>sorted</c> expect values sorted ascending without NaN
/// (from <see cref="SortedPresent"/>); the others take values as they are.
/// </summary>
public static class SampleStatistics
{
    /// <summary>
    /// The number of values of an ascending array strictly below <paramref name="x"/> (0 for NaN), by a
    /// branch-free binary search: its steps depend only on the length, so nothing is mispredicted.
    /// </summary>
    /// <param name="sorted">Values sorted ascending, without NaN.</param>
    /// <param name="x">The value.</param>
    /// <returns>How many values are below it.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CountBelow(ReadOnlySpan<double> sorted, double x)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }

        ref var s = ref MemoryMarshal.GetReference(sorted);
        var lo = 0;
        var n = sorted.Length;
        while (n > 1)
        {
            var half = n >> 1;
            lo += -Unsafe.BitCast<bool, byte>(Unsafe.Add(ref s, lo + half - 1) < x) & half;
            n -= half;
        }

        return lo + Unsafe.BitCast<bool, byte>(Unsafe.Add(ref s, lo) < x);
    }

    /// <summary>The non-missing values, sorted ascending (−0 as +0; a radix sort for large inputs).</summary>
    /// <param name="values">Values, NaN for missing.</param>
    /// <returns>A new array.</returns>
    public static double[] SortedPresent(ReadOnlySpan<double> values)
    {
        var present = new double[values.Length];
        var n = 0;
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                present[n++] = v;
            }
        }

        Array.Resize(ref present, n);
        RadixSort.SortInplace(present);
        return present;
    }

    /// <summary>NumPy's default ("linear") quantile of sorted values; NaN when there are none.</summary>
    /// <param name="sorted">Values sorted ascending, without NaN.</param>
    /// <param name="q">The probability, in [0, 1].</param>
    /// <returns>The quantile.</returns>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            return double.NaN;
        }

        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        var fraction = position - lower;

        // numpy's _lerp: from the nearer end, so the result is exact at both ends and monotone.
        var a = sorted[lower];
        var b = sorted[upper];
        var difference = b - a;
        return fraction >= 0.5 ? b - (difference * (1 - fraction)) : a + (difference * fraction);
    }

    /// <summary>NumPy's <c>unique(quantile(sorted, [1/bins … (bins−1)/bins]))</c>: PSI's reference-quantile bin edges.</summary>
    /// <param name="sorted">Values sorted ascending, without NaN.</param>
    /// <param name="bins">The number of bins (deciles: 10).</param>
    /// <returns>The distinct inner edges, ascending (fewer than <c>bins − 1</c> when quantiles coincide; none when there are no values).</returns>
    public static double[] QuantileEdges(ReadOnlySpan<double> sorted, int bins)
    {
        var edges = new List<double>(bins - 1);
        for (var k = 1; k < bins && !sorted.IsEmpty; k++)
        {
            var q = Quantile(sorted, (double)k / bins);
            if (edges.Count == 0 || q > edges[^1])
            {
                edges.Add(q);
            }
        }

        return [.. edges];
    }

    /// <summary>Counts of sorted values per bin (−∞, e₁], (e₁, e₂], …, (e_k, +∞) (NumPy's searchsorted left), added into <paramref name="counts"/>.</summary>
    /// <param name="sorted">Values sorted ascending, without NaN.</param>
    /// <param name="edges">The bins' inner edges, ascending.</param>
    /// <param name="counts">Receives the counts (at least edges + 1 long).</param>
    public static void CountBins(ReadOnlySpan<double> sorted, ReadOnlySpan<double> edges, Span<double> counts)
    {
        // Bin b holds the values in (e_b−1, e_b]: the values at or below e_b less those at or below e_b−1, each found
        // by a binary search of the sorted values (O(bins · log n), not a pass over every value).
        if (sorted.IsEmpty)
        {
            return;
        }

        var below = 0;
        for (var b = 0; b < edges.Length; b++)
        {
            var atOrBelow = AtOrBelow(sorted, edges[b], below);
            counts[b] += atOrBelow - below;
            below = atOrBelow;
        }

        counts[edges.Length] += sorted.Length - below;
    }

    /// <summary>How many of the sorted values are at or below <paramref name="edge"/>, knowing that the first <paramref name="from"/> are.</summary>
    private static int AtOrBelow(ReadOnlySpan<double> sorted, double edge, int from)
    {
        int low = from, high = sorted.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (edge < sorted[middle])
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    /// <summary>Mean and population standard deviation of the non-missing values; (NaN, NaN, 0) when none.</summary>
    /// <param name="values">Values, NaN for missing.</param>
    /// <returns>The mean, the standard deviation and the number of non-missing values.</returns>
    public static (double Mean, double StandardDeviation, int Count) MeanAndStd(ReadOnlySpan<double> values)
    {
        double sum = 0;
        var n = 0;
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                sum += v;
                n++;
            }
        }

        if (n == 0)
        {
            return (double.NaN, double.NaN, 0);
        }

        var mean = sum / n;
        double squares = 0;
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                squares += (v - mean) * (v - mean);
            }
        }

        return (mean, Math.Sqrt(squares / n), n);
    }
}
