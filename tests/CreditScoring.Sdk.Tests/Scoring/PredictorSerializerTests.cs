using System.Text.Json.Serialization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.Scoring;

/// <summary>
/// A learner from another assembly (this test assembly) trains in a pipeline, and its models save and load through the
/// model file once its predictor serializer is registered: no switch in the SDK names it.
/// </summary>
public class PredictorSerializerTests
{
    [Fact]
    public void ALearnerFromAnotherAssembly_SavesAndLoads_OnceItsSerializerIsRegistered()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var model = Fit(data, "test-mean-difference");
        var path = Path.Combine(TestPaths.NewTempDirectory(), "model.json");

        // Not registered yet: saving says what is missing instead of writing a file the SDK could not read back.
        var unregistered = Assert.Throws<ModelFormatException>(() => model.Save(path));
        Assert.Contains("predictor is of kind 'test-mean-difference' (CreditScoring.Sdk.Tests.Scoring.MeanDifferencePredictor)", unregistered.Message, StringComparison.Ordinal);
        Assert.Contains("Register one with PredictorSerializers.Register", unregistered.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));

        PredictorSerializers.Register(new MeanDifferenceSerializer("test-mean-difference"));
        model.Save(path);
        var loaded = CreditModel.Load(path);

        var predictor = Assert.IsType<MeanDifferencePredictor>(loaded.Predictor);
        Assert.Equal(((MeanDifferencePredictor)model.Predictor).Weights, predictor.Weights);
        Assert.Equal(model.Predictor.Features, predictor.Features);
        Assert.Equal(Probabilities(model, data), Probabilities(loaded, data));
        Assert.Contains("test-mean-difference", PredictorSerializers.Kinds);
    }

    [Fact]
    public void AFileOfAnUnregisteredKind_IsRefusedNamingTheKind()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        PredictorSerializers.Register(new MeanDifferenceSerializer("test-mean-difference-2"));
        var path = Path.Combine(TestPaths.NewTempDirectory(), "model.json");
        Fit(data, "test-mean-difference-2").Save(path);
        var payload = ModelFileForge.Payload(File.ReadAllBytes(path));
        payload["predictor"]!["kind"] = "from-an-assembly-not-loaded";
        File.WriteAllBytes(path, ModelFileForge.Write(payload, 5));

        var e = Assert.Throws<ModelFormatException>(() => CreditModel.Load(path));

        Assert.StartsWith($"{path}: the model's predictor is of kind 'from-an-assembly-not-loaded', which no serializer registered in this process reads (registered: gradient-boosting, logistic-regression, scorecard", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("register its serializer with PredictorSerializers.Register before loading.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASecondSerializerForAKind_IsAnError_TheSameOneAgainIsNot()
    {
        var e = Assert.Throws<ArgumentException>(() => PredictorSerializers.Register(new MeanDifferenceSerializer("gradient-boosting")));
        Assert.StartsWith("predictor kind 'gradient-boosting' is already registered by CreditScoring.Sdk.Learners.GradientBoosting.GradientBoostingSerializer", e.Message, StringComparison.Ordinal);

        var serializer = new MeanDifferenceSerializer("test-mean-difference-3");
        PredictorSerializers.Register(serializer);
        PredictorSerializers.Register(serializer);
        Assert.True(PredictorSerializers.TryGet("test-mean-difference-3", out var found));
        Assert.Same(serializer, found);
    }

    [Fact]
    public void ASerializerMayNotWriteTheFieldsTheModelFileOwns()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        PredictorSerializers.Register(new MeanDifferenceSerializer("test-mean-difference-4", writeKind: true));
        var model = Fit(data, "test-mean-difference-4");

        var e = Assert.Throws<InvalidOperationException>(() => model.Save(new MemoryStream()));

        Assert.Equal("the serializer of predictor kind 'test-mean-difference-4' wrote a field 'kind', which the model file writes itself.", e.Message);
    }

    private static double[] Probabilities(CreditModel model, CreditData data)
    {
        var probabilities = new double[data.RowCount];
        model.CreateScorer().PredictProbabilities(data, probabilities);
        return probabilities;
    }

    private static CreditModel Fit(CreditData data, string kind) =>
        new CreditScoringContext().CreatePipeline().Train(new MeanDifferenceLearner(kind)).Build().Fit(data);
}

/// <summary>margin = bias + Σ wⱼ (xⱼ − meanⱼ), with wⱼ the difference of the class means over the pooled variance: a toy learner.</summary>
internal sealed class MeanDifferenceLearner(string kind) : ICreditLearner
{
    public string Name => "mean-difference";

    public LearnerCapabilities Capabilities => LearnerCapabilities.None;

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>();

