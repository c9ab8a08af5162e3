using System.Text;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Reporting;

namespace CreditScoring.Sdk.Tests.Reporting;

/// <summary>The JSON evaluation report, owned by the library (the CLI's --report writes it through ReportJson).</summary>
public class ReportJsonTests
{
    private static readonly Lazy<(ReportContent Content, double[] Probabilities, CreditData Test)> Trained = new(() =>
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var context = new CreditScoringContext(seed: 3);
        var (train, test) = data.SplitStratified(0.25, context.Seed);
        var pipeline = context.CreatePipeline()
            .Train(t => t.LogisticRegression())
            .Decide(d => d.Optimize(ThresholdObjective.Parse("cost"), CostMatrix.Create(5, 1), bootstrapSamples: 0))
            .Build();
        var cv = pipeline.CrossValidate(train, 3);
        var model = pipeline.Fit(train);
        var probabilities = new double[test.RowCount];
        model.CreateScorer().PredictProbabilities(test, probabilities);
        var content = new ReportContent
        {
            Command = "test",
            Model = model,
            Evaluation = model.Evaluate(test, probabilities),
            Context = [new("data", "credit.csv"), new("trainRows", train.RowCount), new("testFraction", 0.25), new("missing", null)],
            CrossValidation = cv,
            ThresholdsOnTest = model.Decision.CompareOn(test, probabilities),
        };
        return (content, probabilities, test);
    });

    [Fact]
    public void Report_Snapshot()
    {
        Snapshot.Verify(Snapshot.RoundNumbers(Write(Trained.Value.Content)));
    }

    [Fact]
    public void Report_HoldsTheEvaluationsFigures_AndTheThresholdsAppliedToTheTestRows()
    {
        var (content, probabilities, test) = Trained.Value;
        var json = JsonDocument.Parse(Write(content)).RootElement;

        Assert.Equal("test", json.GetProperty("command").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("missing").ValueKind);
        Assert.Equal(content.Evaluation.Auc, json.GetProperty("auc").GetDouble());
        Assert.Equal(content.Evaluation.Rows, json.GetProperty("rows").GetInt32());
        Assert.Equal(3, json.GetProperty("crossValidation").GetProperty("folds").GetArrayLength());
        var decision = content.Model.Decision;
        var onTest = json.GetProperty("thresholdsOnTest").EnumerateArray().ToArray();
        Assert.Equal(1 + decision.Alternatives.Count, onTest.Length);
        Assert.Equal("cost", onTest[0].GetProperty("objective").GetString());

        // Applied figures are the threshold analysis of the test rows at the chosen thresholds.
        var analysis = ThresholdAnalysis.Analyze(probabilities, test.Labels, CostMatrix.Create(5, 1).Resolve(test), test.Weights);
        var applied = analysis.At(decision.Threshold);
        Assert.Equal(decision.Threshold, onTest[0].GetProperty("threshold").GetDouble());
        Assert.Equal(applied.Cost, onTest[0].GetProperty("cost").GetDouble());
        Assert.Equal(applied.ApprovalRate, onTest[0].GetProperty("approvalRate").GetDouble());
        Assert.Equal(content.ThresholdsOnTest![0], new ThresholdComparison(decision.Choice!, applied));
    }

    [Fact]
    public void AContextValueThatIsNotTextOrANumber_IsRefused()
    {
        var content = new ReportContent { Command = "x", Model = Trained.Value.Content.Model, Evaluation = Trained.Value.Content.Evaluation, Context = [new("when", DateTime.UnixEpoch)] };

        var e = Assert.Throws<ArgumentException>(() => ReportJson.Write(new MemoryStream(), content));

        Assert.StartsWith("the report context value 'when' is a DateTime; it must be text, a number or null.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFixedPolicy_ComparesNothing()
    {
        var (content, probabilities, test) = Trained.Value;

        Assert.Empty(content.Model.WithDecision(new DecisionPolicy(0.4, "fixed")).Decision.CompareOn(test, probabilities));
    }

    private static string Write(ReportContent content)
    {
        using var stream = new MemoryStream();
        ReportJson.Write(stream, content);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
