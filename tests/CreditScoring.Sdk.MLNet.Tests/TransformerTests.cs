using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CreditScoring.Sdk.MLNet.Tests;

/// <summary>A CreditModel as an ML.NET ITransformer: the same scores as our scorer, row by row, in every ML.NET route.</summary>
public class TransformerTests
{
    private static readonly Lazy<(CreditModel Logistic, CreditModel Trees, CreditData Test)> Models = new(() =>
    {
        var (train, test) = (CreditSplit.Train, CreditSplit.Test);
        var context = new CreditScoringContext(seed: 42);
        var logistic = context.CreatePipeline().Train(t => t.LogisticRegression(o => o.L2Regularization = 1.0)).Decide(d => d.Threshold(0.3)).Build().Fit(train);
        var trees = context.CreatePipeline().Train(t => t.GradientBoosting(o => o.NumberOfIterations = 60)).Decide(d => d.Threshold(0.3)).Build().Fit(train);
        return (logistic, trees, test);
    });

    public static TheoryData<string, CategoryEncoding> Cases => new()
    {
        { "logistic", CategoryEncoding.Text },
        { "logistic", CategoryEncoding.Key },
        { "trees", CategoryEncoding.Text },
        { "trees", CategoryEncoding.Key },
    };

    private static CreditModel Model(string name) => name == "logistic" ? Models.Value.Logistic : Models.Value.Trees;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Transform_gives_every_row_our_scorers_probability_and_decision_exactly(string learner, CategoryEncoding categories)
    {
        var model = Model(learner);
        var test = Models.Value.Test;
        var expected = model.CreateScorer().ScoreBatch(test);

        var scored = new CreditModelTransformer(model).Transform(test.ToDataView(new CreditDataViewOptions { Categories = categories }));

        var exact = scored.GetColumn<double>("CreditProbability").ToArray();
        var single = scored.GetColumn<float>("Probability").ToArray();
        var logOdds = scored.GetColumn<float>("Score").ToArray();
        var decline = scored.GetColumn<bool>("PredictedLabel").ToArray();
        var decision = scored.GetColumn<ReadOnlyMemory<char>>("Decision").Select(d => d.ToString()).ToArray();
        Assert.Equal(test.RowCount, exact.Length);
        for (var r = 0; r < test.RowCount; r++)
        {
            Assert.Equal(expected[r].Probability, exact[r]);
            Assert.Equal((float)expected[r].Probability, single[r]);
            Assert.Equal((float)Math.Log(expected[r].Probability / (1 - expected[r].Probability)), logOdds[r]);
            Assert.Equal(expected[r].Decision == CreditDecision.Decline, decline[r]);
            Assert.Equal(expected[r].Decision == CreditDecision.Decline ? "decline" : "approve", decision[r]);
        }

        Assert.Equal(expected.Count(s => s.Decision == CreditDecision.Decline), decline.Count(d => d));
    }

    [Fact]
    public void MLNETs_evaluator_reads_the_output_and_agrees_with_our_AUC()
    {
        var model = Models.Value.Trees;
        var test = Models.Value.Test;
        var ml = new MLContext(seed: 1);

        var scored = new CreditModelTransformer(model).Transform(ml.Data.LoadFromCreditData(test));
        var metrics = ml.BinaryClassification.Evaluate(scored, labelColumnName: "default");

        Assert.Equal(model.Evaluate(test).Auc, metrics.AreaUnderRocCurve, 4);
    }

    private sealed class Applicant
    {
        public float Seniority { get; set; }

        public string Home { get; set; } = "";

        public float Time { get; set; }

        public float Age { get; set; }

        public string Marital { get; set; } = "";

        public string Records { get; set; } = "";

        public string Job { get; set; } = "";

        public float Expenses { get; set; }

        public float Income { get; set; }

        public float Assets { get; set; }

        public float Debt { get; set; }

        public float Amount { get; set; }

        public float Price { get; set; }
    }

    private sealed class Prediction
    {
        public double CreditProbability { get; set; }

        public bool PredictedLabel { get; set; }

        public string Decision { get; set; } = "";

        public string Warnings { get; set; } = "";
    }

