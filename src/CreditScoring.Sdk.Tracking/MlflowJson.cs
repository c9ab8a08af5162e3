using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// MLflow's REST API 2.0 JSON (its protobuf messages in JSON: snake_case names, 64-bit integers as numbers, non-finite
/// metric values as the strings <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>), both ways: the server writes what the
/// stores hold, the REST client store reads it back. Reading accepts what MLflow's own parser accepts: a 64-bit integer
/// as a number or a string, a double as a number or one of those strings.
/// </summary>
internal static class MlflowJson
{
    /// <summary>The tags under which a model version carries what MLflow's <c>ModelVersion</c> has no field for.</summary>
    public const string Sha256Tag = "creditscoring.sha256";

    /// <summary>The model file's path under the run's artifacts.</summary>
    public const string ArtifactPathTag = "creditscoring.artifact_path";

    /// <summary>The data fingerprint of the model file.</summary>
    public const string FingerprintTag = "creditscoring.data_fingerprint";

    /// <summary>The SDK version that wrote the model file.</summary>
    public const string SdkVersionTag = "creditscoring.sdk_version";

    /// <summary>MLflow's tag of a data set input's context.</summary>
    public const string ContextTag = "mlflow.data.context";

    public static JsonObject Experiment(Experiment e) => new()
    {
        ["experiment_id"] = e.ExperimentId,
        ["name"] = e.Name,
        ["artifact_location"] = e.ArtifactLocation,
        ["lifecycle_stage"] = e.LifecycleStage,
        ["creation_time"] = e.CreationTime,
        ["last_update_time"] = e.LastUpdateTime,
        ["tags"] = Pairs(e.Tags.Select(t => (t.Key, t.Value))),
    };

    public static Experiment ReadExperiment(JsonNode node) => new()
    {
        ExperimentId = Text(node, "experiment_id")!,
        Name = Text(node, "name")!,
        ArtifactLocation = Text(node, "artifact_location") ?? "",
        LifecycleStage = Text(node, "lifecycle_stage") ?? "active",
        CreationTime = Long(node, "creation_time") ?? 0,
        LastUpdateTime = Long(node, "last_update_time") ?? 0,
        Tags = ReadTags(node["tags"]),
    };

    public static JsonObject RunInfo(RunInfo i)
    {
        var info = new JsonObject
        {
            ["run_id"] = i.RunId,
            ["run_uuid"] = i.RunId,
            ["run_name"] = i.RunName,
            ["experiment_id"] = i.ExperimentId,
            ["user_id"] = i.UserId,
            ["status"] = RunFilter.StatusName(i.Status),
            ["start_time"] = i.StartTime,
            ["artifact_uri"] = i.ArtifactUri,
            ["lifecycle_stage"] = i.LifecycleStage,
        };
        if (i.EndTime is { } end)
        {
            info["end_time"] = end;
        }

        return info;
    }

    public static JsonObject Run(TrackedRun r) => new()
    {
        ["info"] = RunInfo(r.Info),
        ["data"] = new JsonObject
        {
            ["metrics"] = new JsonArray([.. r.Metrics.Select(m => (JsonNode)Metric(m))]),
            ["params"] = Pairs(r.Params.Select(p => (p.Key, p.Value))),
            ["tags"] = Pairs(r.Tags.Select(t => (t.Key, t.Value))),
        },
        ["inputs"] = new JsonObject { ["dataset_inputs"] = new JsonArray([.. r.Inputs.Select(d => (JsonNode)Dataset(d))]) },
    };

    public static TrackedRun ReadRun(JsonNode node)
    {
        var info = node["info"] ?? throw Malformed("run.info");
        var data = node["data"];
        return new TrackedRun
        {
            Info = ReadRunInfo(info),
            Metrics = [.. Items(data?["metrics"]).Select(ReadMetric)],
            Params = [.. ReadTags(data?["params"]).Select(t => new Param(t.Key, t.Value))],
            Tags = ReadTags(data?["tags"]),
            Inputs = [.. Items(node["inputs"]?["dataset_inputs"]).Select(ReadDataset)],
        };
    }

    public static RunInfo ReadRunInfo(JsonNode info) => new()
    {
        RunId = Text(info, "run_id") ?? Text(info, "run_uuid") ?? throw Malformed("run_id"),
        ExperimentId = Text(info, "experiment_id") ?? throw Malformed("experiment_id"),
        RunName = Text(info, "run_name") ?? "",
        UserId = Text(info, "user_id") ?? "",
        Status = Status(Text(info, "status") ?? "RUNNING"),
        StartTime = Long(info, "start_time") ?? 0,
        EndTime = Long(info, "end_time"),
        ArtifactUri = Text(info, "artifact_uri") ?? "",
        LifecycleStage = Text(info, "lifecycle_stage") ?? "active",
    };

    public static JsonObject Metric(Metric m) => new() { ["key"] = m.Key, ["value"] = Double(m.Value), ["timestamp"] = m.Timestamp, ["step"] = m.Step };

