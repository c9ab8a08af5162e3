using System.Globalization;
using System.Numerics.Tensors;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using Microsoft.Extensions.Logging;

namespace CreditScoring.Sdk.Learners.Linear;

/// <summary>
/// L2-regularised (optionally L1) logistic regression with standardisation inside the model,
/// solved to a tight tolerance by Newton's method (proximal Newton with L1). See
/// <see cref="LogisticRegressionOptions"/> for the objective.
/// </summary>
public sealed partial class LogisticRegressionLearner : ICreditLearner
{
    private readonly LogisticRegressionOptions _o;

    /// <summary>Creates the learner with default options.</summary>
    public LogisticRegressionLearner()
        : this(new LogisticRegressionOptions())
    {
    }

    /// <summary>Creates the learner; the option values are validated and copied.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ConfigurationException">An option is out of range, or two options contradict each other; the message lists every problem.</exception>
    public LogisticRegressionLearner(LogisticRegressionOptions options)
    {
        OptionsValidation.ThrowIfInvalid(new LogisticRegressionOptionsValidator(), options);
        _o = options.Snapshot();
        Parameters = new Dictionary<string, string>
        {
            [nameof(LogisticRegressionOptions.L2Regularization)] = _o.L2Regularization.ToString("R", CultureInfo.InvariantCulture),
            [nameof(LogisticRegressionOptions.L1Regularization)] = _o.L1Regularization.ToString("R", CultureInfo.InvariantCulture),
            [nameof(LogisticRegressionOptions.Standardize)] = _o.Standardize ? "true" : "false",
            [nameof(LogisticRegressionOptions.OptimizationTolerance)] = _o.OptimizationTolerance.ToString("R", CultureInfo.InvariantCulture),
            [nameof(LogisticRegressionOptions.MaximumNumberOfIterations)] = _o.MaximumNumberOfIterations.ToString(CultureInfo.InvariantCulture),
            [nameof(LogisticRegressionOptions.Solver)] = _o.Solver.ToString(),
        };
    }

    /// <inheritdoc />
    /// <value><c>logistic</c>.</value>
    public string Name => "logistic";

    /// <inheritdoc />
    /// <value><see cref="LearnerCapabilities.None"/>: the pipeline imputes and one-hot encodes.</value>
    public LearnerCapabilities Capabilities => LearnerCapabilities.None;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Shapes disagree, a feature is categorical or has a missing or infinite value, a label is not 0/1, or a weight is negative.</exception>
    /// <exception cref="TrainingDataException">Only one class has positive weight.</exception>
    /// <exception cref="CreditScoringException">The solver did not converge.</exception>
    public ICreditPredictor Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, LearnerContext context)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(context);
        var n = features.RowCount;
        var w = LearnerInputs.CheckAndExpand(features, labels, weights, allowMissing: false, allowCategorical: false);
        var p = features.ColumnCount;
        var means = new double[p];
        var scales = new double[p];
        var z = new double[p][];
        var active = new bool[p];
        var totalWeight = 0.0;
        foreach (var v in w)
        {
            totalWeight += v;
        }

        // Columns are standardised independently (each sum in row order, the same on any thread count).
        Parallel.For(0, p, new ParallelOptions { MaxDegreeOfParallelism = (long)n * p >= 200_000 ? context.Threads : 1 }, j =>
        {
            var x = features.Column(j);
            var standardize = _o.Standardize && features.Features[j].Kind == FeatureKind.Continuous;
            double mean = 0, scale = 1;
            if (standardize)
            {
                for (var i = 0; i < n; i++)
                {
                    mean += w[i] * x[i];
                }

                mean /= totalWeight;
                var ss = 0.0;
                for (var i = 0; i < n; i++)
                {
                    var d = x[i] - mean;
                    ss += w[i] * d * d;
                }

                var sd = Math.Sqrt(ss / totalWeight);
                scale = sd > 0 ? sd : 1.0;
                var column = new double[n];
                TensorPrimitives.Subtract(x, mean, column);
                TensorPrimitives.Divide(column, scale, column);
                z[j] = column;
            }
            else
            {
                z[j] = features.RawColumns[j];
            }

            means[j] = mean;
            scales[j] = scale;
            active[j] = HasSpread(x, w);
        });

        var logger = context.Logger;
        var solution = LogisticSolver.Solve(z, n, labels, w, active, _o.L2Regularization, _o.L1Regularization, _o.OptimizationTolerance, _o.MaximumNumberOfIterations, context.Threads, context.CancellationToken, _o.Solver, (iteration, gradient) =>
        {
            // Progress on long fits: every Newton iteration of a wide model, every 50th L-BFGS iteration.
            if ((p > 200 && iteration > 0) || (iteration > 0 && iteration % 50 == 0))
            {
                LogProgress(logger, iteration, gradient, _o.OptimizationTolerance);
            }
        });
        if (_o.L2Regularization == 0 && _o.L1Regularization == 0 && solution.Objective < 1e-8 * totalWeight)
        {
            throw new CreditScoringException(
                "The training data is perfectly separated: with no penalty the fitted probabilities are all numerically 0 or 1 and the coefficients grow without bound. " +
                "In credit data this usually means a feature leaks the outcome; otherwise set L2Regularization > 0.");
        }

        LogFitted(context.Logger, n, p, solution.Iterations, solution.MaxGradient / totalWeight);
        return new LogisticRegressionPredictor(
            features.RawFeatures,
            means,
            scales,
            solution.Intercept,
            solution.Coefficients,
            new LogisticTrainingSummary(solution.Iterations, solution.MaxGradient / totalWeight, solution.Objective));
    }

    private static bool HasSpread(ReadOnlySpan<double> x, double[] w)
    {
        var first = double.NaN;
        for (var i = 0; i < x.Length; i++)
        {
            if (w[i] <= 0)
            {
                continue;
            }

            if (double.IsNaN(first))
            {
                first = x[i];
            }
            else if (x[i] != first)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Logistic regression: iteration {Iteration}, max gradient / weight {Gradient:G3} (target {Tolerance:G3}).")]
    private static partial void LogProgress(ILogger logger, int iteration, double gradient, double tolerance);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Logistic regression fitted on {Rows} rows x {Features} features in {Iterations} iterations (max gradient / weight {Gradient:G3}).")]
    private static partial void LogFitted(ILogger logger, int rows, int features, int iterations, double gradient);
}

/// <summary>How the logistic-regression fit ended.</summary>
/// <param name="Iterations">Newton iterations.</param>
/// <param name="MaxGradient">Largest absolute (sub)gradient of the objective divided by the total weight, at the solution.</param>
/// <param name="Objective">The objective's value at the solution.</param>
public sealed record LogisticTrainingSummary(int Iterations, double MaxGradient, double Objective);

/// <summary>One coefficient of a logistic-regression model.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Coefficient">The log-odds change per unit of the raw feature.</param>
/// <param name="StandardizedCoefficient">The log-odds change per standard deviation (equal to <paramref name="Coefficient"/> for unscaled features): what the penalty acts on.</param>
/// <param name="Mean">The training mean used to centre the feature (0 when not standardised).</param>
/// <param name="Scale">The training standard deviation used to scale it (1 when not standardised).</param>
public sealed record LogisticCoefficient(string Feature, double Coefficient, double StandardizedCoefficient, double Mean, double Scale);
