namespace CreditScoring.Samples.Tests;

/// <summary>The CLI's model registry: register, promote, list, show, audit, and scoring from <c>models:/NAME@ALIAS</c>.</summary>
public class BatchCliRegistryTests
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
}
