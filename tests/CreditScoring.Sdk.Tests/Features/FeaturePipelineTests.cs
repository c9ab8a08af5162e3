using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.Features;

public class FeaturePipelineTests
{
    private static readonly double N = double.NaN;

    private static CreditData Table(int[] y, params DataColumn[] columns) =>
        CreditData.FromColumns([.. columns, new NumericColumn("y", y.Select(v => (double)v).ToArray())], o => o.Target("y"));

    private static int[] Labels(int n) => Enumerable.Range(0, n).Select(i => i % 2).ToArray();

    /// <summary>Fits the declared steps for a learner that takes missing values and categories as they are, and returns the training matrix by feature name.</summary>
    private static (FittedFeatures Features, Dictionary<string, double[]> Columns) Fit(CreditData data, Action<FeaturePipelineBuilder> steps, LearnerCapabilities capabilities = LearnerCapabilities.MissingValues | LearnerCapabilities.CategoricalFeatures)
    {
        var builder = new CreditScoringContext().CreatePipeline();
        var declared = default(FeaturePipelineBuilder);
        builder.Features(f =>
        {
            steps(f);
            declared = f;
        });
        var (features, matrix) = declared!.Fit(data, capabilities, 42);
        return (features, features.Features.Select((f, j) => (f.Name, matrix.Column(j).ToArray())).ToDictionary(p => p.Name, p => p.Item2));
    }

    [Fact]
    public void Sentinel_BecomesMissing_SpecialAlsoGetsAnIndicator()
    {
        var data = Table(Labels(4), new NumericColumn("DAYS_EMPLOYED", [-100, 365243, -5, N]), new NumericColumn("late", [0, 96, 98, 2]));

        var (_, c) = Fit(data, f => f.Sentinel("DAYS_EMPLOYED", 365243).Special("late", 96, 98));

        Assert.Equal([-100, N, -5, N], c["DAYS_EMPLOYED"]);
        Assert.Equal([0, N, N, 2], c["late"]);
        Assert.Equal([0.0, 1, 0, 0], c["late=96"]);
        Assert.Equal([0.0, 0, 1, 0], c["late=98"]);
    }

    [Fact]
    public void Impute_EachStrategy_HandComputed()
    {
        var x = new NumericColumn("x", [1, 2, N, 10, 2]);
        var data = Table(Labels(5), x, new NumericColumn("m", [1, 2, N, 10, 2]), new NumericColumn("k", [1, 2, N, 10, 2]), new NumericColumn("z", [1, 2, N, 10, 2]),
            new CategoricalColumn("home", ["rent", "own", null, "rent", "own2"]));

        var (features, c) = Fit(data, f => f.Impute(ImputeStrategy.Mean, "x").ImputeWithIndicator(ImputeStrategy.Median, "m").Impute(ImputeStrategy.MostFrequent, "k", "home").Impute(-1, "z"));

        Assert.Equal([1, 2, 3.75, 10, 2], c["x"]);
        Assert.Equal([1, 2, 2, 10, 2], c["m"]);
        Assert.Equal([0.0, 0, 1, 0, 0], c["m_MISSING"]);
        Assert.Equal([1, 2, 2, 10, 2], c["k"]);
        Assert.Equal([1, 2, -1, 10, 2], c["z"]);
        var rent = data.Schema.IndexOf("home") >= 0 ? features.Input.CategoryCode(features.Input.IndexOf("home"), "rent") : -1;
        Assert.Equal(rent, c["home"][2]);
        Assert.Contains("x: missing -> mean 3.75", features.Steps);
    }

    [Fact]
    public void Scale_StandardMinMaxRobust_AsScikitLearn()
    {
        double[] v = [1, 2, 3, 4, 10, N];
        var data = Table(Labels(6), new NumericColumn("s", v), new NumericColumn("mm", v), new NumericColumn("r", v), new NumericColumn("const", [5, 5, 5, 5, 5, 5]));

        var (_, c) = Fit(data, f => f.Scale(ScalingMethod.Standard, "s", "const").Scale(ScalingMethod.MinMax, "mm").Scale(ScalingMethod.Robust, "r"));

        var std = Math.Sqrt(new[] { 1, 2, 3, 4, 10.0 }.Sum(t => (t - 4) * (t - 4)) / 5);
        Assert.Equal((1 - 4) / std, c["s"][0], 14);
        Assert.True(double.IsNaN(c["s"][5]));
        Assert.Equal([0, 1 / 9.0, 2 / 9.0, 3 / 9.0, 1, N], c["mm"]);
        Assert.Equal((1 - 3) / 2.0, c["r"][0], 14); // median 3, IQR 4 - 2
        Assert.Equal([0.0, 0, 0, 0, 0, 0], c["const"]); // zero scale: centred, not divided
    }

