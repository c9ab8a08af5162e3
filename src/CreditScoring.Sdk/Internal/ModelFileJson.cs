using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditScoring.Sdk.Internal;

/// <summary>
/// The model file's JSON conventions, defined once: the model file's own context and every learner folder's serializer
/// context are created with these options, so a predictor's fields are written exactly as the rest of the file.
/// </summary>
internal static class ModelFileJson
{
    /// <summary>A new options instance (a source-generated context binds the instance it is given).</summary>
    public static JsonSerializerOptions CreateOptions() => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
