using System.CommandLine;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Batch.Commands;

/// <summary><c>keygen</c>: a key to sign models with and verify them by.</summary>
internal static class KeyGenCommand
{
    public static Command Create(SharedOptions shared)
    {
        var kindOption = new Option<string>("--kind") { Description = "ecdsa (a P-256 key pair: the private key signs, the public key only verifies) or hmac (one 32-byte secret that signs and verifies).", DefaultValueFactory = _ => "ecdsa" };
        var outOption = new Option<string>("--out") { Description = "The signing key file (written readable by its owner only).", Required = true };
        var publicOption = new Option<string?>("--public") { Description = "ecdsa: where the public key goes. Default: --out with .pub appended." };
        var command = new Command("keygen", "Create a key to sign models with (train --sign-key) and to verify them (--verify-key, or CreditScoring:SignatureKeyPath in a host).") { kindOption, outOption, publicOption };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () => Run(shared.Output, p.GetValue(kindOption)!, p.GetValue(outOption)!, p.GetValue(publicOption))));
        return command;
    }

    private static int Run(TextWriter output, string kind, string path, string? publicPath)
    {
        using var key = kind.ToLowerInvariant() switch
        {
            "ecdsa" => ModelSigningKey.CreateEcdsa(),
            "hmac" => ModelSigningKey.Hmac(System.Security.Cryptography.RandomNumberGenerator.GetBytes(ModelSigningKey.MinimumHmacKeyBytes)),
            _ => throw new CliException($"--kind '{kind}' is not ecdsa or hmac."),
        };
        using var outputs = new OutputFiles();
        using (var writer = new StreamWriter(outputs.Create(path, UnixFileMode.UserRead | UnixFileMode.UserWrite)))
        {
            writer.Write(key.ExportSigningKey() + "\n");
        }

        var pub = key.Algorithm == ModelSigningKey.EcdsaAlgorithm ? publicPath ?? path + ".pub" : null;
        if (pub is not null)
        {
            using var writer = new StreamWriter(outputs.Create(pub));
            writer.Write(key.ExportPublicKeyPem() + "\n");
        }
        else if (publicPath is not null)
        {
            throw new CliException("--public applies to ecdsa keys; an HMAC key has no public half.");
        }

        outputs.Commit();
        output.WriteLine($"Created {key.Algorithm} key {key.Id}: {path} signs{(pub is null ? " and verifies" : $", {pub} verifies")}.");
        return 0;
    }
}
