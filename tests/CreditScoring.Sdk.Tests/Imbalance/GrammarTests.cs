using CreditScoring.Sdk.Decisions;

namespace CreditScoring.Sdk.Tests.Imbalance;

/// <summary>The cost and objective text grammars (the CLI's --cost-fn, --cost-fp and --objective), owned by the library.</summary>
public class GrammarTests
{
    [Theory]
    [InlineData("10", null, 0, 10)]
    [InlineData("-2.5", null, 0, -2.5)]
    [InlineData("1e3", null, 0, 1000)]
    [InlineData("AMT_CREDIT", "AMT_CREDIT", 1, 0)]
    [InlineData(" AMT_CREDIT * 0.45", "AMT_CREDIT", 0.45, 0)]
    [InlineData("loan*amount*2", "loan*amount", 2, 0)]
    public void CostTerm_Parse(string text, string? column, double factor, double constant)
    {
        Assert.Equal(new CostMatrix.Term(column, factor, constant), CostMatrix.Term.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("*0.45")]
    [InlineData("AMT_CREDIT*lots")]
    [InlineData(" *2")]
    public void CostTerm_Parse_RefusesWhatIsNotANumberAColumnOrColumnTimesFactor(string text)
    {
        var e = Assert.Throws<ConfigurationException>(() => CostMatrix.Term.Parse(text));

        Assert.Equal($"the cost '{text}' is not a number, a column, or COLUMN*FACTOR (e.g. 10, or AMT_CREDIT*0.45).", e.Message);
    }

    [Fact]
    public void Objective_Parse()
    {
        Assert.Same(ThresholdObjective.MinimumCost, ThresholdObjective.Parse("cost"));
        Assert.Same(ThresholdObjective.MaximumF1, ThresholdObjective.Parse("F1"));
        Assert.Same(ThresholdObjective.MaximumYouden, ThresholdObjective.Parse(" youden "));
        Assert.Equal(ThresholdObjective.MostApprovals(0.05), ThresholdObjective.Parse("bad-rate:0.05"));
        Assert.Equal(ThresholdObjective.MinimumCostWithApprovalRate(0.8), ThresholdObjective.Parse("approval:0.8"));
        Assert.Equal("bad-rate<=0.05", ThresholdObjective.Parse("bad-rate:0.05").Name);
    }

    [Theory]
    [InlineData("profit")]
    [InlineData("bad-rate")]
    [InlineData("bad-rate:1.5")]
    [InlineData("approval:-0.1")]
    [InlineData("approval:most")]
    [InlineData("cost:0.5")]
    public void Objective_Parse_RefusesTheRest(string text)
    {
        var e = Assert.Throws<ConfigurationException>(() => ThresholdObjective.Parse(text));

        Assert.Equal($"the objective '{text}' is not cost, f1, youden, bad-rate:MAX or approval:MIN (MAX and MIN rates in [0, 1]).", e.Message);
    }

    [Fact]
    public void Optimize_IsTheOneRuleBehindTheNamedOnes()
    {
        var catalog = Catalog();
        var costs = CostMatrix.Create(5, 1);

        var viaParse = catalog.Optimize(ThresholdObjective.Parse("approval:0.9"), costs, 50);
        var named = catalog.MinimizeCost(costs, 0.9, 50);

        Assert.Equal(named.Objective, viaParse.Objective);
        Assert.Same(costs, viaParse.Costs);
        Assert.Equal(50, viaParse.BootstrapSamples);
        Assert.Equal("the objective 'cost' minimizes cost, so it needs a cost matrix (e.g. CostMatrix.Create(falseNegative: 10, falsePositive: 1)).", Assert.Throws<ConfigurationException>(() => catalog.Optimize(ThresholdObjective.MinimumCost)).Message);
        Assert.Equal("a fixed threshold is not optimized: use Threshold(0.3).", Assert.Throws<ConfigurationException>(() => catalog.Optimize(ThresholdObjective.Fixed(0.3))).Message);
        Assert.Null(catalog.Optimize(ThresholdObjective.MaximumF1).Costs);
    }

    private static DecisionCatalog Catalog()
    {
        DecisionCatalog? seen = null;
        new CreditScoringContext().CreatePipeline().Decide(d =>
        {
            seen = d;
            return d.Threshold(0.5);
        });
        return seen!;
    }
}