    [Fact]
    public void Shapes_LogSignedLogClipWinsorizeYeoJohnson()
    {
        var hundred = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        var data = Table(Labels(100), new NumericColumn("l", hundred.Select(i => i - 2).ToArray()), new NumericColumn("sl", hundred.Select(i => 50 - i).ToArray()),
            new NumericColumn("c", hundred), new NumericColumn("w", hundred));

        var (_, c) = Fit(data, f => f.Log1P("l").SignedLog("sl").Clip(10, 20, "c").Winsorize(0.05, 0.95, "w"));

        Assert.True(double.IsNaN(c["l"][0])); // ln(1 + -1) is -inf: missing
        Assert.Equal(Math.Log(1 + 98.0), c["l"][99], 14);
        Assert.Equal(-Math.Log(1 + 50.0), c["sl"][99], 14);
        Assert.Equal(Math.Log(1 + 49.0), c["sl"][0], 14);
        Assert.Equal(10, c["c"][0]);
        Assert.Equal(20, c["c"][99]);
        Assert.Equal(5.95, c["w"][0], 12);   // numpy.quantile(1..100, 0.05)
        Assert.Equal(95.05, c["w"][99], 12); // numpy.quantile(1..100, 0.95)
    }

    [Fact]
    public void YeoJohnson_LambdaMatchesScipy()
    {
        // scipy.stats.yeojohnson([1, 2, 3, 4, 5, 10, 20, 50, 100, -3]) -> lambda 0.3552665292817844, y[:3] = 0.78595045, 1.34384799, 1.79135547
        double[] x = [1, 2, 3, 4, 5, 10, 20, 50, 100, -3];

        Assert.Equal(0.3552665292817844, YeoJohnson.FitLambda(x), 6);
        var (_, c) = Fit(Table(Labels(10), new NumericColumn("x", x)), f => f.YeoJohnson("x"));
        Assert.Equal(0.78595045, c["x"][0], 6);
        Assert.Equal(1.79135547, c["x"][2], 6);
    }

    [Fact]
    public void OneHot_CapRareOtherUnknownAndMissing()
    {
        var home = new CategoricalColumn("home", ["a", "a", "a", "b", "b", "c", null, "a"]);
        var data = Table(Labels(8), home);

        var (features, c) = Fit(data, f => f.OneHot(o => { o.MaximumCategoryCount = 2; o.Unknown = UnknownCategoryEncoding.Other; }, "home"));

        Assert.Equal(["home=a", "home=b", "home=(other)", "home=(missing)"], features.Features.Select(f => f.Name));
        Assert.Equal([0.0, 0, 0, 0, 0, 1, 0, 0], c["home=(other)"]);
        Assert.Equal([0.0, 0, 0, 0, 0, 0, 1, 0], c["home=(missing)"]);
        var scored = features.Transform(Table(Labels(2), new CategoricalColumn("home", ["zzz", "b"])));
        Assert.Equal([0.0, 0, 1, 0], Row(scored, 0)); // unknown -> other
        Assert.Equal([0.0, 1, 0, 0], Row(scored, 1));
    }

    [Fact]
    public void OneHot_RareGroupingByFrequency_UnknownAllZero()
    {
        var data = Table(Labels(10), new CategoricalColumn("t", ["x", "x", "x", "x", "x", "y", "y", "y", "y", "z"]));

        var (features, _) = Fit(data, f => f.OneHot(o => o.MinimumFrequency = 0.2, "t"));

        Assert.Equal(["t=x", "t=y", "t=(other)"], features.Features.Select(f => f.Name));
        Assert.Equal([0.0, 0, 0], Row(features.Transform(Table(Labels(1), new CategoricalColumn("t", ["new"]))), 0));
    }

    [Fact]
    public void Ordinal_AndFrequency_Encodings()
    {
        var data = Table(Labels(5), new CategoricalColumn("edu", ["high", "low", "mid", "low", null]), new CategoricalColumn("f", ["p", "q", "q", "q", null]));

        var (features, c) = Fit(data, f => f.Ordinal("edu", ["low", "mid", "high"]).FrequencyEncode("f"));

        Assert.Equal([2, 0, 1, 0, N], c["edu"]);
        Assert.Equal([0.2, 0.6, 0.6, 0.6, 0.2], c["f_FREQ"]);
        var unseen = features.Transform(Table(Labels(1), new CategoricalColumn("edu", ["phd"]), new CategoricalColumn("f", ["r"])));
        Assert.True(double.IsNaN(unseen[0, 0]));
        Assert.Equal(0, unseen[0, 1]);
    }

