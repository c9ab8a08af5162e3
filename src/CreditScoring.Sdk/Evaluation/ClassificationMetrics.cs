using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Evaluation;

/// <summary>A point of the ROC curve.</summary>
/// <param name="Threshold">Rows with a score at or above it are predicted positive; +∞ for the (0, 0) point.</param>
/// <param name="FalsePositiveRate">FP / negatives.</param>
/// <param name="TruePositiveRate">TP / positives.</param>
public sealed record RocPoint(double Threshold, double FalsePositiveRate, double TruePositiveRate);

/// <summary>A point of the precision–recall curve.</summary>
/// <param name="Threshold">Rows with a score at or above it are predicted positive; +∞ for the final (recall 0, precision 1) point.</param>
/// <param name="Precision">TP / (TP + FP).</param>
/// <param name="Recall">TP / positives.</param>
public sealed record PrecisionRecallPoint(double Threshold, double Precision, double Recall);

/// <summary>How calibration bins are laid out.</summary>
public enum CalibrationBinning
{
    /// <summary>Equal-width bins over [0, 1].</summary>
    Uniform,

    /// <summary>Bins at quantiles of the predicted probabilities (numpy's linear-interpolation percentiles).</summary>
    Quantile,
}

/// <summary>One bin of a reliability (calibration) table.</summary>
/// <param name="Lower">The bin's lower edge (exclusive, except for the first bin).</param>
/// <param name="Upper">The bin's upper edge (inclusive).</param>
/// <param name="Count">Rows in the bin.</param>
/// <param name="MeanPredicted">The mean predicted probability (weighted).</param>
/// <param name="ObservedRate">The observed default rate (weighted).</param>
public sealed record CalibrationBin(double Lower, double Upper, int Count, double MeanPredicted, double ObservedRate);

/// <summary>One group of a gains (lift) table: rows sorted by descending score and cut into equal-sized groups.</summary>
public sealed record GainsRow
{
    /// <summary>1 = the riskiest group.</summary>
    public required int Group { get; init; }

    /// <summary>Rows in the group.</summary>
    public required int Rows { get; init; }

    /// <summary>Lowest score in the group.</summary>
    public required double MinScore { get; init; }

    /// <summary>Highest score in the group.</summary>
    public required double MaxScore { get; init; }

    /// <summary>Defaults in the group (weighted).</summary>
    public required double Positives { get; init; }

    /// <summary>Default rate in the group.</summary>
    public required double PositiveRate { get; init; }

    /// <summary>Share of all rows in this and riskier groups.</summary>
    public required double CumulativeShareOfRows { get; init; }

    /// <summary>Share of all defaults captured by this and riskier groups.</summary>
    public required double CumulativeGain { get; init; }

    /// <summary>Group default rate / overall default rate.</summary>
    public required double Lift { get; init; }

    /// <summary>Cumulative default rate / overall default rate.</summary>
    public required double CumulativeLift { get; init; }
}

/// <summary>The Kolmogorov–Smirnov separation of a score: the statistic between the score distributions of defaults and non-defaults, and where it peaks (the drift package's two-sample test with a p-value is <c>KsResult</c>).</summary>
/// <param name="Statistic">max over thresholds of |TPR − FPR|, in [0, 1].</param>
/// <param name="Threshold">The score at which the maximum is reached.</param>
public sealed record KsSeparation(double Statistic, double Threshold);

