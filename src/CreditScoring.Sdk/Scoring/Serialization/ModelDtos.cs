using System.Text.Json.Serialization;

namespace CreditScoring.Sdk.Scoring.Serialization;

// Versioned data-transfer objects of the model file's payload (format version 1). Field names are
// part of the file format: rename nothing without bumping ModelFile.FormatVersion.

internal sealed class ModelPayloadDto
{
    public required MetadataDto Metadata { get; init; }

    public required InputColumnDto[] Inputs { get; init; }

    public required FeatureStepDto[] Steps { get; init; }

    public required int[] Selection { get; init; }

    public required PredictorDto Predictor { get; init; }

    public required DecisionDto Decision { get; init; }
}

internal sealed class MetadataDto
{
    public required string SdkVersion { get; init; }

    public required DateTimeOffset TrainedAt { get; init; }

    public required double TrainingSeconds { get; init; }

    public required int Seed { get; init; }

    public required string DataFingerprint { get; init; }

    public required int TrainingRows { get; init; }

    public required double TrainingDefaultRate { get; init; }

    public required string TargetColumn { get; init; }

    public string? IdColumn { get; init; }

    public required string Learner { get; init; }

    public required Dictionary<string, string> LearnerParameters { get; init; }
}

internal sealed class InputColumnDto
{
    public required string Name { get; init; }

    public required string Kind { get; init; }

    public required string[] Categories { get; init; }
}

internal sealed class FeatureInfoDto
{
    public required string Name { get; init; }

    public required string Kind { get; init; }

    public int CategoryCount { get; init; }
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(ImputeStepDto), "impute")]
[JsonDerivedType(typeof(PassThroughStepDto), "pass-through")]
[JsonDerivedType(typeof(OneHotStepDto), "one-hot")]
internal abstract class FeatureStepDto
{
    public required int Source { get; init; }
}

internal sealed class ImputeStepDto : FeatureStepDto
{
    public required double Fill { get; init; }

    public required string Method { get; init; }

    public required FeatureInfoDto Output { get; init; }
}

internal sealed class PassThroughStepDto : FeatureStepDto
{
    public required FeatureInfoDto Output { get; init; }
}

internal sealed class OneHotStepDto : FeatureStepDto
{
    public required int CategoryCount { get; init; }

    public required bool MissingIndicator { get; init; }

    public required FeatureInfoDto[] Outputs { get; init; }
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(LogisticPredictorDto), "logistic-regression")]
[JsonDerivedType(typeof(GradientBoostingPredictorDto), "gradient-boosting")]
internal abstract class PredictorDto
{
    public required FeatureInfoDto[] Features { get; init; }
}

internal sealed class LogisticPredictorDto : PredictorDto
{
    public required double[] Means { get; init; }

    public required double[] Scales { get; init; }

    public required double StandardizedIntercept { get; init; }

    public required double[] StandardizedCoefficients { get; init; }

    public LogisticSummaryDto? Summary { get; init; }
}

internal sealed class LogisticSummaryDto
{
    public required int Iterations { get; init; }

    public required double MaxGradient { get; init; }

    public required double Objective { get; init; }
}

internal sealed class GradientBoostingPredictorDto : PredictorDto
{
    public required double BaseMargin { get; init; }

    public required TreeDto[] Trees { get; init; }

    public GradientBoostingSummaryDto? Summary { get; init; }
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

internal sealed class GradientBoostingSummaryDto
{
    public required int IterationsRun { get; init; }

    public required int BestIteration { get; init; }

    public string? EarlyStoppingMetric { get; init; }

    public required double BestValidationScore { get; init; }
}

internal sealed class DecisionDto
{
    public required double Threshold { get; init; }

    public required string Method { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ModelPayloadDto))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
