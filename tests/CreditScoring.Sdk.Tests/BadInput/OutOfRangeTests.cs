using System.Diagnostics.Metrics;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CreditScoring.Sdk.Tests.BadInput;

/// <summary>Issue 14, class 4: inputs far outside the training range are flagged (default), clipped or refused, never scored in silence.</summary>
public class OutOfRangeTests
{
    private static readonly Lazy<(CreditModel Model, CreditData Data)> Trained = new(() =>
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        return (new CreditScoringContext(seed: 42).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data), data);
    });

    private static Dictionary<string, object?> Applicant(double income) => new()
    {
        ["Seniority"] = 9, ["Home"] = "rent", ["Time"] = 60, ["Age"] = 30, ["Marital"] = "married", ["Records"] = "no", ["Job"] = "freelance",
        ["Expenses"] = 73, ["Income"] = income, ["Assets"] = 0, ["Debt"] = 0, ["Amount"] = 800, ["Price"] = 846,
    };

    [Fact]
    public void TheProfileKnowsEachInputsTrainingRange()
    {
        var income = Trained.Value.Model.Profile!["Income"];
        Assert.Equal(6, income.Quantiles[0]);
        Assert.Equal(959, income.Quantiles[^1]);
    }

    [Fact]
    public void Flag_IsTheDefault_ScoresAsIgnoreAndWarns()
    {
        var model = Trained.Value.Model;
        var flagged = model.CreateScorer().Score(Applicant(129_000));
        var ignored = model.CreateScorer(new ScorerOptions { OutOfRange = OutOfRangeHandling.Ignore }).Score(Applicant(129_000));

        Assert.Equal(ScoreWarnings.OutOfRange, flagged.Warnings);
        Assert.Equal(ScoreWarnings.None, ignored.Warnings);
        Assert.Equal(ignored.Probability, flagged.Probability);
        Assert.Equal(ScoreWarnings.None, model.CreateScorer().Score(Applicant(959)).Warnings);
        Assert.Equal(ScoreWarnings.None, model.CreateScorer().Score(Applicant(double.NaN)).Warnings);
    }

    [Fact]
    public void Clip_ScoresAtTheEndOfTheRange()
    {
        var model = Trained.Value.Model;
        var clip = model.CreateScorer(new ScorerOptions { OutOfRange = OutOfRangeHandling.Clip });

        var huge = clip.Score(Applicant(1e308));
        var atMax = model.CreateScorer().Score(Applicant(959));
        var tiny = clip.Score(Applicant(-5));

        Assert.Equal(atMax.Probability, huge.Probability);
        Assert.Equal(ScoreWarnings.OutOfRange, huge.Warnings);
        Assert.Equal(model.CreateScorer().Score(Applicant(6)).Probability, tiny.Probability);
    }

    [Fact]
    public void Throw_NamesTheInputTheValueAndTheRange()
    {
        var scorer = Trained.Value.Model.CreateScorer(new ScorerOptions { OutOfRange = OutOfRangeHandling.Throw });

        var e = Assert.Throws<ScoringInputException>(() => scorer.Score(Applicant(1e308)));

        Assert.Equal("Income", e.Column);
        Assert.Equal("Input 'Income' is 1E+308, outside the range the model was trained on (6 to 959). A value this far out is often a unit or entry error (cents for thousands); check it, or set ScorerOptions.OutOfRange to Flag or Clip.", e.Message);
    }

    [Fact]
    public void Tolerance_WidensTheRangeByAShareOfItsWidth()
    {
        var scorer = Trained.Value.Model.CreateScorer(new ScorerOptions { OutOfRange = OutOfRangeHandling.Throw, OutOfRangeTolerance = 0.1 });

        Assert.Equal(ScoreWarnings.None, scorer.Score(Applicant(959 + 95)).Warnings);
        var e = Assert.Throws<ScoringInputException>(() => scorer.Score(Applicant(959 + 96)));
        Assert.EndsWith("outside the range the model was trained on (6 to 959, widened by OutOfRangeTolerance 0.1 to -89.3 to 1054.3). A value this far out is often a unit or entry error (cents for thousands); check it, or set ScorerOptions.OutOfRange to Flag or Clip.", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Trained.Value.Model.CreateScorer(new ScorerOptions { OutOfRangeTolerance = -1 }));
    }

    [Fact]
    public void Batch_FlagsClipsAndThrowsRowByRow_AsSingleRows()
    {
        var (model, data) = Trained.Value;
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var income = Array.IndexOf(lines[0].Split(','), "Income");
        var edited = lines.Take(11).Select((l, i) =>
        {
            var cells = l.Split(',');
            if (i == 3)
            {
                cells[income] = "129000";
            }

            return string.Join(',', cells);
        });
        var batch = CreditData.ReadCsv(new StringReader(string.Join('\n', edited)), o => o.Target("default"));

        foreach (var handling in new[] { OutOfRangeHandling.Flag, OutOfRangeHandling.Clip })
        {
            var scorer = model.CreateScorer(new ScorerOptions { OutOfRange = handling });
            var scores = scorer.ScoreBatch(batch);
            Assert.Equal(ScoreWarnings.OutOfRange, scores[2].Warnings);
            Assert.All(scores.Where((_, i) => i != 2), s => Assert.Equal(ScoreWarnings.None, s.Warnings));
            var row = scorer.CreateRow();
            for (var j = 0; j < model.Input.Count; j++)
            {
                var column = batch[model.Input.Columns[j].Name];
                if (column is CategoricalColumn c)
                {
                    row.Set(j, c[2]);
                }
                else
                {
                    row.Set(j, ((NumericColumn)column)[2]);
                }
            }

            Assert.Equal(scorer.Score(row), scores[2]);
        }

        var e = Assert.Throws<ScoringInputException>(() => model.CreateScorer(new ScorerOptions { OutOfRange = OutOfRangeHandling.Throw }).ScoreBatch(batch));
        Assert.StartsWith("Input 'Income', row 2, is 129000, outside the range", e.Message, StringComparison.Ordinal);
        Assert.Equal(129000, ((NumericColumn)batch["Income"])[2]); // clipping worked on a copy
    }

    [Fact]
    public void UnknownCategories_AreFlaggedWhenIgnored()
    {
        var model = Trained.Value.Model;
        var applicant = Applicant(129);
        applicant["Home"] = "castle";

        Assert.Equal(ScoreWarnings.UnknownCategory, model.CreateScorer().Score(applicant).Warnings);
        Assert.Equal(ScoreWarnings.None, model.CreateScorer(new ScorerOptions { UnknownCategory = UnknownCategoryHandling.TreatAsMissing }).Score(applicant).Warnings);
    }

    [Fact]
    public async Task TheDiScorer_CountsWarningsByKind()
    {
        var (model, _) = Trained.Value;
        var path = Path.Combine(TestPaths.NewTempDirectory(), "pd.json");
        model.Save(path);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddCreditScoring(o => o.ModelPath = path);
        using var host = builder.Build();
        await host.StartAsync();
        var scorer = host.Services.GetRequiredService<ICreditScorer>();
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CreditScoringMetrics.MeterName && instrument.Name == "creditscoring.score_warnings")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (counts)
            {
                var key = (string)tags[0].Value!;
                counts[key] = counts.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();

        scorer.Score(Applicant(129_000));
        scorer.Score(Applicant(129_000));
        var unknown = Applicant(129);
        unknown["Job"] = "astronaut";
        scorer.Score(unknown);
        scorer.Score(Applicant(129));

        Assert.Equal(new Dictionary<string, long> { ["out_of_range"] = 2, ["unknown_category"] = 1 }, counts);
    }
}
