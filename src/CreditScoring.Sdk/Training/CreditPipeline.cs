using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Resampling;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Scoring.Serialization;
using CreditScoring.Sdk.Tracking;
using Microsoft.Extensions.Logging;

namespace CreditScoring.Sdk.Training;

/// <summary>
/// An immutable training recipe: the feature pipeline (the declared steps, then what the learner and the resampler
/// need: median imputation and one-hot encoding), an optional resampler (training rows only), the learner, an optional
/// probability calibration and the decision rule. <see cref="Fit(CreditData, CancellationToken)"/> turns labelled data
/// into a <see cref="CreditModel"/>; <see cref="CrossValidate(CreditData, int, IProgress{int}?, CancellationToken)"/> refits the whole recipe in each fold.
/// </summary>
public sealed partial class CreditPipeline
{
    /// <summary>The folds of the inner cross-validation (calibration, threshold choice) unless told otherwise.</summary>
    public const int DefaultInnerFolds = 5;

    private readonly CreditScoringContext _context;
    private readonly ILogger _logger;
    private readonly FeaturePipelineBuilder _features;

    internal CreditPipeline(CreditScoringContext context, FeaturePipelineBuilder features, ICreditLearner learner, DecisionRule decision, Resampler? resampler, CalibrationMethod calibration, int innerFolds, int explanationSample)
    {
        _context = context;
        _features = features;
        Learner = learner;
        Decision = decision;
        Resampler = resampler;
        Calibration = calibration;
        InnerFolds = innerFolds;
        ExplanationSample = explanationSample;
        _logger = context.LoggerFactory.CreateLogger("CreditScoring.Sdk.Pipeline");
    }

    /// <summary>The learner.</summary>
    public ICreditLearner Learner { get; }

    /// <summary>How the model will decide: a fixed threshold or one optimized at fit time.</summary>
    public DecisionRule Decision { get; }

    /// <summary>The resampler applied to training rows, or <see langword="null"/>.</summary>
    public Resampler? Resampler { get; }

    /// <summary>The probability calibration.</summary>
    public CalibrationMethod Calibration { get; }

    /// <summary>Folds of the inner cross-validation that feeds calibration and threshold choice.</summary>
    public int InnerFolds { get; }

    /// <summary>The training rows saved in the model as the explanation background sample (see <see cref="CreditPipelineBuilder.ExplanationSample"/>).</summary>
    public int ExplanationSample { get; }

    /// <summary>The declared feature steps, one line each (empty when the learner's default preparation is used).</summary>
    public IReadOnlyList<string> FeatureSteps => _features.Declared;

    /// <summary><see langword="true"/> when fitting runs an inner cross-validation (Platt/isotonic calibration or an optimized threshold).</summary>
    public bool NeedsOutOfFold => Decision.IsOptimized || Calibration is CalibrationMethod.Platt or CalibrationMethod.Isotonic;

    /// <summary>
    /// Fits preprocessing and learner on the training data. Model inputs are every numeric or
    /// categorical column with the feature role (id, target, weight, time and ignored columns are not inputs).
    /// </summary>
    /// <param name="training">Labelled training data.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <returns>The model.</returns>
    /// <exception cref="TrainingDataException">The data has no target, no feature columns, or a single class.</exception>
    public CreditModel Fit(CreditData training, CancellationToken cancellationToken = default) => Fit(training, null, cancellationToken);

    /// <summary>
    /// Fits the recipe: when calibration or the threshold needs them, out-of-fold predictions of the training rows
    /// from an inner stratified cross-validation (<see cref="InnerFolds"/> folds, each refitting features, resampler and
    /// learner); then features, resampler and learner on all training rows; then the calibrator and the decision policy.
    /// Validation rows (early stopping) are transformed with the features fitted on the training rows and never trained on.
    /// </summary>
    /// <param name="training">Labelled training data.</param>
    /// <param name="validation">Labelled validation data with the training data's columns, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <returns>The model.</returns>
    /// <exception cref="TrainingDataException">The data has no target, no feature columns, or a single class.</exception>
    public CreditModel Fit(CreditData training, CreditData? validation, CancellationToken cancellationToken = default) =>
        Fit(training, validation, _context.Tracker, cancellationToken);

