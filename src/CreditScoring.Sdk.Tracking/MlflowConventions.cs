namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// MLflow's conventions every store of this package follows the same way: the system tags a new run carries, and the
/// URIs that name a run's artifacts (<c>runs:/RUN/PATH</c>, and the proxied <c>mlflow-artifacts:/EXPERIMENT/RUN/artifacts/PATH</c>
/// a tracking server reports).
/// </summary>
internal static class MlflowConventions
{
    private const string RunsScheme = "runs:/";
    /// <summary>The scheme of proxied artifacts: <c>mlflow-artifacts:/</c>.</summary>
    public const string ProxiedScheme = "mlflow-artifacts:/";

    /// <summary>
    /// A new run's tags with MLflow's system tags added: <c>mlflow.runName</c> (when <paramref name="runName"/> is not
    /// empty), <c>mlflow.user</c>, <c>mlflow.parentRunId</c> (its id checked) and <c>mlflow.note.content</c> (the
    /// description, when there is one); checked as a batch.
    /// </summary>
    /// <exception cref="TrackingException">A tag, or the parent's id, breaks a rule.</exception>
    public static List<RunTag> SystemTags(NewRun run, string? runName)
    {
        var tags = new List<RunTag>(run.Tags);
        if (!string.IsNullOrEmpty(runName))
        {
            tags.Add(new RunTag("mlflow.runName", runName));
        }

        tags.Add(new RunTag("mlflow.user", run.UserId));
        if (run.ParentRunId is { } parent)
        {
            TrackingRules.CheckRunId(parent);
            tags.Add(new RunTag("mlflow.parentRunId", parent));
        }

        if (run.Description.Length > 0)
        {
            tags.Add(new RunTag("mlflow.note.content", run.Description));
        }

        TrackingRules.CheckBatch([], [], tags);
        return tags;
    }

    /// <summary>
    /// The run and the path under its artifacts that <c>runs:/RUN[/PATH]</c> or
    /// <c>mlflow-artifacts:/EXPERIMENT/RUN/artifacts[/PATH]</c> names (trailing slashes dropped; <see langword="null"/>
    /// for the artifacts folder itself); <see langword="false"/> for another URI. The run id is not checked here.
    /// </summary>
    public static bool TryParseRunArtifact(string uri, out string runId, out string? path)
    {
        (runId, path) = ("", null);
        string? rest;
        if (uri.StartsWith(RunsScheme, StringComparison.Ordinal))
        {
            rest = uri[RunsScheme.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            (runId, rest) = slash < 0 ? (rest, null) : (rest[..slash], rest[(slash + 1)..]);
        }
        else if (uri.StartsWith(ProxiedScheme, StringComparison.Ordinal) && uri[ProxiedScheme.Length..].Split('/', 4) is [_, var run, "artifacts", ..] parts)
        {
            (runId, rest) = (run, parts.Length == 4 ? parts[3] : null);
        }
        else
        {
            return false;
        }

        path = rest?.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : null;
        return true;
    }

    /// <summary>An experiment's artifacts as a tracking server that proxies them names them: <c>mlflow-artifacts:/EXPERIMENT</c>.</summary>
    public static string ProxiedExperimentUri(string experimentId) => ProxiedScheme + experimentId;

    /// <summary>A run's artifacts as a tracking server that proxies them names them: <c>mlflow-artifacts:/EXPERIMENT/RUN/artifacts</c>.</summary>
    public static string ProxiedArtifactUri(string experimentId, string runId) => $"{ProxiedExperimentUri(experimentId)}/{runId}/artifacts";
}
