using CreditScoring.Sdk.Internal;
using System.Text.Json;
using CreditScoring.Sdk.Evaluation;
using FsCheck;
using FsCheck.Fluent;

namespace CreditScoring.Sdk.Tests.Evaluation;

/// <summary>Every metric against scikit-learn 1.2.1 / scipy 1.10.1 (Fixtures/metrics.json, made by Fixtures/make_fixtures.py).</summary>
public class ClassificationMetricsTests
{
    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("metrics.json"))).RootElement;

    public static TheoryData<string> Blocks => new() { "credit_test", "ties", "ties_weighted" };

    private static (double[] Scores, int[] Labels, double[] Weights, JsonElement Expected) Load(string block)
    {
        var source = block == "ties_weighted" ? Fixture.GetProperty("ties") : Fixture.GetProperty(block);
        var expected = Fixture.GetProperty(block);
        var weights = expected.TryGetProperty("weights", out var w) ? Doubles(w) : [];
        return (Doubles(source.GetProperty("scores")), source.GetProperty("y").EnumerateArray().Select(e => e.GetInt32()).ToArray(), weights, expected);
    }

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Auc_MatchesScikitLearnTo1e9(string block)
    {
        var (scores, labels, weights, expected) = Load(block);

        var auc = ClassificationMetrics.Auc(scores, labels, weights);

        Assert.Equal(expected.GetProperty("auc").GetDouble(), auc, 1e-9);
        Assert.Equal((2 * auc) - 1, ClassificationMetrics.Gini(scores, labels, weights), 15);
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void BrierAndLogLoss_MatchScikitLearn(string block)
    {
        var (scores, labels, weights, expected) = Load(block);
        if (!expected.TryGetProperty("brier", out var brier))
        {
            return;
        }

        Assert.Equal(brier.GetDouble(), ClassificationMetrics.BrierScore(scores, labels, weights), 1e-12);
        Assert.Equal(expected.GetProperty("log_loss").GetDouble(), ClassificationMetrics.LogLoss(scores, labels, weights), 1e-12);
    }

    [Theory]
    [InlineData("credit_test")]
    [InlineData("ties")]
    public void Ks_MatchesScipyKs2samp(string block)
    {
        var (scores, labels, _, expected) = Load(block);
        Assert.Equal(expected.GetProperty("ks").GetDouble(), ClassificationMetrics.KolmogorovSmirnov(scores, labels).Statistic, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Confusion_MatchesScikitLearn(string block)
    {
        var (scores, labels, weights, expected) = Load(block);
        var threshold = expected.GetProperty("threshold").GetDouble();

        var m = ClassificationMetrics.Confusion(scores, labels, threshold, weights);

        var c = expected.GetProperty("confusion");
        Assert.Equal(c.GetProperty("tp").GetDouble(), m.TruePositives, 1e-9);
        Assert.Equal(c.GetProperty("fp").GetDouble(), m.FalsePositives, 1e-9);
        Assert.Equal(c.GetProperty("tn").GetDouble(), m.TrueNegatives, 1e-9);
        Assert.Equal(c.GetProperty("fn").GetDouble(), m.FalseNegatives, 1e-9);
        Assert.Equal(expected.GetProperty("precision").GetDouble(), m.Precision, 1e-12);
        Assert.Equal(expected.GetProperty("recall").GetDouble(), m.Recall, 1e-12);
        Assert.Equal(expected.GetProperty("f1").GetDouble(), m.F1, 1e-12);
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void RocCurve_MatchesScikitLearnPointForPoint(string block)
    {
        var (scores, labels, weights, expected) = Load(block);

        var roc = ClassificationMetrics.RocCurve(scores, labels, weights);

        var fpr = Doubles(expected.GetProperty("roc_fpr"));
        var tpr = Doubles(expected.GetProperty("roc_tpr"));
        var thresholds = Doubles(expected.GetProperty("roc_thresholds"));
        Assert.Equal(fpr.Length, roc.Count);
        Assert.Equal(double.PositiveInfinity, roc[0].Threshold);
        for (var k = 0; k < roc.Count; k++)
        {
            Assert.Equal(fpr[k], roc[k].FalsePositiveRate, 1e-12);
            Assert.Equal(tpr[k], roc[k].TruePositiveRate, 1e-12);
            if (k > 0)
            {
                Assert.Equal(thresholds[k - 1], roc[k].Threshold);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void PrecisionRecallCurve_MatchesScikitLearnPointForPoint(string block)
    {
        var (scores, labels, weights, expected) = Load(block);

        var pr = ClassificationMetrics.PrecisionRecallCurve(scores, labels, weights);

        var precision = Doubles(expected.GetProperty("pr_precision"));
        var recall = Doubles(expected.GetProperty("pr_recall"));
        var thresholds = Doubles(expected.GetProperty("pr_thresholds"));
        Assert.Equal(precision.Length, pr.Count);
        for (var k = 0; k < pr.Count; k++)
        {
            Assert.Equal(precision[k], pr[k].Precision, 1e-12);
            Assert.Equal(recall[k], pr[k].Recall, 1e-12);
            Assert.Equal(k < thresholds.Length ? thresholds[k] : double.PositiveInfinity, pr[k].Threshold);
        }
    }

    [Theory]
    [InlineData("credit_test", CalibrationBinning.Uniform, "calibration_uniform")]
    [InlineData("credit_test", CalibrationBinning.Quantile, "calibration_quantile")]
    [InlineData("ties", CalibrationBinning.Uniform, "calibration_uniform")]
    [InlineData("ties", CalibrationBinning.Quantile, "calibration_quantile")]
    public void CalibrationTable_MatchesCalibrationCurve(string block, CalibrationBinning binning, string key)
    {
        var (scores, labels, _, expected) = Load(block);

        var table = ClassificationMetrics.CalibrationTable(scores, labels, 10, binning);

        var observed = Doubles(expected.GetProperty(key).GetProperty("observed"));
        var predicted = Doubles(expected.GetProperty(key).GetProperty("predicted"));
        Assert.Equal(observed.Length, table.Count);
        for (var b = 0; b < table.Count; b++)
        {
            Assert.Equal(observed[b], table[b].ObservedRate, 1e-12);
            Assert.Equal(predicted[b], table[b].MeanPredicted, 1e-12);
        }

        Assert.Equal(scores.Length, table.Sum(b => b.Count));
    }

    [Fact]
    public void GainsTable_HandComputed()
    {
        double[] scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
        int[] labels = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0];

        var gains = ClassificationMetrics.GainsTable(scores, labels, groups: 5);

        Assert.Equal(5, gains.Count);
        Assert.Equal((1, 2, 0.8, 0.9, 2.0, 1.0, 0.2), (gains[0].Group, gains[0].Rows, gains[0].MinScore, gains[0].MaxScore, gains[0].Positives, gains[0].PositiveRate, gains[0].CumulativeShareOfRows));
        Assert.Equal(2.0 / 3, gains[0].CumulativeGain, 12);
        Assert.Equal(1.0 / 0.3, gains[0].Lift, 12);
        Assert.Equal(1.0 / 0.3, gains[0].CumulativeLift, 12);
        Assert.Equal(0.5 / 0.3, gains[1].Lift, 12);
        Assert.Equal(1.0, gains[1].CumulativeGain, 12);
        Assert.Equal(0.75 / 0.3, gains[1].CumulativeLift, 12);
        Assert.Equal(1.0, gains[4].CumulativeLift, 12);
        Assert.Equal(1.0, gains[4].CumulativeShareOfRows);
    }

    [Fact]
    public void Auc_SingleClass_IsNaN()
    {
        Assert.True(double.IsNaN(ClassificationMetrics.Auc([0.1, 0.2], [1, 1])));
        Assert.True(double.IsNaN(ClassificationMetrics.KolmogorovSmirnov([0.1, 0.2], [0, 0]).Statistic));
    }

    [Fact]
    public void Metrics_BadInputs_ThrowClearly()
    {
        Assert.Equal("Label 2 at index 1 is not 0 or 1. (Parameter 'labels')", Assert.Throws<ArgumentException>(() => ClassificationMetrics.Auc([0.1, 0.2], [0, 2])).Message);
        Assert.Equal("Score NaN at index 0 is not a finite number. (Parameter 'scores')", Assert.Throws<ArgumentException>(() => ClassificationMetrics.Auc([double.NaN, 0.2], [0, 1])).Message);
        Assert.Equal("There are 1 labels for 2 scores. (Parameter 'labels')", Assert.Throws<ArgumentException>(() => ClassificationMetrics.Auc([0.1, 0.2], [0])).Message);
        Assert.Equal("Probability 1.5 at index 1 is not in [0, 1]. (Parameter 'probabilities')", Assert.Throws<ArgumentException>(() => ClassificationMetrics.BrierScore([0.1, 1.5], [0, 1])).Message);
    }

    [Fact]
    public void Evaluate_BaselineIsThePrior()
    {
        var (scores, labels, _, _) = Load("credit_test");

        var report = ClassificationEvaluator.Evaluate(scores, labels, 0.5, prior: 0.3);

        Assert.Equal(0.5, report.Baseline.Auc);
        Assert.Equal(0.0, report.Baseline.Gini);
        Assert.Equal(0.0, report.Baseline.Ks);
        var rate = labels.Average();
        Assert.Equal((rate * 0.7 * 0.7) + ((1 - rate) * 0.3 * 0.3), report.Baseline.Brier, 12);
        Assert.Equal(-((rate * Math.Log(0.3)) + ((1 - rate) * Math.Log(0.7))), report.Baseline.LogLoss, 12);
        Assert.Equal(10, report.Gains.Count);
        Assert.Equal(rate, report.PositiveRate, 15);
    }

    [Fact]
    public void Auc_Properties_HoldForRandomInputs()
    {
        var cases = Gen.Choose(2, 300).SelectMany(n => Gen.Zip(
            Gen.ArrayOf(Gen.Choose(0, 20).Select(v => v / 20.0), n),
            Gen.ArrayOf(Gen.Choose(0, 1), n))).ToArbitrary();

        Prop.ForAll(cases, t =>
        {
            var (scores, labels) = t;
            var auc = ClassificationMetrics.Auc(scores, labels);
            if (labels.Distinct().Count() < 2)
            {
                return double.IsNaN(auc);
            }

            var flipped = ClassificationMetrics.Auc(scores.Select(s => -s).ToArray(), labels);
            var monotone = ClassificationMetrics.Auc(scores.Select(s => Math.Exp(3 * s)).ToArray(), labels);
            return auc is >= 0 and <= 1 && Math.Abs(auc + flipped - 1) < 1e-12 && auc == monotone && auc == BruteForceAuc(scores, labels);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void RadixSort_EqualsStableSort()
    {
        var rng = new Random(5);
        var keys = Enumerable.Range(0, 20_000).Select(_ => (ulong)rng.Next(0, 500) << rng.Next(0, 50)).ToArray();
        var payload = Enumerable.Range(0, keys.Length).ToArray();
        var expected = payload.OrderBy(i => keys[i]).ToArray();

        RadixSort.SortInplace(keys, payload);

        Assert.Equal(expected, payload);
    }

    private static double BruteForceAuc(double[] scores, int[] labels)
    {
        double wins = 0;
        long pairs = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            for (var j = 0; j < scores.Length; j++)
            {
                if (labels[i] == 1 && labels[j] == 0)
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        return wins / pairs;
    }
}
