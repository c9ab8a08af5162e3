using CreditScoring.Sdk.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditScoring.Sdk.Learners;

/// <summary>
/// A binary learner for probability of default. Implementations are the SDK's own learners
/// (logistic regression, gradient-boosted trees) and adapters to other libraries; the pipeline,
/// the model file and the scorer only see this interface and <see cref="ICreditPredictor"/>.
/// </summary>
public interface ICreditLearner
{
    /// <summary>A short name used on the command line and in reports, e.g. <c>logistic</c>.</summary>
    string Name { get; }

    /// <summary>What the learner accepts as it is.</summary>
    LearnerCapabilities Capabilities { get; }

    /// <summary>The effective option values (name → invariant text), recorded in the model's metadata.</summary>
    IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Fits the learner.</summary>
    /// <param name="features">The training features.</param>
    /// <param name="labels">0/1 labels (1 = default), one per row.</param>
    /// <param name="weights">Non-negative sample weights, one per row, or empty for unit weights.</param>
    /// <param name="context">Seed, logging and cancellation.</param>
    /// <returns>The trained predictor.</returns>
    ICreditPredictor Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, LearnerContext context);
}

/// <summary>
/// A trained learner: maps features to the log-odds of default. Implementations are immutable and
/// thread-safe; <see cref="PredictMargin"/> must not allocate and must give bit-for-bit the value
/// <see cref="PredictMargins"/> gives for the same row.
/// </summary>
public interface ICreditPredictor
{
    /// <summary>The serialisation kind, e.g. <c>logistic-regression</c>.</summary>
    string Kind { get; }

    /// <summary>The features the predictor reads, in order.</summary>
    IReadOnlyList<FeatureInfo> Features { get; }

    /// <summary>The log-odds of default for one row of features.</summary>
    /// <param name="features">The row, <see cref="Features"/> long.</param>
    /// <returns>The margin; the probability is 1 / (1 + e^−margin).</returns>
    double PredictMargin(ReadOnlySpan<double> features);

    /// <summary>The log-odds of default for every row.</summary>
    /// <param name="features">The rows.</param>
    /// <param name="margins">Receives one margin per row.</param>
    void PredictMargins(FeatureMatrix features, Span<double> margins);
}

/// <summary>What a learner gets besides its data: the seed, a logger and a cancellation token.</summary>
public sealed class LearnerContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="seed">The seed of every random choice the learner makes.</param>
    /// <param name="logger">A logger, or <see langword="null"/> for none.</param>
    /// <param name="maxDegreeOfParallelism">The most threads a fit may use; -1 (the default) for all processors. Results never depend on it.</param>
    /// <param name="validation">Held-out rows for learners that monitor a validation metric (early stopping), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels long fits.</param>
    public LearnerContext(int seed, ILogger? logger = null, int maxDegreeOfParallelism = -1, LearnerValidationData? validation = null, CancellationToken cancellationToken = default)
    {
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use -1 for all processors or a positive thread count.");
        }

        Seed = seed;
        Logger = logger ?? NullLogger.Instance;
        CancellationToken = cancellationToken;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        Validation = validation;
    }

    /// <summary>Held-out rows for early stopping, already transformed like the training features; <see langword="null"/> when none were given.</summary>
    public LearnerValidationData? Validation { get; }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>The logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The cancellation token.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The most threads a fit may use; -1 for all processors.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>The thread count to use: <see cref="MaxDegreeOfParallelism"/>, or the processor count when it is -1.</summary>
    public int Threads => MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;
}

/// <summary>Labelled validation rows a learner may monitor while it fits (never trains on).</summary>
public sealed class LearnerValidationData
{
    /// <summary>Creates validation data; labels and weights are checked and copied.</summary>
    /// <param name="features">The features, in the training features' layout.</param>
    /// <param name="labels">0/1 labels, one per row.</param>
    /// <param name="weights">Non-negative weights, one per row, or empty for unit weights.</param>
    /// <exception cref="ArgumentException">Lengths disagree, a label is not 0/1 or a weight is negative.</exception>
    /// <exception cref="TrainingDataException">The validation rows hold a single class.</exception>
    public LearnerValidationData(FeatureMatrix features, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        Features = features;
        Weights = LearnerInputs.CheckAndExpand(features, labels, weights, allowMissing: true, allowCategorical: true, "validation data");
        Labels = labels.ToArray();
    }

    /// <summary>The features.</summary>
    public FeatureMatrix Features { get; }

    /// <summary>The labels.</summary>
    internal int[] Labels { get; }

    /// <summary>The weights (1 where none were given).</summary>
    internal double[] Weights { get; }

    /// <summary>
    /// The returned predictor's margins on these rows, when the learner computed them while it fitted (gradient boosting
    /// keeps them for its validation metric), bit for bit what <see cref="ICreditPredictor.PredictMargins"/> gives;
    /// <see langword="null"/> otherwise. Autologging reads the validation figures from them instead of scoring the rows again.
    /// </summary>
    internal double[]? FinalMargins { get; set; }
}
