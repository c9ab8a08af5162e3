using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.Learners;

public class GradientBoostingTests
{
    private static FeatureMatrix Matrix(params (string Name, double[] Values)[] columns) =>
        new(columns.Select(c => new FeatureInfo(c.Name, FeatureKind.Continuous)).ToArray(), columns.Select(c => c.Values).ToArray());

    private static GradientBoostingPredictor Fit(FeatureMatrix x, int[] y, Action<GradientBoostingOptions> configure, int threads = 1, LearnerValidationData? validation = null)
    {
        var options = new GradientBoostingOptions();
        configure(options);
        return (GradientBoostingPredictor)new GradientBoostingLearner(options).Fit(x, y, default, new LearnerContext(7, maxDegreeOfParallelism: threads, validation: validation));
    }

    [Theory]
    [InlineData(0, 1.0, 1.0)] // every round kept
    [InlineData(3, 1.0, 1.0)] // early stopping cuts the trees back to the best round
    [InlineData(0, 0.7, 0.8)] // bagging and feature sampling
    public void TheValidationMarginsTheLearnerKeeps_AreThePredictorsOwn_BitForBit(int earlyStoppingRound, double bagging, double featureFraction)
    {
        // Categorical columns (sub_grade, addr_state...) and missing values included, on two threads.
        var data = CreditData.ReadCsv(TestPaths.LendingClub, o => o.Target("default"));
        var (train, validation) = data.SplitStratified(0.3, 11);
        var features = new CreditScoringContext(seed: 11).CreatePipeline().Train(t => t.GradientBoosting()).Build().FitFeatures(train);
        var held = new LearnerValidationData(features.Transform(validation), validation.Labels, validation.Weights);

        var predictor = Fit(features.Transform(train), train.Labels.ToArray(), o =>
        {
            o.NumberOfIterations = 150;
            o.LearningRate = 0.3;
            o.EarlyStoppingRound = earlyStoppingRound;
            o.BaggingFraction = bagging;
            o.BaggingFrequency = bagging < 1 ? 1 : 0;
            o.FeatureFraction = featureFraction;
        }, threads: 2, validation: held);

        var expected = new double[validation.RowCount];
        predictor.PredictMargins(held.Features, expected);
        Assert.Equal(expected, held.FinalMargins);
        if (earlyStoppingRound > 0)
        {
            Assert.True(predictor.TrainingSummary!.BestIteration < predictor.TrainingSummary.IterationsRun, "early stopping did not cut the trees back");
        }
    }

