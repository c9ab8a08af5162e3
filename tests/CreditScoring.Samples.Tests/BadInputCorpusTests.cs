using System.Text;
using CreditScoring.Batch;

namespace CreditScoring.Samples.Tests;

/// <summary>
/// Issue 14's bad-input corpus: each folder of <c>Corpus/</c> is one case, a <c>case.txt</c> beside its input files, run
/// through the CLI with its exit code and exact error line (or output) checked. Directives, one per line (<c>#</c> starts a
/// comment, the first comment says what the case is):
/// <list type="bullet">
/// <item><c>args: ...</c> the command line (required), split on spaces;</item>
/// <item><c>exit: N</c> the exit code (required);</item>
/// <item><c>error: ...</c> the exact <c>error:</c> line; <c>stdout: ...</c> and <c>stderr: ...</c> text the output must contain;</item>
/// <item><c>write: FILE = TEXT</c> a file to create first (<c>\n</c> for a line break);</item>
/// <item><c>forge: FILE = PATH VALUE</c> the shared model with one number of its payload set and its checksum recomputed;</item>
/// <item><c>same: FILE = TEXT</c> the file's whole content afterwards; <c>line: FILE:N = PREFIX</c> its line N starts so.</item>
/// </list>
/// Placeholders: <c>{dir}</c> the case folder, <c>{out}</c> a fresh folder, <c>{data}</c> the bundled data, <c>{model}</c> a
/// logistic model trained on it.
/// </summary>
public class BadInputCorpusTests
{
    private static readonly string Root = Path.Combine(TestPaths.RepositoryRoot, "tests", "CreditScoring.Samples.Tests", "Corpus");

    private static readonly Lazy<string> SharedModel = new(() =>
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "model.json");
        var (exit, _, error) = CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", path);
        Assert.True(exit == 0, error);
        return path;
    });

    public static TheoryData<string> Cases => [.. Directory.GetDirectories(Root).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    [Fact]
    public void TheCorpusCoversEveryClassOfTheIssue()
    {
        var classes = Directory.GetDirectories(Root)
            .SelectMany(d => File.ReadLines(Path.Combine(d, "case.txt")).Take(1))
            .SelectMany(l => System.Text.RegularExpressions.Regex.Matches(l, @"class (\d+)").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToHashSet();
        Assert.Equal(Enumerable.Range(1, 11), classes.Order());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case(string name)
    {
        var dir = Path.Combine(Root, name);
        var output = TestPaths.NewTempDirectory();
        string Expand(string text) => text
            .Replace("{dir}", dir, StringComparison.Ordinal)
            .Replace("{out}", output, StringComparison.Ordinal)
            .Replace("{data}", TestPaths.CreditData, StringComparison.Ordinal)
            .Replace("{model}", text.Contains("{model}", StringComparison.Ordinal) ? SharedModel.Value : "", StringComparison.Ordinal)
            .Replace("\\n", "\n", StringComparison.Ordinal);

        string[]? args = null;
        int? exit = null;
        var checks = new List<Action<int, string, string>>();
        foreach (var raw in File.ReadAllLines(Path.Combine(dir, "case.txt")))
        {
            if (raw.Length == 0 || raw.StartsWith('#'))
            {
                continue;
            }

            var colon = raw.IndexOf(": ", StringComparison.Ordinal);
            var (directive, value) = (raw[..colon], Expand(raw[(colon + 2)..]));
            var eq = value.IndexOf(" = ", StringComparison.Ordinal);
            switch (directive)
            {
                case "args": args = value.Split(' '); break;
                case "exit": exit = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "error": checks.Add((_, _, stderr) => Assert.Equal(value, CliRunner.ErrorLine(stderr))); break;
                case "stdout": checks.Add((_, stdout, _) => Assert.Contains(value, stdout, StringComparison.Ordinal)); break;
                case "stderr": checks.Add((_, _, stderr) => Assert.Contains(value, stderr, StringComparison.Ordinal)); break;
                case "write": File.WriteAllText(value[..eq], value[(eq + 3)..]); break;
                case "forge":
                    var (target, spec) = (value[..eq], value[(eq + 3)..].Split(' '));
                    var payload = ModelFileForge.Payload(File.ReadAllBytes(SharedModel.Value));
                    ModelFileForge.Set(payload, spec[0], double.Parse(spec[1], System.Globalization.CultureInfo.InvariantCulture));
                    File.WriteAllBytes(target, ModelFileForge.Write(payload, 5));
                    break;
                case "same": checks.Add((_, _, _) => Assert.Equal(value[(eq + 3)..], File.ReadAllText(value[..eq]))); break;
                case "line":
                    var (file, number) = (value[..value.LastIndexOf(':', eq)], int.Parse(value[(value.LastIndexOf(':', eq) + 1)..eq], System.Globalization.CultureInfo.InvariantCulture));
                    checks.Add((_, _, _) => Assert.StartsWith(value[(eq + 3)..], File.ReadAllLines(file)[number - 1], StringComparison.Ordinal));
                    break;
                default: throw new InvalidOperationException($"{name}/case.txt: unknown directive '{directive}'.");
            }
        }

        Assert.NotNull(args);
        Assert.NotNull(exit);
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.True(code == exit, $"exit {code}, expected {exit}; stderr: {stderr}");
        foreach (var check in checks)
        {
            check(code, stdout, stderr);
        }

        Assert.Empty(TestPaths.OutputTemporaries(output));
    }
}
