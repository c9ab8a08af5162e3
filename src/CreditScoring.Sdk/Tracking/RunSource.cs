using System.Reflection;

namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// Where a run comes from, as MLflow's system tags say it: the program (<c>mlflow.source.name</c>, the entry assembly),
/// <c>mlflow.source.type</c> <c>LOCAL</c>, and, when the working folder is inside a git repository, the commit checked
/// out (<c>mlflow.source.git.commit</c>), read from the repository's files without running git.
/// </summary>
public static class RunSource
{
    private static readonly Lazy<IReadOnlyList<RunTag>> Current = new(() => Describe(Environment.CurrentDirectory, Assembly.GetEntryAssembly()?.GetName().Name));

    /// <summary>The tags of the current process: its entry assembly and the git commit of the working folder, read once.</summary>
    public static IReadOnlyList<RunTag> Tags => Current.Value;

    /// <summary>The tags of a program run from a folder.</summary>
    /// <param name="folder">The working folder.</param>
    /// <param name="program">The program's name, or <see langword="null"/> for <c>CreditScoring.Sdk</c>.</param>
    /// <returns>The tags.</returns>
    public static IReadOnlyList<RunTag> Describe(string folder, string? program)
    {
        var tags = new List<RunTag> { new("mlflow.source.name", program ?? "CreditScoring.Sdk"), new("mlflow.source.type", "LOCAL") };
        if (GitCommit(folder) is { } commit)
        {
            tags.Add(new RunTag("mlflow.source.git.commit", commit));
        }

        return tags;
    }

    /// <summary>The commit checked out in the git repository holding <paramref name="folder"/>, or <see langword="null"/> outside one.</summary>
    /// <param name="folder">A folder.</param>
    /// <returns>The commit's id (40 hexadecimal digits), or <see langword="null"/>.</returns>
    public static string? GitCommit(string folder)
    {
        try
        {
            for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
            {
                var dotGit = Path.Combine(dir.FullName, ".git");
                var gitDir = Directory.Exists(dotGit) ? dotGit
                    : File.Exists(dotGit) && File.ReadAllText(dotGit).Trim() is var link && link.StartsWith("gitdir:", StringComparison.Ordinal) ? Path.GetFullPath(link[7..].Trim(), dir.FullName)
                    : null;
                if (gitDir is null)
                {
                    continue;
                }

                var head = File.ReadAllText(Path.Combine(gitDir, "HEAD")).Trim();
                if (!head.StartsWith("ref:", StringComparison.Ordinal))
                {
                    return IsCommit(head) ? head : null;
                }

                // A branch: its loose ref, else the packed one (in the main repository's folder for a worktree).
                var name = head[4..].Trim();
                var common = File.Exists(Path.Combine(gitDir, "commondir")) ? Path.GetFullPath(File.ReadAllText(Path.Combine(gitDir, "commondir")).Trim(), gitDir) : gitDir;
                foreach (var root in new[] { gitDir, common })
                {
                    var loose = Path.Combine(root, name);
                    if (File.Exists(loose) && File.ReadAllText(loose).Trim() is var id && IsCommit(id))
                    {
                        return id;
                    }
                }

                var packed = Path.Combine(common, "packed-refs");
                return File.Exists(packed)
                    ? File.ReadLines(packed).Select(l => l.Split(' ')).FirstOrDefault(p => p.Length == 2 && p[1] == name && IsCommit(p[0]))?[0]
                    : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable repository: no commit, rather than no run.
        }

        return null;
    }

    private static bool IsCommit(string text) => text.Length is 40 or 64 && text.All(char.IsAsciiHexDigit);
}
