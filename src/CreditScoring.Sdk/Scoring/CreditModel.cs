using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Scoring.Serialization;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.Scoring;

/// <summary>Where a model came from.</summary>
public sealed record ModelMetadata
{
    /// <summary>The SDK version that trained it.</summary>
    public required string SdkVersion { get; init; }

    /// <summary>When training finished (from the context's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset TrainedAt { get; init; }

    /// <summary>Seconds spent fitting preprocessing and learner (data loading excluded).</summary>
    public required double TrainingSeconds { get; init; }

    /// <summary>The seed of every random choice.</summary>
    public required int Seed { get; init; }

    /// <summary>SHA-256 of the training data (<see cref="CreditData.Fingerprint"/>).</summary>
    public required string DataFingerprint { get; init; }

    /// <summary>Training rows.</summary>
    public required int TrainingRows { get; init; }

    /// <summary>The (weighted) default rate of the training rows; the evaluation baseline's prior. NaN when unknown (an imported model).</summary>
    public required double TrainingDefaultRate { get; init; }

    /// <summary>The training target's name.</summary>
    public required string TargetColumn { get; init; }

    /// <summary>The training data's id column, or <see langword="null"/>; batch scoring labels its output with it.</summary>
    public required string? IdColumn { get; init; }

    /// <summary>The learner's name.</summary>
    public required string Learner { get; init; }

    /// <summary>The learner's effective options.</summary>
    public required IReadOnlyDictionary<string, string> LearnerParameters { get; init; }

    /// <summary>What training found in the data that a risk team must see (leak suspects, too few rows, duplicate ids, extreme weights); empty when nothing, and for files of format 4 and older.</summary>
    public IReadOnlyList<ModelDiagnostic> Diagnostics { get; init; } = [];
}

/// <summary>
/// A trained probability-of-default model: the input schema, fitted preprocessing, the predictor,
/// the decision policy and metadata. Immutable; save it with <see cref="Save(string)"/>, load it with
/// <see cref="Load(string)"/>, score with <see cref="CreateScorer"/>.
/// </summary>
public sealed class CreditModel
{
    /// <summary>Creates a model from its parts (pipelines and the model reader do this).</summary>
    /// <param name="features">The fitted preprocessing.</param>
    /// <param name="predictor">The predictor; its features must be the preprocessing's output.</param>
    /// <param name="decision">The decision policy.</param>
    /// <param name="metadata">Provenance.</param>
    /// <param name="calibration">Maps the predictor's margin to the probability; <see langword="null"/> (the default) for the logistic function.</param>
    /// <param name="profile">The training population's profile (inputs and scores), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The predictor reads other features than the preprocessing produces.</exception>
    public CreditModel(FittedFeatures features, ICreditPredictor predictor, DecisionPolicy decision, ModelMetadata metadata, ProbabilityCalibrator? calibration = null, PopulationProfile? profile = null)
        : this(features, predictor, decision, metadata, calibration, profile, null)
    {
    }

    /// <summary>Creates a model from its parts and its explanation background (the model reader does this).</summary>
    internal CreditModel(FittedFeatures features, ICreditPredictor predictor, DecisionPolicy decision, ModelMetadata metadata, ProbabilityCalibrator? calibration, PopulationProfile? profile, FeatureBackground? background, ReasonCodeTable? reasonCodes = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(metadata);
        if (!features.Features.SequenceEqual(predictor.Features))
        {
            throw new ArgumentException($"The predictor reads {predictor.Features.Count} features ({string.Join(", ", predictor.Features.Take(5).Select(f => f.Name))}...) but the preprocessing produces {features.Features.Count} ({string.Join(", ", features.Features.Take(5).Select(f => f.Name))}...).");
        }

        Features = features;
        Predictor = predictor;
        Decision = decision;
        Metadata = metadata;
        Calibration = calibration;
        Profile = profile;
        if (background is not null && background.Means.Count != features.Features.Count)
        {
            throw new ArgumentException($"The explanation background has {background.Means.Count} feature means for {features.Features.Count} features.");
        }

        Background = background;
        ReasonCodes = reasonCodes is null ? null : CheckReasonCodes(features, reasonCodes);
    }

