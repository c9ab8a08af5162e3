using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CreditScoring.Sdk.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>
/// MLflow's tracking and model registry REST API 2.0 over the SDK's stores, so that MLflow clients (Python's
/// <c>mlflow</c>, the Node.js <c>mlflow</c> package, the SDK's own <c>MlflowTrackingStore</c>) log to and read from a .NET
/// host. The subset mapped: experiments (create, get, get-by-name, list, search), runs (create, get, update, log-metric,
/// log-parameter, set-tag, log-batch, log-inputs, search), metric history, artifacts (list, and the proxied
/// <c>/api/2.0/mlflow-artifacts/artifacts</c> upload, download and list), registered models (create, get, search, update,
/// set-tag, get-latest-versions, aliases) and model versions (create, get, search, update, set-tag, get-download-uri);
/// and, beyond MLflow, the registry's audit log at <c>/api/2.0/creditscoring/registry/audit</c>. Errors answer as
/// MLflow's do: <c>{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "..."}</c> with 404, other refusals with 400.
/// Runs report <c>mlflow-artifacts:/EXPERIMENT/RUN/artifacts</c> as their artifact URI: the host serves every artifact.
/// </summary>
public static class ExperimentTrackingEndpoints
{
    private const string Api = "/api/2.0/mlflow";
    private const string Artifacts = "/api/2.0/mlflow-artifacts/artifacts";

