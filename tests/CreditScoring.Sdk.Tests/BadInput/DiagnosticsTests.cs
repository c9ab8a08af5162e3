using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.BadInput;

/// <summary>Issue 14, class 10: junk is not accepted without a word; training and evaluation say what they found.</summary>
public class DiagnosticsTests
{
    private static readonly Lazy<CreditData> Credit = new(() => CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")));

    private static CreditModel Fit(CreditData data) => new CreditScoringContext(seed: 42).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);

    [Fact]
    public void TheBundledData_HasNoDiagnostics()
    {
        var (train, test) = Credit.Value.SplitStratified(0.2, 42);
        var model = Fit(train);
        Assert.Empty(model.Metadata.Diagnostics);
        Assert.Empty(model.Evaluate(test).Diagnostics);
    }

    [Fact]
    public void AFeatureThatCopiesTheTarget_IsALeakSuspect()
    {
        var data = Credit.Value;
        var copy = new NumericColumn("status_after_default", data.Labels.ToArray().Select(l => l * 3.0 + 1).ToArray());
        var leaky = CreditData.FromColumns([.. data.Columns, copy], o => o.Target("default"));

        var model = Fit(leaky);

        var d = Assert.Single(model.Metadata.Diagnostics);
        Assert.Equal("leak-suspect", d.Code);
        Assert.Equal("Input 'status_after_default' separates defaults from non-defaults perfectly on the training rows (on its own it scores AUC 1.0): it may copy the outcome, such as a field filled in after the default. Check it, and drop it if it does.", d.Message);
    }

    [Fact]
    public void ACategoricalCopyOfTheTarget_IsALeakSuspectToo()
    {
        var data = Credit.Value;
        var copy = new CategoricalColumn("collections", data.Labels.ToArray().Select(l => l == 1 ? "sent" : "none").ToArray());
        var model = Fit(CreditData.FromColumns([.. data.Columns, copy], o => o.Target("default")));
        Assert.Equal(["leak-suspect"], model.Metadata.Diagnostics.Select(x => x.Code));
    }

    [Fact]
    public void TwoTrainingRows_AreFewRowsAndATinyClass()
    {
        var two = Credit.Value.SelectRows([0, 2]);
        Assert.Equal([0, 1], two.Labels.ToArray().Order());

        var model = Fit(two);

        Assert.Equal(["few-rows", "tiny-class"], model.Metadata.Diagnostics.Select(x => x.Code).Take(2));
        Assert.Equal("The model was trained on 2 rows; a probability-of-default model needs hundreds at least, so its coefficients and figures are unreliable.", model.Metadata.Diagnostics[0].Message);
    }

    [Fact]
    public void DuplicateIds_AndExtremeWeights_AreReported()
    {
        var data = Credit.Value;
        var ids = new NumericColumn("loan", Enumerable.Range(0, data.RowCount).Select(i => (double)(i % 4000)).ToArray());
        var weights = new NumericColumn("w", Enumerable.Range(0, data.RowCount).Select(i => i == 7 ? 1e300 : 1.0).ToArray());
        var odd = CreditData.FromColumns([.. data.Columns, ids, weights], o => o.Target("default").Id("loan").Weight("w"));

        var diagnostics = ModelDiagnostic.OfTraining(odd, ["Income"]);

        Assert.Equal(["duplicate-ids", "extreme-weights"], diagnostics.Select(x => x.Code));
        Assert.Equal("454 rows repeat an id of an earlier row (first: '0' in column 'loan'): duplicates count twice in training and leak across a train/test split.", diagnostics[0].Message);
        Assert.Equal("One row carries 100% of the total weight (1E+300 of 1E+300): it alone decides the model. Check the weights.", diagnostics[1].Message);
    }

    [Fact]
    public void ProbabilitiesWorseThanTheBaseline_AreReported()
    {
        var (_, test) = Credit.Value.SplitStratified(0.2, 42);
        var labels = test.Labels;
        var inflated = new double[test.RowCount];
        for (var i = 0; i < inflated.Length; i++)
        {
            inflated[i] = labels[i] == 1 ? 0.9 : 0.6; // perfect ranking, poor calibration: what resampling without calibration gives
        }

        var report = ClassificationEvaluator.Evaluate(inflated, labels, 0.5, prior: 0.2815);

        Assert.Equal(1.0, report.Auc);
        var d = Assert.Single(report.Diagnostics);
        Assert.Equal("worse-than-baseline", d.Code);
        Assert.True(report.LogLoss > report.Baseline.LogLoss && report.Brier > report.Baseline.Brier);
        Assert.Equal(0.5946, report.Baseline.LogLoss, 4);
        Assert.StartsWith($"The probabilities are worse than the prior-only baseline's on log-loss ({report.LogLoss:F4} vs 0.5946) and Brier score ({report.Brier:F4} vs {report.Baseline.Brier:F4}): they are miscalibrated", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnostics_AreSavedInTheModelFile()
    {
        var data = Credit.Value;
        var copy = new NumericColumn("leak", data.Labels.ToArray().Select(l => (double)l).ToArray());
        var model = Fit(CreditData.FromColumns([.. data.Columns, copy], o => o.Target("default")));
        using var stream = new MemoryStream();
        model.Save(stream);

        var loaded = CreditModel.Load(new MemoryStream(stream.ToArray()));

        Assert.Equal(model.Metadata.Diagnostics, loaded.Metadata.Diagnostics);
        Assert.Contains("\"formatVersion\": 6", System.Text.Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
    }
}
