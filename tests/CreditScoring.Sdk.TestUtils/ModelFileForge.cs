using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CreditScoring.Sdk.TestUtils;

/// <summary>
/// Rewrites a model file's payload and recomputes its checksum, as someone who can write the file could: the tests of
/// what <c>CreditModel.Load</c> validates beyond the checksum (non-finite parameters, a threshold outside [0, 1]) use it.
/// </summary>
public static class ModelFileForge
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The payload of a model file, parsed.</summary>
    /// <param name="file">The model file's bytes.</param>
    /// <returns>The payload.</returns>
    public static JsonObject Payload(byte[] file) => JsonNode.Parse(file)!["payload"]!.AsObject();

    /// <summary>A model file with this payload and a correct checksum, in the header layout of format version 4.</summary>
    /// <param name="payload">The payload.</param>
    /// <param name="formatVersion">The format version to write.</param>
    /// <returns>The file's bytes.</returns>
    public static byte[] Write(JsonObject payload, int formatVersion = 4)
    {
        var bytes = Encoding.UTF8.GetBytes(payload.ToJsonString(Json));
        var header = $"{{\"format\": \"creditscoring-model\", \"formatVersion\": {formatVersion}, \"sdkVersion\": \"0.1.0\", \"payloadLength\": {bytes.Length}, \"payloadSha256\": \"{Convert.ToHexStringLower(SHA256.HashData(bytes))}\", \"payload\": ";
        return [.. Encoding.UTF8.GetBytes(header), .. bytes, .. "}\n"u8.ToArray()];
    }

    /// <summary>Every number in a payload with its path (such as <c>predictor.trees[3].leafValue[0]</c>).</summary>
    /// <param name="node">The payload.</param>
    /// <param name="path">The path of <paramref name="node"/> (empty at the root).</param>
    /// <returns>The numbers' paths and nodes.</returns>
    public static IEnumerable<(string Path, JsonValue Value)> Numbers(JsonNode node, string path = "")
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToArray())
                {
                    if (child is not null)
                    {
                        foreach (var n in Numbers(child, path.Length == 0 ? key : path + "." + key))
                        {
                            yield return n;
                        }
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is { } child)
                    {
                        foreach (var n in Numbers(child, $"{path}[{i}]"))
                        {
                            yield return n;
                        }
                    }
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number || (v.TryGetValue<string>(out var s) && s is "NaN" or "Infinity" or "-Infinity"):
                yield return (path, v);
                break;
        }
    }

    /// <summary>A path with its array indices replaced by <c>[]</c>: one "shape" per kind of number.</summary>
    /// <param name="path">A number's path.</param>
    /// <returns>The shape.</returns>
    public static string Shape(string path) => System.Text.RegularExpressions.Regex.Replace(path, @"\[\d+\]", "[]");

    /// <summary>Replaces the number at a path.</summary>
    /// <param name="payload">The payload (changed in place).</param>
    /// <param name="path">The number's path from <see cref="Numbers"/>.</param>
    /// <param name="value">The new value.</param>
    public static void Set(JsonObject payload, string path, double value)
    {
        var (_, node) = Numbers(payload).First(n => n.Path == path);
        var replacement = double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        node.ReplaceWith(replacement);
    }
}
