using System.Diagnostics;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.Tests.Tracking;

public sealed class RunSourceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-git-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TheCommit_IsReadFromTheRepositorysFiles_AsGitReadsIt()
    {
        var git = Process.Start(new ProcessStartInfo("git", ["-C", TestPaths.RepositoryRoot, "rev-parse", "HEAD"]) { RedirectStandardOutput = true })!;
        var expected = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();

        Assert.Equal(expected, RunSource.GitCommit(Path.Combine(TestPaths.RepositoryRoot, "src", "CreditScoring.Sdk")));
        var tags = RunSource.Describe(TestPaths.RepositoryRoot, "creditscoring-batch");
        Assert.Equal([new RunTag("mlflow.source.name", "creditscoring-batch"), new RunTag("mlflow.source.type", "LOCAL"), new RunTag("mlflow.source.git.commit", expected)], tags);
    }

    [Fact]
    public void Branches_PackedRefs_DetachedHeads_AndNoRepository_AreEachRead()
    {
        var (a, b) = (new string('a', 40), new string('b', 40));
        var gitDir = Directory.CreateDirectory(Path.Combine(_folder, "repo", ".git")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(_folder, "repo", "src", "deep")).FullName;
        File.WriteAllText(Path.Combine(gitDir, "HEAD"), "ref: refs/heads/main\n");
        File.WriteAllText(Path.Combine(gitDir, "packed-refs"), $"# pack-refs with: peeled\n{a} refs/heads/main\n{b} refs/heads/other\n");
        Assert.Equal(a, RunSource.GitCommit(work)); // packed

        Directory.CreateDirectory(Path.Combine(gitDir, "refs", "heads"));
        File.WriteAllText(Path.Combine(gitDir, "refs", "heads", "main"), b + "\n");
        Assert.Equal(b, RunSource.GitCommit(work)); // the loose ref wins

        File.WriteAllText(Path.Combine(gitDir, "HEAD"), a + "\n");
        Assert.Equal(a, RunSource.GitCommit(work)); // detached

        var outside = Directory.CreateDirectory(Path.Combine(_folder, "plain")).FullName;
        Assert.Null(RunSource.GitCommit(outside));
        Assert.DoesNotContain(RunSource.Describe(outside, null), t => t.Key == "mlflow.source.git.commit");
    }
}
