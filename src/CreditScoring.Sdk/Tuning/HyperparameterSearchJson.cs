using System.Globalization;
using System.Text.Json;

namespace CreditScoring.Sdk.Tuning;

/// <summary>
/// Reads a hyperparameter search from JSON (the CLI's <c>train --search FILE</c>):
/// <code>
/// { "strategy": "halving", "candidates": 9, "folds": 3, "metric": "auc", "factor": 3, "minimumRows": 500,
///   "parameters": { "NumberOfLeaves": [15, 31, 63],
///                   "LearningRate": { "min": 0.02, "max": 0.2, "scale": "log" },
///                   "MinimumExampleCountPerLeaf": { "min": 10, "max": 100, "scale": "int" } } }
/// </code>
/// <c>strategy</c>: <c>grid</c>, <c>random</c> (default) or <c>halving</c>; <c>metric</c>: <c>auc</c> (default),
/// <c>logloss</c> or <c>business</c>; a parameter is a list of values or a range with <c>scale</c> <c>linear</c>
/// (default), <c>log</c> or <c>int</c>. Errors name the file and the key.
/// </summary>
public static class HyperparameterSearchJson
{
    /// <summary>Reads a search file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The space and options (costs are not in the file: set <see cref="SearchOptions.Costs"/> for the business metric).</returns>
    /// <exception cref="ConfigurationException">The file is not a valid search description; the message names the key.</exception>
    public static (SearchSpace Space, SearchOptions Options) ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Read(File.ReadAllText(path), path);
    }

    /// <summary>Reads a search description.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Names the source in errors; default <c>search</c>.</param>
    /// <returns>The space and options.</returns>
    /// <exception cref="ConfigurationException">The text is not a valid search description.</exception>
    public static (SearchSpace Space, SearchOptions Options) Read(string json, string source = "search")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ConfigurationException($"{source}: not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException($"{source}: the search must be a JSON object with \"parameters\".");
            }

            var options = new SearchOptions();
            var space = new SearchSpace();
            var sawParameters = false;
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "strategy":
                        options.Strategy = Text(p, source) switch
                        {
                            "grid" => SearchStrategy.Grid,
                            "random" => SearchStrategy.Random,
                            "halving" or "successive-halving" => SearchStrategy.SuccessiveHalving,
                            var other => throw new ConfigurationException($"{source}: \"strategy\" is '{other}'; use grid, random or halving."),
                        };
                        break;
                    case "metric":
                        options.Metric = Text(p, source) switch
                        {
                            "auc" => SearchMetric.Auc,
                            "logloss" or "log-loss" => SearchMetric.LogLoss,
                            "business" => SearchMetric.BusinessScore,
                            var other => throw new ConfigurationException($"{source}: \"metric\" is '{other}'; use auc, logloss or business."),
                        };
                        break;
                    case "candidates": options.Candidates = Integer(p, source, 1); break;
                    case "folds": options.Folds = Integer(p, source, 2); break;
                    case "factor": options.HalvingFactor = Integer(p, source, 2); break;
                    case "minimumRows": options.MinimumRows = Integer(p, source, 1); break;
                    case "parameters":
                        sawParameters = true;
                        if (p.Value.ValueKind != JsonValueKind.Object)
                        {
                            throw new ConfigurationException($"{source}: \"parameters\" must be an object of option name -> values or range.");
                        }

                        foreach (var option in p.Value.EnumerateObject())
                        {
                            Parameter(space, option, source);
                        }

                        break;
                    default:
                        throw new ConfigurationException($"{source}: unknown key \"{p.Name}\"; expected strategy, candidates, folds, metric, factor, minimumRows, parameters.");
                }
            }

            if (!sawParameters || space.Options.Count == 0)
            {
                throw new ConfigurationException($"{source}: \"parameters\" is missing or empty; name at least one learner option to search.");
            }

            return (space, options);
        }
    }

    private static void Parameter(SearchSpace space, JsonProperty option, string source)
    {
        var where = $"{source}: parameter \"{option.Name}\"";
        switch (option.Value.ValueKind)
        {
            case JsonValueKind.Array:
                var values = option.Value.EnumerateArray().Select(v => v.ValueKind switch
                {
                    JsonValueKind.Number => v.GetRawText(),
                    JsonValueKind.String => v.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => throw new ConfigurationException($"{where}: values must be numbers, strings or booleans."),
                }).ToArray<object>();
                if (values.Length == 0)
                {
                    throw new ConfigurationException($"{where}: the list of values is empty.");
                }

                space.Values(option.Name, values);
                break;
            case JsonValueKind.Object:
                double? min = null, max = null;
                var scale = "linear";
                foreach (var p in option.Value.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "min": min = Number(p, where); break;
                        case "max": max = Number(p, where); break;
                        case "scale": scale = Text(p, where); break;
                        default: throw new ConfigurationException($"{where}: unknown key \"{p.Name}\"; a range has min, max and scale.");
                    }
                }

                if (min is null || max is null || !(min <= max))
                {
                    throw new ConfigurationException($"{where}: a range needs \"min\" <= \"max\".");
                }

                try
                {
                    _ = scale switch
                    {
                        "linear" => space.Uniform(option.Name, min.Value, max.Value),
                        "log" => space.LogUniform(option.Name, min.Value, max.Value),
                        "int" or "integer" => space.Integers(option.Name, (int)min.Value, (int)max.Value),
                        _ => throw new ConfigurationException($"{where}: \"scale\" is '{scale}'; use linear, log or int."),
                    };
                }
                catch (Exception e) when (e is ArgumentException or ConfigurationException)
                {
                    throw new ConfigurationException($"{where}: {e.Message}", e);
                }

                break;
            default:
                throw new ConfigurationException($"{where}: give a list of values or a range {{\"min\": .., \"max\": .., \"scale\": \"linear|log|int\"}}.");
        }
    }

    private static string Text(JsonProperty p, string source) =>
        p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!.Trim().ToLowerInvariant() : throw new ConfigurationException($"{source}: \"{p.Name}\" must be text.");

    private static double Number(JsonProperty p, string source) =>
        p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : throw new ConfigurationException($"{source}: \"{p.Name}\" must be a number.");

    private static int Integer(JsonProperty p, string source, int minimum) =>
        p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out var v) && v >= minimum
            ? v
            : throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{source}: \"{p.Name}\" must be an integer >= {minimum}."));
}
