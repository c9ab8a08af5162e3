using System.CommandLine;
using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Batch.Commands;

/// <summary><c>score</c>: a saved model's probability and decision for every row of a CSV file, into a scores file.</summary>
internal static class ScoreCommand
{
    public static Command Create(SharedOptions shared)
    {
        var modelOption = new Option<string>("--model") { Description = "The model file, or a registry model: models:/NAME@ALIAS, models:/NAME/VERSION (from --store).", Required = true };
        var dataOption = new Option<string>("--data") { Description = "CSV file with the model's input columns (others are ignored).", Required = true };
        var outputOption = new Option<string>("--output") { Description = "Where to write id,probability,decision.", Required = true };
        var idOption = new Option<string?>("--id") { Description = "Identifier column for the output. Default: the model's training id column if the file has it, else the 1-based row number." };
        var relatedOption = SharedOptions.Related();
        var allowFormulas = new Option<bool>("--allow-formulas") { Description = "Write text ids exactly as read, even those a spreadsheet would run as a formula (=, +, -, @, tab or carriage return first). By default such a cell gets a leading apostrophe (OWASP's CSV-injection rule)." };
        var outOfRange = new Option<string>("--out-of-range") { Description = "A numeric input outside the range the model was trained on: flag (score it and write OutOfRange in the warnings column), clip (score it at the end of the range, and flag it), error (stop, naming row, input and value) or ignore.", DefaultValueFactory = _ => "flag" };
        var reasons = new Option<int>("--reasons") { Description = "Add the top N reason codes of every row (reasonK_code, reasonK_text columns): the inputs that pushed it toward decline, from exact contributions.", DefaultValueFactory = _ => 0 };
        var reasonCodes = new Option<string?>("--reason-codes") { Description = "Reason code table for --reasons (JSON or CSV: input,code,text[,textWhenHigh,textWhenLow,textWhenMissing,exclude]). Default: each input cited by name." };
        var command = new Command("score", "Score applicants with a saved model.") { modelOption, dataOption, outputOption, idOption, relatedOption, allowFormulas, outOfRange, reasons, reasonCodes };
        shared.Reading.AddTo(command);
        command.Options.Add(shared.VerifyKey);
        command.Options.Add(shared.Store);
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            var rangeText = p.GetValue(outOfRange)!;
            var rangeHandling = rangeText.ToLowerInvariant() switch
            {
                "flag" => OutOfRangeHandling.Flag,
                "clip" => OutOfRangeHandling.Clip,
                "error" => OutOfRangeHandling.Throw,
                "ignore" => OutOfRangeHandling.Ignore,
                _ => throw new CliException($"--out-of-range '{rangeText}' is not flag, clip, error or ignore."),
            };
            var (outputPath, id, reading) = (p.GetValue(outputOption)!, p.GetValue(idOption), shared.Reading.Get(p));
            var log = new ProgressLog(shared.Error);
            using var outputs = new OutputFiles();
            var scoresFile = outputs.Create(outputPath);
            var model = CommandSupport.LoadModel(p.GetValue(modelOption)!, log, p.GetValue(shared.VerifyKey), p.GetValue(shared.Store));
            var data = CommandSupport.ReadApplicants(p.GetValue(dataOption)!, model, id, p.GetValue(relatedOption) ?? [], log, reading);

            var reasonCount = p.GetValue(reasons);
            if (reasonCount < 0)
            {
                throw new CliException($"--reasons {reasonCount} must be 0 (none) or more.");
            }

            if (reasonCount == 0 && p.GetValue(reasonCodes) is not null)
            {
                throw new CliException("--reason-codes needs --reasons N (how many reasons per row to write).");
            }

            var scorerOptions = new ScorerOptions { OutOfRange = rangeHandling };
            var fileOptions = new ScoresFileOptions { NeutralizeFormulas = !p.GetValue(allowFormulas) };
            IReadOnlyList<CreditScore> scores;
            if (reasonCount > 0)
            {
                var table = p.GetValue(reasonCodes) is { } tablePath ? ReasonCodeTable.Load(tablePath) : null;
                var explainer = model.CreateExplainer(new ExplainerOptions { TopReasons = reasonCount, ReasonCodes = table, Scoring = scorerOptions });
                log.Step($"Scoring and explaining {data.RowCount:N0} rows");
                var rows = explainer.ReasonsBatch(data);
                ExplainedScoresFile.Write(scoresFile, data, rows, reasonCount, fileOptions);
                scores = [.. rows.Select(r => r.Score)];
            }
            else
            {
                log.Step($"Scoring {data.RowCount:N0} rows");
                scores = model.CreateScorer(scorerOptions).ScoreBatch(data);
                ScoresFile.Write(scoresFile, data, scores, fileOptions);
            }

            outputs.Commit();
            var declined = scores.Count(s => s.Decision == CreditDecision.Decline);
            shared.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Scored {scores.Count:N0} rows: {declined:N0} declined ({Report.Percent(scores.Count == 0 ? double.NaN : declined / (double)scores.Count)}) at PD >= {Report.Fixed(model.Decision.Threshold, 2)}; written to {outputPath}"));
            foreach (var warning in new[] { ScoreWarnings.OutOfRange, ScoreWarnings.UnknownCategory })
            {
                var count = scores.Count(s => (s.Warnings & warning) != 0);
                if (count > 0)
                {
                    var rows = count.ToString("N0", CultureInfo.InvariantCulture);
                    log.Note(warning == ScoreWarnings.OutOfRange
                        ? $"{rows} row(s) have an input outside the range the model was trained on ({(rangeHandling == OutOfRangeHandling.Clip ? "clipped to it" : "scored as given")}); they are marked OutOfRange in the warnings column."
                        : $"{rows} row(s) have a category the model did not see in training (scored as none of the known ones); they are marked UnknownCategory in the warnings column.");
                }
            }

            return 0;
        }));
        return command;
    }
}