    public static Metric ReadMetric(JsonNode node) =>
        new(Text(node, "key") ?? throw Missing("key"), Double(node, "value") ?? throw Missing("value"), Long(node, "timestamp") ?? throw Missing("timestamp"), Long(node, "step") ?? 0);

    public static JsonObject Dataset(DatasetInput d) => new()
    {
        ["tags"] = Pairs([(ContextTag, d.Context)]),
        ["dataset"] = new JsonObject
        {
            ["name"] = d.Name,
            ["digest"] = d.Digest,
            ["source_type"] = "creditscoring",
            ["source"] = JsonSerializer.Serialize(new { name = d.Name }),
            ["profile"] = JsonSerializer.Serialize(new { num_rows = d.Rows, num_positives = d.Positives }),
        },
    };

    public static DatasetInput ReadDataset(JsonNode node)
    {
        var dataset = node["dataset"] ?? throw Missing("dataset");
        var context = ReadTags(node["tags"]).FirstOrDefault(t => t.Key == ContextTag)?.Value ?? "";
        long rows = 0, positives = -1;
        if (Text(dataset, "profile") is { Length: > 0 } profile)
        {
            try
            {
                var p = JsonNode.Parse(profile);
                rows = Long(p!, "num_rows") ?? 0;
                positives = Long(p!, "num_positives") ?? -1;
            }
            catch (JsonException)
            {
                // Another client's profile: rows and positives unknown.
            }
        }

        return new DatasetInput(Text(dataset, "name") ?? throw Missing("dataset.name"), Text(dataset, "digest") ?? throw Missing("dataset.digest"), context, rows, positives);
    }

    public static JsonObject RegisteredModel(RegisteredModel m, IReadOnlyList<ModelVersion> latest) => new()
    {
        ["name"] = m.Name,
        ["creation_timestamp"] = m.CreationTime,
        ["last_updated_timestamp"] = m.LastUpdatedTime,
        ["description"] = m.Description,
        ["latest_versions"] = new JsonArray([.. latest.Select(v => (JsonNode)ModelVersion(v))]),
        ["tags"] = Pairs(m.Tags.Select(t => (t.Key, t.Value))),
        ["aliases"] = new JsonArray([.. m.Aliases.Select(a => (JsonNode)new JsonObject { ["alias"] = a.Alias, ["version"] = Invariant(a.Version) })]),
    };

    public static RegisteredModel ReadRegisteredModel(JsonNode node)
    {
        var latest = Items(node["latest_versions"]).Select(v => Long(v, "version") ?? 0).DefaultIfEmpty(0).Max();
        return new RegisteredModel
        {
            Name = Text(node, "name") ?? throw Missing("name"),
            CreationTime = Long(node, "creation_timestamp") ?? 0,
            LastUpdatedTime = Long(node, "last_updated_timestamp") ?? 0,
            Description = Text(node, "description") ?? "",
            Tags = ReadTags(node["tags"]),
            Aliases = [.. Items(node["aliases"]).Select(a => new ModelAlias(Text(a, "alias")!, Long(a, "version") ?? 0)).OrderBy(a => a.Alias, StringComparer.Ordinal)],
            LatestVersion = latest > 0 ? latest : null,
        };
    }

    /// <summary>A version, with what MLflow has no field for as <c>creditscoring.*</c> tags.</summary>
    public static JsonObject ModelVersion(ModelVersion v)
    {
        var tags = v.Tags.Where(t => !t.Key.StartsWith("creditscoring.", StringComparison.Ordinal)).Select(t => (t.Key, t.Value)).ToList();
        foreach (var (key, value) in new[] { (Sha256Tag, v.Sha256), (ArtifactPathTag, v.ArtifactPath), (FingerprintTag, v.DataFingerprint), (SdkVersionTag, v.SdkVersion) })
        {
            if (value is not null)
            {
                tags.Add((key, value));
            }
        }

        var json = new JsonObject
        {
            ["name"] = v.Name,
            ["version"] = Invariant(v.Version),
            ["creation_timestamp"] = v.CreationTime,
            ["last_updated_timestamp"] = v.LastUpdatedTime,
            ["user_id"] = v.UserId,
            ["current_stage"] = "None",
            ["description"] = v.Description,
            ["source"] = v.Source,
            ["status"] = v.Status,
            ["tags"] = Pairs(tags),
            ["aliases"] = new JsonArray([.. v.Aliases.Select(a => (JsonNode)a)]),
        };
        if (v.RunId is not null)
        {
            json["run_id"] = v.RunId;
        }

        return json;
    }

