using System.Globalization;

namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// MLflow's rules for what a tracking store accepts (<c>mlflow/utils/validation.py</c>, MLflow 2.x): names of metrics,
/// parameters and tags, value lengths, batch sizes, run ids and alias names. Every store checks them before it writes,
/// so a request that breaks one changes nothing; each violation is a <see cref="TrackingException"/> naming the rule.
/// </summary>
public static class TrackingRules
{
    /// <summary>Parameters, and tags, in one batch: at most 100 of each.</summary>
    public const int MaxParamsTagsPerBatch = 100;

    /// <summary>Metric values in one batch: at most 1,000.</summary>
    public const int MaxMetricsPerBatch = 1000;

    /// <summary>Metrics, parameters and tags in one batch together: at most 1,000.</summary>
    public const int MaxEntitiesPerBatch = 1000;

    /// <summary>The longest key of a metric, parameter or tag: 250 characters.</summary>
    public const int MaxKeyLength = 250;

    /// <summary>The longest parameter value: 6,000 characters.</summary>
    public const int MaxParamValueLength = 6000;

    /// <summary>The longest tag value: 5,000 characters.</summary>
    public const int MaxTagValueLength = 5000;

    /// <summary>The longest experiment name: 500 characters.</summary>
    public const int MaxExperimentNameLength = 500;

    /// <summary>The longest data set name: 500 characters.</summary>
    public const int MaxDatasetNameLength = 500;

    /// <summary>The longest data set digest: 36 characters.</summary>
    public const int MaxDatasetDigestLength = 36;

    /// <summary>The longest registered model alias: 255 characters.</summary>
    public const int MaxAliasLength = 255;

    /// <summary>The longest registered model name: 256 characters.</summary>
    public const int MaxModelNameLength = 256;

    private const string BadCharacters = "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).";

    /// <summary>
    /// Checks the key of a metric, parameter or tag: not empty, only alphanumerics, <c>_ - . /</c> and spaces, at most
    /// <see cref="MaxKeyLength"/> characters, and a path that does not resolve to another name (no <c>a//b</c>, <c>a/./b</c>,
    /// <c>../a</c>, <c>/a</c>, <c>a/</c>).
    /// </summary>
    /// <param name="kind"><c>Metric</c>, <c>Param</c> or <c>Tag</c>, for the message.</param>
    /// <param name="key">The key.</param>
    /// <exception cref="TrackingException">The key breaks a rule.</exception>
    public static void CheckKey(string kind, string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw TrackingException.Invalid($"{kind} name is empty. A key name must be provided.");
        }

