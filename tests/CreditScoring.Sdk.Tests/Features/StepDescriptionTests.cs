using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.Features;

/// <summary>
/// A feature step is one description whichever way it is declared: the fluent methods write the pipeline file's step
/// objects and one interpreter reads both, so a pipeline written out with ToJson and read back is the same pipeline.
/// </summary>
public class StepDescriptionTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Pipelines => ["numeric", "categorical", "selection"];

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void ABuiltPipeline_WrittenAsAFile_AndReadBack_FitsTheSameModel_ByteForByte(string name)
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        FeaturePipelineBuilder? built = null;
        var fromCode = Fit(data, f =>
        {
            Declare(name, f);
            built = f;
        });
        var file = built!.ToJson();
        FeaturePipelineBuilder? read = null;
        var fromFile = Fit(data, f =>
        {
            FeaturePipelineJson.Apply(f, file, "written.json");
            read = f;
        });

        Assert.Equal(built.Declared, read!.Declared);
        Assert.Equal(file, read.ToJson());
        Assert.Equal(Bytes(fromCode), Bytes(fromFile));
    }

    [Fact]
    public void EveryMethodWritesItsStep_AsThePipelineFileSpellsIt()
    {
        FeaturePipelineBuilder? f = null;
        _ = new CreditScoringContext().CreatePipeline().Features(b =>
        {
            Declare("numeric", b);
            f = b;
        });

        Assert.Equal(
            [
                """{"sentinel":"Expenses","values":[9999]}""",
                """{"special":"Seniority","values":[99]}""",
                """{"ratio":["Amount","Price"],"name":"LOAN_TO_PRICE"}""",
                """{"difference":["Income","Expenses"],"name":"SPARE"}""",
                """{"product":["Amount","Time"],"name":"AMOUNT_TIME"}""",
                """{"impute":"median","indicator":true,"columns":["Income"]}""",
                """{"impute":0,"columns":["Assets"]}""",
                """{"clip":["-Infinity",50000],"columns":["Assets"]}""",
                """{"winsorize":[0.01,0.99],"columns":["Debt"]}""",
                """{"signedLog":["Debt"]}""",
                """{"log1p":["Assets"]}""",
                """{"yeoJohnson":["SPARE"]}""",
                """{"scale":"robust","columns":["Seniority","Age"]}""",
                """{"drop":["Time"]}""",
            ],
            f!.Declared);
        Assert.Equal(["sentinel", "special", "ratio", "difference", "product", "impute", "impute", "clip", "winsorize", "signedLog", "log1p", "yeoJohnson", "scale", "drop"], f.Steps.Select(s => s.Operation));
    }

    [Fact]
    public void ABadArgument_IsRefusedWhenDeclared_NamingTheStep()
    {
        static void Build(Action<FeaturePipelineBuilder> steps) => new CreditScoringContext().CreatePipeline().Features(steps);

        var clip = Assert.Throws<ConfigurationException>(() => Build(f => f.Ratio("Amount", "Price", "R").Clip(2, 1, "Assets")));
        var correlation = Assert.Throws<ConfigurationException>(() => Build(f => f.SelectByCorrelation(1.5)));
        var sentinel = Assert.Throws<ConfigurationException>(() => Build(f => f.Sentinel("Income")));

        Assert.Equal("step 1 ('clip'): 'clip' needs lower <= upper (got 2 and 1).", clip.Message);
        Assert.Equal("step 0 ('selectByCorrelation'): 'selectByCorrelation' is a correlation cap in (0, 1] (got 1.5).", correlation.Message);
        Assert.Equal("step 0 ('sentinel'): 'values' must give at least one value, every one a finite number.", sentinel.Message);
    }

    private static void Declare(string name, FeaturePipelineBuilder f)
    {
        switch (name)
        {
            case "numeric":
                f.Sentinel("Expenses", 9999).Special("Seniority", 99)
                    .Ratio("Amount", "Price", "LOAN_TO_PRICE").Difference("Income", "Expenses", "SPARE").Product("Amount", "Time", "AMOUNT_TIME")
                    .ImputeWithIndicator(ImputeStrategy.Median, "Income").Impute(0.0, "Assets")
                    .Clip(double.NegativeInfinity, 50_000, "Assets").Winsorize(0.01, 0.99, "Debt")
                    .SignedLog("Debt").Log1P("Assets").YeoJohnson("SPARE")
                    .Scale(ScalingMethod.Robust, "Seniority", "Age").Drop("Time");
                break;
            case "categorical":
                f.OneHot(o => { o.MinimumFrequency = 0.05; o.Unknown = UnknownCategoryEncoding.Other; o.OtherLabel = "rare"; }, "Home")
                    .Ordinal("Job", ["fixed", "freelance", "partime", "others"])
                    .FrequencyEncode("Marital").TargetEncode(5, 3, "Records");
                break;
            default:
                f.WoE(o => { o.MaximumBinCount = 5; o.Trend = MonotonicTrend.Auto; o.SpecialValues = [0]; }, "Assets", "Debt")
                    .SelectByVariance(0).SelectByCorrelation(0.9).SelectByInformationValue(0.01, o => o.MinimumBinShare = 0.05);
                break;
        }
    }

    private static CreditModel Fit(CreditData data, Action<FeaturePipelineBuilder> features) =>
        new CreditScoringContext(seed: 5, timeProvider: new ManualTimeProvider(When)).CreatePipeline().Features(features).Train(t => t.LogisticRegression()).Build().Fit(data);

    private static byte[] Bytes(CreditModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }
}
