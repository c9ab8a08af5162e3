using System.Security.Cryptography;
using System.Text;

namespace CreditScoring.Sdk.Scoring;

/// <summary>
/// A key that signs model files and verifies their signatures, so that a model loads only where the verifying key accepts
/// it: the checksum of a model file detects damage, but anyone who can write the file can recompute it; a signature cannot
/// be recomputed without the key. Two kinds:
/// <list type="bullet">
/// <item><b>HMAC-SHA256</b> (<see cref="Hmac"/>): one secret key of at least 32 bytes signs and verifies (RFC 2104); the
/// training job and the scoring service share it, for example from a secret store.</item>
/// <item><b>ECDSA P-256 with SHA-256</b> (<see cref="FromPem"/>, FIPS 186-4): the private key signs, the public key only
/// verifies, so a scoring service can hold a key that cannot sign.</item>
/// </list>
/// The signature covers the file's format version and its payload's exact bytes. Each key has an id (its fingerprint: the
/// first 16 hex digits of the SHA-256 of the HMAC key or of the public key), written in the file, so that a mismatch says
/// which key signed it.
/// </summary>
public sealed class ModelSigningKey : IDisposable
{
    /// <summary>The HMAC algorithm's name in model files.</summary>
    public const string HmacAlgorithm = "HMAC-SHA256";

    /// <summary>The ECDSA algorithm's name in model files.</summary>
    public const string EcdsaAlgorithm = "ECDSA-P256-SHA256";

    /// <summary>The shortest HMAC key accepted, in bytes (the hash's output size, as RFC 2104 recommends).</summary>
    public const int MinimumHmacKeyBytes = 32;

    private const string P256Oid = "1.2.840.10045.3.1.7";

    private readonly byte[]? _hmacKey;
    private readonly ECDsa? _ecdsa;

    private ModelSigningKey(byte[]? hmacKey, ECDsa? ecdsa, bool canSign, string id)
    {
        _hmacKey = hmacKey;
        _ecdsa = ecdsa;
        CanSign = canSign;
        Id = id;
    }

    /// <summary><see cref="HmacAlgorithm"/> or <see cref="EcdsaAlgorithm"/>.</summary>
    public string Algorithm => _hmacKey is not null ? HmacAlgorithm : EcdsaAlgorithm;

    /// <summary>The key's id: the first 16 hex digits of the SHA-256 of the HMAC key or of the public key (SubjectPublicKeyInfo).</summary>
    public string Id { get; }

    /// <summary>Whether the key can sign (an HMAC key or an ECDSA private key) or only verify (an ECDSA public key).</summary>
    public bool CanSign { get; }

    /// <summary>An HMAC-SHA256 key.</summary>
    /// <param name="key">The secret, at least <see cref="MinimumHmacKeyBytes"/> bytes (e.g. from <see cref="RandomNumberGenerator"/>).</param>
    /// <returns>The key (signs and verifies).</returns>
    /// <exception cref="ArgumentException">The key is shorter than 32 bytes.</exception>
    public static ModelSigningKey Hmac(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumHmacKeyBytes)
        {
            throw new ArgumentException($"An HMAC-SHA256 signing key must have at least {MinimumHmacKeyBytes} bytes; this one has {key.Length}.", nameof(key));
        }

