using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Evaluation;

/// <summary>The metrics of a constant prediction (the prior default rate): what a model must beat.</summary>
/// <param name="Prior">The constant probability predicted: the training default rate when known, else the evaluated data's.</param>
/// <param name="Auc">0.5 (every score tied).</param>
/// <param name="Gini">0.</param>
/// <param name="Ks">0.</param>
/// <param name="Brier">Brier score of the constant prediction.</param>
/// <param name="LogLoss">Log-loss of the constant prediction.</param>
public sealed record BaselineMetrics(double Prior, double Auc, double Gini, double Ks, double Brier, double LogLoss);

/// <summary>
/// How well probabilities of default rank and calibrate on labelled data, with a prior-only
/// baseline beside every figure. Weighted when the data has weights.
/// </summary>
public sealed record EvaluationReport
{
    /// <summary>Rows evaluated.</summary>
    public required int Rows { get; init; }

    /// <summary>Defaults (weighted).</summary>
    public required double Positives { get; init; }

    /// <summary>Observed default rate.</summary>
    public required double PositiveRate { get; init; }

    /// <summary>Area under the ROC curve.</summary>
    public required double Auc { get; init; }

    /// <summary>2·AUC − 1.</summary>
    public required double Gini { get; init; }

    /// <summary>Kolmogorov–Smirnov statistic.</summary>
    public required double Ks { get; init; }

    /// <summary>The probability at which the KS gap is largest.</summary>
    public required double KsThreshold { get; init; }

    /// <summary>Brier score.</summary>
    public required double Brier { get; init; }

    /// <summary>Log-loss.</summary>
    public required double LogLoss { get; init; }

    /// <summary>The confusion matrix at the decision threshold (declined = predicted default).</summary>
    public required ConfusionMatrix Confusion { get; init; }

    /// <summary>The prior-only baseline.</summary>
    public required BaselineMetrics Baseline { get; init; }

    /// <summary>ROC curve (collinear points dropped).</summary>
    public required IReadOnlyList<RocPoint> Roc { get; init; }

    /// <summary>Precision–recall curve.</summary>
    public required IReadOnlyList<PrecisionRecallPoint> PrecisionRecall { get; init; }

    /// <summary>Reliability table, 10 uniform bins.</summary>
    public required IReadOnlyList<CalibrationBin> Calibration { get; init; }

    /// <summary>Gains and lift by decile.</summary>
    public required IReadOnlyList<GainsRow> Gains { get; init; }

    /// <summary>The decision threshold of <see cref="Confusion"/>.</summary>
    public double Threshold => Confusion.Threshold;

    /// <summary>
    /// Expected calibration error over the reliability table's bins (Naeini, Cooper and Hauskrecht, AAAI 2015):
    /// Σ (rows in bin / rows) × |mean predicted PD − observed default rate|; 0 is perfectly calibrated.
    /// </summary>
    public double ExpectedCalibrationError
    {
        get
        {
            double sum = 0, rows = 0;
            foreach (var bin in Calibration)
            {
                if (bin.Count > 0)
                {
                    sum += bin.Count * Math.Abs(bin.MeanPredicted - bin.ObservedRate);
                    rows += bin.Count;
                }
            }

            return rows > 0 ? sum / rows : double.NaN;
        }
    }

    /// <summary>What the decisions cost on these rows, when the model's policy carries a cost matrix; otherwise <see langword="null"/>.</summary>
    public Decisions.ThresholdChoice? Business { get; init; }

    /// <summary>Warnings about these figures (probabilities worse than the baseline's, too few rows); empty when none.</summary>
    public IReadOnlyList<ModelDiagnostic> Diagnostics { get; init; } = [];
}

/// <summary>Builds <see cref="EvaluationReport"/>s from probabilities and labels.</summary>
public static class ClassificationEvaluator
{
    /// <summary>
    /// The headline figures alone (AUC, KS, Brier, log-loss; Gini is 2·AUC − 1), computed as the full report computes
    /// them, for callers that need no curves (the tracker's autologging).
    /// </summary>
    internal static (double Auc, KsSeparation Ks, double Brier, double LogLoss) Headline(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights) =>
        Headline(RankedScores.Create(Checked(probabilities), labels, weights), probabilities, labels, weights);

    private static (double Auc, KsSeparation Ks, double Brier, double LogLoss) Headline(RankedScores ranked, ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights) =>
        (ClassificationMetrics.Auc(ranked), ClassificationMetrics.Ks(ranked), ClassificationMetrics.BrierScore(probabilities, labels, weights), ClassificationMetrics.LogLoss(probabilities, labels, weights));

    private static ReadOnlySpan<double> Checked(ReadOnlySpan<double> probabilities)
    {
        MetricInputs.CheckProbabilities(probabilities);
        return probabilities;
    }

    /// <summary>Evaluates probabilities of default against outcomes.</summary>
    /// <param name="probabilities">Predicted probabilities of default, in [0, 1].</param>
    /// <param name="labels">Outcomes, 0/1.</param>
    /// <param name="threshold">The decision threshold: probability ≥ threshold is declined.</param>
    /// <param name="weights">Optional weights.</param>
    /// <param name="prior">The baseline's constant prediction, normally the training default rate; <see langword="null"/> uses the evaluated rows' rate.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">Lengths differ, a probability is outside [0, 1], a label is not 0/1, a weight is negative, or there are no rows.</exception>
    public static EvaluationReport Evaluate(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, double threshold, ReadOnlySpan<double> weights = default, double? prior = null)
    {
        if (probabilities.IsEmpty)
        {
            throw new ArgumentException("There are no rows to evaluate.", nameof(probabilities));
        }

        var ranked = RankedScores.Create(Checked(probabilities), labels, weights);
        var (auc, ks, brier, logLoss) = Headline(ranked, probabilities, labels, weights);
        var total = ranked.Positives + ranked.Negatives;
        var rate = total == 0 ? double.NaN : ranked.Positives / total;

        var baselinePrior = prior ?? rate;
        if (!(baselinePrior >= 0 && baselinePrior <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(prior), baselinePrior, "The baseline prior must be a probability in [0, 1].");
        }

        var constant = new double[probabilities.Length];
        Array.Fill(constant, baselinePrior);
        var baselineAuc = ClassificationMetrics.Auc(constant, labels, weights);
        var baseline = new BaselineMetrics(
            baselinePrior,
            baselineAuc,
            (2 * baselineAuc) - 1,
            ClassificationMetrics.KolmogorovSmirnov(constant, labels, weights).Statistic,
            ClassificationMetrics.BrierScore(constant, labels, weights),
            ClassificationMetrics.LogLoss(constant, labels, weights));

        return new EvaluationReport
        {
            Rows = probabilities.Length,
            Positives = ranked.Positives,
            PositiveRate = rate,
            Auc = auc,
            Gini = (2 * auc) - 1,
            Ks = ks.Statistic,
            KsThreshold = ks.Threshold,
            Brier = brier,
            LogLoss = logLoss,
            Confusion = ClassificationMetrics.Confusion(probabilities, labels, threshold, weights),
            Baseline = baseline,
            Roc = ClassificationMetrics.Roc(ranked, dropIntermediate: true),
            PrecisionRecall = ClassificationMetrics.PrecisionRecall(ranked),
            Calibration = ClassificationMetrics.CalibrationTable(probabilities, labels, 10, CalibrationBinning.Uniform, weights),
            Gains = ClassificationMetrics.Gains(ranked, 10),
            Diagnostics = ModelDiagnostic.OfEvaluation(probabilities.Length, ranked.Positives, logLoss, brier, baseline),
        };
    }
}
