using System.Text.Json;

namespace CreditScoring.Sdk.Features;

/// <summary>
/// A feature pipeline described in JSON, for users who configure rather than code (the Batch CLI's
/// <c>train --features FILE</c>). The document is <c>{"steps": [ ... ]}</c>; each step is an object whose
/// operation key names the <see cref="FeaturePipelineBuilder"/> method and holds its main argument, with
/// options beside it, e.g. <c>{"ratio": ["AMT_CREDIT", "AMT_INCOME_TOTAL"], "name": "CREDIT_INCOME_RATIO"}</c>.
/// The README lists every operation. Unknown keys are errors, so a typo never passes silently.
/// </summary>
public static class FeaturePipelineJson
{
    private static readonly string[] Operations =
    [
        "sentinel", "special", "impute", "scale", "log1p", "signedLog", "yeoJohnson", "clip", "winsorize", "oneHot", "ordinal",
        "frequency", "targetEncode", "ratio", "difference", "product", "ageInYears", "custom", "aggregate", "woe",
        "selectByIv", "selectByVariance", "selectByCorrelation", "drop",
    ];

    /// <summary>Adds the steps of a JSON file to a builder.</summary>
    /// <param name="builder">The builder (from <c>CreditPipelineBuilder.Features</c>).</param>
    /// <param name="path">The JSON file.</param>
    /// <exception cref="ConfigurationException">The file is not valid JSON or a step is malformed; the message names the file, the step and the key.</exception>
    public static void ApplyFile(FeaturePipelineBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Apply(builder, File.ReadAllText(path), path);
    }

    /// <summary>Adds the steps of a JSON document to a builder.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="json">The document.</param>
    /// <param name="source">Names the document in error messages. Default <c>pipeline</c>.</param>
    /// <exception cref="ConfigurationException">The document is not valid JSON or a step is malformed.</exception>
    public static void Apply(FeaturePipelineBuilder builder, string json, string source = "pipeline")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ConfigurationException($"{source}: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
            {
                throw new ConfigurationException($"{source}: expected an object {{\"steps\": [...]}}.");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != "steps")
                {
                    throw new ConfigurationException($"{source}: unknown key '{property.Name}' (the document holds only \"steps\").");
                }
            }

