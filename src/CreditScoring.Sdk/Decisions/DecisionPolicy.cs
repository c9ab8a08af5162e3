using System.Globalization;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Decisions;

/// <summary>What the model decides for an applicant.</summary>
public enum CreditDecision
{
    /// <summary>Grant the credit: the probability of default is below the threshold.</summary>
    Approve,

    /// <summary>Refuse the credit: the probability of default is at or above the threshold.</summary>
    Decline,
}

/// <summary>The text every output of the SDK writes for a decision (score files, batch tables, the API, ONNX, metrics).</summary>
public static class CreditDecisionText
{
    /// <summary><c>approve</c>.</summary>
    public const string Approve = "approve";

    /// <summary><c>decline</c>.</summary>
    public const string Decline = "decline";

    /// <summary>The decision as written in outputs: <see cref="Approve"/> or <see cref="Decline"/>.</summary>
    /// <param name="decision">The decision.</param>
    /// <returns><c>approve</c> or <c>decline</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither decision (a cast integer): it is never written as one.</exception>
    public static string ToText(this CreditDecision decision) => decision switch
    {
        CreditDecision.Approve => Approve,
        CreditDecision.Decline => Decline,
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, "A credit decision is Approve or Decline."),
    };
}

/// <summary>
/// The rule that turns a probability of default into a decision: approve when probability &lt; <see cref="Threshold"/>,
/// decline otherwise, so a probability that is not a number (NaN) is never approved. Saved in the model, used by the scorer
/// and by evaluation.
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

    /// <summary>
    /// A policy chosen by optimisation: the threshold of <paramref name="choice"/>, with the costs it was chosen for and
    /// what the other objectives would have chosen on the same out-of-fold predictions. A choice to decline nobody
    /// (threshold +∞ in the sweep) becomes threshold 1, which declines only a probability of exactly 1.
    /// </summary>
    /// <param name="choice">The chosen threshold and what it did on the rows it was chosen on.</param>
    /// <param name="costs">The cost matrix, or <see langword="null"/> when the objective ignores costs.</param>
    /// <param name="alternatives">Other objectives' choices on the same rows (for reports), or none.</param>
    public DecisionPolicy(ThresholdChoice choice, CostMatrix? costs, IReadOnlyList<ThresholdChoice>? alternatives = null)
        : this(Math.Min((choice ?? throw new ArgumentNullException(nameof(choice))).Threshold, 1.0), choice.Objective.Name)
    {
        Choice = choice;
        Costs = costs;
        Alternatives = alternatives ?? [];
    }

    /// <summary>How the threshold was chosen and what it did on the out-of-fold rows, when it was optimized; otherwise <see langword="null"/>.</summary>
    public ThresholdChoice? Choice { get; }

    /// <summary>The costs the threshold was chosen for; <see langword="null"/> for a fixed threshold or a cost-free objective.</summary>
    public CostMatrix? Costs { get; }

    /// <summary>What other objectives chose on the same rows (e.g. the F1 optimum beside the cost optimum); empty when not optimized.</summary>
    public IReadOnlyList<ThresholdChoice> Alternatives { get; } = [];

    /// <summary>
    /// The policy's threshold choices (the chosen one first, then the alternatives) next to what each threshold does on
    /// other labelled rows, such as a test set: the check that a threshold chosen on out-of-fold training predictions
    /// holds on data the model never saw. Costs come from <see cref="Costs"/> (1 per error without), resolved on
    /// <paramref name="data"/>. Empty for a fixed policy.
    /// </summary>
    /// <param name="data">Labelled rows (with the cost columns when the costs read columns).</param>
    /// <param name="probabilities">The model's probabilities of default for <paramref name="data"/>'s rows.</param>
    /// <returns>One comparison per choice.</returns>
    public IReadOnlyList<ThresholdComparison> CompareOn(CreditData data, ReadOnlySpan<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Choice is null)
        {
            return [];
        }

        var analysis = ThresholdAnalysis.Analyze(probabilities, data.Labels, (Costs ?? CostMatrix.Create(1, 1)).Resolve(data), data.Weights);
        return [.. Alternatives.Prepend(Choice).Select(c => new ThresholdComparison(c, analysis.At(c.Threshold)))];
    }

    /// <summary>The policy used when none is given: decline at a probability of default of 0.5 or more.</summary>
    public static DecisionPolicy Default { get; } = new(DefaultThreshold, "default");

    /// <summary>Decline when the probability of default is at or above this value.</summary>
    public double Threshold { get; }

    /// <summary>How the threshold was chosen.</summary>
    public string Method { get; }

    /// <summary>The decision for a probability of default.</summary>
    /// <param name="probability">The probability of default.</param>
    /// <returns><see cref="CreditDecision.Approve"/> when <paramref name="probability"/> &lt; <see cref="Threshold"/>, else
    /// <see cref="CreditDecision.Decline"/>: NaN is declined, never approved (the scorer refuses to decide NaN by default, see
    /// <see cref="Scoring.ScorerOptions.InvalidProbability"/>).</returns>
    public CreditDecision Decide(double probability) => probability < Threshold ? CreditDecision.Approve : CreditDecision.Decline;

    /// <inheritdoc />
    public bool Equals(DecisionPolicy? other) => other is not null && other.Threshold.Equals(Threshold) && other.Method == Method;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DecisionPolicy);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Threshold, Method);

    /// <inheritdoc />
    public override string ToString() => $"decline if PD >= {Threshold.ToString("0.######", CultureInfo.InvariantCulture)} ({Method})";
}

