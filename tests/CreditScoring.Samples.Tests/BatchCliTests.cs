using System.Text;
using CreditScoring.Sdk.Learners.Scorecards;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Batch;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Samples.Tests;

public class BatchCliTests
{
    private static (int Exit, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    private static string ErrorLine(string stderr) => CliRunner.ErrorLine(stderr);

    [Fact]
    public void Train_WritesModelAndReportWithTheDocumentedKeys()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        var report = Path.Combine(dir, "r.json");

        var (exit, output, _) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model, "--report", report, "--seed", "42");

        Assert.Equal(0, exit);
        Assert.Contains("Trained logistic on 3,563 rows (13 inputs -> 29 features)", output, StringComparison.Ordinal);
        var json = JsonDocument.Parse(File.ReadAllText(report)).RootElement;
        Assert.Equal(891, json.GetProperty("rows").GetInt32());
        Assert.Equal(13, json.GetProperty("features").GetInt32());
        Assert.Equal(29, json.GetProperty("encodedFeatures").GetInt32());
        Assert.Equal("logistic", json.GetProperty("learner").GetString());
        Assert.Equal(3563, json.GetProperty("trainRows").GetInt32());
        Assert.True(json.GetProperty("trainSeconds").GetDouble() > 0);

        // The report's figures are the SDK's evaluation of the saved model on the same held-out rows.
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var expected = CreditModel.Load(model).Evaluate(data.SplitStratified(0.2, 42).Test);
        Assert.Equal(expected.Auc, json.GetProperty("auc").GetDouble());
        Assert.Equal(expected.Gini, json.GetProperty("gini").GetDouble());
        Assert.Equal(expected.Ks, json.GetProperty("ks").GetDouble());
        Assert.Equal(expected.Brier, json.GetProperty("brier").GetDouble());
        Assert.Equal(expected.LogLoss, json.GetProperty("logLoss").GetDouble());
        Assert.Equal(0.5, json.GetProperty("baseline").GetProperty("auc").GetDouble());
        Assert.Equal(10, json.GetProperty("gains").GetArrayLength());
        Assert.InRange(json.GetProperty("roc").GetArrayLength(), 2, 201);
    }

    [Fact]
    public void Train_Gbdt_SetsAnyOptionIncludingMonotoneConstraints()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        var report = Path.Combine(dir, "r.json");

        var (exit, output, error) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "gbdt", "--model", model, "--report", report,
            "--option", "NumberOfIterations=80", "--option", "LearningRate=0.05", "--option", "NumberOfLeaves=15", "--option", "MonotoneConstraints=Seniority:-1,Debt:1");

        Assert.True(exit == 0, error);
        Assert.Contains("Trained gbdt on 3,563 rows (13 inputs -> 13 features)", output, StringComparison.Ordinal);
        var saved = CreditModel.Load(model);
        Assert.Equal("80", saved.Metadata.LearnerParameters["NumberOfIterations"]);
        Assert.Equal("15", saved.Metadata.LearnerParameters["NumberOfLeaves"]);
        Assert.Equal("Debt:1,Seniority:-1", saved.Metadata.LearnerParameters["MonotoneConstraints"]);
        var gb = Assert.IsType<CreditScoring.Sdk.Learners.GradientBoosting.GradientBoostingPredictor>(saved.Predictor);
        Assert.Equal(80, gb.Trees.Count);
        Assert.All(gb.Trees, t => Assert.True(t.LeafCount <= 15));
        Assert.InRange(JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("auc").GetDouble(), 0.84, 0.9);

        var (badExit, _, badError) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "gbdt", "--model", model, "--option", "MonotoneConstraints=Seniority");
        Assert.Equal(1, badExit);
        Assert.Contains("MonotoneConstraints expects NAME:NUMBER pairs", ErrorLine(badError), StringComparison.Ordinal);
    }

    [Fact]
    public void TrainScorecard_PrintsThePointsTable()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "card.json");

        var (exit, output, error) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "scorecard", "--model", model,
            "--option", "PointsToDoubleOdds=40", "--option", "SpecialValues=Assets:0");

        Assert.True(exit == 0, error);
        Assert.Contains("Scorecard points (PDO 40, 600 points at 50:1 good:bad odds):", output, StringComparison.Ordinal);
        var card = Assert.IsType<ScorecardPredictor>(CreditModel.Load(model).Predictor);
        var assetsZero = card.PointsTable.Single(p => p.Characteristic == "Assets" && p.Attribute == "= 0");
        Assert.Matches($@"\n  Assets += 0 +{assetsZero.Count:N0} .* {Math.Round(assetsZero.Points, MidpointRounding.AwayFromZero)}\r?\n", output);
        Assert.Equal("Assets:0", CreditModel.Load(model).Metadata.LearnerParameters["SpecialValues"]);
    }

    [Fact]
    public void TrainEvaluateScore_WithAFeatureFileAndARelatedTable()
    {
        var dir = TestPaths.NewTempDirectory();
        var random = new Random(2);
        var applications = new StringBuilder("id,income,default\n");
        var bureau = new StringBuilder("id,amount,status\n");
        for (var i = 1; i <= 600; i++)
        {
            var debt = 0.0;
            for (var k = random.Next(4); k > 0; k--)
            {
                var amount = Math.Round(random.NextDouble() * 1000);
                debt += amount;
                bureau.Append(CultureInfo.InvariantCulture, $"{i},{amount},{(random.Next(2) == 0 ? "Active" : "Closed")}\n");
            }

            var income = Math.Round(500 + (random.NextDouble() * 2000));
            var bad = random.NextDouble() < 1 / (1 + Math.Exp(-(-2 + (debt / 800) - (income / 2000)))) ? 1 : 0;
            applications.Append(CultureInfo.InvariantCulture, $"{i},{income},{bad}\n");
        }

        File.WriteAllText(Path.Combine(dir, "app.csv"), applications.ToString());
        File.WriteAllText(Path.Combine(dir, "bureau.csv"), bureau.ToString());
        File.WriteAllText(Path.Combine(dir, "features.json"), """
            { "steps": [
                { "aggregate": "bureau", "key": "id", "prefix": "B", "numeric": ["amount"], "functions": ["sum", "max"], "categorical": ["status"] },
                { "ratio": ["B_amount_SUM", "income"], "name": "DEBT_TO_INCOME" }
            ] }
            """);
        var model = Path.Combine(dir, "m.json");
        string[] related = ["--related", $"bureau={Path.Combine(dir, "bureau.csv")}"];

        var (exit, output, error) = Run(["train", "--data", Path.Combine(dir, "app.csv"), "--target", "default", "--id", "id", "--features", Path.Combine(dir, "features.json"), "--model", model, .. related]);
        Assert.True(exit == 0, error);
        Assert.Contains("(1 inputs -> 9 features)", output, StringComparison.Ordinal);
        var (evalExit, evalOutput, _) = Run(["evaluate", "--model", model, "--data", Path.Combine(dir, "app.csv"), .. related]);
        Assert.Equal(0, evalExit);
        Assert.Contains("AUC", evalOutput, StringComparison.Ordinal);
        var scores = Path.Combine(dir, "scores.csv");
        Assert.Equal(0, Run(["score", "--model", model, "--data", Path.Combine(dir, "app.csv"), "--output", scores, .. related]).Exit);
        var data = CreditData.ReadCsv(Path.Combine(dir, "app.csv"), o => o.Target("default").Id("id")).WithRelated("bureau", CreditData.ReadCsv(Path.Combine(dir, "bureau.csv")));
        var expected = CreditModel.Load(model).CreateScorer().ScoreBatch(data);
        var lines = File.ReadAllLines(scores);
        Assert.Equal(expected[7].Probability.ToString("R", CultureInfo.InvariantCulture), lines[8].Split(',')[1]);

        var (missingExit, _, missingError) = Run("score", "--model", model, "--data", Path.Combine(dir, "app.csv"), "--output", scores);
        Assert.Equal(1, missingExit);
        Assert.Contains("aggregate related table 'bureau' by id, but the data has no related table of that name", ErrorLine(missingError), StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir, "bad.json"), """{"steps": [{"ratio": ["income", "income"]}]}""");
        var (badExit, _, badError) = Run("train", "--data", Path.Combine(dir, "app.csv"), "--target", "default", "--features", Path.Combine(dir, "bad.json"), "--model", model);
        Assert.Equal(1, badExit);
        Assert.Equal($"error: {Path.Combine(dir, "bad.json")}: step 0 ('ratio'): 'name' is required.", ErrorLine(badError));
    }

    [Fact]
    public void TrainEvaluateScore_OnSeparateFiles_AgreeWithTheSdk()
    {
        var dir = TestPaths.NewTempDirectory();
        var data = CreditData.ReadCsv(TestPaths.LendingClub, o => o.Target("default"));
        var (train, test) = data.SplitStratified(0.25, 7);
        var trainPath = WriteCsv(Path.Combine(dir, "train.csv"), train);
        var testPath = WriteCsv(Path.Combine(dir, "test.csv"), test);
        var model = Path.Combine(dir, "m.json");
        var trainReport = Path.Combine(dir, "train.json");
        var evalReport = Path.Combine(dir, "eval.json");
        var scores = Path.Combine(dir, "scores.csv");

        Assert.Equal(0, Run("train", "--data", trainPath, "--test-data", testPath, "--target", "default", "--model", model, "--report", trainReport, "--option", "L2Regularization=10").Exit);
        Assert.Equal(0, Run("evaluate", "--model", model, "--data", testPath, "--report", evalReport).Exit);
        var (exit, output, _) = Run("score", "--model", model, "--data", testPath, "--output", scores);
        Assert.Equal(0, exit);

        var a = JsonDocument.Parse(File.ReadAllText(trainReport)).RootElement;
        var b = JsonDocument.Parse(File.ReadAllText(evalReport)).RootElement;
        Assert.Equal("10", a.GetProperty("learnerParameters").GetProperty("L2Regularization").GetString());
        Assert.Equal(a.GetProperty("auc").GetDouble(), b.GetProperty("auc").GetDouble());
        Assert.Equal(a.GetProperty("logLoss").GetDouble(), b.GetProperty("logLoss").GetDouble());
        Assert.Equal(test.RowCount, b.GetProperty("rows").GetInt32());

        var lines = File.ReadAllLines(scores);
        Assert.Equal("id,probability,decision,warnings", lines[0]);
        Assert.Equal(test.RowCount + 1, lines.Length);
        var expected = CreditModel.Load(model).CreateScorer().ScoreBatch(CreditData.ReadCsv(testPath));
        for (var i = 0; i < expected.Count; i++)
        {
            var fields = lines[i + 1].Split(',');
            Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), fields[0]);
            Assert.Equal(expected[i].Probability, double.Parse(fields[1], CultureInfo.InvariantCulture));
            Assert.Equal(expected[i].Decision.ToString().ToLowerInvariant(), fields[2]);
            Assert.Equal(expected[i].Warnings == ScoreWarnings.None ? "" : expected[i].Warnings.ToString().Replace(", ", ";", StringComparison.Ordinal), fields[3]);
        }

        Assert.StartsWith($"Scored {test.RowCount:N0} rows:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_UsesTheTrainingIdColumn()
    {
        var dir = TestPaths.NewTempDirectory();
        var data = SyntheticCredit.Generate(400);
        var path = WriteCsv(Path.Combine(dir, "d.csv"), data);
        var model = Path.Combine(dir, "m.json");
        var scores = Path.Combine(dir, "s.csv");

        Assert.Equal(0, Run("train", "--data", path, "--target", "target", "--id", "id", "--model", model).Exit);
        Assert.Equal(0, Run("score", "--model", model, "--data", path, "--output", scores).Exit);

        Assert.StartsWith("100000,", File.ReadAllLines(scores)[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Train_TextLabels_WithPositiveAndNegativeLabel()
    {
        var dir = TestPaths.NewTempDirectory();
        var text = File.ReadAllText(TestPaths.CreditData).Split('\n');
        var relabelled = string.Join('\n', text.Select((l, i) => i == 0 ? l.Replace("default", "Status", StringComparison.Ordinal) : l.Length == 0 ? l : (l[0] == '1' ? "bad" : "good") + l[1..]));
        var path = Path.Combine(dir, "status.csv");
        File.WriteAllText(path, relabelled);

        var (exit, output, _) = Run("train", "--data", path, "--target", "Status", "--positive-label", "bad", "--negative-label", "good", "--model", Path.Combine(dir, "m.json"));

        Assert.Equal(0, exit);
        Assert.Contains("Evaluated on 891 rows, 251 defaults", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_WithResamplingCostsAndCv_ReportsBusinessAndF1ThresholdsSideBySide()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        var report = Path.Combine(dir, "r.json");

        var (exit, output, error) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--resample", "smote", "--calibrate", "platt", "--cost-fn", "10", "--cost-fp", "1", "--cv", "3", "--model", model, "--report", report);

        Assert.True(exit == 0, error);
        Assert.Contains("3-fold cross-validation of the whole recipe", output, StringComparison.Ordinal);
        Assert.Contains("  * cost ", output, StringComparison.Ordinal);
        Assert.Contains("    f1 ", output, StringComparison.Ordinal);
        var json = JsonDocument.Parse(File.ReadAllText(report)).RootElement;
        var decision = json.GetProperty("decision");
        Assert.Equal("cost", decision.GetProperty("method").GetString());
        var choices = decision.GetProperty("choices").EnumerateArray().ToDictionary(c => c.GetProperty("objective").GetString()!);
        Assert.True(choices["cost"].GetProperty("cost").GetDouble() <= choices["f1"].GetProperty("cost").GetDouble());
        Assert.True(choices["cost"].GetProperty("threshold").GetDouble() < choices["f1"].GetProperty("threshold").GetDouble());
        Assert.True(choices["cost"].TryGetProperty("interval", out _));
        Assert.Equal(3, json.GetProperty("thresholdsOnTest").GetArrayLength());
        Assert.Equal(3, json.GetProperty("crossValidation").GetProperty("folds").GetArrayLength());
        Assert.InRange(json.GetProperty("crossValidation").GetProperty("auc").GetProperty("mean").GetDouble(), 0.75, 0.9);
        Assert.True(json.GetProperty("business").GetProperty("businessScore").GetDouble() > 0);

        // The saved model carries the policy, and its threshold decides the scored file.
        var saved = CreditModel.Load(model);
        Assert.Equal(decision.GetProperty("threshold").GetDouble(), saved.Decision.Threshold);
        Assert.Equal("platt", saved.Calibration!.Kind);
        Assert.StartsWith("smote(", saved.Metadata.LearnerParameters["resampler"], StringComparison.Ordinal);
    }

    [Fact]
    public void Drift_ComparesTwoFilesAndWritesBothReports()
    {
        var dir = TestPaths.NewTempDirectory();
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var reference = Path.Combine(dir, "reference.csv");
        var current = Path.Combine(dir, "current.csv");
        var half = (lines.Length - 1) / 2;
        File.WriteAllLines(reference, lines.Take(half + 1));
        File.WriteAllLines(current, lines.Take(1).Concat(lines.Skip(half + 1)));
        var model = Path.Combine(dir, "m.json");
        Assert.Equal(0, Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model).Exit);
        var html = Path.Combine(dir, "drift.html");
        var json = Path.Combine(dir, "drift.json");

        var (exit, output, error) = Run("drift", "--reference", reference, "--current", current, "--model", model, "--target", "default", "--html", html, "--json", json, "--test", "Income=psi:0.2");

        Assert.True(exit == 0, error);
        var report = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal(13, report.GetProperty("columnCount").GetInt32());
        Assert.StartsWith(report.GetProperty("summary").GetString()!, output, StringComparison.Ordinal);
        var income = report.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "Income");
        Assert.Equal("psi", income.GetProperty("test").GetString());
        Assert.Equal(0.2, income.GetProperty("threshold").GetDouble());
        Assert.Equal("wasserstein", report.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "Age").GetProperty("test").GetString()); // 2,227 reference rows > 1,000
        Assert.True(report.TryGetProperty("prediction", out var prediction));
        Assert.Contains($"Prediction drift: PSI {prediction.GetProperty("psi").GetDouble().ToString("F4", CultureInfo.InvariantCulture)}", output, StringComparison.Ordinal);
        Assert.Contains(report.GetProperty("summary").GetString()!, File.ReadAllText(html), StringComparison.Ordinal);

        // Without --reference, the model's saved training population is the reference.
        var (profileExit, profileOutput, profileError) = Run("drift", "--current", current, "--model", model, "--target", "default");
        Assert.True(profileExit == 0, profileError);
        Assert.StartsWith("Drift is detected for ", profileOutput, StringComparison.Ordinal);
        Assert.Contains("Prediction drift: PSI ", profileOutput, StringComparison.Ordinal);
        Assert.Equal("error: give --reference, or a --model whose saved training population is the reference.", ErrorLine(Run("drift", "--current", current).Error));

        Assert.Equal("error: --test 'Income=bogus': unknown test 'bogus'; use ks, wasserstein, chi2, z, jensen_shannon or psi.", ErrorLine(Run("drift", "--reference", reference, "--current", current, "--test", "Income=bogus").Error));
        Assert.Equal("error: Column 'Home' is categorical; test KolmogorovSmirnov applies to numeric columns. Use ChiSquare, ZTest, JensenShannon or Psi.", ErrorLine(Run("drift", "--reference", reference, "--current", current, "--test", "Home=ks").Error));
    }

    [Fact]
    public void Train_WithSearchFile_TrainsTheBestCandidate()
    {
        var dir = TestPaths.NewTempDirectory();
        var search = Path.Combine(dir, "search.json");
        File.WriteAllText(search, """{ "strategy": "grid", "folds": 3, "metric": "logloss", "parameters": { "L2Regularization": [0.001, 100000] } }""");
        var report = Path.Combine(dir, "r.json");

        var (exit, output, error) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--search", search, "--model", Path.Combine(dir, "m.json"), "--report", report);

        Assert.True(exit == 0, error);
        Assert.Contains("Hyperparameter search: 2 trials", output, StringComparison.Ordinal);
        var json = JsonDocument.Parse(File.ReadAllText(report)).RootElement;
        var trials = json.GetProperty("search").GetProperty("trials").EnumerateArray().ToArray();
        Assert.Equal(2, trials.Length);
        Assert.Equal("0.001", json.GetProperty("search").GetProperty("best").GetProperty("parameters").GetProperty("L2Regularization").GetString());
        Assert.Equal("0.001", json.GetProperty("learnerParameters").GetProperty("L2Regularization").GetString());
    }

    [Theory]
    [InlineData("--cost-fn", "error: give both --cost-fn and --cost-fp (e.g. --cost-fn 10 --cost-fp 1).")]
    [InlineData("--resample", "error: Unknown resampler 'knn'; use one of: smote, borderline, borderline2, smotenc, adasyn, over, under.")]
    [InlineData("--objective", "error: --objective: the objective 'bad-rate:2' is not cost, f1, youden, bad-rate:MAX or approval:MIN (MAX and MIN rates in [0, 1]).")]
    [InlineData("--sampling-strategy", "error: Sampling strategy '3': a ratio must be in (0, 1].")]
    [InlineData("--search", "error: {search}: parameter \"L2Regularization\": a range needs \"min\" <= \"max\".")]
    [InlineData("--calibrate", "error: --calibrate 'sigmoid' is not one of none, platt, isotonic, prior.")]
    public void Train_BadImbalanceOptions_ExitNonZeroWithOneLine(string option, string expected)
    {
        var dir = TestPaths.NewTempDirectory();
        var search = Path.Combine(dir, "search.json");
        File.WriteAllText(search, """{ "parameters": { "L2Regularization": { "min": 2, "max": 1 } } }""");
        string[] common = ["train", "--data", TestPaths.CreditData, "--target", "default", "--model", Path.Combine(dir, "m.json")];
        string[] args = option switch
        {
            "--cost-fn" => [.. common, "--cost-fn", "10"],
            "--resample" => [.. common, "--resample", "knn"],
            "--objective" => [.. common, "--cost-fn", "10", "--cost-fp", "1", "--objective", "bad-rate:2"],
            "--sampling-strategy" => [.. common, "--resample", "smote", "--sampling-strategy", "3"],
            "--search" => [.. common, "--search", search],
            _ => [.. common, "--calibrate", "sigmoid"],
        };

        var (exit, _, error) = Run(args);

        Assert.Equal(1, exit);
        Assert.Equal(expected.Replace("{search}", search, StringComparison.Ordinal), ErrorLine(error));
    }

    [Theory]
    [InlineData("missing-file", "error: data file 'nope.csv' does not exist.")]
    [InlineData("bad-target", "error: {data}: the target column 'Default' is not in the source (names are case-sensitive). Columns: default, Seniority, Home, Time, Age, Marital, Records, Job, Expenses, Income, Assets, Debt, Amount, Price.")]
    [InlineData("unknown-option", "error: learner 'logistic' has no option 'Foo'; its options are: L2Regularization (a number, default 1); L1Regularization (a number, default 0); Standardize (true or false, default true); OptimizationTolerance (a number, default 1E-10); MaximumNumberOfIterations (an integer, default 100); Solver (one of Auto, Newton, Lbfgs, default Auto).")]
    [InlineData("bad-option-value", "error: option L2Regularization expects a number, but got 'lots'.")]
    [InlineData("invalid-option", "error: L2Regularization: The field LogisticRegressionOptions.L2Regularization must be between 0 and 1.7976931348623157E+308.")]
    [InlineData("unknown-learner", "error: unknown learner 'forest'; available: logistic, gbdt, scorecard, lightgbm.")]
    [InlineData("both-test-options", "error: give either --test-data or --test-fraction, not both.")]
    public void Train_BadInput_ExitsNonZeroWithOneLine(string scenario, string expected)
    {
        var model = Path.Combine(TestPaths.NewTempDirectory(), "m.json");
        string[] common = ["--target", "default", "--model", model];
        string[] args = scenario switch
        {
            "missing-file" => ["train", "--data", "nope.csv", .. common],
            "bad-target" => ["train", "--data", TestPaths.CreditData, "--target", "Default", "--model", model],
            "unknown-option" => ["train", "--data", TestPaths.CreditData, .. common, "--option", "Foo=1"],
            "bad-option-value" => ["train", "--data", TestPaths.CreditData, .. common, "--option", "l2regularization=lots"],
            "invalid-option" => ["train", "--data", TestPaths.CreditData, .. common, "--option", "L2Regularization=-1"],
            "unknown-learner" => ["train", "--data", TestPaths.CreditData, .. common, "--learner", "forest"],
            _ => ["train", "--data", TestPaths.CreditData, .. common, "--test-data", "x.csv", "--test-fraction", "0.3"],
        };

        var (exit, _, error) = Run(args);

        Assert.Equal(BatchCli.UserError, exit);
        Assert.Equal(expected.Replace("{data}", TestPaths.CreditData, StringComparison.Ordinal), ErrorLine(error));
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void BadCsvRow_ReportsLineColumnAndValue()
    {
        var dir = TestPaths.NewTempDirectory();
        var path = Path.Combine(dir, "bad.csv");
        File.WriteAllText(path, "default,x\n0,1\n1,2\n0,3,4\n");

        var (exit, _, error) = Run("train", "--data", path, "--target", "default", "--model", Path.Combine(dir, "m.json"));

        Assert.Equal(BatchCli.UserError, exit);
        Assert.StartsWith($"error: {path}: line 4: the record has 3 fields but the header has 2.", ErrorLine(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NotAModel_OneLine()
    {
        var (exit, _, error) = Run("evaluate", "--model", TestPaths.CreditData, "--data", TestPaths.CreditData);
        Assert.Equal(BatchCli.UserError, exit);
        Assert.Equal($"error: {TestPaths.CreditData}: this is not a CreditScoring model file (it is not a JSON object with a \"format\": \"creditscoring-model\" header).", ErrorLine(error));
    }

    [Fact]
    public void MissingRequiredOptions_IsAUsageError()
    {
        var (exit, _, error) = Run("train", "--target", "x");
        Assert.Equal(BatchCli.UsageError, exit);
        Assert.Equal("error: Option '--data' is required. Option '--model' is required. (run with --help for usage)", ErrorLine(error));
    }

    [Theory]
    [InlineData("train", "--option <option>")]
    [InlineData("evaluate", "--model <model> (REQUIRED)")]
    [InlineData("score", "--output <output> (REQUIRED)")]
    [InlineData("quickstart", "--output-dir <output-dir>")]
    public void Help_EveryCommand(string command, string expected)
    {
        var (exit, output, _) = Run(command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Quickstart_TrainsEvaluatesAndScores()
    {
        var dir = TestPaths.NewTempDirectory();

        var (exit, output, error) = Run("quickstart", "--output-dir", dir);

        Assert.Equal(0, exit);
        Assert.Contains("1. Trained on 3,563 rows (13 inputs -> 29 features)", output, StringComparison.Ordinal);
        Assert.Contains("  AUC         0.8541    0.5000", output, StringComparison.Ordinal);
        Assert.Contains("Reading", error, StringComparison.Ordinal);
        Assert.Equal(892, File.ReadAllLines(Path.Combine(dir, "scores.csv")).Length);
        Assert.True(File.Exists(Path.Combine(dir, "model.json")));
        Assert.Equal(0.8541, JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json"))).RootElement.GetProperty("auc").GetDouble(), 4);
    }

    private static string WriteCsv(string path, CreditData data)
    {
        var lines = new List<string> { string.Join(',', data.Schema.Columns.Select(c => c.Name)) };
        for (var r = 0; r < data.RowCount; r++)
        {
            lines.Add(string.Join(',', data.Columns.Select(c => c.FormatValue(r) ?? string.Empty)));
        }

        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
