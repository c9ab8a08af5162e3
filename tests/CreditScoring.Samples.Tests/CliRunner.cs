using CreditScoring.Batch;

namespace CreditScoring.Samples.Tests;

/// <summary>Runs the batch CLI in-process and reads what it printed.</summary>
internal static class CliRunner
{
    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = BatchCli.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The one line of stderr that starts with <c>error:</c>.</summary>
    public static string ErrorLine(string stderr) => Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));

    /// <summary>The lines of stderr that start with <c>note:</c>.</summary>
    public static string[] Notes(string stderr) => stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("note:", StringComparison.Ordinal)).ToArray();
}
