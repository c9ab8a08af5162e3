using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners.Scorecards;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.Features;

public class WoeAndScorecardTests
{
    private static readonly WoeBinningOptions Loose = new() { MinimumBinShare = 0, MaximumBinCount = 20, PrebinCount = 20 };

    /// <summary>Rows of (value, label) with the given counts of defaults and non-defaults per value.</summary>
    private static (double[] X, int[] Y) Rows(params (double Value, int Bad, int Good)[] groups)
    {
        var x = new List<double>();
        var y = new List<int>();
        foreach (var (v, bad, good) in groups)
        {
            x.AddRange(Enumerable.Repeat(v, bad + good));
            y.AddRange(Enumerable.Repeat(1, bad).Concat(Enumerable.Repeat(0, good)));
        }

        return ([.. x], [.. y]);
    }

    [Fact]
    public void Woe_WorkedExample_CategoricalBins()
    {
        // Category 0: 10 bad / 90 good; 1: 20 / 80; 2: 30 / 70. Totals 60 bad, 240 good.
        // WoE = ln(%good / %bad): ln((90/240)/(10/60)) = ln 2.25; ln((80/240)/(20/60)) = 0; ln((70/240)/(30/60)) = ln(7/12).
        // IV = (0.375 − 1/6)·ln 2.25 + 0 + (7/24 − 1/2)·ln(7/12).
        var (x, y) = Rows((0, 10, 90), (1, 20, 80), (2, 30, 70));

        var b = WoeBinner.Fit("c", x, y, default, ["a", "b", "c"], Loose);

        Assert.Equal(["{a}", "{b}", "{c}"], b.Bins.Select(bin => bin.Label));
        Assert.Equal(Math.Log(2.25), b.Bins[0].WeightOfEvidence, 12);
        Assert.Equal(0, b.Bins[1].WeightOfEvidence, 12);
        Assert.Equal(Math.Log(7.0 / 12), b.Bins[2].WeightOfEvidence, 12);
        var iv = ((0.375 - (1.0 / 6)) * Math.Log(2.25)) + (((7.0 / 24) - 0.5) * Math.Log(7.0 / 12));
        Assert.Equal(iv, b.InformationValue, 12);
        Assert.Equal(0.28123, b.InformationValue, 5);
        Assert.Equal([0.1, 0.2, 0.3], b.Bins.Select(bin => Math.Round(bin.EventRate, 12)));
        Assert.Equal(Math.Log(2.25), b.WeightOfEvidence(0), 12);
        Assert.Equal(0, b.WeightOfEvidence(-1)); // unknown category: population average
    }

    [Fact]
    public void Woe_Numeric_PoolsAdjacentViolatorsToTheTrend_MissingAndSpecialBinsApart()
    {
        // Default rates by value 1..4: 0.1, 0.3, 0.2, 0.4 — ascending needs 2 and 3 pooled (0.25).
        var (x, y) = Rows((1, 10, 90), (2, 30, 70), (3, 20, 80), (4, 40, 60), (double.NaN, 5, 5), (98, 8, 2));

        var asc = WoeBinner.Fit("x", x, y, default, null, new WoeBinningOptions { MinimumBinShare = 0, Trend = MonotonicTrend.Ascending, SpecialValues = [98] });

        Assert.Equal(["[-inf, 2)", "[2, 4)", "[4, inf)", "= 98", "missing"], asc.Bins.Select(b => b.Label));
        Assert.Equal([0.1, 0.25, 0.4, 0.8, 0.5], asc.Bins.Select(b => Math.Round(b.EventRate, 12)));
        Assert.Equal([WoeBinKind.Range, WoeBinKind.Range, WoeBinKind.Range, WoeBinKind.Special, WoeBinKind.Missing], asc.Bins.Select(b => b.Kind));
        Assert.Equal(1, asc.BinOf(2.5));
        Assert.Equal(2, asc.BinOf(1e9));
        Assert.Equal(3, asc.BinOf(98));
        Assert.Equal(4, asc.BinOf(double.NaN));
        double bad = 113, good = 307;
        Assert.Equal(Math.Log((150 / good) / (50 / bad)), asc.Bins[1].WeightOfEvidence, 12);
        var none = WoeBinner.Fit("x", x, y, default, null, new WoeBinningOptions { MinimumBinShare = 0, Trend = MonotonicTrend.None, SpecialValues = [98] });
        Assert.Equal(4, none.Bins.Count(b => b.Kind == WoeBinKind.Range));
        var csv = asc.ToCsv().Split('\n');
        Assert.Equal("feature,bin,kind,count,events,nonEvents,eventRate,woe,iv", csv[0]);
        Assert.StartsWith("x,\"[2, 4)\",range,200,50,150,0.25,", csv[2], StringComparison.Ordinal);
        Assert.StartsWith("x,total,total,420,113,307,", csv[6], StringComparison.Ordinal);
    }

    [Fact]
    public void Woe_OnlyMissingAndSpecialInTraining_AnOrdinaryValueHasNoBin()
    {
        var (x, y) = Rows((double.NaN, 5, 15), (98, 6, 4));

        var b = WoeBinner.Fit("x", x, y, default, null, new WoeBinningOptions { SpecialValues = [98] });

        Assert.Equal(["= 98", "missing"], b.Bins.Select(bin => bin.Label));
        Assert.Equal(-1, b.BinOf(3));
        Assert.Equal(0, b.WeightOfEvidence(3));
        Assert.Equal(1, b.BinOf(double.NaN));
    }

