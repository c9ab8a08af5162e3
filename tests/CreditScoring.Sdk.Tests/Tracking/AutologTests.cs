using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;
using Microsoft.Data.Sqlite;

namespace CreditScoring.Sdk.Tests.Tracking;

/// <summary>A fit given a tracker (or whose context has one) logs its run to the store: parameters, inputs, metrics, the model file.</summary>
public sealed class AutologTests : IDisposable
{
    private static readonly Lazy<CreditData> Data = new(() => CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")));
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-autolog-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AFit_LogsItsOptionsInputsMetricsAndModelFile_AndFinishes()
    {
        var store = SqliteTrackingStore.Open(Path.Combine(_folder, "mlruns.db"));
        var tracker = new ExperimentTracker(store, "pd-model", userId: "ana");
        var (train, validation) = Data.Value.SplitStratified(0.25, 7);

        var model = new CreditScoringContext(seed: 7).CreatePipeline()
            .Train(t => t.GradientBoosting(o => { o.NumberOfIterations = 20; o.NumberOfLeaves = 7; }))
            .Build()
            .Fit(train, validation, tracker);

        var experiment = (await store.FindExperimentAsync("pd-model"))!;
        var run = Assert.Single((await store.SearchRunsAsync(new RunSearch { ExperimentIds = [experiment.ExperimentId] })).Runs);
        Assert.Equal(RunStatus.Finished, run.Info.Status);
        Assert.Equal("fit gbdt", run.Info.RunName);
        Assert.Equal("ana", run.Info.UserId);
        Assert.NotNull(run.Info.EndTime);
        Assert.Contains(new Param("learner", "gbdt"), run.Params);
        Assert.Contains(new Param("seed", "7"), run.Params);
        Assert.Contains(new Param("data_fingerprint", train.Fingerprint), run.Params);
        Assert.Contains(new Param("NumberOfLeaves", "7"), run.Params);
        var training = model.Evaluate(train);
        var held = model.Evaluate(validation);
        double Metric(string key) => run.Metrics.Single(m => m.Key == key).Value;
        Assert.Equal(training.Auc, Metric("training_auc"));
        Assert.Equal(training.Ks, Metric("training_ks"));
        Assert.Equal(held.Auc, Metric("validation_auc"));
        Assert.Equal(held.LogLoss, Metric("validation_log_loss"));
        Assert.Equal(model.Metadata.TrainingSeconds, Metric("fit_seconds"));
        Assert.Contains(new DatasetInput("training", train.Fingerprint[..36], "training", train.RowCount, train.PositiveCount), run.Inputs);
        Assert.Contains(run.Inputs, i => i.Context == "validation" && i.Rows == validation.RowCount);

        // The artifact is the model file itself: it loads and scores as the fitted model.
        await using var file = await store.OpenArtifactAsync(run.Info.RunId, "model/model.json");
        var loaded = CreditModel.Load(file);
        Assert.Equal(model.CreateScorer().ScoreBatch(validation).Select(s => s.Probability), loaded.CreateScorer().ScoreBatch(validation).Select(s => s.Probability));
    }

    [Fact]
    public async Task TheContextsTracker_LogsEveryFit_ButNotCrossValidationsFoldsAsRuns()
    {
        var store = SqliteTrackingStore.Open(Path.Combine(_folder, "context.db"));
        var context = new CreditScoringContext(seed: 3, tracker: new ExperimentTracker(store));
        var pipeline = context.CreatePipeline().Train(t => t.LogisticRegression()).Build();

        pipeline.Fit(Data.Value);
        pipeline.CrossValidate(Data.Value, folds: 3);

        var runs = (await store.SearchRunsAsync(new RunSearch { ExperimentIds = ["0"] })).Runs;
        var run = Assert.Single(runs);
        Assert.Equal("fit logistic", run.Info.RunName);
        Assert.Contains(run.Metrics, m => m.Key == "training_gini");
    }

    [Fact]
    public async Task AFitThatFails_LeavesAFailedRunWithItsError_AndThrows()
    {
        var store = SqliteTrackingStore.Open(Path.Combine(_folder, "failed.db"));
        var single = Data.Value.SelectRows([.. Enumerable.Range(0, Data.Value.RowCount).Where(i => Data.Value.Labels[i] == 0)]);
        var pipeline = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build();

        var e = Assert.Throws<TrainingDataException>(() => pipeline.Fit(single, null, new ExperimentTracker(store)));

        var run = Assert.Single((await store.SearchRunsAsync(new RunSearch { ExperimentIds = ["0"] })).Runs);
        Assert.Equal(RunStatus.Failed, run.Info.Status);
        Assert.Contains(new RunTag("creditscoring.error", e.Message), run.Tags);
        Assert.Empty(run.Params);
    }
}
