using System.Security.Cryptography;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.Tests.Tracking;

/// <summary>
/// What every tracking store does, run against each store (SQLite here; PostgreSQL and the MLflow client store next):
/// experiments, runs, batches with history and immutable parameters, MLflow's rules with nothing stored on a breach, and
/// searches that return exactly what <see cref="RunFilter"/> and <see cref="RunOrder"/> select in memory.
/// </summary>
public abstract class TrackingStoreConformance
{
    private static readonly Lazy<(CreditModel Model, byte[] File, CreditData Data)> Trained = new(() =>
    {
        var data = SyntheticCredit.Generate(400, seed: 3);
        var model = new CreditScoringContext(seed: 3).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);
        var file = new MemoryStream();
        model.Save(file);
        return (model, file.ToArray(), data);
    });

    /// <summary>A new, empty store (every store keeps a registry beside its runs).</summary>
    protected abstract IModelRegistry OpenStore();

    /// <summary>Whether the store records the <c>userId</c> a registry call names (a remote store records the user its server authenticates).</summary>
    protected virtual bool RecordsGivenUser => true;

    /// <summary>Changes a stored artifact's bytes behind the store's back, as someone with access to its files or tables could.</summary>
    protected abstract Task TamperAsync(ITrackingStore store, string runId, string path);

    /// <summary>Tries to change and to delete audit entries with the store's own SQL, behind the registry's back; returns the errors.</summary>
    protected abstract Task<IReadOnlyList<Exception>> RewriteAuditAsync(ITrackingStore store);

    private static async Task<(IModelRegistry Registry, string RunA, string RunB)> RegistryWithTwoRunsAsync(IModelRegistry store)
    {
        var experiment = await store.CreateExperimentAsync("registry");
        var ids = new List<string>();
        foreach (var name in new[] { "a", "b" })
        {
            var run = await store.CreateRunAsync(experiment, new NewRun { RunName = name, StartTime = 1 });
            await store.LogArtifactAsync(run.Info.RunId, "model/model.json", new MemoryStream(Trained.Value.File));
            ids.Add(run.Info.RunId);
        }

        return (store, ids[0], ids[1]);
    }

    [Fact]
    public async Task Registry_NumbersVersions_LinksRunFileAndFingerprint_AndAnAliasNamesOneVersion()
    {
        var store = OpenStore();
        var (registry, a, b) = await RegistryWithTwoRunsAsync(store);

        var created = await registry.CreateRegisteredModelAsync("pd-model", "probability of default", [new RunTag("team", "risk")], userId: "ana");
        var v1 = await registry.CreateModelVersionAsync(new NewModelVersion { Name = "pd-model", Source = $"runs:/{a}/model", UserId = "ana" });
        var v2 = await registry.CreateModelVersionAsync(new NewModelVersion { Name = "pd-model", Source = $"runs:/{b}/model/model.json", Description = "retrained", UserId = "ana" });
        await registry.SetAliasAsync("pd-model", "champion", 1, "ana");
        await registry.SetAliasAsync("pd-model", "challenger", 2, "ana");
        await registry.SetAliasAsync("pd-model", "champion", 2, "bo"); // the promotion: champion moves from 1 to 2
        await registry.DeleteAliasAsync("pd-model", "challenger", "bo");

        Assert.Equal("probability of default", created.Description);
        Assert.Equal((1L, 2L), (v1.Version, v2.Version));
        Assert.Equal((a, "model/model.json"), (v1.RunId, v1.ArtifactPath));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Trained.Value.File)), v1.Sha256);
        Assert.Equal(Trained.Value.Model.Metadata.DataFingerprint, v1.DataFingerprint);
        Assert.Equal(Trained.Value.Model.Metadata.SdkVersion, v1.SdkVersion);
        Assert.Equal("READY", v1.Status);
        var model = await registry.GetRegisteredModelAsync("pd-model");
        Assert.Equal([new ModelAlias("champion", 2)], model.Aliases);
        Assert.Equal(2, model.LatestVersion);
        Assert.Equal([new RunTag("team", "risk")], model.Tags);
        Assert.Equal(["champion"], (await registry.GetVersionByAliasAsync("pd-model", "champion")).Aliases);
        Assert.Equal([2L, 1L], (await registry.ListModelVersionsAsync("pd-model")).Select(v => v.Version));
        Assert.Empty((await registry.GetModelVersionAsync("pd-model", 1)).Aliases);

        // The audit log: who, what, from which version to which, in order.
        var log = await registry.GetAuditLogAsync("pd-model");
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], log.Select(e => e.Sequence));
        Assert.Equal([RegistryAction.ModelCreated, RegistryAction.VersionCreated, RegistryAction.VersionCreated, RegistryAction.AliasSet, RegistryAction.AliasSet, RegistryAction.AliasSet, RegistryAction.AliasDeleted], log.Select(e => e.Action));
        var promotion = log[5];
        Assert.Equal((RecordsGivenUser ? "bo" : "anonymous", "champion", 1L, 2L), (promotion.UserId, promotion.Alias, promotion.FromVersion, promotion.Version));
        Assert.Equal(("challenger", (long?)2, (long?)null), (log[6].Alias, log[6].FromVersion, log[6].Version));

        // models:/ URIs load the version's file, verified, and it scores as the model that was saved.
        foreach (var uri in new[] { "models:/pd-model@champion", "models:/pd-model/1", "models:/pd-model/latest" })
        {
            var loaded = await CreditModel.LoadAsync(uri, registry);
            Assert.Equal(ModelRoundTrip.Probabilities(Trained.Value.Model, Trained.Value.Data), ModelRoundTrip.Probabilities(loaded, Trained.Value.Data));
        }
    }

    [Fact]
    public async Task Registry_BadRequests_SayWhatIsWrong_AndChangeNothing()
    {
        var store = OpenStore();
        var (registry, a, _) = await RegistryWithTwoRunsAsync(store);
        await registry.CreateRegisteredModelAsync("pd-model");
        await registry.CreateModelVersionAsync(new NewModelVersion { Name = "pd-model", Source = $"runs:/{a}/model" });
        var before = await registry.GetAuditLogAsync();

        async Task<TrackingException> Refused(Func<Task> act) => await Assert.ThrowsAsync<TrackingException>(act);
        Assert.Equal(TrackingErrorCode.ResourceAlreadyExists, (await Refused(() => registry.CreateRegisteredModelAsync("pd-model"))).Code);
        Assert.Contains("'/'", (await Refused(() => registry.CreateRegisteredModelAsync("pd/model"))).Message, StringComparison.Ordinal);
        Assert.Contains("name=nope", (await Refused(() => registry.CreateModelVersionAsync(new NewModelVersion { Name = "nope", Source = $"runs:/{a}/model" }))).Message, StringComparison.Ordinal);
        Assert.Contains("'missing'", (await Refused(() => registry.CreateModelVersionAsync(new NewModelVersion { Name = "pd-model", Source = $"runs:/{a}/missing" }))).Message, StringComparison.Ordinal);
        Assert.Equal(TrackingErrorCode.ResourceDoesNotExist, (await Refused(() => registry.CreateModelVersionAsync(new NewModelVersion { Name = "pd-model", Source = "runs:/0123456789abcdef0123456789abcdef/model" }))).Code);
        Assert.Contains("version=9", (await Refused(() => registry.SetAliasAsync("pd-model", "champion", 9))).Message, StringComparison.Ordinal);
        Assert.Contains("reserved", (await Refused(() => registry.SetAliasAsync("pd-model", "v1", 1))).Message, StringComparison.Ordinal);
        Assert.Contains("champion", (await Refused(() => registry.GetVersionByAliasAsync("pd-model", "champion"))).Message, StringComparison.Ordinal);
        Assert.Contains("champion", (await Refused(() => registry.DeleteAliasAsync("pd-model", "champion"))).Message, StringComparison.Ordinal);
        Assert.Contains("models:/NAME@ALIAS", (await Refused(() => CreditModel.LoadAsync("models:/pd-model", registry))).Message, StringComparison.Ordinal);

        // A registered model file never changes: the store refuses to replace it.
        var replaced = await Refused(() => store.LogArtifactAsync(a, "model/model.json", new MemoryStream([1, 2, 3])));
        Assert.Equal(TrackingErrorCode.InvalidState, replaced.Code);
        Assert.Contains("version 1 of registered model 'pd-model'", replaced.Message, StringComparison.Ordinal);

        Assert.Equal(before, await registry.GetAuditLogAsync());
        Assert.Equal(1, (await registry.GetRegisteredModelAsync("pd-model")).LatestVersion);
        Assert.Empty((await registry.GetRegisteredModelAsync("pd-model")).Aliases);
    }

    [Fact]
    public async Task Registry_ATamperedModelFile_IsRefusedAtLoad_AndTheAuditLogCannotBeRewritten()
    {
        var store = OpenStore();
        var (registry, a, _) = await RegistryWithTwoRunsAsync(store);
        await registry.CreateRegisteredModelAsync("pd-model");
        var version = await registry.CreateModelVersionAsync(new NewModelVersion { Name = "pd-model", Source = $"runs:/{a}/model" });
        await registry.SetAliasAsync("pd-model", "champion", 1);

        await TamperAsync(store, a, "model/model.json");

        var e = await Assert.ThrowsAsync<ModelFormatException>(() => CreditModel.LoadAsync("models:/pd-model@champion", registry));
        Assert.Contains("changed after registration", e.Message, StringComparison.Ordinal);
        Assert.Contains(version.Sha256!, e.Message, StringComparison.Ordinal);
        Assert.Contains("models:/pd-model@champion", e.Message, StringComparison.Ordinal);

        var log = await registry.GetAuditLogAsync();
        var errors = await RewriteAuditAsync(store);
        Assert.Equal(2, errors.Count);
        Assert.All(errors, x => Assert.Contains("append-only", x.Message, StringComparison.Ordinal));
        Assert.Equal(log, await registry.GetAuditLogAsync());
    }

    [Fact]
    public async Task Experiments_AreCreatedFoundAndUnique_AndUnknownIdsAreNamed()
    {
        var store = OpenStore();
        var id = await store.CreateExperimentAsync("pd-model", [new RunTag("team", "risk")]);

        var experiment = await store.GetExperimentAsync(id);
        Assert.Equal("pd-model", experiment.Name);
        Assert.Equal([new RunTag("team", "risk")], experiment.Tags);
        Assert.Equal(id, (await store.FindExperimentAsync("pd-model"))!.ExperimentId);
        Assert.Null(await store.FindExperimentAsync("nope"));
        Assert.Contains(await store.ListExperimentsAsync(), e => e.Name == "Default");

        var taken = await Assert.ThrowsAsync<TrackingException>(() => store.CreateExperimentAsync("pd-model"));
        Assert.Equal(TrackingErrorCode.ResourceAlreadyExists, taken.Code);
        var missing = await Assert.ThrowsAsync<TrackingException>(() => store.GetExperimentAsync("999"));
        Assert.Equal(TrackingErrorCode.ResourceDoesNotExist, missing.Code);
        Assert.Contains("999", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TrackingException>(() => store.CreateExperimentAsync(""));
    }

    [Fact]
    public async Task ARun_StartsRunning_EndsWithItsStatus_AndNamesItsParent()
    {
        var store = OpenStore();
        var experiment = await store.CreateExperimentAsync("runs");
        var parent = await store.CreateRunAsync(experiment, new NewRun { RunName = "cv", UserId = "ana", StartTime = 1000 });
        var child = await store.CreateRunAsync(experiment, new NewRun { RunName = "fold 1", UserId = "ana", StartTime = 1001, ParentRunId = parent.Info.RunId, Description = "the first fold" });

        Assert.Equal(RunStatus.Running, parent.Info.Status);
        Assert.Matches("^[0-9a-f]{32}$", parent.Info.RunId);
        Assert.Equal(experiment, parent.Info.ExperimentId);
        Assert.Contains(new RunTag("mlflow.parentRunId", parent.Info.RunId), child.Tags);
        Assert.Contains(new RunTag("mlflow.user", "ana"), child.Tags);
        Assert.Contains(new RunTag("mlflow.note.content", "the first fold"), child.Tags);

        await store.UpdateRunAsync(parent.Info.RunId, RunStatus.Finished, endTime: 5000);
        var ended = await store.GetRunAsync(parent.Info.RunId);
        Assert.Equal(RunStatus.Finished, ended.Info.Status);
        Assert.Equal(5000, ended.Info.EndTime);
        Assert.Equal("cv", ended.Info.RunName);

        var unknown = await Assert.ThrowsAsync<TrackingException>(() => store.GetRunAsync("0123456789abcdef0123456789abcdef"));
        Assert.Equal(TrackingErrorCode.ResourceDoesNotExist, unknown.Code);
        await Assert.ThrowsAsync<TrackingException>(() => store.CreateRunAsync(experiment, new NewRun { ParentRunId = "0123456789abcdef0123456789abcdef" }));
        await Assert.ThrowsAsync<TrackingException>(() => store.CreateRunAsync("424242", new NewRun()));
    }

    [Fact]
    public async Task Batches_KeepTheHistory_TheLatestByStep_AndParametersCannotChange()
    {
        var store = OpenStore();
        var run = await store.CreateRunAsync(await store.CreateExperimentAsync("batches"), new NewRun { StartTime = 1 });
        var id = run.Info.RunId;

        await store.LogBatchAsync(id, [new Metric("auc", 0.70, 10, 0), new Metric("auc", 0.80, 11, 1), new Metric("loss", double.NaN, 10, 0)], [new Param("learner", "gbdt")], [new RunTag("stage", "cv")]);
        await store.LogBatchAsync(id, [new Metric("auc", 0.75, 12, 0), new Metric("auc", double.PositiveInfinity, 9, 1)], [new Param("learner", "gbdt")], [new RunTag("stage", "final")]);

        var history = await store.GetMetricHistoryAsync(id, "auc");
        Assert.Equal([(0L, 10L, 0.70), (0L, 12L, 0.75), (1L, 9L, double.PositiveInfinity), (1L, 11L, 0.80)], history.Select(m => (m.Step, m.Timestamp, m.Value)));
        var logged = await store.GetRunAsync(id);
        Assert.Equal(0.80, logged.Metrics.Single(m => m.Key == "auc").Value); // step 1, the latest time
        Assert.True(double.IsNaN(logged.Metrics.Single(m => m.Key == "loss").Value));
        Assert.Equal([new Param("learner", "gbdt")], logged.Params);
        Assert.Contains(new RunTag("stage", "final"), logged.Tags);

        // Another value for a parameter: an error naming both, and nothing of the batch is stored.
        var e = await Assert.ThrowsAsync<TrackingException>(() => store.LogBatchAsync(id, [new Metric("auc", 0.99, 20, 5)], [new Param("learner", "logistic")], [new RunTag("stage", "changed")]));
        Assert.Contains("'gbdt'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'logistic'", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, (await store.GetMetricHistoryAsync(id, "auc")).Count);
        Assert.Contains(new RunTag("stage", "final"), (await store.GetRunAsync(id)).Tags);
    }

    [Fact]
    public async Task ABatchThatBreaksARule_IsRefusedWhole()
    {
        var store = OpenStore();
        var run = await store.CreateRunAsync(await store.CreateExperimentAsync("rules"), new NewRun { StartTime = 1 });
        var id = run.Info.RunId;

        await Assert.ThrowsAsync<TrackingException>(() => store.LogBatchAsync(id, [new Metric("ok", 1, 1), new Metric("a//b", 1, 1)], [], []));
        await Assert.ThrowsAsync<TrackingException>(() => store.LogBatchAsync(id, [.. Enumerable.Range(0, 1001).Select(i => new Metric("m", i, 1, i))], [], []));
        await Assert.ThrowsAsync<TrackingException>(() => store.LogBatchAsync(id, [], [new Param("p", new string('x', 6001))], []));
        var unknown = await Assert.ThrowsAsync<TrackingException>(() => store.LogBatchAsync("0123456789abcdef0123456789abcdef", [new Metric("m", 1, 1)], [], []));
        Assert.Equal(TrackingErrorCode.ResourceDoesNotExist, unknown.Code);

        var after = await store.GetRunAsync(id);
        Assert.Empty(after.Metrics);
        Assert.Empty(after.Params);
    }

    [Fact]
    public async Task Inputs_AreKeptOncePerDataSetAndContext()
    {
        var store = OpenStore();
        var run = await store.CreateRunAsync(await store.CreateExperimentAsync("inputs"), new NewRun { StartTime = 1 });
        var train = new DatasetInput("train.csv", "5e3c2a", "training", 3563, 1000);

        await store.LogInputsAsync(run.Info.RunId, [train, new DatasetInput("test.csv", "77aa01", "test", 891, 254)]);
        await store.LogInputsAsync(run.Info.RunId, [train]);

        Assert.Equal([new DatasetInput("test.csv", "77aa01", "test", 891, 254), train], (await store.GetRunAsync(run.Info.RunId)).Inputs);
        await Assert.ThrowsAsync<TrackingException>(() => store.LogInputsAsync(run.Info.RunId, [new DatasetInput("x", new string('d', 40), "training", 1, 0)]));
    }

    [Fact]
    public async Task Artifacts_AreStoredWhole_ListedByFolder_ReadBack_AndCannotLeaveTheRun()
    {
        var store = OpenStore();
        var run = await store.CreateRunAsync(await store.CreateExperimentAsync("artifacts"), new NewRun { StartTime = 1 });
        var id = run.Info.RunId;
        var model = "{\"format\": 6}"u8.ToArray();

        await store.LogArtifactAsync(id, "model/model.json", new MemoryStream(model));
        await store.LogArtifactAsync(id, "report.json", new MemoryStream("{}"u8.ToArray()));
        await store.LogArtifactAsync(id, "report.json", new MemoryStream("{\"v\": 2}"u8.ToArray())); // replaced whole

        Assert.Equal([new ArtifactInfo("model", true, null), new ArtifactInfo("report.json", false, 8)], await store.ListArtifactsAsync(id));
        Assert.Equal([new ArtifactInfo("model/model.json", false, model.Length)], await store.ListArtifactsAsync(id, "model"));
        Assert.Empty(await store.ListArtifactsAsync(id, "none"));
        await using (var read = await store.OpenArtifactAsync(id, "model/model.json"))
        {
            var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(model, copy.ToArray());
        }

        foreach (var bad in new[] { "../escape.txt", "/etc/passwd", "a/../../b", "a//b", "c:\\x", "" })
        {
            var e = await Assert.ThrowsAsync<TrackingException>(() => store.LogArtifactAsync(id, bad, new MemoryStream([1])));
            Assert.Equal(TrackingErrorCode.InvalidParameterValue, e.Code);
        }

        Assert.Equal(TrackingErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<TrackingException>(() => store.OpenArtifactAsync(id, "missing.bin"))).Code);
        Assert.Equal(TrackingErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<TrackingException>(() => store.ListArtifactsAsync("0123456789abcdef0123456789abcdef"))).Code);
    }

    public static TheoryData<string> Filters =>
    [
        "",
        "metrics.auc > 0.8 and params.learner = 'gbdt' and tags.stage = 'cv'",
        "metrics.auc >= 0.75",
        "metrics.auc != 0.8",
        "metrics.loss < 0.5",
        "params.learner LIKE 'gb%'",
        "params.learner ILIKE 'GB%'",
        "params.learner != 'gbdt'",
        "tags.stage = 'final'",
        "attributes.status = 'FINISHED'",
        "attributes.start_time > 1010 and attributes.start_time <= 1030",
        "attributes.end_time > 0",
        "run_name LIKE 'trial 1%'",
        "datasets.context = 'test'",
    ];

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Searches_ReturnWhatTheFilterAndOrderSelectInMemory_PageByPage(string filter)
    {
        var store = OpenStore();
        var experiment = await store.CreateExperimentAsync("search");
        var other = await store.CreateExperimentAsync("other");
        var all = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var run = await store.CreateRunAsync(i % 10 == 9 ? other : experiment, new NewRun { RunName = $"trial {i}", UserId = "ana", StartTime = 1000 + (i % 35) });
            var metrics = new List<Metric> { new("auc", 0.6 + (0.01 * (i % 30)), 1, 0) };
            if (i % 3 == 0)
            {
                metrics.Add(new Metric("loss", i % 6 == 0 ? double.NaN : 0.1 * (i % 8), 1, 0));
            }

            await store.LogBatchAsync(run.Info.RunId, metrics, i % 4 == 3 ? [] : [new Param("learner", i % 4 == 0 ? "gbdt" : i % 4 == 1 ? "GBDT-2" : "logistic")], [new RunTag("stage", i % 2 == 0 ? "cv" : "final")]);
            if (i % 5 == 0)
            {
                await store.LogInputsAsync(run.Info.RunId, [new DatasetInput("d.csv", "d", i % 10 == 0 ? "test" : "training", 10, 2)]);
            }

            if (i % 3 != 1)
            {
                await store.UpdateRunAsync(run.Info.RunId, i % 3 == 0 ? RunStatus.Finished : RunStatus.Failed, endTime: 2000 + i);
            }

            if (i % 10 != 9)
            {
                all.Add(run.Info.RunId);
            }
        }

        var runs = new List<TrackedRun>();
        foreach (var id in all)
        {
            runs.Add(await store.GetRunAsync(id));
        }

        foreach (var orderBy in new[] { Array.Empty<string>(), ["metrics.auc DESC"], ["metrics.loss"], ["params.learner", "metrics.auc desc"], ["attributes.end_time desc"], ["tags.stage ASC", "attributes.run_name"] })
        {
            var expected = runs.Where(RunFilter.Parse(filter).Matches).Order(RunOrder.Parse(orderBy)).Select(r => r.Info.RunId).ToList();
            var found = new List<string>();
            string? token = null;
            do
            {
                var page = await store.SearchRunsAsync(new RunSearch { ExperimentIds = [experiment], Filter = filter, OrderBy = orderBy, MaxResults = 7, PageToken = token });
                Assert.True(page.Runs.Count <= 7);
                found.AddRange(page.Runs.Select(r => r.Info.RunId));
                token = page.NextPageToken;
            }
            while (token is not null);

            Assert.Equal(expected, found);
        }
    }

    [Fact]
    public async Task ABadSearch_SaysWhatIsWrong()
    {
        var store = OpenStore();
        var experiment = await store.CreateExperimentAsync("bad search");

        Assert.Contains("at character", (await Assert.ThrowsAsync<TrackingException>(() => store.SearchRunsAsync(new RunSearch { ExperimentIds = [experiment], Filter = "metrics.auc > 'x'" }))).Message, StringComparison.Ordinal);
        Assert.Contains("max_results", (await Assert.ThrowsAsync<TrackingException>(() => store.SearchRunsAsync(new RunSearch { ExperimentIds = [experiment], MaxResults = 0 }))).Message, StringComparison.Ordinal);
        Assert.Contains("page token", (await Assert.ThrowsAsync<TrackingException>(() => store.SearchRunsAsync(new RunSearch { ExperimentIds = [experiment], PageToken = "garbage" }))).Message, StringComparison.Ordinal);
        Assert.Contains("at least one experiment", (await Assert.ThrowsAsync<TrackingException>(() => store.SearchRunsAsync(new RunSearch { ExperimentIds = [] }))).Message, StringComparison.Ordinal);
    }
}