            var index = 0;
            foreach (var step in steps.EnumerateArray())
            {
                new Step(source, index++, step).ApplyTo(builder);
            }
        }
    }

    private sealed class Step
    {
        private readonly string _where;
        private readonly JsonElement _element;
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public Step(string source, int index, JsonElement element)
        {
            _element = element;
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException($"{source}: step {index} is {element.ValueKind.ToString().ToLowerInvariant()}; each step is an object such as {{\"ratio\": [\"A\", \"B\"], \"name\": \"A_B_RATIO\"}}.");
            }

            var ops = element.EnumerateObject().Select(p => p.Name).Where(Operations.Contains).ToArray();
            if (ops.Length != 1)
            {
                throw new ConfigurationException($"{source}: step {index} must have exactly one operation key ({string.Join(", ", Operations)}); it has {(ops.Length == 0 ? "none" : string.Join(", ", ops))}.");
            }

            Operation = ops[0];
            _where = $"{source}: step {index} ('{Operation}')";
        }

        public string Operation { get; }

        public void ApplyTo(FeaturePipelineBuilder f)
        {
            switch (Operation)
            {
                case "sentinel": f.Sentinel(Text(Operation), Numbers("values")); break;
                case "special": f.Special(Text(Operation), Numbers("values")); break;
                case "impute":
                    var value = Get(Operation);
                    if (value.ValueKind == JsonValueKind.Number)
                    {
                        f.Impute(value.GetDouble(), OptionalTexts("columns"));
                    }
                    else if (OptionalBool("indicator") ?? false)
                    {
                        f.ImputeWithIndicator(Enum<ImputeStrategy>(Operation), OptionalTexts("columns"));
                    }
                    else
                    {
                        f.Impute(Enum<ImputeStrategy>(Operation), OptionalTexts("columns"));
                    }

                    break;
                case "scale": f.Scale(Enum<ScalingMethod>(Operation), OptionalTexts("columns")); break;
                case "log1p": f.Log1P(Texts(Operation)); break;
                case "signedLog": f.SignedLog(Texts(Operation)); break;
                case "yeoJohnson": f.YeoJohnson(Texts(Operation)); break;
                case "clip": var c = Pair(Operation); f.Clip(c.A, c.B, OptionalTexts("columns")); break;
                case "winsorize": var w = Pair(Operation); f.Winsorize(w.A, w.B, OptionalTexts("columns")); break;
                case "oneHot":
                    var max = OptionalNumber("maxCategories");
                    var min = OptionalNumber("minFrequency");
                    var unknown = Has("unknown") ? Enum<UnknownCategoryEncoding>("unknown") : UnknownCategoryEncoding.AllZero;
                    f.OneHot(
                        o =>
                        {
                            o.MaximumCategoryCount = (int)(max ?? 0);
                            o.MinimumFrequency = min ?? 0;
                            o.Unknown = unknown;
                        },
                        Texts(Operation));
                    break;
                case "ordinal": f.Ordinal(Text(Operation), Has("order") ? Texts("order") : null); break;
                case "frequency": f.FrequencyEncode(Texts(Operation)); break;
                case "targetEncode": f.TargetEncode(OptionalNumber("smoothing") ?? 10, (int)(OptionalNumber("folds") ?? 5), Texts(Operation)); break;
                case "ratio": var r = Columns2(Operation); f.Ratio(r.A, r.B, Text("name")); break;
                case "difference": var d = Columns2(Operation); f.Difference(d.A, d.B, Text("name")); break;
                case "product": var p = Columns2(Operation); f.Product(p.A, p.B, Text("name")); break;
                case "ageInYears": f.AgeInYears(Text(Operation), Text("name")); break;
                case "custom": f.Custom(Text(Operation), Texts("sources"), Text("name")); break;
                case "aggregate":
                    var functions = Has("functions")
                        ? Texts("functions").Aggregate(AggregateFunctions.None, (acc, n) => acc | Parse<AggregateFunctions>(n, "functions"))
                        : AggregateFunctions.Min | AggregateFunctions.Max | AggregateFunctions.Mean | AggregateFunctions.Sum;
                    var numeric = Has("numeric") ? Texts("numeric") : [];
                    var categorical = Has("categorical") ? Texts("categorical") : [];
                    (string Column, string[] Values)? where = null;
                    if (Has("where"))
                    {
                        var e = Get("where");
                        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("column", out var col) || col.ValueKind != JsonValueKind.String || !e.TryGetProperty("values", out var vals) || vals.ValueKind != JsonValueKind.Array)
                        {
                            throw Bad("'where' must be {\"column\": \"NAME\", \"values\": [\"A\", ...]}");
                        }

                        where = (col.GetString()!, vals.EnumerateArray().Select(v => v.GetString() ?? throw Bad("'where' values must be strings")).ToArray());
                    }

                    f.Aggregate(Text(Operation), Text("key"), Text("prefix"), a =>
                    {
                        if (numeric.Length > 0)
                        {
                            a.Numeric(numeric, functions);
                        }

                        foreach (var cat in categorical)
                        {
                            a.Categorical(cat);
                        }

                        if (where is { } wh)
                        {
                            a.Where(wh.Column, wh.Values);
                        }
                    });
                    break;
                case "woe":
                    var options = BinningOptions();
                    f.WoE(options.CopyTo, Texts(Operation));
                    break;
                case "selectByIv":
                    var ivOptions = BinningOptions();
                    f.SelectByInformationValue(Number(Operation), ivOptions.CopyTo);
                    break;
                case "selectByVariance": f.SelectByVariance(Number(Operation)); break;
                case "selectByCorrelation": f.SelectByCorrelation(Number(Operation)); break;
                default: f.Drop(Texts(Operation)); break;
            }

            foreach (var property in _element.EnumerateObject())
            {
                if (!_used.Contains(property.Name))
                {
                    throw Bad($"unknown key '{property.Name}'");
                }
            }
        }

        private WoeBinningOptions BinningOptions()
        {
            var o = new WoeBinningOptions();
            o.MaximumBinCount = (int)(OptionalNumber("maxBins") ?? o.MaximumBinCount);
            o.MinimumBinShare = OptionalNumber("minBinShare") ?? o.MinimumBinShare;
            o.Trend = Has("trend") ? Enum<MonotonicTrend>("trend") : o.Trend;
            o.SpecialValues = Has("specialValues") ? Numbers("specialValues") : [];
            return o;
        }

        private ConfigurationException Bad(string what) => new($"{_where}: {what}.");

        private bool Has(string key)
        {
            if (_element.TryGetProperty(key, out _))
            {
                _used.Add(key);
                return true;
            }

            return false;
        }

        private JsonElement Get(string key)
        {
            _used.Add(key);
            return _element.TryGetProperty(key, out var v) ? v : throw Bad($"'{key}' is required");
        }

        private string Text(string key) => Get(key) is { ValueKind: JsonValueKind.String } v ? v.GetString()! : throw Bad($"'{key}' must be a string");

        private double Number(string key) => Get(key) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : throw Bad($"'{key}' must be a number");

        private double? OptionalNumber(string key) => Has(key) ? Number(key) : null;

        private bool? OptionalBool(string key) => Has(key) ? Get(key) switch
        {
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => throw Bad($"'{key}' must be true or false"),
        } : null;

        private string[] Texts(string key)
        {
            var v = Get(key);
            return v.ValueKind switch
            {
                JsonValueKind.String => [v.GetString()!],
                JsonValueKind.Array => v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad($"'{key}' must list column names (strings)")).ToArray(),
                _ => throw Bad($"'{key}' must be a column name or a list of them"),
            };
        }

        private string[] OptionalTexts(string key) => Has(key) ? Texts(key) : [];

        private double[] Numbers(string key)
        {
            var v = Get(key);
            return v.ValueKind switch
            {
                JsonValueKind.Number => [v.GetDouble()],
                JsonValueKind.Array => v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw Bad($"'{key}' must list numbers")).ToArray(),
                _ => throw Bad($"'{key}' must be a number or a list of numbers"),
            };
        }

        private (double A, double B) Pair(string key) => Numbers(key) is [var a, var b] ? (a, b) : throw Bad($"'{key}' must be two numbers [lower, upper]");

        private (string A, string B) Columns2(string key) => Texts(key) is [var a, var b] ? (a, b) : throw Bad($"'{key}' must name two columns");

        private T Enum<T>(string key)
            where T : struct, Enum => Parse<T>(Text(key), key);

        private T Parse<T>(string text, string key)
            where T : struct, Enum =>
            System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value)
                ? value
                : throw Bad($"'{key}' is '{text}'; expected one of {string.Join(", ", System.Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]))}");
    }
}
