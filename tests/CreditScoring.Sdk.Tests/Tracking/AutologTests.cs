using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Tuning;
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
        Assert.Contains(new RunTag("mlflow.source.type", "LOCAL"), run.Tags);
        Assert.Equal(RunSource.GitCommit(Environment.CurrentDirectory), run.Tags.SingleOrDefault(t => t.Key == "mlflow.source.git.commit")?.Value);
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

        // The evaluation report beside it, as the CLI's train --track stores it.
        await CreditScoring.Sdk.Reporting.ReportJson.LogAsync(store, tracker.LastRun!.Info.RunId, new CreditScoring.Sdk.Reporting.ReportContent { Command = "fit", Model = model, Evaluation = held });
        await using (var report = await store.OpenArtifactAsync(run.Info.RunId, "report.json"))
        {
            Assert.Equal(held.Auc, System.Text.Json.JsonDocument.Parse(report).RootElement.GetProperty("auc").GetDouble());
        }

        // The artifact is the model file itself: it loads and scores as the fitted model.
        await using var file = await store.OpenArtifactAsync(run.Info.RunId, "model/model.json");
        var loaded = CreditModel.Load(file);
        Assert.Equal(model.CreateScorer().ScoreBatch(validation).Select(s => s.Probability), loaded.CreateScorer().ScoreBatch(validation).Select(s => s.Probability));
    }

    [Fact]
    public async Task TheContextsTracker_LogsEveryFit_AndACrossValidationWithItsFoldsAsChildRuns()
    {
        var store = SqliteTrackingStore.Open(Path.Combine(_folder, "context.db"));
        var tracker = new ExperimentTracker(store);
        var context = new CreditScoringContext(seed: 3, tracker: tracker);
        var costs = CostMatrix.Create(falseNegative: 5, falsePositive: 1);
        var pipeline = context.CreatePipeline().Train(t => t.LogisticRegression()).Decide(d => d.MaximizeF1(costs)).Build();

        pipeline.Fit(Data.Value);
        var fit = tracker.LastRun!;
        var cv = pipeline.CrossValidate(Data.Value, folds: 3);
        var cvRun = await store.GetRunAsync(tracker.LastRun!.Info.RunId);

        var runs = (await store.SearchRunsAsync(new RunSearch { ExperimentIds = ["0"], OrderBy = ["attributes.run_name"] })).Runs;
        Assert.Equal(["cv logistic", "fit logistic", "fold 1", "fold 2", "fold 3"], runs.Select(r => r.Info.RunName));
        Assert.Equal("fit logistic", fit.Info.RunName);
        Assert.Contains((await store.GetRunAsync(fit.Info.RunId)).Metrics, m => m.Key == "training_gini");
        Assert.Equal(RunStatus.Finished, cvRun.Info.Status);
        Assert.Contains(new Param("folds", "3"), cvRun.Params);
        Assert.Contains(new Param("data_fingerprint", Data.Value.Fingerprint), cvRun.Params);
        double Metric(TrackedRun run, string key) => run.Metrics.Single(m => m.Key == key).Value;
        Assert.Equal(cv.Auc.Mean, Metric(cvRun, "cv_auc_mean"), 12);
        Assert.Equal(cv.Auc.StandardDeviation, Metric(cvRun, "cv_auc_std"), 12);
        Assert.Equal(cv.OutOfFold.Auc, Metric(cvRun, "oof_auc"), 12);

        // The business cost of each threshold objective on the out-of-fold predictions.
        var analysis = ThresholdAnalysis.Analyze(cv.OutOfFoldProbabilities, Data.Value.Labels, costs.Resolve(Data.Value), Data.Value.Weights);
        Assert.Equal(analysis.Choose(ThresholdObjective.MaximumF1).Cost, Metric(cvRun, "oof_cost_f1"));
        Assert.Equal(analysis.Choose(ThresholdObjective.MinimumCost).Cost, Metric(cvRun, "oof_cost_cost"));
        Assert.Equal(analysis.Choose(ThresholdObjective.MaximumYouden).Threshold, Metric(cvRun, "oof_threshold_youden"));
        Assert.True(Metric(cvRun, "oof_cost_cost") <= Metric(cvRun, "oof_cost_f1"));

        // Each fold a child run with its own figures.
        var folds = runs.Where(r => r.Info.RunName.StartsWith("fold", StringComparison.Ordinal)).ToList();
        Assert.All(folds, f => Assert.Contains(new RunTag("mlflow.parentRunId", cvRun.Info.RunId), f.Tags));
        Assert.Equal(cv.Folds.Select(f => f.Auc), folds.Select(f => Metric(f, "auc")));
        Assert.Equal(cv.Folds.Select(f => f.Cost), folds.Select(f => Metric(f, "cost")));
        Assert.Equal(cv.Folds.Select(f => f.TestRows.ToString(System.Globalization.CultureInfo.InvariantCulture)), folds.Select(f => f.Params.Single(p => p.Key == "test_rows").Value));
    }

    [Fact]
    public async Task ATrackedSearch_LogsEachTrialAsAChildRun_AndTheBestCandidateOnItsRun()
    {
        var store = SqliteTrackingStore.Open(Path.Combine(_folder, "search.db"));
        var tracker = new ExperimentTracker(store, "search");
        var space = new SearchSpace().Values("L2Regularization", 0.1, 1.0, 10.0);

        var result = HyperparameterSearch.Run(new CreditScoringContext(seed: 5), Data.Value, "logistic", space, new SearchOptions { Strategy = SearchStrategy.Grid, Folds = 3, Tracker = tracker });

        var experiment = (await store.FindExperimentAsync("search"))!.ExperimentId;
        var runs = (await store.SearchRunsAsync(new RunSearch { ExperimentIds = [experiment], OrderBy = ["attributes.run_name"] })).Runs;
        var parent = Assert.Single(runs, r => r.Info.RunName == "search logistic");
        Assert.Equal(parent.Info.RunId, tracker.LastRun!.Info.RunId);
        Assert.Contains(new Param("best.L2Regularization", result.Best.Parameters["L2Regularization"]), parent.Params);
        Assert.Contains(new Param("strategy", "Grid"), parent.Params);
        Assert.Equal(result.Best.Score, parent.Metrics.Single(m => m.Key == "best_score").Value);
        var trials = runs.Where(r => r.Info.RunName.StartsWith("trial", StringComparison.Ordinal)).ToList();
        Assert.Equal(["trial 0", "trial 1", "trial 2"], trials.Select(t => t.Info.RunName));
        Assert.All(trials, t => Assert.Contains(new RunTag("mlflow.parentRunId", parent.Info.RunId), t.Tags));
        Assert.Equal(result.Trials.Select(t => t.Auc), trials.Select(t => t.Metrics.Single(m => m.Key == "oof_auc").Value));
        Assert.Equal(["0.1", "1", "10"], trials.Select(t => t.Params.Single(p => p.Key == "L2Regularization").Value));

        // The trials' cross-validations are not logged as runs of their own.
        Assert.DoesNotContain(runs, r => r.Info.RunName.StartsWith("fold", StringComparison.Ordinal) || r.Info.RunName.StartsWith("cv", StringComparison.Ordinal));
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
