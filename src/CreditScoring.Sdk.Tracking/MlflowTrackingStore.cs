using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Scoring;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CreditScoring.Sdk.Tracking;

/// <summary>How <see cref="MlflowTrackingStore"/> talks to its server.</summary>
public sealed class MlflowStoreOptions
{
    /// <summary>A bearer token sent with every request (<c>MLFLOW_TRACKING_TOKEN</c>'s role), or <see langword="null"/> (the default).</summary>
    public string? Token { get; init; }

    /// <summary>A user name for HTTP basic authentication (<c>MLFLOW_TRACKING_USERNAME</c>'s role), or <see langword="null"/> (the default).</summary>
    public string? UserName { get; init; }

    /// <summary>The basic authentication password (<c>MLFLOW_TRACKING_PASSWORD</c>'s role).</summary>
    public string? Password { get; init; }

    /// <summary>Retries of a request that failed transiently (no connection, a timeout, HTTP 429, 502, 503, 504; 500 for reads); default 4.</summary>
    public int MaxRetryAttempts { get; init; } = 4;

    /// <summary>The first retry's delay, doubled for each next one with jitter; default 0.5 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>How long one attempt may take; default 60 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The clock of retry delays and timeouts; <see langword="null"/> for the system's.</summary>
    public TimeProvider? TimeProvider { get; init; }
}

/// <summary>
/// A tracking store on a remote MLflow tracking server, through its REST API 2.0 (<c>/api/2.0/mlflow/...</c>): an MLflow
/// server, or a .NET host that maps <c>MapExperimentTracking</c>. Artifacts go through the server's proxied artifact
/// endpoint (<c>/api/2.0/mlflow-artifacts/artifacts</c>; an MLflow server needs <c>--serve-artifacts</c>, its default
/// since 2.0). A request that fails transiently (no connection, a timeout, HTTP 429, 502, 503 or 504, and 500 for a read)
/// is retried with exponential backoff (Polly); a refusal (HTTP 4xx) is not, and becomes a <see cref="TrackingException"/>
/// with MLflow's error code and message. MLflow's rules are checked here before anything is sent.
/// <para>
/// Registry actions are recorded by the server under the user it authenticates (<see cref="MlflowStoreOptions.UserName"/>
/// or the token's); the <c>userId</c> arguments are not sent. A version's SHA-256, data fingerprint and SDK version travel as
/// <c>creditscoring.*</c> tags, computed here from the model file when the server does not record them itself (an MLflow
/// server). The audit log is read from the .NET host's <c>/api/2.0/creditscoring/registry/audit</c>; an MLflow server keeps none.
/// </para>
/// </summary>
public sealed class MlflowTrackingStore : IModelRegistry
{
    private const string Api = "api/2.0/mlflow/";
    private const string Artifacts = "api/2.0/mlflow-artifacts/artifacts/";
    private readonly HttpClient _http;
    private readonly bool _ownsClient;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    /// <summary>A store on the server at <paramref name="trackingUri"/>.</summary>
    /// <param name="trackingUri">The server, such as <c>http://mlflow.internal:5000</c>.</param>
    /// <param name="options">Authentication, retries and timeouts; <see langword="null"/> for the defaults.</param>
    public MlflowTrackingStore(Uri trackingUri, MlflowStoreOptions? options = null)
        : this(new HttpClient(), trackingUri, options, ownsClient: true)
    {
    }

    /// <summary>A store on the server at <paramref name="trackingUri"/>, through a client the caller owns (from <c>IHttpClientFactory</c>, say).</summary>
    /// <param name="http">The client (its <see cref="HttpClient.Timeout"/> should exceed the attempts' timeout).</param>
    /// <param name="trackingUri">The server.</param>
    /// <param name="options">Authentication, retries and timeouts; <see langword="null"/> for the defaults.</param>
    public MlflowTrackingStore(HttpClient http, Uri trackingUri, MlflowStoreOptions? options = null)
        : this(http, trackingUri, options, ownsClient: false)
    {
    }

