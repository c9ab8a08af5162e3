namespace CreditScoring.Sdk.Internal;

/// <summary>Order statistics without a full sort.</summary>
internal static class Selection
{
    /// <summary>
    /// Rearranges <paramref name="values"/> so that the element at <paramref name="k"/> is the one a full
    /// ascending sort would put there, every element before it is ≤ it and every element after is ≥ it
    /// (Hoare's selection with median-of-three pivots; deterministic). Returns that element. No NaNs.
    /// </summary>
    public static double SelectInplace(Span<double> values, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, values.Length);
        int lo = 0, hi = values.Length - 1;
        while (hi - lo > 16)
        {
            var mid = lo + ((hi - lo) / 2);
            if (values[mid] < values[lo])
            {
                (values[mid], values[lo]) = (values[lo], values[mid]);
            }

            if (values[hi] < values[lo])
            {
                (values[hi], values[lo]) = (values[lo], values[hi]);
            }

            if (values[hi] < values[mid])
            {
                (values[hi], values[mid]) = (values[mid], values[hi]);
            }

            var pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return values[k];
            }
        }

        values[lo..(hi + 1)].Sort();
        return values[k];
    }

    /// <summary>The largest value (the span must not be empty).</summary>
    public static double MaxOf(ReadOnlySpan<double> values)
    {
        var max = values[0];
        foreach (var v in values)
        {
            if (v > max)
            {
                max = v;
            }
        }

        return max;
    }
}
