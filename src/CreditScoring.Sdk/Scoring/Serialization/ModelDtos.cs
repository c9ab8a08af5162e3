using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Scoring.Serialization;

// Versioned data-transfer objects of the model file's payload (format version 6; version 2 files lack
// calibration and the decision's costs and choices, version 3 files the population profile, version 5 files the explanation
// background: all optional). Field names are
// part of the file format: rename nothing without bumping ModelFile.FormatVersion.

internal sealed class ModelPayloadDto
{
    public required MetadataDto Metadata { get; init; }

    public required InputColumnDto[] Inputs { get; init; }

    public required AggregationDto[] Aggregations { get; init; }

    public required FeatureStepDto[] Steps { get; init; }

    public required int[] Selection { get; init; }

    /// <summary>The predictor: <c>kind</c>, the fields of the kind's <c>PredictorSerializer</c>, <c>features</c>.</summary>
    public required JsonObject Predictor { get; init; }

    public required DecisionDto Decision { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CalibratorDto? Calibration { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProfileDto? Profile { get; init; }

    /// <summary>Format 6: the features' training means and background sample, for explanations.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BackgroundDto? Background { get; init; }

    /// <summary>Format 6: the lender's reason codes, when the model carries them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ReasonCodesDto? ReasonCodes { get; init; }
}

internal sealed class ReasonCodesDto
{
    public required ReasonCodeEntryDto[] Reasons { get; init; }

    public required string[] Exclude { get; init; }
}

internal sealed class ReasonCodeEntryDto
{
    public required string Input { get; init; }

    public required string Code { get; init; }

    public required string Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TextWhenHigh { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TextWhenLow { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TextWhenMissing { get; init; }
}

internal sealed class BackgroundDto
{
    public required int Rows { get; init; }

    public required double[] Means { get; init; }

    public required double[][] Sample { get; init; }
}

internal sealed class ProfileDto
{
    public required int Rows { get; init; }

    public required ProfiledColumnDto[] Columns { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProfiledColumnDto? Scores { get; init; }

    /// <summary>Format 6: the inputs profiled within each score decile.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ScoreBandDto[]? Bands { get; init; }
}

internal sealed class ScoreBandDto
{
    public required double Low { get; init; }

    public required double High { get; init; }

    public required int Rows { get; init; }

    public required ProfiledColumnDto[] Columns { get; init; }
}

internal sealed class ProfiledColumnDto
{
    public required string Name { get; init; }

    public required string Kind { get; init; }

    public required int Rows { get; init; }

    public required int Missing { get; init; }

    public required double Mean { get; init; }

    public required double Std { get; init; }

    public required double[] Quantiles { get; init; }

    public required double[] DecileEdges { get; init; }

    public required int[] DecileCounts { get; init; }

    public required string[] Categories { get; init; }

    public required int[] CategoryCounts { get; init; }
}

internal sealed class CalibratorDto
{
    public required string Kind { get; init; }

    public required double[] Numbers { get; init; }
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

    /// <summary>Format 5: the training diagnostics (absent in older files).</summary>
    public DiagnosticDto[]? Diagnostics { get; init; }
}

internal sealed class DiagnosticDto
{
    public required string Code { get; init; }

    public required string Message { get; init; }
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

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? Categories { get; init; }
}

internal sealed class FeatureStepDto
{
    public required string Type { get; init; }

    public required int[] Sources { get; init; }

    public required FeatureInfoDto[] Outputs { get; init; }

    public required Dictionary<string, double[]> Numbers { get; init; }

    public required Dictionary<string, string[]> Texts { get; init; }
}

internal sealed class AggregationDto
{
    public required string Table { get; init; }

    public required string Key { get; init; }

    public required string Prefix { get; init; }

    public required AggregatedNumericDto[] Numeric { get; init; }

    public required AggregatedCategoricalDto[] Categorical { get; init; }

    public string? FilterColumn { get; init; }

    public required string[] FilterValues { get; init; }
}

internal sealed class AggregatedNumericDto
{
    public required string Column { get; init; }

    public required string Functions { get; init; }
}

internal sealed class AggregatedCategoricalDto
{
    public required string Column { get; init; }

    public required string[] Categories { get; init; }
}

internal sealed class DecisionDto
{
    public required double Threshold { get; init; }

    public required string Method { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CostMatrixDto? Costs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ThresholdChoiceDto? Choice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ThresholdChoiceDto[]? Alternatives { get; init; }
}

internal sealed class CostTermDto
{
    public string? Column { get; init; }

    public required double Factor { get; init; }

    public required double Constant { get; init; }
}

internal sealed class CostMatrixDto
{
    public required CostTermDto FalseNegative { get; init; }

    public required CostTermDto FalsePositive { get; init; }

    public required CostTermDto TruePositive { get; init; }

    public required CostTermDto TrueNegative { get; init; }
}

internal sealed class ThresholdChoiceDto
{
    public required string Objective { get; init; }

    public required double Limit { get; init; }

    public required double Threshold { get; init; }

    public required double NextLowerScore { get; init; }

    public required double Cost { get; init; }

    public required double CostPerApplicant { get; init; }

    public required double ApprovalRate { get; init; }

    public required double BadRate { get; init; }

    public required double F1 { get; init; }

    public required double Youden { get; init; }

    public required double BusinessScore { get; init; }

    public required double[] Confusion { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double[]? Interval { get; init; }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ModelPayloadDto))]
[JsonSerializable(typeof(FeatureInfoDto[]))]
internal sealed partial class ModelJsonContext : JsonSerializerContext
{
    /// <summary>The context with the model file's options.</summary>
    public static ModelJsonContext WithModelFileOptions { get; } = new(ModelFileJson.CreateOptions());
}
