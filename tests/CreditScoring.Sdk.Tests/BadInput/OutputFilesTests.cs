using System.Diagnostics;
using System.Text;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.BadInput;

/// <summary>Issue 14, classes 5, 6 and 8: outputs all or nothing, atomic, never over a device; text cells neutralised.</summary>
public class OutputFilesTests
{
    [Fact]
    public void Uncommitted_LeavesEveryTargetAsItWas_AndNoTemporaryFile()
    {
        var dir = TestPaths.NewTempDirectory();
        var a = Path.Combine(dir, "a.txt");
        File.WriteAllText(a, "old");

        using (var files = new OutputFiles())
        {
            files.Create(a).Write("new"u8);
            files.Create(Path.Combine(dir, "b.txt")).Write("new"u8);
            Assert.Equal(2, TestPaths.OutputTemporaries(dir).Length);
        }

        Assert.Equal("old", File.ReadAllText(a));
        Assert.False(File.Exists(Path.Combine(dir, "b.txt")));
        Assert.Empty(TestPaths.OutputTemporaries(dir));
    }

    [Fact]
    public void Commit_ReplacesAllTargets()
    {
        var dir = TestPaths.NewTempDirectory();
        var a = Path.Combine(dir, "a.txt");
        File.WriteAllText(a, "old");
        using var files = new OutputFiles();
        using (var writer = new StreamWriter(files.Create(a)))
        {
            writer.Write("new a");
        }

        files.Create(Path.Combine(dir, "sub", "b.txt")).Write("new b"u8);
        files.Commit();

        Assert.Equal("new a", File.ReadAllText(a));
        Assert.Equal("new b", File.ReadAllText(Path.Combine(dir, "sub", "b.txt")));
        Assert.Empty(TestPaths.OutputTemporaries(dir));
    }

    [Fact]
    public void Commit_ThatFailsOnTheSecondFile_PutsTheFirstBack()
    {
        var dir = TestPaths.NewTempDirectory();
        var a = Path.Combine(dir, "a.txt");
        var b = Path.Combine(dir, "b.txt");
        File.WriteAllText(a, "old a");
        using var files = new OutputFiles();
        files.Create(a).Write("new a"u8);
        files.Create(b).Write("new b"u8);
        Directory.CreateDirectory(b); // the second rename cannot replace a directory

        Assert.ThrowsAny<IOException>(files.Commit);

        Assert.Equal("old a", File.ReadAllText(a));
        Assert.True(Directory.Exists(b));
        Assert.Empty(TestPaths.OutputTemporaries(dir));
    }

    [Fact]
    public void TheSameTargetTwice_IsRefused()
    {
        var dir = TestPaths.NewTempDirectory();
        using var files = new OutputFiles();
        files.Create(Path.Combine(dir, "m.json"));

        var e = Assert.Throws<IOException>(() => files.Create(Path.Combine(dir, ".", "m.json")));
        Assert.EndsWith("is given twice as an output; each output needs its own file.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectory_IsRefusedBeforeAnythingIsWritten()
    {
        var dir = TestPaths.NewTempDirectory();
        var e = Assert.Throws<IOException>(() => OutputFiles.WriteAllBytes(dir, "x"u8));
        Assert.Equal($"'{dir}' is a directory; give the path of a file to write.", e.Message);
    }

    [Fact]
    public void APipeOrADevice_IsRefused_AndLeftInPlace()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // named pipes and device nodes are Unix files
        }

        var dir = TestPaths.NewTempDirectory();
        var fifo = Path.Combine(dir, "fifo");
        Run("mkfifo", fifo);

        var e = Assert.Throws<IOException>(() => OutputFiles.WriteAllBytes(fifo, "x"u8));
        Assert.Equal($"'{fifo}' is a named pipe, not a regular file; refusing to replace it. Give the path of a file to write.", e.Message);
        Assert.Equal("p", Run("stat", "-c", "%A", fifo)[..1]);

        // A character device, as /dev/full: made in the test's own folder (root only), so a failure could replace nothing else.
        var device = Path.Combine(dir, "full");
        if (Environment.UserName == "root" && Run("mknod", device, "c", "1", "7") is not null && File.Exists(device))
        {
            e = Assert.Throws<IOException>(() => CreditModel.FromPredictor(TinyPredictor()).Save(device));
            Assert.Equal($"'{device}' is a character device, not a regular file; refusing to replace it. Give the path of a file to write.", e.Message);
            Assert.Equal("c", Run("stat", "-c", "%A", device)[..1]);
        }

        Assert.Empty(TestPaths.OutputTemporaries(dir));
    }

