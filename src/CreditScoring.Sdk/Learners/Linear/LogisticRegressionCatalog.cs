using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Training;

namespace CreditScoring.Sdk;

/// <summary>
/// Makes <c>t.LogisticRegression(...)</c> appear on the pipeline's learner catalog. It lives in the learner's folder and in the root
/// namespace (as ML.NET's catalog extensions), so that the learner is one folder and callers need no extra <c>using</c>.
/// </summary>
public static class LogisticRegressionCatalogExtensions
{
    /// <summary>L2-regularized logistic regression with default options (L2 = 1, standardized, solved tightly).</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner LogisticRegression(this LearnerCatalog catalog) =>
        catalog is null ? throw new ArgumentNullException(nameof(catalog)) : new LogisticRegressionLearner();

    /// <summary>Logistic regression with options.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="options">The options (validated; the learner keeps a snapshot).</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner LogisticRegression(this LearnerCatalog catalog, LogisticRegressionOptions options) =>
        catalog is null ? throw new ArgumentNullException(nameof(catalog)) : new LogisticRegressionLearner(options);

    /// <summary>Logistic regression, configuring the default options.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The learner.</returns>
    public static ICreditLearner LogisticRegression(this LearnerCatalog catalog, Action<LogisticRegressionOptions> configure) =>
        LearnerCatalog.Configured<LogisticRegressionOptions>(catalog, configure, o => new LogisticRegressionLearner(o));
}
