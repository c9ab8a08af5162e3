using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace CreditScoring.Samples.Tests;

/// <summary>
/// Issue 14, classes 5 and 6: <c>score</c> and <c>train</c>, run as real processes and killed (SIGKILL) at 20 random points
/// each, leave every output either as it was or complete and new, never cut; the temporary files a kill leaves are removed
/// by the next run.
/// </summary>
public class KillTests(ITestOutputHelper log)
{
    private const int Kills = 20;

    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "creditscoring-batch.dll");

    [Fact]
    public void Score_KilledAtRandomPoints_LeavesTheOldOrTheCompleteNewScores()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model).Exit);
        var data = Path.Combine(dir, "book.csv");
        var lines = File.ReadAllLines(TestPaths.CreditData);
        using (var writer = new StreamWriter(data))
        {
            writer.Write(lines[0] + "\n");
            for (var copy = 0; copy < 12; copy++)
            {
                foreach (var line in lines.Skip(1))
                {
                    writer.Write(line + "\n");
                }
            }
        }

        var scores = Path.Combine(dir, "scores.csv");
        KillAndCheck(dir, ["score", "--model", model, "--data", data, "--output", scores], [scores], fresh => [bytes => bytes.AsSpan().SequenceEqual(fresh[0])]);
    }

    [Fact]
    public void Train_KilledAtRandomPoints_LeavesTheOldOrTheCompleteNewModelAndReport()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        var report = Path.Combine(dir, "r.json");
        var test = CreditScoring.Sdk.Data.CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));

        // A new model and report differ from run to run only in their timings, so "complete and new" means: the model loads and
        // scores exactly as the reference run's, and the report is whole JSON with the same AUC.
        KillAndCheck(dir, ["train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "gbdt", "--model", model, "--report", report], [model, report], fresh =>
        [
            bytes => Scores(bytes, test).SequenceEqual(Scores(fresh[0], test)),
            bytes => Auc(bytes) == Auc(fresh[1]),
        ]);
    }

    private static double[] Scores(byte[] model, CreditScoring.Sdk.Data.CreditData data)
    {
        try
        {
            return [.. CreditScoring.Sdk.Scoring.CreditModel.Load(new MemoryStream(model)).CreateScorer().ScoreBatch(data).Select(s => s.Probability)];
        }
        catch (CreditScoring.Sdk.Scoring.ModelFormatException)
        {
            return [];
        }
    }

    private static double Auc(byte[] report)
    {
        try
        {
            return System.Text.Json.JsonDocument.Parse(report).RootElement.GetProperty("auc").GetDouble();
        }
        catch (System.Text.Json.JsonException)
        {
            return double.NaN;
        }
    }

    private void KillAndCheck(string dir, string[] args, string[] outputs, Func<byte[][], Func<byte[], bool>[]> completeNew)
    {
        // The complete new outputs, and how long a run takes.
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, Start(args).WaitForExitOrKill(TimeSpan.FromMinutes(2)));
        var duration = clock.Elapsed;
        var isNew = completeNew([.. outputs.Select(File.ReadAllBytes)]);
        var old = outputs.Select(o => System.Text.Encoding.UTF8.GetBytes($"old content of {Path.GetFileName(o)}\n")).ToArray();

        var random = new Random(14);
        int keptOld = 0, gotNew = 0;
        for (var k = 0; k < Kills; k++)
        {
            for (var i = 0; i < outputs.Length; i++)
            {
                File.WriteAllBytes(outputs[i], old[i]);
            }

            using var process = Start(args);
            // Points over the whole run and a little past it, so that some kills land after the outputs were committed.
            Thread.Sleep(TimeSpan.FromMilliseconds(random.NextDouble() * 1.15 * duration.TotalMilliseconds));
            process.Kill(entireProcessTree: true);
            process.WaitForExit();

            var states = outputs.Select((o, i) =>
            {
                var now = File.ReadAllBytes(o);
                return now.AsSpan().SequenceEqual(old[i]) ? "old" : isNew[i](now) ? "new" : "CUT";
            }).ToArray();
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kill {k + 1}: {string.Join(", ", states)}, {TestPaths.OutputTemporaries(dir).Length} temporary file(s) left"));
            Assert.DoesNotContain("CUT", states);
            keptOld += states.Count(s => s == "old");
            gotNew += states.Count(s => s == "new");
            var left = TestPaths.OutputTemporaries(dir);
            var backups = left.Count(f => f.EndsWith(".tmp.old", StringComparison.Ordinal));
            Assert.True(left.Length - backups <= outputs.Length && backups <= outputs.Length, "a kill leaves at most one temporary file, and during Commit one copy of the old target, per output");
        }

        // A run to the end removes what the killed runs left behind.
        Assert.Equal(0, Start(args).WaitForExitOrKill(TimeSpan.FromMinutes(2)));
        Assert.Empty(TestPaths.OutputTemporaries(dir));
        for (var i = 0; i < outputs.Length; i++)
        {
            Assert.True(isNew[i](File.ReadAllBytes(outputs[i])));
        }

        log.WriteLine($"{Kills} kills: outputs kept old {keptOld} times, complete new {gotNew} times, cut 0 times");
    }

    private static Process Start(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Cli);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

internal static class ProcessExtensions
{
    /// <summary>Waits for the exit code; a process that hangs is killed and fails the test.</summary>
    public static int WaitForExitOrKill(this Process process, TimeSpan timeout)
    {
        using (process)
        {
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The CLI did not finish within {timeout}.");
            }

            return process.ExitCode;
        }
    }
}
