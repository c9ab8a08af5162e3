using System.Globalization;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Decisions;

/// <summary>How a decision threshold is chosen.</summary>
public enum ThresholdObjectiveKind
{
    /// <summary>The least total cost.</summary>
    MinimumCost,

    /// <summary>The largest F1 of the default class.</summary>
    MaximumF1,

    /// <summary>The largest Youden's J = true positive rate − false positive rate (the ROC point farthest above the diagonal).</summary>
    MaximumYouden,

    /// <summary>The most approvals such that the default rate among approved applicants is at most <see cref="ThresholdObjective.Limit"/>.</summary>
    MostApprovalsWithBadRateAtMost,

    /// <summary>The least cost such that the approval rate is at least <see cref="ThresholdObjective.Limit"/>.</summary>
    MinimumCostWithApprovalRateAtLeast,

    /// <summary>A given threshold, <see cref="ThresholdObjective.Limit"/>: nothing is optimized.</summary>
    Fixed,
}

/// <summary>What a threshold optimizes; ties go to the highest threshold (fewest declines), as <c>../shared/peers/threshold.py</c>.</summary>
/// <param name="Kind">The rule.</param>
/// <param name="Limit">The constraint of the constrained rules (a bad rate or an approval rate in [0, 1]); NaN otherwise.</param>
public sealed record ThresholdObjective(ThresholdObjectiveKind Kind, double Limit = double.NaN)
{
    /// <summary>The least total cost.</summary>
    public static ThresholdObjective MinimumCost { get; } = new(ThresholdObjectiveKind.MinimumCost);

    /// <summary>The largest F1.</summary>
    public static ThresholdObjective MaximumF1 { get; } = new(ThresholdObjectiveKind.MaximumF1);

    /// <summary>The largest Youden's J.</summary>
    public static ThresholdObjective MaximumYouden { get; } = new(ThresholdObjectiveKind.MaximumYouden);

    /// <summary>A short name for reports: <c>cost</c>, <c>f1</c>, <c>youden</c>, <c>bad-rate&lt;=0.05</c>, <c>approval&gt;=0.8</c>.</summary>
    public string Name => Kind switch
    {
        ThresholdObjectiveKind.MinimumCost => "cost",
        ThresholdObjectiveKind.MaximumF1 => "f1",
        ThresholdObjectiveKind.MaximumYouden => "youden",
        ThresholdObjectiveKind.MostApprovalsWithBadRateAtMost => "bad-rate<=" + Limit.ToString("R", CultureInfo.InvariantCulture),
        ThresholdObjectiveKind.MinimumCostWithApprovalRateAtLeast => "approval>=" + Limit.ToString("R", CultureInfo.InvariantCulture),
        _ => "fixed",
    };

    /// <summary>A given threshold (nothing optimized), to describe what it does.</summary>
    /// <param name="threshold">In [0, 1], or +∞ to decline nobody.</param>
    /// <returns>The objective.</returns>
    public static ThresholdObjective Fixed(double threshold) =>
        (threshold >= 0 && threshold <= 1) || double.IsPositiveInfinity(threshold)
            ? new(ThresholdObjectiveKind.Fixed, threshold)
            : throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "A threshold is a probability in [0, 1] (or +infinity to decline nobody).");

    /// <summary>The most approvals with a default rate among approved applicants of at most <paramref name="maximumBadRate"/>.</summary>
    /// <param name="maximumBadRate">In [0, 1].</param>
    /// <returns>The objective.</returns>
    public static ThresholdObjective MostApprovals(double maximumBadRate) => new(ThresholdObjectiveKind.MostApprovalsWithBadRateAtMost, CheckRate(maximumBadRate, nameof(maximumBadRate)));

    /// <summary>The least cost with an approval rate of at least <paramref name="minimumApprovalRate"/>.</summary>
    /// <param name="minimumApprovalRate">In [0, 1].</param>
    /// <returns>The objective.</returns>
    public static ThresholdObjective MinimumCostWithApprovalRate(double minimumApprovalRate) => new(ThresholdObjectiveKind.MinimumCostWithApprovalRateAtLeast, CheckRate(minimumApprovalRate, nameof(minimumApprovalRate)));

    /// <summary>
    /// Reads an objective from text: <c>cost</c>, <c>f1</c>, <c>youden</c>, <c>bad-rate:MAX</c> (the most approvals with a
    /// bad rate of at most MAX) or <c>approval:MIN</c> (the least cost approving at least MIN), rates in [0, 1] in the
    /// invariant culture; case-insensitive. The CLI's <c>--objective</c> takes this grammar.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The objective.</returns>
    /// <exception cref="ConfigurationException">The text is none of these, or its rate is not a number in [0, 1].</exception>
    public static ThresholdObjective Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = (colon > 0 ? text[..colon] : text).Trim().ToLowerInvariant();
        var limit = colon > 0 && double.TryParse(text[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        var rate = limit is >= 0 and <= 1;
        return (name, colon > 0) switch
        {
            ("cost", false) => MinimumCost,
            ("f1", false) => MaximumF1,
            ("youden", false) => MaximumYouden,
            ("bad-rate", true) when rate => MostApprovals(limit),
            ("approval", true) when rate => MinimumCostWithApprovalRate(limit),
            _ => throw new ConfigurationException($"the objective '{text}' is not cost, f1, youden, bad-rate:MAX or approval:MIN (MAX and MIN rates in [0, 1])."),
        };
    }

    private static double CheckRate(double rate, string name) =>
        rate >= 0 && rate <= 1 ? rate : throw new ArgumentOutOfRangeException(name, rate, "A rate must be in [0, 1].");
}

