using System.CommandLine;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Reporting;

namespace CreditScoring.Batch.Commands;

/// <summary><c>evaluate</c>: a saved model's figures on labelled data.</summary>
internal static class EvaluateCommand
{
    public static Command Create(SharedOptions shared)
    {
        var modelOption = new Option<string>("--model") { Description = "The model file, or a registry model: models:/NAME@ALIAS, models:/NAME/VERSION (from --store).", Required = true };
        var dataOption = new Option<string>("--data") { Description = "Labelled CSV file.", Required = true };
        var targetOption = new Option<string?>("--target") { Description = "The target column. Default: the model's training target name." };
        var relatedOption = SharedOptions.Related();
        var command = new Command("evaluate", "Evaluate a saved model on labelled data.") { modelOption, dataOption, targetOption, shared.Report, shared.PositiveLabel, shared.NegativeLabel, relatedOption };
        shared.Reading.AddTo(command);
        command.Options.Add(shared.VerifyKey);
        command.Options.Add(shared.Track);
        command.Options.Add(shared.Experiment);
        command.Options.Add(shared.RunDescription);
        command.Options.Add(shared.Store);
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            var (modelPath, dataPath, reportPath, reading) = (p.GetValue(modelOption)!, p.GetValue(dataOption)!, p.GetValue(shared.Report), shared.Reading.Get(p));
            var log = new ProgressLog(shared.Error);
            using var outputs = new OutputFiles();
            var reportFile = reportPath is null ? null : outputs.Create(reportPath);
            var model = CommandSupport.LoadModel(modelPath, log, p.GetValue(shared.VerifyKey), p.GetValue(shared.Store));
            var data = CommandSupport.WithRelated(
                Input.Read(dataPath, log, reading, p.GetValue(targetOption) ?? model.Metadata.TargetColumn, null, p.GetValue(shared.PositiveLabel), p.GetValue(shared.NegativeLabel), o => o.UseTypesOf(model.Input)),
                p.GetValue(relatedOption) ?? [],
                log,
                reading);
            var evaluation = model.Evaluate(data);
            Report.Print(shared.Output, evaluation);
            var content = new ReportContent
            {
                Command = "evaluate",
                Model = model,
                Evaluation = evaluation,
                Context = [new("model", modelPath), new("data", dataPath), new("skippedRows", data.LoadReport!.RowsSkipped)],
            };
            var tracker = CommandSupport.Tracker(p, shared);
            using (tracker?.Store)
            {
                if (tracker is not null)
                {
                    // A run of its own: which model (its file or registry URI, learner, training data) on which data, with what figures.
                    var meta = model.Metadata;
                    var run = tracker.StartRunAsync("evaluate " + (CreditScoring.Sdk.Tracking.ModelUri.IsModelUri(modelPath) ? modelPath : Path.GetFileName(modelPath)), [new("mlflow.source.name", "creditscoring-batch evaluate")]).GetAwaiter().GetResult();
                    var runId = run.Info.RunId;
                    tracker.Store.LogBatchAsync(runId, [], [new("model", modelPath), new("learner", meta.Learner), new("model_data_fingerprint", meta.DataFingerprint), new("model_sdk_version", meta.SdkVersion)], []).GetAwaiter().GetResult();
                    CommandSupport.LogEvaluation(tracker.Store, runId, evaluation, data, dataPath, content, p.GetValue(shared.RunDescription));
                    tracker.Store.UpdateRunAsync(runId, CreditScoring.Sdk.Tracking.RunStatus.Finished, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).GetAwaiter().GetResult();
                    log.Step($"Tracked as run {runId} (experiment {tracker.Experiment}) in {tracker.Store}");
                }
            }

            if (reportFile is not null)
            {
                ReportJson.Write(reportFile, content);
                outputs.Commit();
                shared.Output.WriteLine($"Report written to {reportPath}");
            }

            return 0;
        }));
        return command;
    }
}
