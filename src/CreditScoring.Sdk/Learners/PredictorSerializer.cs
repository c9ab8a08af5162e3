using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.Learners;

/// <summary>
/// Saves and loads one kind of <see cref="ICreditPredictor"/> in the model file. The model file writes the predictor as
/// one JSON object: <c>"kind"</c> (this serializer's <see cref="Kind"/>), then the fields <see cref="Save"/> returns, then
/// <c>"features"</c> (the predictor's inputs, which the model file writes and reads itself). A learner from another
/// assembly makes its models savable by registering its serializer once, before saving or loading:
/// <c>PredictorSerializers.Register(new MyPredictorSerializer())</c> (namespace <c>CreditScoring.Sdk.Scoring</c>).
/// Derive from <see cref="PredictorSerializer{TPredictor, TFields}"/> to describe the fields as a class.
/// </summary>
public abstract class PredictorSerializer
{
    /// <summary>The kind: the <see cref="ICreditPredictor.Kind"/> of the predictors it saves, and the <c>"kind"</c> field of the model file.</summary>
    public abstract string Kind { get; }

    /// <summary>The predictor's own fields (not its kind or features), as a JSON object.</summary>
    /// <param name="predictor">A predictor of this <see cref="Kind"/>.</param>
    /// <returns>The fields, in the order they are to be written.</returns>
    public abstract JsonObject Save(ICreditPredictor predictor);

    /// <summary>The predictor from its saved fields.</summary>
    /// <param name="fields">The fields <see cref="Save"/> wrote (without <c>"kind"</c> and <c>"features"</c>).</param>
    /// <param name="features">The predictor's inputs, read by the model file.</param>
    /// <returns>The predictor, scoring exactly as the one saved.</returns>
    /// <exception cref="ArgumentException">The fields are inconsistent (the model file reports it as a damaged file, with this message).</exception>
    /// <exception cref="JsonException">The fields do not have the expected shape.</exception>
    public abstract ICreditPredictor Load(JsonObject fields, IReadOnlyList<FeatureInfo> features);
}

/// <summary>
/// A <see cref="PredictorSerializer"/> whose fields are a class serialized with System.Text.Json (give it source-generated
/// type information: the model file is read in trimmed and AOT apps too).
/// </summary>
/// <typeparam name="TPredictor">The predictor type.</typeparam>
/// <typeparam name="TFields">The class of the predictor's saved fields.</typeparam>
/// <param name="fieldsType">How <typeparamref name="TFields"/> is serialized.</param>
public abstract class PredictorSerializer<TPredictor, TFields>(JsonTypeInfo<TFields> fieldsType) : PredictorSerializer
    where TPredictor : ICreditPredictor
{
    /// <inheritdoc/>
    public sealed override JsonObject Save(ICreditPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        if (predictor is not TPredictor typed)
        {
            throw new ArgumentException($"the serializer of kind '{Kind}' saves {typeof(TPredictor).Name}, not {predictor.GetType().Name}.", nameof(predictor));
        }

        return JsonSerializer.SerializeToNode(Fields(typed), fieldsType)?.AsObject()
            ?? throw new InvalidOperationException($"the serializer of kind '{Kind}' saved no fields.");
    }

    /// <inheritdoc/>
    public sealed override ICreditPredictor Load(JsonObject fields, IReadOnlyList<FeatureInfo> features)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var typed = fields.Deserialize(fieldsType) ?? throw new JsonException($"the fields of the '{Kind}' predictor are null.");
        return Predictor(typed, features);
    }

    /// <summary>The fields of a predictor.</summary>
    /// <param name="predictor">The predictor.</param>
    /// <returns>Its fields.</returns>
    protected abstract TFields Fields(TPredictor predictor);

    /// <summary>The predictor from its fields.</summary>
    /// <param name="fields">The fields.</param>
    /// <param name="features">The predictor's inputs.</param>
    /// <returns>The predictor.</returns>
    protected abstract TPredictor Predictor(TFields fields, IReadOnlyList<FeatureInfo> features);
}