    [Theory]
    [InlineData(0.0, -2.0, 2.0, 4.0)]
    [InlineData(1.0, -2.0 / 3, 2.0 / 3, 4.0 / 3)]
    public void OneSplit_ToySet_GainAndLeafValuesAreHandComputed(double l2, double leftValue, double rightValue, double gain)
    {
        // At margin 0 every p = 0.5: g = p − y = ±0.5, h = 0.25. Split between 2 and 3: G_L = 1, H_L = 0.5; G_R = −1, H_R = 0.5.
        // Leaf value −G/(H+λ); gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) with G = 0.
        var x = Matrix(("x", [1, 2, 3, 4]));
        var model = Fit(x, [0, 0, 1, 1], o =>
        {
            o.NumberOfIterations = 1;
            o.NumberOfLeaves = 2;
            o.LearningRate = 1;
            o.MinimumExampleCountPerLeaf = 1;
            o.BoostFromAverage = false;
            o.L2Regularization = l2;
        });

        var tree = Assert.Single(model.Trees);
        Assert.Equal(1, tree.NodeCount);
        // The bound between 2 and 3 is the largest double below float 3 (x ≤ t ⇔ float(x) < 3, XGBoost's comparison).
        Assert.Equal(Float32Threshold.FromFloatLessThan(3f), tree.Threshold[0]);
        Assert.InRange(tree.Threshold[0], 2.9999998, 3.0 - 1e-12);
        Assert.Equal(leftValue, tree.LeafValue[~tree.LeftChild[0]], 12);
        Assert.Equal(rightValue, tree.LeafValue[~tree.RightChild[0]], 12);
        Assert.Equal(gain, tree.SplitGain[0], 12);
        Assert.Equal(1.0, tree.NodeCover[0], 12);
        Assert.Equal(0.0, model.BaseMargin);
        Assert.Equal(leftValue, model.PredictMargin([2.0]), 12);
        Assert.Equal(leftValue, model.PredictMargin([2.9]), 12);
        Assert.Equal(rightValue, model.PredictMargin([3.0]), 12);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(0, true)]
    public void MissingValues_LearnTheirDirection(int missingLabel, bool expectDefaultLeft)
    {
        // x in 1..200, defaults when x > 100; the 60 missing rows are all `missingLabel`.
        var values = Enumerable.Range(1, 200).Select(i => (double)i).Concat(Enumerable.Repeat(double.NaN, 60)).ToArray();
        var y = Enumerable.Range(1, 200).Select(i => i > 100 ? 1 : 0).Concat(Enumerable.Repeat(missingLabel, 60)).ToArray();
        var model = Fit(Matrix(("x", values)), y, o =>
        {
            o.NumberOfIterations = 1;
            o.NumberOfLeaves = 2;
            o.MinimumExampleCountPerLeaf = 5;
        });

        var tree = Assert.Single(model.Trees);
        Assert.Equal(Float32Threshold.FromFloatLessThan(101f), tree.Threshold[0]);
        Assert.Equal(expectDefaultLeft, tree.DefaultLeft[0]);
        var nan = model.PredictMargin([double.NaN]);
        Assert.Equal(expectDefaultLeft ? model.PredictMargin([50]) : model.PredictMargin([150]), nan);
    }

    [Fact]
    public void CategoricalSplit_GroupsTheRiskyCategoriesWithoutOneHot()
    {
        // Eight categories, 150 rows each; categories 1, 4 and 6 default 60% of the time, the others 5%.
        var codes = new List<double>();
        var y = new List<int>();
        for (var c = 0; c < 8; c++)
        {
            var risky = c is 1 or 4 or 6;
            for (var i = 0; i < 150; i++)
            {
                codes.Add(c);
                y.Add(risky ? (i % 5 < 3 ? 1 : 0) : (i % 20 == 0 ? 1 : 0));
            }
        }

        var x = new FeatureMatrix([new FeatureInfo("segment", FeatureKind.Categorical, 8)], [codes.ToArray()]);
        var model = Fit(x, [.. y], o =>
        {
            o.NumberOfIterations = 1;
            o.NumberOfLeaves = 2;
            o.UseCategoricalSplit = true;
        });

        var tree = Assert.Single(model.Trees);
        var set = tree.CategorySet[0];
        Assert.NotNull(set);
        var riskyLeft = tree.LeafValue[~tree.LeftChild[0]] > tree.LeafValue[~tree.RightChild[0]];
        Assert.Equal(riskyLeft ? [1, 4, 6] : [0, 2, 3, 5, 7], set);
        Assert.Equal(model.PredictMargin([1]), model.PredictMargin([6]));
        Assert.True(model.PredictMargin([4]) > model.PredictMargin([3]));

        // A category never seen (code 9) and a missing one go right, with the complement.
        Assert.Equal(tree.LeafValue[~tree.RightChild[0]], tree.Predict([9]));
        Assert.Equal(tree.LeafValue[~tree.RightChild[0]], tree.Predict([double.NaN]));
    }

