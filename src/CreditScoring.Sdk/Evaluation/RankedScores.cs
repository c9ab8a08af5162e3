using CreditScoring.Sdk.Internal;
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
                keys[k] = ~RadixSort.SortableKey(scores[i]);
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
            s[i] = RadixSort.FromSortableKey(~keys[i]);
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

