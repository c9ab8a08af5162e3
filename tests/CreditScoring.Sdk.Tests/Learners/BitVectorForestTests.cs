using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners.GradientBoosting;

namespace CreditScoring.Sdk.Tests.Learners;

/// <summary>
/// The branch-free scorer (<see cref="BitVectorForest"/>) against the node walk, on random ensembles whose rows
/// hit thresholds exactly, carry NaN, ±∞ and −0, and whose trees include what the scorer leaves to the walk
/// (categorical splits, more than 32 leaves) between the trees it compiles.
/// </summary>
public class BitVectorForestTests
{
    [Theory]
    [InlineData(5, 1)] // ≤ 32 (feature, missing direction) pairs: one-register table
    [InlineData(24, 2)] // ≤ 64 pairs: two-register table
    [InlineData(70, 3)] // > 64 pairs: wide table
    public void CompiledTrees_ScoreExactlyAsTheNodeWalk(int featureCount, int seed)
    {
        var rng = new Random(seed);
        var pool = Enumerable.Range(0, featureCount).Select(_ => Enumerable.Range(0, 12).Select(_ => Math.Round((rng.NextDouble() * 20) - 10, 1)).Append(0.0).ToArray()).ToArray();
        var trees = new List<RegressionTree>();
        var eligible = 0;
        for (var t = 0; t < 150; t++)
        {
            var kind = rng.Next(20);
            var nodes = kind == 0 ? 40 : kind == 1 ? 0 : kind == 2 ? 31 : rng.Next(1, 31);
            var tree = RandomTree(rng, nodes, featureCount, pool, categorical: kind == 3);
            trees.Add(tree);
            eligible += tree.LeafCount <= 32 && tree.CategorySet.All(set => set is null) ? 1 : 0;
        }

        var features = Enumerable.Range(0, featureCount).Select(j => new FeatureInfo("x" + j, FeatureKind.Continuous)).ToArray();
        var compiled = new GradientBoostingPredictor(features, -1.25, trees);
        var walked = new GradientBoostingPredictor(features, -1.25, trees, null, compile: false);
        Assert.Equal(BitVectorForest.IsSupported ? eligible : 0, compiled.CompiledTreeCount);
        Assert.Equal(0, walked.CompiledTreeCount);

        const int rows = 3_000;
        var columns = Enumerable.Range(0, featureCount).Select(j => Enumerable.Range(0, rows).Select(_ => RandomValue(rng, pool[j])).ToArray()).ToArray();
        var matrix = new FeatureMatrix(features, columns);
        var expected = new double[rows];
        var batch = new double[rows];
        walked.PredictMargins(matrix, expected);
        compiled.PredictMargins(matrix, batch);
        var row = new double[featureCount];
        for (var r = 0; r < rows; r++)
        {
            matrix.CopyRow(r, row);
            var walk = walked.PredictMargin(row);
            Assert.Equal(BitConverter.DoubleToInt64Bits(walk), BitConverter.DoubleToInt64Bits(expected[r]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(walk), BitConverter.DoubleToInt64Bits(compiled.PredictMargin(row)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(walk), BitConverter.DoubleToInt64Bits(batch[r]));
        }
    }

    [Fact]
    public void ThresholdsAtInfinityAndSignedZero_SendRowsWhereTheWalkDoes()
    {
        // One tree: x ≤ −0 (missing right) → [x ≤ +∞ (missing left) → leaves 0 | 1] | [x ≤ −∞ (missing left) → leaves 2 | 3].
        var tree = new RegressionTree(
            [0, 0, 0],
            [-0.0, double.PositiveInfinity, double.NegativeInfinity],
            [false, true, true],
            [1, ~0, ~2],
            [2, ~1, ~3],
            [null, null, null],
            [1, 1, 1],
            [1, 1, 1],
            [1, 2, 4, 8],
            [1, 1, 1, 1]);
        var features = new[] { new FeatureInfo("x", FeatureKind.Continuous) };
        var compiled = new GradientBoostingPredictor(features, 0, [tree]);
        Assert.Equal(BitVectorForest.IsSupported ? 1 : 0, compiled.CompiledTreeCount);
        double[] values = [double.NegativeInfinity, -1, -0.0, 0.0, 1e-300, 5, double.PositiveInfinity, double.NaN];
        double[] leaves = [1, 1, 1, 1, 8, 8, 8, 4];
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(leaves[i], compiled.PredictMargin([values[i]]));
        }

        var margins = new double[values.Length];
        compiled.PredictMargins(new FeatureMatrix(features, [values]), margins);
        Assert.Equal(leaves, margins);
    }

    [Fact]
    public void CountBelow_CountsTheValuesStrictlyBelow_ForEveryLength()
    {
        var rng = new Random(11);
        for (var length = 0; length <= 70; length++)
        {
            var sorted = Enumerable.Range(0, length).Select(i => (double)(2 * i)).ToArray();
            foreach (var x in Enumerable.Range(-2, (2 * length) + 4).Select(i => (double)i).Concat([double.NegativeInfinity, double.PositiveInfinity, double.NaN, rng.NextDouble() * 2 * length]))
            {
                var expected = sorted.Count(v => v < x);
                Assert.Equal(expected, SampleStatistics.CountBelow(sorted, x));
            }
        }
    }

    private static double RandomValue(Random rng, double[] pool) => rng.Next(10) switch
    {
        0 => double.NaN,
        1 => rng.Next(3) switch { 0 => double.PositiveInfinity, 1 => double.NegativeInfinity, _ => -0.0 },
        2 or 3 or 4 => pool[rng.Next(pool.Length)],
        5 => rng.Next(8),
        _ => Math.Round((rng.NextDouble() * 24) - 12, 2),
    };

    /// <summary>A random binary tree with <paramref name="nodes"/> internal nodes, grown by splitting random leaves.</summary>
    private static RegressionTree RandomTree(Random rng, int nodes, int featureCount, double[][] pool, bool categorical)
    {
        var feature = new int[nodes];
        var threshold = new double[nodes];
        var defaultLeft = new bool[nodes];
        var left = new int[nodes];
        var right = new int[nodes];
        var sets = new int[]?[nodes];
        var open = new List<(int Node, bool Left)>();
        for (var i = 0; i < nodes; i++)
        {
            if (i > 0)
            {
                var k = rng.Next(open.Count);
                var (parent, isLeft) = open[k];
                open.RemoveAt(k);
                (isLeft ? left : right)[parent] = i;
            }

            open.Add((i, true));
            open.Add((i, false));
            feature[i] = rng.Next(featureCount);
            threshold[i] = rng.Next(20) == 0 ? (rng.Next(2) == 0 ? double.PositiveInfinity : double.NegativeInfinity) : pool[feature[i]][rng.Next(pool[feature[i]].Length)];
            defaultLeft[i] = rng.Next(2) == 0;
            if (categorical && rng.Next(3) == 0)
            {
                sets[i] = Enumerable.Range(0, 8).Where(_ => rng.Next(2) == 0).ToArray();
            }
        }

        for (var leaf = 0; leaf < open.Count; leaf++)
        {
            var (parent, isLeft) = open[leaf];
            (isLeft ? left : right)[parent] = ~leaf;
        }

        var leafValue = Enumerable.Range(0, nodes + 1).Select(_ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 2))).ToArray();
        return new RegressionTree(feature, threshold, defaultLeft, left, right, sets, new double[nodes], new double[nodes], leafValue, new double[nodes + 1]);
    }
}
