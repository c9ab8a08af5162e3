using CreditScoring.Batch;
using CreditScoring.Sdk.Scoring;
using static CreditScoring.Samples.Tests.CliRunner;

namespace CreditScoring.Samples.Tests;

/// <summary>Issue 14, class 1 at the command line: the reading options, and files read with the model's types.</summary>
public class BatchCliReadingTests
{
    private static string Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The bundled data with one cell of one column replaced (data line <paramref name="row"/>, 1-based after the header).</summary>
    private static string WithCell(string dir, string name, string column, int row, string value, char delimiter = ',')
    {
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var index = Array.IndexOf(lines[0].Split(','), column);
        var cells = lines[row].Split(',');
        cells[index] = value;
        lines[row] = string.Join(',', cells);
        return Write(dir, name, string.Join('\n', lines.Select(l => l.Replace(',', delimiter))) + "\n");
    }

    [Fact]
    public void Train_StrayToken_FailsListingIt_AndMissingTokensMakesItMissing()
    {
        var dir = TestPaths.NewTempDirectory();
        var data = WithCell(dir, "d.csv", "Income", 5, "unknown");
        var model = Path.Combine(dir, "m.json");

        var (exit, _, error) = Run("train", "--data", data, "--target", "default", "--model", model);
        Assert.Equal(BatchCli.UserError, exit);
        Assert.StartsWith($"error: {data}: column 'Income' holds numbers (4072 of its first 4073 values), but 1 is not a number: 'unknown' (line 6).", ErrorLine(error), StringComparison.Ordinal);
        Assert.False(File.Exists(model));

        (exit, _, error) = Run("train", "--data", data, "--target", "default", "--model", model, "--missing-tokens", "unknown");
        Assert.True(exit == 0, error);
        Assert.True(CreditModel.Load(model).Input.IndexOf("Income") >= 0);
    }

    [Fact]
    public void Train_CategoricalAndNumericDeclarations_AndBadRowsSkipWithANote()
    {
        var dir = TestPaths.NewTempDirectory();
        var data = WithCell(dir, "d.csv", "Income", 5, "unknown");
        var model = Path.Combine(dir, "m.json");

        var (exit, _, error) = Run("train", "--data", data, "--target", "default", "--model", model, "--numeric", "Income,Assets", "--bad-rows", "skip");

        Assert.True(exit == 0, error);
        Assert.Equal(
            $"note: {data}: 1 of 4,454 rows were skipped (--bad-rows skip); the first: {data}: line 6, column 'Income': value 'unknown' is not a number (the column is declared numeric; if it holds text, declare it with Categorical(\"Income\")).",
            Assert.Single(Notes(error)));

        (exit, _, error) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model, "--categorical", "Time");
        Assert.True(exit == 0, error);
        var time = CreditModel.Load(model).Input.Columns.Single(c => c.Name == "Time");
        Assert.Equal(CreditScoring.Sdk.Data.ColumnKind.Categorical, time.Kind);
        Assert.Contains("60", time.Categories);
    }

    [Fact]
    public void Train_DelimiterAndDate()
    {
        var dir = TestPaths.NewTempDirectory();
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var text = string.Join('\n', lines.Select((l, i) => l.Replace(',', ';') + ";" + (i == 0 ? "opened" : $"2024-01-{1 + (i % 28):00}"))) + "\n";
        var data = Write(dir, "d.csv", text);
        var model = Path.Combine(dir, "m.json");

        var (exit, _, error) = Run("train", "--data", data, "--target", "default", "--model", model, "--delimiter", ";", "--date", "opened=yyyy-MM-dd");
        Assert.True(exit == 0, error);
        Assert.Equal(-1, CreditModel.Load(model).Input.IndexOf("opened"));

        (exit, _, error) = Run("train", "--data", data, "--target", "default", "--model", model, "--delimiter", ";");
        Assert.True(exit == 0, error);
        Assert.Equal(
            "note: Column 'opened' holds dates such as '2024-01-02' and was read as categories; declare it with Date(\"opened\") (CLI --date opened) and derive features from it, or Drop it.",
            Assert.Single(Notes(error)));

        (exit, _, error) = Run("train", "--data", data, "--target", "default", "--model", model, "--delimiter", ";;");
        Assert.Equal(BatchCli.UserError, exit);
        Assert.Equal("error: --delimiter ';;' is not one character other than a quote or a line break (or tab).", ErrorLine(error));
    }

    [Theory]
    [InlineData("score")]
    [InlineData("evaluate")]
    public void ScoreAndEvaluate_ReadTheFileWithTheModelsTypes(string command)
    {
        var dir = TestPaths.NewTempDirectory();
        var model = Path.Combine(dir, "m.json");
        Assert.Equal(0, Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model).Exit);
        var data = WithCell(dir, "new.csv", "Income", 7, "\"12,9\"");
        string[] args = command == "score"
            ? ["score", "--model", model, "--data", data, "--output", Path.Combine(dir, "s.csv")]
            : ["evaluate", "--model", model, "--data", data];

        var (exit, _, error) = Run(args);

        Assert.Equal(BatchCli.UserError, exit);
        Assert.Equal(
            $"error: {data}: line 8, column 'Income': value '12,9' is not a number (the model reads 'Income' as numbers; a missing value must be one of the missing tokens: '', 'NA', 'N/A', 'n/a', 'NULL', 'null', 'None', 'NaN', 'nan', '#N/A', '?', '-'). (Set BadRows = BadRowHandling.Skip, or --bad-rows skip on the command line, to leave such rows out and count them.)",
            ErrorLine(error));
    }

    [Fact]
    public void Train_TestDataIsReadWithTheTrainingDataTypes()
    {
        var dir = TestPaths.NewTempDirectory();
        var test = WithCell(dir, "test.csv", "Amount", 3, "\"1.000,50\"");

        var (exit, _, error) = Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", Path.Combine(dir, "m.json"), "--test-data", test);

        Assert.Equal(BatchCli.UserError, exit);
        Assert.StartsWith($"error: {test}: line 4, column 'Amount': value '1.000,50' is not a number (the training data reads 'Amount' as numbers;", ErrorLine(error), StringComparison.Ordinal);
    }

    [Fact]
    public void DataPathIsADirectory_SaysSo()
    {
        var dir = TestPaths.NewTempDirectory();
        var (exit, _, error) = Run("train", "--data", dir, "--target", "default", "--model", Path.Combine(dir, "m.json"));
        Assert.Equal(BatchCli.UserError, exit);
        Assert.Equal($"error: data file '{dir}' is a directory, not a file.", ErrorLine(error));
    }
}
