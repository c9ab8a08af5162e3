using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>
/// The registry endpoints with plain HTTP requests shaped as MLflow's REST reference documents them (the npm client has
/// no registry calls): registered models, versions, aliases, the proxied artifacts, and errors as MLflow answers them.
/// </summary>
public sealed class RegistryHttpTests(TrackingServer server) : IClassFixture<TrackingServer>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(server.Address) };

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, JsonNode Body)> Send(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text)!);
    }

    [Fact]
    public async Task RegisteredModels_Versions_AndAliases_OverMlflowsRestApi()
    {
        // A run with a model file, uploaded through the proxied artifact endpoint as an MLflow client does.
        var (_, created) = await Send(HttpMethod.Post, "/api/2.0/mlflow/experiments/create", new { name = "registry-http" });
        var experimentId = created["experiment_id"]!.GetValue<string>();
        var (_, run) = await Send(HttpMethod.Post, "/api/2.0/mlflow/runs/create", new { experiment_id = experimentId, run_name = "fit", start_time = 1700000000000, tags = Array.Empty<object>() });
        var runId = run["run"]!["info"]!["run_id"]!.GetValue<string>();
        var artifactUri = run["run"]!["info"]!["artifact_uri"]!.GetValue<string>();
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts", artifactUri);
        var model = new CreditScoringContext(seed: 3).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(SyntheticCredit.Generate(300, seed: 3));
        var file = new MemoryStream();
        model.Save(file);
        var upload = await _http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/model/model.json", new ByteArrayContent(file.ToArray()));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);

        var (status, registered) = await Send(HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { name = "pd-model", description = "probability of default", tags = new[] { new { key = "team", value = "risk" } } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("pd-model", registered["registered_model"]!["name"]!.GetValue<string>());

        var (_, v1) = await Send(HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name = "pd-model", source = $"{artifactUri}/model", run_id = runId });
        var (_, v2) = await Send(HttpMethod.Post, "/api/2.0/mlflow/model-versions/create", new { name = "pd-model", source = $"runs:/{runId}/model/model.json", run_id = runId, description = "same file" });
        var version = v1["model_version"]!;
        Assert.Equal("1", version["version"]!.GetValue<string>());
        Assert.Equal("2", v2["model_version"]!["version"]!.GetValue<string>());
        Assert.Equal("READY", version["status"]!.GetValue<string>());
        Assert.Equal(runId, version["run_id"]!.GetValue<string>());
        string Tag(JsonNode v, string key) => v["tags"]!.AsArray().Single(t => t!["key"]!.GetValue<string>() == key)!["value"]!.GetValue<string>();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file.ToArray())), Tag(version, "creditscoring.sha256"));
        Assert.Equal("model/model.json", Tag(version, "creditscoring.artifact_path"));
        Assert.Equal(model.Metadata.DataFingerprint, Tag(version, "creditscoring.data_fingerprint"));

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/api/2.0/mlflow/registered-models/alias", new { name = "pd-model", alias = "champion", version = "1" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/api/2.0/mlflow/registered-models/alias", new { name = "pd-model", alias = "champion", version = "2" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/api/2.0/mlflow/registered-models/alias", new { name = "pd-model", alias = "challenger", version = "1" })).Status);
        var (_, byAlias) = await Send(HttpMethod.Get, "/api/2.0/mlflow/registered-models/alias?name=pd-model&alias=champion");
        Assert.Equal("2", byAlias["model_version"]!["version"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Delete, "/api/2.0/mlflow/registered-models/alias?name=pd-model&alias=challenger")).Status);

        var (_, got) = await Send(HttpMethod.Get, "/api/2.0/mlflow/registered-models/get?name=pd-model");
        var m = got["registered_model"]!;
        Assert.Equal(["champion=2"], m["aliases"]!.AsArray().Select(a => $"{a!["alias"]}={a["version"]}"));
        Assert.Equal(["2"], m["latest_versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()));
        Assert.Equal("risk", Tag(m, "team"));

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Patch, "/api/2.0/mlflow/registered-models/update", new { name = "pd-model", description = "retail PD" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/api/2.0/mlflow/model-versions/set-tag", new { name = "pd-model", version = "2", key = "validated", value = "true" })).Status);
        var (_, updated) = await Send(HttpMethod.Patch, "/api/2.0/mlflow/model-versions/update", new { name = "pd-model", version = "2", description = "validated by risk" });
        Assert.Equal("validated by risk", updated["model_version"]!["description"]!.GetValue<string>());
        Assert.Equal("true", Tag(updated["model_version"]!, "validated"));
        var (_, search) = await Send(HttpMethod.Get, "/api/2.0/mlflow/model-versions/search?filter=" + Uri.EscapeDataString("name = 'pd-model'"));
        Assert.Equal(["2", "1"], search["model_versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()));
        var (_, models) = await Send(HttpMethod.Get, "/api/2.0/mlflow/registered-models/search?filter=" + Uri.EscapeDataString("name LIKE 'pd-%'"));
        Assert.Single(models["registered_models"]!.AsArray());

        // The version's file downloads from where get-download-uri points, byte for byte.
        var (_, download) = await Send(HttpMethod.Get, "/api/2.0/mlflow/model-versions/get-download-uri?name=pd-model&version=1");
        var uri = download["artifact_uri"]!.GetValue<string>();
        Assert.Equal($"{artifactUri}/model/model.json", uri);
        Assert.Equal(file.ToArray(), await _http.GetByteArrayAsync("/api/2.0/mlflow-artifacts/artifacts/" + uri["mlflow-artifacts:/".Length..]));

        // The audit log, beyond MLflow: the promotion from 1 to 2 included.
        var (_, audit) = await Send(HttpMethod.Get, "/api/2.0/creditscoring/registry/audit?name=pd-model");
        var events = audit["events"]!.AsArray();
        Assert.Contains(events, e => e!["action"]!.GetValue<string>() == "AliasSet" && e["from_version"]?.GetValue<string>() == "1" && e["version"]!.GetValue<string>() == "2");
        Assert.All(events, e => Assert.Equal("anonymous", e!["user_id"]!.GetValue<string>()));

        // The store behind the API loads the champion, verified.
        var loaded = await CreditModel.LoadAsync("models:/pd-model@champion", server.Store);
        Assert.Equal(model.Metadata.DataFingerprint, loaded.Metadata.DataFingerprint);
    }

    [Fact]
    public async Task Refusals_AnswerAsMlflowDoes_AndChangeNothing()
    {
        var (missing, body) = await Send(HttpMethod.Get, "/api/2.0/mlflow/registered-models/get?name=nope");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", body["error_code"]!.GetValue<string>());
        Assert.Contains("nope", body["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (bad, badBody) = await Send(HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", new { description = "no name" });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("Missing value for required parameter 'name'.", badBody["message"]!.GetValue<string>());

        var malformed = await _http.PostAsync("/api/2.0/mlflow/runs/log-batch", new StringContent("{\"run_id\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("Malformed JSON", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (_, run) = await Send(HttpMethod.Post, "/api/2.0/mlflow/runs/create", new { experiment_id = "0", start_time = 1 });
        var runId = run["run"]!["info"]!["run_id"]!.GetValue<string>();
        var oversized = new { run_id = runId, metrics = Enumerable.Range(0, 1001).Select(i => new { key = "m", value = 1.0, timestamp = 1, step = i }).ToArray() };
        var (tooMany, tooManyBody) = await Send(HttpMethod.Post, "/api/2.0/mlflow/runs/log-batch", oversized);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany);
        Assert.Contains("1000", tooManyBody["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var (badFilter, filterBody) = await Send(HttpMethod.Post, "/api/2.0/mlflow/runs/search", new { experiment_ids = new[] { "0" }, filter = "metrics.auc >> 1" });
        Assert.Equal(HttpStatusCode.BadRequest, badFilter);
        Assert.Contains("at character", filterBody["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // A NaN written as Python's json writes it (a bare word) is read as NaN.
        var nan = await _http.PostAsync("/api/2.0/mlflow/runs/log-metric", new StringContent($"{{\"run_id\": \"{runId}\", \"key\": \"loss\", \"value\": NaN, \"timestamp\": 5}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, nan.StatusCode);
        var stored = await server.Store.GetRunAsync(runId);
        Assert.True(double.IsNaN(Assert.Single(stored.Metrics).Value));
        var (_, get) = await Send(HttpMethod.Get, $"/api/2.0/mlflow/runs/get?run_id={runId}");
        Assert.Equal("NaN", get["run"]!["data"]!["metrics"]![0]!["value"]!.GetValue<string>());
    }
}
