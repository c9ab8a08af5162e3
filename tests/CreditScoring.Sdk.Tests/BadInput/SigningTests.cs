using System.Security.Cryptography;
using System.Text;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.Tests.BadInput;

/// <summary>Issue 14, class 3: a signed model loads only where the verifying key accepts it; tampering is detected.</summary>
public class SigningTests
{
    private static readonly Lazy<CreditModel> Model = new(() =>
        new CreditScoringContext(seed: 42).CreatePipeline().Train(t => t.LogisticRegression()).Decide(d => d.Threshold(0.3)).Build()
            .Fit(CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"))));

    private static readonly byte[] Secret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    public static TheoryData<string> Kinds => ["hmac", "ecdsa"];

    private static (ModelSigningKey Signer, ModelSigningKey Verifier) Keys(string kind)
    {
        if (kind == "hmac")
        {
            return (ModelSigningKey.Hmac(Secret), ModelSigningKey.Hmac(Secret));
        }

        var signer = ModelSigningKey.CreateEcdsa();
        return (signer, ModelSigningKey.FromPem(signer.ExportPublicKeyPem()));
    }

    private static byte[] Signed(ModelSigningKey signer)
    {
        using var stream = new MemoryStream();
        Model.Value.Save(stream, signer);
        return stream.ToArray();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ASignedModel_LoadsWithItsKey_AndScoresAsBefore(string kind)
    {
        var (signer, verifier) = Keys(kind);
        var loaded = CreditModel.Load(new MemoryStream(Signed(signer)), verifier);

        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        Assert.Equal(Model.Value.CreateScorer().ScoreBatch(data), loaded.CreateScorer().ScoreBatch(data));
        Assert.Equal(verifier.Id, signer.Id);
        Assert.NotNull(CreditModel.Load(new MemoryStream(Signed(signer)))); // a plain load ignores the signature
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AThresholdEditedAndChecksummedAgain_IsRefusedBySignature(string kind)
    {
        var (signer, verifier) = Keys(kind);
        var file = Signed(signer);
        var payload = ModelFileForge.Payload(file);
        ModelFileForge.Set(payload, "decision.threshold", 0.9);
        var text = Encoding.UTF8.GetString(ModelFileForge.Write(payload));
        var signature = Encoding.UTF8.GetString(file)[Encoding.UTF8.GetString(file).IndexOf("\"signature\"", StringComparison.Ordinal)..];
        signature = signature[..(signature.IndexOf('}') + 1)];
        var forged = Encoding.UTF8.GetBytes(text.Replace("\"payload\": ", signature + ", \"payload\": ", StringComparison.Ordinal));

        Assert.Equal(0.9, CreditModel.Load(new MemoryStream(forged)).Decision.Threshold); // the checksum alone is fooled
        var e = Assert.Throws<ModelSignatureException>(() => CreditModel.Load(new MemoryStream(forged), verifier));
        Assert.Equal($"stream: the model file's signature by key {verifier.Id} does not match its contents: the file was changed after it was signed. Restore the signed file or sign the model again.", e.Message);
    }

    [Fact]
    public void OptionsLoadAFilesBytes_AsTheyLoadItsPath_CheckingTheSignature()
    {
        var (signer, verifier) = Keys("hmac");
        var options = new CreditScoringOptions { SignatureKey = Convert.ToBase64String(Secret) };

        var loaded = options.LoadModel(Signed(signer));

        Assert.Equal(Model.Value.Metadata.DataFingerprint, loaded.Metadata.DataFingerprint);
        var unsigned = new MemoryStream();
        Model.Value.Save(unsigned);
        Assert.Throws<ModelSignatureException>(() => options.LoadModel(unsigned.ToArray()));
        Assert.Equal(Model.Value.Metadata.DataFingerprint, new CreditScoringOptions().LoadModel(unsigned.ToArray()).Metadata.DataFingerprint);
        signer.Dispose();
        verifier.Dispose();
    }

    [Fact]
    public void AnUnsignedModel_IsRefusedWhereASignatureIsRequired()
    {
        using var key = ModelSigningKey.Hmac(Secret);
        using var stream = new MemoryStream();
        Model.Value.Save(stream);

        var e = Assert.Throws<ModelSignatureException>(() => CreditModel.Load(new MemoryStream(stream.ToArray()), key));

        Assert.Equal($"stream: the model file is not signed, but a signature by key {key.Id} (HMAC-SHA256) is required. Sign it when saving: model.Save(path, key), or the CLI's train --sign-key.", e.Message);
    }

    [Fact]
    public void AModelSignedByAnotherKey_IsRefusedNamingBothKeys()
    {
        using var mine = ModelSigningKey.Hmac(Secret);
        using var theirs = ModelSigningKey.Hmac(RandomNumberGenerator.GetBytes(32));
        using var ecdsa = ModelSigningKey.CreateEcdsa();

        var e = Assert.Throws<ModelSignatureException>(() => CreditModel.Load(new MemoryStream(Signed(theirs)), mine));
        Assert.Equal($"stream: the model file is signed by key {theirs.Id} (HMAC-SHA256), but the verifying key is {mine.Id} (HMAC-SHA256): it was not signed by this key.", e.Message);
        Assert.Throws<ModelSignatureException>(() => CreditModel.Load(new MemoryStream(Signed(ecdsa)), mine));
    }

    [Fact]
    public void Keys_AreCheckedAndExportedAsDocumented()
    {
        Assert.Equal("An HMAC-SHA256 signing key must have at least 32 bytes; this one has 16. (Parameter 'key')", Assert.Throws<ArgumentException>(() => ModelSigningKey.Hmac(new byte[16])).Message);
        Assert.StartsWith("The text is not a PEM ECDSA key", Assert.Throws<ArgumentException>(() => ModelSigningKey.FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")).Message, StringComparison.Ordinal);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.StartsWith("The ECDSA key is on", Assert.Throws<ArgumentException>(() => ModelSigningKey.FromPem(p384.ExportSubjectPublicKeyInfoPem())).Message, StringComparison.Ordinal);

        using var hmac = ModelSigningKey.FromText(Convert.ToBase64String(Secret));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Secret))[..16], hmac.Id);
        using var pair = ModelSigningKey.CreateEcdsa();
        using var publicOnly = ModelSigningKey.FromText(pair.ExportPublicKeyPem());
        using var again = ModelSigningKey.FromText(pair.ExportSigningKey());
        Assert.False(publicOnly.CanSign);
        Assert.True(again.CanSign);
        Assert.Equal(pair.Id, again.Id);
        Assert.StartsWith("The key", Assert.Throws<ConfigurationException>(() => Model.Value.Save(new MemoryStream(), publicOnly)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCreditScoring_CanRequireASignature()
    {
        var dir = TestPaths.NewTempDirectory();
        using var pair = ModelSigningKey.CreateEcdsa();
        var signedPath = Path.Combine(dir, "signed.json");
        var unsignedPath = Path.Combine(dir, "unsigned.json");
        var publicKey = Path.Combine(dir, "model.pub");
        Model.Value.Save(signedPath, pair);
        Model.Value.Save(unsignedPath);
        File.WriteAllText(publicKey, pair.ExportPublicKeyPem());

        async Task<Exception?> Start(Action<CreditScoringOptions> configure)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddCreditScoring(configure);
            using var host = builder.Build();
            try
            {
                await host.StartAsync();
                Assert.NotNull(host.Services.GetRequiredService<ICreditScorer>());
                await host.StopAsync();
                return null;
            }
            catch (OptionsValidationException e)
            {
                return e;
            }
        }

        Assert.Null(await Start(o => { o.ModelPath = signedPath; o.RequireSignature = true; o.SignatureKeyPath = publicKey; }));
        Assert.Null(await Start(o => { o.ModelPath = signedPath; o.SignatureKey = pair.ExportPublicKeyPem(); }));
        Assert.Equal(
            "RequireSignature: a signed model is required, but no verifying key is configured; set SignatureKey (base64 HMAC key or PEM public key) or SignatureKeyPath.",
            (await Start(o => { o.ModelPath = signedPath; o.RequireSignature = true; }))!.Message);
        Assert.StartsWith($"ModelPath: {unsignedPath}: the model file is not signed, but a signature by key {pair.Id}", (await Start(o => { o.ModelPath = unsignedPath; o.SignatureKeyPath = publicKey; }))!.Message, StringComparison.Ordinal);
    }
}
