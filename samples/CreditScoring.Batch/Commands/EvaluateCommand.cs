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
            if (reportFile is not null)
            {
                ReportJson.Write(reportFile, new ReportContent
                {
                    Command = "evaluate",
                    Model = model,
                    Evaluation = evaluation,
                    Context = [new("model", modelPath), new("data", dataPath), new("skippedRows", data.LoadReport!.RowsSkipped)],
                });
                outputs.Commit();
                shared.Output.WriteLine($"Report written to {reportPath}");
            }

            return 0;
        }));
        return command;
    }
}
