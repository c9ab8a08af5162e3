using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Tests.Data;

public class SampleStatisticsTests
{
    /// <summary>Bin b holds (e_b−1, e_b]: a value equal to an edge falls in the bin below it, as NumPy's searchsorted (left).</summary>
    [Fact]
    public void CountBins_CountsEachValueInTheFirstBinWhoseEdgeIsAtOrAboveIt()
    {
        var counts = new double[4];
        SampleStatistics.CountBins([-1.0, 0.0, 0.0, 1.0, 1.5, 2.0, 2.0, 3.0, 7.0], [0.0, 2.0, 2.0], counts);
        Assert.Equal([3.0, 4.0, 0.0, 2.0], counts);

        // Added into the counts given; nothing to add for no values.
        SampleStatistics.CountBins([5.0], [0.0, 2.0, 2.0], counts);
        SampleStatistics.CountBins([], [0.0, 2.0, 2.0], counts);
        Assert.Equal([3.0, 4.0, 0.0, 3.0], counts);
        var none = Array.Empty<double>();
        SampleStatistics.CountBins([], [], none);
    }

    [Fact]
    public void CountBins_EqualsAPassOverEveryValue_OnTiesAndRepeatedEdges()
    {
        var rng = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            var values = Enumerable.Range(0, rng.Next(0, 400)).Select(_ => (double)rng.Next(-20, 20) / 4).Order().ToArray();
            var edges = Enumerable.Range(0, rng.Next(0, 12)).Select(_ => (double)rng.Next(-24, 24) / 4).Order().ToArray();
            var counts = new double[edges.Length + 1];
            SampleStatistics.CountBins(values, edges, counts);

            var expected = new double[edges.Length + 1];
            foreach (var v in values)
            {
                var bin = 0;
                while (bin < edges.Length && edges[bin] < v)
                {
                    bin++;
                }

                expected[bin]++;
            }

            Assert.Equal(expected, counts);
        }
    }
}