    /// <summary>The lender's reason codes saved with the model, which explanations use unless given others; <see langword="null"/> when none.</summary>
    public ReasonCodeTable? ReasonCodes { get; }

    /// <summary>A copy of this model that carries a reason code table (saved in its file); <see langword="null"/> removes it.</summary>
    /// <param name="reasonCodes">The table: every input it names must be one of the model's inputs or derived characteristics.</param>
    /// <returns>The new model; this one is unchanged.</returns>
    /// <exception cref="ConfigurationException">The table names an input the model does not have (a typo would otherwise never be cited).</exception>
    public CreditModel WithReasonCodes(ReasonCodeTable? reasonCodes) => new(Features, Predictor, Decision, Metadata, Calibration, Profile, Background, reasonCodes);

    /// <summary>Checks that a reason code table names only the model's inputs and derived characteristics.</summary>
    /// <param name="features">The model's features.</param>
    /// <param name="table">The table.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ConfigurationException">It names something else.</exception>
    internal static ReasonCodeTable CheckReasonCodes(FittedFeatures features, ReasonCodeTable table)
    {
        var known = features.CharacteristicNames();
        var unknown = table.Entries.Select(e => e.Input).Concat(table.Excluded).Where(n => !known.Contains(n)).Distinct(StringComparer.Ordinal).ToArray();
        return unknown.Length == 0 ? table : throw new ConfigurationException(
            $"The reason code table names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, which the model has no input or derived characteristic of; the model's are: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>
    /// The training population as the predictor saw it (each feature's mean, and a sample of at most
    /// <see cref="FeatureBackground.MaxSampleRows"/> rows unless left out), saved at fit time for explanations: linear
    /// contributions are relative to the means, interventional tree contributions to the sample.
    /// <see langword="null"/> for files of format 5 and older and for imported models; add one with <see cref="WithBackground"/>.
    /// </summary>
    public FeatureBackground? Background { get; private set; }

    /// <summary>
    /// A copy of this model with an explanation background taken from training data (for a model saved without one, such as
    /// an older file or an imported model): the data is transformed by the model's own features, as production would.
    /// </summary>
    /// <param name="training">The training data (every input column).</param>
    /// <param name="seed">The seed of the sample's draw.</param>
    /// <param name="sampleRows">Rows to sample: default <see cref="FeatureBackground.MaxSampleRows"/>; 0 keeps only the means.</param>
    /// <returns>The new model; this one is unchanged.</returns>
    /// <exception cref="ScoringInputException">An input column is absent or has the wrong kind.</exception>
    public CreditModel WithBackground(CreditData training, int seed, int sampleRows = FeatureBackground.MaxSampleRows)
    {
        ArgumentNullException.ThrowIfNull(training);
        return new(Features, Predictor, Decision, Metadata, Calibration, Profile, FeatureBackground.Of(Features.Transform(training), sampleRows, seed), ReasonCodes);
    }

    /// <summary>
    /// The training population (every input's quantiles, PSI deciles or category counts, and the training scores'), computed at
    /// fit time: the Drift package's reference when no training data is at hand. <see langword="null"/> for imported models.
    /// </summary>
    public PopulationProfile? Profile { get; private set; }

    /// <summary>
    /// Profiles the training population with this model's own scores of it (read through the scorer, as production
    /// would score those rows: a cross-fitted target encoding gives other values at fit time) and keeps the profile.
    /// Only the pipeline calls it, on the model it has just built and not yet returned.
    /// </summary>
    /// <returns>The training rows' probabilities, which the profile was built from.</returns>
    internal double[] ProfileTraining(CreditData training, int maxDegreeOfParallelism, int backgroundRows, int seed)
    {
        if (Profile is not null)
        {
            throw new InvalidOperationException("The model already holds its training profile.");
        }

        var scores = new double[training.RowCount];
        var scorer = new CreditScorer(this, new ScorerOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism });
        var features = scorer.PredictProbabilitiesAndFeatures(training, scores);
        Profile = PopulationProfile.Build(training, Features.Input.Columns.Select(c => c.Name), scores, maxDegreeOfParallelism);
        Background = FeatureBackground.Of(features, backgroundRows, seed);
        return scores;
    }

    /// <summary>The probability calibration after the predictor, or <see langword="null"/> when the probability is the logistic function of the margin.</summary>
    public ProbabilityCalibrator? Calibration { get; }

    /// <summary>The raw inputs an applicant must provide.</summary>
    public InputSchema Input => Features.Input;

    /// <summary>The fitted preprocessing.</summary>
    public FittedFeatures Features { get; }

    /// <summary>The trained predictor (e.g. <see cref="Learners.Linear.LogisticRegressionPredictor"/>).</summary>
    public ICreditPredictor Predictor { get; }

    /// <summary>The decision policy.</summary>
    public DecisionPolicy Decision { get; }

    /// <summary>Provenance.</summary>
    public ModelMetadata Metadata { get; }

    /// <summary>
    /// Wraps a predictor trained elsewhere (e.g. imported with <c>XGBoostModel.Import</c> or
    /// <c>LightGbmModel.Import</c>) into a model whose inputs are its features, as numeric columns of
    /// the same names, passed through unchanged; it can then be evaluated, saved and scored like a
    /// trained one.
    /// </summary>
    /// <param name="predictor">The predictor; categorical features must hold their category codes as numbers.</param>
    /// <param name="decision">The decision policy; default <see cref="DecisionPolicy.Default"/>.</param>
    /// <param name="targetColumn">The target's name for evaluation; default <c>target</c>.</param>
    /// <param name="learner">The learner name recorded in the metadata; default <c>imported</c>.</param>
    /// <returns>The model.</returns>
    public static CreditModel FromPredictor(ICreditPredictor predictor, DecisionPolicy? decision = null, string targetColumn = "target", string learner = "imported")
    {
        ArgumentNullException.ThrowIfNull(predictor);
        var p = predictor.Features.Count;
        var inputs = new InputSchema(predictor.Features.Select(f => new InputColumn(f.Name, ColumnKind.Numeric, [])).ToArray());
        var steps = predictor.Features.Select((f, j) => (FeatureStep)new PassThroughStep(j, f)).ToArray();
        var features = new FittedFeatures(inputs, [], steps, Enumerable.Range(p, p).ToArray());
        var metadata = new ModelMetadata
        {
            SdkVersion = ModelFile.SdkVersion,
            TrainedAt = DateTimeOffset.UnixEpoch,
            TrainingSeconds = 0,
            Seed = 0,
            DataFingerprint = "",
            TrainingRows = 0,
            TrainingDefaultRate = double.NaN,
            TargetColumn = targetColumn,
            IdColumn = null,
            Learner = learner,
            LearnerParameters = new Dictionary<string, string>(),
        };
        return new CreditModel(features, predictor, decision ?? DecisionPolicy.Default, metadata);
    }

    /// <summary>Loads a model file written by <see cref="Save(string)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">The file is not a model, is truncated or edited (checksum mismatch), or has a newer format version.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CreditModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (ModelUri.IsModelUri(path))
        {
            throw new ArgumentException($"'{path}' is a registry model URI, not a file: load it with CreditModel.Load(uri, registry), from the registry that holds it.", nameof(path));
        }

        return ModelFile.Read(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// Loads a model file that must be signed by <paramref name="verifier"/> (see <see cref="ModelSigningKey"/>): an unsigned
    /// file, a file signed by another key and a file changed after signing are refused.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="verifier">The key that must have signed it (an HMAC key, or an ECDSA private or public key).</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelSignatureException">The signature is missing, by another key, or does not match the contents.</exception>
    /// <exception cref="ModelFormatException">As for <see cref="Load(string)"/>.</exception>
    public static CreditModel Load(string path, ModelSigningKey verifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(verifier);
        return ModelFile.Read(File.ReadAllBytes(path), path, verifier);
    }

    /// <summary>Loads a model from a stream (read to its end, left open) that must be signed by <paramref name="verifier"/>.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="verifier">The key that must have signed it.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelSignatureException">The signature is missing, by another key, or does not match the contents.</exception>
    public static CreditModel Load(Stream stream, ModelSigningKey verifier)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(verifier);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return ModelFile.Read(buffer.ToArray(), "stream", verifier);
    }

    /// <summary>Loads a model from a stream (read to its end, left open).</summary>
    /// <param name="stream">The stream.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">As for <see cref="Load(string)"/>.</exception>
    public static CreditModel Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return ModelFile.Read(buffer.ToArray(), "stream");
    }

