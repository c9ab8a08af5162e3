namespace CreditScoring.Sdk.Tracking;

/// <summary>One key of a run ordering: a field, a key, and a direction.</summary>
/// <param name="Field">What is ordered by.</param>
/// <param name="Key">The metric, parameter, tag or attribute key.</param>
/// <param name="Descending">Largest first.</param>
public sealed record OrderKey(RunField Field, string Key, bool Descending);

/// <summary>
/// A run ordering in MLflow's grammar: keys such as <c>metrics.auc desc</c>, <c>params.learner</c>,
/// <c>attributes.start_time asc</c> (ascending unless <c>desc</c>). Runs without the metric, parameter or tag (or whose
/// metric is NaN) come last either way; ties end with the newest start first, then the run id, as MLflow orders.
/// </summary>
public sealed class RunOrder : IComparer<TrackedRun>
{
    private static readonly string[] Orderable = ["run_id", "run_name", "status", "user_id", "artifact_uri", "start_time", "end_time"];

    private RunOrder(IReadOnlyList<OrderKey> keys)
    {
        Keys = keys;
    }

    /// <summary>The keys, most significant first.</summary>
    public IReadOnlyList<OrderKey> Keys { get; }

    /// <summary>MLflow's default: the newest start first, then the run id.</summary>
    public static RunOrder Default { get; } = new([]);

    /// <summary>Parses an ordering.</summary>
    /// <param name="keys">The keys, most significant first (each <c>field.key [asc|desc]</c>); none for <see cref="Default"/>.</param>
    /// <returns>The ordering.</returns>
    /// <exception cref="TrackingException">A key is not in the grammar; the message says where and what was expected.</exception>
    public static RunOrder Parse(IEnumerable<string>? keys)
    {
        var parsed = new List<OrderKey>();
        foreach (var text in keys ?? [])
        {
            var tokens = new RunFilter.Tokens(text);
            var (field, key, at) = RunFilter.ParseIdentifier(tokens, text);
            if (field == RunField.Dataset || (field == RunField.Attribute && !Orderable.Contains(key)))
            {
                throw RunFilter.Error(text, at, $"cannot order by {(field == RunField.Dataset ? "data sets" : $"attribute '{key}'")}; order by metrics, params, tags or one of {string.Join(", ", Orderable)}");
            }

            var descending = false;
            if (!tokens.AtEnd)
            {
                var (word, wordAt) = tokens.Word();
                descending = word.ToLowerInvariant() switch
                {
                    "asc" => false,
                    "desc" => true,
                    _ => throw RunFilter.Error(text, wordAt, $"expected asc or desc, found '{word}'"),
                };
                if (!tokens.AtEnd)
                {
                    throw RunFilter.Error(text, tokens.Position, "expected the end of the order key");
                }
            }

            parsed.Add(new OrderKey(field, key, descending));
        }

        return parsed.Count == 0 ? Default : new RunOrder(parsed);
    }

    /// <inheritdoc />
    public int Compare(TrackedRun? x, TrackedRun? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        foreach (var key in Keys)
        {
            var (a, b) = (Value(x, key), Value(y, key));
            if (a is null || b is null)
            {
                if (a is null != b is null)
                {
                    return a is null ? 1 : -1; // missing last, in either direction
                }

                continue;
            }

            var c = a is double da && b is double db ? da.CompareTo(db) : string.CompareOrdinal((string)a, (string)b);
            if (c != 0)
            {
                return key.Descending ? -c : c;
            }
        }

        var start = y.Info.StartTime.CompareTo(x.Info.StartTime);
        return start != 0 ? start : string.CompareOrdinal(x.Info.RunId, y.Info.RunId);
    }

    /// <summary>The ordering as text, one key per entry.</summary>
    /// <returns>The keys.</returns>
    public IReadOnlyList<string> ToStrings() => [.. Keys.Select(k => $"{RunFilter.Identifier(k.Field, k.Key)} {(k.Descending ? "DESC" : "ASC")}")];

    private static object? Value(TrackedRun run, OrderKey key) => key.Field switch
    {
        RunField.Metric => RunFilter.Latest(run, key.Key) is { Value: var v } && !double.IsNaN(v) ? v : null, // NaN orders as missing
        RunField.Param => run.Params.FirstOrDefault(p => p.Key == key.Key)?.Value,
        RunField.Tag => run.Tags.FirstOrDefault(t => t.Key == key.Key)?.Value,
        _ => key.Key switch
        {
            "start_time" => (double)run.Info.StartTime,
            "end_time" => run.Info.EndTime is { } end ? (double)end : null,
            "run_id" => run.Info.RunId,
            "run_name" => run.Info.RunName,
            "status" => RunFilter.StatusName(run.Info.Status),
            "user_id" => run.Info.UserId,
            _ => run.Info.ArtifactUri,
        },
    };
}
