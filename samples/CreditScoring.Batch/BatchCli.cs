using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CreditScoring.Sdk.Training;
using CreditScoring.Sdk.Tuning;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Drift;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.Scorecards;
using CreditScoring.Sdk.Resampling;
using CreditScoring.Sdk.Scoring;
using Microsoft.Extensions.Options;

namespace CreditScoring.Batch;

/// <summary>
/// The command line: <c>train</c>, <c>evaluate</c>, <c>score</c> and <c>quickstart</c> (also what runs
/// with no arguments). Every command has <c>--help</c>. A user error ends with exit code 1 and one
/// line on stderr that starts with <c>error:</c>; a usage error with exit code 2.
/// </summary>
internal static class BatchCli
{
    public const int UserError = 1;
    public const int UsageError = 2;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = BuildCommands(output, error);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            error.WriteLine($"error: {string.Join(" ", parse.Errors.Select(e => e.Message))} (run with --help for usage)");
            return UsageError;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    private static RootCommand BuildCommands(TextWriter output, TextWriter error)
    {
        var seed = new Option<int>("--seed") { Description = "Seed of the split and of every random choice in training.", DefaultValueFactory = _ => CreditScoringContext.DefaultSeed };
        var positive = new Option<string?>("--positive-label") { Description = "When the target holds text labels: the label that means default (mapped to 1), e.g. bad." };
        var negative = new Option<string?>("--negative-label") { Description = "When the target holds text labels: the label that means no default (mapped to 0), e.g. good." };
        var report = new Option<string?>("--report") { Description = "Write a JSON report (metrics on the test rows, baseline, calibration, gains, curves) to this file." };
        Option<string[]> Related() => new("--related") { Description = "A related table the feature pipeline aggregates, NAME=FILE.csv (repeatable), e.g. --related bureau=bureau.csv.", AllowMultipleArgumentsPerToken = false };
        var trainRelated = Related();
        var evalRelated = Related();
        var scoreRelated = Related();
        var reading = new ReadOptionSet();
        var verifyKey = new Option<string?>("--verify-key") { Description = "Load the model only if it is signed by this key (an ECDSA public or private key in PEM, or the base64 of an HMAC key): an unsigned model, one signed by another key, or one changed after signing is refused." };
        var features = new Option<string?>("--features") { Description = "A feature pipeline described in JSON (README: \"Feature pipelines in JSON\"), fitted on the training rows and saved in the model." };

        var trainData = new Option<string>("--data") { Description = "Training CSV file (header row, comma-separated).", Required = true };
        var trainTarget = new Option<string>("--target") { Description = "The 0/1 target column (1 = default).", Required = true };
        var testData = new Option<string?>("--test-data") { Description = "Separate test CSV file; without it a stratified share of --data is held out." };
        var testFraction = new Option<double?>("--test-fraction") { Description = "Share of --data held out for testing (stratified) when --test-data is not given. Default 0.2." };
        var id = new Option<string?>("--id") { Description = "Identifier column (not a feature; labels scored rows)." };
        var learner = new Option<string>("--learner") { Description = $"The learner: {string.Join(", ", LearnerCatalog.Names)}.", DefaultValueFactory = _ => "logistic" };
        var options = new Option<string[]>("--option") { Description = "Sets any option of the learner, NAME=VALUE (repeatable), e.g. --option L2Regularization=0.5.", AllowMultipleArgumentsPerToken = false };
        var threshold = new Option<double>("--threshold") { Description = "Decline when the probability of default is at or above this value.", DefaultValueFactory = _ => DecisionPolicy.DefaultThreshold };
        var model = new Option<string>("--model") { Description = "Where to write the model file.", Required = true };
        var resample = new Option<string?>("--resample") { Description = $"Resample the training rows (only when fitting, inside every fold): {string.Join(", ", ResamplerCatalog.Names)}." };
        var strategy = new Option<string?>("--sampling-strategy") { Description = "imbalanced-learn's sampling_strategy: auto (default), a minority/majority ratio such as 0.5, or counts 0:N,1:M." };
        var calibrate = new Option<string>("--calibrate") { Description = "Probability calibration: none, platt or isotonic (on out-of-fold margins), prior (mean PD = training default rate).", DefaultValueFactory = _ => "none" };
        var costFn = new Option<string?>("--cost-fn") { Description = "Cost of approving a defaulter: a number, or COLUMN*FACTOR for a per-applicant cost (e.g. AMT_CREDIT*0.45). With --cost-fp, the threshold is chosen on out-of-fold predictions." };
        var costFp = new Option<string?>("--cost-fp") { Description = "Cost of declining a good applicant: a number, or COLUMN*FACTOR (e.g. AMT_CREDIT*0.05)." };
        var objective = new Option<string>("--objective") { Description = "What the threshold optimises with costs given: cost (default), f1, youden, bad-rate:MAX (most approvals with bad rate <= MAX), approval:MIN (least cost approving >= MIN).", DefaultValueFactory = _ => "cost" };
        var cv = new Option<int?>("--cv") { Description = "Cross-validate the whole recipe with K stratified folds on the training rows first, and report per-fold metrics with mean and standard deviation." };
        var signKey = new Option<string?>("--sign-key") { Description = "Sign the model with this key file (an ECDSA private key in PEM, or the base64 of an HMAC key; make one with keygen), so that it loads only where the verifying key accepts it." };
        var search = new Option<string?>("--search") { Description = "Search learner options first, as described in a JSON file (README: \"Hyperparameter search\"); the best candidate is trained." };
        var train = new Command("train", "Train a probability-of-default model, evaluate it on test rows and save it.")
        {
            trainData, trainTarget, testData, testFraction, id, learner, options, seed, threshold, model, report, positive, negative, features, trainRelated,
            resample, strategy, calibrate, costFn, costFp, objective, cv, search, signKey,
        };
        reading.AddTo(train);
        train.SetAction(p => Guarded(error, () => Train(
            output, error, reading.Get(p), p.GetValue(trainData)!, p.GetValue(trainTarget)!, p.GetValue(testData), p.GetValue(testFraction), p.GetValue(id),
            p.GetValue(learner)!, p.GetValue(options) ?? [], p.GetValue(seed), p.GetValue(threshold), p.GetValue(model)!, p.GetValue(report),
            p.GetValue(positive), p.GetValue(negative), p.GetValue(features), p.GetValue(trainRelated) ?? [],
            new Recipe(p.GetValue(resample), p.GetValue(strategy), p.GetValue(calibrate)!, p.GetValue(costFn), p.GetValue(costFp), p.GetValue(objective)!, p.GetValue(cv), p.GetValue(search)), p.GetValue(signKey))));

        var evalModel = new Option<string>("--model") { Description = "The model file.", Required = true };
        var evalData = new Option<string>("--data") { Description = "Labelled CSV file.", Required = true };
        var evalTarget = new Option<string?>("--target") { Description = "The target column. Default: the model's training target name." };
        var evaluate = new Command("evaluate", "Evaluate a saved model on labelled data.") { evalModel, evalData, evalTarget, report, positive, negative, evalRelated };
        reading.AddTo(evaluate);
        evaluate.Options.Add(verifyKey);
        evaluate.SetAction(p => Guarded(error, () => Evaluate(output, error, reading.Get(p), p.GetValue(evalModel)!, p.GetValue(evalData)!, p.GetValue(evalTarget), p.GetValue(report), p.GetValue(positive), p.GetValue(negative), p.GetValue(evalRelated) ?? [], p.GetValue(verifyKey))));

        var scoreModel = new Option<string>("--model") { Description = "The model file.", Required = true };
        var scoreData = new Option<string>("--data") { Description = "CSV file with the model's input columns (others are ignored).", Required = true };
        var scoreOutput = new Option<string>("--output") { Description = "Where to write id,probability,decision.", Required = true };
        var scoreId = new Option<string?>("--id") { Description = "Identifier column for the output. Default: the model's training id column if the file has it, else the 1-based row number." };
        var allowFormulas = new Option<bool>("--allow-formulas") { Description = "Write text ids exactly as read, even those a spreadsheet would run as a formula (=, +, -, @, tab or carriage return first). By default such a cell gets a leading apostrophe (OWASP's CSV-injection rule)." };
        var outOfRange = new Option<string>("--out-of-range") { Description = "A numeric input outside the range the model was trained on: flag (score it and write OutOfRange in the warnings column), clip (score it at the end of the range, and flag it), error (stop, naming row, input and value) or ignore.", DefaultValueFactory = _ => "flag" };
        var score = new Command("score", "Score applicants with a saved model.") { scoreModel, scoreData, scoreOutput, scoreId, scoreRelated, allowFormulas, outOfRange };
        reading.AddTo(score);
        score.Options.Add(verifyKey);
        score.SetAction(p => Guarded(error, () => Score(output, error, reading.Get(p), p.GetValue(scoreModel)!, p.GetValue(scoreData)!, p.GetValue(scoreOutput)!, p.GetValue(scoreId), p.GetValue(scoreRelated) ?? [], p.GetValue(allowFormulas), p.GetValue(outOfRange)!, p.GetValue(verifyKey))));

        var driftReference = new Option<string?>("--reference") { Description = "The reference CSV (e.g. the training data). Without it, the training population the --model saved is the reference." };
        var driftCurrent = new Option<string>("--current") { Description = "The current CSV (e.g. recent applications).", Required = true };
        var driftModel = new Option<string?>("--model") { Description = "A model file: its inputs are compared and its scores on both files give prediction drift (PSI)." };
        var driftTarget = new Option<string?>("--target") { Description = "A target column to leave out of the comparison." };
        var driftHtml = new Option<string?>("--html") { Description = "Write the self-contained HTML report here." };
        var driftJson = new Option<string?>("--json") { Description = "Write the JSON report (schema creditscoring-drift/1) here." };
        var driftShare = new Option<double>("--drift-share") { Description = "The share of drifted columns at which the dataset drifts.", DefaultValueFactory = _ => 0.5 };
        var driftTests = new Option<string[]>("--test") { Description = "A column's own test, COLUMN=TEST[:THRESHOLD] (repeatable); TEST is ks, wasserstein, chi2, z, jensen_shannon or psi, e.g. --test Income=psi:0.2.", AllowMultipleArgumentsPerToken = false };
        var drift = new Command("drift", "Compare a current population with a reference: drift per column (KS, Wasserstein, chi-square, Jensen-Shannon, PSI), dataset drift and, with a model, prediction drift.")
        {
            driftReference, driftCurrent, driftModel, driftTarget, driftHtml, driftJson, driftShare, driftTests,
        };
        reading.AddTo(drift);
        drift.Options.Add(verifyKey);
        drift.SetAction(p => Guarded(error, () => Drift(output, error, reading.Get(p), p.GetValue(driftReference), p.GetValue(driftCurrent)!, p.GetValue(driftModel), p.GetValue(driftTarget), p.GetValue(driftHtml), p.GetValue(driftJson), p.GetValue(driftShare), p.GetValue(driftTests) ?? [], p.GetValue(verifyKey))));

        var keyKind = new Option<string>("--kind") { Description = "ecdsa (a P-256 key pair: the private key signs, the public key only verifies) or hmac (one 32-byte secret that signs and verifies).", DefaultValueFactory = _ => "ecdsa" };
        var keyOut = new Option<string>("--out") { Description = "The signing key file (written readable by its owner only).", Required = true };
        var keyPublic = new Option<string?>("--public") { Description = "ecdsa: where the public key goes. Default: --out with .pub appended." };
        var keygen = new Command("keygen", "Create a key to sign models with (train --sign-key) and to verify them (--verify-key, or CreditScoring:SignatureKeyPath in a host).") { keyKind, keyOut, keyPublic };
        keygen.SetAction(p => Guarded(error, () => KeyGen(output, p.GetValue(keyKind)!, p.GetValue(keyOut)!, p.GetValue(keyPublic))));

        var outputDir = new Option<string>("--output-dir") { Description = "Where the quickstart writes its model and scores.", DefaultValueFactory = _ => "quickstart-output" };
        var quickstart = new Command("quickstart", "Train, evaluate and score on the bundled modeldata-credit-data.csv (what runs with no arguments).") { outputDir };
        quickstart.SetAction(p => Guarded(error, () => Quickstart(output, error, p.GetValue(outputDir)!)));

        var root = new RootCommand("CreditScoring.Sdk batch tool: train, evaluate and score probability-of-default models on CSV files. With no arguments it runs the quickstart.")
        {
            train, evaluate, score, drift, keygen, quickstart,
        };
        root.SetAction(_ => Guarded(error, () => Quickstart(output, error, "quickstart-output")));
        return root;
    }