    [Fact]
    public void TargetEncode_FullDataTableIsSmoothedMean_UnknownGetsPrior()
    {
        // Category a: 3 rows, 2 defaults; b: 2 rows, 0 defaults; prior 2/5. m = 1.
        var data = Table([1, 1, 0, 0, 0], new CategoricalColumn("c", ["a", "a", "a", "b", "b"]));

        var (features, _) = Fit(data, f => f.TargetEncode(smoothing: 1, folds: 2, "c"));

        var scored = features.Transform(Table([0, 0, 0], new CategoricalColumn("c", ["a", "b", "new"])));
        Assert.Equal((2 + 0.4) / 4, scored[0, 0], 14);
        Assert.Equal((0 + 0.4) / 3, scored[1, 0], 14);
        Assert.Equal(0.4, scored[2, 0], 14);
    }

    [Fact]
    public void TargetEncode_OutOfFold_DoesNotLeakARandomTarget()
    {
        // 2,000 categories over 6,000 rows and a target independent of them: an in-sample encoding would
        // separate the training rows almost perfectly; the out-of-fold one must not.
        var random = new Random(5);
        var n = 6000;
        var labels = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.3 ? 1 : 0).ToArray();
        var category = new CategoricalColumn("c", Enumerable.Range(0, n).Select(_ => "k" + random.Next(2000)).ToArray());
        var data = Table(labels, category);

        var (features, c) = Fit(data, f => f.TargetEncode(smoothing: 1, folds: 5, "c"));

