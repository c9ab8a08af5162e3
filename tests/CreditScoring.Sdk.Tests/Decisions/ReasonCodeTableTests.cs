using CreditScoring.Sdk.Decisions;

namespace CreditScoring.Sdk.Tests.Decisions;

public class ReasonCodeTableTests
{
    private const string ReadmeCsv = """
        input,code,text,textWhenHigh,textWhenLow,textWhenMissing,exclude
        Income,R01,Income,,Income too low for the amount requested,No income declared,
        Debt,R02,Existing debt,Existing debt too high,,,
        Age,,,,,,true
        """;

    [Fact]
    public void TheReadmesCsv_ReadsAsDocumented_AndRoundTripsThroughJson()
    {
        var table = ReasonCodeTable.Parse(ReadmeCsv, "reasons.csv");

        Assert.Equal(["Debt", "Income"], table.Entries.Select(e => e.Input));
        var income = table.Find("Income")!;
        Assert.Equal("R01", income.Code);
        Assert.Equal("Income too low for the amount requested", income.TextWhenLow);
        Assert.Null(income.TextWhenHigh);
        Assert.Equal("No income declared", income.TextWhenMissing);
        Assert.Equal("Existing debt too high", table.Find("Debt")!.TextWhenHigh);
        Assert.Null(table.Find("Age"));
        Assert.True(table.IsExcluded("Age"));
        Assert.False(table.IsExcluded("Income"));

        var again = ReasonCodeTable.Parse(table.ToJson(), "reasons.json");
        Assert.Equal(table.Entries, again.Entries);
        Assert.Equal(table.Excluded, again.Excluded);
        Assert.Equal(table.ToJson(), again.ToJson());
    }

    [Theory]
    [InlineData("input,code\nIncome,R01\n", "reasons.csv: the header (input,code) must name the columns input, code and text")]
    [InlineData("input,code,text\nIncome,R01\n", "reasons.csv: line 2 has 2 fields; the header has 3.")]
    [InlineData("input,code,text\nIncome,,Too low\n", "reasons.csv: line 2 needs an input, a code and a text.")]
    [InlineData("input,code,text\nIncome,R01,a\nIncome,R02,b\n", "The reason code table has two entries for input 'Income' (R01 and R02)")]
    [InlineData("{\"reasons\": [{\"input\": \"Income\", \"code\": \"R01\"}]}", "reasons.csv: reason 1 has no \"text\" (a non-empty string).")]
    [InlineData("{\"reasons\": 3}", "reasons.csv: not a reason code table")]
    public void ABadTable_IsRefused_SayingWhereAndWhat(string text, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => ReasonCodeTable.Parse(text, "reasons.csv"));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }
}