/// <summary>One threshold of a cost curve: decline when the probability of default is at or above it.</summary>
/// <param name="Threshold">The threshold (+∞: decline nobody).</param>
/// <param name="Cost">Total (weighted) cost.</param>
/// <param name="ApprovalRate">Share approved.</param>
/// <param name="BadRate">Default rate among approved applicants (0 when nobody is approved).</param>
/// <param name="F1">F1 of the default class.</param>
public sealed record CostCurvePoint(double Threshold, double Cost, double ApprovalRate, double BadRate, double F1);

/// <summary>A percentile bootstrap interval of a chosen threshold.</summary>
/// <param name="Level">The confidence level, e.g. 0.95.</param>
/// <param name="Lower">The lower bound.</param>
/// <param name="Upper">The upper bound.</param>
/// <param name="Samples">Bootstrap replicates.</param>
public sealed record ThresholdInterval(double Level, double Lower, double Upper, int Samples);

/// <summary>A chosen threshold and what it does on the rows it was chosen on.</summary>
public sealed record ThresholdChoice
{
    /// <summary>What was optimized.</summary>
    public required ThresholdObjective Objective { get; init; }

    /// <summary>Decline when the probability of default is at or above this (+∞: decline nobody). Any value in (<see cref="NextLowerScore"/>, <see cref="Threshold"/>] decides the same.</summary>
    public required double Threshold { get; init; }

    /// <summary>The next lower distinct score (−∞ when none).</summary>
    public required double NextLowerScore { get; init; }

    /// <summary>Total cost.</summary>
    public required double Cost { get; init; }

    /// <summary>Cost / rows (weighted).</summary>
    public required double CostPerApplicant { get; init; }

    /// <summary>Share approved.</summary>
    public required double ApprovalRate { get; init; }

    /// <summary>Default rate among approved applicants.</summary>
    public required double BadRate { get; init; }

    /// <summary>F1 of the default class.</summary>
    public required double F1 { get; init; }

    /// <summary>True positive rate − false positive rate.</summary>
    public required double Youden { get; init; }

    /// <summary>The normalised business score (<see cref="ThresholdAnalysis.BusinessScore"/>).</summary>
    public required double BusinessScore { get; init; }

    /// <summary>The confusion matrix (positive = declined).</summary>
    public required ConfusionMatrix Confusion { get; init; }

    /// <summary>The bootstrap interval of the threshold, when one was computed.</summary>
    public ThresholdInterval? Interval { get; init; }
}

/// <summary>
/// Every decision threshold over scored, labelled rows: an exact sweep over the distinct scores (plus +∞, decline
/// nobody), as <c>../shared/peers/threshold.py</c>: the cost curve, the threshold each <see cref="ThresholdObjective"/>
/// chooses, a bootstrap interval for it, and the normalised business score. O(n) after one O(n) radix sort.
/// </summary>
public sealed class ThresholdAnalysis
{
    private readonly double[] _sortedScores;   // descending
    private readonly int[] _order;             // sorted position -> row
    private readonly int[] _labels;
    private readonly double[] _weights;        // per row (1 when none)
    private readonly int[] _sortedLabels;      // per sorted position, read in order by the sweep
    private readonly double[] _sortedWeights;  // per sorted position
    private readonly RowCosts _costs;
    private readonly Sweep _sweep;