    public ICreditPredictor Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, LearnerContext context)
    {
        var positives = 0;
        foreach (var y in labels)
        {
            positives += y;
        }

        var means = new double[features.ColumnCount];
        var slopes = new double[features.ColumnCount];
        for (var j = 0; j < features.ColumnCount; j++)
        {
            var column = features.Column(j);
            double sum = 0, sum1 = 0, sumSquares = 0;
            for (var i = 0; i < column.Length; i++)
            {
                sum += column[i];
                sumSquares += column[i] * column[i];
                sum1 += labels[i] == 1 ? column[i] : 0;
            }

            means[j] = sum / column.Length;
            var variance = (sumSquares / column.Length) - (means[j] * means[j]);
            var difference = (sum1 / positives) - ((sum - sum1) / (column.Length - positives));
            slopes[j] = variance > 0 ? difference / variance : 0;
        }

        var bias = Math.Log((double)positives / (labels.Length - positives));
        return new MeanDifferencePredictor(kind, features.Features, bias, means, slopes);
    }
}

internal sealed class MeanDifferencePredictor(string kind, IReadOnlyList<FeatureInfo> features, double bias, double[] means, double[] slopes) : ICreditPredictor
{
    public string Kind => kind;

    public IReadOnlyList<FeatureInfo> Features => features;

    public double Bias => bias;

    public double[] Means => means;

    public double[] Weights => slopes;

    public double PredictMargin(ReadOnlySpan<double> row)
    {
        var margin = bias;
        for (var j = 0; j < slopes.Length; j++)
        {
            margin += slopes[j] * (row[j] - means[j]);
        }

        return margin;
    }

    public void PredictMargins(FeatureMatrix rows, Span<double> margins)
    {
        var row = new double[rows.ColumnCount];
        for (var i = 0; i < rows.RowCount; i++)
        {
            rows.CopyRow(i, row);
            margins[i] = PredictMargin(row);
        }
    }
}

internal sealed class MeanDifferenceSerializer(string kind, bool writeKind = false)
    : PredictorSerializer<MeanDifferencePredictor, MeanDifferenceFields>(MeanDifferenceJson.Default.MeanDifferenceFields)
{
    public override string Kind => kind;

    protected override MeanDifferenceFields Fields(MeanDifferencePredictor predictor) =>
        new() { Bias = predictor.Bias, Means = predictor.Means, Weights = predictor.Weights, Kind = writeKind ? kind : null };

    protected override MeanDifferencePredictor Predictor(MeanDifferenceFields fields, IReadOnlyList<FeatureInfo> features) =>
        new(kind, features, fields.Bias, fields.Means, fields.Weights);
}

internal sealed class MeanDifferenceFields
{
    public required double Bias { get; init; }

    public required double[] Means { get; init; }

    public required double[] Weights { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MeanDifferenceFields))]
internal sealed partial class MeanDifferenceJson : JsonSerializerContext;

/// <summary>A learner from another assembly is known by name too (the CLI's --learner, search files), once registered.</summary>
public class LearnerRegistryTests
{
    [Fact]
    public void ARegisteredLearner_IsCreatedByName_WithItsOptionsSetByName()
    {
        Sdk.Training.LearnerCatalog.Register<ToyOptions>("toy-mean-difference", o => new MeanDifferenceLearner(o.Kind));

        var learner = Sdk.Training.LearnerCatalog.Create("TOY-mean-difference", ["Kind=test-toy"]);
        var predictor = learner.Fit(new FeatureMatrix([new FeatureInfo("x", FeatureKind.Continuous)], [[1, 2, 3, 4]]), [0, 0, 1, 1], default, new LearnerContext(1));

        Assert.Equal("test-toy", predictor.Kind);
        Assert.Contains("toy-mean-difference", Sdk.Training.LearnerCatalog.Names);
        Assert.Equal(["logistic", "gbdt", "scorecard"], Sdk.Training.LearnerCatalog.Names.Take(3));
        var unknown = Assert.Throws<ConfigurationException>(() => Sdk.Training.LearnerCatalog.Create("toy-mean-difference", ["Strength=2"]));
        Assert.Equal("learner 'toy-mean-difference' has no option 'Strength'; its options are: Kind (text, default test-mean-difference).", unknown.Message);
    }

    [Fact]
    public void ANameTakenByAnotherLearner_IsRefused()
    {
        var e = Assert.Throws<ConfigurationException>(() => Sdk.Training.LearnerCatalog.Register<ToyOptions>("gbdt", o => new MeanDifferenceLearner(o.Kind)));

        Assert.Equal("the learner name 'gbdt' is already taken by a learner with options GradientBoostingOptions; register ToyOptions under another name.", e.Message);
    }
}

/// <summary>The toy learner's options.</summary>
public sealed class ToyOptions
{
    /// <summary>The predictor kind.</summary>
    public string Kind { get; set; } = "test-mean-difference";
}
