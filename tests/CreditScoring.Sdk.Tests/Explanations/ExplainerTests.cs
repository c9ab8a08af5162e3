using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Learners.Scorecards;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.Explanations;

/// <summary>
/// The model-level explainer: additive at both levels for every learner, the closed forms of the linear and scorecard
/// learners, the roll-up to the applicant's inputs, reasons, and the same checks as the scorer.
/// </summary>
public class ExplainerTests
{
    private static readonly Lazy<CreditData> Data = new(() => CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")));

    private static void Pipeline(FeaturePipelineBuilder f) =>
        f.Ratio("Amount", "Price", "LOAN_TO_PRICE").ImputeWithIndicator(ImputeStrategy.Median, "Income").OneHot("Home", "Marital", "Job", "Records");

    public static TheoryData<string> Learners => ["logistic", "gbdt", "scorecard"];

    [Theory]
    [MemberData(nameof(Learners))]
    public void BasePlusContributions_IsTheMargin_PerFeatureAndPerInput_AndTheProbabilityIsTheScorers(string learner)
    {
        var model = Fit(learner);
        var explainer = model.CreateExplainer();
        var scores = model.CreateScorer().ScoreBatch(Data.Value);
        var matrix = model.Features.Transform(Data.Value);
        var explanations = explainer.ExplainBatch(Data.Value);
        var row = new double[matrix.ColumnCount];

        Assert.Equal(Data.Value.RowCount, explanations.Count);
        for (var i = 0; i < explanations.Count; i += 7)
        {
            var e = explanations[i];
            matrix.CopyRow(i, row);
            Assert.Equal(model.Predictor.PredictMargin(row), e.Margin);
            Assert.Equal(e.Margin, e.BaseValue + e.Features.Sum(f => f.Contribution), 1e-9);
            Assert.Equal(e.Margin, e.BaseValue + e.Inputs.Sum(c => c.Contribution), 1e-9);
            Assert.Equal(scores[i].Probability, e.Probability);
            Assert.Equal(scores[i].Decision, e.Decision);
        }
    }

    [Fact]
    public void Logistic_ContributionIsTheCoefficientTimesTheDeviationFromTheTrainingMean()
    {
        var model = Fit("logistic");
        var predictor = (LogisticRegressionPredictor)model.Predictor;
        var matrix = model.Features.Transform(Data.Value);
        var means = Enumerable.Range(0, matrix.ColumnCount).Select(j => matrix.Column(j).ToArray().Average()).ToArray();
        var e = model.CreateExplainer().ExplainBatch(Data.Value)[11];

        Assert.Equal(predictor.Intercept + predictor.Coefficients.Select((c, j) => c.Coefficient * means[j]).Sum(), e.BaseValue, 1e-9);
        for (var j = 0; j < matrix.ColumnCount; j++)
        {
            Assert.Equal(predictor.Coefficients[j].Coefficient * (matrix[11, j] - means[j]), e.Features[j].Contribution, 1e-9);
        }
    }

    [Fact]
    public void Scorecard_ContributionsArePointsRelativeToTheNeutralAttribute()
    {
        var model = Fit("scorecard");
        var card = (ScorecardPredictor)model.Predictor;
        var table = card.PointsTable;
        var matrix = model.Features.Transform(Data.Value);
        var e = model.CreateExplainer().ExplainBatch(Data.Value)[5];

        Assert.Equal(card.Intercept, e.BaseValue);
        var used = 0;
        for (var j = 0; j < matrix.ColumnCount; j++)
        {
            if (card.Binnings[j] is not { } binning)
            {
                Assert.Equal(0, e.Features[j].Contribution);
                continue;
            }

            used++;
            var woe = binning.WeightOfEvidence(matrix[5, j]);
            var name = card.Features[j].Name;
            var attribute = table.Single(p => p.Characteristic == name && p.Attribute != "(other)" && p.WeightOfEvidence == woe);
            var neutral = table.Single(p => p.Characteristic == name && p.Attribute == "(other)");
            Assert.Equal(attribute.Points - neutral.Points, -card.Scaling.Factor * e.Features[j].Contribution, 1e-9);
        }

        Assert.True(used >= 3, $"the scorecard uses {used} characteristics");
    }

    [Fact]
    public void Features_RollUpToTheirInput_AndARatioIsADerivedCharacteristicOfBothInputs()
    {
        var model = Fit("gbdt");
        var e = model.CreateExplainer().ExplainBatch(Data.Value)[3];

        var home = e.Inputs.Single(i => i.Name == "Home");
        Assert.False(home.IsDerived);
        Assert.Equal(e.Features.Where(f => f.Name.StartsWith("Home=", StringComparison.Ordinal)).Sum(f => f.Contribution), home.Contribution, 1e-12);
        Assert.True(e.Features.Count(f => f.Input == "Home") >= 3);
        var income = e.Inputs.Single(i => i.Name == "Income");
        Assert.Equal(e.Features.Where(f => f.Input == "Income").Select(f => f.Name).Order(), e.Features.Where(f => f.Name.StartsWith("Income", StringComparison.Ordinal)).Select(f => f.Name).Order());
        Assert.Equal(2, e.Features.Count(f => f.Input == "Income"));
        Assert.False(income.IsDerived);
        var ratio = e.Inputs.Single(i => i.Name == "LOAN_TO_PRICE");
        Assert.True(ratio.IsDerived);
        Assert.Equal(["Amount", "Price"], ratio.Sources);
        Assert.Null(ratio.Population);
        Assert.Equal(Data.Value["Amount"] is NumericColumn a && Data.Value["Price"] is NumericColumn p ? a.Values[3] / p.Values[3] : double.NaN, ratio.NumericValue, 1e-12);
        Assert.Equal(e.Inputs.Select(i => i.Name).Take(3), model.Input.Columns.Select(c => c.Name).Where(n => e.Inputs.Any(i => i.Name == n)).Take(3));
    }

    [Fact]
    public void AnInput_IsPlacedInTheTrainingPopulation()
    {
        var model = Fit("gbdt");
        var explainer = model.CreateExplainer();
        var income = ((NumericColumn)Data.Value["Income"]).Values.ToArray();
        var present = income.ToArray().Where(v => !double.IsNaN(v)).Order().ToArray();
        var row = Enumerable.Range(0, income.Length).First(i => !double.IsNaN(income[i]));

        var standing = explainer.ExplainBatch(Data.Value)[row].Inputs.Single(i => i.Name == "Income").Population!;

        var share = present.Count(v => v <= income[row]) / (double)present.Length;
        Assert.InRange(standing.Percentile, share - 0.01, share + 0.01);
        Assert.Equal(present[(present.Length - 1) / 2], standing.Median, 1.0);
        Assert.True(standing.Low < standing.Median && standing.Median < standing.High);
        Assert.Equal((income.Length - present.Length) / (double)income.Length, standing.MissingShare, 1e-12);
        var home = explainer.ExplainBatch(Data.Value)[row].Inputs.Single(i => i.Name == "Home");
        var homes = (CategoricalColumn)Data.Value["Home"];
        var label = homes.Categories[homes.Codes[row]];
        Assert.Equal(label, home.Value);
        Assert.Equal(homes.Codes.ToArray().Count(c => c == homes.Codes[row]) / (double)homes.Codes.ToArray().Count(c => c >= 0), home.Population!.CategoryShare, 1e-12);
    }

    [Fact]
    public void AnInput_IsPlacedAmongClientsWithASimilarScore_TheTrainingApplicantsOfTheSameScoreDecile()
    {
        var model = Fit("gbdt");
        var profile = model.Profile!;
        var training = new double[Data.Value.RowCount];
        model.CreateScorer().PredictProbabilities(Data.Value, training);
        var explanations = model.CreateExplainer().ExplainBatch(Data.Value);
        var income = ((NumericColumn)Data.Value["Income"]).Values.ToArray();

        Assert.Equal(10, profile.ScoreBands.Count);
        Assert.Equal(Data.Value.RowCount, profile.ScoreBands.Sum(b => b.Rows));
        Assert.All(profile.ScoreBands, b => Assert.InRange(b.Rows, Data.Value.RowCount / 10 - 50, Data.Value.RowCount / 10 + 50));
        foreach (var row in new[] { 3, 40, 400, 2000 })
        {
            var e = explanations[row];
            var similar = e.SimilarClients!;
            var members = Enumerable.Range(0, training.Length).Where(i => training[i] > similar.LowScore && training[i] <= similar.HighScore).ToArray();
            Assert.Equal(members.Length, similar.Rows);
            Assert.InRange(e.Probability, similar.LowScore, similar.HighScore);
            var among = e.Inputs.Single(i => i.Name == "Income").AmongSimilar!;
            var present = members.Select(i => income[i]).Where(v => !double.IsNaN(v)).ToArray();
            if (!double.IsNaN(income[row]))
            {
                var share = present.Count(v => v <= income[row]) / (double)present.Length;
                Assert.InRange(among.Percentile, share - 0.06, share + 0.06);
            }

            var sorted = present.Order().ToArray();
            Assert.Equal(sorted[(sorted.Length - 1) / 2], among.Median, 0.5 + (0.02 * sorted[(sorted.Length - 1) / 2]));
        }

        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = CreditModel.Load(stream).Profile!;
        Assert.Equal(profile.ScoreBands.Select(b => (b.Low, b.High, b.Rows)), loaded.ScoreBands.Select(b => (b.Low, b.High, b.Rows)));
        Assert.Equal(profile.ScoreBands[4].Find("Income")!.Quantiles, loaded.ScoreBands[4].Find("Income")!.Quantiles);
    }

    [Fact]
    public void Reasons_AreTheStrongestAdverseInputs_InOrder_NeverAnExcludedOne_WithTheTablesTexts()
    {
        var model = Fit("gbdt");
        var plain = model.CreateExplainer().ExplainBatch(Data.Value);
        var declined = plain.First(e => e.Decision == CreditDecision.Decline && e.Reasons.Count == 4);
        var row = plain.ToList().IndexOf(declined);

        var adverse = declined.Inputs.Where(i => i.Contribution > 0).OrderByDescending(i => i.Contribution).Take(4).ToArray();
        Assert.Equal(adverse.Select(i => i.Name), declined.Reasons.Select(r => r.Input));
        Assert.Equal([1, 2, 3, 4], declined.Reasons.Select(r => r.Rank));
        Assert.All(declined.Reasons, r => Assert.True(r.Contribution > 0));
        Assert.Equal(declined.Reasons[0].Input, declined.Reasons[0].Code);
        Assert.Contains("raised the estimated risk", declined.Reasons[0].Text, StringComparison.Ordinal);

        var top = declined.Reasons[0].Input;
        var second = declined.Reasons[1].Input;
        var table = new ReasonCodeTable(
            [new ReasonCodeEntry { Input = second, Code = "R07", Text = "Plain text", TextWhenHigh = "Too high", TextWhenLow = "Too low", TextWhenMissing = "No history" }],
            excluded: [top]);
        var coded = model.CreateExplainer(new ExplainerOptions { ReasonCodes = table, TopReasons = 2 }).ExplainBatch(Data.Value)[row];

        Assert.DoesNotContain(coded.Reasons, r => r.Input == top);
        Assert.Equal(2, coded.Reasons.Count);
        Assert.Equal(second, coded.Reasons[0].Input);
        Assert.Equal("R07", coded.Reasons[0].Code);
        var input = coded.Inputs.Single(i => i.Name == second);
        var expected = input.Value is null ? "No history" : input.Population is { } p && !double.IsNaN(p.Median) ? (input.NumericValue > p.Median ? "Too high" : "Too low") : "Plain text";
        Assert.Equal(expected, coded.Reasons[0].Text);
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void ReasonsBatch_GivesEveryRowTheScoreAndReasonsOfItsFullExplanation(string learner)
    {
        var model = Fit(learner);
        var names = model.Input.Columns.Select(c => c.Name).ToArray();
        var table = new ReasonCodeTable(
            [new ReasonCodeEntry { Input = names[1], Code = "R02", Text = "Plain", TextWhenHigh = "High", TextWhenLow = "Low", TextWhenMissing = "Missing" }],
            excluded: [names[0]]);
        var options = new ExplainerOptions { ReasonCodes = table, TopReasons = 3 };
        var full = model.CreateExplainer(options).ExplainBatch(Data.Value);
        var lean = model.CreateExplainer(options).ReasonsBatch(Data.Value);

        Assert.Equal(full.Count, lean.Count);
        Assert.Contains(lean, r => r.Reasons.Count == 3);
        for (var i = 0; i < full.Count; i++)
        {
            Assert.Equal(full[i].Probability, lean[i].Score.Probability);
            Assert.Equal(full[i].Decision, lean[i].Score.Decision);
            Assert.Equal(full[i].Warnings, lean[i].Score.Warnings);
            Assert.Equal(full[i].Reasons, lean[i].Reasons);
            Assert.DoesNotContain(lean[i].Reasons, r => r.Input == names[0]);
        }
    }

    [Fact]
    public void AnApplicantWithTheSameValues_GetsTheSameExplanation_OneByOne_AsInABatch_OnAnyThreadCount()
    {
        var model = Fit("gbdt");
        var batch1 = model.CreateExplainer(new ExplainerOptions { Scoring = new ScorerOptions { MaxDegreeOfParallelism = 1 } }).ExplainBatch(Data.Value);
        var batch2 = model.CreateExplainer(new ExplainerOptions { Scoring = new ScorerOptions { MaxDegreeOfParallelism = 2 } }).ExplainBatch(Data.Value);
        var explainer = model.CreateExplainer();

        for (var i = 0; i < batch1.Count; i += 97)
        {
            Assert.Equal(Flatten(batch1[i]), Flatten(batch2[i]));
            var values = model.Input.Columns.ToDictionary(c => c.Name, c => Data.Value[c.Name] switch
            {
                NumericColumn n => double.IsNaN(n.Values[i]) ? null : (object?)n.Values[i],
                CategoricalColumn k => k.Codes[i] < 0 ? null : k.Categories[k.Codes[i]],
                _ => null,
            });
            Assert.Equal(Flatten(batch1[i]), Flatten(explainer.Explain(values)));
        }
    }

    [Fact]
    public void Interventional_AddsUpToo_AndDiffersFromPathDependent()
    {
        var model = Fit("gbdt");
        var few = Data.Value.SelectRows([0, 1, 2]);
        var path = model.CreateExplainer().ExplainBatch(few)[2];
        var marginal = model.CreateExplainer(new ExplainerOptions { Method = ContributionMethod.Interventional }).ExplainBatch(few)[2];

        Assert.Equal(path.Margin, marginal.Margin);
        Assert.Equal(marginal.Margin, marginal.BaseValue + marginal.Inputs.Sum(i => i.Contribution), 1e-9);
        Assert.NotEqual(path.BaseValue, marginal.BaseValue);
        Assert.Equal(ContributionMethod.Interventional, marginal.Method);
    }

    [Fact]
    public void TheExplainer_RefusesWhatTheScorerRefuses_WithTheSameMessage()
    {
        var model = Fit("logistic");
        var values = new Dictionary<string, object?> { ["Income"] = 100.0 };

        var scorer = Assert.Throws<ScoringInputException>(() => model.CreateScorer().Score(values));
        var explainer = Assert.Throws<ScoringInputException>(() => model.CreateExplainer().Explain(values));

        Assert.Equal(scorer.Message, explainer.Message);
        var row = model.CreateExplainer().CreateRow();
        Assert.Equal(
            Assert.Throws<ScoringInputException>(() => model.CreateScorer().Score(row)).Message.Replace("scorer", "", StringComparison.Ordinal),
            Assert.Throws<ScoringInputException>(() => model.CreateExplainer().Explain(row)).Message.Replace("scorer", "", StringComparison.Ordinal));
    }

    [Fact]
    public void AModelWithoutBackground_SaysWhatToDo_AndExplainsOnceOneIsAdded()
    {
        var model = Fit("logistic");
        var bare = new CreditModel(model.Features, model.Predictor, model.Decision, model.Metadata, model.Calibration, model.Profile);

        var e = Assert.Throws<ConfigurationException>(() => bare.CreateExplainer());

        Assert.Contains("WithBackground", e.Message, StringComparison.Ordinal);
        var restored = bare.WithBackground(Data.Value, seed: 42).CreateExplainer().ExplainBatch(Data.Value)[0];
        var original = model.CreateExplainer().ExplainBatch(Data.Value)[0];
        Assert.Equal(Flatten(original), Flatten(restored));
    }

    [Fact]
    public void ALinearModelWhoseBackgroundLacksAMean_IsRefused_NamingTheFeature()
    {
        var model = Fit("logistic");
        var means = model.Background!.Means.ToArray();
        means[2] = double.NaN;
        var predictor = (IExplainablePredictor)model.Predictor;
        var n = means.Length;

        var e = Assert.Throws<ConfigurationException>(() => predictor.ExplainMargin(new double[n], new double[n], new FeatureBackground(1, means, []), ContributionMethod.PathDependent));

        Assert.Contains($"feature '{model.Features.Features[2].Name}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBackground_IsSavedInTheModelFile_AndReadBackBitForBit()
    {
        var model = Fit("gbdt");
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = CreditModel.Load(stream);

        Assert.NotNull(loaded.Background);
        Assert.Equal(FeatureBackground.MaxSampleRows, loaded.Background!.SampleCount);
        Assert.Equal(model.Background!.Means, loaded.Background.Means);
        Assert.Equal(model.Background.SampleRow(999).ToArray(), loaded.Background.SampleRow(999).ToArray());
        var interventional = new ExplainerOptions { Method = ContributionMethod.Interventional };
        var few = Data.Value.SelectRows([9]);
        Assert.Equal(Flatten(model.CreateExplainer(interventional).ExplainBatch(few)[0]), Flatten(loaded.CreateExplainer(interventional).ExplainBatch(few)[0]));
        var left = new CreditScoringContext(seed: 1).CreatePipeline().Train(t => t.GradientBoosting(o => o.NumberOfIterations = 5)).ExplanationSample(0).Build().Fit(Data.Value);
        Assert.Equal(0, left.Background!.SampleCount);
        Assert.Equal(left.Features.Features.Count, left.Background.Means.Count);
        Assert.Contains("background sample", Assert.Throws<ConfigurationException>(() => left.CreateExplainer(interventional)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APredictorWithoutAnAdditiveExplanation_IsNamed()
    {
        var model = Fit("logistic");
        var opaque = CreditModel.FromPredictor(new OpaquePredictor(model.Predictor));

        var e = Assert.Throws<ConfigurationException>(() => opaque.CreateExplainer());

        Assert.Contains("opaque", e.Message, StringComparison.Ordinal);
        Assert.Contains("IExplainablePredictor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheJsonDocument_Snapshot()
    {
        var e = Fit("logistic").CreateExplainer(new ExplainerOptions { TopReasons = 2 }).ExplainBatch(Data.Value.SelectRows([0]))[0];

        Snapshot.Verify(Snapshot.RoundNumbers(ExplanationJson.Write(e, "A-1")));
    }

    [Fact]
    public void GlobalImportance_IsTheMeanAbsoluteContribution_ByFeatureAndByInput()
    {
        var explanations = Fit("gbdt").CreateExplainer().ExplainBatch(Data.Value);

        var (byFeature, byInput) = GlobalImportance.OfContributions(explanations);

        var income = byInput.Single(i => i.Name == "Income");
        Assert.Equal(explanations.Average(e => Math.Abs(e.Inputs.Single(i => i.Name == "Income").Contribution)), income.MeanAbsoluteContribution, 1e-12);
        Assert.Equal(explanations.Average(e => e.Inputs.Single(i => i.Name == "Income").Contribution), income.MeanContribution, 1e-12);
        Assert.Equal(explanations[0].Features.Count, byFeature.Count);
        Assert.Equal(byInput.OrderByDescending(i => i.MeanAbsoluteContribution).Select(i => i.Name), byInput.Select(i => i.Name));
        var home = byFeature.Where(f => f.Name.StartsWith("Home=", StringComparison.Ordinal)).Sum(f => f.MeanContribution);
        Assert.Equal(home, byInput.Single(i => i.Name == "Home").MeanContribution, 1e-12);
    }

    [Fact]
    public void PermutationImportance_ByInput_IsDeterministic_AndZeroForAnInputTheModelDoesNotUse()
    {
        var model = Fit("scorecard");
        var card = (ScorecardPredictor)model.Predictor;
        var used = model.Features.Features.Where((f, j) => card.Binnings[j] is not null).Select(f => f.Name).ToHashSet();

        var first = GlobalImportance.OfPermutations(model, Data.Value, seed: 7, repeats: 3);
        var again = GlobalImportance.OfPermutations(model, Data.Value, seed: 7, repeats: 3);
        var other = GlobalImportance.OfPermutations(model, Data.Value, seed: 8, repeats: 3);

        Assert.Equal(model.Input.Count, first.Count);
        Assert.Equal(first.Select(p => p.Drops), again.Select(p => p.Drops));
        Assert.NotEqual(first.Select(p => p.Drops.Sum()), other.Select(p => p.Drops.Sum()));
        Assert.True(first[0].AucDrop > 0.01, $"{first[0].Input} lowers the AUC by {first[0].AucDrop}");
        Assert.All(first, p => Assert.Equal(3, p.Drops.Count));
        var top = first[0];
        var mean = top.Drops.Average();
        Assert.Equal(Math.Sqrt(top.Drops.Sum(d => (d - mean) * (d - mean)) / 2), top.StandardDeviation, 1e-15);
        var unused = first.Where(p => !used.Any(u => u == p.Input || u.StartsWith(p.Input + "=", StringComparison.Ordinal) || u.StartsWith(p.Input + "_", StringComparison.Ordinal))).ToArray();
        Assert.NotEmpty(unused);
        Assert.All(unused, p => Assert.Equal(0, p.AucDrop));
    }

    [Fact]
    public void AReasonCodeTable_IsSavedWithTheModel_UsedByDefault_AndChecksItsInputNames()
    {
        var model = Fit("gbdt");
        var table = new ReasonCodeTable(
            [new ReasonCodeEntry { Input = "Seniority", Code = "R02", Text = "Short employment" }, new ReasonCodeEntry { Input = "LOAN_TO_PRICE", Code = "R09", Text = "Loan too large for the price" }],
            excluded: ["Age"]);
        var coded = model.WithReasonCodes(table);
        using var stream = new MemoryStream();
        coded.Save(stream);
        stream.Position = 0;
        var loaded = CreditModel.Load(stream);

        Assert.Equal(table.ToJson(), loaded.ReasonCodes!.ToJson());
        Assert.Null(model.ReasonCodes);
        Assert.Equal(table.ToJson(), loaded.WithDecision(loaded.Decision).ReasonCodes!.ToJson());
        var explanations = loaded.CreateExplainer().ExplainBatch(Data.Value);
        Assert.Contains(explanations, e => e.Reasons.Any(r => r.Code == "R02" && r.Text == "Short employment"));
        Assert.Contains(explanations, e => e.Reasons.Any(r => r.Code == "R09"));
        Assert.DoesNotContain(explanations, e => e.Reasons.Any(r => r.Input == "Age"));
        Assert.Contains(model.CreateExplainer().ExplainBatch(Data.Value), e => e.Reasons.Any(r => r.Input == "Age"));

        var typo = new ReasonCodeTable([new ReasonCodeEntry { Input = "Incom", Code = "R01", Text = "Income" }], excluded: ["Sex"]);
        var e1 = Assert.Throws<ConfigurationException>(() => model.WithReasonCodes(typo));
        Assert.StartsWith("The reason code table names 'Incom', 'Sex', which the model has no input or derived characteristic of; the model's are: ", e1.Message, StringComparison.Ordinal);
        Assert.Contains("LOAN_TO_PRICE", e1.Message, StringComparison.Ordinal);
        Assert.Equal(e1.Message, Assert.Throws<ConfigurationException>(() => model.CreateExplainer(new ExplainerOptions { ReasonCodes = typo })).Message);
    }

    private static double[] Flatten(Explanation e) =>
        [e.Probability, e.BaseValue, e.Margin, .. e.Features.Select(f => f.Contribution), .. e.Inputs.Select(i => i.Contribution), .. e.Reasons.Select(r => r.Contribution)];

    private static CreditModel Fit(string learner) => Models.GetOrAdd(learner, name =>
        new CreditScoringContext(seed: 42).CreatePipeline().Features(Pipeline).Train(t => name switch
        {
            "logistic" => t.LogisticRegression(),
            "gbdt" => t.GradientBoosting(o => { o.NumberOfIterations = 60; o.NumberOfLeaves = 15; }),
            _ => t.Scorecard(),
        }).Build().Fit(Data.Value));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CreditModel> Models = new();

    private sealed class OpaquePredictor(ICreditPredictor inner) : ICreditPredictor
    {
        public string Kind => "opaque";

        public IReadOnlyList<FeatureInfo> Features => inner.Features;

        public double PredictMargin(ReadOnlySpan<double> features) => inner.PredictMargin(features);

        public void PredictMargins(FeatureMatrix features, Span<double> margins) => inner.PredictMargins(features, margins);
    }
}
