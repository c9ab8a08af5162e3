using System.Diagnostics;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>Node.js packages the tests drive, installed into <c>artifacts/node</c> of the repository (by <c>.ci/run</c>, or here on first use).</summary>
internal static class NodeModules
{
    /// <summary>The version of the npm package <c>mlflow</c> the wire-compatibility test drives.</summary>
    public const string MlflowVersion = "2.0.7";

    private static readonly Lazy<string> Installed = new(() =>
    {
        var folder = Path.Combine(TestPaths.RepositoryRoot, "artifacts", "node");
        if (!File.Exists(Path.Combine(folder, "node_modules", "mlflow", "package.json")))
        {
            Directory.CreateDirectory(folder);
            var (exit, log) = Run("npm", ["install", "--prefix", folder, "--no-audit", "--no-fund", "--no-save", $"mlflow@{MlflowVersion}"]);
            if (exit != 0)
            {
                throw new InvalidOperationException($"npm install mlflow@{MlflowVersion} failed ({exit}); .ci/run installs it (the npm registry must be reachable):\n{log}");
            }
        }

        return folder;
    });

    /// <summary>The folder whose <c>node_modules</c> holds <c>mlflow</c>.</summary>
    public static string Mlflow() => Installed.Value;

    /// <summary>Runs a program to its end (at most two minutes); its exit code and what it printed.</summary>
    public static (int Exit, string Log) Run(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} did not finish within two minutes");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