    [Fact]
    public void A_PredictionEngine_scores_each_applicant_as_our_scorer_does()
    {
        var model = Models.Value.Logistic;
        var scorer = model.CreateScorer();
        var ml = new MLContext(seed: 1);
        var engine = ml.Model.CreatePredictionEngine<Applicant, Prediction>(new CreditModelTransformer(model));

        var first = engine.Predict(new Applicant { Seniority = 9, Home = "rent", Time = 60, Age = 30, Marital = "married", Records = "no", Job = "freelance", Expenses = 73, Income = 129, Assets = 0, Debt = 0, Amount = 800, Price = 846 });
        var second = engine.Predict(new Applicant { Seniority = 20, Home = "owner", Time = 36, Age = 50, Marital = "married", Records = "no", Job = "fixed", Expenses = 45, Income = 250, Assets = 10000, Debt = 0, Amount = 500, Price = 1500 });
        var unknown = engine.Predict(new Applicant { Seniority = 1, Home = "castle", Time = 60, Age = 30, Marital = "", Records = "no", Job = "fixed", Expenses = 73, Income = float.NaN, Assets = 0, Debt = 0, Amount = 800, Price = 846 });

        var expectedFirst = scorer.Score(scorer.CreateRow()
            .Set("Seniority", 9).Set("Home", "rent").Set("Time", 60).Set("Age", 30).Set("Marital", "married")
            .Set("Records", "no").Set("Job", "freelance").Set("Expenses", 73).Set("Income", 129)
            .Set("Assets", 0).Set("Debt", 0).Set("Amount", 800).Set("Price", 846));
        var expectedSecond = scorer.Score(scorer.CreateRow()
            .Set("Seniority", 20).Set("Home", "owner").Set("Time", 36).Set("Age", 50).Set("Marital", "married")
            .Set("Records", "no").Set("Job", "fixed").Set("Expenses", 45).Set("Income", 250)
            .Set("Assets", 10000).Set("Debt", 0).Set("Amount", 500).Set("Price", 1500));
        var expectedUnknown = scorer.Score(scorer.CreateRow()
            .Set("Seniority", 1).Set("Home", "castle").Set("Time", 60).Set("Age", 30).SetMissing("Marital")
            .Set("Records", "no").Set("Job", "fixed").Set("Expenses", 73).SetMissing("Income")
            .Set("Assets", 0).Set("Debt", 0).Set("Amount", 800).Set("Price", 846));
        Assert.Equal(expectedFirst.Probability, first.CreditProbability);
        Assert.Equal("decline", first.Decision);
        Assert.True(first.PredictedLabel);
        Assert.Equal(expectedSecond.Probability, second.CreditProbability);
        Assert.NotEqual(first.CreditProbability, second.CreditProbability);
        Assert.Equal(expectedUnknown.Probability, unknown.CreditProbability);
        Assert.Equal("UnknownCategory", unknown.Warnings);
        Assert.Equal(0.334, first.CreditProbability, 3);
    }

    [Fact]
    public void It_runs_after_MLNETs_own_transforms_in_a_chain()
    {
        var model = Models.Value.Trees;
        var test = Models.Value.Test;
        var ml = new MLContext(seed: 1);
        var view = test.ToDataView();

        // The credit data's ages and incomes are whole numbers, so Single holds them exactly.
        var chain = ml.Transforms.Conversion.ConvertType([new InputOutputColumnPair("Age"), new InputOutputColumnPair("Income")], DataKind.Single).Fit(view).Append(new CreditModelTransformer(model));
        var probabilities = chain.Transform(view).GetColumn<double>("CreditProbability").ToArray();

        Assert.Equal(model.CreateScorer().ScoreBatch(test).Select(s => s.Probability), probabilities);
    }

    [Fact]
    public void A_missing_input_column_or_one_of_the_wrong_type_is_refused_by_name()
    {
        var model = Models.Value.Logistic;
        var test = Models.Value.Test;
        var ml = new MLContext(seed: 1);
        var view = test.ToDataView();
        var withoutIncome = ml.Transforms.DropColumns("Income").Fit(view).Transform(view);
        var textAge = ml.Transforms.Conversion.ConvertType("Age", outputKind: DataKind.String).Fit(view).Transform(view);

        var missing = Assert.Throws<ArgumentException>(() => new CreditModelTransformer(model).Transform(withoutIncome));
        var wrong = Assert.Throws<ArgumentException>(() => new CreditModelTransformer(model).Transform(textAge));

        Assert.Contains("no column 'Income', an input of the model (Income (numeric))", missing.Message);
        Assert.Contains("Column 'Age' is String, and the model's input Age (numeric) takes a number or Boolean column", wrong.Message);
    }

    [Fact]
    public void A_value_the_scorer_refuses_throws_from_the_row_naming_the_input()
    {
        var model = Models.Value.Logistic;
        var data = CreditData.FromColumns(
            Models.Value.Test.Columns.Select(c => c.Name == "Income" ? new NumericColumn("Income", [.. Enumerable.Repeat(1e30, Models.Value.Test.RowCount)]) : c),
            o => o.Target("default"));
        var view = new CreditModelTransformer(model).Transform(data.ToDataView(new CreditDataViewOptions { Numbers = NumberEncoding.SinglePrecision }));
        var probabilities = view.GetColumn<double>("CreditProbability").Take(1).ToArray();

        var flagged = view.GetColumn<ReadOnlyMemory<char>>("Warnings").First().ToString();
        var strict = new CreditModelTransformer(model, new ScorerOptions { OutOfRange = OutOfRangeHandling.Throw }).Transform(data.ToDataView());
        var e = Assert.ThrowsAny<Exception>(() => strict.GetColumn<double>("CreditProbability").ToArray());

        Assert.Single(probabilities);
        Assert.Equal("OutOfRange", flagged);
        Assert.Contains("Income", e.Message);
    }

    [Fact]
    public void Saving_into_MLNETs_zip_says_how_to_save_instead()
    {
        var ml = new MLContext(seed: 1);
        var test = Models.Value.Test.ToDataView();
        var path = Path.Combine(TestPaths.NewTempDirectory(), "model.zip");

        var e = Assert.Throws<NotSupportedException>(() => ml.Model.Save(new CreditModelTransformer(Models.Value.Logistic), test.Schema, path));

        Assert.Contains("CreditModel.Save(path)", e.Message);
    }
}
