using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.Linear;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.Tests.Learners;

public class LogisticRegressionTests
{
    /// <summary>The split, preprocessing and exact-Newton solution of ../shared/peers/logreg.py on modeldata-credit-data.csv.</summary>
    private static (CreditData Train, CreditData Test, JsonElement Peer, double[] PeerTightProbabilities) PeerSetup()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var rows = File.ReadAllLines(TestPaths.Fixture("logreg_credit.test_pred.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        var testRows = rows.Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)).ToArray();
        var isTest = new bool[data.RowCount];
        foreach (var r in testRows)
        {
            isTest[r] = true;
        }

        var trainRows = Enumerable.Range(0, data.RowCount).Where(r => !isTest[r]).ToArray();
        var peer = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("logreg_credit.json"))).RootElement;
        return (data.SelectRows(trainRows), data.SelectRows(testRows), peer, rows.Select(r => double.Parse(r[3], CultureInfo.InvariantCulture)).ToArray());
    }

    private static string PeerName(string feature) => feature.Replace("=" + "(missing)", "___NA__", StringComparison.Ordinal).Replace('=', '_');

    [Fact]
    public void Fit_CreditData_MatchesPeerExactNewtonCoefficientsAndAuc()
    {
        var (train, test, peer, peerProbabilities) = PeerSetup();

        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(train);

        var lr = Assert.IsType<LogisticRegressionPredictor>(model.Predictor);
        var tight = peer.GetProperty("coef_tight");
        Assert.Equal(tight.EnumerateObject().Count(), lr.Coefficients.Count);
        foreach (var c in lr.Coefficients)
        {
            Assert.Equal(tight.GetProperty(PeerName(c.Feature)).GetDouble(), c.StandardizedCoefficient, 1e-9);
            if (!c.Feature.Contains('=', StringComparison.Ordinal))
            {
                Assert.Equal(peer.GetProperty("numeric_mean").GetProperty(c.Feature).GetDouble(), c.Mean, 1e-9);
                Assert.Equal(peer.GetProperty("numeric_scale").GetProperty(c.Feature).GetDouble(), c.Scale, 1e-9);
                Assert.Equal(peer.GetProperty("coef_tight_original_units").GetProperty(c.Feature).GetDouble(), c.Coefficient, 1e-9);
            }
        }

        Assert.Equal(peer.GetProperty("intercept_tight").GetDouble(), lr.StandardizedIntercept, 1e-9);
        Assert.Equal(peer.GetProperty("intercept_tight_original_units").GetDouble(), lr.Intercept, 1e-8);
        foreach (var median in peer.GetProperty("numeric_median").EnumerateObject())
        {
            Assert.Contains($"{median.Name}: missing -> median {median.Value.GetDouble().ToString("R", CultureInfo.InvariantCulture)}", model.Features.Steps);
        }

        var probabilities = new double[test.RowCount];
        model.CreateScorer().PredictProbabilities(test, probabilities);
        for (var i = 0; i < probabilities.Length; i++)
        {
            Assert.Equal(peerProbabilities[i], probabilities[i], 1e-10);
        }

        Assert.Equal(0.83862052, model.Evaluate(test).Auc, 1e-6);
        Assert.Equal(ClassificationMetrics.Auc(peerProbabilities, test.Labels), model.Evaluate(test).Auc, 1e-12);
    }

    [Theory]
    [InlineData("0.01")]
    [InlineData("0.002")]
    public void Fit_L1_MatchesSagaAndSatisfiesOptimality(string c)
    {
        var fit = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("logreg_l1.json"))).RootElement.GetProperty("fits").GetProperty(c);
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default").Drop("Home", "Marital", "Records", "Job"));
        var l1 = fit.GetProperty("l1_regularization").GetDouble();

        var model = new CreditScoringContext().CreatePipeline()
            .Train(t => t.LogisticRegression(o =>
            {
                o.L1Regularization = l1;
                o.L2Regularization = 0;
            }))
            .Build().Fit(data);

        var lr = (LogisticRegressionPredictor)model.Predictor;
        foreach (var coefficient in lr.Coefficients)
        {
            var expected = fit.GetProperty("coef").GetProperty(coefficient.Feature).GetDouble();
            Assert.Equal(expected, coefficient.StandardizedCoefficient, 1e-5);
            Assert.Equal(expected == 0, coefficient.StandardizedCoefficient == 0);
        }

        Assert.Equal(fit.GetProperty("intercept").GetDouble(), lr.StandardizedIntercept, 1e-5);

        // Optimality, computed here independently of the solver: |g_j + λ1·sign(β_j)| ≈ 0 where β_j ≠ 0, |g_j| ≤ λ1 where β_j = 0.
        var matrix = model.Features.Transform(data);
        var gradient = Gradient(matrix, data.Labels, lr, l2: 0);
        Assert.True(Math.Abs(gradient[0]) < 1e-6, $"intercept gradient {gradient[0]}");
        for (var j = 0; j < lr.Coefficients.Count; j++)
        {
            var beta = lr.Coefficients[j].StandardizedCoefficient;
            if (beta != 0)
            {
                Assert.True(Math.Abs(gradient[j + 1] + (l1 * Math.Sign(beta))) < 1e-6, $"{lr.Coefficients[j].Feature}: {gradient[j + 1]}");
            }
            else
            {
                Assert.True(Math.Abs(gradient[j + 1]) <= l1 + 1e-6, $"{lr.Coefficients[j].Feature}: {gradient[j + 1]}");
            }
        }
    }

    [Fact]
    public void Fit_L2_GradientIsZeroAtTheSolution()
    {
        var data = SyntheticCredit.Generate(3000);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression(o => o.L2Regularization = 5)).Build().Fit(data);
        var lr = (LogisticRegressionPredictor)model.Predictor;

        var gradient = Gradient(model.Features.Transform(data), data.Labels, lr, l2: 5);

        Assert.All(gradient, g => Assert.True(Math.Abs(g) < 1e-7, $"gradient {g}"));
        Assert.True(lr.TrainingSummary!.Iterations is > 0 and < 20);
    }

    [Fact]
    public void Fit_IntegerWeights_EqualDuplicatedRows()
    {
        var data = SyntheticCredit.Generate(800, seed: 3);
        var counts = Enumerable.Range(0, data.RowCount).Select(i => 1 + (i % 3)).ToArray();
        var duplicated = data.SelectRows(Enumerable.Range(0, data.RowCount).SelectMany(i => Enumerable.Repeat(i, counts[i])).ToArray());
        var columns = data.Columns.ToList();
        columns.Add(new NumericColumn("w", counts.Select(c => (double)c).ToArray()));
        var weighted = CreditData.FromColumns(columns, o => o.Target("target").Id("id").Weight("w"));

        var pipeline = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build();
        var a = (LogisticRegressionPredictor)pipeline.Fit(weighted).Predictor;
        var b = (LogisticRegressionPredictor)pipeline.Fit(duplicated).Predictor;

        Assert.Equal(b.StandardizedIntercept, a.StandardizedIntercept, 1e-9);
        for (var j = 0; j < a.Coefficients.Count; j++)
        {
            Assert.Equal(b.Coefficients[j].StandardizedCoefficient, a.Coefficients[j].StandardizedCoefficient, 1e-9);
            Assert.Equal(b.Coefficients[j].Mean, a.Coefficients[j].Mean, 1e-9);
        }
    }

    [Fact]
    public void Fit_SameDataAnyThreadCount_BitIdentical()
    {
        // 25,000 rows x 21 features crosses the threshold where the Hessian is built in parallel.
        var rng = new Random(11);
        var columns = new List<DataColumn>();
        for (var j = 0; j < 20; j++)
        {
            columns.Add(new NumericColumn($"x{j}", Enumerable.Range(0, 25_000).Select(_ => rng.NextDouble()).ToArray()));
        }

        columns.Add(new CategoricalColumn("c", Enumerable.Range(0, 25_000).Select(i => (i % 4).ToString(CultureInfo.InvariantCulture)).ToArray()));
        columns.Add(new NumericColumn("y", Enumerable.Range(0, 25_000).Select(_ => rng.NextDouble() < 0.2 ? 1.0 : 0.0).ToArray()));
        var data = CreditData.FromColumns(columns, o => o.Target("y"));

        LogisticRegressionPredictor Fit(int threads) =>
            (LogisticRegressionPredictor)new CreditScoringContext(maxDegreeOfParallelism: threads).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data).Predictor;

        var one = Fit(1);
        var two = Fit(2);
        var eight = Fit(8);
        Assert.Equal(BitConverter.DoubleToInt64Bits(one.StandardizedIntercept), BitConverter.DoubleToInt64Bits(two.StandardizedIntercept));
        Assert.Equal(one.Coefficients.Select(c => BitConverter.DoubleToInt64Bits(c.StandardizedCoefficient)), two.Coefficients.Select(c => BitConverter.DoubleToInt64Bits(c.StandardizedCoefficient)));
        Assert.Equal(one.Coefficients.Select(c => BitConverter.DoubleToInt64Bits(c.StandardizedCoefficient)), eight.Coefficients.Select(c => BitConverter.DoubleToInt64Bits(c.StandardizedCoefficient)));
    }

    [Fact]
    public void Objective_WithALineSearchBound_IsExactOrRulesTheTrialOutOnlyAboveIt()
    {
        // 50,000 rows (three chunks), heavy-tailed margins as an overshooting Newton step gives, weights in [0, 2).
        var rng = new Random(5);
        var n = 50_000;
        var eta = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.01 ? (rng.NextDouble() - 0.5) * 400 : (rng.NextDouble() - 0.5) * 6).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.2 ? 1.0 : 0.0).ToArray();
        var w = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2).ToArray();
        double[] theta = [0.3, -1.5, 2.0];
        double Objective(double bound) => LogisticSolver.Objective(eta, y, w, theta, 1.0, 0.1, new double[n], new double[n], bound);

        var exact = Objective(double.PositiveInfinity);
        Assert.True(exact > 0);
        foreach (var bound in new[] { exact * 0.1, exact * 0.5, exact * 0.999, exact * (1 - 1e-12), exact, exact * (1 + 1e-12), exact * 2 })
        {
            var bounded = Objective(bound);
            if (double.IsPositiveInfinity(bounded))
            {
                Assert.True(exact > bound, $"ruled out under a bound {bound:R} the objective {exact:R} meets");
            }
            else
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(exact), BitConverter.DoubleToInt64Bits(bounded));
            }
        }

        // Far above the bound, the partial sums rule the trial out before the last chunk.
        Assert.Equal(double.PositiveInfinity, Objective(exact * 0.1));
        Assert.Equal(double.PositiveInfinity, Objective(exact * 0.5));
    }

    [Fact]
    public void Fit_CollinearOneHotWithoutPenalty_StillConverges()
    {
        // Without missing values the one-hot indicators sum to 1, collinear with the intercept.
        var data = CreditData.ReadCsv(TestPaths.LendingClub, o => o.Target("default").Drop("addr_state", "sub_grade"));

        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression(o => o.L2Regularization = 0)).Build().Fit(data);

        var gradient = Gradient(model.Features.Transform(data), data.Labels, (LogisticRegressionPredictor)model.Predictor, l2: 0);
        Assert.All(gradient, g => Assert.True(Math.Abs(g) < 1e-5, $"gradient {g}"));
    }

    [Fact]
    public void Fit_SeparableWithoutPenalty_FailsWithAdvice()
    {
        var data = CreditData.FromColumns([new NumericColumn("x", [1, 2, 3, 4, 5, 6]), new NumericColumn("y", [0, 0, 0, 1, 1, 1])], o => o.Target("y"));
        var pipeline = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression(o => o.L2Regularization = 0)).Build();

        var e = Assert.Throws<CreditScoringException>(() => pipeline.Fit(data));

        Assert.StartsWith("The training data is perfectly separated", e.Message, StringComparison.Ordinal);
        Assert.Contains("set L2Regularization > 0", e.Message, StringComparison.Ordinal);
        var penalized = (LogisticRegressionPredictor)new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data).Predictor;
        Assert.InRange(penalized.Coefficients[0].StandardizedCoefficient, 1, 5);
    }

    [Fact]
    public void Fit_IterationLimitReached_FailsWithTheGradient()
    {
        var data = SyntheticCredit.Generate(500);
        var pipeline = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression(o => o.MaximumNumberOfIterations = 1)).Build();

        var e = Assert.Throws<CreditScoringException>(() => pipeline.Fit(data));

        Assert.Matches(@"^Logistic regression did not converge in 1 Newton iterations \(largest gradient / total weight = [0-9.E+-]+, tolerance 1E-10\)", e.Message);
    }

    [Fact]
    public void Options_Defaults()
    {
        var o = new LogisticRegressionOptions();
        Assert.Equal((1.0, 0.0, true, 1e-10, 100), (o.L2Regularization, o.L1Regularization, o.Standardize, o.OptimizationTolerance, o.MaximumNumberOfIterations));
        var learner = new LogisticRegressionLearner();
        Assert.Equal("logistic", learner.Name);
        Assert.Equal(LearnerCapabilities.None, learner.Capabilities);
        Assert.Equal("1", learner.Parameters["L2Regularization"]);
    }

    [Fact]
    public void Options_AllInvalid_ReportsEveryProblem()
    {
        var options = new LogisticRegressionOptions { L2Regularization = -1, L1Regularization = double.NaN, OptimizationTolerance = 0.5, MaximumNumberOfIterations = 0 };

        var e = Assert.Throws<ConfigurationException>(() => new LogisticRegressionLearner(options));
        Assert.IsType<OptionsValidationException>(e.InnerException);

        Assert.Equal(
            "L2Regularization: The field LogisticRegressionOptions.L2Regularization must be between 0 and 1.7976931348623157E+308.; " +
            "L1Regularization: The field LogisticRegressionOptions.L1Regularization must be between 0 and 1.7976931348623157E+308.; " +
            "OptimizationTolerance: The field LogisticRegressionOptions.OptimizationTolerance must be between 1E-16 and 0.01.; " +
            "MaximumNumberOfIterations: The field LogisticRegressionOptions.MaximumNumberOfIterations must be between 1 and 100000.",
            e.Message);
    }

    [Fact]
    public void Fit_MissingFeatureValue_IsRejectedWithFeatureAndRow()
    {
        var matrix = new FeatureMatrix([new FeatureInfo("x", FeatureKind.Continuous)], [[1.0, double.NaN, 3.0]]);
        var e = Assert.Throws<ArgumentException>(() => new LogisticRegressionLearner().Fit(matrix, [0, 1, 0], default, new LearnerContext(1)));
        Assert.StartsWith("Feature 'x' is missing at row 1; this learner needs complete features", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_SingleClass_IsRejected()
    {
        var matrix = new FeatureMatrix([new FeatureInfo("x", FeatureKind.Continuous)], [[1.0, 2.0, 3.0]]);
        var e = Assert.Throws<TrainingDataException>(() => new LogisticRegressionLearner().Fit(matrix, [0, 0, 0], default, new LearnerContext(1)));
        Assert.Equal("The training data has no defaults (label 1) with positive weight; a PD model needs both classes.", e.Message);
    }

    [Fact]
    public void PredictMargin_RowEqualsBatchBitForBit()
    {
        var data = SyntheticCredit.Generate(2000);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);
        var matrix = model.Features.Transform(data);
        var margins = new double[matrix.RowCount];
        model.Predictor.PredictMargins(matrix, margins);
        var row = new double[matrix.ColumnCount];

        for (var i = 0; i < matrix.RowCount; i++)
        {
            matrix.CopyRow(i, row);
            Assert.Equal(BitConverter.DoubleToInt64Bits(margins[i]), BitConverter.DoubleToInt64Bits(model.Predictor.PredictMargin(row)));
        }
    }

    /// <summary>∂F/∂(b, β) on the standardised design, recomputed from the predictor's means, scales and coefficients.</summary>
    private static double[] Gradient(FeatureMatrix matrix, ReadOnlySpan<int> labels, LogisticRegressionPredictor lr, double l2)
    {
        var coefficients = lr.Coefficients;
        var gradient = new double[coefficients.Count + 1];
        var row = new double[matrix.ColumnCount];
        for (var i = 0; i < matrix.RowCount; i++)
        {
            matrix.CopyRow(i, row);
            var eta = lr.StandardizedIntercept;
            for (var j = 0; j < row.Length; j++)
            {
                eta += coefficients[j].StandardizedCoefficient * (row[j] - coefficients[j].Mean) / coefficients[j].Scale;
            }

            var residual = (1 / (1 + Math.Exp(-eta))) - labels[i];
            gradient[0] += residual;
            for (var j = 0; j < row.Length; j++)
            {
                gradient[j + 1] += residual * (row[j] - coefficients[j].Mean) / coefficients[j].Scale;
            }
        }

        for (var j = 0; j < coefficients.Count; j++)
        {
            gradient[j + 1] += l2 * coefficients[j].StandardizedCoefficient;
        }

        return gradient;
    }
}