    /// <summary>
    /// <see cref="Fit(CreditData, CreditData?, CancellationToken)"/>, logged to an experiment tracker when one is given:
    /// a run named after the learner with the learner's options, the seed and the data fingerprint as parameters; the
    /// training (and validation) rows as data set inputs; AUC, Gini, KS, Brier and log-loss on the training rows (and on
    /// the validation rows) and the fit time as metrics; the model file as the artifact <c>model/model.json</c>; the run
    /// FINISHED, or FAILED with the error when the fit throws (the error is then thrown on). The fit waits for the store.
    /// </summary>
    /// <param name="training">Labelled training data.</param>
    /// <param name="validation">Labelled validation data with the training data's columns, or <see langword="null"/>.</param>
    /// <param name="tracker">The tracker, or <see langword="null"/> to log nothing.</param>
    /// <param name="cancellationToken">Cancels the fit.</param>
    /// <returns>The model.</returns>
    /// <exception cref="TrainingDataException">The data has no target, no feature columns, or a single class.</exception>
    /// <exception cref="TrackingException">The store refused what the fit logged.</exception>
    public CreditModel Fit(CreditData training, CreditData? validation, ExperimentTracker? tracker, CancellationToken cancellationToken = default)
    {
        if (tracker is null)
        {
            return FitUntracked(training, validation, cancellationToken).Model;
        }

        return Autolog.InRun(tracker, $"fit {Learner.Name}", null, _context.TimeProvider, runId =>
        {
            var (model, trainingProbabilities, validationProbabilities) = FitUntracked(training, validation, cancellationToken);
            var meta = model.Metadata;
            var now = Autolog.Now(_context.TimeProvider);
            var metrics = new List<Metric> { new("fit_seconds", meta.TrainingSeconds, now) };
            var inputs = new List<DatasetInput>();
            foreach (var (name, data) in new[] { ("training", training), ("validation", validation) })
            {
                if (data is null)
                {
                    continue;
                }

                // The training rows' figures from the probabilities the fit computed for the population profile; the
                // validation rows' from the margins the learner kept (gradient boosting), else scored here.
                var probabilities = trainingProbabilities;
                if (data == validation)
                {
                    probabilities = validationProbabilities ?? new double[data.RowCount];
                    if (validationProbabilities is null)
                    {
                        model.CreateScorer(new ScorerOptions { MaxDegreeOfParallelism = _context.MaxDegreeOfParallelism }).PredictProbabilities(data, probabilities);
                    }
                }

                metrics.AddRange(Autolog.Headline(name, probabilities, data, now));
                metrics.AddRange(Autolog.BusinessCosts(name, probabilities, data, Decision.Costs, Decision.Objective, model.Decision.Threshold, now));
                inputs.Add(new DatasetInput(name, data.Fingerprint[..Math.Min(data.Fingerprint.Length, TrackingRules.MaxDatasetDigestLength)], name, data.RowCount, data.PositiveCount));
            }

            var store = tracker.Store;
            Autolog.Log(store, runId, metrics, Autolog.LearnerParameters(meta, meta.DataFingerprint), [new RunTag("creditscoring.threshold", model.Decision.Threshold.ToString("R", CultureInfo.InvariantCulture))], cancellationToken);
            Autolog.Wait(store.LogInputsAsync(runId, inputs, cancellationToken));
            using (var file = new MemoryStream(ModelFile.Write(model), writable: false))
            {
                Autolog.Wait(store.LogArtifactAsync(runId, "model/model.json", file, cancellationToken));
            }

            return model;
        });
    }