    [Fact]
    public void MonotoneConstraint_PredictionsNeverDecreaseAlongTheFeature()
    {
        // Risk rises with x overall but with a strong dip in the middle; a second feature interacts.
        var rng = new Random(3);
        var n = 4000;
        var x = new double[n];
        var z = new double[n];
        var y = new int[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = rng.NextDouble() * 10;
            z[i] = rng.NextDouble();
            var logit = -2 + (0.4 * x[i]) - (x[i] is > 4 and < 6 ? 2.5 : 0) + (z[i] > 0.5 ? 1 : 0);
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
        }

        var matrix = Matrix(("x", x), ("z", z));
        var free = Fit(matrix, y, o => o.NumberOfIterations = 50);
        var constrained = Fit(matrix, y, o =>
        {
            o.NumberOfIterations = 50;
            o.MonotoneConstraints["x"] = 1;
        });

        var freeDecreases = 0;
        foreach (var zz in (double[])[0.1, 0.7])
        {
            var previous = double.NegativeInfinity;
            var previousFree = double.NegativeInfinity;
            for (var v = -1.0; v <= 11; v += 0.01)
            {
                var m = constrained.PredictMargin([v, zz]);
                Assert.True(m >= previous, $"constrained margin fell from {previous} to {m} at x = {v}, z = {zz}");
                previous = m;
                var f = free.PredictMargin([v, zz]);
                freeDecreases += f < previousFree ? 1 : 0;
                previousFree = f;
            }
        }

        Assert.True(freeDecreases > 0, "the unconstrained model should follow the dip (otherwise this test proves nothing)");
    }

    [Fact]
    public void MonotoneConstraint_OnUnknownOrCategoricalFeature_FailsClearly()
    {
        var x = new FeatureMatrix([new FeatureInfo("a", FeatureKind.Continuous), new FeatureInfo("c", FeatureKind.Categorical, 3)], [[1.0, 2, 3, 4], [0.0, 1, 2, 0]]);
        var unknown = Assert.Throws<ConfigurationException>(() => Fit(x, [0, 1, 0, 1], o => o.MonotoneConstraints["b"] = 1));
        Assert.Contains("'b'", unknown.Message, StringComparison.Ordinal);
        var categorical = Assert.Throws<ConfigurationException>(() => Fit(x, [0, 1, 0, 1], o =>
        {
            o.MonotoneConstraints["c"] = -1;
            o.UseCategoricalSplit = true;
        }));
        Assert.Contains("'c' is categorical and UseCategoricalSplit is on", categorical.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => new GradientBoostingLearner(new GradientBoostingOptions { MonotoneConstraints = { ["a"] = 2 } }));
    }

