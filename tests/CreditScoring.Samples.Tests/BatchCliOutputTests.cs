using CreditScoring.Batch;
using static CreditScoring.Samples.Tests.CliRunner;

namespace CreditScoring.Samples.Tests;

/// <summary>Issue 14, classes 5, 6 and 8 at the command line: every output of a command is written at its end, all or nothing.</summary>
public class BatchCliOutputTests
{
    [Fact]
    public void Train_ThatFailsAfterFitting_LeavesTheOldModelAndReport()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        var report = Path.Combine(dir, "r.json");
        File.WriteAllText(model, "old model");
        File.WriteAllText(report, "old report");
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var test = Path.Combine(dir, "test.csv");
        File.WriteAllLines(test, lines.Take(200).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 13)))); // no Price column

        var (exit, output, error) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--test-data", test, "--model", model, "--report", report);

        Assert.Equal(BatchCli.UserError, exit);
        Assert.StartsWith($"error: {test}: the data lacks 1 input column(s) the model needs: Price (numeric).", ErrorLine(error), StringComparison.Ordinal);
        Assert.DoesNotContain("saved", output, StringComparison.Ordinal);
        Assert.Equal("old model", File.ReadAllText(model));
        Assert.Equal("old report", File.ReadAllText(report));
        Assert.Empty(TestPaths.OutputTemporaries(dir));
    }

    [Fact]
    public void Train_ToAReportPathThatIsADirectory_FailsBeforeReadingData()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        File.WriteAllText(model, "old model");

        var (exit, _, error) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model, "--report", dir);

        Assert.Equal(BatchCli.UserError, exit);
        Assert.Equal($"error: '{dir}' is a directory; give the path of a file to write.", ErrorLine(error));
        Assert.DoesNotContain("Reading", error, StringComparison.Ordinal);
        Assert.Equal("old model", File.ReadAllText(model));
        Assert.Empty(TestPaths.OutputTemporaries(dir));
    }

    [Fact]
    public void Train_ModelAndReportOnTheSamePath_IsRefused()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");

        var (exit, _, error) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model, "--report", model);

        Assert.Equal(BatchCli.UserError, exit);
        Assert.Equal($"error: '{model}' is given twice as an output; each output needs its own file.", ErrorLine(error));
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Score_NeutralizesFormulaIds_AndAllowFormulasKeepsThem()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        Assert.Equal(0, Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model).Exit);
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var data = Path.Combine(dir, "new.csv");
        File.WriteAllLines(data, new[] { "ref," + lines[0] }.Concat(lines.Skip(1).Take(3).Select((l, i) => (i == 0 ? "\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"" : i == 1 ? "@SUM(A1)" : "A-3") + "," + l)));
        var scores = Path.Combine(dir, "s.csv");

        var (exit, _, error) = Run("score", "--model", model, "--data", data, "--output", scores, "--id", "ref");

        Assert.True(exit == 0, error);
        var written = File.ReadAllLines(scores);
        Assert.StartsWith("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",", written[1], StringComparison.Ordinal);
        Assert.StartsWith("'@SUM(A1),", written[2], StringComparison.Ordinal);
        Assert.StartsWith("A-3,", written[3], StringComparison.Ordinal);

        Assert.Equal(0, Run("score", "--model", model, "--data", data, "--output", scores, "--id", "ref", "--allow-formulas").Exit);
        Assert.StartsWith("@SUM(A1),", File.ReadAllLines(scores)[2], StringComparison.Ordinal);
    }
}

/// <summary>Issue 14, class 4 at the command line.</summary>
public class BatchCliOutOfRangeTests
{
    [Fact]
    public void Score_FlagsOutOfRangeRows_ClipsOrStopsWhenAsked()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model).Exit);
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var income = Array.IndexOf(lines[0].Split(','), "Income");
        var data = Path.Combine(dir, "new.csv");
        File.WriteAllLines(data, lines.Take(6).Select((l, i) => i == 2 ? string.Join(',', l.Split(',').Select((c, k) => k == income ? "1290000" : c)) : l));
        var scores = Path.Combine(dir, "s.csv");

        var (exit, _, error) = CliRunner.Run("score", "--model", model, "--data", data, "--output", scores);
        Assert.True(exit == 0, error);
        Assert.Equal(",OutOfRange", File.ReadAllLines(scores)[2][File.ReadAllLines(scores)[2].LastIndexOf(',')..]);
        Assert.Equal("note: 1 row(s) have an input outside the range the model was trained on (scored as given); they are marked OutOfRange in the warnings column.", Assert.Single(CliRunner.Notes(error)));

        (exit, _, error) = CliRunner.Run("score", "--model", model, "--data", data, "--output", scores, "--out-of-range", "error");
        Assert.Equal(BatchCli.UserError, exit);
        Assert.StartsWith("error: Input 'Income', row 1, is 1.29E+06, outside the range the model was trained on (6 to 959).", CliRunner.ErrorLine(error), StringComparison.Ordinal);
    }
}