    /// <summary>The fit itself, logging nothing (cross-validation's folds use it too), and the training rows' probabilities.</summary>
    private (CreditModel Model, double[] TrainingProbabilities, double[]? ValidationProbabilities) FitUntracked(CreditData training, CreditData? validation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (validation is not null && !validation.HasTarget)
        {
            throw new TrainingDataException("The validation data has no target column; early stopping needs labelled rows.");
        }

        if (!training.HasTarget)
        {
            throw CreditData.NoTarget();
        }

        var clock = _context.TimeProvider;
        var start = clock.GetTimestamp();
        var costs = Decision.IsOptimized ? (Decision.Costs ?? CostMatrix.Create(1, 1)).Resolve(training) : null;

        ProbabilityCalibrator? calibrator = null;
        DecisionPolicy policy = Decision.Fixed ?? DecisionPolicy.Default;
        if (NeedsOutOfFold)
        {
            var margins = OutOfFoldMargins(training, InnerFolds, _context.Seed, cancellationToken);
            var probabilities = new double[margins.Length];
            if (Calibration is CalibrationMethod.Platt or CalibrationMethod.Isotonic)
            {
                calibrator = ProbabilityCalibrator.Fit(Calibration, margins, training.Labels, training.Weights);
                for (var i = 0; i < margins.Length; i++)
                {
                    probabilities[i] = calibrator.Calibrate(margins[i]);
                }
            }
            else
            {
                for (var i = 0; i < margins.Length; i++)
                {
                    probabilities[i] = LogisticFunction.Probability(margins[i]);
                }
            }

            if (Decision.IsOptimized)
            {
                policy = Decision.Choose(probabilities, training.Labels, training.Weights, costs!, _context.Seed);
            }
        }

        var core = FitCore(training, validation, _context.Seed, cancellationToken);
        calibrator ??= core.Prior;
        var seconds = clock.GetElapsedTime(start).TotalSeconds;

        var parameters = new Dictionary<string, string>(Learner.Parameters);
        if (Resampler is not null)
        {
            parameters["resampler"] = Resampler.ToString();
        }

        if (Calibration != CalibrationMethod.None)
        {
            parameters["calibration"] = Calibration.ToString();
        }

        var diagnostics = ModelDiagnostic.OfTraining(training, core.Features.Input.Columns.Select(c => c.Name));
        foreach (var d in diagnostics)
        {
            LogDiagnostic(_logger, d.Code, d.Message);
        }

        var metadata = new ModelMetadata
        {
            SdkVersion = ModelFile.SdkVersion,
            TrainedAt = clock.GetUtcNow(),
            TrainingSeconds = seconds,
            Seed = _context.Seed,
            DataFingerprint = training.Fingerprint,
            TrainingRows = training.RowCount,
            TrainingDefaultRate = training.DefaultRate,
            TargetColumn = training.TargetColumn!.Name,
            IdColumn = training.IdColumn?.Name,
            Learner = Learner.Name,
            LearnerParameters = parameters,
            Diagnostics = diagnostics,
        };
        LogTrained(_logger, Learner.Name, training.RowCount, core.Features.Input.Count, core.Features.Features.Count, seconds);
        var model = new CreditModel(core.Features, core.Predictor, policy, metadata, calibrator);
        var trainingProbabilities = model.ProfileTraining(training, _context.MaxDegreeOfParallelism, ExplanationSample, _context.Seed);

        // The validation rows' probabilities from the margins the learner kept for them, when it kept them (the model's own, bit for bit).
        double[]? validationProbabilities = null;
        if (core.ValidationMargins is { } validationMargins)
        {
            validationProbabilities = new double[validationMargins.Length];
            for (var i = 0; i < validationMargins.Length; i++)
            {
                validationProbabilities[i] = model.Probability(validationMargins[i]);
            }
        }

        return (model, trainingProbabilities, validationProbabilities);
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

        return _features.Fit(training, PreparedCapabilities, _context.Seed).Features;
    }

