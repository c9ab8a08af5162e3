using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Learners.Scorecards;

namespace CreditScoring.Sdk.Training;

/// <summary>The SDK's learners.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A catalog instance is the fluent entry point, as ML.NET's catalogs.")]
public sealed partial class LearnerCatalog
{
    internal LearnerCatalog()
    {
    }

    /// <summary>The learner names <see cref="Create"/> accepts: <c>logistic</c>, <c>gbdt</c>, <c>scorecard</c>.</summary>
    public static IEnumerable<string> Names => LearnerOptionsBinder.Names;

    /// <summary>
    /// A learner by name with options set by name, e.g. <c>Create("gbdt", ["NumberOfLeaves=63", "LearningRate=0.05"])</c>:
    /// any public property of the learner's options class (case-insensitive), values in the invariant culture;
    /// dictionaries as <c>NAME:VALUE,...</c> (e.g. <c>MonotoneConstraints=age:-1</c>).
    /// </summary>
    /// <param name="name">The learner's name.</param>
    /// <param name="options"><c>NAME=VALUE</c> settings.</param>
    /// <returns>The learner.</returns>
    /// <exception cref="ConfigurationException">The learner, an option name or a value is unknown or malformed; the message lists what is accepted.</exception>
    public static ICreditLearner Create(string name, IEnumerable<string> options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        return LearnerOptionsBinder.Create(name, options);
    }

    /// <summary>One line per option of a learner: name, type and default.</summary>
    /// <param name="name">The learner's name.</param>
    /// <returns>The lines.</returns>
    public static IEnumerable<string> DescribeOptions(string name) => LearnerOptionsBinder.Describe(name);

    /// <summary>L2-regularised logistic regression with default options (L2 = 1, standardised, solved tightly).</summary>
    /// <returns>The learner.</returns>
    public ICreditLearner LogisticRegression() => new LogisticRegressionLearner();

    /// <summary>Logistic regression with options.</summary>
    /// <param name="options">The options (validated and copied).</param>
    /// <returns>The learner.</returns>
    public ICreditLearner LogisticRegression(LogisticRegressionOptions options) => new LogisticRegressionLearner(options);

    /// <summary>Logistic regression, configuring the default options.</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The learner.</returns>
    public ICreditLearner LogisticRegression(Action<LogisticRegressionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LogisticRegressionOptions();
        configure(options);
        return new LogisticRegressionLearner(options);
    }

    /// <summary>Histogram gradient-boosted trees with default options (100 rounds, 31 leaves, learning rate 0.1).</summary>
    /// <returns>The learner.</returns>
    public ICreditLearner GradientBoosting() => new GradientBoostingLearner();

    /// <summary>Gradient-boosted trees with options.</summary>
    /// <param name="options">The options (validated and copied).</param>
    /// <returns>The learner.</returns>
    public ICreditLearner GradientBoosting(GradientBoostingOptions options) => new GradientBoostingLearner(options);

    /// <summary>Gradient-boosted trees, configuring the default options.</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The learner.</returns>
    public ICreditLearner GradientBoosting(Action<GradientBoostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new GradientBoostingOptions();
        configure(options);
        return new GradientBoostingLearner(options);
    }
}

/// <summary>The SDK's learners: scorecards.</summary>
public sealed partial class LearnerCatalog
{
    /// <summary>A WoE scorecard with default options (PDO 20, 600 points at 50:1 odds, IV ≥ 0.02, at most 8 monotonic bins).</summary>
    /// <returns>The learner.</returns>
    public ICreditLearner Scorecard() => new ScorecardLearner();

    /// <summary>A WoE scorecard, configuring the default options.</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The learner.</returns>
    public ICreditLearner Scorecard(Action<ScorecardOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ScorecardOptions();
        configure(options);
        return new ScorecardLearner(options);
    }
}