    public static ModelVersion ReadModelVersion(JsonNode node)
    {
        var tags = ReadTags(node["tags"]);
        string? Tag(string key) => tags.FirstOrDefault(t => t.Key == key)?.Value;
        return new ModelVersion
        {
            Name = Text(node, "name") ?? throw Missing("name"),
            Version = Long(node, "version") ?? throw Missing("version"),
            CreationTime = Long(node, "creation_timestamp") ?? 0,
            LastUpdatedTime = Long(node, "last_updated_timestamp") ?? 0,
            UserId = Text(node, "user_id") ?? "",
            Description = Text(node, "description") ?? "",
            Source = Text(node, "source") ?? "",
            RunId = Text(node, "run_id") is { Length: > 0 } run ? run : null,
            Status = Text(node, "status") ?? "READY",
            Sha256 = Tag(Sha256Tag),
            ArtifactPath = Tag(ArtifactPathTag),
            DataFingerprint = Tag(FingerprintTag),
            SdkVersion = Tag(SdkVersionTag),
            Tags = [.. tags.Where(t => !t.Key.StartsWith("creditscoring.", StringComparison.Ordinal))],
            Aliases = [.. Items(node["aliases"]).Select(a => a!.GetValue<string>()).Order(StringComparer.Ordinal)],
        };
    }

    public static JsonObject AuditEvent(RegistryEvent e)
    {
        var json = new JsonObject { ["sequence"] = e.Sequence, ["timestamp"] = e.Timestamp, ["user_id"] = e.UserId, ["action"] = e.Action.ToString(), ["name"] = e.Name, ["detail"] = e.Detail };
        if (e.Version is { } v)
        {
            json["version"] = Invariant(v);
        }

        if (e.Alias is not null)
        {
            json["alias"] = e.Alias;
        }

        if (e.FromVersion is { } from)
        {
            json["from_version"] = Invariant(from);
        }

        return json;
    }

    public static RegistryEvent ReadAuditEvent(JsonNode node) => new()
    {
        Sequence = Long(node, "sequence") ?? throw Missing("sequence"),
        Timestamp = Long(node, "timestamp") ?? 0,
        UserId = Text(node, "user_id") ?? "",
        Action = Enum.Parse<RegistryAction>(Text(node, "action") ?? throw Missing("action")),
        Name = Text(node, "name") ?? throw Missing("name"),
        Version = Long(node, "version"),
        Alias = Text(node, "alias"),
        FromVersion = Long(node, "from_version"),
        Detail = Text(node, "detail") ?? "",
    };

    public static JsonArray Pairs(IEnumerable<(string Key, string Value)> pairs) =>
        new([.. pairs.Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value })]);

    public static IReadOnlyList<RunTag> ReadTags(JsonNode? node) =>
        [.. Items(node).Select(t => new RunTag(Text(t, "key") ?? throw Missing("key"), Text(t, "value") ?? ""))];

    public static IEnumerable<JsonNode> Items(JsonNode? node) => node is JsonArray array ? array.Where(n => n is not null).Select(n => n!) : [];

    /// <summary>A text field (a number is read as its invariant text, as MLflow's ids may come either way).</summary>
    public static string? Text(JsonNode node, string name) => node[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.GetValueKind() is JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        var other => throw Invalid(name, other, "text"),
    };

    /// <summary>A 64-bit integer field, as a number or a string of digits (protobuf's JSON for int64).</summary>
    public static long? Long(JsonNode node, string name) => node[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => (long)d,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        var other => throw Invalid(name, other, "a whole number"),
    };

    /// <summary>A double field, as a number or <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> (or their text).</summary>
    public static double? Double(JsonNode node, string name) => node[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        JsonValue v when v.TryGetValue<string>(out var s) && s is "NaN" or "Infinity" or "-Infinity" => s == "NaN" ? double.NaN : s == "Infinity" ? double.PositiveInfinity : double.NegativeInfinity,
        var other => throw Invalid(name, other, "a number"),
    };

    /// <summary>A double as protobuf's JSON writes it: a number, or a string for NaN and the infinities.</summary>
    public static JsonNode Double(double value) => double.IsFinite(value)
        ? JsonValue.Create(value)
        : JsonValue.Create(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");

    public static RunStatus Status(string text) => text.ToUpperInvariant() switch
    {
        "RUNNING" => RunStatus.Running,
        "SCHEDULED" => RunStatus.Scheduled,
        "FINISHED" => RunStatus.Finished,
        "FAILED" => RunStatus.Failed,
        "KILLED" => RunStatus.Killed,
        _ => throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"Invalid value '{text}' for parameter 'status': expected RUNNING, SCHEDULED, FINISHED, FAILED or KILLED."),
    };

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static TrackingException Missing(string name) => new(TrackingErrorCode.InvalidParameterValue, $"Missing value for required parameter '{name}'.");

    private static TrackingException Invalid(string name, JsonNode node, string expected) =>
        new(TrackingErrorCode.InvalidParameterValue, $"Invalid value {node.ToJsonString()} for parameter '{name}': expected {expected}.");

    private static TrackingException Malformed(string what) => new(TrackingErrorCode.InvalidParameterValue, $"The MLflow response lacks {what}.");
}
