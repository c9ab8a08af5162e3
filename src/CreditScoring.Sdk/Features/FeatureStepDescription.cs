using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CreditScoring.Sdk.Features;

/// <summary>
/// One declared feature step, as data: the step object of the JSON pipeline file, such as
/// <c>{"ratio": ["AMT_CREDIT", "AMT_INCOME_TOTAL"], "name": "CREDIT_INCOME_RATIO"}</c>. The fluent builder's methods
/// write these and <see cref="FeaturePipelineJson"/> reads them; both go through one interpreter, so every step exists
/// once, whichever way it was declared. Immutable.
/// </summary>
public sealed class FeatureStepDescription
{
    /// <summary>How step objects are written: compact, with non-ASCII column names kept as they are.</summary>
    internal static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _json;

    internal FeatureStepDescription(string operation, JsonElement step)
    {
        Operation = operation;
        _json = JsonNode.Parse(step.GetRawText())!.ToJsonString(Json);
    }

    /// <summary>The operation, e.g. <c>ratio</c> (the pipeline file's operation key).</summary>
    public string Operation { get; }

    /// <summary>The step object, compact JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => _json;

    /// <inheritdoc />
    public override string ToString() => _json;

    /// <summary>The pipeline file holding these steps.</summary>
    internal static string Document(IEnumerable<FeatureStepDescription> steps)
    {
        var document = new JsonObject { ["steps"] = new JsonArray([.. steps.Select(s => JsonNode.Parse(s._json))]) };
        return document.ToJsonString(new JsonSerializerOptions(Json) { WriteIndented = true });
    }
}
