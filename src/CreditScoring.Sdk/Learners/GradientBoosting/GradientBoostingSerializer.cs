using System.Text.Json.Serialization;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>Saves and loads <see cref="GradientBoostingPredictor"/> in the model file (kind <c>gradient-boosting</c>): the trees node by node.</summary>
internal sealed class GradientBoostingSerializer() : PredictorSerializer<GradientBoostingPredictor, GradientBoostingSerializer.FieldsDto>(GradientBoostingJsonContext.WithModelFileOptions.FieldsDto)
{
    public override string Kind => GradientBoostingPredictor.KindName;

    protected override FieldsDto Fields(GradientBoostingPredictor p) => new()
    {
        BaseMargin = p.BaseMargin,
        Trees = p.Trees.Select(t => new TreeDto
        {
            SplitFeature = [.. t.SplitFeature],
            Threshold = [.. t.Threshold],
            DefaultLeft = [.. t.DefaultLeft],
            LeftChild = [.. t.LeftChild],
            RightChild = [.. t.RightChild],
            CategorySet = [.. t.CategorySet],
            SplitGain = [.. t.SplitGain],
            NodeCover = [.. t.NodeCover],
            LeafValue = [.. t.LeafValue],
            LeafCover = [.. t.LeafCover],
        }).ToArray(),
        Summary = p.TrainingSummary is { } s ? new SummaryDto
        {
            IterationsRun = s.IterationsRun,
            BestIteration = s.BestIteration,
            EarlyStoppingMetric = s.EarlyStoppingMetric?.ToString(),
            BestValidationScore = s.BestValidationScore,
        } : null,
    };

    protected override GradientBoostingPredictor Predictor(FieldsDto p, IReadOnlyList<FeatureInfo> features) => new(
        features,
        p.BaseMargin,
        p.Trees.Select(Tree).ToArray(),
        p.Summary is { } s ? new GradientBoostingTrainingSummary(
            s.IterationsRun,
            s.BestIteration,
            s.EarlyStoppingMetric is null ? null : Enum.Parse<EarlyStoppingMetric>(s.EarlyStoppingMetric),
            s.BestValidationScore) : null);

    private static RegressionTree Tree(TreeDto t, int index)
    {
        try
        {
            return new RegressionTree(t.SplitFeature, t.Threshold, t.DefaultLeft, t.LeftChild, t.RightChild, t.CategorySet, t.SplitGain, t.NodeCover, t.LeafValue, t.LeafCover);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"tree {index}: {e.Message}", e);
        }
    }

    // Field names are part of the model file format: rename nothing without bumping its format version.
    internal sealed class FieldsDto
    {
        public required double BaseMargin { get; init; }

        public required TreeDto[] Trees { get; init; }

        public SummaryDto? Summary { get; init; }
    }

    internal sealed class TreeDto
    {
        public required int[] SplitFeature { get; init; }

        public required double[] Threshold { get; init; }

        public required bool[] DefaultLeft { get; init; }

        public required int[] LeftChild { get; init; }

        public required int[] RightChild { get; init; }

        public required int[]?[] CategorySet { get; init; }

        public required double[] SplitGain { get; init; }

        public required double[] NodeCover { get; init; }

        public required double[] LeafValue { get; init; }

        public required double[] LeafCover { get; init; }
    }

    internal sealed class SummaryDto
    {
        public required int IterationsRun { get; init; }

        public required int BestIteration { get; init; }

        public string? EarlyStoppingMetric { get; init; }

        public required double BestValidationScore { get; init; }
    }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(GradientBoostingSerializer.FieldsDto))]
internal sealed partial class GradientBoostingJsonContext : JsonSerializerContext
{
    /// <summary>The context with the model file's options.</summary>
    public static GradientBoostingJsonContext WithModelFileOptions { get; } = new(ModelFileJson.CreateOptions());
}