    /// <summary>
    /// Loads a registered model version from a registry: <c>models:/NAME@ALIAS</c> (such as
    /// <c>models:/pd-model@champion</c>), <c>models:/NAME/VERSION</c> or <c>models:/NAME/latest</c>. The file's SHA-256 must
    /// equal the one recorded when the version was registered: a file changed since is refused, with a message that says so.
    /// </summary>
    /// <param name="modelUri">The model URI (<see cref="ModelUri"/>).</param>
    /// <param name="registry">The registry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The model.</returns>
    /// <exception cref="TrackingException">The URI is malformed, or the model, version or alias does not exist.</exception>
    /// <exception cref="ModelFormatException">The file changed after registration, has no recorded SHA-256, or is not a model file.</exception>
    public static async Task<CreditModel> LoadAsync(string modelUri, IModelRegistry registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var version = await ModelUri.Parse(modelUri).ResolveAsync(registry, cancellationToken).ConfigureAwait(false);
        var source = $"{modelUri} (version {version.Version} of '{version.Name}', {version.Source})";
        if (version.Sha256 is null)
        {
            throw new ModelFormatException($"{source}: the version has no model file with a recorded SHA-256 in this registry, so it cannot be verified; register a CreditScoring model file (runs:/RUN/model).");
        }

        using var buffer = new MemoryStream();
        await using (var file = await registry.OpenModelFileAsync(version.Name, version.Version, cancellationToken).ConfigureAwait(false))
        {
            await file.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        var bytes = buffer.ToArray();
        var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        if (!string.Equals(actual, version.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelFormatException($"{source}: the model file was changed after registration (its SHA-256 is {actual}, registered as {version.Sha256}); it is refused. Register the new file as a new version if the change is intended.");
        }

        return ModelFile.Read(bytes, source);
    }

    /// <summary>Loads a registered model version: <see cref="LoadAsync(string, IModelRegistry, CancellationToken)"/>, waited for.</summary>
    /// <param name="modelUri">The model URI, such as <c>models:/pd-model@champion</c>.</param>
    /// <param name="registry">The registry.</param>
    /// <returns>The model.</returns>
    /// <exception cref="TrackingException">The URI is malformed, or the model, version or alias does not exist.</exception>
    /// <exception cref="ModelFormatException">The file changed after registration, has no recorded SHA-256, or is not a model file.</exception>
    public static CreditModel Load(string modelUri, IModelRegistry registry) =>
        Task.Run(() => LoadAsync(modelUri, registry)).GetAwaiter().GetResult();

    /// <summary>
    /// Saves the model to one JSON file (versioned format, SHA-256 checksum). The file is written beside
    /// the target and renamed over it, so an existing model is never left half-written.
    /// </summary>
    /// <param name="path">The file.</param>
    public void Save(string path) => OutputFiles.WriteAllBytes(path, ModelFile.Write(this));

    /// <summary>Saves the model signed by a key (see <see cref="ModelSigningKey"/>), written as <see cref="Save(string)"/> does.</summary>
    /// <param name="path">The file.</param>
    /// <param name="signer">An HMAC key or an ECDSA private key.</param>
    /// <exception cref="ConfigurationException">The key is an ECDSA public key, which cannot sign.</exception>
    public void Save(string path, ModelSigningKey signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        OutputFiles.WriteAllBytes(path, ModelFile.Write(this, signer));
    }

    /// <summary>Writes the model file's bytes, signed by a key, to a stream.</summary>
    /// <param name="stream">The stream (left open).</param>
    /// <param name="signer">An HMAC key or an ECDSA private key.</param>
    public void Save(Stream stream, ModelSigningKey signer)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(signer);
        stream.Write(ModelFile.Write(this, signer));
    }

    /// <summary>Writes the model file's bytes to a stream.</summary>
    /// <param name="stream">The stream (left open).</param>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ModelFile.Write(this));
    }

