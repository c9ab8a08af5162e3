using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.BadInput;

/// <summary>Issue 14, class 9: limits instead of crashes, and a logistic solver that stays fast when features are many.</summary>
public class LimitsTests
{
    private static LogisticRegressionPredictor Fit(CreditData data, LogisticSolverKind solver, double l1 = 0) =>
        (LogisticRegressionPredictor)new CreditScoringContext(seed: 1).CreatePipeline()
            .Train(t => t.LogisticRegression(o => { o.Solver = solver; o.L1Regularization = l1; }))
            .Build().Fit(data).Predictor;

    /// <summary>Rows with <paramref name="features"/> numeric columns, a few of them informative.</summary>
    private static CreditData Wide(int rows, int features, int seed)
    {
        var random = new Random(seed);
        var columns = new List<DataColumn>();
        var logit = new double[rows];
        for (var j = 0; j < features; j++)
        {
            var x = new double[rows];
            var weight = j < 10 ? (j % 2 == 0 ? 0.8 : -0.6) : 0;
            for (var i = 0; i < rows; i++)
            {
                x[i] = (random.NextDouble() * 2) - 1;
                logit[i] += weight * x[i];
            }

            columns.Add(new NumericColumn($"x{j}", x));
        }

        var y = logit.Select(l => random.NextDouble() < 1 / (1 + Math.Exp(-(l - 1.5))) ? 1.0 : 0.0).ToArray();
        columns.Add(new NumericColumn("y", y));
        return CreditData.FromColumns(columns, o => o.Target("y"));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(3.0)]
    public void Lbfgs_ReachesNewtonsOptimum_OnTheBundledData(double l1)
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));

        var newton = Fit(data, LogisticSolverKind.Newton, l1);
        var lbfgs = Fit(data, LogisticSolverKind.Lbfgs, l1);

        Assert.True(lbfgs.TrainingSummary!.MaxGradient <= 1e-10);
        Assert.Equal(newton.TrainingSummary!.Objective, lbfgs.TrainingSummary.Objective, 1e-9 * newton.TrainingSummary.Objective);
        foreach (var (a, b) in newton.Coefficients.Zip(lbfgs.Coefficients))
        {
            Assert.Equal(a.StandardizedCoefficient, b.StandardizedCoefficient, 1e-6);
            Assert.Equal(a.StandardizedCoefficient == 0, b.StandardizedCoefficient == 0 || Math.Abs(b.StandardizedCoefficient) < 1e-9);
        }

        Assert.Equal(newton.StandardizedIntercept, lbfgs.StandardizedIntercept, 1e-6);
    }

    [Fact]
    public void Auto_UsesLbfgsPastFiveHundredFeatures_AtNewtonsOptimum()
    {
        var data = Wide(2000, 600, 3);

        var auto = Fit(data, LogisticSolverKind.Auto);
        var newton = Fit(data, LogisticSolverKind.Newton);

        Assert.True(auto.TrainingSummary!.Iterations > 15, $"L-BFGS takes many cheap iterations ({auto.TrainingSummary.Iterations}), Newton few ({newton.TrainingSummary!.Iterations})");
        Assert.True(newton.TrainingSummary!.Iterations < 15);
        Assert.Equal(newton.TrainingSummary.Objective, auto.TrainingSummary.Objective, 1e-9 * newton.TrainingSummary.Objective);
        Assert.Equal(newton.Coefficients.Select(c => c.StandardizedCoefficient), auto.Coefficients.Select(c => c.StandardizedCoefficient), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal("Auto", new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(Wide(200, 3, 1)).Metadata.LearnerParameters["Solver"]);
    }

    [Fact]
    public void Lbfgs_GivesTheSameBitsOnAnyThreadCount()
    {
        var data = Wide(1500, 700, 5);
        LogisticRegressionPredictor On(int threads) => (LogisticRegressionPredictor)new CreditScoringContext(seed: 1, maxDegreeOfParallelism: threads).CreatePipeline()
            .Train(t => t.LogisticRegression()).Build().Fit(data).Predictor;

        var one = On(1);
        var two = On(2);

        Assert.True(one.TrainingSummary!.Iterations > 15);
        Assert.Equal(one.Coefficients.Select(c => BitConverter.DoubleToInt64Bits(c.Coefficient)), two.Coefficients.Select(c => BitConverter.DoubleToInt64Bits(c.Coefficient)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(one.Intercept), BitConverter.DoubleToInt64Bits(two.Intercept));
    }

    [Fact]
    public void AColumnWithAMillionCategories_IsAClearError_NotAnOutOfMemoryCrash()
    {
        const int rows = 1_000_000;
        var ids = new string[rows];
        var y = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            ids[i] = "customer-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            y[i] = i % 10 == 0 ? 1 : 0;
        }

        var data = CreditData.FromColumns([new CategoricalColumn("customer", ids), new NumericColumn("x", y.Select((v, i) => (double)(i % 97)).ToArray()), new NumericColumn("y", y)], o => o.Target("y"));

        var e = Assert.Throws<CreditScoringException>(() => new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data));

        Assert.StartsWith("learner preparation: column 'customer' has 1,000,000 categories to one-hot encode, more than the limit of 1,000 indicators per column (OneHotOptions.CategoryLimit).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneHot_CategoryLimitIsConfigurable_AndCountsAfterGrouping()
    {
        var values = Enumerable.Range(0, 3000).Select(i => "c" + (i % 1500)).ToArray();
        var data = CreditData.FromColumns([new CategoricalColumn("c", values), new NumericColumn("y", values.Select((_, i) => (double)(i % 2)).ToArray())], o => o.Target("y"));

        var grouped = new CreditScoringContext().CreatePipeline()
            .Features(f => f.OneHot(o => o.MaximumCategoryCount = 20, "c"))
            .Train(t => t.LogisticRegression()).Build().Fit(data);
        Assert.Equal(21, grouped.Features.Features.Count);

        var raised = new CreditScoringContext().CreatePipeline()
            .Features(f => f.OneHot(o => o.CategoryLimit = 2000, "c"))
            .Train(t => t.LogisticRegression()).Build().Fit(data);
        Assert.Equal(1500, raised.Features.Features.Count);
    }
}
