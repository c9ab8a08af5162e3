using System.Globalization;

namespace CreditScoring.Sdk.Decisions;

/// <summary>What the model decides for an applicant.</summary>
public enum CreditDecision
{
    /// <summary>Grant the credit: the probability of default is below the threshold.</summary>
    Approve,

    /// <summary>Refuse the credit: the probability of default is at or above the threshold.</summary>
    Decline,
}

/// <summary>
/// The rule that turns a probability of default into a decision: decline when
/// probability ≥ <see cref="Threshold"/>, approve otherwise. Saved in the model, used by the scorer and
/// by evaluation.
/// </summary>
public sealed class DecisionPolicy : IEquatable<DecisionPolicy>
{
    /// <summary>The threshold of a policy nobody chose: 0.5.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>Creates a policy.</summary>
    /// <param name="threshold">Decline when the probability of default is at or above this value; in [0, 1].</param>
    /// <param name="method">How the threshold was chosen, for reports (e.g. <c>fixed</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not in [0, 1].</exception>
    public DecisionPolicy(double threshold, string method = "fixed")
    {
        if (!(threshold >= 0 && threshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The decision threshold is a probability of default and must be in [0, 1].");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        Threshold = threshold;
        Method = method;
    }

    /// <summary>The policy used when none is given: decline at a probability of default of 0.5 or more.</summary>
    public static DecisionPolicy Default { get; } = new(DefaultThreshold, "default");

    /// <summary>Decline when the probability of default is at or above this value.</summary>
    public double Threshold { get; }

    /// <summary>How the threshold was chosen.</summary>
    public string Method { get; }

    /// <summary>The decision for a probability of default.</summary>
    /// <param name="probability">The probability of default.</param>
    /// <returns><see cref="CreditDecision.Decline"/> when <paramref name="probability"/> ≥ <see cref="Threshold"/>.</returns>
    public CreditDecision Decide(double probability) => probability >= Threshold ? CreditDecision.Decline : CreditDecision.Approve;

    /// <inheritdoc />
    public bool Equals(DecisionPolicy? other) => other is not null && other.Threshold.Equals(Threshold) && other.Method == Method;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DecisionPolicy);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Threshold, Method);

    /// <inheritdoc />
    public override string ToString() => $"decline if PD >= {Threshold.ToString("0.######", CultureInfo.InvariantCulture)} ({Method})";
}
