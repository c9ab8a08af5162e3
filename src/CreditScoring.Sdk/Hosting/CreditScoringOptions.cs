using System.ComponentModel.DataAnnotations;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Scoring;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.Hosting;

/// <summary>Options of <c>services.AddCreditScoring(...)</c>, validated when the host starts.</summary>
public sealed class CreditScoringOptions
{
    /// <summary>The configuration section the <c>IConfiguration</c> overload reads by convention.</summary>
    public const string SectionName = "CreditScoring";

    /// <summary>The model file to serve (written by <see cref="CreditModel.Save(string)"/>). Required; it must exist and load.</summary>
    /// <value>Default <see langword="null"/>.</value>
    [Required]
    public string? ModelPath { get; set; }

    /// <summary>What the scorer does with categories not seen in training.</summary>
    /// <value>Default <see cref="UnknownCategoryHandling.Ignore"/>.</value>
    [EnumDataType(typeof(UnknownCategoryHandling))]
    public UnknownCategoryHandling UnknownCategory { get; set; } = UnknownCategoryHandling.Ignore;

    /// <summary>What the scorer does with a numeric input outside the training range (see <see cref="ScorerOptions.OutOfRange"/>).</summary>
    /// <value>Default <see cref="OutOfRangeHandling.Flag"/>.</value>
    [EnumDataType(typeof(OutOfRangeHandling))]
    public OutOfRangeHandling OutOfRange { get; set; } = OutOfRangeHandling.Flag;

    /// <summary>How far beyond the training range a value may lie, as a share of the range's width (see <see cref="ScorerOptions.OutOfRangeTolerance"/>).</summary>
    /// <value>Default 0.</value>
    [Range(0, 1e6)]
    public double OutOfRangeTolerance { get; set; }

    /// <summary>What the scorer does when the model gives no valid probability (see <see cref="ScorerOptions.InvalidProbability"/>).</summary>
    /// <value>Default <see cref="InvalidProbabilityHandling.Throw"/>.</value>
    [EnumDataType(typeof(InvalidProbabilityHandling))]
    public InvalidProbabilityHandling InvalidProbability { get; set; } = InvalidProbabilityHandling.Throw;

    /// <summary>
    /// Whether the model file must be signed (see <see cref="ModelSigningKey"/>): the host then refuses to start unless
    /// <see cref="SignatureKey"/> or <see cref="SignatureKeyPath"/> gives the verifying key, and the model is signed by it.
    /// </summary>
    /// <value>Default <see langword="false"/>. Whenever a key is given, the model must be signed by it, whatever this says.</value>
    public bool RequireSignature { get; set; }

    /// <summary>The verifying key as text: the base64 of an HMAC key, or a PEM ECDSA public key (from a secret store, say).</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? SignatureKey { get; set; }

    /// <summary>A file holding the verifying key (a PEM ECDSA public key, or the base64 of an HMAC key).</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? SignatureKeyPath { get; set; }

    /// <summary>What identifies a load: the same path and key give the same model.</summary>
    internal string LoadKey => $"{ModelPath}\n{SignatureKey}\n{SignatureKeyPath}";

    /// <summary>Loads the model as configured: verified against the signature key when one is given.</summary>
    internal CreditModel LoadModel()
    {
        using var key = SigningKey();
        return key is null ? CreditModel.Load(ModelPath!) : CreditModel.Load(ModelPath!, key);
    }

    /// <summary>
    /// Loads a model file's bytes as these options load <see cref="ModelPath"/>: verified against the signature key when
    /// one is configured (a host that reloads a changed file reads it once, checks those bytes and serves them).
    /// </summary>
    /// <param name="file">The model file's bytes.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">The bytes are not a model file, or were edited.</exception>
    /// <exception cref="ModelSignatureException">A key is configured and the file is unsigned, signed by another key, or changed after signing.</exception>
    public CreditModel LoadModel(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var stream = new MemoryStream(file, writable: false);
        using var key = SigningKey();
        return key is null ? CreditModel.Load(stream) : CreditModel.Load(stream, key);
    }

