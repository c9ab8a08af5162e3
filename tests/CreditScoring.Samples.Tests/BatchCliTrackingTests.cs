namespace CreditScoring.Samples.Tests;

/// <summary>The CLI's tracking (train and evaluate with --track; runs list, show, compare) and its model registry (register, promote, list, show, audit, scoring from <c>models:/NAME@ALIAS</c>).</summary>
public class BatchCliTrackingTests
{
    private static (int Exit, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Models_RegisterPromoteAndScoreFromTheRegistry_AndATamperedFileIsRefused()
    {
        var dir = TestPaths.NewTempDirectory();
        var (model, store) = (Path.Combine(dir, "m.json"), Path.Combine(dir, "mlruns.db"));
        Assert.Equal(0, Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model, "--seed", "42").Exit);

        var first = Run("models", "register", "--name", "pd-model", "--file", model, "--store", store);
        var second = Run("models", "register", "--name", "pd-model", "--file", model, "--store", store, "--description", "same recipe");
        var promoted = Run("models", "promote", "--name", "pd-model", "--version", "1", "--store", store);
        var moved = Run("models", "promote", "--name", "pd-model", "--version", "2", "--store", store);
        var list = Run("models", "list", "--store", store);
        var show = Run("models", "show", "--name", "pd-model", "--store", store);

        Assert.Equal(0, first.Exit);
        Assert.StartsWith("Registered pd-model version 1 from runs:/", first.Output, StringComparison.Ordinal);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model)));
        Assert.Contains("sha256 " + sha, first.Output, StringComparison.Ordinal);
        Assert.Contains("Registered pd-model version 2", second.Output, StringComparison.Ordinal);
        Assert.Equal("pd-model@champion: version 1\n", promoted.Output.ReplaceLineEndings("\n"));
        Assert.Equal("pd-model@champion: version 1 -> version 2\n", moved.Output.ReplaceLineEndings("\n"));
        Assert.Matches(@"pd-model\s+2\s+\S+ \S+\s+champion -> 2", list.Output);
        Assert.Contains(sha[..12], show.Output, StringComparison.Ordinal);
        Assert.Matches(@"
\s+5\s+\S+ \S+\s+\S+\s+AliasSet\s+pd-model v2\s+champion: version 1 -> 2", show.Output);

        // Scoring from the registry gives the scores the file gives.
        var (fromFile, fromRegistry) = (Path.Combine(dir, "file.csv"), Path.Combine(dir, "registry.csv"));
        Assert.Equal(0, Run("score", "--model", model, "--data", TestPaths.CreditData, "--output", fromFile).Exit);
        var scored = Run("score", "--model", "models:/pd-model@champion", "--store", store, "--data", TestPaths.CreditData, "--output", fromRegistry);
        Assert.Equal(0, scored.Exit);
        Assert.Contains($"version 2 of pd-model, sha256 {sha} verified", scored.Error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(fromFile), File.ReadAllText(fromRegistry));

        // The champion's file edited on disk: refused, saying so.
        foreach (var file in Directory.GetFiles(store + ".artifacts", "model.json", SearchOption.AllDirectories))
        {
            File.AppendAllText(file, " ");
        }

        var tampered = Run("score", "--model", "models:/pd-model@champion", "--store", store, "--data", TestPaths.CreditData, "--output", Path.Combine(dir, "t.csv"));
        Assert.Equal(1, tampered.Exit);
        Assert.Contains("the model file was changed after registration", CliRunner.ErrorLine(tampered.Error), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "t.csv")));

        var unknown = Run("models", "promote", "--name", "nope", "--version", "1", "--store", store);
        Assert.Equal("error: Registered Model with name=nope not found.", CliRunner.ErrorLine(unknown.Error));
        var audit = Run("models", "audit", "--store", store);
        Assert.Equal(5, audit.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Track_LogsTrainAndEvaluate_AndRunsListsShowsAndComparesThem()
    {
        var dir = TestPaths.NewTempDirectory();
        var (model, store) = (Path.Combine(dir, "m.json"), Path.Combine(dir, "mlruns.db"));

        var train = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model, "--seed", "42", "--cv", "3", "--track", store, "--experiment", "pd", "--run-description", "baseline logistic");
        var evaluate = Run("evaluate", "--model", model, "--data", TestPaths.CreditData, "--track", store, "--experiment", "pd");

        Assert.Equal(0, train.Exit);
        var fitRun = System.Text.RegularExpressions.Regex.Match(train.Output, "Run ([0-9a-f]{32}): register it").Groups[1].Value;
        Assert.Equal(32, fitRun.Length);
        Assert.Equal(0, evaluate.Exit);
        var evaluateRun = System.Text.RegularExpressions.Regex.Match(evaluate.Error, "Tracked as run ([0-9a-f]{32})").Groups[1].Value;

        var list = Run("runs", "list", "--experiment", "pd", "--store", store);
        var lines = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length); // header, evaluate, fit, three folds, cv
        Assert.Contains(lines, l => l.StartsWith(fitRun, StringComparison.Ordinal) && l.Contains("fit logistic", StringComparison.Ordinal) && l.Contains("test_auc=0.854096", StringComparison.Ordinal));
        Assert.Equal(3, lines.Count(l => l.EndsWith("(child)", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith(evaluateRun, StringComparison.Ordinal) && l.Contains("evaluate m.json", StringComparison.Ordinal));
        var filtered = Run("runs", "list", "--experiment", "pd", "--store", store, "--filter", "metrics.test_auc > 0.85", "--order-by", "attributes.run_name");
        Assert.StartsWith(fitRun, Assert.Single(filtered.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)), StringComparison.Ordinal); // the whole file's AUC is lower

        // The fit's run holds the test figures, the report, and the model file exactly as saved.
        var show = Run("runs", "show", fitRun, "--store", store);
        Assert.Contains("  test_auc = 0.854096", show.Output, StringComparison.Ordinal);
        Assert.Contains("  learner = logistic", show.Output, StringComparison.Ordinal);
        Assert.Contains("  mlflow.note.content = baseline logistic", show.Output, StringComparison.Ordinal);
        Assert.Contains("report.json (", show.Output, StringComparison.Ordinal);
        var artifact = Directory.GetFiles(store + ".artifacts", "model.json", SearchOption.AllDirectories).Single(f => f.Contains(fitRun, StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(artifact));

        var html = Path.Combine(dir, "compare.html");
        var compare = Run("runs", "compare", fitRun, evaluateRun, "--store", store, "--html", html);
        Assert.Equal(0, compare.Exit);
        Assert.Matches(@"test_auc\s+0\.854096\s+0\.8", compare.Output);
        Assert.Contains("parameters that differ:", compare.Output, StringComparison.Ordinal);
        var page = File.ReadAllText(html);
        Assert.Contains(fitRun, page, StringComparison.Ordinal);
        Assert.Contains("<td>test_auc</td>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);

        // A tracked run's model registers by its run id.
        var registered = Run("models", "register", "--name", "pd-model", "--run", fitRun, "--store", store);
        Assert.StartsWith($"Registered pd-model version 1 from runs:/{fitRun}/model", registered.Output, StringComparison.Ordinal);

        Assert.Contains("at character", CliRunner.ErrorLine(Run("runs", "list", "--experiment", "pd", "--store", store, "--filter", "metrics.auc >").Error), StringComparison.Ordinal);
        Assert.Equal("error: Run with id=0123456789abcdef0123456789abcdef not found.", CliRunner.ErrorLine(Run("runs", "show", "0123456789abcdef0123456789abcdef", "--store", store).Error));
        Assert.Contains("no experiment 'nope'", CliRunner.ErrorLine(Run("runs", "list", "--experiment", "nope", "--store", store).Error), StringComparison.Ordinal);
    }
}