    /// <summary>
    /// Stratified k-fold cross-validation that refits the whole recipe (features, resampler, learner, calibrator and
    /// threshold choice) on each training fold and scores the held-out fold: out-of-fold probabilities for every row,
    /// and per-fold metrics with their mean and standard deviation. Deterministic by the context's seed.
    /// </summary>
    /// <param name="data">Labelled data.</param>
    /// <param name="folds">Folds; default 5.</param>
    /// <param name="progress">Reports each finished fold, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between and inside folds.</param>
    /// <returns>The result.</returns>
    public CrossValidationResult CrossValidate(CreditData data, int folds = 5, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        CrossValidate(data, folds, _context.Tracker, progress, cancellationToken);

    /// <summary>
    /// <see cref="CrossValidate(CreditData, int, IProgress{int}?, CancellationToken)"/>, logged to an experiment tracker when
    /// one is given: a run named after the learner with the learner's options, the seed, the data fingerprint and the
    /// number of folds as parameters; the data as input; each fold's figures (AUC, Gini, KS, Brier, log-loss, calibration
    /// error, threshold, and cost and business score with costs) as a child run <c>fold K</c>; their means and standard
    /// deviations (<c>cv_auc_mean</c>, <c>cv_auc_std</c>...), the pooled out-of-fold figures (<c>oof_auc</c>...) and, with
    /// costs, the threshold each objective chooses on the out-of-fold predictions and its cost (<c>oof_cost_f1</c>...) on
    /// the parent run.
    /// </summary>
    /// <param name="data">Labelled data.</param>
    /// <param name="folds">Folds.</param>
    /// <param name="tracker">The tracker, or <see langword="null"/> to log nothing.</param>
    /// <param name="progress">Reports each finished fold, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between and inside folds.</param>
    /// <returns>The result.</returns>
    /// <exception cref="TrackingException">The store refused what the cross-validation logged.</exception>
    public CrossValidationResult CrossValidate(CreditData data, int folds, ExperimentTracker? tracker, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (tracker is null)
        {
            return CrossValidateCore(data, folds, progress, null, cancellationToken).Result;
        }

        return Autolog.InRun(tracker, $"cv {Learner.Name}", null, _context.TimeProvider, runId =>
        {
            var store = tracker.Store;
            void LogFold(FoldMetrics f, long start) => Autolog.InRun(tracker, $"fold {f.Fold + 1}", runId, _context.TimeProvider, foldRun =>
            {
                var now = Autolog.Now(_context.TimeProvider);
                var figures = new (string Key, double Value)[]
                {
                    ("auc", f.Auc), ("gini", f.Gini), ("ks", f.Ks), ("brier", f.Brier), ("log_loss", f.LogLoss), ("expected_calibration_error", f.ExpectedCalibrationError),
                    ("threshold", Math.Min(f.Threshold, 1.0)), ("cost", f.Cost), ("business_score", f.BusinessScore),
                };
                Autolog.Log(
                    store,
                    foldRun,
                    [.. figures.Where(x => !double.IsNaN(x.Value) || x.Key is not ("cost" or "business_score")).Select(x => new Metric(x.Key, x.Value, now))],
                    [new Param("fold", (f.Fold + 1).ToString(CultureInfo.InvariantCulture)), new Param("training_rows", f.TrainingRows.ToString(CultureInfo.InvariantCulture)), new Param("test_rows", f.TestRows.ToString(CultureInfo.InvariantCulture))],
                    [new RunTag("creditscoring.kind", "cv-fold")],
                    cancellationToken);
                return 0;
            }, start);

            var (result, first) = CrossValidateCore(data, folds, progress, LogFold, cancellationToken);
            var now = Autolog.Now(_context.TimeProvider);
            var metrics = new List<Metric>();
            foreach (var (key, select) in new (string, Func<FoldMetrics, double>)[] { ("auc", f => f.Auc), ("gini", f => f.Gini), ("ks", f => f.Ks), ("brier", f => f.Brier), ("log_loss", f => f.LogLoss) })
            {
                var values = result.Folds.Select(select).ToArray();
                var mean = values.Average();
                metrics.Add(new Metric($"cv_{key}_mean", mean, now));
                metrics.Add(new Metric($"cv_{key}_std", values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0.0, now));
            }

            metrics.AddRange(Autolog.Headline("oof", result.OutOfFoldProbabilities, data, now));
            metrics.AddRange(Autolog.BusinessCosts("oof", result.OutOfFoldProbabilities, data, Decision.Costs, Decision.Objective, first.Threshold, now));
            var parameters = Autolog.LearnerParameters(first.Metadata, data.Fingerprint);
            parameters.Add(new Param("folds", folds.ToString(CultureInfo.InvariantCulture)));
            Autolog.Log(store, runId, metrics, parameters, [new RunTag("creditscoring.kind", "cv")], cancellationToken);
            Autolog.Wait(store.LogInputsAsync(runId, [new DatasetInput("data", data.Fingerprint[..Math.Min(data.Fingerprint.Length, TrackingRules.MaxDatasetDigestLength)], "cross-validation", data.RowCount, data.PositiveCount)], cancellationToken));
            return result;
        });
    }

    /// <summary>The cross-validation itself; <paramref name="onFold"/> receives each fold's figures and when the fold began; also the first fold's model's facts.</summary>
    private (CrossValidationResult Result, (ModelMetadata Metadata, double Threshold) First) CrossValidateCore(CreditData data, int folds, IProgress<int>? progress, Action<FoldMetrics, long>? onFold, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.HasTarget)
        {
            throw CreditData.NoTarget();
        }

        var assignment = Splitter.StratifiedFolds(data.Labels, folds, _context.Seed);
        var probabilities = new double[data.RowCount];
        var results = new List<FoldMetrics>();
        var costs = Decision.Costs;
        (ModelMetadata, double)? first = null;
        for (var k = 0; k < folds; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Autolog.Now(_context.TimeProvider);
            var (trainRows, testRows) = Rows(assignment, k);
            var train = data.SelectRows(trainRows);
            var test = data.SelectRows(testRows);
            var model = FitUntracked(train, null, cancellationToken).Model;
            first ??= (model.Metadata, model.Decision.Threshold);
            var p = new double[test.RowCount];
            model.CreateScorer().PredictProbabilities(test, p);
            for (var i = 0; i < testRows.Length; i++)
            {
                probabilities[testRows[i]] = p[i];
            }

            var report = ClassificationEvaluator.Evaluate(p, test.Labels, model.Decision.Threshold, test.Weights, train.DefaultRate);
            var business = costs is null ? null : ThresholdAnalysis.Analyze(p, test.Labels, costs.Resolve(test), test.Weights).At(model.Decision.Threshold);
            results.Add(new FoldMetrics
            {
                Fold = k,
                TrainingRows = train.RowCount,
                TestRows = test.RowCount,
                Auc = report.Auc,
                Gini = report.Gini,
                Ks = report.Ks,
                Brier = report.Brier,
                LogLoss = report.LogLoss,
                ExpectedCalibrationError = report.ExpectedCalibrationError,
                Threshold = model.Decision.Threshold,
                Cost = business?.Cost ?? double.NaN,
                BusinessScore = business?.BusinessScore ?? double.NaN,
            });
            onFold?.Invoke(results[^1], start);
            progress?.Report(k + 1);
        }

        var overall = ClassificationEvaluator.Evaluate(probabilities, data.Labels, DecisionPolicy.DefaultThreshold, data.Weights);
        return (new CrossValidationResult(probabilities, assignment, results, overall), first!.Value);
    }

