using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Tracking;
using Microsoft.AspNetCore.Http;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>
/// One MLflow request's fields, from its JSON body (POST, PATCH, PUT) or its query string (GET, DELETE), read the way
/// MLflow's server reads them: numbers may come as strings, NaN and the infinities as bare words (as Python's
/// <c>json</c> writes them) or strings.
/// </summary>
internal sealed class MlflowRequest
{
    private MlflowRequest(JsonObject fields) => Fields = fields;

    public JsonObject Fields { get; }

    public static async Task<MlflowRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var fields = new JsonObject();
        foreach (var (key, values) in request.Query)
        {
            fields[key] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
        }

        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsDelete(request.Method) && request.ContentLength is null or 0)
        {
            return new MlflowRequest(fields);
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return new MlflowRequest(fields);
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(QuoteNamedNumbers(text));
        }
        catch (JsonException e)
        {
            throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"Malformed JSON request body: {e.Message}");
        }

        if (body is not JsonObject obj)
        {
            throw new TrackingException(TrackingErrorCode.InvalidParameterValue, "The request body must be a JSON object.");
        }

        foreach (var (key, value) in obj.ToArray())
        {
            obj.Remove(key);
            fields[key] = value;
        }

        return new MlflowRequest(fields);
    }

    public string? Text(string name) => MlflowJson.Text(Fields, name);

    public string Required(string name) => Text(name) is { Length: > 0 } value ? value : throw MlflowJson.Missing(name);

    public long? Long(string name) => MlflowJson.Long(Fields, name);

    public long RequiredLong(string name) => Long(name) ?? throw MlflowJson.Missing(name);

    public double RequiredDouble(string name) => MlflowJson.Double(Fields, name) ?? throw MlflowJson.Missing(name);

    /// <summary>A repeated field: a JSON array, a query parameter given several times, or a single value.</summary>
    public IReadOnlyList<string> List(string name) => Fields[name] switch
    {
        null => [],
        JsonArray a => [.. a.Where(n => n is not null).Select(n => n!.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : n.ToJsonString())],
        var single => [MlflowJson.Text(Fields, name)!],
    };

    public IReadOnlyList<RunTag> Tags(string name) => MlflowJson.ReadTags(Fields[name]);

    public IEnumerable<JsonNode> Items(string name) => MlflowJson.Items(Fields[name]);

    /// <summary>Turns the bare words NaN, Infinity and -Infinity outside strings into strings, so that a strict JSON parser reads what Python's json wrote.</summary>
    internal static string QuoteNamedNumbers(string json)
    {
        if (!json.Contains("NaN", StringComparison.Ordinal) && !json.Contains("Infinity", StringComparison.Ordinal))
        {
            return json;
        }

        var result = new StringBuilder(json.Length + 16);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                result.Append(c);
                if (c == '\\' && i + 1 < json.Length)
                {
                    result.Append(json[++i]);
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
                result.Append(c);
                continue;
            }

            var word = json.AsSpan(i).StartsWith("NaN") ? "NaN" : json.AsSpan(i).StartsWith("-Infinity") ? "-Infinity" : json.AsSpan(i).StartsWith("Infinity") ? "Infinity" : null;
            if (word is not null)
            {
                result.Append('"').Append(word).Append('"');
                i += word.Length - 1;
                continue;
            }

            result.Append(c);
        }

        return result.ToString();
    }
}
