using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.Learners.Linear;

/// <summary>
/// Options of <see cref="LogisticRegressionLearner"/>: L2-regularised (optionally L1) logistic
/// regression, minimising Σᵢ wᵢ·logloss(yᵢ, b + xᵢ·β) + (L2/2)·‖β‖² + L1·‖β‖₁ with the intercept b
/// unpenalised. With <see cref="L2Regularization"/> = 1/C this is scikit-learn's
/// <c>LogisticRegression(C)</c> objective; the names follow ML.NET's logistic-regression trainers.
/// </summary>
public sealed class LogisticRegressionOptions
{
    /// <summary>The L2 penalty weight λ₂ on the (standardised) coefficients. 1/λ₂ is scikit-learn's C.</summary>
    /// <value>Default 1.0. Must be ≥ 0.</value>
    [Range(0.0, double.MaxValue)]
    public double L2Regularization { get; set; } = LogisticRegressionConstants.DefaultL2Regularization;

    /// <summary>The L1 penalty weight λ₁ (lasso); non-zero values make coefficients exactly zero and switch the solver to proximal Newton.</summary>
    /// <value>Default 0.</value>
    [Range(0.0, double.MaxValue)]
    public double L1Regularization { get; set; }

    /// <summary>
    /// Whether continuous features are standardised inside the model (z = (x − mean)/sd, population sd
    /// of the training rows, weighted; a constant feature keeps sd 1). Indicator features (one-hot) are
    /// never rescaled. The penalty applies to the standardised coefficients; the saved model also holds
    /// them in original units.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool Standardize { get; set; } = true;

    /// <summary>
    /// Convergence: stop when the largest absolute (sub)gradient of the objective, divided by the
    /// total sample weight, is at most this value.
    /// </summary>
    /// <value>Default 1e-10, tight enough that coefficients are accurate to far better than 1e-6.</value>
    [Range(1e-16, 1e-2)]
    public double OptimizationTolerance { get; set; } = LogisticRegressionConstants.DefaultOptimizationTolerance;

    /// <summary>
    /// The most Newton iterations before the fit fails with a message saying it did not converge; L-BFGS may take 20 times as
    /// many (it needs more, cheaper iterations).
    /// </summary>
    /// <value>Default 100 (Newton usually needs fewer than 15).</value>
    [Range(1, 100_000)]
    public int MaximumNumberOfIterations { get; set; } = LogisticRegressionConstants.DefaultMaximumNumberOfIterations;

    /// <summary>
    /// The optimizer. <see cref="LogisticSolverKind.Auto"/> uses Newton's method (proximal Newton with L1) up to 500 features
    /// with spread, where it converges in a handful of iterations, and L-BFGS (OWL-QN with L1) above, where Newton's Hessian
    /// (O(rows·features²) per iteration, O(features²) memory) and its factorisation (O(features³)) would take hours. Both stop at
    /// the same <see cref="OptimizationTolerance"/>, so they reach the same optimum to it.
    /// </summary>
    /// <value>Default <see cref="LogisticSolverKind.Auto"/>.</value>
    [EnumDataType(typeof(LogisticSolverKind))]
    public LogisticSolverKind Solver { get; set; } = LogisticSolverKind.Auto;

    /// <summary>A copy that later changes to these options do not reach (every property, by <see cref="object.MemberwiseClone"/>).</summary>
    internal LogisticRegressionOptions Snapshot() => (LogisticRegressionOptions)MemberwiseClone();
}

/// <summary>The optimizer of <see cref="LogisticRegressionLearner"/>.</summary>
public enum LogisticSolverKind
{
    /// <summary>Newton up to 500 features with spread, L-BFGS above.</summary>
    Auto,

    /// <summary>Newton's method (proximal Newton with L1): exact Hessian, Cholesky solve.</summary>
    Newton,

    /// <summary>L-BFGS with 10 curvature pairs (OWL-QN with L1): O(rows·features) per iteration.</summary>
    Lbfgs,
}

internal static class LogisticRegressionConstants
{
    public const double DefaultL2Regularization = 1.0;
    public const double DefaultOptimizationTolerance = 1e-10;
    public const int DefaultMaximumNumberOfIterations = 100;
}

/// <summary>Validates <see cref="LogisticRegressionOptions"/> (DataAnnotations, source-generated).</summary>
[OptionsValidator]
internal sealed partial class LogisticRegressionOptionsValidator : IValidateOptions<LogisticRegressionOptions>;