    /// <summary>The configured verifying key, or <see langword="null"/> when none is.</summary>
    private ModelSigningKey? SigningKey() =>
        SignatureKey is not null ? ModelSigningKey.FromText(SignatureKey, "SignatureKey")
        : SignatureKeyPath is not null ? ModelSigningKey.FromFile(SignatureKeyPath)
        : null;

    /// <summary>The scorer options these options set: unknown categories, out-of-range inputs, invalid probabilities.</summary>
    /// <returns>The scorer options.</returns>
    public ScorerOptions ToScorerOptions() => new()
    {
        UnknownCategory = UnknownCategory,
        OutOfRange = OutOfRange,
        OutOfRangeTolerance = OutOfRangeTolerance,
        InvalidProbability = InvalidProbability,
    };
}

/// <summary>DataAnnotations rules of <see cref="CreditScoringOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class CreditScoringOptionsValidator : IValidateOptions<CreditScoringOptions>;

/// <summary>
/// The model the host serves, loaded once: the validator that runs at start loads it (so a bad file stops the host) and the
/// <see cref="CreditModel"/> singleton takes the same instance instead of reading the file again.
/// </summary>
internal sealed class HostedModel
{
    private readonly Lock _gate = new();
    private (string Key, CreditModel Model)? _loaded;

    /// <summary>Whether the model these options name is loaded already (options are validated at start and again when first read).</summary>
    public bool Has(CreditScoringOptions options)
    {
        lock (_gate)
        {
            return _loaded is { } loaded && loaded.Key == options.LoadKey;
        }
    }

    public CreditModel Get(CreditScoringOptions options)
    {
        lock (_gate)
        {
            var key = options.LoadKey;
            if (_loaded is { } loaded && loaded.Key == key)
            {
                return loaded.Model;
            }

            var model = options.LoadModel();
            _loaded = (key, model);
            return model;
        }
    }
}

/// <summary>Cross-field and file rules: the model file exists and loads (checksum, format version).</summary>
internal sealed class CreditScoringOptionsFileValidator(HostedModel hosted) : IValidateOptions<CreditScoringOptions>
{
    public ValidateOptionsResult Validate(string? name, CreditScoringOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ModelPath))
        {
            return ValidateOptionsResult.Skip;
        }

        if (hosted.Has(options))
        {
            return ValidateOptionsResult.Success;
        }

        if (!File.Exists(options.ModelPath))
        {
            return ValidateOptionsResult.Fail($"ModelPath: the model file '{options.ModelPath}' does not exist (working directory: {Environment.CurrentDirectory}).");
        }

        if (options.SignatureKey is not null && options.SignatureKeyPath is not null)
        {
            return ValidateOptionsResult.Fail("SignatureKey and SignatureKeyPath are both set; give the verifying key one way.");
        }

        if (options.RequireSignature && options.SignatureKey is null && options.SignatureKeyPath is null)
        {
            return ValidateOptionsResult.Fail("RequireSignature: a signed model is required, but no verifying key is configured; set SignatureKey (base64 HMAC key or PEM public key) or SignatureKeyPath.");
        }

        if (options.SignatureKeyPath is not null && !File.Exists(options.SignatureKeyPath))
        {
            return ValidateOptionsResult.Fail($"SignatureKeyPath: the key file '{options.SignatureKeyPath}' does not exist.");
        }

        try
        {
            _ = hosted.Get(options);
            return ValidateOptionsResult.Success;
        }
        catch (ModelFormatException e)
        {
            return ValidateOptionsResult.Fail("ModelPath: " + e.Message);
        }
        catch (ModelSignatureException e)
        {
            return ValidateOptionsResult.Fail("ModelPath: " + e.Message);
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail((options.SignatureKey is not null ? "SignatureKey: " : "SignatureKeyPath: ") + e.Message);
        }
        catch (IOException e)
        {
            return ValidateOptionsResult.Fail($"ModelPath: the model file '{options.ModelPath}' cannot be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return ValidateOptionsResult.Fail($"ModelPath: the model file '{options.ModelPath}' cannot be read: {e.Message}");
        }
    }
}
