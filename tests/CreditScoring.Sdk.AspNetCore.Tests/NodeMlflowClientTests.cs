using System.Diagnostics;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>
/// Wire compatibility with a client nobody here wrote: the npm package <c>mlflow</c> 2.0.7 (a Node.js MLflow client),
/// unmodified, against the host on loopback. <c>.ci/run</c> installs it into <c>artifacts/node</c>; a plain
/// <c>dotnet test</c> installs it there from the npm registry when it is missing.
/// </summary>
public sealed class NodeMlflowClientTests(TrackingServer server) : IClassFixture<TrackingServer>
{
    private const string Script = """
        const [folder, out, endpoint] = process.argv.slice(2);
        const MLflow = require(folder + '/node_modules/mlflow');
        const fs = require('fs');
        (async () => {
          const { Experiments, Runs, Metrics, Artifacts } = new MLflow({ endpoint });
          const created = await Experiments.create({ name: 'node-client' });
          const experiment_id = created.experiment_id;
          const got = await Experiments.get({ experiment_id });
          const listed = await Experiments.list();
          const run = await Runs.create({ experiment_id, user_id: 'node', start_time: 1700000000000, tags: [{ key: 'mlflow.runName', value: 'from node' }] });
          const run_id = run.run.info.run_id;
          await Runs.logParameter({ run_id, key: 'learner', value: 'gbdt' });
          await Runs.logMetric({ run_id, key: 'auc', value: 0.81, timestamp: 1700000000001, step: 0 });
          await Runs.setTag({ run_id, key: 'stage', value: 'cv' });
          await Runs.logBatch({ run_id, metrics: [{ key: 'auc', value: 0.83, timestamp: 1700000000002, step: 1 }, { key: 'loss', value: 0.4, timestamp: 1700000000002, step: 1 }], params: [{ key: 'seed', value: '42' }], tags: [{ key: 'team', value: 'risk' }] });
          const history = await Metrics.getHistory({ run_id, metric_key: 'auc' });
          const other = await Runs.create({ experiment_id, user_id: 'node', start_time: 1700000000100, tags: [{ key: 'mlflow.runName', value: 'other' }] });
          await Runs.logBatch({ run_id: other.run.info.run_id, metrics: [{ key: 'auc', value: 0.7, timestamp: 1700000000101, step: 0 }], params: [{ key: 'learner', value: 'logistic' }], tags: [] });
          const search = await Runs.search({ experiment_ids: [experiment_id], filter: "metrics.auc > 0.75 and params.learner = 'gbdt'", order_by: ['metrics.auc DESC'], max_results: 10 });
          const ordered = await Runs.search({ experiment_ids: [experiment_id], order_by: ['metrics.auc ASC'] });
          const updated = await Runs.update({ run_id, status: 'FINISHED', end_time: 1700000000500 });
          const fetched = await Runs.get({ run_id });
          const artifacts = await Artifacts.list({ run_id });
          let refused = null;
          try { await Runs.logParameter({ run_id, key: 'learner', value: 'logistic' }); } catch (e) { refused = String(e.message); }
          fs.writeFileSync(out, JSON.stringify({ created, got, listed, run, history, search, ordered, updated, fetched, artifacts, refused }));
        })().catch(e => { console.error(e); process.exit(1); });
        """;

    [Fact]
    public async Task TheNpmMlflowClient_LogsSearchesAndReadsRuns_OnTheDotNetHost()
    {
        var folder = NodeModules.Mlflow();
        var work = Directory.CreateTempSubdirectory("cs-node-").FullName;
        var (script, output) = (Path.Combine(work, "client.js"), Path.Combine(work, "out.json"));
        await File.WriteAllTextAsync(script, Script);

        var (exit, log) = NodeModules.Run("node", [script, folder, output, server.Address]);

        Assert.True(exit == 0, log);
        var r = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        var experimentId = r["created"]!["experiment_id"]!.GetValue<string>();
        Assert.Equal("node-client", r["got"]!["experiment"]!["name"]!.GetValue<string>());
        Assert.Equal(["Default", "node-client"], r["listed"]!["experiments"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()));
        var runId = r["run"]!["run"]!["info"]!["run_id"]!.GetValue<string>();
        Assert.Equal("from node", r["run"]!["run"]!["info"]!["run_name"]!.GetValue<string>());

        Assert.Equal([(0L, 0.81), (1L, 0.83)], r["history"]!["metrics"]!.AsArray().Select(m => (m!["step"]!.GetValue<long>(), m["value"]!.GetValue<double>())));
        Assert.Equal([runId], r["search"]!["runs"]!.AsArray().Select(x => x!["info"]!["run_id"]!.GetValue<string>()));
        Assert.Equal(["other", "from node"], r["ordered"]!["runs"]!.AsArray().Select(x => x!["info"]!["run_name"]!.GetValue<string>()));
        Assert.Equal("FINISHED", r["updated"]!["run_info"]!["status"]!.GetValue<string>());
        var data = r["fetched"]!["run"]!["data"]!;
        Assert.Equal(["learner=gbdt", "seed=42"], data["params"]!.AsArray().Select(p => $"{p!["key"]}={p["value"]}"));
        Assert.Contains("stage=cv", data["tags"]!.AsArray().Select(p => $"{p!["key"]}={p["value"]}"));
        Assert.Contains("team=risk", data["tags"]!.AsArray().Select(p => $"{p!["key"]}={p["value"]}"));
        Assert.Equal(0.83, data["metrics"]!.AsArray().Single(m => m!["key"]!.GetValue<string>() == "auc")!["value"]!.GetValue<double>());
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts", r["artifacts"]!["root_uri"]!.GetValue<string>());
        Assert.Empty(r["artifacts"]!["files"]!.AsArray());
        Assert.Contains("INVALID_PARAMETER_VALUE", r["refused"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Changing param values is not allowed", r["refused"]!.GetValue<string>(), StringComparison.Ordinal);

        // What the client logged is in the store, as the SDK reads it.
        var stored = await server.Store.GetRunAsync(runId);
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.Equal(1700000000500, stored.Info.EndTime);
        Assert.Equal("node", stored.Info.UserId);
        Assert.Equal(new Param("learner", "gbdt"), stored.Params[0]);
        Assert.Equal(2, (await server.Store.GetMetricHistoryAsync(runId, "auc")).Count);
        Directory.Delete(work, recursive: true);
    }
}
