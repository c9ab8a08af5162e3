using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Tests.Data;

/// <summary>JSON Lines in: kinds from the JSON values, every key a column, missing keys and nulls missing, bad lines named.</summary>
public class JsonLinesTests
{
    private static string Write(string text)
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "applicants.jsonl");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadJsonLines_KeepsTheValuesTypes_AndReadsTheUnionOfKeys()
    {
        var path = Write("""
            {"id": 1, "income": 1200.5, "home": "rent", "owner": false, "defaulted": 0}
            {"id": 2, "income": null, "home": "own", "owner": true, "defaulted": 1}

            {"id": 3, "home": null, "owner": false, "defaulted": 0, "branch": "north"}
            """);

        var data = CreditData.ReadJsonLines(path, o => o.Target("defaulted").Id("id"));

        Assert.Equal(3, data.RowCount);
        Assert.Equal([0, 1, 0], data.Labels.ToArray());
        Assert.Equal(["id", "income", "home", "owner", "defaulted", "branch"], data.Columns.Select(c => c.Name));
        var income = (NumericColumn)data["income"];
        Assert.Equal(1200.5, income[0]);
        Assert.True(income.IsMissing(1)); // null
        Assert.True(income.IsMissing(2)); // no key
        Assert.Equal(ColumnKind.Categorical, data["home"].Kind);
        Assert.Equal(["own", "rent"], ((CategoricalColumn)data["home"]).Categories);
        Assert.True(data["home"].IsMissing(2));
        Assert.Equal([0.0, 1.0, 0.0], ((NumericColumn)data["owner"]).Values.ToArray());
        Assert.True(data["branch"].IsMissing(0));
        Assert.Equal($"{path}: 3 rows read, 3 loaded, 0 skipped", data.LoadReport!.ToString());
    }

    [Theory]
    [InlineData("""{"income": 1, "income": 2}""", "the key 'income' is given twice")]
    [InlineData("""{"income": {"net": 1}}""", "the value of 'income' is a nested object")]
    [InlineData("""{"income": [1, 2]}""", "the value of 'income' is a nested array")]
    [InlineData("""[1, 2]""", "not a JSON object")]
    [InlineData("""{"income": 1} {"income": 2}""", "not valid JSON")]
    [InlineData("""{"income": 1""", "not valid JSON")]
    [InlineData("""{"income": "high"}""", "income")]
    public void ABadLine_FailsNamingItsLine_OrIsSkippedAndReported(string bad, string expected)
    {
        var path = Write($"{{\"income\": 100, \"home\": \"rent\"}}\n{bad}\n{{\"income\": 300, \"home\": \"own\"}}\n");

        var error = Assert.Throws<DataLoadException>(() => CreditData.ReadJsonLines(path));
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);

        var skipped = CreditData.ReadJsonLines(path, o => o.OnBadRow(BadRowHandling.Skip));
        Assert.Equal(2, skipped.RowCount);
        Assert.Equal([100.0, 300.0], ((NumericColumn)skipped["income"]).Values.ToArray());
        var issue = Assert.Single(skipped.LoadReport!.Issues);
        Assert.Equal(2, issue.Location);
    }

    [Fact]
    public void AFileWithNoKeys_IsRefusedSayingWhatWasExpected()
    {
        var error = Assert.Throws<DataLoadException>(() => CreditData.ReadJsonLines(Write("\n[1]\n{}\n")));
        Assert.Contains("one JSON object per line", error.Message, StringComparison.Ordinal);
    }
}
