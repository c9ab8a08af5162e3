using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Training;

namespace CreditScoring.Sdk;

/// <summary>
/// Makes <c>t.GradientBoosting(...)</c> appear on the pipeline's learner catalog. It lives in the learner's folder and in the root
/// namespace (as ML.NET's catalog extensions), so that the learner is one folder and callers need no extra <c>using</c>.
/// </summary>
public static class GradientBoostingCatalogExtensions
{
    /// <summary>Histogram gradient-boosted trees with default options (100 rounds, 31 leaves, learning rate 0.1).</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner GradientBoosting(this LearnerCatalog catalog) =>
        catalog is null ? throw new ArgumentNullException(nameof(catalog)) : new GradientBoostingLearner();

    /// <summary>Gradient-boosted trees with options.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="options">The options (validated; the learner keeps a snapshot).</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner GradientBoosting(this LearnerCatalog catalog, GradientBoostingOptions options) =>
        catalog is null ? throw new ArgumentNullException(nameof(catalog)) : new GradientBoostingLearner(options);

    /// <summary>Gradient-boosted trees, configuring the default options.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner GradientBoosting(this LearnerCatalog catalog, Action<GradientBoostingOptions> configure) =>
        LearnerCatalog.Configured<GradientBoostingOptions>(catalog, configure, o => new GradientBoostingLearner(o));
}