    [Fact]
    public void EarlyStopping_KeepsTheBestRound()
    {
        var data = TestUtils.SyntheticCredit.Generate(6000, seed: 5);
        var (train, valid) = data.SplitStratified(0.3, 1);
        var pipeline = new CreditScoringContext(seed: 3).CreatePipeline().Train(t => t.GradientBoosting(o =>
        {
            o.NumberOfIterations = 400;
            o.LearningRate = 0.3;
            o.EarlyStoppingRound = 20;
            o.EarlyStoppingMetric = EarlyStoppingMetric.LogLoss;
        })).Build();

        var model = pipeline.Fit(train, valid);
        var gb = Assert.IsType<GradientBoostingPredictor>(model.Predictor);
        var summary = gb.TrainingSummary!;
        Assert.True(summary.IterationsRun < 400, $"ran {summary.IterationsRun} rounds");
        Assert.Equal(summary.IterationsRun - 20, summary.BestIteration);
        Assert.Equal(summary.BestIteration, gb.Trees.Count);
        Assert.Equal(summary.BestValidationScore, model.Evaluate(valid).LogLoss, 10);

        var oneClass = Assert.Throws<TrainingDataException>(() => pipeline.Fit(train, valid.SelectRows(Enumerable.Range(0, valid.RowCount).Where(i => valid.Labels[i] == 0).ToArray())));
        Assert.StartsWith("The validation data has no defaults (label 1)", oneClass.Message, StringComparison.Ordinal);

        // Without validation data, a held-out share of the training rows is used.
        var held = new CreditScoringContext(seed: 3).CreatePipeline().Train(t => t.GradientBoosting(o =>
        {
            o.NumberOfIterations = 400;
            o.LearningRate = 0.3;
            o.EarlyStoppingRound = 10;
        })).Build().Fit(train);
        var heldSummary = ((GradientBoostingPredictor)held.Predictor).TrainingSummary!;
        Assert.Equal(EarlyStoppingMetric.Auc, heldSummary.EarlyStoppingMetric);
        Assert.True(heldSummary.BestIteration < 400);
        Assert.InRange(heldSummary.BestValidationScore, 0.6, 1.0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public void RootSplit_EqualsANaiveSearch_ForEveryFeatureGrouping(int features)
    {
        // Features share histogram passes in groups of 1-5 whose sizes depend on the feature and thread counts;
        // every grouping must find the split a direct scan of the raw rows finds.
        var random = new Random(features);
        const int n = 2000;
        var columns = new (string, double[])[features];
        var y = new int[n];
        for (var j = 0; j < features; j++)
        {
            columns[j] = ($"x{j}", Enumerable.Range(0, n).Select(_ => (double)random.Next(6)).ToArray());
        }

        for (var i = 0; i < n; i++)
        {
            var z = columns.Select((c, j) => c.Item2[i] * ((j % 3) - 1) * 0.3).Sum();
            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        var x = Matrix(columns);
        string? reference = null;
        foreach (var threads in new[] { 1, 2, 3, 4 })
        {
            var model = Fit(x, y, o =>
            {
                o.NumberOfIterations = 3;
                o.NumberOfLeaves = 7;
                o.MinimumExampleCountPerLeaf = 1;
                o.L2Regularization = 1;
                o.BoostFromAverage = false;
            }, threads);

            // At margin 0: g = 0.5 − y, h = 0.25. Best gain over features and thresholds between distinct values.
            double bestGain = double.NegativeInfinity;
            var bestFeature = -1;
            double totalG = y.Sum(v => 0.5 - v), totalH = 0.25 * n;
            for (var j = 0; j < features; j++)
            {
                for (var t = 0; t < 5; t++)
                {
                    double gl = 0, hl = 0;
                    for (var i = 0; i < n; i++)
                    {
                        if (columns[j].Item2[i] <= t)
                        {
                            gl += 0.5 - y[i];
                            hl += 0.25;
                        }
                    }

                    var gain = (gl * gl / (hl + 1)) + ((totalG - gl) * (totalG - gl) / (totalH - hl + 1)) - (totalG * totalG / (totalH + 1));
                    if (hl > 0 && hl < totalH && gain > bestGain)
                    {
                        bestGain = gain;
                        bestFeature = j;
                    }
                }
            }

            var root = model.Trees[0];
            Assert.Equal(bestFeature, root.SplitFeature[0]);
            Assert.Equal(bestGain, root.SplitGain[0], 9);
            var text = LightGbmModel.ToText(model);
            reference ??= text;
            Assert.Equal(reference, text);
        }
    }

    [Fact]
    public void MinimumExampleCountPerBin_PlacesAnEdgeOnlyOnceThatManyRowsLieBelowIt_AsLightGbmBins()
    {
        // Distinct values 1 (2 rows), 2 (1), 3 (3), 4 (1), 5 (1), 6 (2): with 3 rows a bin, {1, 2}, {3}, {4, 5, 6}.
        double[] values = [6, 1, 3, 2, 3, 1, 4, 3, 5, 6];
        var bounds = FeatureBinning.UpperBoundsOf(values.ToArray(), maxBins: 255, minPerBin: 3);
        Assert.Equal(3, bounds.Length);
        Assert.InRange(bounds[0], 2, 3 - 1e-9);
        Assert.InRange(bounds[1], 3, 4 - 1e-9);
        Assert.Equal(double.PositiveInfinity, bounds[2]);

        // One row a bin: every distinct value its own bin, as before the option.
        Assert.Equal(6, FeatureBinning.UpperBoundsOf(values.ToArray(), maxBins: 255).Length);

        // More distinct values than bins: at most rows / minPerBin bins.
        var many = Enumerable.Range(0, 1000).Select(i => (double)i).ToArray();
        Assert.Equal(100, FeatureBinning.UpperBoundsOf(many, maxBins: 255, minPerBin: 10).Length);
        Assert.Equal(255, FeatureBinning.UpperBoundsOf(Enumerable.Range(0, 1000).Select(i => (double)i).ToArray(), maxBins: 255).Length);
    }

    [Fact]
    public void A_feature_that_can_never_split_changes_no_tree()
    {
        // "rare" is 1 on 10 of 600 rows: with 20 rows a leaf no split can separate them, so the learner leaves it out of
        // its histograms; the trees must be the ones trained without the column, bit for bit.
        var rng = new Random(5);
        var n = 600;
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var z = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.1 ? double.NaN : rng.NextDouble()).ToArray();
        var rare = Enumerable.Range(0, n).Select(i => i % 60 == 0 ? 1.0 : 0.0).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => rng.NextDouble() < 0.2 + (0.5 * x[i]) ? 1 : 0).ToArray();
        var with = new FeatureMatrix([new FeatureInfo("x", FeatureKind.Continuous), new FeatureInfo("rare", FeatureKind.Continuous), new FeatureInfo("z", FeatureKind.Continuous)], [x, rare, z], n);
        var without = new FeatureMatrix([new FeatureInfo("x", FeatureKind.Continuous), new FeatureInfo("z", FeatureKind.Continuous)], [x, z], n);
        var options = new GradientBoostingOptions { NumberOfIterations = 30, MinimumExampleCountPerLeaf = 20 };

        var a = (GradientBoostingPredictor)new GradientBoostingLearner(options).Fit(with, labels, default, new LearnerContext(1));
        var b = (GradientBoostingPredictor)new GradientBoostingLearner(options).Fit(without, labels, default, new LearnerContext(1));

        Assert.Equal(b.Trees.Count, a.Trees.Count);
        Assert.DoesNotContain(a.Trees, t => t.SplitFeature.Contains(1));
        var ma = new double[n];
        var mb = new double[n];
        a.PredictMargins(with, ma);
        b.PredictMargins(without, mb);
        Assert.Equal(mb, ma);
        Assert.True(ma.Distinct().Count() > 10);
    }

    [Fact]
    public void SameSeed_GivesBitIdenticalModels_OnAnyThreadCount()
    {
        var data = TestUtils.SyntheticCredit.Generate(40_000, seed: 11);
        // The LightGBM text export writes every threshold, gain, cover and leaf value in round-trip format.
        string Fit(int threads) => LightGbmModel.ToText((GradientBoostingPredictor)
            new CreditScoringContext(seed: 9, maxDegreeOfParallelism: threads).CreatePipeline().Train(t => t.GradientBoosting(o =>
            {
                o.NumberOfIterations = 30;
                o.BaggingFraction = 0.7;
                o.BaggingFrequency = 1;
                o.FeatureFraction = 0.75;
                o.UseCategoricalSplit = true;
                o.MinimumExampleCountPerCategory = 10;
            })).Build().Fit(data).Predictor);

        var one = Fit(1);
        Assert.Equal(one, Fit(2));
        Assert.Equal(one, Fit(3));
    }

    [Fact]
    public void Importance_GainAndSplitCount_SumTheTrees()
    {
        var data = TestUtils.SyntheticCredit.Generate(8000, seed: 2);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.GradientBoosting(o => o.NumberOfIterations = 40)).Build().Fit(data);
        var gb = (GradientBoostingPredictor)model.Predictor;
        var importance = gb.FeatureImportances();
        Assert.Equal(gb.Features.Select(f => f.Name), importance.Select(i => i.Feature));
        Assert.Equal(gb.Trees.Sum(t => t.NodeCount), importance.Sum(i => i.SplitCount));
        Assert.Equal(gb.Trees.Sum(t => t.SplitGain.Sum()), importance.Sum(i => i.Gain), 6);
        Assert.Equal(importance.Select(i => (double)i.SplitCount), gb.FeatureImportances(FeatureImportanceKind.SplitCount));

        // The data's strongest effects (income, utilization) carry the most gain; the id is not a feature.
        var top2 = importance.OrderByDescending(i => i.Gain).Take(2).Select(i => i.Feature).Order().ToArray();
        Assert.Equal(["income", "utilization"], top2);
    }

