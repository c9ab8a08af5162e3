using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.Scorecards;
using CreditScoring.Sdk.Training;

namespace CreditScoring.Sdk;

/// <summary>
/// Makes <c>t.Scorecard(...)</c> appear on the pipeline's learner catalog. It lives in the learner's folder and in the root
/// namespace (as ML.NET's catalog extensions), so that the learner is one folder and callers need no extra <c>using</c>.
/// </summary>
public static class ScorecardCatalogExtensions
{
    /// <summary>A WoE scorecard with default options (PDO 20, 600 points at 50:1 odds, IV ≥ 0.02, at most 8 monotonic bins).</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner Scorecard(this LearnerCatalog catalog) =>
        catalog is null ? throw new ArgumentNullException(nameof(catalog)) : new ScorecardLearner();

    /// <summary>A WoE scorecard with options.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="options">The options (validated; the learner keeps a snapshot).</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner Scorecard(this LearnerCatalog catalog, ScorecardOptions options) =>
        catalog is null ? throw new ArgumentNullException(nameof(catalog)) : new ScorecardLearner(options);

    /// <summary>A WoE scorecard, configuring the default options.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner Scorecard(this LearnerCatalog catalog, Action<ScorecardOptions> configure) =>
        LearnerCatalog.Configured<ScorecardOptions>(catalog, configure, o => new ScorecardLearner(o));
}