        return new ModelSigningKey(key.ToArray(), null, canSign: true, Fingerprint(key));
    }

    /// <summary>An ECDSA P-256 key from PEM text: a private key (<c>PRIVATE KEY</c> or <c>EC PRIVATE KEY</c>) signs and verifies, a public key (<c>PUBLIC KEY</c>) only verifies.</summary>
    /// <param name="pem">The PEM text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The text is not a PEM ECDSA key on the P-256 curve.</exception>
    public static ModelSigningKey FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw new ArgumentException($"The text is not a PEM ECDSA key ({e.Message}); create one with `openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt` or the CLI's keygen.", nameof(pem), e);
        }

        return FromEcdsa(ecdsa, pem.Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    /// <summary>
    /// A key from a file: PEM text (an ECDSA key, see <see cref="FromPem"/>), or the base64 text of an HMAC key.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The file holds neither.</exception>
    public static ModelSigningKey FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return FromText(File.ReadAllText(path), path);
    }

    /// <summary>A key from text: PEM (an ECDSA key) or base64 (an HMAC key), as in configuration.</summary>
    /// <param name="text">The text.</param>
    /// <param name="source">Names the text in messages.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The text holds neither.</exception>
    public static ModelSigningKey FromText(string text, string source = "the key")
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return FromPem(trimmed);
        }

        var buffer = new byte[trimmed.Length];
        if (!Convert.TryFromBase64String(trimmed, buffer, out var length))
        {
            throw new ArgumentException($"{source} is neither a PEM ECDSA key nor the base64 text of an HMAC key.");
        }

        return Hmac(buffer.AsSpan(0, length));
    }

    /// <summary>Creates a new ECDSA P-256 key pair.</summary>
    /// <returns>The private key (which also verifies); export its public half with <see cref="ExportPublicKeyPem"/>.</returns>
    public static ModelSigningKey CreateEcdsa() => FromEcdsa(ECDsa.Create(ECCurve.NamedCurves.nistP256), canSign: true);

    /// <summary>The key as text for a key file: PKCS#8 PEM for an ECDSA private key, base64 for an HMAC key.</summary>
    /// <returns>The text.</returns>
    /// <exception cref="ConfigurationException">The key is an ECDSA public key (it has no private part to export).</exception>
    public string ExportSigningKey()
    {
        if (_hmacKey is not null)
        {
            return Convert.ToBase64String(_hmacKey);
        }

        return CanSign ? _ecdsa!.ExportPkcs8PrivateKeyPem() : throw new ConfigurationException("This is a public key; it cannot sign and has no private key to export.");
    }

    /// <summary>The public key as PEM (SubjectPublicKeyInfo), for the services that only verify.</summary>
    /// <returns>The PEM text.</returns>
    /// <exception cref="ConfigurationException">The key is an HMAC key, which has no public half.</exception>
    public string ExportPublicKeyPem() =>
        _ecdsa?.ExportSubjectPublicKeyInfoPem() ?? throw new ConfigurationException("An HMAC key has no public half: the verifying service needs the same secret.");

    /// <inheritdoc />
    public void Dispose()
    {
        _ecdsa?.Dispose();
        if (_hmacKey is not null)
        {
            CryptographicOperations.ZeroMemory(_hmacKey);
        }
    }

    /// <summary>Signs a message.</summary>
    internal byte[] Sign(ReadOnlySpan<byte> message)
    {
        if (!CanSign)
        {
            throw new ConfigurationException($"The key {Id} is an ECDSA public key: it verifies signatures but cannot sign. Sign with the private key.");
        }

        return _hmacKey is not null
            ? HMACSHA256.HashData(_hmacKey, message)
            : _ecdsa!.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Whether a signature of a message is this key's.</summary>
    internal bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        _hmacKey is not null
            ? CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_hmacKey, message), signature)
            : _ecdsa!.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The message a model file's signature covers: the format name and version, then the payload's bytes.</summary>
    internal static byte[] Message(int formatVersion, ReadOnlySpan<byte> payload)
    {
        var prefix = Encoding.ASCII.GetBytes($"creditscoring-model/{formatVersion}\n");
        return [.. prefix, .. payload];
    }

    private static ModelSigningKey FromEcdsa(ECDsa ecdsa, bool canSign)
    {
        var curve = ecdsa.ExportParameters(includePrivateParameters: false).Curve;
        if (curve.Oid?.Value != P256Oid)
        {
            var name = curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "an explicit curve";
            ecdsa.Dispose();
            throw new ArgumentException($"The ECDSA key is on {name}; model signatures use the P-256 curve (prime256v1, secp256r1).");
        }

        return new ModelSigningKey(null, ecdsa, canSign, Fingerprint(ecdsa.ExportSubjectPublicKeyInfo()));
    }

    private static string Fingerprint(ReadOnlySpan<byte> material) => Convert.ToHexStringLower(SHA256.HashData(material))[..16];
}