        var oofAuc = ClassificationMetrics.Auc(c["c_TE"], labels);
        var inSampleAuc = ClassificationMetrics.Auc(features.Transform(data).Column(0), labels);
        Assert.InRange(oofAuc, 0.46, 0.54);
        Assert.True(inSampleAuc > 0.75, $"the in-sample encoding should leak (AUC {inSampleAuc}), which is what out-of-fold avoids");
    }

    [Fact]
    public void Derived_RatioDifferenceProductAge()
    {
        var data = Table(Labels(3), new NumericColumn("credit", [100, 50, 10]), new NumericColumn("income", [50, 0, N]), new NumericColumn("days", [-3652.5, -7305, N]));

        var (_, c) = Fit(data, f => f.Ratio("credit", "income", "CI").Difference("credit", "income", "D").Product("credit", "income", "P").AgeInYears("days", "AGE"));

        Assert.Equal([2, N, N], c["CI"]);
        Assert.Equal([50, 50, N], c["D"]);
        Assert.Equal([5000, 0, N], c["P"]);
        Assert.Equal([10, 20, N], c["AGE"]);
    }

    [Fact]
    public void Custom_RegisteredByName_SavedAndReloaded_UnregisteredIsAClearError()
    {
        CustomFeatures.Register("test_max_of_two", inputs => Math.Max(inputs[0], inputs[1]));
        var data = SyntheticCredit.Generate(400);
        var model = new CreditScoringContext().CreatePipeline()
            .Features(f => f.Custom("test_max_of_two", ["income", "age"], "MAX_IA"))
            .Train(t => t.LogisticRegression()).Build().Fit(data);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = CreditModel.Load(stream);

        Assert.Contains("MAX_IA", loaded.Features.Features.Select(f => f.Name));
        Assert.Equal(Scores(model, data), Scores(loaded, data));
        var e = Assert.Throws<ConfigurationException>(() => new CreditScoringContext().CreatePipeline().Features(f => f.Custom("not_registered_anywhere", ["income"], "X")));
        Assert.Contains("'not_registered_anywhere' is not registered", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NameCollisionsAndMissingColumns_FailAtFitWithTheirNames()
    {
        var data = SyntheticCredit.Generate(200);
        CreditPipelineBuilderFail(data, f => f.Ratio("income", "age", "utilization"), "would create column 'utilization', but a column of that name already exists");
        CreditPipelineBuilderFail(data, f => f.Ratio("income", "salary", "R"), "refers to column 'salary', which is neither a model input nor made by an earlier step");
        CreditPipelineBuilderFail(data, f => f.Ratio("income", "region", "R"), "needs a numeric column, but 'region' is categorical");
        CreditPipelineBuilderFail(data, f => f.OneHot("income"), "applies to categorical columns, but 'income' is continuous");
    }

    [Fact]
    public void Selection_VarianceCorrelationInformationValue()
    {
        var random = new Random(3);
        var n = 2000;
        var signal = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var labels = signal.Select(s => random.NextDouble() < 0.05 + (0.4 * s) ? 1 : 0).ToArray();
        var data = Table(
            labels,
            new NumericColumn("signal", signal),
            new NumericColumn("copy", signal.Select(s => (2 * s) + 1).ToArray()),
            new NumericColumn("constant", Enumerable.Repeat(3.0, n).ToArray()),
            new NumericColumn("noise", Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray()));

        Assert.Equal(["signal", "noise"], Fit(data, f => f.SelectByVariance().SelectByCorrelation(0.95)).Features.Features.Select(f => f.Name));
        Assert.Equal(["signal", "copy"], Fit(data, f => f.SelectByInformationValue(0.05)).Features.Features.Select(f => f.Name));
    }

    [Fact]
    public void Aggregate_CountsStatisticsSharesAndFilter_HandComputed()
    {
        var applications = CreditData.FromColumns(
            [new NumericColumn("id", [1, 2, 3]), new NumericColumn("income", [10, 20, 30]), new NumericColumn("y", [0, 1, 0])],
            o => o.Target("y").Id("id"));
        var bureau = CreditData.FromColumns([
            new NumericColumn("id", [1, 1, 1, 2, 9]),
            new NumericColumn("amount", [100, 300, N, 50, 7]),
            new CategoricalColumn("status", ["Active", "Closed", "Active", "Closed", "Active"])]);
        var data = applications.WithRelated("bureau", bureau);

        var (features, c) = Fit(data, f => f
            .Aggregate("bureau", "id", "B", a => a.Numeric(["amount"], AggregateFunctions.All).Categorical("status"))
            .Aggregate("bureau", "id", "BA", a => a.Numeric(["amount"], AggregateFunctions.Sum).Where("status", "Active")));

        Assert.Equal([3, 1, 0], c["B_COUNT"]);
        Assert.Equal([100, 50, N], c["B_amount_MIN"]);
        Assert.Equal([300, 50, N], c["B_amount_MAX"]);
        Assert.Equal([200, 50, N], c["B_amount_MEAN"]);
        Assert.Equal([400, 50, N], c["B_amount_SUM"]);
        Assert.Equal(Math.Sqrt(20000), c["B_amount_STD"][0], 12);
        Assert.True(double.IsNaN(c["B_amount_STD"][1]));
        Assert.Equal([2, 0, 0], c["B_status_Active_COUNT"]);
        Assert.Equal([2 / 3.0, 0, N], c["B_status_Active_SHARE"]);
        Assert.Equal([1 / 3.0, 1, N], c["B_status_Closed_SHARE"]);
        Assert.Equal([2, 0, 0], c["BA_COUNT"]);
        Assert.Equal([100, N, N], c["BA_amount_SUM"]);
        Assert.Equal(["bureau"], features.RelatedTables);
    }

    [Fact]
    public void Aggregate_ScoringRowWithRelatedRows_EqualsBatch_AndMissingTablesAreClearErrors()
    {
        var (data, bureau) = WithBureau(600, seed: 11);
        var model = new CreditScoringContext().CreatePipeline()
            .Features(f => f.Aggregate("bureau", "id", "B", a => a.Numeric(["amount"]).Categorical("status")).Ratio("B_amount_SUM", "income", "DEBT_INCOME"))
            .Train(t => t.LogisticRegression()).Build().Fit(data);
        var scorer = model.CreateScorer();
        var batch = new double[data.RowCount];
        scorer.PredictProbabilities(data, batch);
        var row = scorer.CreateRow();
        for (var i = 0; i < 50; i++)
        {
            row.Clear();
            SetInputs(row, data, i);
            var id = ((NumericColumn)data["id"])[i];
            var related = Enumerable.Range(0, bureau.RowCount).Where(r => ((NumericColumn)bureau["id"])[r] == id)
                .Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["amount"] = ((NumericColumn)bureau["amount"])[r], ["status"] = ((CategoricalColumn)bureau["status"])[r] })
                .ToArray();
            row.SetRelated("bureau", related);
            Assert.Equal(batch[i], scorer.Score(row).Probability);
        }

        row.Clear();
        SetInputs(row, data, 0);
        Assert.Contains("related table 'bureau' were not given", Assert.Throws<ScoringInputException>(() => scorer.Score(row)).Message, StringComparison.Ordinal);
        var without = CreditData.FromColumns(data.Columns, o => o.Target("y").Id("id"));
        Assert.Contains("Attach it with data.WithRelated(\"bureau\", table)", Assert.Throws<ScoringInputException>(() => scorer.PredictProbabilities(without, batch)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryStep_SavedAndLoaded_SingleRowEqualsBulk()
    {
        var (data, _) = WithBureau(800, seed: 4);
        var model = new CreditScoringContext().CreatePipeline()
            .Features(f => f
                .Aggregate("bureau", "id", "B", a => a.Numeric(["amount"], AggregateFunctions.All).Categorical("status").Where("status", "Active", "Closed"))
                .Sentinel("age", 999).Special("income", -1)
                .Ratio("income", "age", "IA").Product("income", "age", "IxA").Difference("income", "age", "I_A").AgeInYears("days", "YEARS")
                .ImputeWithIndicator(ImputeStrategy.Median, "income").Impute(ImputeStrategy.Mean, "B_amount_MEAN")
                .Winsorize(0.01, 0.99, "IA").Log1P("IxA").SignedLog("I_A").YeoJohnson("income").Scale(ScalingMethod.Robust, "age").Clip(-5, 5, "age")
                .TargetEncode(10, 5, "region").FrequencyEncode("grade").OneHot(o => o.MaximumCategoryCount = 2, "segment").Ordinal("level", ["low", "mid", "high"])
                .WoE(null, "B_amount_MAX").SelectByVariance())
            .Train(t => t.LogisticRegression()).Build().Fit(data);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = CreditModel.Load(stream);

        Assert.Equal(model.Features.Steps, loaded.Features.Steps);
        Assert.Equal(model.Features.Features, loaded.Features.Features);
        var bulk = Scores(loaded, data);
        Assert.Equal(Scores(model, data), bulk);
        var scorer = loaded.CreateScorer();
        var aggregated = data.Related["bureau"];
        for (var i = 0; i < 40; i++)
        {
            var applicant = data.Schema.Columns.Where(c => c.Role == ColumnRole.Feature).ToDictionary(
                c => c.Name,
                c => data[c.Name] switch
                {
                    NumericColumn n => double.IsNaN(n[i]) ? null : (object?)n[i],
                    var other => other.FormatValue(i),
                });
            var id = ((NumericColumn)data["id"])[i];
            applicant["bureau"] = Enumerable.Range(0, aggregated.RowCount).Where(r => ((NumericColumn)aggregated["id"])[r] == id)
                .Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["amount"] = ((NumericColumn)aggregated["amount"])[r], ["status"] = ((CategoricalColumn)aggregated["status"])[r] })
                .ToList();
            Assert.Equal(bulk[i], scorer.Score(applicant).Probability);
        }
    }

    [Fact]
    public void Json_DescribesAPipeline_AndRejectsTyposWithTheirPlace()
    {
        var data = SyntheticCredit.Generate(300);
        const string json = """
            { "steps": [
                { "ratio": ["income", "age"], "name": "IA" },
                { "impute": "median", "columns": ["income"], "indicator": true },
                { "oneHot": "region", "maxCategories": 2 },
                { "winsorize": [0.01, 0.99], "columns": ["IA"] }
            ] }
            """;
        var (features, _) = Fit(data, f => FeaturePipelineJson.Apply(f, json));

        Assert.Contains("IA", features.Features.Select(f => f.Name));
        Assert.Contains("income_MISSING", features.Features.Select(f => f.Name));
        Assert.Contains("region: one-hot, 4 indicator(s), missing has its own, unknown -> all 0", features.Steps);
        var region = (CategoricalColumn)data["region"];
        var top2 = Enumerable.Range(0, data.RowCount).Select(i => region[i]).OfType<string>().GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(2).Select(g => "region=" + g.Key).Order(StringComparer.Ordinal);
        Assert.Equal([.. top2, "region=(other)", "region=(missing)"], features.Features.Where(f => f.Name.StartsWith("region", StringComparison.Ordinal)).Select(f => f.Name));
        var builder = new CreditScoringContext().CreatePipeline();
        var typo = Assert.Throws<ConfigurationException>(() => builder.Features(f => FeaturePipelineJson.Apply(f, """{"steps": [{"ratio": ["a", "b"], "nmae": "x"}]}""", "p.json")));
        Assert.Equal("p.json: step 0 ('ratio'): 'name' is required.", typo.Message);
        var unknown = Assert.Throws<ConfigurationException>(() => builder.Features(f => FeaturePipelineJson.Apply(f, """{"steps": [{"ratio": ["a", "b"], "name": "x", "scale": 2}]}""", "p.json")));
        Assert.Contains("step 0 must have exactly one operation key", unknown.Message, StringComparison.Ordinal);
        var enumError = Assert.Throws<ConfigurationException>(() => builder.Features(f => FeaturePipelineJson.Apply(f, """{"steps": [{"scale": "zscore"}]}""", "p.json")));
        Assert.Equal("p.json: step 0 ('scale'): 'scale' is 'zscore'; expected one of standard, minMax, robust.", enumError.Message);
    }

    private static void CreditPipelineBuilderFail(CreditData data, Action<FeaturePipelineBuilder> steps, string expected)
    {
        var pipeline = new CreditScoringContext().CreatePipeline().Features(steps).Train(t => t.LogisticRegression()).Build();
        var e = Assert.Throws<ConfigurationException>(() => pipeline.Fit(data));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static void SetInputs(ScoringRow row, CreditData data, int i)
    {
        foreach (var input in row.Schema.Columns)
        {
            if (data[input.Name] is NumericColumn n)
            {
                row.Set(input.Name, n[i]);
            }
            else
            {
                row.Set(input.Name, ((CategoricalColumn)data[input.Name])[i]);
            }
        }
    }

    private static double[] Row(FeatureMatrix m, int row)
    {
        var values = new double[m.ColumnCount];
        m.CopyRow(row, values);
        return values;
    }

    private static double[] Scores(CreditModel model, CreditData data)
    {
        var p = new double[data.RowCount];
        model.CreateScorer().PredictProbabilities(data, p);
        return p;
    }

    /// <summary>Applicants with income, age, days, categorical region/grade/segment/level, and a bureau side table (0–4 rows each).</summary>
    internal static (CreditData Data, CreditData Bureau) WithBureau(int n, int seed)
    {
        var random = new Random(seed);
        var income = new double[n];
        var age = new double[n];
        var days = new double[n];
        var y = new double[n];
        var region = new string?[n];
        var grade = new string?[n];
        var segment = new string?[n];
        var level = new string?[n];
        var ids = new List<double>();
        var amounts = new List<double>();
        var statuses = new List<string?>();
        for (var i = 0; i < n; i++)
        {
            income[i] = random.NextDouble() < 0.1 ? double.NaN : random.NextDouble() < 0.05 ? -1 : Math.Round(1000 + (5000 * random.NextDouble()));
            age[i] = random.NextDouble() < 0.03 ? 999 : 20 + random.Next(50);
            days[i] = -365.25 * age[i];
            region[i] = "r" + random.Next(6);
            grade[i] = random.NextDouble() < 0.05 ? null : "g" + random.Next(4);
            segment[i] = "s" + random.Next(5);
            level[i] = new[] { "low", "mid", "high" }[random.Next(3)];
            var loans = random.Next(5);
            var debt = 0.0;
            for (var k = 0; k < loans; k++)
            {
                ids.Add(i + 1);
                var amount = random.NextDouble() < 0.1 ? double.NaN : Math.Round(100 + (3000 * random.NextDouble()));
                amounts.Add(amount);
                statuses.Add(random.NextDouble() < 0.5 ? "Active" : random.NextDouble() < 0.8 ? "Closed" : null);
                debt += double.IsNaN(amount) ? 0 : amount;
            }

            var risk = -2.5 + (debt / 4000) - (double.IsNaN(income[i]) ? 0 : income[i] / 6000) + (region[i] == "r1" ? 0.8 : 0);
            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-risk)) ? 1 : 0;
        }

        var data = CreditData.FromColumns(
            [new NumericColumn("id", Enumerable.Range(1, n).Select(i => (double)i).ToArray()), new NumericColumn("income", income), new NumericColumn("age", age), new NumericColumn("days", days),
             new CategoricalColumn("region", region), new CategoricalColumn("grade", grade), new CategoricalColumn("segment", segment), new CategoricalColumn("level", level), new NumericColumn("y", y)],
            o => o.Target("y").Id("id"));
        var bureau = CreditData.FromColumns([new NumericColumn("id", [.. ids]), new NumericColumn("amount", [.. amounts]), new CategoricalColumn("status", [.. statuses])]);
        return (data.WithRelated("bureau", bureau), bureau);
    }
}