    private static int Guarded(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            error.WriteLine("error: out of memory: the process could not allocate what the command needs. Use fewer rows or columns (drop ids and free text, group rare categories), or a machine with more memory.");
            return UserError;
        }
        catch (Exception e) when (e is CliException or CreditScoringException or OptionsValidationException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or FormatException)
        {
            var message = Plain(e).ReplaceLineEndings(" ");
            error.WriteLine("error: " + (message.EndsWith('.') || message.EndsWith(".)", StringComparison.Ordinal) ? message : message + "."));
            return UserError;
        }
    }

    /// <summary>An exception's message without .NET's parameter decoration ("(Parameter 'x') Actual value was 2."), which means nothing at a command line.</summary>
    private static string Plain(Exception e)
    {
        if (e is not ArgumentException { ParamName: { } name } argument)
        {
            return e.Message;
        }

        var message = argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        return argument is ArgumentOutOfRangeException { ActualValue: { } actual }
            ? message.Replace(Environment.NewLine + $"Actual value was {actual}.", "", StringComparison.Ordinal).TrimEnd('.') + string.Create(CultureInfo.InvariantCulture, $" (got {actual}).")
            : message;
    }

    private static bool IsOutOfMemory(Exception e) => e switch
    {
        OutOfMemoryException or InsufficientMemoryException => true,
        AggregateException a => a.Flatten().InnerExceptions.Any(IsOutOfMemory),
        _ => e.InnerException is { } inner && IsOutOfMemory(inner),
    };

    private static int Train(
        TextWriter output, TextWriter error, ReadSettings reading, string dataPath, string target, string? testPath, double? testFraction, string? id,
        string learnerName, string[] learnerOptions, int seed, double threshold, string modelPath, string? reportPath, string? positive, string? negative,
        string? featuresPath, string[] related, Recipe recipe, string? signKeyPath)
    {
        if (testPath is not null && testFraction is not null)
        {
            throw new CliException("give either --test-data or --test-fraction, not both.");
        }

        if (!(threshold is >= 0 and <= 1))
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--threshold {threshold} is not a probability of default in [0, 1]."));
        }

        if (testFraction is { } fraction && !(fraction is > 0 and < 1))
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--test-fraction {fraction} is not a share in (0, 1), such as 0.2."));
        }

        if (recipe.Folds is < 2)
        {
            throw new CliException($"--cv {recipe.Folds}: cross-validation needs at least 2 folds (5 is usual).");
        }

        var log = new ProgressLog(error);

        // Every output is staged now (so a bad path fails before any work) and replaces its target only when all are done.
        using var signer = signKeyPath is null ? null : ReadKey(signKeyPath, "--sign-key");
        if (signer is { CanSign: false })
        {
            throw new CliException($"--sign-key {signKeyPath} is a public key; signing needs the private key (its public half only verifies).");
        }

        using var outputs = new OutputFiles();
        var modelFile = outputs.Create(modelPath);
        var reportFile = reportPath is null ? null : outputs.Create(reportPath);
        var costs = recipe.Costs();
        var decide = recipe.Decision(costs, threshold);
        _ = LearnerCatalog.Create(learnerName, learnerOptions); // options checked before any data is read
        var searchSpec = recipe.Search is null ? default : HyperparameterSearchJson.ReadFile(recipe.Search);
        var data = WithRelated(Input.Read(dataPath, log, reading, target, id, positive, negative), related, log, reading);
        CreditData train, test;
        if (testPath is null)
        {
            (train, test) = data.SplitStratified(testFraction ?? 0.2, seed);
            log.Step(string.Create(CultureInfo.InvariantCulture, $"Stratified split (seed {seed}): {train.RowCount:N0} training rows, {test.RowCount:N0} test rows"));
        }
        else
        {
            train = data;
            test = WithRelated(Input.Read(testPath, log, reading, target, id, positive, negative, o => o.UseTypesOf(data.Schema)), related, log, reading);
        }

        using var progressLogs = new ProgressLoggerFactory(log);
        var context = new CreditScoringContext(seed, loggerFactory: progressLogs);
        CreditPipelineBuilder Configure(CreditPipelineBuilder builder)
        {
            if (featuresPath is not null)
            {
                builder.Features(f => FeaturePipelineJson.ApplyFile(f, featuresPath));
            }

            if (recipe.Resample is not null)
            {
                var sampling = recipe.SamplingStrategy is null ? null : SamplingStrategy.Parse(recipe.SamplingStrategy);
                builder.Resample(_ => ResamplerCatalog.Create(recipe.Resample, sampling));
            }

            return builder.Calibrate(recipe.CalibrationMethod());
        }

        var extra = new List<Action<Utf8JsonWriter>>();
        var finalOptions = learnerOptions;
        if (searchSpec.Space is not null)
        {
            searchSpec.Options.Costs = costs;
            log.Step($"Searching {string.Join(", ", searchSpec.Space.Options)} ({searchSpec.Options.Strategy}, {searchSpec.Options.Folds}-fold CV, optimising {searchSpec.Options.Metric})");
            var progress = new Progress<SearchTrial>(t => log.Step(string.Create(CultureInfo.InvariantCulture, $"  candidate {t.Candidate} round {t.Round} on {t.Rows:N0} rows: AUC {t.Auc:F4}, log-loss {t.LogLoss:F4}{(double.IsNaN(t.BusinessScore) ? "" : $", business {t.BusinessScore:F4}")} ({string.Join(", ", t.Parameters.Select(p => $"{p.Key}={p.Value}"))})")));
            var result = HyperparameterSearch.Run(context, train, learnerName, searchSpec.Space, searchSpec.Options, learnerOptions, Configure, progress);
            Report.PrintSearch(output, result);
            finalOptions = [.. result.BestOptions];
            extra.Add(json => Report.WriteSearch(json, result));
        }

        var learner = LearnerCatalog.Create(learnerName, finalOptions);
        var pipeline = Configure(context.CreatePipeline()).Train(learner).Decide(decide).Build();
        if (recipe.Folds is { } folds)
        {
            log.Step($"Cross-validating the whole recipe: {folds} stratified folds");
            var cvResult = pipeline.CrossValidate(train, folds, new Progress<int>(k => log.Step($"  fold {k} of {folds} done")));
            Report.PrintCrossValidation(output, cvResult);
            extra.Add(json => Report.WriteCrossValidation(json, cvResult));
        }

        log.Step($"Training {learner.Name} on {train.RowCount:N0} rows{(pipeline.NeedsOutOfFold ? $" (with a {pipeline.InnerFolds}-fold inner cross-validation for calibration and threshold)" : "")}");
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        var trainSeconds = clock.Elapsed.TotalSeconds;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Trained {learner.Name} on {train.RowCount:N0} rows ({model.Input.Count} inputs -> {model.Features.Features.Count} features) in {trainSeconds:F3} s"));
        Report.PrintDiagnostics(output, model.Metadata.Diagnostics);
        if (model.Predictor is ScorecardPredictor card)
        {
            Report.PrintPoints(output, card);
        }

        var testProbabilities = new double[test.RowCount];
        model.CreateScorer().PredictProbabilities(test, testProbabilities);
        var evaluation = model.Evaluate(test, testProbabilities);
        Report.Print(output, evaluation);
        if (model.Decision.Choice is not null)
        {
            var tested = Report.PrintThresholds(output, model, test, testProbabilities);
            extra.Add(json => Report.WriteThresholdsOnTest(json, tested));
        }

        if (signer is null)
        {
            model.Save(modelFile);
        }
        else
        {
            model.Save(modelFile, signer);
        }

        if (reportFile is not null)
        {
            var reportContext = new Dictionary<string, object?>
            {
                ["model"] = modelPath,
                ["data"] = dataPath,
                [testPath is null ? "testFraction" : "testData"] = testPath is null ? testFraction ?? 0.2 : testPath,
                ["trainRows"] = train.RowCount,
                ["trainSeconds"] = trainSeconds,
                ["skippedRows"] = data.LoadReport!.RowsSkipped,
            };
            Report.Write(reportFile, "train", model, evaluation, reportContext, extra);
        }

        outputs.Commit();
        output.WriteLine($"Model saved to {modelPath}");
        if (reportPath is not null)
        {
            output.WriteLine($"Report written to {reportPath}");
        }

        return 0;
    }

    private static int Evaluate(TextWriter output, TextWriter error, ReadSettings reading, string modelPath, string dataPath, string? target, string? reportPath, string? positive, string? negative, string[] related, string? verifyKey)
    {
        var log = new ProgressLog(error);
        using var outputs = new OutputFiles();
        var reportFile = reportPath is null ? null : outputs.Create(reportPath);
        var model = LoadModel(modelPath, log, verifyKey);
        var data = WithRelated(Input.Read(dataPath, log, reading, target ?? model.Metadata.TargetColumn, null, positive, negative, o => o.UseTypesOf(model.Input)), related, log, reading);
        var evaluation = model.Evaluate(data);
        Report.Print(output, evaluation);
        if (reportFile is not null)
        {
            Report.Write(reportFile, "evaluate", model, evaluation, new Dictionary<string, object?>
            {
                ["model"] = modelPath,
                ["data"] = dataPath,
                ["skippedRows"] = data.LoadReport!.RowsSkipped,
            });
            outputs.Commit();
            output.WriteLine($"Report written to {reportPath}");
        }

        return 0;
    }

    private static int Score(TextWriter output, TextWriter error, ReadSettings reading, string modelPath, string dataPath, string outputPath, string? id, string[] related, bool allowFormulas, string outOfRange, string? verifyKey)
    {
        var rangeHandling = outOfRange.ToLowerInvariant() switch
        {
            "flag" => OutOfRangeHandling.Flag,
            "clip" => OutOfRangeHandling.Clip,
            "error" => OutOfRangeHandling.Throw,
            "ignore" => OutOfRangeHandling.Ignore,
            _ => throw new CliException($"--out-of-range '{outOfRange}' is not flag, clip, error or ignore."),
        };
        var log = new ProgressLog(error);
        using var outputs = new OutputFiles();
        var scoresFile = outputs.Create(outputPath);
        var model = LoadModel(modelPath, log, verifyKey);
        var data = WithRelated(Input.Read(dataPath, log, reading, null, id, null, null, o => o.UseTypesOf(model.Input)), related, log, reading);
        if (id is null && model.Metadata.IdColumn is { } trainingId && data.Schema.IndexOf(trainingId) >= 0)
        {
            data = data.WithRole(trainingId, ColumnRole.Id);
        }

        log.Step($"Scoring {data.RowCount:N0} rows");
        var scores = model.CreateScorer(new ScorerOptions { OutOfRange = rangeHandling }).ScoreBatch(data);
        ScoresFile.Write(scoresFile, data, scores, new ScoresFileOptions { NeutralizeFormulas = !allowFormulas });
        outputs.Commit();
        var declined = scores.Count(s => s.Decision == CreditDecision.Decline);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Scored {scores.Count:N0} rows: {declined:N0} declined ({Report.Percent(scores.Count == 0 ? double.NaN : declined / (double)scores.Count)}) at PD >= {Report.Fixed(model.Decision.Threshold, 2)}; written to {outputPath}"));
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
    }

    /// <summary>Attaches the <c>--related NAME=FILE</c> tables.</summary>
    private static CreditData WithRelated(CreditData data, string[] related, ProgressLog log, ReadSettings reading)
    {
        foreach (var entry in related)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == entry.Length - 1)
            {
                throw new CliException($"--related '{entry}' is not NAME=FILE (e.g. --related bureau=bureau.csv).");
            }

            var path = entry[(eq + 1)..];
            log.Step($"Loading related table {entry[..eq]} from {path}");
            data = data.WithRelated(entry[..eq], Input.ReadRelated(path, log, reading));
        }

        return data;
    }

    private static int Quickstart(TextWriter output, TextWriter error, string outputDir)
    {
        var dataPath = FindQuickstartData();
        Directory.CreateDirectory(outputDir);
        var modelPath = Path.Combine(outputDir, "model.json");
        var scoresPath = Path.Combine(outputDir, "scores.csv");
        var reportPath = Path.Combine(outputDir, "report.json");
        var testPath = Path.Combine(outputDir, "test.csv");

        output.WriteLine("CreditScoring.Sdk quickstart: logistic regression on modeldata-credit-data.csv (4,454 loans, 28% defaults, MIT licence)");
        output.WriteLine();
        var log = new ProgressLog(error);
        var data = Input.Read(dataPath, log, ReadSettings.Default, "default", null, null, null);
        var (train, test) = data.SplitStratified(0.2, CreditScoringContext.DefaultSeed);
        OutputFiles.Write(testPath, stream => WriteCsv(stream, test));

        var clock = Stopwatch.StartNew();
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(train);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1. Trained on {train.RowCount:N0} rows ({model.Input.Count} inputs -> {model.Features.Features.Count} features) in {clock.Elapsed.TotalSeconds:F3} s"));
        model.Save(modelPath);

        var evaluation = model.Evaluate(test);
        output.WriteLine("2. Evaluated on the held-out 20% (stratified, seed 42):");
        Report.Print(output, evaluation);
        OutputFiles.Write(reportPath, stream => Report.Write(stream, "quickstart", model, evaluation, new Dictionary<string, object?> { ["model"] = modelPath, ["data"] = dataPath, ["testFraction"] = 0.2, ["trainRows"] = train.RowCount }));

        var loaded = CreditModel.Load(modelPath);
        var scores = loaded.CreateScorer().ScoreBatch(test);
        ScoresFile.Write(scoresPath, test, scores);
        output.WriteLine($"3. Saved {modelPath}, loaded it back and scored the test rows into {scoresPath}:");
        output.WriteLine("     row  probability  decision");
        for (var i = 0; i < Math.Min(5, scores.Count); i++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {i + 1,6}  {scores[i].Probability,11:F4}  {Decision(scores[i].Decision)}"));
        }

        output.WriteLine();
        output.WriteLine("Next, the same with the CLI:");
        output.WriteLine($"  dotnet run --project samples/CreditScoring.Batch -- evaluate --model {modelPath} --data {testPath}");
        output.WriteLine($"  dotnet run --project samples/CreditScoring.Batch -- score --model {modelPath} --data {testPath} --output {scoresPath}");
        output.WriteLine($"Full report: {reportPath}");
        return 0;
    }

    private static int Drift(TextWriter output, TextWriter error, ReadSettings reading, string? referencePath, string currentPath, string? modelPath, string? target, string? htmlPath, string? jsonPath, double share, string[] tests, string? verifyKey)
    {
        var log = new ProgressLog(error);
        using var outputs = new OutputFiles();
        var htmlFile = htmlPath is null ? null : outputs.Create(htmlPath);
        var jsonFile = jsonPath is null ? null : outputs.Create(jsonPath);
        var options = new DriftOptions { DriftShare = share };
        foreach (var entry in tests)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var spec = eq > 0 ? entry[(eq + 1)..] : "";
            var colon = spec.IndexOf(':', StringComparison.Ordinal);
            var testName = colon >= 0 ? spec[..colon] : spec;
            var threshold = double.NaN;
            if (eq <= 0 || (colon >= 0 && !double.TryParse(spec[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out threshold)))
            {
                throw new CliException($"--test '{entry}' is not COLUMN=TEST[:THRESHOLD] (e.g. --test Income=psi:0.2).");
            }

            var test = Enum.GetValues<DriftTest>().Where(t => t != DriftTest.Auto).FirstOrDefault(t => string.Equals(DriftReport.TestName(t), testName.Trim(), StringComparison.OrdinalIgnoreCase));
            if (test == DriftTest.Auto)
            {
                throw new CliException($"--test '{entry}': unknown test '{testName}'; use ks, wasserstein, chi2, z, jensen_shannon or psi.");
            }

            options.Columns[entry[..eq].Trim()] = new ColumnDriftOptions(test, threshold);
        }

        var model = modelPath is null ? null : LoadModel(modelPath, log, verifyKey);
        if (referencePath is null && model?.Profile is null)
        {
            throw new CliException(model is null
                ? "give --reference, or a --model whose saved training population is the reference."
                : $"the model {modelPath} saved no training population (an imported model); give --reference.");
        }

        Action<DataLoadOptions>? modelTypes = model is null ? null : o => o.UseTypesOf(model.Input);
        var reference = referencePath is null ? null : Input.Read(referencePath, log, reading, target, null, null, null, modelTypes);
        var current = Input.Read(currentPath, log, reading, target, null, null, null, reference is null ? modelTypes : o => o.UseTypesOf(reference.Schema, "the reference data"));
        log.Step(reference is null ? "Comparing with the model's training population" : "Comparing");
        var clock = Stopwatch.StartNew();
        var result = reference is null ? DriftDetector.Compare(model!.Profile!, current, options, model) : DriftDetector.Compare(reference, current, options, model);
        log.Step(string.Create(CultureInfo.InvariantCulture, $"  {result.Columns.Count} columns in {clock.Elapsed.TotalSeconds:F3} s"));
        output.WriteLine(result.Summary + " " + result.Verdict);
        foreach (var note in result.Notes)
        {
            log.Note(note);
        }

        output.WriteLine($"  {"column",-36} {"type",-11} {"test",-14} {"statistic",10} {"p-value",10} {"threshold",9} {"PSI",8}  drift");
        foreach (var c in result.Columns)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Name,-36} {c.Type,-11} {DriftReport.TestName(c.Test),-14} {c.Statistic,10:G4} {(c.PValue is { } p ? p.ToString("G4", CultureInfo.InvariantCulture) : ""),10} {c.Threshold,9:G3} {c.Psi,8:F4}  {(c.Drifted ? "DRIFT" : c.InsufficientData ? "insufficient data" : "")}{(c.Reason.Length > 0 ? " (" + c.Reason + ")" : "")}"));
        }

        if (result.Prediction is { } prediction)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Prediction drift: PSI {prediction.Psi:F4} ({prediction.Stability}); mean PD {prediction.ReferenceMeanPd:P2} -> {prediction.CurrentMeanPd:P2}"));
        }

        if (htmlFile is not null)
        {
            htmlFile.Write(Encoding.UTF8.GetBytes(DriftReport.ToHtml(result, $"Data drift: {Path.GetFileName(currentPath)} against {(referencePath is null ? "the training population of " + Path.GetFileName(modelPath) : Path.GetFileName(referencePath))}")));
        }

        if (jsonFile is not null)
        {
            DriftReport.WriteJson(result, jsonFile);
        }

        outputs.Commit();
        if (htmlPath is not null)
        {
            output.WriteLine($"HTML report written to {htmlPath}");
        }

        if (jsonPath is not null)
        {
            output.WriteLine($"JSON report written to {jsonPath}");
        }

        return 0;
    }

    private static CreditModel LoadModel(string path, ProgressLog log, string? verifyKeyPath)
    {
        Input.CheckReadable(path, "model file");
        log.Step($"Loading model {path}");
        if (verifyKeyPath is null)
        {
            return CreditModel.Load(path);
        }

        using var key = ReadKey(verifyKeyPath, "--verify-key");
        var model = CreditModel.Load(path, key);
        log.Step($"  signature by key {key.Id} ({key.Algorithm}) verified");
        return model;
    }

    private static int KeyGen(TextWriter output, string kind, string path, string? publicPath)
    {
        using var key = kind.ToLowerInvariant() switch
        {
            "ecdsa" => ModelSigningKey.CreateEcdsa(),
            "hmac" => ModelSigningKey.Hmac(System.Security.Cryptography.RandomNumberGenerator.GetBytes(ModelSigningKey.MinimumHmacKeyBytes)),
            _ => throw new CliException($"--kind '{kind}' is not ecdsa or hmac."),
        };
        using var outputs = new OutputFiles();
        using (var writer = new StreamWriter(outputs.Create(path, UnixFileMode.UserRead | UnixFileMode.UserWrite)))
        {
            writer.Write(key.ExportSigningKey() + "\n");
        }

        var pub = key.Algorithm == ModelSigningKey.EcdsaAlgorithm ? publicPath ?? path + ".pub" : null;
        if (pub is not null)
        {
            using var writer = new StreamWriter(outputs.Create(pub));
            writer.Write(key.ExportPublicKeyPem() + "\n");
        }
        else if (publicPath is not null)
        {
            throw new CliException("--public applies to ecdsa keys; an HMAC key has no public half.");
        }

        outputs.Commit();
        output.WriteLine($"Created {key.Algorithm} key {key.Id}: {path} signs{(pub is null ? " and verifies" : $", {pub} verifies")}.");
        return 0;
    }

    private static ModelSigningKey ReadKey(string path, string option)
    {
        Input.CheckReadable(path, $"{option} key file");
        try
        {
            return ModelSigningKey.FromFile(path);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{option} {path}: {e.Message}");
        }
    }

    private static string FindQuickstartData()
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "data", "modeldata-credit-data.csv"),
            Path.Combine("samples", "data", "modeldata-credit-data.csv"),
        };
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new CliException($"the bundled data modeldata-credit-data.csv was not found (looked in {string.Join(" and ", candidates)}).");
    }

    private static string Decision(CreditDecision decision) => decision == CreditDecision.Decline ? "decline" : "approve";

    private static void WriteCsv(Stream stream, CreditData data)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(string.Join(',', data.Schema.Columns.Select(c => Csv(c.Name))) + "\n");
        for (var r = 0; r < data.RowCount; r++)
        {
            writer.Write(string.Join(',', data.Columns.Select(c => Csv(c.FormatValue(r) ?? string.Empty))) + "\n");
        }
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

