using System.Text.Json.Serialization;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Learners.Linear;

/// <summary>Saves and loads <see cref="LogisticRegressionPredictor"/> in the model file (kind <c>logistic-regression</c>).</summary>
internal sealed class LogisticRegressionSerializer() : PredictorSerializer<LogisticRegressionPredictor, LogisticRegressionSerializer.FieldsDto>(LinearJsonContext.WithModelFileOptions.FieldsDto)
{
    public override string Kind => LogisticRegressionPredictor.KindName;

    protected override FieldsDto Fields(LogisticRegressionPredictor p) => new()
    {
        Means = p.Means.ToArray(),
        Scales = p.Scales.ToArray(),
        StandardizedIntercept = p.StandardizedIntercept,
        StandardizedCoefficients = p.StandardizedCoefficients.ToArray(),
        Summary = p.TrainingSummary is { } s ? new SummaryDto { Iterations = s.Iterations, MaxGradient = s.MaxGradient, Objective = s.Objective } : null,
    };

    protected override LogisticRegressionPredictor Predictor(FieldsDto p, IReadOnlyList<FeatureInfo> features) => new(
        [.. features],
        p.Means,
        p.Scales,
        p.StandardizedIntercept,
        p.StandardizedCoefficients,
        p.Summary is { } s ? new LogisticTrainingSummary(s.Iterations, s.MaxGradient, s.Objective) : null);

    // Field names are part of the model file format: rename nothing without bumping its format version.
    internal sealed class FieldsDto
    {
        public required double[] Means { get; init; }

        public required double[] Scales { get; init; }

        public required double StandardizedIntercept { get; init; }

        public required double[] StandardizedCoefficients { get; init; }

        public SummaryDto? Summary { get; init; }
    }

    internal sealed class SummaryDto
    {
        public required int Iterations { get; init; }

        public required double MaxGradient { get; init; }

        public required double Objective { get; init; }
    }
}

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(LogisticRegressionSerializer.FieldsDto))]
internal sealed partial class LinearJsonContext : JsonSerializerContext
{
    /// <summary>The context with the model file's options.</summary>
    public static LinearJsonContext WithModelFileOptions { get; } = new(ModelFileJson.CreateOptions());
}