    [Fact]
    public void Pipeline_OnCreditData_BeatsLogisticRegression_AndRoundTripsThroughTheModelFile()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var (train, test) = data.SplitStratified(0.2, 42);
        var context = new CreditScoringContext();
        var gbdt = context.CreatePipeline().Train(t => t.GradientBoosting(o =>
        {
            o.NumberOfIterations = 200;
            o.LearningRate = 0.05;
        })).Build().Fit(train);
        var logistic = context.CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(train);

        // Categorical inputs reach the trees as native categories, not one-hot columns.
        Assert.Contains(gbdt.Features.Features, f => f.Name == "Home" && f.Kind == FeatureKind.Categorical && f.CategoryCount == 6);
        var auc = gbdt.Evaluate(test).Auc;
        Assert.InRange(auc, 0.85, 0.90);
        Assert.True(auc > logistic.Evaluate(test).Auc, $"gbdt {auc} vs logistic {logistic.Evaluate(test).Auc}");

        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, "gbdt.json");
        gbdt.Save(path);
        var loaded = CreditModel.Load(path);
        var a = new double[test.RowCount];
        var b = new double[test.RowCount];
        gbdt.CreateScorer().PredictProbabilities(test, a);
        loaded.CreateScorer().PredictProbabilities(test, b);
        Assert.Equal(a, b);

        // One row at a time gives the batch's bits.
        var matrix = loaded.Features.Transform(test);
        var row = new double[matrix.ColumnCount];
        var margins = new double[test.RowCount];
        loaded.Predictor.PredictMargins(matrix, margins);
        for (var i = 0; i < test.RowCount; i++)
        {
            matrix.CopyRow(i, row);
            Assert.Equal(margins[i], loaded.Predictor.PredictMargin(row));
        }
    }

    /// <summary>The credit data's test rows as gbdt.py encodes them: numeric columns as they are, categories as codes over the sorted values.</summary>
    private static (FeatureMatrix X, double[] Margin, double[] Probability) XGBoostFixtureRows()
    {
        var meta = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("xgb_credit.meta.json"))).RootElement;
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var lines = File.ReadAllLines(TestPaths.Fixture("xgb_credit.test_pred.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        var rows = lines.Select(l => int.Parse(l[0], CultureInfo.InvariantCulture)).ToArray();
        var names = meta.GetProperty("features").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var columns = new double[names.Length][];
        for (var j = 0; j < names.Length; j++)
        {
            columns[j] = new double[rows.Length];
            var column = data[names[j]];
            for (var k = 0; k < rows.Length; k++)
            {
                columns[j][k] = column switch
                {
                    NumericColumn c => c[rows[k]],
                    CategoricalColumn c => c[rows[k]] is { } s
                        ? meta.GetProperty("categorical_codes").GetProperty(names[j]).EnumerateArray().Select(e => e.GetString()).ToList().IndexOf(s)
                        : double.NaN,
                    _ => throw new InvalidOperationException(),
                };
            }
        }

        var x = new FeatureMatrix(names.Select(n => new FeatureInfo(n, FeatureKind.Continuous)).ToArray(), columns);
        return (x, lines.Select(l => double.Parse(l[2], CultureInfo.InvariantCulture)).ToArray(), lines.Select(l => double.Parse(l[3], CultureInfo.InvariantCulture)).ToArray());
    }

    [Fact]
    public void XGBoostImport_ScoresTheFixtureAsXGBoostDid()
    {
        var (x, peerMargin, peerProbability) = XGBoostFixtureRows();
        var model = XGBoostModel.Import(TestPaths.Fixture("xgb_credit.json"));
        Assert.Equal(60, model.Trees.Count);
        Assert.Equal(x.Features.Select(f => f.Name), model.Features.Select(f => f.Name));

        var margins = new double[x.RowCount];
        model.PredictMargins(x, margins);
        var anyMissing = false;
        for (var i = 0; i < x.RowCount; i++)
        {
            Assert.True(Math.Abs(LogisticFunction(margins[i]) - peerProbability[i]) <= 1e-6, $"row {i}: ours {LogisticFunction(margins[i])}, XGBoost {peerProbability[i]}");
            Assert.True(Math.Abs(margins[i] - peerMargin[i]) <= 1e-5, $"row {i}: margin ours {margins[i]}, XGBoost {peerMargin[i]}");
            for (var j = 0; j < x.ColumnCount; j++)
            {
                anyMissing |= double.IsNaN(x[i, j]);
            }
        }

        Assert.True(anyMissing, "the fixture should exercise missing values");

        // Through CreditModel: same probabilities, and XGBoost JSON export → import is exact for an imported model.
        var wrapped = CreditModel.FromPredictor(model, targetColumn: "default");
        Assert.Equal(model.PredictMargin([.. Row(x, 0)]), wrapped.Predictor.PredictMargin([.. Row(x, 0)]));
        var again = XGBoostModel.Import(new MemoryStream(XGBoostModel.ToJson(model)));
        var margins2 = new double[x.RowCount];
        again.PredictMargins(x, margins2);
        Assert.Equal(margins, margins2);
    }

    [Fact]
    public void ImportedModel_WrappedInACreditModel_ScoresSavesAndEvaluates()
    {
        var (x, _, peerProbability) = XGBoostFixtureRows();
        var labels = File.ReadAllLines(TestPaths.Fixture("xgb_credit.test_pred.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        var columns = Enumerable.Range(0, x.ColumnCount).Select(j => (DataColumn)new NumericColumn(x.Features[j].Name, x.Column(j)))
            .Append(new NumericColumn("default", labels.Select(v => (double)v).ToArray()));
        var data = CreditData.FromColumns(columns, o => o.Target("default"));

        var model = CreditModel.FromPredictor(XGBoostModel.Import(TestPaths.Fixture("xgb_credit.json")), targetColumn: "default", learner: "xgboost");
        var path = Path.Combine(TestPaths.NewTempDirectory(), "imported.json");
        model.Save(path);
        var loaded = CreditModel.Load(path);
        Assert.Equal("xgboost", loaded.Metadata.Learner);

        var probabilities = new double[data.RowCount];
        loaded.CreateScorer().PredictProbabilities(data, probabilities);
        for (var i = 0; i < probabilities.Length; i++)
        {
            Assert.True(Math.Abs(probabilities[i] - peerProbability[i]) <= 1e-6, $"row {i}");
        }

        Assert.Equal(ClassificationMetrics.Auc(probabilities, labels), loaded.Evaluate(data).Auc);
        Assert.InRange(loaded.Evaluate(data).Auc, 0.80, 0.90);
    }

    [Fact]
    public void Export_ToLightGbmIsExact_AndToXGBoostIsWithinFloat32()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var (train, test) = data.SplitStratified(0.2, 42);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.GradientBoosting(o =>
        {
            o.NumberOfIterations = 60;
            o.UseCategoricalSplit = true;
            o.MinimumExampleCountPerCategory = 20;
        })).Build().Fit(train);
        var gb = (GradientBoostingPredictor)model.Predictor;
        Assert.Contains(gb.Trees, t => t.CategorySet.Any(s => s is not null));
        var x = model.Features.Transform(test);
        var ours = new double[x.RowCount];
        gb.PredictMargins(x, ours);

        var lgb = LightGbmModel.Parse(LightGbmModel.ToText(gb));
        var viaLgb = new double[x.RowCount];
        lgb.PredictMargins(x, viaLgb);
        Assert.Equal(ours, viaLgb);

        // XGBoost JSON has no equivalent of our categorical splits; the default model (categories as codes) exports.
        Assert.Throws<NotSupportedException>(() => XGBoostModel.ToJson(gb));
        var xn = model.Features.Transform(test);
        var numericModel = (GradientBoostingPredictor)new CreditScoringContext().CreatePipeline().Train(t => t.GradientBoosting(o => o.NumberOfIterations = 60)).Build().Fit(train).Predictor;
        Assert.All(numericModel.Trees, t => Assert.All(t.CategorySet, s => Assert.Null(s)));
        var xgb = XGBoostModel.Import(new MemoryStream(XGBoostModel.ToJson(numericModel)));
        var a = new double[x.RowCount];
        var b = new double[x.RowCount];
        numericModel.PredictMargins(xn, a);
        xgb.PredictMargins(xn, b);
        for (var i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(LogisticFunction(a[i]) - LogisticFunction(b[i])) <= 1e-6, $"row {i}: {a[i]} vs {b[i]}");
        }
    }

    [Fact]
    public void LightGbmImport_ReadsATextModelWrittenByLightGbm()
    {
        // A two-tree model in LightGBM 4's text format: a numeric split with NaN default-left, a
        // categorical split on codes {1, 3}, and missing type None (NaN compares as 0).
        const string Text = """
            tree
            version=v4
            num_class=1
            num_tree_per_iteration=1
            label_index=0
            max_feature_idx=1
            objective=binary sigmoid:1
            feature_names=income segment
            feature_infos=[1:100] 0:1:2:3
            tree_sizes=400 400

            Tree=0
            num_leaves=3
            num_cat=1
            split_feature=0 1
            split_gain=10 5
            threshold=50.5 0
            decision_type=10 9
            left_child=-1 -2
            right_child=1 -3
            leaf_value=-1.5 0.25 0.75
            leaf_weight=10 5 5
            leaf_count=100 50 50
            internal_value=0 0
            internal_weight=20 10
            internal_count=200 100
            cat_boundaries=0 1
            cat_threshold=10
            is_linear=0
            shrinkage=1


            Tree=1
            num_leaves=2
            num_cat=0
            split_feature=0
            split_gain=3
            threshold=20
            decision_type=0
            left_child=-1
            right_child=-2
            leaf_value=-0.1 0.1
            leaf_weight=5 5
            leaf_count=10 10
            internal_value=0
            internal_weight=10
            internal_count=20
            is_linear=0
            shrinkage=0.1


            end of trees

            feature_importances:
            income=2
            """;
        var model = LightGbmModel.Parse(Text);
        Assert.Equal(["income", "segment"], model.Features.Select(f => f.Name));
        Assert.Equal(-1.5 - 0.1, model.PredictMargin([10, 1]));      // left, left
        Assert.Equal(-1.5 - 0.1, model.PredictMargin([double.NaN, 1])); // NaN default-left; None: NaN as 0 ≤ 20 → left
        Assert.Equal(0.25 + 0.1, model.PredictMargin([60, 3]));       // category 3 in {1, 3}: left
        Assert.Equal(0.75 + 0.1, model.PredictMargin([60, 2]));       // category 2: right
        Assert.Equal(0.75 + 0.1, model.PredictMargin([60, double.NaN]));

        var e = Assert.Throws<ModelFormatException>(() => LightGbmModel.Parse(Text.Replace("end of trees", "", StringComparison.Ordinal)));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        var multi = Assert.Throws<ModelFormatException>(() => LightGbmModel.Parse(Text.Replace("num_class=1", "num_class=3", StringComparison.Ordinal)));
        Assert.Contains("num_class=3", multi.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void XGBoostImport_RejectsWhatItCannotScore()
    {
        var json = File.ReadAllText(TestPaths.Fixture("xgb_credit.json"));
        var e = Assert.Throws<ModelFormatException>(() => XGBoostModel.Import(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json.Replace("binary:logistic", "multi:softprob", StringComparison.Ordinal))), "m.json"));
        Assert.Contains("m.json: objective 'multi:softprob'", e.Message, StringComparison.Ordinal);
        var truncated = Assert.Throws<ModelFormatException>(() => XGBoostModel.Import(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json[..(json.Length / 2)])), "m.json"));
        Assert.Contains("not valid JSON", truncated.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(1.0f)]
    [InlineData(-3.25f)]
    [InlineData(1e-30f)]
    [InlineData(123456.78f)]
    public void FloatComparison_BecomesAnExactDoubleThreshold(float c)
    {
        var t = Float32Threshold.FromFloatLessThan(c);
        Assert.True((float)t < c);
        Assert.False((float)Math.BitIncrement(t) < c);
        Assert.Equal(c, Float32Threshold.ToFloatLessThan(t));
    }

    private static double LogisticFunction(double m) => 1 / (1 + Math.Exp(-m));

    private static double[] Row(FeatureMatrix x, int i)
    {
        var row = new double[x.ColumnCount];
        x.CopyRow(i, row);
        return row;
    }
}
