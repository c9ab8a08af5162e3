using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Learners.Scorecards;

/// <summary>
/// Saves and loads <see cref="ScorecardPredictor"/> in the model file (kind <c>scorecard</c>): the logistic fit on WoE
/// values, the points scaling, and one binning per feature in the shape of a WoE feature step (type, numbers, texts).
/// </summary>
internal sealed class ScorecardSerializer() : PredictorSerializer<ScorecardPredictor, ScorecardSerializer.FieldsDto>(ScorecardJsonContext.WithModelFileOptions.FieldsDto)
{
    public override string Kind => ScorecardPredictor.KindName;

    protected override FieldsDto Fields(ScorecardPredictor p) => new()
    {
        Intercept = p.Intercept,
        Coefficients = [.. p.Coefficients],
        PointsToDoubleOdds = p.Scaling.PointsToDoubleOdds,
        BaseScore = p.Scaling.BaseScore,
        BaseOdds = p.Scaling.BaseOdds,
        Binnings = p.Binnings.Select(Binning).ToArray(),
    };

    protected override ScorecardPredictor Predictor(FieldsDto p, IReadOnlyList<FeatureInfo> features) => new(
        [.. features],
        p.Binnings.Select((b, k) => b is null ? null : WoeBinning.Load(StepState.Of(b.Numbers, b.Texts), features[k].Name)).ToArray(),
        p.Intercept,
        p.Coefficients,
        new ScorecardScaling(p.PointsToDoubleOdds, p.BaseScore, p.BaseOdds));

    private static BinningDto? Binning(WoeBinning? binning)
    {
        if (binning is null)
        {
            return null;
        }

        var state = new StepState();
        binning.Save(state);
        return new BinningDto { Type = WoeStep.TypeName, Sources = [], Outputs = [], Numbers = state.Numbers, Texts = state.Texts };
    }

    // Field names are part of the model file format: rename nothing without bumping its format version.
    internal sealed class FieldsDto
    {
        public required double Intercept { get; init; }

        public required double[] Coefficients { get; init; }

        public required double PointsToDoubleOdds { get; init; }

        public required double BaseScore { get; init; }

        public required double BaseOdds { get; init; }

        /// <summary>One binning per feature; null for a feature the scorecard does not use.</summary>
        public required BinningDto?[] Binnings { get; init; }
    }

    /// <summary>A binning in the shape of a feature step of the model file (its sources and outputs are empty).</summary>
    internal sealed class BinningDto
    {
        public required string Type { get; init; }

        public required int[] Sources { get; init; }

        public required JsonArray Outputs { get; init; }

        public required Dictionary<string, double[]> Numbers { get; init; }

        public required Dictionary<string, string[]> Texts { get; init; }
    }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ScorecardSerializer.FieldsDto))]
internal sealed partial class ScorecardJsonContext : JsonSerializerContext
{
    /// <summary>The context with the model file's options.</summary>
    public static ScorecardJsonContext WithModelFileOptions { get; } = new(ModelFileJson.CreateOptions());
}