    private MlflowTrackingStore(HttpClient http, Uri trackingUri, MlflowStoreOptions? options, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(trackingUri);
        options ??= new MlflowStoreOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetryAttempts);
        _http = http;
        _ownsClient = ownsClient;
        TrackingUri = new Uri(trackingUri.AbsoluteUri.TrimEnd('/') + "/");
        if (options.Token is { } token)
        {
            Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (options.UserName is { } user)
        {
            Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{options.Password}")));
        }

        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider ?? TimeProvider.System };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } response } => Transient(response),
                    _ => false,
                }),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }

        _pipeline = builder.AddTimeout(options.AttemptTimeout).Build();
    }

    /// <summary>The server.</summary>
    public Uri TrackingUri { get; }

    private AuthenticationHeaderValue? Authorization { get; }

    /// <summary>The server's address.</summary>
    /// <returns>The address.</returns>
    public override string ToString() => TrackingUri.AbsoluteUri;

    /// <summary>Releases the HTTP client when the store created it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    /// <inheritdoc />
    public async Task<string> CreateExperimentAsync(string name, IReadOnlyList<RunTag>? tags = null, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckExperimentName(name);
        foreach (var tag in tags ?? [])
        {
            TrackingRules.Check(tag);
        }

        var response = await PostAsync("experiments/create", new JsonObject { ["name"] = name, ["tags"] = MlflowJson.Pairs((tags ?? []).Select(t => (t.Key, t.Value))) }, cancellationToken).ConfigureAwait(false);
        return MlflowJson.Text(response, "experiment_id") ?? throw MlflowJson.Missing("experiment_id");
    }

    /// <inheritdoc />
    public async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        MlflowJson.ReadExperiment((await GetAsync("experiments/get", [("experiment_id", experimentId)], cancellationToken).ConfigureAwait(false))["experiment"]!);

    /// <inheritdoc />
    public async Task<Experiment?> FindExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return MlflowJson.ReadExperiment((await GetAsync("experiments/get-by-name", [("experiment_name", name)], cancellationToken).ConfigureAwait(false))["experiment"]!);
        }
        catch (TrackingException e) when (e.Code == TrackingErrorCode.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Experiment>> ListExperimentsAsync(CancellationToken cancellationToken = default)
    {
        var experiments = await AllPagesAsync(
            token =>
            {
                var body = new JsonObject { ["max_results"] = 1000, ["view_type"] = "ACTIVE_ONLY" };
                if (token is not null)
                {
                    body["page_token"] = token;
                }

                return PostAsync("experiments/search", body, cancellationToken);
            },
            "experiments",
            MlflowJson.ReadExperiment).ConfigureAwait(false);
        return [.. experiments.OrderBy(e => long.TryParse(e.ExperimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue).ThenBy(e => e.ExperimentId, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<TrackedRun> CreateRunAsync(string experimentId, NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var tags = MlflowConventions.SystemTags(run, run.RunName);
        var body = new JsonObject { ["experiment_id"] = experimentId, ["user_id"] = run.UserId, ["tags"] = MlflowJson.Pairs(tags.Select(t => (t.Key, t.Value))) };
        if (run.RunName.Length > 0)
        {
            body["run_name"] = run.RunName;
        }

        if (run.StartTime is { } start)
        {
            body["start_time"] = start;
        }

        return MlflowJson.ReadRun((await PostAsync("runs/create", body, cancellationToken).ConfigureAwait(false))["run"]!);
    }

    /// <inheritdoc />
    public async Task<TrackedRun> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        MlflowJson.ReadRun((await GetAsync("runs/get", [("run_id", runId)], cancellationToken).ConfigureAwait(false))["run"]!);

    /// <inheritdoc />
    public async Task UpdateRunAsync(string runId, RunStatus status, long? endTime = null, string? runName = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["run_id"] = runId, ["run_uuid"] = runId, ["status"] = RunFilter.StatusName(status) };
        if (endTime is { } end)
        {
            body["end_time"] = end;
        }

        if (runName is not null)
        {
            body["run_name"] = runName;
        }

        await PostAsync("runs/update", body, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<RunTag> tags, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckBatch(metrics, parameters, tags);
        await PostAsync(
            "runs/log-batch",
            new JsonObject
            {
                ["run_id"] = runId,
                ["metrics"] = new JsonArray([.. metrics.Select(m => (JsonNode)MlflowJson.Metric(m))]),
                ["params"] = MlflowJson.Pairs(parameters.Select(p => (p.Key, p.Value))),
                ["tags"] = MlflowJson.Pairs(tags.Select(t => (t.Key, t.Value))),
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs)
        {
            TrackingRules.Check(input);
        }

        await PostAsync("runs/log-inputs", new JsonObject { ["run_id"] = runId, ["datasets"] = new JsonArray([.. inputs.Select(d => (JsonNode)MlflowJson.Dataset(d))]) }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        var history = await AllPagesAsync(token => GetAsync("metrics/get-history", Paged([("run_id", runId), ("run_uuid", runId), ("metric_key", key)], token), cancellationToken), "metrics", MlflowJson.ReadMetric).ConfigureAwait(false);
        return [.. history.OrderBy(m => m.Step).ThenBy(m => m.Timestamp).ThenBy(m => m.Value)];
    }

    /// <inheritdoc />
    public async Task<RunPage> SearchRunsAsync(RunSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search.ExperimentIds is not { Count: > 0 })
        {
            throw new TrackingException(TrackingErrorCode.InvalidParameterValue, "A run search needs at least one experiment id.");
        }

        _ = RunFilter.Parse(search.Filter); // a bad filter is refused here, with the character it stumbles at
        _ = RunOrder.Parse(search.OrderBy);
        var body = new JsonObject
        {
            ["experiment_ids"] = new JsonArray([.. search.ExperimentIds.Select(id => (JsonNode)id)]),
            ["filter"] = search.Filter ?? "",
            ["order_by"] = new JsonArray([.. search.OrderBy.Select(o => (JsonNode)o)]),
            ["max_results"] = search.MaxResults,
            ["run_view_type"] = "ACTIVE_ONLY",
        };
        if (search.PageToken is not null)
        {
            body["page_token"] = search.PageToken;
        }

        var page = await PostAsync("runs/search", body, cancellationToken).ConfigureAwait(false);
        return new RunPage([.. MlflowJson.Items(page["runs"]).Select(MlflowJson.ReadRun)], NextPageToken(page));
    }

    /// <inheritdoc />
    public async Task LogArtifactAsync(string runId, string path, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        TrackingRules.CheckArtifactPath(path);
        var root = await ProxiedRootAsync(runId, cancellationToken).ConfigureAwait(false);
        var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray(); // sent again whole on a retry
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, new Uri(TrackingUri, Artifacts + root + "/" + Escape(path))) { Content = new ByteArrayContent(bytes) }, cancellationToken).ConfigureAwait(false);
        await CheckAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactInfo>> ListArtifactsAsync(string runId, string? path = null, CancellationToken cancellationToken = default)
    {
        if (path is not null)
        {
            TrackingRules.CheckArtifactPath(path);
        }

        var query = new List<(string, string)> { ("run_id", runId), ("run_uuid", runId) };
        if (path is not null)
        {
            query.Add(("path", path));
        }

        var listed = await GetAsync("artifacts/list", query, cancellationToken).ConfigureAwait(false);
        return
        [
            .. MlflowJson.Items(listed["files"])
                .Select(f => new ArtifactInfo(MlflowJson.Text(f, "path")!, f["is_dir"]?.GetValue<bool>() ?? false, MlflowJson.Long(f, "file_size")))
                .Select(a => path is not null && !a.Path.StartsWith(path + "/", StringComparison.Ordinal) ? a with { Path = path + "/" + a.Path } : a)
                .OrderBy(a => a.Path, StringComparer.Ordinal),
        ];
    }

    /// <inheritdoc />
    public async Task<Stream> OpenArtifactAsync(string runId, string path, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckArtifactPath(path);
        var root = await ProxiedRootAsync(runId, cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(TrackingUri, Artifacts + root + "/" + Escape(path))), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Run {runId} has no artifact '{path}'.");
        }

        await CheckAsync(response, cancellationToken).ConfigureAwait(false);
        var copy = new MemoryStream();
        await response.Content.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        copy.Position = 0;
        return copy;
    }

    /// <inheritdoc />
    public async Task<RegisteredModel> CreateRegisteredModelAsync(string name, string description = "", IReadOnlyList<RunTag>? tags = null, string? userId = null, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckModelName(name);
        foreach (var tag in tags ?? [])
        {
            TrackingRules.Check(tag);
        }

        var created = await PostAsync("registered-models/create", new JsonObject { ["name"] = name, ["description"] = description, ["tags"] = MlflowJson.Pairs((tags ?? []).Select(t => (t.Key, t.Value))) }, cancellationToken).ConfigureAwait(false);
        return MlflowJson.ReadRegisteredModel(created["registered_model"]!);
    }

    /// <inheritdoc />
    public async Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken cancellationToken = default) =>
        MlflowJson.ReadRegisteredModel((await GetAsync("registered-models/get", [("name", name)], cancellationToken).ConfigureAwait(false))["registered_model"]!);

    /// <inheritdoc />
    public async Task<IReadOnlyList<RegisteredModel>> ListRegisteredModelsAsync(CancellationToken cancellationToken = default)
    {
        var models = await AllPagesAsync(token => GetAsync("registered-models/search", Paged([("max_results", "1000")], token), cancellationToken), "registered_models", MlflowJson.ReadRegisteredModel).ConfigureAwait(false);
        return [.. models.OrderBy(m => m.Name, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public Task UpdateRegisteredModelAsync(string name, string description, string? userId = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Patch, "registered-models/update", new JsonObject { ["name"] = name, ["description"] = description }, cancellationToken);

    /// <inheritdoc />
    public Task SetRegisteredModelTagAsync(string name, RunTag tag, string? userId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        TrackingRules.Check(tag);
        return PostAsync("registered-models/set-tag", new JsonObject { ["name"] = name, ["key"] = tag.Key, ["value"] = tag.Value }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ModelVersion> CreateModelVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        TrackingRules.CheckModelName(version.Name);
        var tags = version.Tags.ToList();
        foreach (var tag in tags)
        {
            TrackingRules.Check(tag);
        }

        // What an MLflow server does not record, computed here from the file (a .NET host records its own).
        var runId = version.RunId;
        if (await LocateFileAsync(version, cancellationToken).ConfigureAwait(false) is { } file)
        {
            runId ??= file.RunId;
            tags.Add(new RunTag(MlflowJson.Sha256Tag, Convert.ToHexStringLower(SHA256.HashData(file.Bytes))));
            tags.Add(new RunTag(MlflowJson.ArtifactPathTag, file.Path));
            try
            {
                var model = CreditModel.Load(new MemoryStream(file.Bytes, writable: false));
                tags.Add(new RunTag(MlflowJson.FingerprintTag, model.Metadata.DataFingerprint));
                tags.Add(new RunTag(MlflowJson.SdkVersionTag, model.Metadata.SdkVersion));
            }
            catch (ModelFormatException)
            {
                // Not a CreditScoring model file: its checksum only.
            }
        }

        var body = new JsonObject { ["name"] = version.Name, ["source"] = version.Source, ["description"] = version.Description, ["tags"] = MlflowJson.Pairs(tags.Select(t => (t.Key, t.Value))) };
        if (runId is not null)
        {
            body["run_id"] = runId;
        }

        return MlflowJson.ReadModelVersion((await PostAsync("model-versions/create", body, cancellationToken).ConfigureAwait(false))["model_version"]!);
    }

    /// <inheritdoc />
    public async Task<ModelVersion> GetModelVersionAsync(string name, long version, CancellationToken cancellationToken = default) =>
        MlflowJson.ReadModelVersion((await GetAsync("model-versions/get", [("name", name), ("version", MlflowJson.Invariant(version))], cancellationToken).ConfigureAwait(false))["model_version"]!);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ModelVersion>> ListModelVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        var found = await GetAsync("model-versions/search", [("filter", $"name = '{name.Replace("'", "''", StringComparison.Ordinal)}'"), ("max_results", "10000")], cancellationToken).ConfigureAwait(false);
        var versions = MlflowJson.Items(found["model_versions"]).Select(MlflowJson.ReadModelVersion).OrderByDescending(v => v.Version).ToList();
        if (versions.Count == 0)
        {
            _ = await GetRegisteredModelAsync(name, cancellationToken).ConfigureAwait(false); // an unknown model is an error, not an empty list
        }

        return versions;
    }

    /// <inheritdoc />
    public Task UpdateModelVersionAsync(string name, long version, string description, string? userId = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Patch, "model-versions/update", new JsonObject { ["name"] = name, ["version"] = MlflowJson.Invariant(version), ["description"] = description }, cancellationToken);

    /// <inheritdoc />
    public Task SetModelVersionTagAsync(string name, long version, RunTag tag, string? userId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        TrackingRules.Check(tag);
        return PostAsync("model-versions/set-tag", new JsonObject { ["name"] = name, ["version"] = MlflowJson.Invariant(version), ["key"] = tag.Key, ["value"] = tag.Value }, cancellationToken);
    }

    /// <inheritdoc />
    public Task SetAliasAsync(string name, string aliasName, long version, string? userId = null, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckAlias(aliasName);
        return PostAsync("registered-models/alias", new JsonObject { ["name"] = name, ["alias"] = aliasName, ["version"] = MlflowJson.Invariant(version) }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task DeleteAliasAsync(string name, string aliasName, string? userId = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, Url(Api + "registered-models/alias", [("name", name), ("alias", aliasName)])), cancellationToken).ConfigureAwait(false);
        await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ModelVersion> GetVersionByAliasAsync(string name, string aliasName, CancellationToken cancellationToken = default) =>
        MlflowJson.ReadModelVersion((await GetAsync("registered-models/alias", [("name", name), ("alias", aliasName)], cancellationToken).ConfigureAwait(false))["model_version"]!);

    /// <inheritdoc />
    public async Task<Stream> OpenModelFileAsync(string name, long version, CancellationToken cancellationToken = default)
    {
        var v = await GetModelVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (v.RunId is null || v.ArtifactPath is null)
        {
            throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Version {version} of '{name}' has no model file the server serves: its source {v.Source} is not a run's artifact.");
        }

        return await OpenArtifactAsync(v.RunId, v.ArtifactPath, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RegistryEvent>> GetAuditLogAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url("api/2.0/creditscoring/registry/audit", name is null ? [] : [("name", name)])), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound && response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"The server {TrackingUri} keeps no registry audit log (an MLflow server does not); a .NET host with MapExperimentTracking does.");
        }

        var log = await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        return [.. MlflowJson.Items(log["events"]).Select(MlflowJson.ReadAuditEvent)];
    }

    /// <summary>The model file a new version's source names (a file, or a folder's <c>model.json</c>), when the server serves it.</summary>
    private async Task<(string RunId, string Path, byte[] Bytes)?> LocateFileAsync(NewModelVersion version, CancellationToken cancellationToken)
    {
        if (!MlflowConventions.TryParseRunArtifact(version.Source, out var runId, out var path) || path is null)
        {
            return null;
        }

        foreach (var candidate in new[] { path, path + "/model.json" })
        {
            try
            {
                await using var stream = await OpenArtifactAsync(runId, candidate, cancellationToken).ConfigureAwait(false);
                return (runId, candidate, ((MemoryStream)stream).ToArray());
            }
            catch (TrackingException e) when (e.Code is TrackingErrorCode.ResourceDoesNotExist or TrackingErrorCode.InvalidParameterValue)
            {
                // Not a file there: the next candidate.
            }
        }

        return null;
    }

    /// <summary>The run's artifact root as the proxied endpoint names it (EXPERIMENT/RUN/artifacts).</summary>
    private async Task<string> ProxiedRootAsync(string runId, CancellationToken cancellationToken)
    {
        var uri = (await GetRunAsync(runId, cancellationToken).ConfigureAwait(false)).Info.ArtifactUri;
        const string Scheme = "mlflow-artifacts:";
        if (!uri.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"Run {runId} keeps its artifacts at {uri}, which the server does not proxy; start the MLflow server with --serve-artifacts (its default since 2.0).");
        }

        // mlflow-artifacts:/0/RUN/artifacts or mlflow-artifacts://host/0/RUN/artifacts
        var rest = uri[Scheme.Length..].TrimStart('/');
        if (uri.StartsWith(Scheme + "//", StringComparison.Ordinal))
        {
            rest = rest[(rest.IndexOf('/', StringComparison.Ordinal) + 1)..];
        }

        return rest.TrimEnd('/');
    }

    /// <summary>Every item of a paged listing: pages fetched with the previous page's token until one has none.</summary>
    private static async Task<List<T>> AllPagesAsync<T>(Func<string?, Task<JsonNode>> page, string items, Func<JsonNode, T> read)
    {
        var all = new List<T>();
        string? token = null;
        do
        {
            var answer = await page(token).ConfigureAwait(false);
            all.AddRange(MlflowJson.Items(answer[items]).Select(read));
            token = NextPageToken(answer);
        }
        while (token is not null);
        return all;
    }

    private static string? NextPageToken(JsonNode page) => MlflowJson.Text(page, "next_page_token") is { Length: > 0 } next ? next : null;

    /// <summary>A query with the page token added when there is one.</summary>
    private static List<(string, string)> Paged(IEnumerable<(string, string)> query, string? token) =>
        token is null ? [.. query] : [.. query, ("page_token", token)];

    private Task<JsonNode> GetAsync(string path, IReadOnlyList<(string Key, string Value)> query, CancellationToken cancellationToken) =>
        SendJsonAsync(HttpMethod.Get, path, query, null, cancellationToken);

    private Task<JsonNode> PostAsync(string path, JsonObject body, CancellationToken cancellationToken) =>
        SendJsonAsync(HttpMethod.Post, path, [], body, cancellationToken);

    private Task SendJsonAsync(HttpMethod method, string path, JsonObject body, CancellationToken cancellationToken) =>
        SendJsonAsync(method, path, [], body, cancellationToken);

    private async Task<JsonNode> SendJsonAsync(HttpMethod method, string path, IReadOnlyList<(string Key, string Value)> query, JsonObject? body, CancellationToken cancellationToken)
    {
        var text = body?.ToJsonString();
        using var response = await SendAsync(
            () => new HttpRequestMessage(method, Url(Api + path, query)) { Content = text is null ? null : new StringContent(text, Encoding.UTF8, "application/json") },
            cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request (built anew for each attempt), retrying transient failures.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(
                async ct =>
                {
                    using var message = request();
                    message.Headers.Authorization = Authorization;
                    message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    return await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"The tracking server {TrackingUri} could not be reached: {e.Message}");
        }
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await CheckAsync(response, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
    }

    /// <summary>Turns a refusal into MLflow's error: its code and message.</summary>
    private static async Task CheckAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? code = null, message = null;
        try
        {
            if (JsonNode.Parse(text) is JsonObject error)
            {
                (code, message) = (MlflowJson.Text(error, "error_code"), MlflowJson.Text(error, "message"));
            }
        }
        catch (JsonException)
        {
            // Not MLflow's error body (a proxy's page, say): the status says it.
        }

        var kind = code switch
        {
            "RESOURCE_DOES_NOT_EXIST" => TrackingErrorCode.ResourceDoesNotExist,
            "RESOURCE_ALREADY_EXISTS" => TrackingErrorCode.ResourceAlreadyExists,
            "INVALID_STATE" => TrackingErrorCode.InvalidState,
            null when response.StatusCode == HttpStatusCode.NotFound => TrackingErrorCode.ResourceDoesNotExist,
            _ => TrackingErrorCode.InvalidParameterValue,
        };
        throw new TrackingException(kind, message ?? $"The tracking server answered {(int)response.StatusCode} {response.ReasonPhrase} to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text[..Math.Min(text.Length, 500)]}");
    }

    /// <summary>Whether a response is worth a retry: the server busy or a gateway failing, or an error on a read (which changes nothing).</summary>
    private static bool Transient(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
        || (response.StatusCode == HttpStatusCode.InternalServerError && response.RequestMessage?.Method == HttpMethod.Get);

    private Uri Url(string path, IReadOnlyList<(string Key, string Value)> query) =>
        new(TrackingUri, query.Count == 0 ? path : path + "?" + string.Join("&", query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")));

    private static string Escape(string path) => string.Join("/", path.Split('/').Select(Uri.EscapeDataString));
}