    [Fact]
    public void Woe_MinimumShareAndMaximumBins_AreRespected()
    {
        var random = new Random(1);
        var x = Enumerable.Range(0, 5000).Select(_ => random.NextDouble() * 100).ToArray();
        var y = x.Select(v => random.NextDouble() < 0.02 + (v / 250) ? 1 : 0).ToArray();

        var b = WoeBinner.Fit("x", x, y, default, null, new WoeBinningOptions { MaximumBinCount = 5, MinimumBinShare = 0.1 });

        Assert.InRange(b.Bins.Count, 2, 5);
        Assert.All(b.Bins, bin => Assert.True(bin.Count >= 500, $"{bin.Label} holds {bin.Count} rows"));
        var rates = b.Bins.Select(bin => bin.EventRate).ToArray();
        Assert.True(rates.Zip(rates.Skip(1)).All(p => p.First <= p.Second), "auto trend must follow the data upward: " + string.Join(", ", rates));
    }

    [Fact]
    public void WoeStep_InAPipeline_ExportsItsBinningTable()
    {
        var data = SyntheticCredit.Generate(3000);
        var model = new CreditScoringContext().CreatePipeline().Features(f => f.WoE(o => o.MaximumBinCount = 4, "utilization", "region")).Train(t => t.LogisticRegression()).Build().Fit(data);

        var binnings = model.Features.Binnings;
        Assert.Equal(["utilization_WOE", "region_WOE"], binnings.Keys);
        Assert.True(binnings["utilization_WOE"].Bins.Count(b => b.Kind == WoeBinKind.Range) <= 4);
        Assert.Contains(binnings["region_WOE"].Bins, b => b.Kind == WoeBinKind.Missing);
        Assert.Contains("utilization_WOE", model.Features.Features.Select(f => f.Name));
        Assert.DoesNotContain("utilization", model.Features.Features.Select(f => f.Name));
    }

    [Fact]
    public void Scaling_PdoBaseScoreBaseOdds()
    {
        var s = new ScorecardScaling(20, 600, 50);

        Assert.Equal(20 / Math.Log(2), s.Factor, 12);
        Assert.Equal(600 - (20 / Math.Log(2) * Math.Log(50)), s.Offset, 12);
        Assert.Equal(600, s.ScoreOf(1 / 51.0), 9);          // odds 50:1 -> base score
        Assert.Equal(620, s.ScoreOf(1 / 101.0), 9);         // odds 100:1 -> + PDO
        Assert.Equal(0.2, s.ProbabilityOf(s.ScoreOf(0.2)), 12);
    }

    [Fact]
    public void Scorecard_OnCreditData_PointsAddUpToTheScore_AndSurviveSaveLoad()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var (train, test) = data.SplitStratified(0.2, 42);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.Scorecard()).Build().Fit(train);
        var card = Assert.IsType<ScorecardPredictor>(model.Predictor);

        var report = model.Evaluate(test);
        Assert.InRange(report.Auc, 0.80, 0.88);
        Assert.Contains(card.PointsTable, p => p.Characteristic == "Income" && p.Attribute == "missing");
        var matrix = model.Features.Transform(test);
        var row = new double[matrix.ColumnCount];
        for (var i = 0; i < 25; i++)
        {
            matrix.CopyRow(i, row);
            var points = 0.0;
            for (var j = 0; j < row.Length; j++)
            {
                if (card.Binnings[j] is { } binning)
                {
                    var bin = binning.BinOf(row[j]);
                    points += card.PointsTable.Where(p => p.Characteristic == card.Features[j].Name).ElementAt(bin < 0 ? binning.Bins.Count : bin).Points;
                }
            }

            Assert.Equal(card.Score(row), points, 9);
            Assert.Equal(card.Scaling.ProbabilityOf(points), model.CreateScorer().ScoreBatch(test.SelectRows([i]))[0].Probability, 12);
        }

        var loaded = ModelRoundTrip.SaveAndLoad(model);
        Assert.Equal(card.ToCsv(2), ((ScorecardPredictor)loaded.Predictor).ToCsv(2));
        Assert.Equal(ModelRoundTrip.Probabilities(model, test), ModelRoundTrip.Probabilities(loaded, test));
    }

    [Fact]
    public void Scorecard_DropsUselessCharacteristics_AndValidatesOptions()
    {
        var random = new Random(9);
        var n = 3000;
        var signal = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var data = CreditData.FromColumns(
            [new NumericColumn("signal", signal), new NumericColumn("noise", Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray()),
             new NumericColumn("y", signal.Select(s => random.NextDouble() < 0.05 + (0.5 * s) ? 1.0 : 0.0).ToArray())],
            o => o.Target("y"));

        var card = (ScorecardPredictor)new CreditScoringContext().CreatePipeline().Train(t => t.Scorecard(o => o.MinimumInformationValue = 0.05)).Build().Fit(data).Predictor;

        Assert.NotNull(card.Binnings[0]);
        Assert.Null(card.Binnings[1]);
        Assert.True(card.Coefficients[0] < 0, "WoE = ln(good/bad): a positive WoE is safer, so its coefficient on the default log-odds is negative");
        Assert.Throws<ArgumentException>(() => new ScorecardLearner(new ScorecardOptions { PointsToDoubleOdds = 0 }));
        Assert.Contains("not a feature", Assert.Throws<ArgumentException>(() =>
            new CreditScoringContext().CreatePipeline().Train(new ScorecardLearner(new ScorecardOptions { SpecialValues = { ["nope"] = [1] } })).Build().Fit(data)).Message, StringComparison.Ordinal);
    }
}