    /// <summary>Creates a thread-safe scorer.</summary>
    /// <param name="options">Scorer options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The scorer.</returns>
    public ICreditScorer CreateScorer(ScorerOptions? options = null) => new CreditScorer(this, options ?? new ScorerOptions());

    /// <summary>A copy of this model with another decision policy.</summary>
    /// <param name="decision">The policy.</param>
    /// <returns>The new model.</returns>
    public CreditModel WithDecision(DecisionPolicy decision) => new(Features, Predictor, decision, Metadata, Calibration, Profile, Background, ReasonCodes);

    /// <summary>The probability of default for a predictor margin: calibrated when the model has a calibrator.</summary>
    /// <param name="margin">The predictor's log-odds.</param>
    /// <returns>The probability.</returns>
    public double Probability(double margin) => Calibration?.Calibrate(margin) ?? LogisticFunction.Probability(margin);

    /// <summary>
    /// Evaluates the model on labelled data, at its decision threshold (with the cost of its decisions and the normalised
    /// business score when its policy carries a cost matrix whose columns the data has), beside the prior-only baseline:
    /// the training default rate, or, for a model whose training rate is unknown (one made by
    /// <see cref="FromPredictor"/>), the evaluated data's own default rate.
    /// </summary>
    /// <param name="data">Data with a target and every input column.</param>
    /// <returns>The report.</returns>
    /// <exception cref="TrainingDataException">The data has no target.</exception>
    /// <exception cref="ScoringInputException">An input column is absent or has the wrong kind.</exception>
    public EvaluationReport Evaluate(CreditData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.HasTarget)
        {
            throw CreditData.NoTarget();
        }

