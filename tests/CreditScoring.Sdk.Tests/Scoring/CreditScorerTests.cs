using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.Scoring;

public class CreditScorerTests
{
    private static readonly Lazy<(CreditModel Model, CreditData Data)> Trained = new(() =>
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        return (new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Decide(d => d.Threshold(0.4)).Build().Fit(data), data);
    });

    private static void Fill(ScoringRow row, CreditData data, int r)
    {
        row.Clear();
        foreach (var input in row.Schema.Columns)
        {
            switch (data[input.Name])
            {
                case NumericColumn n: row.Set(input.Name, n[r]); break;
                case CategoricalColumn c: row.Set(input.Name, c[r]); break;
                default: throw new InvalidOperationException();
            }
        }
    }

    [Fact]
    public void Score_RowEqualsBatchBitForBit_AndAppliesThreshold()
    {
        var (model, data) = Trained.Value;
        var scorer = model.CreateScorer();
        var batch = scorer.ScoreBatch(data);
        var row = scorer.CreateRow();

        for (var r = 0; r < data.RowCount; r++)
        {
            Fill(row, data, r);
            var single = scorer.Score(row);
            Assert.Equal(BitConverter.DoubleToInt64Bits(batch[r].Probability), BitConverter.DoubleToInt64Bits(single.Probability));
            Assert.Equal(single.Probability >= 0.4 ? CreditDecision.Decline : CreditDecision.Approve, single.Decision);
        }
    }

    [Fact]
    public void Score_Dictionary_AcceptsNumbersStringsNullsAndJson()
    {
        var (model, data) = Trained.Value;
        var scorer = model.CreateScorer();
        var expected = scorer.ScoreBatch(data)[0];
        var values = scorer.Input.Columns.ToDictionary(c => c.Name, c => data[c.Name] switch
        {
            NumericColumn n => (object?)(int)n[0],
            CategoricalColumn k => k[0],
            _ => null,
        });
        values["id-not-an-input"] = "ignored";

        Assert.Equal(expected, scorer.Score(values));

        var json = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(values))!;
        Assert.Equal(expected, scorer.Score(json));
    }

    [Fact]
    public void Score_Dictionary_MissingAndWrongTypes_NameTheInput()
    {
        var scorer = Trained.Value.Model.CreateScorer();
        var values = scorer.Input.Columns.ToDictionary(c => c.Name, c => c.Kind == ColumnKind.Numeric ? (object?)1.0 : null);

        values.Remove("Income");
        var missing = Assert.Throws<ScoringInputException>(() => scorer.Score(values));
        Assert.Equal("The applicant has no value for input 'Income (numeric)'; pass null for a missing value.", missing.Message);
        Assert.Equal("Income", missing.Column);

        values["Income"] = "lots";
        var wrong = Assert.Throws<ScoringInputException>(() => scorer.Score(values));
        Assert.Equal("Input 'Income' expects a number or null, but got String lots.", wrong.Message);

        values["Income"] = 100.0;
        values["Home"] = true;
        Assert.Equal("Input 'Home' expects a category (text) or null, but got Boolean True.", Assert.Throws<ScoringInputException>(() => scorer.Score(values)).Message);
    }

    [Fact]
    public void Score_Row_UnsetInputsAndWrongKinds_AreErrors()
    {
        var scorer = Trained.Value.Model.CreateScorer();
        var row = scorer.CreateRow();
        row.Set("Income", 100).Set("Home", "rent");

        var unset = Assert.Throws<ScoringInputException>(() => scorer.Score(row));
        Assert.StartsWith("11 input(s) were not set: Seniority, Time, Age, Marital, Records, Job, Expenses, Assets, Debt, Amount, Price.", unset.Message, StringComparison.Ordinal);

        Assert.Equal("Input 'Home' is categorical; set it to one of its categories (a string), not to the number 3.", Assert.Throws<ScoringInputException>(() => row.Set("Home", 3)).Message);
        Assert.Equal("Input 'Income' is numeric; set it to a number, not to the text 'high'.", Assert.Throws<ScoringInputException>(() => row.Set("Income", "high")).Message);
        Assert.StartsWith("The model has no input 'income' (names are case-sensitive). Inputs: Seniority, Home,", Assert.Throws<ScoringInputException>(() => row.Set("income", 1)).Message, StringComparison.Ordinal);
        Assert.Equal("Input 'Income' is Infinity; a numeric input must be finite (NaN = missing).", Assert.Throws<ScoringInputException>(() => row.Set("Income", double.PositiveInfinity)).Message);

        var other = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(SyntheticCredit.Generate(200)).CreateScorer().CreateRow();
        Assert.Equal("The row was created by a scorer of another model; create rows with this scorer's CreateRow().", Assert.Throws<ScoringInputException>(() => scorer.Score(other)).Message);
    }

    [Fact]
    public void UnknownCategory_HandlingIsAsDocumented()
    {
        var (model, data) = Trained.Value;
        var row0 = new Dictionary<string, object?>();
        foreach (var c in model.Input.Columns)
        {
            row0[c.Name] = data[c.Name] is NumericColumn n ? n[0] : ((CategoricalColumn)data[c.Name])[0];
        }

        var unknown = new Dictionary<string, object?>(row0) { ["Home"] = "castle" };
        var missing = new Dictionary<string, object?>(row0) { ["Home"] = null };

        // Ignore: every Home indicator 0 — the margin loses exactly the coefficient of the row's own category.
        var ignore = model.CreateScorer().Score(unknown);
        var lr = (CreditScoring.Sdk.Learners.Linear.LogisticRegressionPredictor)model.Predictor;
        var own = lr.Coefficients.Single(c => c.Feature == $"Home={row0["Home"]}").Coefficient;
        var knownMargin = Math.Log(model.CreateScorer().Score(row0).Probability / (1 - model.CreateScorer().Score(row0).Probability));
        Assert.Equal(knownMargin - own, Math.Log(ignore.Probability / (1 - ignore.Probability)), 1e-9);

        var asMissing = model.CreateScorer(new ScorerOptions { UnknownCategory = UnknownCategoryHandling.TreatAsMissing });
        Assert.Equal(asMissing.Score(missing), asMissing.Score(unknown));

        var strict = model.CreateScorer(new ScorerOptions { UnknownCategory = UnknownCategoryHandling.Throw });
        var e = Assert.Throws<ScoringInputException>(() => strict.Score(unknown));
        Assert.Equal("Column 'Home': category 'castle' was not seen in training (known: ignore, other, owner, parents, priv, rent). Unknown categories are rejected because UnknownCategory is Throw.", e.Message);
    }

    [Fact]
    public void ScoreBatch_MissingOrWrongKindColumns_AreErrors()
    {
        var (model, data) = Trained.Value;
        var scorer = model.CreateScorer();

        var lacking = CreditData.FromColumns(data.Columns.Where(c => c.Name is not ("Income" or "Job")));
        var e = Assert.Throws<ScoringInputException>(() => scorer.ScoreBatch(lacking));
        Assert.StartsWith("The data lacks 2 input column(s) the model needs: Job (categorical: fixed, freelance, others, partime); Income (numeric). Data columns: default, Seniority,", e.Message, StringComparison.Ordinal);

        var wrongKind = CreditData.FromColumns(data.Columns.Select(c => c.Name == "Income" ? new CategoricalColumn("Income", Enumerable.Repeat<string?>("x", data.RowCount).ToArray()) : c));
        Assert.Equal("Column 'Income' is categorical in the data, but the model expects numbers.", Assert.Throws<ScoringInputException>(() => scorer.ScoreBatch(wrongKind)).Message);
    }

    [Fact]
    public void ScoreBatch_UnknownCategoryInData_FollowsHandling()
    {
        var (model, data) = Trained.Value;
        var changed = CreditData.FromColumns(data.Columns.Select(c => c.Name == "Home"
            ? new CategoricalColumn("Home", Enumerable.Range(0, data.RowCount).Select(r => r == 5 ? "castle" : ((CategoricalColumn)c)[r]).ToArray())
            : c));

        var e = Assert.Throws<ScoringInputException>(() => model.CreateScorer(new ScorerOptions { UnknownCategory = UnknownCategoryHandling.Throw }).ScoreBatch(changed));
        Assert.StartsWith("Column 'Home', row 5: category 'castle' was not seen in training", e.Message, StringComparison.Ordinal);
        Assert.Equal(data.RowCount, model.CreateScorer().ScoreBatch(changed).Count);
    }

    [Fact]
    public void ScoreBatch_UnknownCategory_InTreesThatSplitCodesByThreshold_IsScoredAsMissing_AsSingleRowsAre()
    {
        // Default gradient boosting splits category codes by threshold, so an unknown category (code -1 under Ignore) must
        // reach the trees as missing, as the pass-through step documents; read as -1 it would take the lowest codes' branch.
        var (_, data) = Trained.Value;
        var model = new CreditScoringContext(seed: 5).CreatePipeline().Train(t => t.GradientBoosting(o => o.NumberOfIterations = 30)).Build().Fit(data);
        CreditData WithHome(string? home) => CreditData.FromColumns(data.Columns.Select(c => c.Name == "Home"
            ? new CategoricalColumn("Home", Enumerable.Range(0, data.RowCount).Select(r => r < 40 ? home : ((CategoricalColumn)c)[r]).ToArray())
            : c));

        var scorer = model.CreateScorer();
        var unknown = scorer.ScoreBatch(WithHome("castle"));
        var missing = scorer.ScoreBatch(WithHome(null));
        var known = scorer.ScoreBatch(data);
        var changed = 0;
        for (var r = 0; r < 40; r++)
        {
            var single = scorer.Score(data.Columns.Where(c => model.Input.Columns.Any(i => i.Name == c.Name))
                .ToDictionary(c => c.Name, c => c.Name == "Home" ? "castle" : c is NumericColumn n ? n[r] : (object?)((CategoricalColumn)c)[r]));
            Assert.Equal(missing[r].Probability, unknown[r].Probability);
            Assert.Equal(single.Probability, unknown[r].Probability);
            Assert.Equal(ScoreWarnings.UnknownCategory, unknown[r].Warnings);
            changed += unknown[r].Probability != known[r].Probability ? 1 : 0;
        }

        Assert.True(changed > 0, "the trees use Home, so scoring it as missing changes some rows");
    }

    [Fact]
    public void Score_ManyThreads_SameResultsAsOneThread()
    {
        var (model, data) = Trained.Value;
        var scorer = model.CreateScorer();
        var expected = scorer.ScoreBatch(data);
        var actual = new CreditScore[data.RowCount];

        Parallel.For(0, data.RowCount, new ParallelOptions { MaxDegreeOfParallelism = 8 }, () => scorer.CreateRow(), (r, _, row) =>
        {
            Fill(row, data, r);
            actual[r] = scorer.Score(row);
            return row;
        }, _ => { });

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Score_Row_AllocatesNothing()
    {
        var (model, data) = Trained.Value;
        var scorer = model.CreateScorer();
        var row = scorer.CreateRow();
        Fill(row, data, 3);

        Assert.Equal(0, Allocations.OfScoring(scorer, row));
    }

    [Fact]
    public void PredictProbabilities_OnSeveralThreads_EqualsOneThreadBitForBit()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var model = new CreditScoringContext(7).CreatePipeline()
            .Train(t => t.GradientBoosting(o => { o.NumberOfIterations = 40; o.NumberOfLeaves = 15; }))
            .Build().Fit(data);

        // Eleven copies of the rows: three blocks of 16,384 rows, the last one partial.
        var rows = Enumerable.Range(0, 11 * data.RowCount).Select(i => i % data.RowCount).ToArray();
        var large = data.SelectRows(rows);
        Assert.True(large.RowCount > 2 * 16_384);
        var one = new double[large.RowCount];
        var three = new double[large.RowCount];
        model.CreateScorer().PredictProbabilities(large, one);
        model.CreateScorer(new ScorerOptions { MaxDegreeOfParallelism = 3 }).PredictProbabilities(large, three);

        Assert.Equal(one.Select(BitConverter.DoubleToInt64Bits), three.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(one[5], one[5 + (7 * data.RowCount)]);
        var all = model.CreateScorer(new ScorerOptions { MaxDegreeOfParallelism = -1 }).ScoreBatch(large);
        Assert.Equal(one.Select(BitConverter.DoubleToInt64Bits), all.Select(s => BitConverter.DoubleToInt64Bits(s.Probability)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void CreateScorer_InvalidParallelism_NamesTheOption(int threads)
    {
        var (model, _) = Trained.Value;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateScorer(new ScorerOptions { MaxDegreeOfParallelism = threads }));
        Assert.Contains("MaxDegreeOfParallelism", e.Message);
        Assert.Equal(threads, e.ActualValue);
    }
}