/// <summary>train's imbalance and decision settings, as given on the command line.</summary>
internal sealed record Recipe(string? Resample, string? SamplingStrategy, string Calibrate, string? CostFn, string? CostFp, string Objective, int? Folds, string? Search)
{
    public CalibrationMethod CalibrationMethod() => Calibrate.ToLowerInvariant() switch
    {
        "none" => Sdk.Learners.CalibrationMethod.None,
        "platt" => Sdk.Learners.CalibrationMethod.Platt,
        "isotonic" => Sdk.Learners.CalibrationMethod.Isotonic,
        "prior" => Sdk.Learners.CalibrationMethod.PriorCorrection,
        _ => throw new CliException($"--calibrate '{Calibrate}' is not one of none, platt, isotonic, prior."),
    };

    public CostMatrix? Costs()
    {
        if (CostFn is null && CostFp is null)
        {
            return null;
        }

        if (CostFn is null || CostFp is null)
        {
            throw new CliException("give both --cost-fn and --cost-fp (e.g. --cost-fn 10 --cost-fp 1).");
        }

        return CostMatrix.FromColumns(Term("--cost-fn", CostFn), Term("--cost-fp", CostFp));
    }

    public Func<DecisionCatalog, DecisionRule> Decision(CostMatrix? costs, double threshold)
    {
        if (costs is null)
        {
            return Objective == "cost" ? d => d.Threshold(threshold) : throw new CliException($"--objective {Objective} needs --cost-fn and --cost-fp.");
        }

        var colon = Objective.IndexOf(':', StringComparison.Ordinal);
        var limit = colon > 0 && double.TryParse(Objective[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
        return (colon > 0 ? Objective[..colon] : Objective).ToLowerInvariant() switch
        {
            "cost" => d => d.MinimiseCost(costs),
            "f1" => d => d.MaximiseF1(costs),
            "youden" => d => d.MaximiseYouden(costs),
            "bad-rate" when limit is >= 0 and <= 1 => d => d.MostApprovals(limit, costs),
            "approval" when limit is >= 0 and <= 1 => d => d.MinimiseCost(costs, limit),
            _ => throw new CliException($"--objective '{Objective}' is not cost, f1, youden, bad-rate:MAX or approval:MIN (MAX and MIN in [0, 1])."),
        };
    }

    private static CostMatrix.Term Term(string option, string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var constant))
        {
            return new CostMatrix.Term(constant);
        }

        var star = text.LastIndexOf('*');
        if (star < 0)
        {
            return new CostMatrix.Term(text.Trim());
        }

        return double.TryParse(text[(star + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && star > 0
            ? new CostMatrix.Term(text[..star].Trim(), factor)
            : throw new CliException($"{option} '{text}' is not a number or COLUMN*FACTOR (e.g. AMT_CREDIT*0.45).");
    }
}

/// <summary>A user error the CLI reports as one line on stderr.</summary>
internal sealed class CliException(string message) : Exception(message);
