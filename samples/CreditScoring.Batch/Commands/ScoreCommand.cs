using System.CommandLine;
using System.Globalization;
using CreditScoring.Sdk.Batch;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Batch.Commands;

/// <summary>
/// <c>score</c>: a saved model's probability and decision for every row of a CSV file, into a scores file (<c>--data</c>);
/// or a batch job from a database or file into a database or file (<c>--input</c>), partitioned and resumable.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create(SharedOptions shared)
    {
        var modelOption = new Option<string?>("--model") { Description = "The model file, or a registry model: models:/NAME@ALIAS, models:/NAME/VERSION (from --store)." };
        var registryOption = new Option<string?>("--registry") { Description = "A registry model, NAME@ALIAS or NAME/VERSION (from --store): the same as --model models:/NAME@ALIAS." };
        var dataOption = new Option<string?>("--data") { Description = "CSV file with the model's input columns (others are ignored), scored in memory into --output (a CSV file)." };
        var inputOption = new Option<string?>("--input") { Description = "A batch job's source: postgres://USER:PASSWORD@HOST:PORT/DB?table=T (or ?query=SELECT..., URL-encoded), sqlite:///PATH?table=T, or a .parquet, .csv, .jsonl file. Every row needs an id (--id)." };
        var outputOption = new Option<string>("--output") { Description = "With --data: where to write id,probability,decision (CSV). With --input: the job's sink, postgres://...?table=T, sqlite:///PATH?table=T, or a .parquet or .csv file.", Required = true };
        var idOption = new Option<string?>("--id") { Description = "Identifier column for the output. Default: the model's training id column (with --data: if the file has it, else the 1-based row number; with --input: else 'id')." };
        var partitions = new Option<int>("--partitions") { Description = "With --input: how many partitions the job is cut into, each written with its checkpoint in one transaction.", DefaultValueFactory = _ => 16 };
        var partitionBy = new Option<string>("--partition-by") { Description = "With --input: ranges (of the id; of rows for a file) or hash (buckets of a hash of the id; databases only).", DefaultValueFactory = _ => "ranges" };
        var rejects = new Option<string>("--rejects") { Description = "With --input: a row that cannot be scored (a wrong type, a refused value) makes the job fail, naming its id and column (fail), or goes to the job database's batch_rejects table (table).", DefaultValueFactory = _ => "fail" };
        var jobs = new Option<string?>("--jobs") { Description = "With --input and a file output: the job database (SQLite path or postgres://...). Default: creditscoring-jobs.db beside the output. A database output keeps its jobs in its own database." };
        var jobName = new Option<string?>("--job") { Description = "With --input: the job's name (such as nightly-2026-12-07): created, resumed when unfinished, left as is when done, so the same command may run again safely; several workers join it by name. Default: the unfinished job of the same options, else a new one." };
        var worker = new Option<string?>("--worker") { Description = "With --input: this worker's name in the job table. Default: host:pid." };
        var lease = new Option<double>("--lease") { Description = "With --input: seconds a partition stays with its worker without a heartbeat before another worker may take it.", DefaultValueFactory = _ => 30 };
        var parallel = new Option<int>("--parallel-partitions") { Description = "With --input: partitions this worker writes at once, each with its own connections.", DefaultValueFactory = _ => 2 };
        var chunkRows = new Option<int>("--chunk-rows") { Description = "With --input: rows read, scored and written at a time.", DefaultValueFactory = _ => 8_192 };
        var relatedOption = SharedOptions.Related();
        var allowFormulas = new Option<bool>("--allow-formulas") { Description = "Write text ids exactly as read, even those a spreadsheet would run as a formula (=, +, -, @, tab or carriage return first). By default such a cell gets a leading apostrophe (OWASP's CSV-injection rule)." };
        var outOfRange = new Option<string>("--out-of-range") { Description = "A numeric input outside the range the model was trained on: flag (score it and write OutOfRange in the warnings column), clip (score it at the end of the range, and flag it), error (stop, naming row, input and value) or ignore.", DefaultValueFactory = _ => "flag" };
        var reasons = new Option<int>("--reasons") { Description = "Add the top N reason codes of every row (reasonK_code, reasonK_text columns): the inputs that pushed it toward decline, from exact contributions.", DefaultValueFactory = _ => 0 };
        var reasonCodes = new Option<string?>("--reason-codes") { Description = "Reason code table for --reasons (JSON or CSV: input,code,text[,textWhenHigh,textWhenLow,textWhenMissing,exclude]). Default: each input cited by name." };
        var command = new Command("score", "Score applicants with a saved model: a CSV file in memory (--data), or a batch job between databases and files, partitioned and resumable (--input).") { modelOption, registryOption, dataOption, inputOption, outputOption, idOption, relatedOption, allowFormulas, outOfRange, reasons, reasonCodes, partitions, partitionBy, rejects, jobs, jobName, worker, lease, parallel, chunkRows };
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
            var modelPath = (p.GetValue(modelOption), p.GetValue(registryOption)) switch
            {
                ({ } path, null) => path,
                (null, { } registered) => "models:/" + registered,
                _ => throw new CliException("Give the model with --model FILE (or models:/NAME@ALIAS) or --registry NAME@ALIAS, one of the two."),
            };
            var reasonCount = p.GetValue(reasons);
            if (reasonCount < 0)
            {
                throw new CliException($"--reasons {reasonCount} must be 0 (none) or more.");
            }

            if (p.GetValue(inputOption) is { } input)
            {
                if (p.GetValue(dataOption) is not null)
                {
                    throw new CliException("Give --data (a CSV file scored in memory) or --input (a batch job), not both.");
                }

                if (p.GetValue(allowFormulas))
                {
                    throw new CliException("A batch job's CSV output always writes a text a spreadsheet would run as a formula with a leading apostrophe; --allow-formulas goes with --data.");
                }

                if (p.GetValue(reasonCodes) is not null || (p.GetValue(relatedOption) ?? []).Length > 0)
                {
                    throw new CliException("A batch job (--input) writes each reason's code and text as the model's reason codes give them, and scores models of one table: --reason-codes and --related go with --data.");
                }

                var partitioning = p.GetValue(partitionBy)!.ToLowerInvariant() switch
                {
                    "ranges" or "range" => BatchPartitioning.IdRanges,
                    "hash" => BatchPartitioning.HashBuckets,
                    var other => throw new CliException($"--partition-by '{other}' is not ranges or hash."),
                };
                var rejectHandling = p.GetValue(rejects)!.ToLowerInvariant() switch
                {
                    "fail" => RejectHandling.Fail,
                    "table" => RejectHandling.Table,
                    var other => throw new CliException($"--rejects '{other}' is not fail or table."),
                };
                if (p.GetValue(partitions) < 1 || p.GetValue(chunkRows) < 1 || p.GetValue(parallel) < 1 || p.GetValue(lease) < 1)
                {
                    throw new CliException("--partitions, --parallel-partitions and --chunk-rows must be 1 or more, --lease 1 second or more.");
                }

                var named = CommandSupport.LoadNamedModel(modelPath, log, p.GetValue(shared.VerifyKey), p.GetValue(shared.Store));
                return ScoreJob.Run(shared, named, new ScoreJob.Arguments(input, outputPath, id, p.GetValue(partitions), partitioning, reasonCount, rejectHandling, p.GetValue(jobs), p.GetValue(jobName), p.GetValue(worker),
                    TimeSpan.FromSeconds(p.GetValue(lease)), p.GetValue(parallel), p.GetValue(chunkRows), new ScorerOptions { OutOfRange = rangeHandling }));
            }

            var dataPath = p.GetValue(dataOption) ?? throw new CliException("Give the applicants with --data FILE.csv (scored in memory) or --input SOURCE (a batch job).");
            using var outputs = new OutputFiles();
            var scoresFile = outputs.Create(outputPath);
            var model = CommandSupport.LoadModel(modelPath, log, p.GetValue(shared.VerifyKey), p.GetValue(shared.Store));
            var data = CommandSupport.ReadApplicants(dataPath, model, id, p.GetValue(relatedOption) ?? [], log, reading);

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
