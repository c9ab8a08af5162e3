using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests.BadInput;

/// <summary>Issue 14, class 1: one stray token must never retype a numeric column and so change decisions in silence.</summary>
public class ColumnTypingTests
{
    /// <summary>The bundled data with one Income cell (line 6) replaced.</summary>
    private static CreditData WithIncomeCell(string value)
    {
        var lines = File.ReadAllLines(TestPaths.CreditData);
        var header = lines[0].Split(',');
        var income = Array.IndexOf(header, "Income");
        var cells = lines[5].Split(',');
        Assert.NotEqual("", cells[income]);
        cells[income] = value;
        lines[5] = string.Join(',', cells);
        return CreditData.ReadCsv(new StringReader(string.Join('\n', lines)), o =>
        {
            o.SourceName = "credit.csv";
            o.Target("default");
        });
    }

    private static double[] FitAndScore(CreditData data)
    {
        var model = new CreditScoringContext(seed: 42).CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);
        var p = new double[data.RowCount];
        model.CreateScorer().PredictProbabilities(data, p);
        return p;
    }

    [Fact]
    public void NotAvailableSpelledNSlashA_IsMissing_AndTheModelIsTheOneOfAnEmptyCell()
    {
        var withNa = WithIncomeCell("n/a");
        var withEmpty = WithIncomeCell("");

        Assert.IsType<NumericColumn>(withNa["Income"]);
        Assert.True(withNa["Income"].IsMissing(4));
        Assert.Equal(FitAndScore(withEmpty), FitAndScore(withNa));
    }

    [Fact]
    public void AnUnknownSpelling_StopsTheLoadNamingLineAndValue()
    {
        var e = Assert.Throws<DataLoadException>(() => WithIncomeCell("unknown"));

        Assert.Equal(6, e.Location);
        Assert.Equal("Income", e.Column);
        Assert.Equal("unknown", e.Value);
        Assert.StartsWith("credit.csv: column 'Income' holds numbers (4072 of its first 4073 values), but 1 is not a number: 'unknown' (line 6).", e.Message, StringComparison.Ordinal);
    }
}