/// <summary>
/// How a pipeline decides: a fixed threshold, or a threshold chosen when the pipeline is fitted, on out-of-fold
/// predictions of the training rows, for a <see cref="ThresholdObjective"/> (and a <see cref="CostMatrix"/>).
/// Create rules with the pipeline's <c>Decide(d =&gt; d.MinimizeCost(...))</c>.
/// </summary>
public sealed class DecisionRule
{
    internal DecisionRule(DecisionPolicy policy) => Fixed = policy;

    internal DecisionRule(ThresholdObjective objective, CostMatrix? costs, int bootstrapSamples)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentOutOfRangeException.ThrowIfNegative(bootstrapSamples);
        if (bootstrapSamples == 1)
        {
            throw new ArgumentOutOfRangeException(nameof(bootstrapSamples), bootstrapSamples, "Use 0 for no bootstrap interval, or at least 2 replicates.");
        }

        Objective = objective;
        Costs = costs;
        BootstrapSamples = bootstrapSamples;
    }

    /// <summary>The fixed policy, or <see langword="null"/> when the threshold is optimized.</summary>
    public DecisionPolicy? Fixed { get; }

    /// <summary>What the threshold optimizes, or <see langword="null"/> for a fixed policy.</summary>
    public ThresholdObjective? Objective { get; }

    /// <summary>The costs (for cost objectives and for reporting the cost of the others); default 1 for each error.</summary>
    public CostMatrix? Costs { get; }

    /// <summary>Bootstrap replicates for the threshold's confidence interval (0 for none).</summary>
    public int BootstrapSamples { get; }

    /// <summary><see langword="true"/> when the threshold is chosen at fit time on out-of-fold predictions.</summary>
    public bool IsOptimized => Fixed is null;

    /// <inheritdoc />
    public override string ToString() => Fixed?.ToString() ?? $"optimize {Objective!.Name}{(Costs is null ? "" : $" with costs {Costs}")}";

    /// <summary>Chooses the threshold on scored rows and records the other objectives' choices beside it.</summary>
    internal DecisionPolicy Choose(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, RowCosts costs, int seed)
    {
        var analysis = ThresholdAnalysis.Analyze(probabilities, labels, costs, weights);
        var chosen = BootstrapSamples > 0 ? analysis.Choose(Objective!, BootstrapSamples, seed) : analysis.Choose(Objective!);
        var others = new[] { ThresholdObjective.MinimumCost, ThresholdObjective.MaximumF1, ThresholdObjective.MaximumYouden }
            .Where(o => o != Objective)
            .Select(analysis.Choose)
            .ToArray();
        return new DecisionPolicy(chosen, Costs, others);
    }
}

/// <summary>A threshold choice beside what its threshold does on other rows (<see cref="DecisionPolicy.CompareOn"/>).</summary>
/// <param name="Chosen">The choice, with the figures of the out-of-fold predictions it was made on.</param>
/// <param name="Applied">The same threshold's figures on the other rows.</param>
public sealed record ThresholdComparison(ThresholdChoice Chosen, ThresholdChoice Applied);
