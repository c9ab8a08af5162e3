using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.TestUtils;

/// <summary>Measures what scoring allocates on the current thread.</summary>
public static class Allocations
{
    /// <summary>Scores a row 100 times to warm up, then 10,000 times; returns the bytes those 10,000 calls allocated.</summary>
    /// <param name="scorer">The scorer.</param>
    /// <param name="row">A complete row of that scorer.</param>
    /// <returns>Bytes allocated by 10,000 scores.</returns>
    public static long OfScoring(ICreditScorer scorer, ScoringRow row)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        var sink = 0.0;
        for (var i = 0; i < 100; i++)
        {
            sink += scorer.Score(row).Probability;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            sink += scorer.Score(row).Probability;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return sink > 0 ? allocated : throw new InvalidOperationException("The scores summed to 0: the row was not scored.");
    }
}