/// <summary>
/// Binary classification metrics over spans, each verified against scikit-learn. Scores are
/// probabilities or any monotone risk score (higher = riskier); labels are 0/1 (1 = default);
/// weights are optional (an empty span means every row weighs 1) and rows of zero weight are left
/// out, as scikit-learn does. A result that is undefined for the input (AUC with one class...) is NaN.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>The machine epsilon of double, at which <see cref="LogLoss"/> clips probabilities (scikit-learn's default since 1.2).</summary>
    public const double LogLossEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Area under the ROC curve, computed exactly: Σ over tied-score groups of negatives × (positives ranked above + ½ positives tied)
    /// divided by positives × negatives — the Mann–Whitney U statistic, equal to scikit-learn's <c>roc_auc_score</c> (ties count ½).
    /// </summary>
    /// <param name="scores">Scores (finite).</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="weights">Optional weights.</param>
    /// <returns>The AUC in [0, 1]; NaN when only one class is present.</returns>
    /// <exception cref="ArgumentException">Lengths differ, a score is not finite, a label is not 0/1 or a weight is negative.</exception>
    public static double Auc(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default) =>
        Auc(RankedScores.Create(scores, labels, weights));

    /// <summary>The Gini coefficient (accuracy ratio), 2·AUC − 1.</summary>
    /// <param name="scores">Scores.</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="weights">Optional weights.</param>
    /// <returns>The Gini in [−1, 1]; NaN when only one class is present.</returns>
    public static double Gini(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default) =>
        (2 * Auc(scores, labels, weights)) - 1;

    /// <summary>
    /// The Kolmogorov–Smirnov statistic: the largest gap between the cumulative score distributions of
    /// defaults and non-defaults, max |TPR − FPR| over thresholds (equal to <c>scipy.stats.ks_2samp</c>'s statistic on the two samples).
    /// </summary>
    /// <param name="scores">Scores.</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="weights">Optional weights.</param>
    /// <returns>The statistic and its threshold; NaN when only one class is present.</returns>
    public static KsSeparation KolmogorovSmirnov(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default) =>
        Ks(RankedScores.Create(scores, labels, weights));

    /// <summary>The Brier score, Σ w·(p − y)² / Σ w.</summary>
    /// <param name="probabilities">Probabilities in [0, 1].</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="weights">Optional weights.</param>
    /// <returns>The score in [0, 1]; NaN for an empty input.</returns>
    public static double BrierScore(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default) =>
        WeightedMeanLoss<SquaredError>(probabilities, labels, weights);

    /// <summary>
    /// The mean log-loss (cross-entropy), −Σ w·[y·ln p + (1 − y)·ln(1 − p)] / Σ w, with p clipped to
    /// [ε, 1 − ε], ε = <see cref="LogLossEpsilon"/> (as scikit-learn's <c>log_loss</c>).
    /// </summary>
    /// <param name="probabilities">Probabilities in [0, 1].</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="weights">Optional weights.</param>
    /// <returns>The log-loss; NaN for an empty input.</returns>
    public static double LogLoss(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default) =>
        WeightedMeanLoss<CrossEntropy>(probabilities, labels, weights);

    /// <summary>The confusion matrix when rows scoring at or above <paramref name="threshold"/> are predicted positive.</summary>
    /// <param name="scores">Scores.</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="threshold">The threshold.</param>
    /// <param name="weights">Optional weights.</param>
    /// <returns>The weighted counts, with precision, recall, F1 and approval figures.</returns>
    public static ConfusionMatrix Confusion(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, double threshold, ReadOnlySpan<double> weights = default)
    {
        MetricInputs.Check(scores, labels, weights);
        double tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var w = weights.IsEmpty ? 1.0 : weights[i];
            var positive = scores[i] >= threshold;
            if (labels[i] == 1)
            {
                if (positive)
                {
                    tp += w;
                }
                else
                {
                    fn += w;
                }
            }
            else if (positive)
            {
                fp += w;
            }
            else
            {
                tn += w;
            }
        }

        return new ConfusionMatrix(threshold, tp, fp, tn, fn);
    }

    /// <summary>
    /// The ROC curve as scikit-learn's <c>roc_curve</c>: one point per distinct score (descending), a first point (0, 0) at
    /// threshold +∞ (scikit-learn 1.2 writes max score + 1 there), and with <paramref name="dropIntermediate"/> the points
    /// where neither cumulative count bends removed (they lie on straight segments and change no area).
    /// </summary>
    /// <param name="scores">Scores.</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="weights">Optional weights.</param>
    /// <param name="dropIntermediate">Remove collinear points (default <see langword="true"/>, as scikit-learn).</param>
    /// <returns>The points in order of decreasing threshold; rates are NaN when a class is absent.</returns>
    public static IReadOnlyList<RocPoint> RocCurve(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default, bool dropIntermediate = true) =>
        Roc(RankedScores.Create(scores, labels, weights), dropIntermediate);

    /// <summary>
    /// The precision–recall curve as scikit-learn 1.2's <c>precision_recall_curve</c>: one point per distinct score in
    /// increasing threshold order, then a final point (recall 0, precision 1).
    /// </summary>
    /// <param name="scores">Scores.</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="weights">Optional weights.</param>
    /// <returns>The points.</returns>
    public static IReadOnlyList<PrecisionRecallPoint> PrecisionRecallCurve(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default) =>
        PrecisionRecall(RankedScores.Create(scores, labels, weights));

    /// <summary>
    /// The reliability table, as scikit-learn's <c>calibration_curve</c>: a probability p falls in the bin whose upper
    /// edge is the first edge ≥ p (bins (e₀, e₁], (e₁, e₂]...; the first includes 0). Empty bins are left out.
    /// </summary>
    /// <param name="probabilities">Probabilities in [0, 1].</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="bins">The number of bins (default 10).</param>
    /// <param name="binning">Uniform (default) or quantile edges.</param>
    /// <param name="weights">Optional weights (scikit-learn has none; with none the figures equal its).</param>
    /// <returns>The non-empty bins in increasing probability.</returns>
    public static IReadOnlyList<CalibrationBin> CalibrationTable(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int bins = 10, CalibrationBinning binning = CalibrationBinning.Uniform, ReadOnlySpan<double> weights = default)
    {
        MetricInputs.Check(probabilities, labels, weights);
        MetricInputs.CheckProbabilities(probabilities);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (probabilities.IsEmpty)
        {
            return [];
        }

        var edges = new double[bins + 1];
        if (binning == CalibrationBinning.Uniform)
        {
            var step = 1.0 / bins;
            for (var k = 0; k < bins; k++)
            {
                edges[k] = k * step;
            }

            edges[bins] = 1.0;
        }
        else
        {
            var sorted = probabilities.ToArray();
            Array.Sort(sorted);
            var step = 1.0 / bins;
            for (var k = 0; k <= bins; k++)
            {
                // numpy.percentile(p, linspace(0, 1, bins + 1) * 100) divides by 100 again: keep that round trip for identical edges.
                edges[k] = Quantiles.Linear(sorted, k == bins ? 1.0 : k * step * 100 / 100);
            }
        }

        var count = new int[bins];
        var weightSum = new double[bins];
        var predictedSum = new double[bins];
        var positiveSum = new double[bins];
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = probabilities[i];
            var b = LowerBound(edges.AsSpan(1, bins - 1), p);
            var w = weights.IsEmpty ? 1.0 : weights[i];
            count[b]++;
            weightSum[b] += w;
            predictedSum[b] += w * p;
            positiveSum[b] += w * labels[i];
        }

        var table = new List<CalibrationBin>(bins);
        for (var b = 0; b < bins; b++)
        {
            if (count[b] > 0 && weightSum[b] > 0)
            {
                table.Add(new CalibrationBin(edges[b], edges[b + 1], count[b], predictedSum[b] / weightSum[b], positiveSum[b] / weightSum[b]));
            }
        }

        return table;
    }

    /// <summary>
    /// The gains (lift) table: rows sorted by descending score (ties keep their order) and cut into
    /// <paramref name="groups"/> groups of ⌊n/groups⌋ or ⌈n/groups⌉ rows (group g holds rows ⌊g·n/G⌋ to ⌊(g+1)·n/G⌋ − 1).
    /// </summary>
    /// <param name="scores">Scores.</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="groups">The number of groups (default 10: deciles).</param>
    /// <param name="weights">Optional weights (used for default counts and rates; groups are cut by row count).</param>
    /// <returns>The groups, riskiest first.</returns>
    public static IReadOnlyList<GainsRow> GainsTable(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, int groups = 10, ReadOnlySpan<double> weights = default) =>
        Gains(RankedScores.Create(scores, labels, weights), groups);

    internal static double Auc(RankedScores r)
    {
        if (r.Positives == 0 || r.Negatives == 0)
        {
            return double.NaN;
        }

        double area = 0, positivesAbove = 0;
        var i = 0;
        while (i < r.Count)
        {
            double groupPositives = 0, groupNegatives = 0;
            var score = r.Scores[i];
            do
            {
                if (r.Labels[i] == 1)
                {
                    groupPositives += r.Weight(i);
                }
                else
                {
                    groupNegatives += r.Weight(i);
                }

                i++;
            }
            while (i < r.Count && r.Scores[i] == score);

            area += groupNegatives * (positivesAbove + (0.5 * groupPositives));
            positivesAbove += groupPositives;
        }

        return area / (r.Positives * r.Negatives);
    }

    internal static KsSeparation Ks(RankedScores r)
    {
        if (r.Positives == 0 || r.Negatives == 0)
        {
            return new KsSeparation(double.NaN, double.NaN);
        }

        var (fps, tps, thresholds) = r.CumulativeCounts();
        double best = 0, at = thresholds.Length > 0 ? thresholds[0] : double.NaN;
        for (var k = 0; k < fps.Length; k++)
        {
            var gap = Math.Abs((tps[k] / r.Positives) - (fps[k] / r.Negatives));
            if (gap > best)
            {
                best = gap;
                at = thresholds[k];
            }
        }

        return new KsSeparation(best, at);
    }

    internal static IReadOnlyList<RocPoint> Roc(RankedScores r, bool dropIntermediate)
    {
        var (fps, tps, thresholds) = r.CumulativeCounts();
        var keep = new List<int>(fps.Length);
        for (var k = 0; k < fps.Length; k++)
        {
            if (!dropIntermediate || fps.Length <= 2 || k == 0 || k == fps.Length - 1
                || (fps[k + 1] - (2 * fps[k]) + fps[k - 1]) != 0 || (tps[k + 1] - (2 * tps[k]) + tps[k - 1]) != 0)
            {
                keep.Add(k);
            }
        }

        var lastFp = fps.Length > 0 ? fps[^1] : 0;
        var lastTp = tps.Length > 0 ? tps[^1] : 0;
        var points = new List<RocPoint>(keep.Count + 1)
        {
            new(double.PositiveInfinity, lastFp > 0 ? 0 : double.NaN, lastTp > 0 ? 0 : double.NaN),
        };
        foreach (var k in keep)
        {
            points.Add(new RocPoint(thresholds[k], lastFp > 0 ? fps[k] / lastFp : double.NaN, lastTp > 0 ? tps[k] / lastTp : double.NaN));
        }

        return points;
    }

    internal static IReadOnlyList<PrecisionRecallPoint> PrecisionRecall(RankedScores r)
    {
        var (fps, tps, thresholds) = r.CumulativeCounts();
        var points = new List<PrecisionRecallPoint>(fps.Length + 1);
        var allPositives = tps.Length > 0 ? tps[^1] : 0;
        for (var k = fps.Length - 1; k >= 0; k--)
        {
            var predicted = tps[k] + fps[k];
            points.Add(new PrecisionRecallPoint(thresholds[k], predicted != 0 ? tps[k] / predicted : 0, allPositives == 0 ? 1 : tps[k] / allPositives));
        }

        points.Add(new PrecisionRecallPoint(double.PositiveInfinity, 1, 0));
        return points;
    }

    internal static IReadOnlyList<GainsRow> Gains(RankedScores r, int groups)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        var n = r.Count;
        var total = r.Positives + r.Negatives;
        var overall = total == 0 ? double.NaN : r.Positives / total;
        var rows = new List<GainsRow>(groups);
        double cumulativePositives = 0, cumulativeWeight = 0;
        for (var g = 0; g < groups; g++)
        {
            var start = (int)((long)g * n / groups);
            var end = (int)((long)(g + 1) * n / groups);
            if (end == start)
            {
                continue;
            }

            double positives = 0, weight = 0;
            for (var i = start; i < end; i++)
            {
                weight += r.Weight(i);
                if (r.Labels[i] == 1)
                {
                    positives += r.Weight(i);
                }
            }

            cumulativePositives += positives;
            cumulativeWeight += weight;
            var rate = weight == 0 ? double.NaN : positives / weight;
            var cumulativeRate = cumulativeWeight == 0 ? double.NaN : cumulativePositives / cumulativeWeight;
            rows.Add(new GainsRow
            {
                Group = g + 1,
                Rows = end - start,
                MinScore = r.Scores[end - 1],
                MaxScore = r.Scores[start],
                Positives = positives,
                PositiveRate = rate,
                CumulativeShareOfRows = (double)end / n,
                CumulativeGain = r.Positives == 0 ? double.NaN : cumulativePositives / r.Positives,
                Lift = rate / overall,
                CumulativeLift = cumulativeRate / overall,
            });
        }

        return rows;
    }

    /// <summary>Σ w·loss(p, y) / Σ w over probabilities; NaN for no weight.</summary>
    private static double WeightedMeanLoss<TLoss>(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights)
        where TLoss : IRowLoss
    {
        MetricInputs.Check(probabilities, labels, weights);
        MetricInputs.CheckProbabilities(probabilities);
        double sum = 0, total = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var w = weights.IsEmpty ? 1.0 : weights[i];
            sum += w * TLoss.Of(probabilities[i], labels[i]);
            total += w;
        }

        return total == 0 ? double.NaN : sum / total;
    }

    private interface IRowLoss
    {
        static abstract double Of(double probability, int label);
    }

    private readonly struct SquaredError : IRowLoss
    {
        public static double Of(double probability, int label) => (probability - label) * (probability - label);
    }

    private readonly struct CrossEntropy : IRowLoss
    {
        public static double Of(double probability, int label)
        {
            var p = Math.Clamp(probability, LogLossEpsilon, 1 - LogLossEpsilon);
            return -(label == 1 ? Math.Log(p) : Math.Log(1 - p));
        }
    }

    /// <summary>numpy.searchsorted(edges, value, side="left"): the number of edges strictly below value.</summary>
    private static int LowerBound(ReadOnlySpan<double> edges, double value)
    {
        int lo = 0, hi = edges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (edges[mid] < value)
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
}

/// <summary>Quantiles over sorted data.</summary>
internal static class Quantiles
{
    /// <summary>numpy's default ("linear") quantile of sorted data: virtual index q·(n − 1), interpolated as numpy's lerp.</summary>
    public static double Linear(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            return double.NaN;
        }

        var index = q * (sorted.Length - 1);
        var below = (int)Math.Floor(index);
        if (below >= sorted.Length - 1)
        {
            return sorted[^1];
        }

        var t = index - below;
        var a = sorted[below];
        var b = sorted[below + 1];
        var diff = b - a;
        return t >= 0.5 ? b - (diff * (1 - t)) : a + (diff * t);
    }
}
