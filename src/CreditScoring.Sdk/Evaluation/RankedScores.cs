namespace CreditScoring.Sdk.Evaluation;

/// <summary>
/// Scores sorted in descending order (stable: ties keep their original order) with their labels and
/// weights, rows of zero weight removed, as scikit-learn's <c>_binary_clf_curve</c>. Sorting is an LSD
/// radix sort on the scores' order-preserving 64-bit keys, which is stable and O(n).
/// </summary>
internal sealed class RankedScores
{
    private readonly double[]? _weights;

    private RankedScores(double[] scores, byte[] labels, double[]? weights, double positives, double negatives)
    {
        Scores = scores;
        Labels = labels;
        _weights = weights;
        Positives = positives;
        Negatives = negatives;
    }

    public double[] Scores { get; }

    public byte[] Labels { get; }

    /// <summary>Total weight of positives.</summary>
    public double Positives { get; }

    /// <summary>Total weight of negatives.</summary>
    public double Negatives { get; }

    public int Count => Scores.Length;

    /// <summary>The weight of the i-th ranked row (1 when the scores are unweighted).</summary>
    public double Weight(int i) => _weights is null ? 1.0 : _weights[i];

    public static RankedScores Create(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights)
    {
        MetricInputs.Check(scores, labels, weights);
        var weighted = !weights.IsEmpty;
        var n = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (!weighted || weights[i] != 0)
            {
                n++;
            }
        }

        // Unweighted, the payload is the label itself; weighted, it is the row, to fetch label and weight.
        var keys = new ulong[n];
        var payload = new int[n];
        var k = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (!weighted || weights[i] != 0)
            {
                keys[k] = ~SortableKey(scores[i]);
                payload[k] = weighted ? i : labels[i];
                k++;
            }
        }

        RadixSort.SortInplace(keys, payload);
        var s = new double[n];
        var l = new byte[n];
        var w = weighted ? new double[n] : null;
        double positives = 0, negatives = 0;
        for (var i = 0; i < n; i++)
        {
            s[i] = FromSortableKey(~keys[i]);
            var label = weighted ? labels[payload[i]] : payload[i];
            var weight = weighted ? weights[payload[i]] : 1.0;
            l[i] = (byte)label;
            if (w is not null)
            {
                w[i] = weight;
            }

            if (label == 1)
            {
                positives += weight;
            }
            else
            {
                negatives += weight;
            }
        }

        return new RankedScores(s, l, w, positives, negatives);
    }

    /// <summary>Maps a double to an unsigned key with the same order (−0 and +0 map together).</summary>
    internal static ulong SortableKey(double value)
    {
        if (value == 0)
        {
            value = 0.0;
        }

        var bits = BitConverter.DoubleToUInt64Bits(value);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    /// <summary>The inverse of <see cref="SortableKey"/>.</summary>
    internal static double FromSortableKey(ulong key) =>
        BitConverter.UInt64BitsToDouble((key & 0x8000_0000_0000_0000UL) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFUL : ~key);

    /// <summary>
    /// Cumulative weights at the end of each group of tied scores, in descending score order:
    /// scikit-learn's (fps, tps, thresholds). Sums run in order, as numpy's cumulative sum.
    /// </summary>
    public (double[] Fps, double[] Tps, double[] Thresholds) CumulativeCounts()
    {
        var fps = new List<double>();
        var tps = new List<double>();
        var thresholds = new List<double>();
        double tp = 0, fp = 0;
        for (var i = 0; i < Count; i++)
        {
            if (Labels[i] == 1)
            {
                tp += Weight(i);
            }
            else
            {
                fp += Weight(i);
            }

            if (i == Count - 1 || Scores[i + 1] != Scores[i])
            {
                fps.Add(fp);
                tps.Add(tp);
                thresholds.Add(Scores[i]);
            }
        }

        return (fps.ToArray(), tps.ToArray(), thresholds.ToArray());
    }
}

/// <summary>Stable least-significant-digit radix sort of 64-bit keys with an optional int payload.</summary>
internal static class RadixSort
{
    private const int Bits = 11;
    private const int Buckets = 1 << Bits;