    private ThresholdAnalysis(double[] sortedScores, int[] order, int[] labels, double[] weights, RowCosts costs)
    {
        _sortedScores = sortedScores;
        _order = order;
        _labels = labels;
        _weights = weights;
        _sortedLabels = GC.AllocateUninitializedArray<int>(order.Length);
        _sortedWeights = GC.AllocateUninitializedArray<double>(order.Length);
        for (var p = 0; p < order.Length; p++)
        {
            _sortedLabels[p] = labels[order[p]];
            _sortedWeights[p] = weights[order[p]];
        }

        _costs = costs;
        _sweep = Run(null);
        CostOfApprovingAll = _sweep.Cost[0];
        CostOfDecliningAll = _sweep.Cost[_sweep.Count - 1];
        double perfect = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            perfect += _weights[i] * (labels[i] == 1 ? costs.TruePositive(i) : costs.TrueNegative(i));
        }

        CostOfPerfectDecisions = perfect;
    }

    /// <summary>The cost of approving everybody.</summary>
    public double CostOfApprovingAll { get; }

    /// <summary>The cost of declining everybody.</summary>
    public double CostOfDecliningAll { get; }

    /// <summary>The cost of perfect decisions (every default declined, every good applicant approved).</summary>
    public double CostOfPerfectDecisions { get; }

    /// <summary>The rows (weighted).</summary>
    public double TotalWeight => _sweep.Total;

    /// <summary>The cost curve: one point per distinct score, highest threshold first, starting with +∞.</summary>
    public IReadOnlyList<CostCurvePoint> Curve
    {
        get
        {
            var points = new CostCurvePoint[_sweep.Count];
            for (var g = 0; g < points.Length; g++)
            {
                points[g] = Point(_sweep, g);
            }

            return points;
        }
    }

    /// <summary>Analyses scored rows.</summary>
    /// <param name="probabilities">Probabilities of default.</param>
    /// <param name="labels">0/1 outcomes.</param>
    /// <param name="costs">The cost of each outcome per row (from <see cref="CostMatrix.Resolve"/> or <see cref="CostMatrix.Constant"/>).</param>
    /// <param name="weights">Weights, or empty for unit weights.</param>
    /// <returns>The analysis.</returns>
    /// <exception cref="ArgumentException">Lengths disagree, a probability is outside [0, 1], a label is not 0/1, or there are no rows.</exception>
    public static ThresholdAnalysis Analyze(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, RowCosts costs, ReadOnlySpan<double> weights = default)
    {
        ArgumentNullException.ThrowIfNull(costs);
        if (probabilities.IsEmpty)
        {
            throw new ArgumentException("There are no scored rows to choose a threshold on.", nameof(probabilities));
        }

        MetricInputs.Check(probabilities, labels, weights);
        MetricInputs.CheckProbabilities(probabilities);
        if (costs.Rows != probabilities.Length)
        {
            throw new ArgumentException($"The costs are for {costs.Rows} rows, the scores for {probabilities.Length}.", nameof(costs));
        }

        var n = probabilities.Length;
        var keys = GC.AllocateUninitializedArray<ulong>(n);
        var order = GC.AllocateUninitializedArray<int>(n);
        for (var i = 0; i < n; i++)
        {
            keys[i] = ~RadixSort.SortableKey(probabilities[i]);
            order[i] = i;
        }

        RadixSort.SortInplace(keys, order);
        var sorted = GC.AllocateUninitializedArray<double>(n);
        for (var i = 0; i < n; i++)
        {
            sorted[i] = probabilities[order[i]];
        }

        var w = weights.ToArray();
        if (weights.IsEmpty)
        {
            w = GC.AllocateUninitializedArray<double>(n);
            Array.Fill(w, 1.0);
        }
        return new ThresholdAnalysis(sorted, order, labels.ToArray(), w, costs);
    }

    /// <summary>The threshold an objective chooses.</summary>
    /// <param name="objective">What to optimize.</param>
    /// <returns>The choice.</returns>
    public ThresholdChoice Choose(ThresholdObjective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return Describe(objective, _sweep, Pick(objective, _sweep));
    }

    /// <summary>
    /// The threshold an objective chooses, with a percentile bootstrap interval: rows are drawn with replacement
    /// <paramref name="samples"/> times, the objective re-chosen on each replicate, and the interval read off the
    /// sorted thresholds by nearest rank.
    /// </summary>
    /// <param name="objective">What to optimize.</param>
    /// <param name="samples">Replicates; default 200.</param>
    /// <param name="seed">The bootstrap seed (no default: pass the <c>CreditScoringContext</c>'s <c>Seed</c>; a pipeline's decision rule does).</param>
    /// <param name="level">Confidence level in (0, 1); default 0.95.</param>
    /// <returns>The choice with its <see cref="ThresholdChoice.Interval"/>.</returns>
    public ThresholdChoice Choose(ThresholdObjective objective, int samples, int seed, double level = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        if (!(level > 0 && level < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must be in (0, 1).");
        }

        var choice = Choose(objective);
        var n = _labels.Length;
        var random = new DeterministicRandom(seed);
        var multiplicity = new double[n];
        var thresholds = new double[samples];
        var buffer = new Sweep(n + 1);
        for (var b = 0; b < samples; b++)
        {
            Array.Clear(multiplicity);
            for (var i = 0; i < n; i++)
            {
                multiplicity[random.NextInt(n)]++;
            }

            var sweep = Run(multiplicity, buffer);
            thresholds[b] = sweep.Threshold[Pick(objective, sweep)];
        }

        Array.Sort(thresholds);
        var alpha = (1 - level) / 2;
        var lower = thresholds[(int)Math.Floor(alpha * (samples - 1))];
        var upper = thresholds[(int)Math.Ceiling((1 - alpha) * (samples - 1))];
        return choice with { Interval = new ThresholdInterval(level, lower, upper, samples) };
    }

    /// <summary>What a given threshold does on these rows.</summary>
    /// <param name="threshold">Decline at or above this probability.</param>
    /// <returns>The choice, with a <see cref="ThresholdObjectiveKind.Fixed"/> objective.</returns>
    public ThresholdChoice At(double threshold) => Choose(ThresholdObjective.Fixed(threshold));

    /// <summary>
    /// The normalised business score of a total cost: (C_ref − cost) / (C_ref − C_perfect), where C_ref is the cheaper of
    /// approving or declining everybody and C_perfect the cost of perfect decisions. 1 is perfect, 0 no better than
    /// the best decision that ignores the model, negative worse than it.
    /// </summary>
    /// <param name="cost">A total cost on these rows.</param>
    /// <returns>The score.</returns>
    public double BusinessScore(double cost)
    {
        var reference = Math.Min(CostOfApprovingAll, CostOfDecliningAll);
        var range = reference - CostOfPerfectDecisions;
        return range > 0 ? (reference - cost) / range : 0.0;
    }

    private static CostCurvePoint Point(Sweep s, int g) => new(s.Threshold[g], s.Cost[g], s.Approved(g) / s.Total, s.BadRate(g), s.F1(g));

    private ThresholdChoice Describe(ThresholdObjective objective, Sweep s, int g)
    {
        var threshold = objective.Kind == ThresholdObjectiveKind.Fixed ? objective.Limit : s.Threshold[g];
        var confusion = new ConfusionMatrix(threshold, s.Tp[g], s.Fp[g], s.Negatives - s.Fp[g], s.Positives - s.Tp[g]);
        var next = g + 1 < s.Count ? s.Threshold[g + 1] : double.NegativeInfinity;
        return new ThresholdChoice
        {
            Objective = objective,
            Threshold = threshold,
            NextLowerScore = next,
            Cost = s.Cost[g],
            CostPerApplicant = s.Cost[g] / s.Total,
            ApprovalRate = s.Approved(g) / s.Total,
            BadRate = s.BadRate(g),
            F1 = s.F1(g),
            Youden = s.Youden(g),
            BusinessScore = BusinessScore(s.Cost[g]),
            Confusion = confusion,
        };
    }

    private static int Pick(ThresholdObjective objective, Sweep s)
    {
        if (objective.Kind == ThresholdObjectiveKind.Fixed)
        {
            // Candidate g declines every row scoring at least Threshold[g]: the last candidate at or above the threshold.
            var found = 0;
            int lo = 1, hi = s.Count - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                if (s.Threshold[mid] >= objective.Limit)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return found;
        }

        var best = -1;
        var bestValue = double.NegativeInfinity;
        for (var g = 0; g < s.Count; g++)
        {
            double value;
            switch (objective.Kind)
            {
                case ThresholdObjectiveKind.MinimumCost:
                    value = -s.Cost[g];
                    break;
                case ThresholdObjectiveKind.MaximumF1:
                    value = s.F1(g);
                    break;
                case ThresholdObjectiveKind.MaximumYouden:
                    value = s.Youden(g);
                    break;
                case ThresholdObjectiveKind.MostApprovalsWithBadRateAtMost:
                    if (s.BadRate(g) > objective.Limit)
                    {
                        continue;
                    }

                    value = s.Approved(g);
                    break;
                default:
                    if (s.Approved(g) < objective.Limit * s.Total)
                    {
                        continue;
                    }

                    value = -s.Cost[g];
                    break;
            }

            if (value > bestValue)
            {
                bestValue = value;
                best = g;
            }
        }

        // Declining everybody always meets a bad-rate limit; an approval floor is always met by approving everybody.
        return best >= 0 ? best : objective.Kind == ThresholdObjectiveKind.MostApprovalsWithBadRateAtMost ? s.Count - 1 : 0;
    }

    /// <summary>
    /// Cumulative sums at the end of each group of tied scores, with per-row multiplicities (bootstrap) or none,
    /// into <paramref name="into"/> when given (bootstrap replicates reuse one buffer).
    /// </summary>
    private Sweep Run(double[]? multiplicity, Sweep? into = null)
    {
        var n = _sortedScores.Length;
        var sweep = into ?? new Sweep(n + 1);

        double approveAll = 0, positives = 0, negatives = 0;
        for (var i = 0; i < n; i++)
        {
            var w = _weights[i] * (multiplicity?[i] ?? 1.0);
            if (_labels[i] == 1)
            {
                positives += w;
                approveAll += w * _costs.FalseNegative(i);
            }
            else
            {
                negatives += w;
                approveAll += w * _costs.TrueNegative(i);
            }
        }

        sweep.Positives = positives;
        sweep.Negatives = negatives;
        sweep.Threshold[0] = double.PositiveInfinity;
        sweep.Cost[0] = approveAll;
        sweep.Tp[0] = 0;
        sweep.Fp[0] = 0;
        var g = 1;
        double c = approveAll, tp = 0, fp = 0;
        for (var p = 0; p < n; p++)
        {
            var row = _order[p];
            var w = _sortedWeights[p] * (multiplicity?[row] ?? 1.0);
            if (_sortedLabels[p] == 1)
            {
                tp += w;
                c += w * (_costs.TruePositive(row) - _costs.FalseNegative(row));
            }
            else
            {
                fp += w;
                c += w * (_costs.FalsePositive(row) - _costs.TrueNegative(row));
            }

            if (p == n - 1 || _sortedScores[p + 1] != _sortedScores[p])
            {
                sweep.Threshold[g] = _sortedScores[p];
                sweep.Cost[g] = c;
                sweep.Tp[g] = tp;
                sweep.Fp[g] = fp;
                g++;
            }
        }

        sweep.Count = g;
        return sweep;
    }

    private sealed class Sweep(int capacity)
    {
        public double[] Threshold { get; } = new double[capacity];

        public double[] Cost { get; } = new double[capacity];

        public double[] Tp { get; } = new double[capacity];

        public double[] Fp { get; } = new double[capacity];

        public double Positives { get; set; }

        public double Negatives { get; set; }

        public int Count { get; set; }

        public double Total => Positives + Negatives;

        public double Approved(int g) => Total - Tp[g] - Fp[g];

        public double BadRate(int g)
        {
            var approved = Approved(g);
            return approved > 0 ? (Positives - Tp[g]) / approved : 0.0;
        }

        public double F1(int g)
        {
            var denominator = (2 * Tp[g]) + Fp[g] + (Positives - Tp[g]);
            return denominator > 0 ? 2 * Tp[g] / denominator : 0.0;
        }

        public double Youden(int g) => (Positives > 0 ? Tp[g] / Positives : 0) - (Negatives > 0 ? Fp[g] / Negatives : 0);
    }
}