    [Fact]
    public void ASymbolicLink_IsFollowed_AndKept()
    {
        var dir = TestPaths.NewTempDirectory();
        var real = Path.Combine(dir, "v3.json");
        File.WriteAllText(real, "old");
        var link = Path.Combine(dir, "current.json");
        File.CreateSymbolicLink(link, real);

        OutputFiles.WriteAllBytes(link, "new"u8);

        Assert.Equal("new", File.ReadAllText(real));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void StaleTemporaryFilesOfEndedProcesses_AreRemovedByTheNextWrite()
    {
        var dir = TestPaths.NewTempDirectory();
        var target = Path.Combine(dir, "scores.csv");
        OutputFiles.WriteAllBytes(target, "x"u8);
        var host = new string([.. Environment.MachineName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')]);
        using var ended = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        ended.WaitForExit();
        var stale = Path.Combine(dir, $".scores.csv.{host}.{ended.Id}.0123456789abcdef0123456789abcdef.tmp");
        var alive = Path.Combine(dir, $".scores.csv.{host}.{Environment.ProcessId}.fedcba9876543210fedcba9876543210.tmp");
        var otherFile = Path.Combine(dir, $".other.csv.{host}.{ended.Id}.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(stale, "cut in the mid");
        File.WriteAllText(alive, "being written");
        File.WriteAllText(otherFile, "not ours");

        OutputFiles.WriteAllBytes(target, "y"u8);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(alive));
        Assert.True(File.Exists(otherFile));
    }

    [Fact]
    public void ScoresFile_NeutralizesFormulaCells_UnlessAskedNotTo()
    {
        var ids = new CategoricalColumn("id", ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1)", "+1", "-2", "\tTAB", "plain"]);
        var data = CreditData.FromColumns([ids], o => o.Id("id"));
        var scores = Enumerable.Range(0, 6).Select(i => new CreditScore(0.25, CreditDecision.Approve)).ToArray();
        using var stream = new MemoryStream();

        ScoresFile.Write(stream, data, scores);

        Assert.Equal(
            "id,probability,decision,warnings\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",0.25,approve,\n'@SUM(A1),0.25,approve,\n'+1,0.25,approve,\n'-2,0.25,approve,\n'\tTAB,0.25,approve,\nplain,0.25,approve,\n",
            Encoding.UTF8.GetString(stream.ToArray()));

        using var raw = new MemoryStream();
        ScoresFile.Write(raw, data, scores, new ScoresFileOptions { NeutralizeFormulas = false });
        Assert.StartsWith("id,probability,decision,warnings\n\"=HYPERLINK(", Encoding.UTF8.GetString(raw.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public void ScoresFile_NumericIdsAndInvalidProbabilities()
    {
        var data = CreditData.FromColumns([new NumericColumn("id", [-5, 7])], o => o.Id("id"));
        CreditScore[] scores = [new(0.5, CreditDecision.Decline), new CreditScore(double.NaN, CreditDecision.Decline) { Warnings = ScoreWarnings.InvalidProbability }];
        using var stream = new MemoryStream();

        ScoresFile.Write(stream, data, scores);

        Assert.Equal("id,probability,decision,warnings\n-5,0.5,decline,\n7,,decline,InvalidProbability\n", Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static CreditScoring.Sdk.Learners.ICreditPredictor TinyPredictor() =>
        new CreditScoring.Sdk.Learners.Linear.LogisticRegressionPredictor([new("x", CreditScoring.Sdk.Features.FeatureKind.Continuous)], [0], [1], 0, [1], null);

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }
}
