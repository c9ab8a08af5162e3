using System.Text.Json.Nodes;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Scoring;
using Xunit.Abstractions;

namespace CreditScoring.Sdk.Tests.BadInput;

/// <summary>
/// Issue 14, class 2: a model file whose checksum was recomputed after an edit must not load with a non-finite parameter or a
/// threshold outside [0, 1], and a non-finite probability is never a decision.
/// </summary>
public class ModelContentTests(ITestOutputHelper log)
{
    private static readonly Lazy<DataSplit> Data = new(() =>
        CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")).SplitStratified(0.2, seed: 42));

    /// <summary>Models that together hold every kind of parameter a model file has.</summary>
    public static TheoryData<string> Kinds => ["logistic-steps", "gbdt-costs", "scorecard", "platt", "isotonic"];

    private static CreditModel Build(string kind)
    {
        var pipeline = new CreditScoringContext(seed: 7).CreatePipeline();
        var fitted = kind switch
        {
            "logistic-steps" => pipeline.Features(f => f
                    .Ratio("Amount", "Price", "LoanToPrice").Log1P("Income").Clip(0, 100, "Seniority").Winsorize(0.01, 0.99, "Expenses")
                    .ImputeWithIndicator(ImputeStrategy.Median, "Income", "Assets", "Debt").Scale(ScalingMethod.Robust, "Age")
                    .FrequencyEncode("Job").TargetEncode(10, 5, "Home").OneHot("Marital", "Records"))
                .Train(t => t.LogisticRegression()),
            "gbdt-costs" => pipeline.Train(t => t.GradientBoosting(o => o.NumberOfIterations = 15))
                .Decide(d => d.MinimizeCost(CostMatrix.Create(falseNegative: 5, falsePositive: 1))),
            "scorecard" => pipeline.Train(t => t.Scorecard()),
            "platt" => pipeline.Train(t => t.LogisticRegression()).Calibrate(CalibrationMethod.Platt),
            _ => pipeline.Train(t => t.LogisticRegression()).Calibrate(CalibrationMethod.Isotonic),
        };
        return fitted.Build().Fit(Data.Value.Train);
    }

    /// <summary>Numbers that inform reports and never change a score: a non-finite value there may load, and must score as before.</summary>
    private static readonly System.Text.RegularExpressions.Regex Informational = new(
        @"^(metadata\.|profile\.|background\.|decision\.alternatives\[\]\.|decision\.costs\.|predictor\.summary\.|decision\.choice\.(?!threshold$))|\.(splitGain|nodeCover|leafCover)\[\]$");

    /// <summary>Numbers whose infinite values have a defined meaning (a split or clip bound that every value passes): they may load, and must score validly.</summary>
    private static readonly System.Text.RegularExpressions.Regex Unbounded = new(@"^predictor\.trees\[\]\.threshold\[\]$|^steps\[\]\.numbers\.parameters\[\]$");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryParameterSetToABadValue_IsRefusedWithAMessage_OrScoresValidly(string kind)
    {
        var model = Build(kind);
        using var stream = new MemoryStream();
        model.Save(stream);
        var file = stream.ToArray();
        var test = Data.Value.Test;
        var expected = model.CreateScorer().ScoreBatch(test);
        var paths = ModelFileForge.Numbers(ModelFileForge.Payload(file))
            .GroupBy(n => ModelFileForge.Shape(n.Path))
            .SelectMany(g => new[] { g.First().Path, g.Last().Path }.Distinct())
            .ToArray();
        var failures = new List<string>();
        var refused = 0;
        foreach (var path in paths)
        {
            var shape = ModelFileForge.Shape(path);
            foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e308, -1, 0.5 })
            {
                var payload = ModelFileForge.Payload(file);
                ModelFileForge.Set(payload, path, bad);
                CreditModel loaded;
                try
                {
                    loaded = CreditModel.Load(new MemoryStream(ModelFileForge.Write(payload)));
                }
                catch (ModelFormatException e)
                {
                    refused++;
                    Assert.StartsWith("stream: ", e.Message, StringComparison.Ordinal);
                    continue;
                }
                catch (Exception e)
                {
                    failures.Add($"{path} = {bad}: {e.GetType().Name}: {e.Message}");
                    continue;
                }

                var nonFinite = !double.IsFinite(bad);
                if (nonFinite && !Informational.IsMatch(shape) && !Unbounded.IsMatch(shape))
                {
                    failures.Add($"{path} = {bad}: loaded, but a model's parameters must be finite");
                    continue;
                }

                try
                {
                    var scores = loaded.CreateScorer().ScoreBatch(test);
                    if (nonFinite && Informational.IsMatch(shape) && !scores.SequenceEqual(expected))
                    {
                        failures.Add($"{path} = {bad}: an informational number changed scores");
                    }
                    else if (scores.Any(s => !(s.Probability is >= 0 and <= 1)))
                    {
                        failures.Add($"{path} = {bad}: scored outside [0, 1]");
                    }
                }
                catch (ScoringInputException e) when (e.Message.StartsWith("The model gave no valid probability", StringComparison.Ordinal))
                {
                    // Loud: nothing decided.
                }
                catch (Exception e)
                {
                    failures.Add($"{path} = {bad}: loaded, then scoring threw {e.GetType().Name}: {e.Message}");
                }
            }
        }

