using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.TestUtils;

/// <summary>Measures what scoring allocates on the current thread.</summary>
public static class Allocations
{
    /// <summary>
    /// Scores a row 100 times to warm up, then five rounds of 2,000 times; returns the bytes the least-allocating round
    /// allocated. A scorer that allocates per call allocates in every round; the minimum leaves out a one-off runtime
    /// allocation on this thread (the JIT installing tier-1 code while the loop runs), which made one round flaky.
    /// </summary>
    /// <param name="scorer">The scorer.</param>
    /// <param name="row">A complete row of that scorer.</param>
    /// <returns>Bytes allocated by 2,000 scores, in the round that allocated least.</returns>
    public static long OfScoring(ICreditScorer scorer, ScoringRow row)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        var sink = 0.0;
        for (var i = 0; i < 100; i++)
        {
            sink += scorer.Score(row).Probability;
        }

        var least = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 2_000; i++)
            {
                sink += scorer.Score(row).Probability;
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return sink > 0 ? least : throw new InvalidOperationException("The scores summed to 0: the row was not scored.");
    }
}
