using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Resampling;

namespace CreditScoring.Sdk.Training;

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
    /// <c>d =&gt; d.MinimizeCost(CostMatrix.Create(falseNegative: 10, falsePositive: 1))</c>; an optimized threshold is
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
    /// Resamples the training rows before the learner, e.g. <c>r =&gt; r.Smote(neighbors: 5)</c>: only when fitting (and in
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

    /// <summary>
    /// The training rows saved in the model as the background sample of interventional explanations
    /// (<see cref="ContributionMethod.Interventional"/>), drawn with the context's seed; default
    /// <see cref="FeatureBackground.MaxSampleRows"/> (1,000, or every row of a smaller table). 0 leaves the sample out (the
    /// features' means are always saved: linear explanations need them). About 20 bytes per row and feature in the file.
    /// </summary>
    /// <param name="rows">0 to <see cref="FeatureBackground.MaxSampleRows"/>.</param>
    /// <returns>This builder.</returns>
    public CreditPipelineBuilder ExplanationSample(int rows)
    {
        ThrowIfBuilt();
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, FeatureBackground.MaxSampleRows);
        _explanationSample = rows;
        return this;
    }

    /// <summary>Snapshots the choices into an immutable pipeline.</summary>
    /// <returns>The pipeline.</returns>
    /// <exception cref="ConfigurationException">No learner was chosen, or the builder was already built.</exception>
    public CreditPipeline Build()
    {
        ThrowIfBuilt();
        if (_learner is null)
        {
            throw new ConfigurationException("Choose a learner with Train(...) before Build(), e.g. .Train(t => t.LogisticRegression()).");
        }

        _built = true;
        return new CreditPipeline(_context, _features.Snapshot(), _learner, _decision, _resampler, _calibration, _innerFolds, _explanationSample);
    }

    private int _explanationSample = FeatureBackground.MaxSampleRows;

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new ConfigurationException("This pipeline builder was already built; create a new one with context.CreatePipeline().");
        }
    }
}
