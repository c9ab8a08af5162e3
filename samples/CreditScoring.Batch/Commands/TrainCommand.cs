using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.Scorecards;
using CreditScoring.Sdk.Reporting;
using CreditScoring.Sdk.Resampling;
using CreditScoring.Sdk.Training;
using CreditScoring.Sdk.Tuning;

namespace CreditScoring.Batch.Commands;

/// <summary><c>train</c>: fit a recipe (features, resampler, learner, calibration, decision rule), evaluate it on test rows, save it.</summary>
internal sealed class TrainCommand
{
    private readonly SharedOptions _shared;
    private readonly Option<string> _data = new("--data") { Description = "Training CSV file (header row, comma-separated).", Required = true };
    private readonly Option<string> _target = new("--target") { Description = "The 0/1 target column (1 = default).", Required = true };
    private readonly Option<string?> _testData = new("--test-data") { Description = "Separate test CSV file; without it a stratified share of --data is held out." };
    private readonly Option<double?> _testFraction = new("--test-fraction") { Description = "Share of --data held out for testing (stratified) when --test-data is not given. Default 0.2." };
    private readonly Option<string?> _id = new("--id") { Description = "Identifier column (not a feature; labels scored rows)." };
    private readonly Option<string> _learner = new("--learner") { Description = $"The learner: {string.Join(", ", LearnerCatalog.Names)}.", DefaultValueFactory = _ => "logistic" };
    private readonly Option<string[]> _options = new("--option") { Description = "Sets any option of the learner, NAME=VALUE (repeatable), e.g. --option L2Regularization=0.5.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<double> _threshold = new("--threshold") { Description = "Decline when the probability of default is at or above this value.", DefaultValueFactory = _ => DecisionPolicy.DefaultThreshold };
    private readonly Option<string> _model = new("--model") { Description = "Where to write the model file.", Required = true };
    private readonly Option<string?> _features = new("--features") { Description = "A feature pipeline described in JSON (README: \"Feature pipelines in JSON\"), fitted on the training rows and saved in the model." };
    private readonly Option<string[]> _related = SharedOptions.Related();
    private readonly Option<string?> _resample = new("--resample") { Description = $"Resample the training rows (only when fitting, inside every fold): {string.Join(", ", ResamplerCatalog.Names)}." };
    private readonly Option<string?> _strategy = new("--sampling-strategy") { Description = "imbalanced-learn's sampling_strategy: auto (default), a minority/majority ratio such as 0.5, or counts 0:N,1:M." };
    private readonly Option<string> _calibrate = new("--calibrate") { Description = "Probability calibration: none, platt or isotonic (on out-of-fold margins), prior (mean PD = training default rate).", DefaultValueFactory = _ => "none" };
    private readonly Option<string?> _costFn = new("--cost-fn") { Description = "Cost of approving a defaulter: a number, or COLUMN*FACTOR for a per-applicant cost (e.g. AMT_CREDIT*0.45). With --cost-fp, the threshold is chosen on out-of-fold predictions." };
    private readonly Option<string?> _costFp = new("--cost-fp") { Description = "Cost of declining a good applicant: a number, or COLUMN*FACTOR (e.g. AMT_CREDIT*0.05)." };
    private readonly Option<string> _objective = new("--objective") { Description = "What the threshold optimizes with costs given: cost (default), f1, youden, bad-rate:MAX (most approvals with bad rate <= MAX), approval:MIN (least cost approving >= MIN).", DefaultValueFactory = _ => "cost" };
    private readonly Option<int?> _cv = new("--cv") { Description = "Cross-validate the whole recipe with K stratified folds on the training rows first, and report per-fold metrics with mean and standard deviation." };
    private readonly Option<string?> _search = new("--search") { Description = "Search learner options first, as described in a JSON file (README: \"Hyperparameter search\"); the best candidate is trained." };
    private readonly Option<string?> _signKey = new("--sign-key") { Description = "Sign the model with this key file (an ECDSA private key in PEM, or the base64 of an HMAC key; make one with keygen), so that it loads only where the verifying key accepts it." };

    private readonly Option<string?> _reasonCodes = new("--reason-codes") { Description = "Save this reason code table with the model (JSON or CSV: input,code,text[,textWhenHigh,textWhenLow,textWhenMissing,exclude]); explain and score --reasons then use it." };

    private TrainCommand(SharedOptions shared) => _shared = shared;

    public static Command Create(SharedOptions shared)
    {
        var c = new TrainCommand(shared);
        var command = new Command("train", "Train a probability-of-default model, evaluate it on test rows and save it.")
        {
            c._data, c._target, c._testData, c._testFraction, c._id, c._learner, c._options, shared.Seed, c._threshold, c._model, shared.Report,
            shared.PositiveLabel, shared.NegativeLabel, c._features, c._related, c._resample, c._strategy, c._calibrate, c._costFn, c._costFp,
            c._objective, c._cv, c._search, c._signKey, c._reasonCodes, shared.Track, shared.Experiment, shared.RunDescription,
        };
        shared.Reading.AddTo(command);
        command.SetAction(p => BatchCli.Guarded(shared.Error, () => c.Run(p)));
        return command;
    }

    private int Run(ParseResult p)
    {
        var (output, error) = (_shared.Output, _shared.Error);
        var reading = _shared.Reading.Get(p);
        var (dataPath, testPath, testFraction, threshold, folds) = (p.GetValue(_data)!, p.GetValue(_testData), p.GetValue(_testFraction), p.GetValue(_threshold), p.GetValue(_cv));
        var (target, id, positive, negative, related) = (p.GetValue(_target)!, p.GetValue(_id), p.GetValue(_shared.PositiveLabel), p.GetValue(_shared.NegativeLabel), p.GetValue(_related) ?? []);
        var (learnerName, learnerOptions, seed, modelPath, reportPath) = (p.GetValue(_learner)!, p.GetValue(_options) ?? [], p.GetValue(_shared.Seed), p.GetValue(_model)!, p.GetValue(_shared.Report));
        if (testPath is not null && testFraction is not null)
        {
            throw new CliException("give either --test-data or --test-fraction, not both.");
        }

        // Read before training, so that a bad table stops the command before minutes of work.
        var reasonCodes = p.GetValue(_reasonCodes) is { } reasonsPath ? ReasonCodeTable.Load(reasonsPath) : null;

        if (!(threshold is >= 0 and <= 1))
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--threshold {threshold} is not a probability of default in [0, 1]."));
        }

        if (testFraction is { } fraction && !(fraction is > 0 and < 1))
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture, $"--test-fraction {fraction} is not a share in (0, 1), such as 0.2."));
        }

        if (folds is < 2)
        {
            throw new CliException($"--cv {folds}: cross-validation needs at least 2 folds (5 is usual).");
        }

        var log = new ProgressLog(error);

        // Every output is staged now (so a bad path fails before any work) and replaces its target only when all are done.
        var signKeyPath = p.GetValue(_signKey);
        using var signer = signKeyPath is null ? null : CommandSupport.ReadKey(signKeyPath, "--sign-key");
        if (signer is { CanSign: false })
        {
            throw new CliException($"--sign-key {signKeyPath} is a public key; signing needs the private key (its public half only verifies).");
        }

        using var outputs = new OutputFiles();
        var modelFile = outputs.Create(modelPath);
        var reportFile = reportPath is null ? null : outputs.Create(reportPath);
        var costs = Costs(p.GetValue(_costFn), p.GetValue(_costFp));
        var decide = Decision(costs, threshold, p.GetValue(_objective)!);
        var calibration = Calibration(p.GetValue(_calibrate)!);
        _ = LearnerCatalog.Create(learnerName, learnerOptions); // options checked before any data is read
        var searchPath = p.GetValue(_search);
        var searchSpec = searchPath is null ? default : HyperparameterSearchJson.ReadFile(searchPath);
        var data = CommandSupport.WithRelated(Input.Read(dataPath, log, reading, target, id, positive, negative), related, log, reading);
        CreditData train, test;
        if (testPath is null)
        {
            (train, test) = data.SplitStratified(testFraction ?? 0.2, seed);
            log.Step(string.Create(CultureInfo.InvariantCulture, $"Stratified split (seed {seed}): {train.RowCount:N0} training rows, {test.RowCount:N0} test rows"));
        }
        else
        {
            train = data;
            test = CommandSupport.WithRelated(Input.Read(testPath, log, reading, target, id, positive, negative, o => o.UseTypesOf(data.Schema)), related, log, reading);
        }

        using var progressLogs = new ProgressLoggerFactory(log);
        var tracker = CommandSupport.Tracker(p, _shared);
        using var trackingStore = tracker?.Store;
        var context = new CreditScoringContext(seed, loggerFactory: progressLogs, tracker: tracker); // the search, the cross-validation and the fit are logged
        var (featuresPath, resample, strategy) = (p.GetValue(_features), p.GetValue(_resample), p.GetValue(_strategy));
        CreditPipelineBuilder Configure(CreditPipelineBuilder builder)
        {
            if (featuresPath is not null)
            {
                builder.Features(f => FeaturePipelineJson.ApplyFile(f, featuresPath));
            }

            if (resample is not null)
            {
                var sampling = strategy is null ? null : SamplingStrategy.Parse(strategy);
                builder.Resample(_ => ResamplerCatalog.Create(resample, sampling));
            }

            return builder.Calibrate(calibration);
        }

        SearchResult? searched = null;
        var finalOptions = learnerOptions;
        if (searchSpec.Space is not null)
        {
            searchSpec.Options.Costs = costs;
            log.Step($"Searching {string.Join(", ", searchSpec.Space.Options)} ({searchSpec.Options.Strategy}, {searchSpec.Options.Folds}-fold CV, optimizing {searchSpec.Options.Metric})");
            var progress = new Progress<SearchTrial>(t => log.Step(string.Create(CultureInfo.InvariantCulture, $"  candidate {t.Candidate} round {t.Round} on {t.Rows:N0} rows: AUC {t.Auc:F4}, log-loss {t.LogLoss:F4}{(double.IsNaN(t.BusinessScore) ? "" : $", business {t.BusinessScore:F4}")} ({string.Join(", ", t.Parameters.Select(p => $"{p.Key}={p.Value}"))})")));
            searched = HyperparameterSearch.Run(context, train, learnerName, searchSpec.Space, searchSpec.Options, learnerOptions, Configure, progress);
            Report.PrintSearch(output, searched);
            finalOptions = [.. searched.BestOptions];
        }

        var learner = LearnerCatalog.Create(learnerName, finalOptions);
        var pipeline = Configure(context.CreatePipeline()).Train(learner).Decide(decide).Build();
        CrossValidationResult? crossValidation = null;
        if (folds is { } k)
        {
            log.Step($"Cross-validating the whole recipe: {k} stratified folds");
            crossValidation = pipeline.CrossValidate(train, k, new Progress<int>(f => log.Step($"  fold {f} of {k} done")));
            Report.PrintCrossValidation(output, crossValidation);
        }

        log.Step($"Training {learner.Name} on {train.RowCount:N0} rows{(pipeline.NeedsOutOfFold ? $" (with a {pipeline.InnerFolds}-fold inner cross-validation for calibration and threshold)" : "")}");
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        if (reasonCodes is not null)
        {
            model = model.WithReasonCodes(reasonCodes);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Trained {learner.Name} on {train.RowCount:N0} rows ({model.Input.Count} inputs -> {model.Features.Features.Count} features) in {trainSeconds:F3} s"));
        Report.PrintDiagnostics(output, model.Metadata.Diagnostics);
        if (model.Predictor is ScorecardPredictor card)
        {
            Report.PrintPoints(output, card);
        }

        // The test rows are scored once; the evaluation and the threshold table both read these probabilities.
        var testProbabilities = new double[test.RowCount];
        model.CreateScorer().PredictProbabilities(test, testProbabilities);
        var evaluation = model.Evaluate(test, testProbabilities);
        Report.Print(output, evaluation);
        var thresholds = model.Decision.CompareOn(test, testProbabilities);
        Report.PrintThresholds(output, model.Decision, thresholds);

        using var saved = new MemoryStream();
        if (signer is null)
        {
            model.Save(saved);
        }
        else
        {
            model.Save(saved, signer);
        }

        modelFile.Write(saved.GetBuffer(), 0, (int)saved.Length);
        var content = new ReportContent
        {
            Command = "train",
            Model = model,
            Evaluation = evaluation,
            Context =
            [
                new("model", modelPath),
                new("data", dataPath),
                testPath is null ? new("testFraction", testFraction ?? 0.2) : new("testData", testPath),
                new("trainRows", train.RowCount),
                new("trainSeconds", trainSeconds),
                new("skippedRows", data.LoadReport!.RowsSkipped),
            ],
            Search = searched,
            CrossValidation = crossValidation,
            ThresholdsOnTest = thresholds,
        };
        if (reportFile is not null)
        {
            ReportJson.Write(reportFile, content);
        }

        if (tracker?.LastRun is { } run)
        {
            // The fit's run gets the test figures, the report, and the model file as saved (reason codes, signature).
            var runId = run.Info.RunId;
            CommandSupport.LogEvaluation(tracker.Store, runId, evaluation, test, testPath ?? dataPath, content, p.GetValue(_shared.RunDescription));
            saved.Position = 0;
            tracker.Store.LogArtifactAsync(runId, "model/model.json", saved).GetAwaiter().GetResult();
            log.Step($"Tracked as run {runId} (experiment {tracker.Experiment}) in {tracker.Store}");
            output.WriteLine($"Run {runId}: register it with models register --name NAME --run {runId}");
        }

        outputs.Commit();
        output.WriteLine($"Model saved to {modelPath}");
        if (reportPath is not null)
        {
            output.WriteLine($"Report written to {reportPath}");
        }

        return 0;
    }

    private static CalibrationMethod Calibration(string text) => text.ToLowerInvariant() switch
    {
        "none" => CalibrationMethod.None,
        "platt" => CalibrationMethod.Platt,
        "isotonic" => CalibrationMethod.Isotonic,
        "prior" => CalibrationMethod.PriorCorrection,
        _ => throw new CliException($"--calibrate '{text}' is not one of none, platt, isotonic, prior."),
    };

    private static CostMatrix? Costs(string? falseNegative, string? falsePositive)
    {
        if (falseNegative is null && falsePositive is null)
        {
            return null;
        }

        if (falseNegative is null || falsePositive is null)
        {
            throw new CliException("give both --cost-fn and --cost-fp (e.g. --cost-fn 10 --cost-fp 1).");
        }

        return CostMatrix.FromColumns(Grammar("--cost-fn", () => CostMatrix.Term.Parse(falseNegative)), Grammar("--cost-fp", () => CostMatrix.Term.Parse(falsePositive)));
    }

    private static Func<DecisionCatalog, DecisionRule> Decision(CostMatrix? costs, double threshold, string objectiveText)
    {
        var objective = Grammar("--objective", () => ThresholdObjective.Parse(objectiveText));
        if (costs is null)
        {
            return objective == ThresholdObjective.MinimumCost ? d => d.Threshold(threshold) : throw new CliException($"--objective {objectiveText} needs --cost-fn and --cost-fp.");
        }

        return d => d.Optimize(objective, costs);
    }

    /// <summary>Reads an option's value with the library's grammar, naming the option in the error.</summary>
    private static T Grammar<T>(string option, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ConfigurationException e)
        {
            throw new CliException($"{option}: {e.Message}");
        }
    }
}