    /// <summary>Sorts the non-missing values ascending (−0 becomes +0), by radix for large inputs.</summary>
    public static void SortInplace(double[] values)
    {
        if (values.Length < 4096)
        {
            Array.Sort(values);
            return;
        }

        var keys = new ulong[values.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = RankedScores.SortableKey(values[i]);
        }

        SortInplace(keys, null);
        for (var i = 0; i < keys.Length; i++)
        {
            values[i] = RankedScores.FromSortableKey(keys[i]);
        }
    }

    public static void SortInplace(ulong[] keys, int[]? payload)
    {
        var n = keys.Length;
        if (n < 2048)
        {
            if (payload is null)
            {
                Array.Sort(keys);
            }
            else
            {
                StableComparisonSort(keys, payload);
            }

            return;
        }

        var keyBuffer = new ulong[n];
        var payloadBuffer = payload is null ? null : new int[n];
        var counts = new int[Buckets];
        ulong varying = 0;
        var first = keys[0];
        foreach (var k in keys)
        {
            varying |= k ^ first;
        }

        var source = keys;
        var sourcePayload = payload;
        var target = keyBuffer;
        var targetPayload = payloadBuffer;
        for (var shift = 0; shift < 64; shift += Bits)
        {
            if (((varying >> shift) & (Buckets - 1)) == 0)
            {
                continue;
            }

            Array.Clear(counts);
            foreach (var k in source)
            {
                counts[(int)((k >> shift) & (Buckets - 1))]++;
            }

            var sum = 0;
            for (var b = 0; b < Buckets; b++)
            {
                var c = counts[b];
                counts[b] = sum;
                sum += c;
            }

            if (sourcePayload is null)
            {
                foreach (var k in source)
                {
                    target[counts[(int)((k >> shift) & (Buckets - 1))]++] = k;
                }
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    var k = source[i];
                    var slot = counts[(int)((k >> shift) & (Buckets - 1))]++;
                    target[slot] = k;
                    targetPayload![slot] = sourcePayload[i];
                }
            }

            (source, target) = (target, source);
            (sourcePayload, targetPayload) = (targetPayload, sourcePayload);
        }

        if (!ReferenceEquals(source, keys))
        {
            source.CopyTo(keys, 0);
            sourcePayload?.CopyTo(payload!, 0);
        }
    }

    /// <summary>Stable sort for small inputs (the radix passes' fixed cost would dominate).</summary>
    private static void StableComparisonSort(ulong[] keys, int[] payload)
    {
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var k = keys;
        Array.Sort(order, (a, b) => k[a] != k[b] ? k[a].CompareTo(k[b]) : a.CompareTo(b));
        var sortedKeys = new ulong[keys.Length];
        var sortedPayload = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            sortedKeys[i] = keys[order[i]];
            sortedPayload[i] = payload[order[i]];
        }

        sortedKeys.CopyTo(keys, 0);
        sortedPayload.CopyTo(payload, 0);
    }
}

/// <summary>Input checks shared by the metrics.</summary>
internal static class MetricInputs
{
    public static void Check(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights)
    {
        if (labels.Length != scores.Length)
        {
            throw new ArgumentException($"There are {labels.Length} labels for {scores.Length} scores.", nameof(labels));
        }

        if (!weights.IsEmpty && weights.Length != scores.Length)
        {
            throw new ArgumentException($"There are {weights.Length} weights for {scores.Length} scores.", nameof(weights));
        }

        for (var i = 0; i < scores.Length; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"Score {scores[i]} at index {i} is not a finite number.", nameof(scores));
            }

            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"Label {labels[i]} at index {i} is not 0 or 1.", nameof(labels));
            }

            if (!weights.IsEmpty && (!(weights[i] >= 0) || double.IsInfinity(weights[i])))
            {
                throw new ArgumentException($"Weight {weights[i]} at index {i} is not a finite number >= 0.", nameof(weights));
            }
        }
    }

    public static void CheckProbabilities(ReadOnlySpan<double> probabilities)
    {
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1))
            {
                throw new ArgumentException($"Probability {probabilities[i]} at index {i} is not in [0, 1].", nameof(probabilities));
            }
        }
    }
}
