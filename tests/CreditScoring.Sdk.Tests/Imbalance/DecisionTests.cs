using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Learners;
using Xunit;

namespace CreditScoring.Sdk.Tests.Imbalance;

public class DecisionTests
{
    private static readonly JsonElement Peer = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("imbalance_threshold.json"))).RootElement;

    internal static (int[] Labels, double[] Probabilities, double[] Loans) Oof()
    {
        var rows = File.ReadAllLines(TestPaths.Fixture("imbalance_oof.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        return (rows.Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)).ToArray(),
                rows.Select(r => double.Parse(r[1], CultureInfo.InvariantCulture)).ToArray(),
                rows.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)).ToArray());
    }

    [Theory]
    [InlineData("fn10_fp1", 10)]
    [InlineData("fn5_fp1", 5)]
    public void Cost_optimal_and_f1_optimal_thresholds_equal_the_peer_sweep(string key, double fnCost)
    {
        var (y, p, _) = Oof();
        var peer = Peer.GetProperty(key);
        var analysis = ThresholdAnalysis.Analyze(p, y, CostMatrix.Create(fnCost, 1).Constant(y.Length));
        var cost = analysis.Choose(ThresholdObjective.MinimumCost);
        Assert.Equal(peer.GetProperty("cost_optimal").GetProperty("cost").GetDouble(), cost.Cost);
        Assert.Equal(peer.GetProperty("cost_optimal").GetProperty("threshold").GetDouble(), cost.Threshold);
        Assert.Equal(peer.GetProperty("cost_optimal").GetProperty("next_lower_score").GetDouble(), cost.NextLowerScore);
        Assert.Equal(peer.GetProperty("cost_optimal").GetProperty("FN").GetDouble(), cost.Confusion.FalseNegatives);
        var f1 = analysis.Choose(ThresholdObjective.MaximumF1);
        Assert.Equal(peer.GetProperty("f1_optimal").GetProperty("threshold").GetDouble(), f1.Threshold);
        Assert.Equal(peer.GetProperty("f1_optimal").GetProperty("f1").GetDouble(), f1.F1, 1e-8);
        Assert.Equal(peer.GetProperty("f1_optimal").GetProperty("cost").GetDouble(), f1.Cost);
        Assert.Equal(peer.GetProperty("cost_all_negative").GetDouble(), analysis.CostOfApprovingAll);
        Assert.Equal(peer.GetProperty("cost_all_positive").GetDouble(), analysis.CostOfDecliningAll);
        Assert.Equal(peer.GetProperty("at_0.5").GetProperty("cost").GetDouble(), analysis.At(0.5).Cost);
        Assert.Equal(peer.GetProperty("bayes_threshold").GetProperty("cost").GetDouble(), analysis.At(1 / (1 + fnCost)).Cost);

        // The business optimum is not the F1 optimum.
        Assert.True(cost.Cost < f1.Cost);
        Assert.True(cost.Threshold < f1.Threshold);

        // Every point of the cost curve costs at least the minimum, and the curve starts at "decline nobody".
        var curve = analysis.Curve;
        Assert.Equal(double.PositiveInfinity, curve[0].Threshold);
        Assert.Equal(1.0, curve[0].ApprovalRate);
        Assert.All(curve, c => Assert.True(c.Cost >= cost.Cost));
        Assert.Equal(peer.GetProperty("distinct_scores").GetInt32() + 1, curve.Count);
    }

    [Fact]
    public void Youden_and_constrained_policies_hold_their_constraints()
    {
        var (y, p, _) = Oof();
        var analysis = ThresholdAnalysis.Analyze(p, y, CostMatrix.Create(10, 1).Constant(y.Length));
        var youden = analysis.Choose(ThresholdObjective.MaximumYouden);
        Assert.Equal(analysis.Curve.Max(c => c.Threshold == double.PositiveInfinity ? 0 : Tpr(c)), Tpr(analysis.Curve.First(c => c.Threshold == youden.Threshold)));

        var cap = analysis.Choose(ThresholdObjective.MostApprovals(0.03));
        Assert.True(cap.BadRate <= 0.03);
        Assert.DoesNotContain(analysis.Curve, c => c.BadRate <= 0.03 && c.ApprovalRate > cap.ApprovalRate);

        var floor = analysis.Choose(ThresholdObjective.MinimumCostWithApprovalRate(0.9));
        Assert.True(floor.ApprovalRate >= 0.9);
        Assert.Equal(analysis.Curve.Where(c => c.ApprovalRate >= 0.9).Min(c => c.Cost), floor.Cost);
        Assert.True(floor.Cost >= analysis.Choose(ThresholdObjective.MinimumCost).Cost);

        double Tpr(CostCurvePoint c) => analysis.Curve.Count > 0 ? Youden(c) : 0;
        double Youden(CostCurvePoint c) => analysis.At(c.Threshold).Youden;
    }

    [Fact]
    public void Per_applicant_costs_weigh_each_row_by_its_loan()
    {
        var (y, p, loans) = Oof();
        var data = Sdk.Data.CreditData.FromColumns([new Sdk.Data.NumericColumn("loan", loans), new Sdk.Data.NumericColumn("y", y.Select(v => (double)v).ToArray())], o => o.Target("y"));
        var costs = CostMatrix.FromColumns(new CostMatrix.Term("loan", 0.45), new CostMatrix.Term("loan", 0.05));
        var analysis = ThresholdAnalysis.Analyze(p, y, costs.Resolve(data));
        var choice = analysis.Choose(ThresholdObjective.MinimumCost);

        // By hand at the chosen threshold.
        var expected = Enumerable.Range(0, y.Length).Sum(i => p[i] >= choice.Threshold ? (y[i] == 0 ? 0.05 * loans[i] : 0) : (y[i] == 1 ? 0.45 * loans[i] : 0));
        Assert.Equal(expected, choice.Cost, 1e-6);
        Assert.Equal(0.45 * Enumerable.Range(0, y.Length).Where(i => y[i] == 1).Sum(i => loans[i]), analysis.CostOfApprovingAll, 1e-6);
        Assert.Contains("column 'amount'", Assert.Throws<ConfigurationException>(() => CostMatrix.FromColumns(new CostMatrix.Term("amount"), new CostMatrix.Term(1)).Resolve(data)).Message);
    }

    [Fact]
    public void Bootstrap_interval_contains_the_threshold_and_is_reproducible()
    {
        var (y, p, _) = Oof();
        var analysis = ThresholdAnalysis.Analyze(p, y, CostMatrix.Create(10, 1).Constant(y.Length));
        var a = analysis.Choose(ThresholdObjective.MinimumCost, samples: 100, seed: 1);
        var b = analysis.Choose(ThresholdObjective.MinimumCost, samples: 100, seed: 1);
        Assert.Equal(a.Interval, b.Interval);
        Assert.True(a.Interval!.Lower <= a.Threshold && a.Threshold <= a.Interval.Upper, $"{a.Interval} vs {a.Threshold}");
        Assert.True(a.Interval.Upper > a.Interval.Lower);
    }

    [Fact]
    public void Business_score_is_one_for_perfect_and_zero_for_the_best_trivial_policy()
    {
        var y = new[] { 0, 0, 0, 1, 1, 0, 0, 0, 0, 0 };
        var perfect = y.Select(v => v == 1 ? 0.9 : 0.1).ToArray();
        var analysis = ThresholdAnalysis.Analyze(perfect, y, CostMatrix.Create(10, 1).Constant(y.Length));
        Assert.Equal(1.0, analysis.Choose(ThresholdObjective.MinimumCost).BusinessScore);
        Assert.Equal(8.0, analysis.CostOfDecliningAll);
        Assert.Equal(20.0, analysis.CostOfApprovingAll);
        Assert.Equal(0.0, analysis.BusinessScore(8.0));
        Assert.Equal(0.5, analysis.BusinessScore(4.0));
    }

    [Fact]
    public void Platt_and_isotonic_equal_scikit_learn()
    {
        var (y, p, _) = Oof();
        var fixture = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("imbalance_calibration.json"))).RootElement;
        var margins = p.Select(v => Math.Log(Math.Clamp(v, 1e-12, 1 - 1e-12) / (1 - Math.Clamp(v, 1e-12, 1 - 1e-12)))).ToArray();
        var platt = PlattCalibrator.Fit(margins, y);
        Assert.Equal(fixture.GetProperty("platt_a").GetDouble(), platt.A, 1e-5);
        Assert.Equal(fixture.GetProperty("platt_b").GetDouble(), platt.B, 1e-5);

        var iso = IsotonicCalibrator.Fit(margins, y);
        var grid = fixture.GetProperty("isotonic_grid").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var expected = fixture.GetProperty("isotonic_values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (var i = 0; i < grid.Length; i++)
        {
            Assert.Equal(expected[i], iso.Interpolate(grid[i]), 1e-6);
        }
    }

    [Fact]
    public void Prior_correction_matches_the_mean_predicted_pd_to_the_default_rate()
    {
        var (y, p, _) = Oof();

        // Margins of a model trained on 50/50 resampled data: shifted up by ln(0.5/0.5) - ln(0.08/0.92).
        var margins = p.Select(v => Math.Log(v / (1 - v)) + 2.44).ToArray();
        var prior = PriorCorrection.Fit(margins, y);
        Assert.Equal(y.Average(), margins.Average(prior.Calibrate), 1e-12);
        Assert.InRange(prior.Shift, -2.6, -2.2);
    }
}