/// <summary>Issue 14, class 7 at the command line.</summary>
public class BatchCliDeadFeedTests
{
    [Fact]
    public void Drift_FlagsADeadFeedAndAnAbsentColumn()
    {
        var dir = TestPaths.NewTempDirectory();
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var header = lines[0].Split(',');
        var income = Array.IndexOf(header, "Income");
        var assets = Array.IndexOf(header, "Assets");
        var current = Path.Combine(dir, "current.csv");
        File.WriteAllLines(current, lines.Select((l, i) => string.Join(',', l.Split(',').Select((c, k) => k == income && i > 0 ? "" : c).Where((_, k) => k != assets))));
        var json = Path.Combine(dir, "drift.json");

        var (exit, output, error) = CliRunner.Run("drift", "--reference", TestPaths.CreditData, "--current", current, "--target", "default", "--json", json);

        Assert.True(exit == 0, error);
        Assert.StartsWith("Drift is detected for 15.4% of columns (2 out of 13). No dataset drift.", output, StringComparison.Ordinal);
        Assert.Contains("DRIFT (missing share 8.6% -> 100.0% (no current values: is the feed dead?))", output, StringComparison.Ordinal);
        Assert.Contains("DRIFT (absent from the current data)", output, StringComparison.Ordinal);
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("no_drift", report.RootElement.GetProperty("verdict").GetString());
        Assert.True(report.RootElement.GetProperty("columns")[0].GetProperty("drifted").GetBoolean());
    }
}

/// <summary>Issue 14, class 3 at the command line: keygen, train --sign-key, --verify-key.</summary>
public class BatchCliSigningTests
{
    [Theory]
    [InlineData("ecdsa")]
    [InlineData("hmac")]
    public void KeygenSignAndVerify(string kind)
    {
        var dir = TestPaths.NewTempDirectory();
        var key = Path.Combine(dir, "signing.key");
        var (exit, output, error) = CliRunner.Run("keygen", "--kind", kind, "--out", key);
        Assert.True(exit == 0, error);
        Assert.Matches(kind == "ecdsa" ? @"^Created ECDSA-P256-SHA256 key [0-9a-f]{16}: .*signing\.key signs, .*signing\.key\.pub verifies\.\r?\n$" : @"^Created HMAC-SHA256 key [0-9a-f]{16}: .*signing\.key signs and verifies\.\r?\n$", output);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        var verify = kind == "ecdsa" ? key + ".pub" : key;
        var model = Path.Combine(dir, "m.json");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model, "--sign-key", key).Exit);
        (exit, _, error) = CliRunner.Run("evaluate", "--model", model, "--data", TestPaths.CreditData, "--verify-key", verify);
        Assert.True(exit == 0, error);
        Assert.Contains("signature by key", error, StringComparison.Ordinal);

        File.WriteAllText(model, File.ReadAllText(model).Replace("\"threshold\": 0.5", "\"threshold\": 0.9", StringComparison.Ordinal));
        (exit, _, error) = CliRunner.Run("score", "--model", model, "--data", TestPaths.CreditData, "--output", Path.Combine(dir, "s.csv"), "--verify-key", verify);
        Assert.Equal(BatchCli.UserError, exit);
        Assert.StartsWith($"error: {model}: checksum mismatch", CliRunner.ErrorLine(error), StringComparison.Ordinal);

        var unsigned = Path.Combine(dir, "u.json");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", unsigned).Exit);
        (exit, _, error) = CliRunner.Run("evaluate", "--model", unsigned, "--data", TestPaths.CreditData, "--verify-key", verify);
        Assert.Equal(BatchCli.UserError, exit);
        Assert.StartsWith($"error: {unsigned}: the model file is not signed, but a signature by key", CliRunner.ErrorLine(error), StringComparison.Ordinal);

        if (kind == "ecdsa")
        {
            (exit, _, error) = CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model, "--sign-key", verify);
            Assert.Equal(BatchCli.UserError, exit);
            Assert.Equal($"error: --sign-key {verify} is a public key; signing needs the private key (its public half only verifies).", CliRunner.ErrorLine(error));
        }
    }
}

/// <summary>Issue 14, class 10 at the command line: diagnostics in the output and the report.</summary>
public class BatchCliDiagnosticsTests
{
    [Fact]
    public void Train_PrintsAndReportsALeakSuspect()
    {
        var dir = TestPaths.NewTempDirectory();
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var data = Path.Combine(dir, "leaky.csv");
        File.WriteAllLines(data, lines.Select((l, i) => l + "," + (i == 0 ? "collections" : l[0] == '1' ? "sent" : "none")));
        var report = Path.Combine(dir, "r.json");

        var (exit, output, error) = CliRunner.Run("train", "--data", data, "--target", "default", "--model", Path.Combine(dir, "m.json"), "--report", report);

        Assert.True(exit == 0, error);
        Assert.Contains("warning (leak-suspect): Input 'collections' separates defaults from non-defaults perfectly on the training rows", output, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report));
        var d = json.RootElement.GetProperty("diagnostics")[0];
        Assert.Equal("training", d.GetProperty("source").GetString());
        Assert.Equal("leak-suspect", d.GetProperty("code").GetString());
    }
}