    /// <summary>Out-of-fold margins of every training row (prior-corrected per fold when the recipe prior-corrects).</summary>
    internal double[] OutOfFoldMargins(CreditData training, int folds, int seed, CancellationToken cancellationToken)
    {
        var assignment = Splitter.StratifiedFolds(training.Labels, folds, seed);
        var margins = new double[training.RowCount];
        for (var k = 0; k < folds; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (trainRows, testRows) = Rows(assignment, k);
            var core = FitCore(training.SelectRows(trainRows), null, seed, cancellationToken);
            var test = training.SelectRows(testRows);
            var m = new double[test.RowCount];
            core.Predictor.PredictMargins(core.Features.Transform(test), m);
            var shift = core.Prior?.Shift ?? 0.0;
            for (var i = 0; i < testRows.Length; i++)
            {
                margins[testRows[i]] = m[i] + shift;
            }
        }

        return margins;
    }

    /// <summary>What the feature pipeline must prepare: the learner's needs, narrowed by the resampler's.</summary>
    private LearnerCapabilities PreparedCapabilities => Resampler is null ? Learner.Capabilities : Learner.Capabilities & Resampler.Accepts;

    /// <summary>Features, resampler and learner on one set of training rows, plus the prior correction when asked for.</summary>
    private (FittedFeatures Features, ICreditPredictor Predictor, PriorCorrection? Prior, double[]? ValidationMargins) FitCore(CreditData training, CreditData? validation, int seed, CancellationToken cancellationToken)
    {
        var (features, matrix) = _features.Fit(training, PreparedCapabilities, seed);
        cancellationToken.ThrowIfCancellationRequested();
        var fitMatrix = matrix;
        var labels = training.Labels.ToArray();
        var weights = training.Weights.ToArray();
        if (Resampler is not null)
        {
            var resampled = Resampler.Resample(matrix, labels, seed, weights, _context.MaxDegreeOfParallelism, features.OneHotGroups());
            LogResampled(_logger, Resampler.Name, labels.Length, resampled.Labels.Length, resampled.Positives);
            fitMatrix = resampled.Features;
            labels = resampled.Labels;
            weights = resampled.Weights;
        }

        LearnerValidationData? validationData = validation is null ? null : new LearnerValidationData(features.Transform(validation), validation.Labels, validation.Weights);
        var predictor = Learner.Fit(fitMatrix, labels, weights, new LearnerContext(seed, _logger, _context.MaxDegreeOfParallelism, validationData, cancellationToken));
        PriorCorrection? prior = null;
        if (Calibration == CalibrationMethod.PriorCorrection)
        {
            var margins = new double[matrix.RowCount];
            predictor.PredictMargins(matrix, margins);
            prior = PriorCorrection.Fit(margins, training.Labels, training.Weights);
        }

        return (features, predictor, prior, validationData?.FinalMargins);
    }