        var probabilities = new double[data.RowCount];
        CreateScorer().PredictProbabilities(data, probabilities);
        return Evaluate(data, probabilities);
    }

    /// <summary>
    /// Evaluates probabilities this model gave for <paramref name="data"/>'s rows (from <see cref="ICreditScorer.PredictProbabilities"/>),
    /// so that a caller who needs them for something else too scores the rows once; otherwise as <see cref="Evaluate(CreditData)"/>.
    /// </summary>
    /// <param name="data">Data with a target.</param>
    /// <param name="probabilities">The model's probability of default for each row.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The probabilities are not one per row.</exception>
    /// <exception cref="TrainingDataException">The data has no target.</exception>
    public EvaluationReport Evaluate(CreditData data, ReadOnlySpan<double> probabilities)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.HasTarget)
        {
            throw CreditData.NoTarget();
        }

        if (probabilities.Length != data.RowCount)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities were given for {data.RowCount} rows.", nameof(probabilities));
        }

        var prior = double.IsNaN(Metadata.TrainingDefaultRate) ? data.DefaultRate : Metadata.TrainingDefaultRate;
        var report = ClassificationEvaluator.Evaluate(probabilities, data.Labels, Decision.Threshold, data.Weights, prior);
        if (Decision.Costs is { } costs && costs.CanResolve(data))
        {
            report = report with { Business = ThresholdAnalysis.Analyze(probabilities, data.Labels, costs.Resolve(data), data.Weights).At(Decision.Threshold) };
        }

        return report;
    }
}
