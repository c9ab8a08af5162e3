using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;

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
                builder.Add(step, $"{source}: step {index++}");
            }
        }
    }

    /// <summary>
    /// One step of the pipeline grammar, read and checked: the one interpreter behind the fluent builder (whose methods write
    /// these objects) and the JSON file. <see cref="Compile"/> gives what fitting runs, or the aggregation it declares.
    /// </summary>
    internal sealed class Step
    {
        private readonly string _where;
        private readonly JsonElement _element;
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public Step(string where, JsonElement element)
        {
            _element = element;
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException($"{where} is {element.ValueKind.ToString().ToLowerInvariant()}; each step is an object such as {{\"ratio\": [\"A\", \"B\"], \"name\": \"A_B_RATIO\"}}.");
            }

            var ops = element.EnumerateObject().Select(p => p.Name).Where(Operations.Contains).ToArray();
            if (ops.Length != 1)
            {
                throw new ConfigurationException($"{where} must have exactly one operation key ({string.Join(", ", Operations)}); it has {(ops.Length == 0 ? "none" : string.Join(", ", ops))}.");
            }

            Operation = ops[0];
            _where = $"{where} ('{Operation}')";
        }

        public string Operation { get; }

        /// <summary>The step's fit (or, for <c>aggregate</c>, its aggregation), with every argument checked now.</summary>
        public (Action<FeatureFrame>? Apply, (string Table, string Key, string Prefix, AggregationBuilder Spec)? Aggregation) Compile()
        {
            Action<FeatureFrame>? apply = null;
            (string, string, string, AggregationBuilder)? aggregation = null;
            switch (Operation)
            {
                case "sentinel":
                case "special":
                    var (sentinelColumn, sentinelValues, indicators) = (Text(Operation), FiniteNumbers("values"), Operation == "special");
                    apply = f => FeatureSpecs.Sentinel(f, sentinelColumn, sentinelValues, indicators);
                    break;
                case "impute":
                    var columns = OptionalTexts("columns");
                    if (Get(Operation).ValueKind == JsonValueKind.Number)
                    {
                        var constant = Number(Operation);
                        apply = f => FeatureSpecs.Impute(f, columns, null, constant, indicators: false);
                    }
                    else
                    {
                        var (strategy, withIndicator) = (Enum<ImputeStrategy>(Operation), OptionalBool("indicator") ?? false);
                        apply = f => FeatureSpecs.Impute(f, columns, strategy, 0, withIndicator);
                    }

                    break;
                case "scale":
                    var (method, scaled) = (Enum<ScalingMethod>(Operation), OptionalTexts("columns"));
                    apply = f => FeatureSpecs.Scale(f, scaled, method);
                    break;
                case "log1p":
                    var log = Texts(Operation);
                    apply = f => FeatureSpecs.Function(f, log, NumericTransform.Log1P, _ => []);
                    break;
                case "signedLog":
                    var signed = Texts(Operation);
                    apply = f => FeatureSpecs.Function(f, signed, NumericTransform.SignedLog, _ => []);
                    break;
                case "yeoJohnson":
                    var yj = Texts(Operation);
                    apply = f => FeatureSpecs.Function(f, yj, NumericTransform.YeoJohnson, sorted => [sorted.Length == 0 ? 1.0 : YeoJohnson.FitLambda(sorted)]);
                    break;
                case "clip":
                    var (lower, upper) = Pair(Operation);
                    if (!(lower <= upper))
                    {
                        throw Bad(string.Create(CultureInfo.InvariantCulture, $"'clip' needs lower <= upper (got {lower} and {upper})"));
                    }

                    var clipped = OptionalTexts("columns");
                    apply = f => FeatureSpecs.Function(f, clipped, NumericTransform.Clip, _ => [lower, upper]);
                    break;
                case "winsorize":
                    var (lowerQuantile, upperQuantile) = Pair(Operation);
                    if (!(lowerQuantile >= 0 && lowerQuantile < upperQuantile && upperQuantile <= 1))
                    {
                        throw Bad(string.Create(CultureInfo.InvariantCulture, $"'winsorize' needs 0 <= lower quantile < upper quantile <= 1 (got {lowerQuantile} and {upperQuantile})"));
                    }

                    var winsorized = OptionalTexts("columns");
                    apply = f => FeatureSpecs.Function(f, winsorized, NumericTransform.Clip, sorted =>
                        sorted.Length == 0 ? [double.NegativeInfinity, double.PositiveInfinity] : [SampleStatistics.Quantile(sorted, lowerQuantile), SampleStatistics.Quantile(sorted, upperQuantile)]);
                    break;
                case "oneHot":
                    var oneHot = new OneHotOptions
                    {
                        MaximumCategoryCount = (int)(OptionalNumber("maxCategories") ?? 0),
                        MinimumFrequency = OptionalNumber("minFrequency") ?? 0,
                        Unknown = Has("unknown") ? Enum<UnknownCategoryEncoding>("unknown") : UnknownCategoryEncoding.AllZero,
                        OtherLabel = Has("otherLabel") ? Text("otherLabel") : "(other)",
                        CategoryLimit = (int)(OptionalNumber("categoryLimit") ?? OneHotOptions.DefaultCategoryLimit),
                    };
                    var encoded = Texts(Operation);
                    apply = f =>
                    {
                        foreach (var c in f.Targets(encoded, "OneHot", FeatureKind.Categorical))
                        {
                            FeatureSpecs.OneHot(f, c, oneHot, $"OneHot('{c}')");
                        }
                    };
                    break;
                case "ordinal":
                    var (ordinal, order) = (Text(Operation), Has("order") ? Texts("order") : null);
                    apply = f => FeatureSpecs.Ordinal(f, ordinal, order);
                    break;
                case "frequency":
                    var frequency = Texts(Operation);
                    apply = f =>
                    {
                        foreach (var c in f.Targets(frequency, "FrequencyEncode", FeatureKind.Categorical))
                        {
                            FeatureSpecs.Frequency(f, c);
                        }
                    };
                    break;
                case "targetEncode":
                    var (smoothing, folds, targets) = (OptionalNumber("smoothing") ?? 10, OptionalNumber("folds") ?? 5, Texts(Operation));
                    if (!(smoothing >= 0) || folds < 2 || folds != Math.Floor(folds))
                    {
                        throw Bad(string.Create(CultureInfo.InvariantCulture, $"'targetEncode' needs smoothing >= 0 and a whole number of folds >= 2 (got {smoothing} and {folds})"));
                    }

                    apply = f =>
                    {
                        foreach (var c in f.Targets(targets, "TargetEncode", FeatureKind.Categorical))
                        {
                            FeatureSpecs.Target(f, c, smoothing, (int)folds);
                        }
                    };
                    break;
                case "ratio":
                case "difference":
                case "product":
                    var (left, right) = Columns2(Operation);
                    var (combined, operation) = (Text("name"), Operation switch { "ratio" => CombineOperation.Ratio, "difference" => CombineOperation.Difference, _ => CombineOperation.Product });
                    apply = f => FeatureSpecs.Combine(f, left, right, operation, combined);
                    break;
                case "ageInYears":
                    var (days, age) = (Text(Operation), Text("name"));
                    apply = f => FeatureSpecs.Affine(f, days, 0, -365.25, age, $"AgeInYears('{days}')");
                    break;
                case "custom":
                    var (function, sources, custom) = (Text(Operation), Texts("sources"), Text("name"));
                    _ = CustomFeatures.Resolve(function);
                    apply = f => FeatureSpecs.Custom(f, function, sources, custom);
                    break;
                case "aggregate":
                    aggregation = (Text(Operation), Text("key"), Text("prefix"), Aggregation());
                    break;
                case "woe":
                    var (woe, woeColumns) = (BinningOptions(), Texts(Operation));
                    apply = f => FeatureSpecs.Woe(f, woeColumns, woe);
                    break;
                case "selectByIv":
                    var (minimumIv, ivOptions) = (Number(Operation), BinningOptions());
                    apply = f => FeatureSpecs.SelectByInformationValue(f, minimumIv, ivOptions);
                    break;
                case "selectByVariance":
                    var minimumVariance = Number(Operation);
                    apply = f => FeatureSpecs.SelectByVariance(f, minimumVariance);
                    break;
                case "selectByCorrelation":
                    var maximum = Number(Operation);
                    if (!(maximum > 0 && maximum <= 1))
                    {
                        throw Bad(string.Create(CultureInfo.InvariantCulture, $"'selectByCorrelation' is a correlation cap in (0, 1] (got {maximum})"));
                    }

                    apply = f => FeatureSpecs.SelectByCorrelation(f, maximum);
                    break;
                default:
                    var dropped = Texts(Operation);
                    apply = f =>
                    {
                        foreach (var c in dropped)
                        {
                            f.Resolve(c, "Drop");
                            f.Deactivate(c);
                        }
                    };
                    break;
            }

            foreach (var property in _element.EnumerateObject())
            {
                if (!_used.Contains(property.Name))
                {
                    throw Bad($"unknown key '{property.Name}'");
                }
            }

            return (apply, aggregation);
        }

        /// <summary>
        /// An aggregation's declaration: <c>numeric</c> lists columns (with <c>functions</c>, default min, max, mean, sum) or maps
        /// each column to its functions; <c>categorical</c> lists columns (20 categories each) or maps each to its category
        /// count; <c>where</c> is <c>{"column": NAME, "values": [...]}</c>.
        /// </summary>
        private AggregationBuilder Aggregation()
        {
            var spec = new AggregationBuilder();
            var functions = Has("functions") ? Functions("functions") : AggregateFunctions.Min | AggregateFunctions.Max | AggregateFunctions.Mean | AggregateFunctions.Sum;
            if (Has("numeric"))
            {
                var numeric = Get("numeric");
                if (numeric.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in numeric.EnumerateObject())
                    {
                        spec.Numeric([p.Name], Functions(p.Value, $"numeric.{p.Name}"));
                    }
                }
                else
                {
                    spec.Numeric(Texts("numeric"), functions);
                }
            }

            if (Has("categorical"))
            {
                var categorical = Get("categorical");
                if (categorical.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in categorical.EnumerateObject())
                    {
                        spec.Categorical(p.Name, p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var n) && n >= 1 ? n : throw Bad($"'categorical.{p.Name}' must be a whole number of categories >= 1"));
                    }
                }
                else
                {
                    foreach (var c in Texts("categorical"))
                    {
                        spec.Categorical(c);
                    }
                }
            }

            if (Has("where"))
            {
                var e = Get("where");
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("column", out var col) || col.ValueKind != JsonValueKind.String || !e.TryGetProperty("values", out var vals) || vals.ValueKind != JsonValueKind.Array || e.EnumerateObject().Count() != 2)
                {
                    throw Bad("'where' must be {\"column\": \"NAME\", \"values\": [\"A\", ...]}");
                }

                spec.Where(col.GetString()!, [.. vals.EnumerateArray().Select(v => v.GetString() ?? throw Bad("'where' values must be strings"))]);
            }

            return spec;
        }

        private AggregateFunctions Functions(string key) => Functions(Get(key), key);

        private AggregateFunctions Functions(JsonElement list, string key)
        {
            var names = list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad($"'{key}' must list function names")).ToArray() : throw Bad($"'{key}' must list function names");
            var functions = names.Aggregate(AggregateFunctions.None, (acc, n) => acc | Parse<AggregateFunctions>(n, key));
            return functions != AggregateFunctions.None ? functions : throw Bad($"'{key}' must name at least one function");
        }

        private WoeBinningOptions BinningOptions()
        {
            var o = new WoeBinningOptions();
            o.MaximumBinCount = (int)(OptionalNumber("maxBins") ?? o.MaximumBinCount);
            o.MinimumBinShare = OptionalNumber("minBinShare") ?? o.MinimumBinShare;
            o.Trend = Has("trend") ? Enum<MonotonicTrend>("trend") : o.Trend;
            o.PrebinCount = (int)(OptionalNumber("prebins") ?? o.PrebinCount);
            o.SpecialValues = Has("specialValues") ? FiniteNumbers("specialValues") : [];
            try
            {
                o.Validate();
            }
            catch (ArgumentException e)
            {
                throw Bad(e.Message.Split(" (Parameter", 2)[0].TrimEnd('.'));
            }

            return o.Clone();
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

        private double Number(string key) => NumberOf(Get(key), key);

        /// <summary>A JSON number, or <c>"Infinity"</c>/<c>"-Infinity"</c> for an open bound (JSON has no infinite numbers).</summary>
        private double NumberOf(JsonElement v, string key) => v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when v.GetString() == "Infinity" => double.PositiveInfinity,
            JsonValueKind.String when v.GetString() == "-Infinity" => double.NegativeInfinity,
            _ => throw Bad($"'{key}' must be a number"),
        };

        private double[] FiniteNumbers(string key) =>
            Numbers(key) is { Length: > 0 } values && values.All(double.IsFinite) ? values : throw Bad($"'{key}' must give at least one value, every one a finite number");

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
                JsonValueKind.Number or JsonValueKind.String => [NumberOf(v, key)],
                JsonValueKind.Array => v.EnumerateArray().Select(e => NumberOf(e, key)).ToArray(),
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