    private static (int[] Train, int[] Test) Rows(int[] assignment, int fold)
    {
        var train = new List<int>();
        var test = new List<int>();
        for (var i = 0; i < assignment.Length; i++)
        {
            (assignment[i] == fold ? test : train).Add(i);
        }

        return ([.. train], [.. test]);
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Training diagnostic {Code}: {Message}")]
    private static partial void LogDiagnostic(ILogger logger, string code, string message);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Trained {Learner} on {Rows} rows: {Inputs} inputs -> {Features} features in {Seconds:F3} s.")]
    private static partial void LogTrained(ILogger logger, string learner, int rows, int inputs, int features, double seconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Resampled with {Resampler}: {Before} -> {After} rows ({Positives} defaults).")]
    private static partial void LogResampled(ILogger logger, string resampler, int before, int after, int positives);
}

/// <summary>One fold of a cross-validation.</summary>
public sealed record FoldMetrics
{
    /// <summary>Zero-based fold.</summary>
    public required int Fold { get; init; }

    /// <summary>Rows the recipe was fitted on.</summary>
    public required int TrainingRows { get; init; }

    /// <summary>Rows scored.</summary>
    public required int TestRows { get; init; }

    /// <summary>AUC on the held-out rows.</summary>
    public required double Auc { get; init; }

    /// <summary>Gini.</summary>
    public required double Gini { get; init; }

    /// <summary>KS statistic.</summary>
    public required double Ks { get; init; }

    /// <summary>Brier score.</summary>
    public required double Brier { get; init; }

    /// <summary>Log-loss.</summary>
    public required double LogLoss { get; init; }

    /// <summary>Expected calibration error (10 uniform bins).</summary>
    public required double ExpectedCalibrationError { get; init; }

    /// <summary>The fold model's decision threshold.</summary>
    public required double Threshold { get; init; }

    /// <summary>The cost of the fold model's decisions on the held-out rows (NaN without a cost matrix).</summary>
    public required double Cost { get; init; }

    /// <summary>The normalised business score on the held-out rows (NaN without a cost matrix).</summary>
    public required double BusinessScore { get; init; }
}

/// <summary>Mean and sample standard deviation of a metric over folds.</summary>
/// <param name="Mean">The mean.</param>
/// <param name="StandardDeviation">The sample standard deviation (n − 1).</param>
public sealed record MetricSummary(double Mean, double StandardDeviation)
{
    internal static MetricSummary Of(IEnumerable<double> values)
    {
        var v = values.ToArray();
        var mean = v.Average();
        var sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0.0;
        return new MetricSummary(mean, sd);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Mean:F4} ± {StandardDeviation:F4}");
}

/// <summary>The outcome of <see cref="CreditPipeline.CrossValidate(CreditData, int, IProgress{int}?, CancellationToken)"/>.</summary>
/// <param name="OutOfFoldProbabilities">Each row's probability from the model that did not see it.</param>
/// <param name="FoldOfRow">Each row's fold.</param>
/// <param name="Folds">Per-fold metrics.</param>
/// <param name="OutOfFold">Metrics of the pooled out-of-fold probabilities (at threshold 0.5).</param>
public sealed record CrossValidationResult(double[] OutOfFoldProbabilities, int[] FoldOfRow, IReadOnlyList<FoldMetrics> Folds, EvaluationReport OutOfFold)
{
    /// <summary>AUC over folds.</summary>
    public MetricSummary Auc => MetricSummary.Of(Folds.Select(f => f.Auc));

    /// <summary>Gini over folds.</summary>
    public MetricSummary Gini => MetricSummary.Of(Folds.Select(f => f.Gini));

    /// <summary>KS over folds.</summary>
    public MetricSummary Ks => MetricSummary.Of(Folds.Select(f => f.Ks));

    /// <summary>Brier score over folds.</summary>
    public MetricSummary Brier => MetricSummary.Of(Folds.Select(f => f.Brier));

    /// <summary>Log-loss over folds.</summary>
    public MetricSummary LogLoss => MetricSummary.Of(Folds.Select(f => f.LogLoss));

    /// <summary>Expected calibration error over folds.</summary>
    public MetricSummary ExpectedCalibrationError => MetricSummary.Of(Folds.Select(f => f.ExpectedCalibrationError));

    /// <summary>Normalised business score over folds (NaN without a cost matrix).</summary>
    public MetricSummary BusinessScore => MetricSummary.Of(Folds.Select(f => f.BusinessScore));
}
