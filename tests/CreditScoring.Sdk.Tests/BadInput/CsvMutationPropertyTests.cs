using System.Text;
using CreditScoring.Sdk.Data;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace CreditScoring.Sdk.Tests.BadInput;

/// <summary>
/// Issue 14: a valid CSV mutated at random (bytes deleted, duplicated or inserted, a cell changed) is either read and trained
/// on, or refused with a <see cref="CreditScoringException"/> whose message is clear (one line of printable text of bounded
/// length); never another exception type, never a hang.
/// </summary>
public class CsvMutationPropertyTests(ITestOutputHelper log)
{
    private static readonly byte[] Valid = Encoding.UTF8.GetBytes(string.Join('\n', File.ReadLines(TestPaths.CreditData).Take(151)) + "\n");

    private static readonly string[] Tokens = ["", "n/a", "unknown", "1e999", "-", "\"", "1,5", "NaN", "Infinity", "99999999999999999999999", "\u00a0", "\t", "=1+1", "２", "0x1F", "-0", "1.2.3", "\r\n"];

    /// <summary>A mutation: kind 0 deletes, 1 duplicates, 2 inserts bytes, 3 changes a cell.</summary>
    private static byte[] Mutate(byte[] source, int kind, int at, int length, int token, byte[] noise)
    {
        var start = at % source.Length;
        var count = Math.Min(length, source.Length - start);
        switch (kind)
        {
            case 0:
                return [.. source[..start], .. source[(start + count)..]];
            case 1:
                return [.. source[..(start + count)], .. source[start..(start + count)], .. source[(start + count)..]];
            case 2:
                return [.. source[..start], .. noise, .. source[start..]];
            default:
                var text = Encoding.UTF8.GetString(source);
                var lines = text.Split('\n');
                var line = 1 + (start % (lines.Length - 2));
                var cells = lines[line].Split(',');
                cells[length % cells.Length] = Tokens[token % Tokens.Length];
                lines[line] = string.Join(',', cells);
                return Encoding.UTF8.GetBytes(string.Join('\n', lines));
        }
    }

    /// <summary>1 to 12 bytes drawn from the ones that break CSV: NUL, delimiters, quotes, line breaks, invalid UTF-8, escape.</summary>
    private static byte[] Noise(int seed)
    {
        byte[] pool = [0, (byte)',', (byte)'"', (byte)'\n', (byte)'\r', (byte)'a', (byte)'7', (byte)'.', (byte)'-', 0xC3, 0xA9, 0xFF, 0x1B];
        var random = new Random(seed);
        return [.. Enumerable.Range(0, random.Next(1, 13)).Select(_ => pool[random.Next(pool.Length)])];
    }

    [Fact]
    public void AMutatedCsv_IsReadAndTrained_OrRefusedWithACreditScoringException()
    {
        var outcomes = new Dictionary<string, int>();
        var gen =
            from kind in Gen.Choose(0, 3)
            from at in Gen.Choose(0, Valid.Length - 1)
            from length in Gen.Choose(1, 400)
            from token in Gen.Choose(0, 100)
            from seed in Gen.Choose(0, int.MaxValue)
            select Mutate(Valid, kind, at, length, token, Noise(seed));

        Prop.ForAll(gen.ToArbitrary(), bytes =>
        {
            var outcome = Run(bytes);
            lock (outcomes)
            {
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }

            return outcome is "trained" || outcome.StartsWith("refused", StringComparison.Ordinal);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

        foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value))
        {
            log.WriteLine($"{count,4}  {outcome}");
        }

        Assert.True(outcomes.Where(o => o.Key.StartsWith("refused", StringComparison.Ordinal)).Sum(o => o.Value) > 0);
        Assert.True(outcomes.GetValueOrDefault("trained") > 0);
    }

    /// <summary>"trained", "refused: TYPE", or a description of what went wrong (another exception, an unclear message, a hang).</summary>
    private static string Run(byte[] bytes)
    {
        var task = Task.Run(() =>
        {
            try
            {
                var data = CreditData.ReadCsv(new MemoryStream(bytes), o => o.Target("default"));
                new CreditScoringContext(seed: 1).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);
                return "trained";
            }
            catch (CreditScoringException e)
            {
                var message = e.Message;
                var clear = message.Length is > 20 and < 3000
                    && !message.AsSpan().ContainsAnyInRange('\u0000', '\u001F')
                    && !message.Contains("Exception", StringComparison.Ordinal);
                return clear ? $"refused: {e.GetType().Name}" : $"UNCLEAR {e.GetType().Name}: {message}";
            }
            catch (Exception e)
            {
                return $"OTHER {e.GetType().Name}: {e.Message}";
            }
        });
        return task.Wait(TimeSpan.FromSeconds(30)) ? task.Result : "HANG";
    }
}
