using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CreditScoring.Sdk.Internal;

/// <summary>Small descriptive statistics over spans, NaN meaning missing.</summary>
internal static class Statistics
{
    /// <summary>
    /// The number of values of an ascending array strictly below <paramref name="x"/> (0 for NaN), by a
    /// branch-free binary search: its steps depend only on the length, so nothing is mispredicted.
    /// </summary>
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

    /// <summary>The non-missing values, sorted ascending (−0 as +0).</summary>
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
        Evaluation.RadixSort.SortInplace(present);
        return present;
    }

    /// <summary>numpy's default ("linear") quantile of sorted values; NaN when there are none.</summary>
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

    /// <summary>Counts of sorted values per bin (−∞, e₁], (e₁, e₂], …, (e_k, +∞) (NumPy's searchsorted left), into <paramref name="counts"/> (at least edges + 1 long).</summary>
    public static void CountBins(ReadOnlySpan<double> sorted, ReadOnlySpan<double> edges, Span<double> counts)
    {
        var bin = 0;
        foreach (var v in sorted)
        {
            while (bin < edges.Length && edges[bin] < v)
            {
                bin++;
            }

            counts[bin]++;
        }
    }

    /// <summary>Mean and population standard deviation of the non-missing values; (NaN, NaN) when none.</summary>
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
