using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.MLNet.LightGbm;
using CreditScoring.Sdk.Training;

namespace CreditScoring.Sdk;

/// <summary>
/// Makes <c>t.LightGbm(...)</c> appear on the pipeline's learner catalog once the ML.NET package is referenced (in the
/// root namespace, as the SDK's own learners' extensions).
/// </summary>
public static class LightGbmCatalogExtensions
{
    /// <summary>LightGBM's trees with LightGBM's own defaults (100 rounds, 31 leaves, learning rate 0.1, 20 rows per leaf, 255 bins).</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner LightGbm(this LearnerCatalog catalog) =>
        catalog is null ? throw new ArgumentNullException(nameof(catalog)) : new LightGbmLearner();

    /// <summary>LightGBM's trees, configuring LightGBM's defaults.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner LightGbm(this LearnerCatalog catalog, Action<LightGbmLearnerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LightGbmLearnerOptions();
        configure(options);
        return new LightGbmLearner(options);
    }
}
