using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace CreditScoring.Sdk.TestUtils;

/// <summary>
/// A small snapshot helper with Verify's file naming: the expected text lives in
/// <c>{TestClass}.{TestMethod}.verified.txt</c> beside the test source. On a mismatch (or when the file
/// does not exist) the actual text is written to <c>.received.txt</c> (git-ignored) and the test
/// fails; accept a change by renaming received to verified after reading the diff. Never hand-edit
/// verified files.
/// </summary>
public static partial class Snapshot
{
    /// <summary>Compares text with the verified snapshot of the calling test.</summary>
    public static void Verify(string actual, string? scenario = null, [CallerFilePath] string sourceFile = "", [CallerMemberName] string method = "")
    {
        // CI builds (ContinuousIntegrationBuild) map the repository root to "/_/" in compiler paths.
        if (sourceFile.StartsWith("/_/", StringComparison.Ordinal))
        {
            sourceFile = Path.Combine(TestPaths.RepositoryRoot, sourceFile[3..]);
        }

        var directory = Path.GetDirectoryName(sourceFile)!;
        var name = Path.GetFileNameWithoutExtension(sourceFile) + "." + method + (scenario is null ? "" : "_" + scenario);
        var verified = Path.Combine(directory, name + ".verified.txt");
        var received = Path.Combine(directory, name + ".received.txt");
        var normalized = actual.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";
        if (File.Exists(verified) && File.ReadAllText(verified) == normalized)
        {
            if (File.Exists(received))
            {
                File.Delete(received);
            }

            return;
        }

        File.WriteAllText(received, normalized);
        Assert.Fail(File.Exists(verified)
            ? $"Snapshot mismatch: compare {received} with {verified}; if the change is right, rename received to verified."
            : $"No verified snapshot yet: read {received} and, if it is right, rename it to {Path.GetFileName(verified)}.");
    }

    /// <summary>Replaces ISO timestamps, durations named *Seconds, SHA-256 hex strings, SDK versions, payload lengths and solver round-off (maxGradient) with placeholders.</summary>
    public static string Scrub(string text)
    {
        text = IsoTimestamp().Replace(text, "{timestamp}");
        text = Sha256().Replace(text, "{sha256}");
        text = Seconds().Replace(text, "$1{seconds}");
        text = SdkVersion().Replace(text, "$1{version}\"");
        text = PayloadLength().Replace(text, "$1{length}");
        text = MaxGradient().Replace(text, "$1{round-off}");
        return text;
    }

    /// <summary>
    /// Rounds every number with a fraction or exponent to <paramref name="digits"/> significant digits, so that
    /// snapshots do not pin the last bits of vectorised sums (which may differ between CPUs). Exactness is
    /// tested elsewhere; snapshots guard structure and values.
    /// </summary>
    public static string RoundNumbers(string text, int digits = 9) =>
        FloatingNumber().Replace(text, m => double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)
            .ToString("G" + digits.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")]
    private static partial Regex IsoTimestamp();

    [GeneratedRegex(@"\b[0-9a-f]{64}\b")]
    private static partial Regex Sha256();

    [GeneratedRegex(@"(""\w*[sS]econds"":\s*)[0-9.eE+-]+")]
    private static partial Regex Seconds();

    [GeneratedRegex(@"(""sdkVersion"":\s*"")[^""]*""")]
    private static partial Regex SdkVersion();

    [GeneratedRegex(@"-?\b\d+\.\d+(?:[eE][+-]?\d+)?|-?\b\d+[eE][+-]?\d+")]
    private static partial Regex FloatingNumber();

    [GeneratedRegex(@"(""maxGradient"":\s*)[0-9.eE+-]+")]
    private static partial Regex MaxGradient();

    [GeneratedRegex(@"(""payloadLength"":\s*)\d+")]
    private static partial Regex PayloadLength();
}