/// <summary>The interop issue at the command line: <c>export</c> writes the model's ONNX graph, or a tree model's trees.</summary>
public class BatchCliExportTests
{
    [Fact]
    public void Train_with_learner_lightgbm_fits_LightGBM_and_its_model_scores_and_exports()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "lgbm.json");
        var (exit, output, error) = CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "lightgbm", "--model", model, "--option", "NumberOfIterations=25", "--option", "UseCategoricalSplit=true");
        Assert.True(exit == 0, error);
        Assert.Contains("AUC", output, StringComparison.Ordinal);
        var loaded = CreditScoring.Sdk.Scoring.CreditModel.Load(model);
        Assert.Equal("lightgbm", loaded.Metadata.Learner);
        Assert.Equal("25", loaded.Metadata.LearnerParameters["NumberOfIterations"]);
        Assert.Equal(25, ((CreditScoring.Sdk.Learners.GradientBoosting.GradientBoostingPredictor)loaded.Predictor).Trees.Count);
        Assert.InRange(loaded.Evaluate(CreditScoring.Sdk.Data.CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"))).Auc, 0.8, 1.0);

        var text = Path.Combine(dir, "lgbm.txt");
        (exit, _, error) = CliRunner.Run("export", "--model", model, "--format", "lightgbm", "--out", text);
        Assert.True(exit == 0, error);
        Assert.StartsWith("tree", File.ReadAllText(text), StringComparison.Ordinal);

        (exit, _, error) = CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "lightgbm", "--model", model, "--option", "NoSuchOption=1");
        Assert.Equal(BatchCli.UserError, exit);
        Assert.Contains("NoSuchOption", CliRunner.ErrorLine(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Export_writes_the_libraries_onnx_bytes_and_a_tree_models_trees_and_refuses_what_cannot_be_exported()
    {
        var dir = TestPaths.NewTempDirectory();
        var (logistic, trees) = (Path.Combine(dir, "logistic.json"), Path.Combine(dir, "trees.json"));
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", logistic, "--threshold", "0.3").Exit);
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "gbdt", "--model", trees, "--option", "NumberOfIterations=20").Exit);

        var onnx = Path.Combine(dir, "logistic.onnx");
        var (exit, output, error) = CliRunner.Run("export", "--model", logistic, "--out", onnx);
        Assert.True(exit == 0, error);
        Assert.Equal(CreditScoring.Sdk.Interop.OnnxModel.ToBytes(CreditScoring.Sdk.Scoring.CreditModel.Load(logistic)), File.ReadAllBytes(onnx));
        Assert.Contains($"Wrote {onnx}: ONNX (IR 8, ai.onnx 17, ai.onnx.ml 3).", output, StringComparison.Ordinal);
        Assert.Contains("Home (string, \"\" missing)", output, StringComparison.Ordinal);
        Assert.Contains("decision (approve below 0.3, else decline)", output, StringComparison.Ordinal);

        var json = Path.Combine(dir, "trees.xgb.json");
        (exit, output, error) = CliRunner.Run("export", "--model", trees, "--format", "xgboost", "--out", json);
        Assert.True(exit == 0, error);
        var predictor = (CreditScoring.Sdk.Learners.GradientBoosting.GradientBoostingPredictor)CreditScoring.Sdk.Scoring.CreditModel.Load(trees).Predictor;
        Assert.Equal(CreditScoring.Sdk.Interop.XGBoostModel.ToJson(predictor), File.ReadAllBytes(json));
        Assert.Contains("20 trees as XGBoost JSON", output, StringComparison.Ordinal);

        (exit, _, error) = CliRunner.Run("export", "--model", logistic, "--format", "lightgbm", "--out", Path.Combine(dir, "x.txt"));
        Assert.Equal(BatchCli.UserError, exit);
        Assert.Equal("error: --format lightgbm writes gradient-boosted trees; this model's predictor is logistic-regression. Use --format onnx for the whole model.", CliRunner.ErrorLine(error));
        Assert.False(File.Exists(Path.Combine(dir, "x.txt")));

        (exit, _, error) = CliRunner.Run("export", "--model", logistic, "--format", "pmml", "--out", Path.Combine(dir, "x.pmml"));
        Assert.Equal(BatchCli.UserError, exit);
        Assert.Equal("error: --format 'pmml' is not onnx, xgboost or lightgbm.", CliRunner.ErrorLine(error));
    }
}
