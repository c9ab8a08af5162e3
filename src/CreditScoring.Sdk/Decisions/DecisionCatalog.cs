namespace CreditScoring.Sdk.Decisions;

/// <summary>Decision rules: a fixed threshold, or one optimized on out-of-fold predictions when the pipeline is fitted.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A catalog instance is the fluent entry point, as ML.NET's catalogs.")]
public sealed class DecisionCatalog
{
    /// <summary>Bootstrap replicates for the chosen threshold's confidence interval unless told otherwise.</summary>
    public const int DefaultBootstrapSamples = 200;

    internal DecisionCatalog()
    {
    }

    /// <summary>Decline when the probability of default is at or above <paramref name="threshold"/>.</summary>
    /// <param name="threshold">In [0, 1].</param>
    /// <returns>The rule.</returns>
    public DecisionRule Threshold(double threshold) => new(new DecisionPolicy(threshold, "fixed"));

    /// <summary>The threshold that best meets <paramref name="objective"/> on out-of-fold predictions (the methods below name each objective).</summary>
    /// <param name="objective">What to optimize, e.g. <c>ThresholdObjective.Parse("bad-rate:0.05")</c>.</param>
    /// <param name="costs">The cost matrix; required by the cost objectives, used to report the cost of the others (default 1 per error).</param>
    /// <param name="bootstrapSamples">Replicates for the threshold's 95 % interval; default 200, 0 for none.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ConfigurationException">A cost objective without costs, or a fixed objective.</exception>
    public DecisionRule Optimize(ThresholdObjective objective, CostMatrix? costs = null, int bootstrapSamples = DefaultBootstrapSamples)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return objective.Kind switch
        {
            ThresholdObjectiveKind.Fixed => throw new ConfigurationException($"a fixed threshold is not optimized: use Threshold({objective.Limit.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})."),
            ThresholdObjectiveKind.MinimumCost or ThresholdObjectiveKind.MinimumCostWithApprovalRateAtLeast when costs is null =>
                throw new ConfigurationException($"the objective '{objective.Name}' minimizes cost, so it needs a cost matrix (e.g. CostMatrix.Create(falseNegative: 10, falsePositive: 1))."),
            _ => new(objective, costs, bootstrapSamples),
        };
    }

    /// <summary>The threshold of least total cost on out-of-fold predictions.</summary>
    /// <param name="costs">The cost matrix, e.g. <c>CostMatrix.Create(falseNegative: 10, falsePositive: 1)</c>.</param>
    /// <param name="bootstrapSamples">Replicates for the threshold's 95 % interval; default 200, 0 for none.</param>
    /// <returns>The rule.</returns>
    public DecisionRule MinimizeCost(CostMatrix costs, int bootstrapSamples = DefaultBootstrapSamples)
    {
        ArgumentNullException.ThrowIfNull(costs);
        return new(ThresholdObjective.MinimumCost, costs, bootstrapSamples);
    }

    /// <summary>The threshold of least cost among those that approve at least <paramref name="minimumApprovalRate"/> of applicants.</summary>
    /// <param name="costs">The cost matrix.</param>
    /// <param name="minimumApprovalRate">In [0, 1].</param>
    /// <param name="bootstrapSamples">Default 200, 0 for none.</param>
    /// <returns>The rule.</returns>
    public DecisionRule MinimizeCost(CostMatrix costs, double minimumApprovalRate, int bootstrapSamples = DefaultBootstrapSamples)
    {
        ArgumentNullException.ThrowIfNull(costs);
        return new(ThresholdObjective.MinimumCostWithApprovalRate(minimumApprovalRate), costs, bootstrapSamples);
    }

    /// <summary>The threshold that approves the most applicants with a default rate among them of at most <paramref name="maximumBadRate"/>.</summary>
    /// <param name="maximumBadRate">In [0, 1], e.g. 0.03.</param>
    /// <param name="costs">Costs to report beside it; default 1 per error.</param>
    /// <param name="bootstrapSamples">Default 200, 0 for none.</param>
    /// <returns>The rule.</returns>
    public DecisionRule MostApprovals(double maximumBadRate, CostMatrix? costs = null, int bootstrapSamples = DefaultBootstrapSamples) =>
        new(ThresholdObjective.MostApprovals(maximumBadRate), costs, bootstrapSamples);

    /// <summary>The F1-optimal threshold (for comparison: it is not the business optimum).</summary>
    /// <param name="costs">Costs to report beside it; default 1 per error.</param>
    /// <param name="bootstrapSamples">Default 200, 0 for none.</param>
    /// <returns>The rule.</returns>
    public DecisionRule MaximizeF1(CostMatrix? costs = null, int bootstrapSamples = DefaultBootstrapSamples) => new(ThresholdObjective.MaximumF1, costs, bootstrapSamples);

    /// <summary>The Youden-optimal threshold (largest TPR − FPR).</summary>
    /// <param name="costs">Costs to report beside it; default 1 per error.</param>
    /// <param name="bootstrapSamples">Default 200, 0 for none.</param>
    /// <returns>The rule.</returns>
    public DecisionRule MaximizeYouden(CostMatrix? costs = null, int bootstrapSamples = DefaultBootstrapSamples) => new(ThresholdObjective.MaximumYouden, costs, bootstrapSamples);
}
