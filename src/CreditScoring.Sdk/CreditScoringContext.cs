using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Learners.Scorecards;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Scoring.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreditScoring.Sdk;

/// <summary>
/// The entry point of the SDK, as ML.NET's <c>MLContext</c>: holds the seed of every random choice,
/// the clock and the logger factory, and creates pipelines.
/// </summary>
public sealed class CreditScoringContext
{
    /// <summary>The seed used when none is given.</summary>
    public const int DefaultSeed = 42;

    /// <summary>Creates a context.</summary>
    /// <param name="seed">The seed of every random choice (splits, bagging, resampling). Same data and seed give the same model, bit for bit.</param>
    /// <param name="timeProvider">The clock for timestamps and durations; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where training logs go; default none.</param>
    /// <param name="maxDegreeOfParallelism">The most threads training may use; -1 (the default) for all processors. Models never depend on it.</param>
    public CreditScoringContext(int seed = DefaultSeed, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, int maxDegreeOfParallelism = -1)
    {
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use -1 for all processors or a positive thread count.");
        }

        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        Seed = seed;
        TimeProvider = timeProvider ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The logger factory.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The most threads training may use; -1 for all processors.</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>Starts a pipeline: <c>context.CreatePipeline().Train(t =&gt; t.LogisticRegression()).Build()</c>.</summary>
    /// <returns>A single-use builder.</returns>
    public CreditPipelineBuilder CreatePipeline() => new(this);
}

/// <summary>
/// Builds a <see cref="CreditPipeline"/>: which learner, which decision policy. Single-use: <see cref="Build"/>
/// snapshots the choices, and the builder cannot be used again.
/// </summary>
public sealed class CreditPipelineBuilder
{
    private readonly CreditScoringContext _context;
    private ICreditLearner? _learner;
    private DecisionPolicy _decision = DecisionPolicy.Default;
    private FeaturePipelineBuilder _features = new();
    private bool _built;

    internal CreditPipelineBuilder(CreditScoringContext context) => _context = context;

    /// <summary>
    /// Declares the feature pipeline, e.g. <c>f =&gt; f.Sentinel("DAYS_EMPLOYED", 365243).Ratio("AMT_CREDIT", "AMT_INCOME_TOTAL", "CREDIT_INCOME_RATIO")</c>.
    /// Calling it again adds steps after the earlier ones. Without it, the pipeline prepares the raw inputs
    /// only as the learner needs (median imputation, one-hot encoding).
    /// </summary>
    /// <param name="configure">Declares steps.</param>
    /// <returns>This builder.</returns>
    public CreditPipelineBuilder Features(Action<FeaturePipelineBuilder> configure)
    {
        ThrowIfBuilt();
        ArgumentNullException.ThrowIfNull(configure);
        configure(_features);
        return this;
    }

    /// <summary>Chooses the learner from the catalog, e.g. <c>t =&gt; t.LogisticRegression(o =&gt; o.L2Regularization = 0.5)</c>.</summary>
    /// <param name="choose">Picks a learner.</param>
    /// <returns>This builder.</returns>
    public CreditPipelineBuilder Train(Func<LearnerCatalog, ICreditLearner> choose)
    {
        ArgumentNullException.ThrowIfNull(choose);
        return Train(choose(new LearnerCatalog()));
    }

    /// <summary>Uses a learner instance (the SDK's own or an adapter).</summary>
    /// <param name="learner">The learner.</param>
    /// <returns>This builder.</returns>
    public CreditPipelineBuilder Train(ICreditLearner learner)
    {
        ThrowIfBuilt();
        ArgumentNullException.ThrowIfNull(learner);
        _learner = learner;
        return this;
    }

    /// <summary>Chooses the decision policy, e.g. <c>d =&gt; d.Threshold(0.3)</c>. Default: <see cref="DecisionPolicy.Default"/>.</summary>
    /// <param name="choose">Picks a policy.</param>
    /// <returns>This builder.</returns>
    public CreditPipelineBuilder Decide(Func<DecisionCatalog, DecisionPolicy> choose)
    {
        ThrowIfBuilt();
        ArgumentNullException.ThrowIfNull(choose);
        _decision = choose(new DecisionCatalog()) ?? throw new ArgumentException("The decision choice returned null.", nameof(choose));
        return this;
    }

    /// <summary>Snapshots the choices into an immutable pipeline.</summary>
    /// <returns>The pipeline.</returns>
    /// <exception cref="InvalidOperationException">No learner was chosen, or the builder was already built.</exception>
    public CreditPipeline Build()
    {
        ThrowIfBuilt();
        if (_learner is null)
        {
            throw new InvalidOperationException("Choose a learner with Train(...) before Build(), e.g. .Train(t => t.LogisticRegression()).");
        }

        _built = true;
        return new CreditPipeline(_context, _features.Snapshot(), _learner, _decision);
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("This pipeline builder was already built; create a new one with context.CreatePipeline().");
        }
    }
}

