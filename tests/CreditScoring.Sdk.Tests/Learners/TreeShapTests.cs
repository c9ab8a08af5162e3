using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using FsCheck;
using FsCheck.Fluent;

namespace CreditScoring.Sdk.Tests.Learners;

/// <summary>
/// Path-dependent TreeSHAP against a brute-force oracle: Shapley values by enumerating every coalition, with the value of
/// a coalition the conditional expectation read off the trees (a known feature follows the row, an unknown one averages
/// the branches by cover), the definition the algorithm computes exactly.
/// </summary>
public class TreeShapTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public void EqualsTheBruteForceShapleyValues_WithMissingValuesAndCategoricalSplits(int seed, bool categoricalSplits)
    {
        var (matrix, labels) = RandomData(seed, rows: 400);
        var predictor = (GradientBoostingPredictor)new GradientBoostingLearner(new GradientBoostingOptions
        {
            NumberOfIterations = 12,
            NumberOfLeaves = 8,
            MinimumExampleCountPerLeaf = 5,
            LearningRate = 0.3,
            UseCategoricalSplit = categoricalSplits,
        }).Fit(matrix, labels, default, new LearnerContext(seed));
        var row = new double[matrix.ColumnCount];
        var phi = new double[matrix.ColumnCount];

        for (var r = 0; r < 40; r++)
        {
            matrix.CopyRow(r, row);
            var baseValue = predictor.ExplainMargin(row, phi);
            var expected = BruteForce(predictor, row);

            Assert.Equal(Value(predictor, row, new bool[row.Length]), baseValue, 1e-9);
            for (var j = 0; j < phi.Length; j++)
            {
                Assert.True(Math.Abs(expected[j] - phi[j]) <= 1e-9, $"row {r}, feature {j}: TreeSHAP {phi[j]}, brute force {expected[j]}");
            }

            Assert.Equal(predictor.PredictMargin(row), baseValue + phi.Sum(), 1e-9);
        }
    }

    [Theory]
    [InlineData(6, true, 31)]
    [InlineData(7, false, 63)]
    public void TheBatch_EqualsRowByRow_AndTheVectorsEqualPlainNumbers_BitForBit(int seed, bool categoricalSplits, int leaves)
    {
        // 403 rows: four at a time, then three alone. (TheTabulatedForm test checks the batch on leaves computed on the fly.)
        var (matrix, labels) = RandomData(seed, rows: 403);
        var predictor = (GradientBoostingPredictor)new GradientBoostingLearner(new GradientBoostingOptions
        {
            NumberOfIterations = 15,
            NumberOfLeaves = leaves,
            MinimumExampleCountPerLeaf = 1,
            UseCategoricalSplit = categoricalSplits,
        }).Fit(matrix, labels, default, new LearnerContext(seed));
        var p = matrix.ColumnCount;
        var batch = new double[matrix.RowCount * p];
        var row = new double[p];
        var phi = new double[p];

        var numbers = new double[p];
        var batchBase = predictor.ExplainMargins(matrix, batch);

        for (var r = 0; r < matrix.RowCount; r++)
        {
            matrix.CopyRow(r, row);
            Assert.Equal(predictor.ExplainMargin(row, phi), batchBase);
            predictor.ExplainByNumbers(row, numbers);
            for (var j = 0; j < p; j++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(phi[j]) == BitConverter.DoubleToInt64Bits(batch[(r * p) + j]), $"row {r}, feature {j}: {phi[j]} alone, {batch[(r * p) + j]} in the batch");
                Assert.True(BitConverter.DoubleToInt64Bits(phi[j]) == BitConverter.DoubleToInt64Bits(numbers[j]), $"row {r}, feature {j}: {phi[j]} by vectors, {numbers[j]} without");
            }
        }
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public void Interventional_EqualsTheBruteForceShapleyValues_OverTheBackground(int seed, bool categoricalSplits)
    {
        var (matrix, labels) = RandomData(seed, rows: 300);
        var predictor = (GradientBoostingPredictor)new GradientBoostingLearner(new GradientBoostingOptions
        {
            NumberOfIterations = 10,
            NumberOfLeaves = 8,
            MinimumExampleCountPerLeaf = 5,
            LearningRate = 0.3,
            UseCategoricalSplit = categoricalSplits,
        }).Fit(matrix, labels, default, new LearnerContext(seed));
        var background = FeatureBackground.Of(matrix, sampleRows: 25, seed);
        var row = new double[matrix.ColumnCount];
        var phi = new double[matrix.ColumnCount];

        for (var r = 100; r < 120; r++)
        {
            matrix.CopyRow(r, row);
            var baseValue = predictor.ExplainMargin(row, phi, background, ContributionMethod.Interventional);
            var expected = BruteForce(row.Length, known => Marginal(predictor, row, known, background));

            Assert.Equal(Marginal(predictor, row, new bool[row.Length], background), baseValue, 1e-9);
            for (var j = 0; j < phi.Length; j++)
            {
                Assert.True(Math.Abs(expected[j] - phi[j]) <= 1e-9, $"row {r}, feature {j}: interventional {phi[j]}, brute force {expected[j]}");
            }

            Assert.Equal(predictor.PredictMargin(row), baseValue + phi.Sum(), 1e-9);
        }
    }

    [Fact]
    public void Interventional_WithoutABackgroundSample_SaysWhatToDo()
    {
        var (matrix, labels) = RandomData(6, rows: 200);
        var predictor = (GradientBoostingPredictor)new GradientBoostingLearner(new GradientBoostingOptions { NumberOfIterations = 3 }).Fit(matrix, labels, default, new LearnerContext(6));
        var meansOnly = FeatureBackground.Of(matrix, sampleRows: 0, seed: 6);
        var row = new double[matrix.ColumnCount];

        var e = Assert.Throws<ConfigurationException>(() => predictor.ExplainMargin(row, new double[row.Length], meansOnly, ContributionMethod.Interventional));

        Assert.Contains("background sample", e.Message, StringComparison.Ordinal);
        Assert.Contains("WithBackground", e.Message, StringComparison.Ordinal);
    }

    /// <summary>v(S) = mean over the background rows z of f(x_S, z_rest).</summary>
    private static double Marginal(GradientBoostingPredictor predictor, double[] row, bool[] known, FeatureBackground background)
    {
        var mixed = new double[row.Length];
        var total = 0.0;
        for (var s = 0; s < background.SampleCount; s++)
        {
            var z = background.SampleRow(s);
            for (var j = 0; j < row.Length; j++)
            {
                mixed[j] = known[j] ? row[j] : z[j];
            }

            total += predictor.PredictMargin(mixed);
        }

        return total / background.SampleCount;
    }

    [Fact]
    public void AddsUpToTheMargin_OnEveryRowOfTheCreditData()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var model = new CreditScoringContext(seed: 3).CreatePipeline().Train(t => t.GradientBoosting(o => { o.NumberOfIterations = 100; o.NumberOfLeaves = 31; })).Build().Fit(data);
        var predictor = (GradientBoostingPredictor)model.Predictor;
        var matrix = model.Features.Transform(data);
        var row = new double[matrix.ColumnCount];
        var phi = new double[matrix.ColumnCount];
        var worst = 0.0;

        for (var r = 0; r < matrix.RowCount; r++)
        {
            matrix.CopyRow(r, row);
            var total = predictor.ExplainMargin(row, phi) + phi.Sum();
            worst = Math.Max(worst, Math.Abs(total - predictor.PredictMargin(row)));
        }

        Assert.True(worst < 1e-9, $"largest |base + sum - margin| = {worst}");
    }

    [Fact]
    public void TheTabulatedForm_EqualsAlgorithm2_OnDeepTrees_TabulatedAndOnTheFly()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var model = new CreditScoringContext(seed: 4).CreatePipeline()
            .Features(f => f.OneHot("Home", "Marital", "Job", "Records"))
            .Train(t => t.GradientBoosting(o => { o.NumberOfIterations = 10; o.NumberOfLeaves = 1023; o.MinimumExampleCountPerLeaf = 1; }))
            .Build().Fit(data);
        var predictor = (GradientBoostingPredictor)model.Predictor;
        var (tabulated, onTheFly) = predictor.LeafShapTables!.LeafCounts;
        Assert.True(tabulated > 100 && onTheFly > 100, $"{tabulated} leaves tabulated, {onTheFly} on the fly");
        var matrix = model.Features.Transform(data);
        var row = new double[matrix.ColumnCount];
        var fast = new double[matrix.ColumnCount];
        var paths = new double[matrix.ColumnCount];
        var worst = 0.0;

        var batch = new double[matrix.RowCount * row.Length];
        predictor.ExplainMargins(matrix, batch);

        for (var r = 0; r < matrix.RowCount; r += 20)
        {
            matrix.CopyRow(r, row);
            predictor.ExplainMargin(row, fast);
            predictor.ExplainByPaths(row, paths);
            for (var j = 0; j < row.Length; j++)
            {
                worst = Math.Max(worst, Math.Abs(fast[j] - paths[j]));
                Assert.Equal(fast[j], batch[(r * row.Length) + j]);
            }
        }

        Assert.True(worst < 1e-12, $"largest |tabulated - Algorithm 2| = {worst}");
    }

    [Fact]
    public void Additivity_HoldsOverRandomModelsAndRows_BothMethods()
    {
        Prop.ForAll(Gen.Choose(1, 100_000).ToArbitrary(), seed =>
        {
            var random = new DeterministicRandom(seed);
            var (matrix, labels) = RandomData(seed, rows: 150);
            var predictor = (GradientBoostingPredictor)new GradientBoostingLearner(new GradientBoostingOptions
            {
                NumberOfIterations = 1 + random.NextInt(8),
                NumberOfLeaves = 2 + random.NextInt(30),
                MinimumExampleCountPerLeaf = 2 + random.NextInt(10),
                LearningRate = 0.5,
                UseCategoricalSplit = random.NextInt(2) == 1,
            }).Fit(matrix, labels, default, new LearnerContext(seed));
            var background = FeatureBackground.Of(matrix, sampleRows: 5, seed);
            var row = new double[matrix.ColumnCount];
            var phi = new double[matrix.ColumnCount];
            for (var k = 0; k < 5; k++)
            {
                matrix.CopyRow(random.NextInt(matrix.RowCount), row);
                if (random.NextInt(3) == 0)
                {
                    row[random.NextInt(5)] = double.NaN;
                }

                foreach (var method in new[] { ContributionMethod.PathDependent, ContributionMethod.Interventional })
                {
                    var total = predictor.ExplainMargin(row, phi, background, method) + phi.Sum();
                    if (Math.Abs(total - predictor.PredictMargin(row)) > 1e-9)
                    {
                        return false;
                    }
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void ExplainingOneRow_AllocatesNothing()
    {
        var (matrix, labels) = RandomData(9, rows: 400);
        var predictor = (GradientBoostingPredictor)new GradientBoostingLearner(new GradientBoostingOptions { NumberOfIterations = 30, NumberOfLeaves = 31 }).Fit(matrix, labels, default, new LearnerContext(9));
        var row = new double[matrix.ColumnCount];
        var phi = new double[matrix.ColumnCount];
        matrix.CopyRow(7, row);
        for (var i = 0; i < 100; i++)
        {
            predictor.ExplainMargin(row, phi);
        }

        var least = long.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 500; i++)
            {
                predictor.ExplainMargin(row, phi);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }

    [Fact]
    public void AModelWithoutCovers_SaysWhatItLacks()
    {
        var tree = new RegressionTree([0], [0.5], [true], [~0], [~1], [null], [1], [0], [-1, 1], [0, 0]);
        var predictor = new GradientBoostingPredictor([new FeatureInfo("x", FeatureKind.Continuous)], 0, [tree]);

        var e = Assert.Throws<ConfigurationException>(() => predictor.ExplainMargin([0.2], new double[1]));

        Assert.StartsWith("The model's trees hold no training covers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATreeNumberedChildBeforeParent_ExplainsAsTheOracle()
    {
        // Root 0 -> node 2 -> node 1: an imported tree may number a child before its parent.
        var tree = new RegressionTree(
            [0, 1, 2], [0.5, 0.5, 0.5], [true, false, true], [2, ~0, 1], [~3, ~1, ~2], [null, null, null],
            [1, 1, 1], [10, 4, 7], [-1, 2, 0.5, 3], [2, 2, 3, 3]);
        var features = new[] { new FeatureInfo("a", FeatureKind.Continuous), new FeatureInfo("b", FeatureKind.Continuous), new FeatureInfo("c", FeatureKind.Continuous) };
        var predictor = new GradientBoostingPredictor(features, 0.25, [tree]);
        foreach (var row in new[] { new[] { 0.1, 0.9, 0.2 }, [0.9, 0.1, 0.1], [0.1, 0.1, 0.9], [double.NaN, 0.1, double.NaN] })
        {
            var phi = new double[3];
            var baseValue = predictor.ExplainMargin(row, phi);
            var oracle = BruteForce(predictor, row);
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(oracle[j], phi[j], 12);
            }

            Assert.Equal(predictor.PredictMargin(row), baseValue + phi.Sum(), 12);
        }
    }

    [Fact]
    public void ATreeWhoseNodesFormACycle_IsRefused()
    {
        // Nodes 1 and 2 are each other's child: neither can be reached from the root.
        var e = Assert.Throws<ArgumentException>(() => new RegressionTree(
            [0, 0, 0], [0.5, 0.5, 0.5], [true, true, true], [~0, 2, 1], [~1, ~2, ~3], [null, null, null],
            [1, 1, 1], [10, 4, 7], [0, 0, 0, 0], [1, 1, 1, 1]));

        Assert.Contains("cannot be reached from the root", e.Message, StringComparison.Ordinal);
    }

    private static double[] BruteForce(GradientBoostingPredictor predictor, double[] row) => BruteForce(row.Length, known => Value(predictor, row, known));

    /// <summary>Shapley values of the game <paramref name="value"/> over <paramref name="m"/> players, by every coalition.</summary>
    private static double[] BruteForce(int m, Func<bool[], double> value)
    {
        var phi = new double[m];
        var factorial = new double[m + 1];
        factorial[0] = 1;
        for (var k = 1; k <= m; k++)
        {
            factorial[k] = factorial[k - 1] * k;
        }

        for (var mask = 0; mask < 1 << m; mask++)
        {
            var known = new bool[m];
            var size = 0;
            for (var j = 0; j < m; j++)
            {
                known[j] = (mask >> j & 1) == 1;
                size += known[j] ? 1 : 0;
            }

            var without = value(known);
            for (var j = 0; j < m; j++)
            {
                if (known[j])
                {
                    continue;
                }

                known[j] = true;
                phi[j] += factorial[size] * factorial[m - size - 1] / factorial[m] * (value(known) - without);
                known[j] = false;
            }
        }

        return phi;
    }

    /// <summary>E[f(x) | x_S]: the base margin plus each tree's conditional expectation.</summary>
    private static double Value(GradientBoostingPredictor predictor, double[] row, bool[] known) =>
        predictor.BaseMargin + predictor.Trees.Sum(t => t.NodeCount == 0 ? t.LeafValue[0] : Conditional(t, row, known, 0));

    private static double Conditional(RegressionTree tree, double[] row, bool[] known, int node)
    {
        if (node < 0)
        {
            return tree.LeafValue[~node];
        }

        var feature = tree.SplitFeature[node];
        if (known[feature])
        {
            return Conditional(tree, row, known, tree.GoesLeft(node, row[feature]) ? tree.LeftChild[node] : tree.RightChild[node]);
        }

        double Cover(int child) => child >= 0 ? tree.NodeCover[child] : tree.LeafCover[~child];
        var (left, right) = (tree.LeftChild[node], tree.RightChild[node]);
        return ((Cover(left) * Conditional(tree, row, known, left)) + (Cover(right) * Conditional(tree, row, known, right))) / tree.NodeCover[node];
    }

    /// <summary>Five continuous features (10 % missing) and one categorical with six categories; the default depends on four of them.</summary>
    private static (FeatureMatrix Matrix, int[] Labels) RandomData(int seed, int rows)
    {
        var random = new DeterministicRandom(seed);
        var columns = Enumerable.Range(0, 6).Select(_ => new double[rows]).ToArray();
        var labels = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < 5; j++)
            {
                columns[j][i] = random.NextDouble() < 0.1 ? double.NaN : random.NextDouble() * 10;
            }

            columns[5][i] = random.NextInt(6);
            var margin = -1 + (0.4 * (double.IsNaN(columns[0][i]) ? 5 : columns[0][i])) - (0.3 * (double.IsNaN(columns[1][i]) ? 2 : columns[1][i])) + (columns[5][i] is 2 or 4 ? 1.5 : 0) + (double.IsNaN(columns[3][i]) ? 1 : 0);
            labels[i] = random.NextDouble() < 1 / (1 + Math.Exp(-margin / 2)) ? 1 : 0;
        }

        FeatureInfo[] features =
        [
            .. Enumerable.Range(0, 5).Select(j => new FeatureInfo($"x{j}", FeatureKind.Continuous)),
            new FeatureInfo("c", FeatureKind.Categorical, 6, ["a", "b", "c", "d", "e", "f"]),
        ];
        return (new FeatureMatrix(features, columns), labels);
    }
}
