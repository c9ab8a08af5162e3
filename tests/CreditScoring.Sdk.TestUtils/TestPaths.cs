namespace CreditScoring.Sdk.TestUtils;

/// <summary>Locates the repository and its bundled data from a test's output folder.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CreditScoring.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CreditScoring.Sdk.sln above {AppContext.BaseDirectory}.");
    });

    /// <summary>The repository root.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>samples/data/modeldata-credit-data.csv (MIT, 4,454 rows, target <c>default</c>).</summary>
    public static string CreditData => Path.Combine(RepositoryRoot, "samples", "data", "modeldata-credit-data.csv");

    /// <summary>samples/data/modeldata-lending-club.csv (MIT, 9,857 rows, target <c>default</c>).</summary>
    public static string LendingClub => Path.Combine(RepositoryRoot, "samples", "data", "modeldata-lending-club.csv");

    /// <summary>A file of tests/CreditScoring.Sdk.Tests/Fixtures.</summary>
    /// <param name="name">The file name.</param>
    /// <returns>The path.</returns>
    public static string Fixture(string name) => Path.Combine(RepositoryRoot, "tests", "CreditScoring.Sdk.Tests", "Fixtures", name);

    /// <summary>A file of tests/CreditScoring.Sdk.Drift.Tests/Fixtures.</summary>
    public static string DriftFixture(string name) => Path.Combine(RepositoryRoot, "tests", "CreditScoring.Sdk.Drift.Tests", "Fixtures", name);

    /// <summary>The temporary files <c>OutputFiles</c> left in a folder (named <c>.NAME.HOST.PID.GUID.tmp</c>, backups <c>.tmp.old</c>).</summary>
    /// <param name="dir">The folder.</param>
    /// <returns>Their paths.</returns>
    public static string[] OutputTemporaries(string dir) => Directory.GetFiles(dir, ".*.tmp*");

    /// <summary>A fresh empty temporary folder.</summary>
    /// <returns>The path.</returns>
    public static string NewTempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "creditscoring-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