/// <summary>The SDK's learners.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A catalog instance is the fluent entry point, as ML.NET's catalogs.")]
public sealed partial class LearnerCatalog
{
    internal LearnerCatalog()
    {
    }

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

/// <summary>Decision policies.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A catalog instance is the fluent entry point, as ML.NET's catalogs.")]
public sealed class DecisionCatalog
{
    internal DecisionCatalog()
    {
    }

    /// <summary>Decline when the probability of default is at or above <paramref name="threshold"/>.</summary>
    /// <param name="threshold">In [0, 1].</param>
    /// <returns>The policy.</returns>
    public DecisionPolicy Threshold(double threshold) => new(threshold, "fixed");
}

/// <summary>
/// An immutable training recipe: the feature pipeline (the declared steps, then what the learner needs:
/// median imputation and one-hot encoding for learners that need complete numeric features), the
/// learner and the decision policy. <see cref="Fit(CreditData, CancellationToken)"/> turns labelled data into a <see cref="CreditModel"/>.
/// </summary>
public sealed partial class CreditPipeline
{
    private readonly CreditScoringContext _context;
    private readonly ILogger _logger;

    private readonly FeaturePipelineBuilder _features;

    internal CreditPipeline(CreditScoringContext context, FeaturePipelineBuilder features, ICreditLearner learner, DecisionPolicy decision)
    {
        _context = context;
        _features = features;
        Learner = learner;
        Decision = decision;
        _logger = context.LoggerFactory.CreateLogger("CreditScoring.Sdk.Pipeline");
    }

    /// <summary>The learner.</summary>
    public ICreditLearner Learner { get; }

    /// <summary>The decision policy the model will carry.</summary>
    public DecisionPolicy Decision { get; }

    /// <summary>The declared feature steps, one line each (empty when the learner's default preparation is used).</summary>
    public IReadOnlyList<string> FeatureSteps => _features.Declared;

    /// <summary>
    /// Fits preprocessing and learner on the training data. Model inputs are every numeric or
    /// categorical column with the feature role (id, target, weight, time and ignored columns are not inputs).
    /// </summary>
    /// <param name="training">Labelled training data.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidOperationException">The data has no target, no feature columns, or a single class.</exception>
    public CreditModel Fit(CreditData training, CancellationToken cancellationToken = default) => Fit(training, null, cancellationToken);

    /// <summary>
    /// Fits preprocessing on the training data and the learner on the training data, with validation
    /// data the learner may monitor (early stopping of gradient boosting). The validation rows are
    /// transformed with the preprocessing fitted on the training rows; they are never trained on.
    /// </summary>
    /// <param name="training">Labelled training data.</param>
    /// <param name="validation">Labelled validation data with the training data's columns, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidOperationException">The data has no target, no feature columns, or a single class.</exception>
    public CreditModel Fit(CreditData training, CreditData? validation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (validation is not null && !validation.HasTarget)
        {
            throw new InvalidOperationException("The validation data has no target column; early stopping needs labelled rows.");
        }

        if (!training.HasTarget)
        {
            throw CreditData.NoTarget();
        }

        var clock = _context.TimeProvider;
        var start = clock.GetTimestamp();
        var (features, matrix) = _features.Fit(training, Learner.Capabilities, _context.Seed);
        cancellationToken.ThrowIfCancellationRequested();
        LearnerValidationData? validationData = null;
        if (validation is not null)
        {
            validationData = new LearnerValidationData(features.Transform(validation), validation.Labels, validation.Weights);
        }

        var predictor = Learner.Fit(matrix, training.Labels, training.Weights, new LearnerContext(_context.Seed, _logger, _context.MaxDegreeOfParallelism, validationData, cancellationToken));
        var seconds = clock.GetElapsedTime(start).TotalSeconds;

        var metadata = new ModelMetadata(
            ModelFile.SdkVersion,
            clock.GetUtcNow(),
            seconds,
            _context.Seed,
            training.Fingerprint,
            training.RowCount,
            training.DefaultRate,
            training.TargetColumn!.Name,
            training.IdColumn?.Name,
            Learner.Name,
            new Dictionary<string, string>(Learner.Parameters));
        LogTrained(_logger, Learner.Name, training.RowCount, features.Input.Count, features.Features.Count, seconds);
        return new CreditModel(features, predictor, Decision, metadata);
    }

    /// <summary>
    /// Fits only the feature pipeline (and the learner's preparation) on training data, for inspection,
    /// binning tables or use outside a model. Target encodings and WoE binnings read the target.
    /// </summary>
    /// <param name="training">Labelled training data (with its related tables when the pipeline aggregates them).</param>
    /// <returns>The fitted features; <see cref="FittedFeatures.Transform(CreditData, UnknownCategoryHandling)"/> applies them to any table.</returns>
    public FittedFeatures FitFeatures(CreditData training)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (!training.HasTarget)
        {
            throw CreditData.NoTarget();
        }

        return _features.Fit(training, Learner.Capabilities, _context.Seed).Features;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Trained {Learner} on {Rows} rows: {Inputs} inputs -> {Features} features in {Seconds:F3} s.")]
    private static partial void LogTrained(ILogger logger, string learner, int rows, int inputs, int features, double seconds);
}