    /// <summary>Registers the tracking store (and registry) the endpoints serve: <see cref="TrackingStores.Open"/> of <paramref name="location"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="location">A SQLite file, <c>sqlite:///PATH</c>, <c>postgresql://...</c>, an Npgsql connection string, or another tracking server's address; <see langword="null"/> for <c>$CREDITSCORING_TRACKING_URI</c>, else <c>mlruns.db</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddExperimentTracking(this IServiceCollection services, string? location = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ => TrackingStores.Open(location));
        services.AddSingleton<ITrackingStore>(sp => sp.GetRequiredService<IModelRegistry>());
        return services;
    }

    /// <summary>
    /// Maps MLflow's REST API over the <see cref="IModelRegistry"/> in the services (see <see cref="AddExperimentTracking"/>).
    /// The endpoints write: add authorization to the returned group (<c>.RequireAuthorization()</c>) on any host others reach.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <returns>The group of the endpoints, for authorization, rate limits and the like.</returns>
    public static RouteGroupBuilder MapExperimentTracking(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("");
        MapExperiments(group);
        MapRuns(group);
        MapArtifacts(group);
        MapRegistry(group);
        return group;
    }

    private static void MapExperiments(RouteGroupBuilder g)
    {
        g.MapPost($"{Api}/experiments/create", Handle(async (r, store, c, ct) =>
        {
            if (r.Text("artifact_location") is { Length: > 0 })
            {
                throw new TrackingException(TrackingErrorCode.InvalidParameterValue, "This server keeps every experiment's artifacts itself; artifact_location cannot be chosen.");
            }

            return new JsonObject { ["experiment_id"] = await store.CreateExperimentAsync(r.Required("name"), r.Tags("tags"), ct) };
        }));
        g.MapGet($"{Api}/experiments/get", Handle(async (r, store, c, ct) => new JsonObject { ["experiment"] = Experiment(await store.GetExperimentAsync(r.Required("experiment_id"), ct)) }));
        g.MapGet($"{Api}/experiments/get-by-name", Handle(async (r, store, c, ct) =>
        {
            var name = r.Required("experiment_name");
            var found = await store.FindExperimentAsync(name, ct) ?? throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Could not find experiment with name '{name}'");
            return new JsonObject { ["experiment"] = Experiment(found) };
        }));
        g.MapGet($"{Api}/experiments/list", Handle(async (r, store, c, ct) => Experiments(await store.ListExperimentsAsync(ct))));
        var search = Handle(async (r, store, c, ct) =>
        {
            if (r.Text("filter") is { Length: > 0 } filter)
            {
                throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"This server lists every experiment; it does not filter them (filter '{filter}').");
            }

            return Experiments(await store.ListExperimentsAsync(ct));
        });
        g.MapPost($"{Api}/experiments/search", search);
        g.MapGet($"{Api}/experiments/search", search);
    }

    private static void MapRuns(RouteGroupBuilder g)
    {
        g.MapPost($"{Api}/runs/create", Handle(async (r, store, c, ct) =>
        {
            var tags = r.Tags("tags");
            var name = r.Text("run_name") ?? tags.FirstOrDefault(t => t.Key == "mlflow.runName")?.Value ?? "";
            var parent = tags.FirstOrDefault(t => t.Key == "mlflow.parentRunId")?.Value;
            var run = await store.CreateRunAsync(
                r.Required("experiment_id"),
                new NewRun { RunName = name, UserId = r.Text("user_id") ?? User(c), StartTime = r.Long("start_time"), Tags = [.. tags.Where(t => t.Key is not ("mlflow.runName" or "mlflow.parentRunId" or "mlflow.user" or "mlflow.note.content"))], ParentRunId = parent, Description = tags.FirstOrDefault(t => t.Key == "mlflow.note.content")?.Value ?? "" },
                ct);
            return new JsonObject { ["run"] = Run(run) };
        }));
        g.MapGet($"{Api}/runs/get", Handle(async (r, store, c, ct) => new JsonObject { ["run"] = Run(await store.GetRunAsync(RunId(r), ct)) }));
        g.MapPost($"{Api}/runs/update", Handle(async (r, store, c, ct) =>
        {
            var runId = RunId(r);
            var current = await store.GetRunAsync(runId, ct);
            var status = r.Text("status") is { } text ? MlflowJson.Status(text) : current.Info.Status;
            await store.UpdateRunAsync(runId, status, r.Long("end_time"), r.Text("run_name"), ct);
            return new JsonObject { ["run_info"] = RunInfo((await store.GetRunAsync(runId, ct)).Info) };
        }));
        g.MapPost($"{Api}/runs/log-metric", Handle(async (r, store, c, ct) =>
        {
            await store.LogBatchAsync(RunId(r), [new Metric(r.Required("key"), r.RequiredDouble("value"), r.RequiredLong("timestamp"), r.Long("step") ?? 0)], [], [], ct);
            return new JsonObject();
        }));
        g.MapPost($"{Api}/runs/log-parameter", Handle(async (r, store, c, ct) =>
        {
            await store.LogBatchAsync(RunId(r), [], [new Param(r.Required("key"), r.Text("value") ?? "")], [], ct);
            return new JsonObject();
        }));
        g.MapPost($"{Api}/runs/set-tag", Handle(async (r, store, c, ct) =>
        {
            await store.LogBatchAsync(RunId(r), [], [], [new RunTag(r.Required("key"), r.Text("value") ?? "")], ct);
            return new JsonObject();
        }));
        g.MapPost($"{Api}/runs/log-batch", Handle(async (r, store, c, ct) =>
        {
            var metrics = r.Items("metrics").Select(MlflowJson.ReadMetric).ToList();
            var parameters = r.Tags("params").Select(p => new Param(p.Key, p.Value)).ToList();
            await store.LogBatchAsync(RunId(r), metrics, parameters, r.Tags("tags"), ct);
            return new JsonObject();
        }));
        g.MapPost($"{Api}/runs/log-inputs", Handle(async (r, store, c, ct) =>
        {
            await store.LogInputsAsync(RunId(r), [.. r.Items("datasets").Select(MlflowJson.ReadDataset)], ct);
            return new JsonObject();
        }));
        g.MapPost($"{Api}/runs/search", Handle(async (r, store, c, ct) =>
        {
            var page = await store.SearchRunsAsync(
                new RunSearch { ExperimentIds = r.List("experiment_ids"), Filter = r.Text("filter"), OrderBy = r.List("order_by"), MaxResults = (int)Math.Clamp(r.Long("max_results") ?? 1000, int.MinValue, int.MaxValue), PageToken = r.Text("page_token") is { Length: > 0 } t ? t : null },
                ct);
            var json = new JsonObject { ["runs"] = new JsonArray([.. page.Runs.Select(run => (JsonNode)Run(run))]) };
            if (page.NextPageToken is not null)
            {
                json["next_page_token"] = page.NextPageToken;
            }

            return json;
        }));
        g.MapGet($"{Api}/metrics/get-history", Handle(async (r, store, c, ct) =>
            new JsonObject { ["metrics"] = new JsonArray([.. (await store.GetMetricHistoryAsync(RunId(r), r.Required("metric_key"), ct)).Select(m => (JsonNode)MlflowJson.Metric(m))]) }));
        g.MapGet($"{Api}/artifacts/list", Handle(async (r, store, c, ct) =>
        {
            var run = await store.GetRunAsync(RunId(r), ct);
            var path = r.Text("path") is { Length: > 0 } p ? p.Trim('/') : null;
            var files = await store.ListArtifactsAsync(run.Info.RunId, path, ct);
            return new JsonObject { ["root_uri"] = ArtifactUri(run.Info), ["files"] = Files(files, null) };
        }));
    }

    private static void MapArtifacts(RouteGroupBuilder g)
    {
        // EXPERIMENT/RUN/artifacts/PATH, as the runs' artifact URIs name them.
        g.MapGet($"{Artifacts}/{{**path}}", async (HttpContext c, string path) =>
        {
            await Guard(c, async (store, ct) =>
            {
                var (runId, relative) = ArtifactPath(path);
                await using var content = await store.OpenArtifactAsync(runId, relative ?? throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"'{path}' names a run's artifact folder, not a file."), ct);
                c.Response.ContentType = "application/octet-stream";
                await content.CopyToAsync(c.Response.Body, ct);
            });
        });
        g.MapPut($"{Artifacts}/{{**path}}", async (HttpContext c, string path) =>
        {
            await Guard(c, async (store, ct) =>
            {
                var (runId, relative) = ArtifactPath(path);
                await store.LogArtifactAsync(runId, relative ?? throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"'{path}' names a run's artifact folder, not a file."), c.Request.Body, ct);
                await Write(c, StatusCodes.Status200OK, new JsonObject());
            });
        });
        g.MapGet(Artifacts, Handle(async (r, store, c, ct) =>
        {
            var (runId, folder) = ArtifactPath(r.Required("path").Trim('/'));
            return new JsonObject { ["files"] = Files(await store.ListArtifactsAsync(runId, folder, ct), folder) };
        }));
    }

    private static void MapRegistry(RouteGroupBuilder g)
    {
        const string Models = Api + "/registered-models";
        const string Versions = Api + "/model-versions";
        g.MapPost($"{Models}/create", Handle(async (r, store, c, ct) =>
            new JsonObject { ["registered_model"] = await RegisteredModel(store, await store.CreateRegisteredModelAsync(r.Required("name"), r.Text("description") ?? "", r.Tags("tags"), User(c), ct), ct) }));
        g.MapGet($"{Models}/get", Handle(async (r, store, c, ct) =>
            new JsonObject { ["registered_model"] = await RegisteredModel(store, await store.GetRegisteredModelAsync(r.Required("name"), ct), ct) }));
        g.MapGet($"{Models}/search", Handle(async (r, store, c, ct) =>
        {
            var matches = NameFilter(r.Text("filter"));
            var models = new JsonArray();
            foreach (var m in (await store.ListRegisteredModelsAsync(ct)).Where(m => matches(m.Name)).Take((int)Math.Clamp(r.Long("max_results") ?? 100, 1, 1000)))
            {
                models.Add(await RegisteredModel(store, m, ct));
            }

            return new JsonObject { ["registered_models"] = models };
        }));
        g.MapPatch($"{Models}/update", Handle(async (r, store, c, ct) =>
        {
            var name = r.Required("name");
            await store.UpdateRegisteredModelAsync(name, r.Text("description") ?? "", User(c), ct);
            return new JsonObject { ["registered_model"] = await RegisteredModel(store, await store.GetRegisteredModelAsync(name, ct), ct) };
        }));
        g.MapPost($"{Models}/set-tag", Handle(async (r, store, c, ct) =>
        {
            await store.SetRegisteredModelTagAsync(r.Required("name"), new RunTag(r.Required("key"), r.Text("value") ?? ""), User(c), ct);
            return new JsonObject();
        }));
        g.MapPost($"{Models}/get-latest-versions", Handle(async (r, store, c, ct) =>
        {
            var model = await store.GetRegisteredModelAsync(r.Required("name"), ct);
            return new JsonObject { ["model_versions"] = model.LatestVersion is { } v ? new JsonArray(MlflowJson.ModelVersion(await store.GetModelVersionAsync(model.Name, v, ct))) : new JsonArray() };
        }));
        g.MapPost($"{Models}/alias", Handle(async (r, store, c, ct) =>
        {
            await store.SetAliasAsync(r.Required("name"), r.Required("alias"), r.RequiredLong("version"), User(c), ct);
            return new JsonObject();
        }));
        g.MapDelete($"{Models}/alias", Handle(async (r, store, c, ct) =>
        {
            await store.DeleteAliasAsync(r.Required("name"), r.Required("alias"), User(c), ct);
            return new JsonObject();
        }));
        g.MapGet($"{Models}/alias", Handle(async (r, store, c, ct) =>
            new JsonObject { ["model_version"] = MlflowJson.ModelVersion(await store.GetVersionByAliasAsync(r.Required("name"), r.Required("alias"), ct)) }));

        g.MapPost($"{Versions}/create", Handle(async (r, store, c, ct) =>
        {
            var created = await store.CreateModelVersionAsync(
                new NewModelVersion
                {
                    Name = r.Required("name"),
                    Source = r.Required("source"),
                    RunId = r.Text("run_id") is { Length: > 0 } run ? run : null,
                    Description = r.Text("description") ?? "",
                    Tags = [.. r.Tags("tags").Where(t => !t.Key.StartsWith("creditscoring.", StringComparison.Ordinal))], // the store records those itself
                    UserId = User(c),
                },
                ct);
            return new JsonObject { ["model_version"] = MlflowJson.ModelVersion(created) };
        }));
        g.MapGet($"{Versions}/get", Handle(async (r, store, c, ct) =>
            new JsonObject { ["model_version"] = MlflowJson.ModelVersion(await store.GetModelVersionAsync(r.Required("name"), r.RequiredLong("version"), ct)) }));
        g.MapGet($"{Versions}/search", Handle(async (r, store, c, ct) =>
        {
            var filter = r.Text("filter") ?? "";
            var name = Regex.Match(filter, @"^\s*name\s*=\s*'((?:[^']|'')*)'\s*$", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
            if (!name.Success)
            {
                throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"This server searches model versions by name only: filter \"name = 'MODEL'\" (got '{filter}').");
            }

            var versions = await store.ListModelVersionsAsync(name.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal), ct);
            return new JsonObject { ["model_versions"] = new JsonArray([.. versions.Select(v => (JsonNode)MlflowJson.ModelVersion(v))]) };
        }));
        g.MapPatch($"{Versions}/update", Handle(async (r, store, c, ct) =>
        {
            var (name, version) = (r.Required("name"), r.RequiredLong("version"));
            await store.UpdateModelVersionAsync(name, version, r.Text("description") ?? "", User(c), ct);
            return new JsonObject { ["model_version"] = MlflowJson.ModelVersion(await store.GetModelVersionAsync(name, version, ct)) };
        }));
        g.MapPost($"{Versions}/set-tag", Handle(async (r, store, c, ct) =>
        {
            await store.SetModelVersionTagAsync(r.Required("name"), r.RequiredLong("version"), new RunTag(r.Required("key"), r.Text("value") ?? ""), User(c), ct);
            return new JsonObject();
        }));
        g.MapGet($"{Versions}/get-download-uri", Handle(async (r, store, c, ct) =>
        {
            var v = await store.GetModelVersionAsync(r.Required("name"), r.RequiredLong("version"), ct);
            if (v.RunId is null || v.ArtifactPath is null)
            {
                return new JsonObject { ["artifact_uri"] = v.Source };
            }

            var run = await store.GetRunAsync(v.RunId, ct);
            return new JsonObject { ["artifact_uri"] = $"{ArtifactUri(run.Info)}/{v.ArtifactPath}" };
        }));
        g.MapGet("/api/2.0/creditscoring/registry/audit", Handle(async (r, store, c, ct) =>
            new JsonObject { ["events"] = new JsonArray([.. (await store.GetAuditLogAsync(r.Text("name") is { Length: > 0 } n ? n : null, ct)).Select(e => (JsonNode)MlflowJson.AuditEvent(e))]) }));
    }

    private static async Task<JsonObject> RegisteredModel(IModelRegistry store, RegisteredModel model, CancellationToken ct)
    {
        var latest = model.LatestVersion is { } v ? [await store.GetModelVersionAsync(model.Name, v, ct)] : Array.Empty<ModelVersion>();
        return MlflowJson.RegisteredModel(model, latest);
    }

    /// <summary>MLflow's registered model filter as far as names go: <c>name = 'x'</c>, <c>name LIKE 'p%'</c>, <c>name ILIKE 'p%'</c>, or none.</summary>
    private static Func<string, bool> NameFilter(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return _ => true;
        }

        var m = Regex.Match(filter, @"^\s*name\s*(=|LIKE|ILIKE)\s*'((?:[^']|'')*)'\s*$", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        if (!m.Success)
        {
            throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"This server filters registered models by name only: name = 'x', name LIKE 'p%' or name ILIKE 'p%' (got '{filter}').");
        }

        var value = m.Groups[2].Value.Replace("''", "'", StringComparison.Ordinal);
        var op = m.Groups[1].Value.ToUpperInvariant();
        if (op == "=")
        {
            return name => name == value;
        }

        var pattern = new Regex("^" + Regex.Escape(value).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal) + "$", (op == "ILIKE" ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        return pattern.IsMatch;
    }

    /// <summary>A run's id and the artifact path after <c>EXPERIMENT/RUN/artifacts/</c> (<see langword="null"/> for the run's artifact folder itself).</summary>
    private static (string RunId, string? Path) ArtifactPath(string path)
    {
        if (!MlflowConventions.TryParseRunArtifact(MlflowConventions.ProxiedScheme + path, out var runId, out var relative))
        {
            throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"Artifact path '{path}' is not EXPERIMENT/RUN/artifacts/PATH.");
        }

        TrackingRules.CheckRunId(runId);
        return (runId, relative);
    }

    private static JsonArray Files(IReadOnlyList<ArtifactInfo> files, string? folder) => new(
    [
        .. files.Select(f =>
        {
            var file = new JsonObject { ["path"] = folder is null ? f.Path : f.Path[(folder.Length + 1)..], ["is_dir"] = f.IsDirectory };
            if (f.Size is { } size)
            {
                file["file_size"] = size;
            }

            return (JsonNode)file;
        }),
    ]);

    private static string RunId(MlflowRequest r) => r.Text("run_id") is { Length: > 0 } id ? id : r.Required("run_uuid");

    /// <summary>The run's artifacts as this host serves them.</summary>
    private static string ArtifactUri(RunInfo info) => MlflowConventions.ProxiedArtifactUri(info.ExperimentId, info.RunId);

    private static JsonObject RunInfo(RunInfo info) => MlflowJson.RunInfo(info with { ArtifactUri = ArtifactUri(info) });

    private static JsonObject Run(TrackedRun run) => MlflowJson.Run(run with { Info = run.Info with { ArtifactUri = ArtifactUri(run.Info) } });

    private static JsonObject Experiment(Experiment e) => MlflowJson.Experiment(e with { ArtifactLocation = MlflowConventions.ProxiedExperimentUri(e.ExperimentId) });

    private static JsonObject Experiments(IReadOnlyList<Experiment> experiments) =>
        new() { ["experiments"] = new JsonArray([.. experiments.Select(e => (JsonNode)Experiment(e))]) };

    /// <summary>Who asks: the authenticated user, else <c>anonymous</c> (never the server's own account).</summary>
    private static string User(HttpContext c) => c.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "anonymous";

    private static RequestDelegate Handle(Func<MlflowRequest, IModelRegistry, HttpContext, CancellationToken, Task<JsonObject>> action) =>
        c => Guard(c, async (store, ct) =>
        {
            var request = await MlflowRequest.ReadAsync(c.Request, ct);
            await Write(c, StatusCodes.Status200OK, await action(request, store, c, ct));
        });

    /// <summary>Runs a handler, answering a refusal as MLflow does.</summary>
    private static async Task Guard(HttpContext c, Func<IModelRegistry, CancellationToken, Task> action)
    {
        try
        {
            await action(c.RequestServices.GetRequiredService<IModelRegistry>(), c.RequestAborted);
        }
        catch (TrackingException e) when (!c.Response.HasStarted)
        {
            c.Response.Clear();
            await Write(c, e.Code == TrackingErrorCode.ResourceDoesNotExist ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest, new JsonObject { ["error_code"] = e.MlflowErrorCode, ["message"] = e.Message });
        }
        catch (ArgumentException e) when (!c.Response.HasStarted)
        {
            c.Response.Clear();
            await Write(c, StatusCodes.Status400BadRequest, new JsonObject { ["error_code"] = "INVALID_PARAMETER_VALUE", ["message"] = e.Message });
        }
    }

    private static async Task Write(HttpContext c, int status, JsonNode body)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        await c.Response.WriteAsync(body.ToJsonString(), c.RequestAborted);
    }
}