        foreach (var f in failures)
        {
            log.WriteLine(f);
        }

        Assert.Empty(failures);
        Assert.True(refused > 0);
    }

    [Fact]
    public void ANaNCoefficient_IsRefusedNamingIt()
    {
        var model = Build("platt");
        using var stream = new MemoryStream();
        model.Save(stream);
        var payload = ModelFileForge.Payload(stream.ToArray());
        ModelFileForge.Set(payload, "predictor.standardizedCoefficients[2]", double.NaN);
        ModelFileForge.Set(payload, "calibration.numbers[0]", double.NaN);

        var e = Assert.Throws<ModelFormatException>(() => CreditModel.Load(new MemoryStream(ModelFileForge.Write(payload))));

        Assert.StartsWith("stream: the model file's payload is inconsistent: Feature '", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("' has an invalid mean, scale or coefficient.", e.Message, StringComparison.Ordinal);

        payload = ModelFileForge.Payload(stream.ToArray());
        ModelFileForge.Set(payload, "calibration.numbers[0]", double.PositiveInfinity);
        e = Assert.Throws<ModelFormatException>(() => CreditModel.Load(new MemoryStream(ModelFileForge.Write(payload))));
        Assert.Equal("stream: the model file's payload is inconsistent: the Platt calibrator's slope is Infinity; it must be a finite number", e.Message);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(1.5, "1.5")]
    [InlineData(-0.1, "-0.1")]
    public void AThresholdOutsideZeroOne_IsRefused(double threshold, string shown)
    {
        using var stream = new MemoryStream();
        Build("platt").Save(stream);
        var payload = ModelFileForge.Payload(stream.ToArray());
        ModelFileForge.Set(payload, "decision.threshold", threshold);

        var e = Assert.Throws<ModelFormatException>(() => CreditModel.Load(new MemoryStream(ModelFileForge.Write(payload))));

        Assert.Equal($"stream: the model file's payload is inconsistent: The decision threshold is a probability of default and must be in [0, 1] (it is {shown}).", e.Message);
    }

    [Fact]
    public void ANaNProbability_IsNeverApproved()
    {
        Assert.Equal(CreditDecision.Decline, new DecisionPolicy(0.5).Decide(double.NaN));
        Assert.Equal(CreditDecision.Decline, new DecisionPolicy(1.0).Decide(double.NaN));
        Assert.Equal(CreditDecision.Approve, new DecisionPolicy(0.5).Decide(0.4999));
        Assert.Equal(CreditDecision.Decline, new DecisionPolicy(0.5).Decide(0.5));
    }

    [Fact]
    public void InputsThatOverflowTheModel_AreNotDecided_OrDeclinedWhenAskedTo()
    {
        // A logistic model over two inputs with coefficients +2 and -2: at the largest doubles, +inf - inf = NaN.
        FeatureInfo[] features = [new("up", FeatureKind.Continuous), new("down", FeatureKind.Continuous)];
        var predictor = new CreditScoring.Sdk.Learners.Linear.LogisticRegressionPredictor(features, [0, 0], [1, 1], -1, [2, -2], null);
        var model = CreditModel.FromPredictor(predictor);
        var values = new Dictionary<string, object?> { ["up"] = double.MaxValue, ["down"] = double.MaxValue };
        Assert.Equal(0.5, model.CreateScorer().Score(new Dictionary<string, object?> { ["up"] = 0.5, ["down"] = 0.0 }).Probability);

        var e = Assert.Throws<ScoringInputException>(() => model.CreateScorer().Score(values));
        Assert.Equal("The model gave no valid probability (NaN) for this applicant, so nothing was decided. Inputs this extreme overflow the model; check them, or set ScorerOptions.InvalidProbability = Decline to decline such applicants.", e.Message);

        var declined = model.CreateScorer(new ScorerOptions { InvalidProbability = InvalidProbabilityHandling.Decline }).Score(values);
        Assert.Equal(CreditDecision.Decline, declined.Decision);
        Assert.Equal(ScoreWarnings.InvalidProbability, declined.Warnings);
        Assert.True(double.IsNaN(declined.Probability));
    }
}
