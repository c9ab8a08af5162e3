using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Samples.Tests;

/// <summary>The CLI's <c>explain</c> command and <c>score --reasons</c>, against the library's explainer on the same model.</summary>
public class BatchCliExplainTests
{
    private static readonly Lazy<string> Model = new(() =>
    {
        var model = Path.Combine(TestPaths.NewTempDirectory(), "gbdt.json");
        var (exit, _, error) = CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "gbdt", "--model", model, "--option", "NumberOfIterations=40");
        Assert.True(exit == 0, error);
        return model;
    });

    private const string Reasons = """
        input,code,text,textWhenHigh,textWhenLow,textWhenMissing,exclude
        Seniority,R02,Short employment,,Too short time in current job,,
        Amount,R05,Amount requested,Amount requested too high,,,
        Age,,,,,,true
        """;

    [Fact]
    public void Explain_ARow_PrintsTheReasonsAndContributions_AndWritesTheLibrarysExplanationAsJson()
    {
        var dir = TestPaths.NewTempDirectory();
        var json = Path.Combine(dir, "e.json");

        var (exit, output, error) = CliRunner.Run("explain", "--model", Model.Value, "--data", TestPaths.CreditData, "--row", "3", "--json", json);

        Assert.True(exit == 0, error);
        var expected = CreditModel.Load(Model.Value).CreateExplainer().ExplainBatch(CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")).SelectRows([2]))[0];
        Assert.StartsWith($"row 3: {(expected.Decision == CreditDecision.Decline ? "decline" : "approve")} (probability of default {expected.Probability.ToString("F4", CultureInfo.InvariantCulture)}", output, StringComparison.Ordinal);
        Assert.Contains($"  1. [{expected.Reasons[0].Code}] {expected.Reasons[0].Text}", output, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"from the population's {expected.BaseValue:F4} to this applicant's {expected.Margin:F4}"), output, StringComparison.Ordinal);
        var doc = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal(ExplanationJson.Schema, doc.GetProperty("schema").GetString());
        Assert.Equal(expected.Probability, doc.GetProperty("probability").GetDouble());
        Assert.Equal(expected.Margin, doc.GetProperty("margin").GetDouble());
        Assert.Equal(expected.Reasons.Select(r => r.Input), doc.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("input").GetString()));
        Assert.Equal(expected.Inputs.Select(i => i.Contribution), doc.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("contribution").GetDouble()));
        Assert.Equal(doc.GetProperty("margin").GetDouble(), doc.GetProperty("baseValue").GetDouble() + doc.GetProperty("features").EnumerateArray().Sum(f => f.GetProperty("contribution").GetDouble()), 1e-9);
    }

    [Fact]
    public void Explain_ByIdWithATableOfReasonCodes_UsesTheTablesCodes_AndNeverAnExcludedInput()
    {
        var dir = TestPaths.NewTempDirectory();
        var data = Path.Combine(dir, "with-ids.csv");
        var lines = File.ReadAllLines(TestPaths.CreditData);
        File.WriteAllLines(data, [$"applicant,{lines[0]}", .. lines.Skip(1).Select((l, i) => $"A-{i + 1},{l}")]);
        var table = Path.Combine(dir, "reasons.csv");
        File.WriteAllText(table, Reasons);

        var all = Enumerable.Range(1, 40).Select(i => CliRunner.Run("explain", "--model", Model.Value, "--data", data, "--id-column", "applicant", "--id", $"A-{i}", "--reasons", table, "--top", "3")).ToArray();

        Assert.All(all, r => Assert.True(r.Exit == 0, r.Error));
        Assert.StartsWith("A-7: ", all[6].Output, StringComparison.Ordinal);
        Assert.DoesNotContain(all, r => r.Output.Contains("[Age]", StringComparison.Ordinal));
        Assert.Contains(all, r => r.Output.Contains("[R02] Too short time in current job", StringComparison.Ordinal));
        Assert.All(all, r => Assert.DoesNotContain("  4. [", r.Output, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new string[0], "error: Give the applicant with --id VALUE or with --row N (one of them).")]
    [InlineData(new[] { "--row", "1", "--id", "x" }, "error: Give the applicant with --id VALUE or with --row N (one of them).")]
    [InlineData(new[] { "--row", "4455" }, "error: --row 4455 is outside the file's 4,454 rows (1 to 4,454).")]
    [InlineData(new[] { "--id", "7" }, "error: --id needs an id column: the model was trained without one; name it with --id-column, or use --row.")]
    [InlineData(new[] { "--row", "1", "--method", "exact" }, "error: --method 'exact' is not path-dependent or interventional.")]
    public void Explain_RefusesAnUnclearApplicant(string[] args, string message)
    {
        var (exit, _, error) = CliRunner.Run(["explain", "--model", Model.Value, "--data", TestPaths.CreditData, .. args]);

        Assert.Equal(1, exit);
        Assert.Equal(message, CliRunner.ErrorLine(error));
    }

    [Fact]
    public void Score_WithReasons_AddsTheReasonColumns_EqualToTheExplainers()
    {
        var dir = TestPaths.NewTempDirectory();
        var output = Path.Combine(dir, "scores.csv");
        var table = Path.Combine(dir, "reasons.csv");
        File.WriteAllText(table, Reasons);

        var (exit, _, error) = CliRunner.Run("score", "--model", Model.Value, "--data", TestPaths.CreditData, "--output", output, "--reasons", "2", "--reason-codes", table);

        Assert.True(exit == 0, error);
        var lines = File.ReadAllLines(output);
        Assert.Equal("id,probability,decision,warnings,reason1_code,reason1_text,reason2_code,reason2_text", lines[0]);
        Assert.Equal(4455, lines.Length);
        var explanations = CreditModel.Load(Model.Value).CreateExplainer(new ExplainerOptions { TopReasons = 2, ReasonCodes = ReasonCodeTable.Load(table) })
            .ExplainBatch(CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")));
        for (var i = 0; i < explanations.Count; i += 101)
        {
            var e = explanations[i];
            var codes = string.Join(",", Enumerable.Range(0, 2).Select(k => k < e.Reasons.Count ? $"{e.Reasons[k].Code},{Csv(e.Reasons[k].Text)}" : ","));
            Assert.Equal($"{i + 1},{e.Probability.ToString("R", CultureInfo.InvariantCulture)},{(e.Decision == CreditDecision.Decline ? "decline" : "approve")},{(e.Warnings == ScoreWarnings.None ? "" : e.Warnings.ToString())},{codes}", lines[i + 1]);
        }

        Assert.DoesNotContain(lines, l => l.Contains(",Age,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(",R05,Amount requested too high", StringComparison.Ordinal));
        var (badExit, _, badError) = CliRunner.Run("score", "--model", Model.Value, "--data", TestPaths.CreditData, "--output", output, "--reason-codes", table);
        Assert.Equal(1, badExit);
        Assert.Equal("error: --reason-codes needs --reasons N (how many reasons per row to write).", CliRunner.ErrorLine(badError));
    }

    [Fact]
    public void Train_WithReasonCodes_SavesThemInTheModel_AndExplainUsesThem()
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "coded.json");
        var table = Path.Combine(dir, "reasons.csv");
        File.WriteAllText(table, Reasons);

        var (exit, _, error) = CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--learner", "gbdt", "--model", model, "--option", "NumberOfIterations=20", "--reason-codes", table);

        Assert.True(exit == 0, error);
        Assert.Equal(["Amount", "Seniority"], CreditModel.Load(model).ReasonCodes!.Entries.Select(e => e.Input));
        var runs = Enumerable.Range(1, 30).Select(r => CliRunner.Run("explain", "--model", model, "--data", TestPaths.CreditData, "--row", r.ToString(CultureInfo.InvariantCulture))).ToArray();
        Assert.Contains(runs, r => r.Output.Contains("[R02] Too short time in current job", StringComparison.Ordinal) || r.Output.Contains("[R05] Amount requested too high", StringComparison.Ordinal));
        Assert.DoesNotContain(runs, r => r.Output.Contains("[Age]", StringComparison.Ordinal));

        File.WriteAllText(table, "input,code,text\nIncom,R01,Income\n");
        var (badExit, _, badError) = CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model, "--reason-codes", table);
        Assert.Equal(1, badExit);
        Assert.StartsWith("error: The reason code table names 'Incom', which the model has no input or derived characteristic of", CliRunner.ErrorLine(badError), StringComparison.Ordinal);
    }

    private static string Csv(string text) => text.Contains(',', StringComparison.Ordinal) ? $"\"{text}\"" : text;
}
