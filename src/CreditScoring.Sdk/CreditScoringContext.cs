using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Learners.Scorecards;
using CreditScoring.Sdk.Resampling;
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
    private DecisionRule _decision = new(DecisionPolicy.Default);
    private Resampler? _resampler;
    private CalibrationMethod _calibration = CalibrationMethod.None;
    private int _innerFolds = CreditPipeline.DefaultInnerFolds;
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

    /// <summary>
    /// Chooses the decision rule, e.g. <c>d =&gt; d.Threshold(0.3)</c> or
    /// <c>d =&gt; d.MinimiseCost(CostMatrix.Create(falseNegative: 10, falsePositive: 1))</c>; an optimised threshold is
    /// chosen at fit time on out-of-fold predictions of the training rows. Default: a fixed 0.5 (<see cref="DecisionPolicy.Default"/>).
    /// </summary>
    /// <param name="choose">Picks a rule.</param>
    /// <returns>This builder.</returns>
    public CreditPipelineBuilder Decide(Func<DecisionCatalog, DecisionRule> choose)
    {
        ThrowIfBuilt();
        ArgumentNullException.ThrowIfNull(choose);
        _decision = choose(new DecisionCatalog()) ?? throw new ArgumentException("The decision choice returned null.", nameof(choose));
        return this;
    }

    /// <summary>
    /// Resamples the training rows before the learner, e.g. <c>r =&gt; r.Smote(neighbours: 5)</c>: only when fitting (and in
    /// each training fold of cross-validation and search), never at scoring. Interpolating resamplers get imputed,
    /// one-hot encoded features (SMOTE-NC keeps category codes for learners that take them).
    /// </summary>
    /// <param name="choose">Picks a resampler.</param>
    /// <returns>This builder.</returns>
    public CreditPipelineBuilder Resample(Func<ResamplerCatalog, Resampler> choose)
    {
        ThrowIfBuilt();
        ArgumentNullException.ThrowIfNull(choose);
        _resampler = choose(new ResamplerCatalog()) ?? throw new ArgumentException("The resampler choice returned null.", nameof(choose));
        return this;
    }

    /// <summary>
    /// Calibrates probabilities after the learner: <see cref="CalibrationMethod.Platt"/> or <see cref="CalibrationMethod.Isotonic"/>
    /// fitted on out-of-fold margins of the training rows, or <see cref="CalibrationMethod.PriorCorrection"/> (a log-odds shift
    /// so that the mean PD equals the training default rate, for resampled or class-weighted training). Default none.
    /// </summary>
    /// <param name="method">The method.</param>
    /// <returns>This builder.</returns>
    public CreditPipelineBuilder Calibrate(CalibrationMethod method)
    {
        ThrowIfBuilt();
        if (!Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown calibration method.");
        }

        _calibration = method;
        return this;
    }

    /// <summary>The folds of the inner cross-validation that gives out-of-fold predictions for calibration and threshold choice; default 5.</summary>
    /// <param name="folds">At least 2.</param>
    /// <returns>This builder.</returns>
    public CreditPipelineBuilder InnerFolds(int folds)
    {
        ThrowIfBuilt();
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        _innerFolds = folds;
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
        return new CreditPipeline(_context, _features.Snapshot(), _learner, _decision, _resampler, _calibration, _innerFolds);
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
    /// <exception cref="ArgumentException">The learner, an option name or a value is unknown or malformed; the message lists what is accepted.</exception>
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

/// <summary>Decision rules: a fixed threshold, or one optimised on out-of-fold predictions when the pipeline is fitted.</summary>
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

    /// <summary>The threshold of least total cost on out-of-fold predictions.</summary>
    /// <param name="costs">The cost matrix, e.g. <c>CostMatrix.Create(falseNegative: 10, falsePositive: 1)</c>.</param>
    /// <param name="bootstrapSamples">Replicates for the threshold's 95 % interval; default 200, 0 for none.</param>
    /// <returns>The rule.</returns>
    public DecisionRule MinimiseCost(CostMatrix costs, int bootstrapSamples = DefaultBootstrapSamples)
    {
        ArgumentNullException.ThrowIfNull(costs);
        return new(ThresholdObjective.MinimumCost, costs, bootstrapSamples);
    }

    /// <summary>The threshold of least cost among those that approve at least <paramref name="minimumApprovalRate"/> of applicants.</summary>
    /// <param name="costs">The cost matrix.</param>
    /// <param name="minimumApprovalRate">In [0, 1].</param>
    /// <param name="bootstrapSamples">Default 200, 0 for none.</param>
    /// <returns>The rule.</returns>
    public DecisionRule MinimiseCost(CostMatrix costs, double minimumApprovalRate, int bootstrapSamples = DefaultBootstrapSamples)
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
    public DecisionRule MaximiseF1(CostMatrix? costs = null, int bootstrapSamples = DefaultBootstrapSamples) => new(ThresholdObjective.MaximumF1, costs, bootstrapSamples);

    /// <summary>The Youden-optimal threshold (largest TPR − FPR).</summary>
    /// <param name="costs">Costs to report beside it; default 1 per error.</param>
    /// <param name="bootstrapSamples">Default 200, 0 for none.</param>
    /// <returns>The rule.</returns>
    public DecisionRule MaximiseYouden(CostMatrix? costs = null, int bootstrapSamples = DefaultBootstrapSamples) => new(ThresholdObjective.MaximumYouden, costs, bootstrapSamples);
}
