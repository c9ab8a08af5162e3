namespace CreditScoring.Sdk.Decisions;

/// <summary>A confusion matrix at a threshold: a row is predicted positive (declined) when its score is at or above the threshold. Counts are weighted.</summary>
/// <param name="Threshold">The threshold.</param>
/// <param name="TruePositives">Defaults predicted as defaults.</param>
/// <param name="FalsePositives">Non-defaults predicted as defaults (good clients refused).</param>
/// <param name="TrueNegatives">Non-defaults predicted as non-defaults.</param>
/// <param name="FalseNegatives">Defaults predicted as non-defaults (bad clients approved).</param>
public sealed record ConfusionMatrix(double Threshold, double TruePositives, double FalsePositives, double TrueNegatives, double FalseNegatives)
{
    /// <summary>TP / (TP + FP); NaN when nothing is predicted positive (scikit-learn returns 0 with a warning).</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN), the share of defaults caught; NaN when there are no defaults.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>2TP / (2TP + FP + FN), the harmonic mean of precision and recall; NaN when there are neither predicted nor actual defaults.</summary>
    public double F1 => Ratio(2 * TruePositives, (2 * TruePositives) + FalsePositives + FalseNegatives);

    /// <summary>(TP + TN) / all.</summary>
    public double Accuracy => Ratio(TruePositives + TrueNegatives, Total);

    /// <summary>The share of applicants approved (predicted negative).</summary>
    public double ApprovalRate => Ratio(TrueNegatives + FalseNegatives, Total);

    /// <summary>The default rate among approved applicants, FN / (TN + FN); NaN when nobody is approved.</summary>
    public double BadRateAmongApproved => Ratio(FalseNegatives, TrueNegatives + FalseNegatives);

    /// <summary>The total weight.</summary>
    public double Total => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    private static double Ratio(double a, double b) => b == 0 ? double.NaN : a / b;
}