        foreach (var c in key)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ' '))
            {
                throw TrackingException.Invalid($"Invalid {kind.ToLowerInvariant()} name: '{key}' (character '{c}'). {BadCharacters}");
            }
        }

        var normal = NormalPath(key);
        if (normal != key || normal == "." || normal.StartsWith("..", StringComparison.Ordinal) || normal.StartsWith('/'))
        {
            throw TrackingException.Invalid($"Invalid {kind.ToLowerInvariant()} name: '{key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '{normal}'.");
        }

        CheckLength($"{kind} name", key, MaxKeyLength);
    }

    /// <summary>Checks a metric value: its key, and a timestamp of at least 0.</summary>
    /// <param name="metric">The value.</param>
    /// <exception cref="TrackingException">A rule is broken.</exception>
    public static void Check(Metric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        CheckKey("Metric", metric.Key);
        if (metric.Timestamp < 0)
        {
            throw TrackingException.Invalid($"Got invalid timestamp {metric.Timestamp} for metric '{metric.Key}' (value={metric.Value.ToString("R", CultureInfo.InvariantCulture)}). Timestamp must be a nonnegative long (milliseconds since the Unix epoch).");
        }
    }

    /// <summary>Checks a parameter: its key, and a value of at most <see cref="MaxParamValueLength"/> characters.</summary>
    /// <param name="param">The parameter.</param>
    /// <exception cref="TrackingException">A rule is broken.</exception>
    public static void Check(Param param)
    {
        ArgumentNullException.ThrowIfNull(param);
        CheckKey("Param", param.Key);
        CheckLength("Param value", param.Value ?? throw TrackingException.Invalid($"Param '{param.Key}' has no value."), MaxParamValueLength);
    }

    /// <summary>Checks a tag: its key, and a value of at most <see cref="MaxTagValueLength"/> characters.</summary>
    /// <param name="tag">The tag.</param>
    /// <exception cref="TrackingException">A rule is broken.</exception>
    public static void Check(RunTag tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        CheckKey("Tag", tag.Key);
        CheckLength("Tag value", tag.Value ?? throw TrackingException.Invalid($"Tag '{tag.Key}' has no value."), MaxTagValueLength);
    }

    /// <summary>Checks a data set input: a name, a digest of at most 36 characters, rows at least 0.</summary>
    /// <param name="input">The data set.</param>
    /// <exception cref="TrackingException">A rule is broken.</exception>
    public static void Check(DatasetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (string.IsNullOrEmpty(input.Name))
        {
            throw TrackingException.Invalid("A data set input needs a name.");
        }

        CheckLength("Dataset name", input.Name, MaxDatasetNameLength);
        CheckLength("Dataset digest", input.Digest ?? throw TrackingException.Invalid($"Data set '{input.Name}' has no digest."), MaxDatasetDigestLength);
        if (input.Rows < 0 || input.Positives < -1 || input.Positives > input.Rows)
        {
            throw TrackingException.Invalid($"Data set '{input.Name}' has {input.Rows} rows and {input.Positives} positives; expected rows ≥ 0 and −1 (no target) ≤ positives ≤ rows.");
        }
    }

    /// <summary>
    /// Checks a batch: at most <see cref="MaxMetricsPerBatch"/> metric values, <see cref="MaxParamsTagsPerBatch"/>
    /// parameters and as many tags, <see cref="MaxEntitiesPerBatch"/> in all, no parameter key twice, and every entry.
    /// </summary>
    /// <param name="metrics">The metric values.</param>
    /// <param name="parameters">The parameters.</param>
    /// <param name="tags">The tags.</param>
    /// <exception cref="TrackingException">A rule is broken.</exception>
    public static void CheckBatch(IReadOnlyCollection<Metric> metrics, IReadOnlyCollection<Param> parameters, IReadOnlyCollection<RunTag> tags)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        CheckBatchLimit("metrics", MaxMetricsPerBatch, metrics.Count);
        CheckBatchLimit("params", MaxParamsTagsPerBatch, parameters.Count);
        CheckBatchLimit("tags", MaxParamsTagsPerBatch, tags.Count);
        CheckBatchLimit("metrics, params, and tags", MaxEntitiesPerBatch, metrics.Count + parameters.Count + tags.Count);
        foreach (var m in metrics)
        {
            Check(m);
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parameters)
        {
            Check(p);
            if (!keys.Add(p.Key))
            {
                throw TrackingException.Invalid($"Duplicate parameter keys have been submitted: ['{p.Key}']. Please ensure the request contains only one param value per param key.");
            }
        }

        foreach (var t in tags)
        {
            Check(t);
        }
    }

    /// <summary>Checks an experiment name: not empty, at most <see cref="MaxExperimentNameLength"/> characters.</summary>
    /// <param name="name">The name.</param>
    /// <exception cref="TrackingException">A rule is broken.</exception>
    public static void CheckExperimentName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw TrackingException.Invalid($"Invalid experiment name: '{name}'. An experiment needs a name.");
        }

        if (name.Length > MaxExperimentNameLength)
        {
            throw TrackingException.Invalid($"Experiment name exceeds the maximum length of {MaxExperimentNameLength} characters (it has {name.Length}).");
        }
    }

    /// <summary>Checks a run id: an alphanumeric first character, then at most 255 alphanumerics, underscores or dashes.</summary>
    /// <param name="runId">The id.</param>
    /// <exception cref="TrackingException">A rule is broken.</exception>
    public static void CheckRunId(string? runId)
    {
        var ok = !string.IsNullOrEmpty(runId) && runId.Length <= 256 && char.IsAsciiLetterOrDigit(runId[0]);
        for (var i = 1; ok && i < runId!.Length; i++)
        {
            ok = char.IsAsciiLetterOrDigit(runId[i]) || runId[i] is '_' or '-';
        }

        if (!ok)
        {
            throw TrackingException.Invalid($"Invalid run ID: '{runId}'. A run id starts with a letter or digit, followed by at most 255 letters, digits, underscores or dashes.");
        }
    }

    /// <summary>
    /// Checks a registered model's name: not empty, at most <see cref="MaxModelNameLength"/> characters, and none of
    /// <c>/ : @ %</c> nor a control character, so that it reads unambiguously in <c>models:/NAME@ALIAS</c> and
    /// <c>models:/NAME/VERSION</c>.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <exception cref="TrackingException">A rule is broken.</exception>
    public static void CheckModelName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw TrackingException.Invalid("Registered model name cannot be empty.");
        }

        CheckLength("Registered model name", name, MaxModelNameLength);
        foreach (var c in name)
        {
            if (c is '/' or ':' or '@' or '%' || char.IsControl(c))
            {
                throw TrackingException.Invalid($"Invalid registered model name: '{name}' (character '{c}'). A name may not contain '/', ':', '@', '%' or control characters, so that models:/NAME@ALIAS reads unambiguously.");
            }
        }
    }

    /// <summary>
    /// Checks a registered model alias: not empty, only alphanumerics, <c>_</c> and <c>-</c>, at most
    /// <see cref="MaxAliasLength"/> characters; <c>latest</c> and version-like names (<c>v3</c>) are reserved.
    /// </summary>
    /// <param name="alias">The alias.</param>
    /// <exception cref="TrackingException">A rule is broken.</exception>
    public static void CheckAlias(string? alias)
    {
        if (string.IsNullOrEmpty(alias))
        {
            throw TrackingException.Invalid("Registered model alias name cannot be empty.");
        }

        foreach (var c in alias)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '-'))
            {
                throw TrackingException.Invalid($"Invalid alias name: '{alias}' (character '{c}'). Names may only contain alphanumerics, underscores (_), and dashes (-).");
            }
        }

        CheckLength("Registered model alias name", alias, MaxAliasLength);
        if (alias.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            throw TrackingException.Invalid("'latest' alias name (case insensitive) is reserved.");
        }

        if (alias.Length > 1 && alias[0] is 'v' or 'V' && !alias.AsSpan(1).ContainsAnyExceptInRange('0', '9'))
        {
            throw TrackingException.Invalid($"Version alias name '{alias}' is reserved.");
        }
    }

    /// <summary>
    /// Checks an artifact path: relative, folders separated by <c>/</c>, no empty, <c>.</c> or <c>..</c> part, no
    /// backslash, colon or control character, at most 1,000 characters; so that it cannot leave the run's artifacts.
    /// </summary>
    /// <param name="path">The path.</param>
    /// <exception cref="TrackingException">The path is not safe.</exception>
    public static void CheckArtifactPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw TrackingException.Invalid("An artifact path is empty.");
        }

        foreach (var c in path)
        {
            if (c is '\\' or ':' || char.IsControl(c))
            {
                throw TrackingException.Invalid($"Invalid artifact path '{path}': it holds '{(char.IsControl(c) ? "a control character" : c.ToString())}'. Use a relative path with '/' between folders.");
            }
        }

        if (path.Length > 1000 || path.StartsWith('/') || path.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw TrackingException.Invalid($"Invalid artifact path '{path}': use a relative path of at most 1000 characters, with '/' between folders and no empty, '.' or '..' part.");
        }
    }

    private static void CheckLength(string what, string value, int limit)
    {
        if (value.Length > limit)
        {
            throw TrackingException.Invalid($"{what} '{value[..Math.Min(250, value.Length)]}' had length {value.Length}, which exceeded length limit of {limit}.");
        }
    }

    private static void CheckBatchLimit(string what, int limit, int count)
    {
        if (count > limit)
        {
            throw TrackingException.Invalid($"A batch logging request can contain at most {limit} {what}. Got {count} {what}. Please split up {what} across multiple requests and try again.");
        }
    }

    /// <summary>The path a name resolves to, as POSIX <c>normpath</c> resolves it (Python's <c>posixpath.normpath</c>).</summary>
    internal static string NormalPath(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var slashes = path.StartsWith('/') ? (path.StartsWith("//", StringComparison.Ordinal) && !path.StartsWith("///", StringComparison.Ordinal) ? 2 : 1) : 0;
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part != ".." || (slashes == 0 && parts.Count == 0) || (parts.Count > 0 && parts[^1] == ".."))
            {
                parts.Add(part);
            }
            else if (parts.Count > 0)
            {
                parts.RemoveAt(parts.Count - 1);
            }
        }

        var joined = new string('/', slashes) + string.Join('/', parts);
        return joined.Length == 0 ? "." : joined;
    }
}
