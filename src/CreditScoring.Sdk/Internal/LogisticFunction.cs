namespace CreditScoring.Sdk.Internal;

/// <summary>The logistic link between log-odds and probability.</summary>
internal static class LogisticFunction
{
    /// <summary>1 / (1 + e^−margin), computed without overflow for any finite margin.</summary>
    public static double Probability(double margin) => margin >= 0
        ? 1.0 / (1.0 + Math.Exp(-margin))
        : Math.Exp(margin) / (1.0 + Math.Exp(margin));
}
