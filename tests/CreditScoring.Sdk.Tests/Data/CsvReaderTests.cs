using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.Tests.Data;

public class CsvReaderTests
{
    private static CreditData Read(string text, Action<CsvReadOptions>? configure = null) =>
        CreditData.ReadCsv(new StringReader(text), o =>
        {
            o.SourceName = "test.csv";
            configure?.Invoke(o);
        });

    [Fact]
    public void ReadCsv_BundledCreditData_MatchesDocumentedShape()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));

        Assert.Equal(4454, data.RowCount);
        Assert.Equal(14, data.Schema.Count);
        Assert.Equal(1254, data.PositiveCount);
        Assert.Equal(381, data["Income"].CountMissing());
        Assert.Equal(47, data["Assets"].CountMissing());
        Assert.Equal(18, data["Debt"].CountMissing());
        Assert.Equal(6, data["Home"].CountMissing());
        Assert.Equal(2, data["Job"].CountMissing());
        Assert.Equal(1, data["Marital"].CountMissing());
        Assert.Equal(455, data.Columns.Sum(c => c.CountMissing()));
        Assert.Equal(["Home", "Marital", "Records", "Job"], data.Schema.Columns.Where(c => c.Kind == ColumnKind.Categorical).Select(c => c.Name));
        Assert.Equal(["ignore", "other", "owner", "parents", "priv", "rent"], ((CategoricalColumn)data["Home"]).Categories);
        Assert.Equal(ColumnRole.Target, data.Schema[data.Schema.IndexOf("default")].Role);
        Assert.Equal(new DataLoadReport(TestPaths.CreditData, 4454, 4454, 0, [], []).ToString(), data.LoadReport!.ToString());
    }

    [Fact]
    public void ReadCsv_LendingClub_HasNoMissingValuesAndFiveCategoricals()
    {
        var data = CreditData.ReadCsv(TestPaths.LendingClub, o => o.Target("default"));

        Assert.Equal(9857, data.RowCount);
        Assert.Equal(517, data.PositiveCount);
        Assert.Equal(0, data.Columns.Sum(c => c.CountMissing()));
        Assert.Equal(["term", "sub_grade", "addr_state", "verification_status", "emp_length"], data.Schema.Columns.Where(c => c.Kind == ColumnKind.Categorical).Select(c => c.Name));
    }

    [Fact]
    public void ReadCsv_Rfc4180Quoting_KeepsDelimitersNewlinesAndDoubledQuotes()
    {
        var data = Read("name,amount,target\r\n\"Smith, John\",\"1,5\"\"\",0\r\n\"two\nlines\",3,1\r\nplain,4,0", o => o.Categorical("amount"));

        var names = (CategoricalColumn)data["name"];
        Assert.Equal(3, data.RowCount);
        Assert.Equal("Smith, John", names[0]);
        Assert.Equal("two\nlines", names[1]);
        Assert.Equal("plain", names[2]);
        Assert.Equal(ColumnKind.Categorical, data["amount"].Kind);
        Assert.Equal("1,5\"", ((CategoricalColumn)data["amount"])[0]);
    }

    [Fact]
    public void ReadCsv_ScientificNotationAndSigns_ParsedInvariantly()
    {
        var data = Read("x,y\n7.96E-05,-1.5e3\n+2,.5\n  3 , 4 \n");

        var x = (NumericColumn)data["x"];
        var y = (NumericColumn)data["y"];
        Assert.Equal([7.96e-05, 2, 3], x.Values.ToArray());
        Assert.Equal([-1500, 0.5, 4], y.Values.ToArray());
    }

    [Fact]
    public void ReadCsv_MissingTokens_AreMissingAndConfigurable()
    {
        var data = Read("a,b\nNA,x\nNULL,\n,NA\n5,y\nNaN,z\n");
        Assert.Equal(4, data["a"].CountMissing());
        Assert.Equal(2, data["b"].CountMissing());

        var custom = Read("a,b\n-999,x\n1,?\n", o => o.MissingTokens = ["-999", "?"]);
        Assert.True(custom["a"].IsMissing(0));
        Assert.True(custom["b"].IsMissing(1));
        Assert.Equal(ColumnKind.Numeric, custom["a"].Kind);
    }

    [Fact]
    public void ReadCsv_DelimiterAndNoHeader_AreConfigurable()
    {
        var data = Read("1;a;0\n2;b;1\n", o =>
        {
            o.Delimiter = ';';
            o.HasHeader = false;
            o.Target("column_3");
        });

        Assert.Equal(["column_1", "column_2", "column_3"], data.Schema.Columns.Select(c => c.Name));
        Assert.Equal(2, data.RowCount);
        Assert.Equal([0, 1], data.Labels.ToArray());
    }

    [Fact]
    public void ReadCsv_TypeOverrides_WinOverInference()
    {
        var data = Read("zip,score,target\n01234,10,0\n98765,20,1\n", o => o.Categorical("zip").Numeric("score").Target("target"));

        Assert.Equal(ColumnKind.Categorical, data["zip"].Kind);
        Assert.Equal("01234", ((CategoricalColumn)data["zip"])[0]);
    }

    [Fact]
    public void ReadCsv_TextAfterInferenceWindow_FailsWithHint()
    {
        var text = "x,target\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},0\n")) + "oops,1\n";

        var e = Assert.Throws<DataLoadException>(() => Read(text, o =>
        {
            o.TypeInferenceValues = 10;
            o.Target("target");
        }));

        Assert.Equal("test.csv: line 22, column 'x': value 'oops' is not a number (the column is numeric: inferred from its first 10 values; if it holds text, declare it with Categorical(\"x\")). (Set BadRows = BadRowHandling.Skip, or --bad-rows skip on the command line, to leave such rows out and count them.)", e.Message);
        Assert.Equal(22, e.Location);
        Assert.Equal("x", e.Column);
        Assert.Equal("oops", e.Value);
        Assert.Equal("test.csv", e.SourceName);
    }

    [Fact]
    public void ReadCsv_OneStrayTokenInANumericColumn_IsAnErrorListingItsLine_NotASilentRetype()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("x\n1\n2\nthree\n4\n"));

        Assert.Equal(
            "test.csv: column 'x' holds numbers (3 of its first 4 values), but 1 is not a number: 'three' (line 4). " +
            "Reading the column as categories would turn every number into a category, so nothing was loaded. " +
            "If such values mean \"missing\", add them to MissingTokens (CLI --missing-tokens); if the column holds categories, declare it with Categorical(\"x\") (CLI --categorical x); " +
            "to keep it numeric and leave those rows out, declare Numeric(\"x\") with BadRows = Skip (CLI --numeric x --bad-rows skip).",
            e.Message);
        Assert.Equal(4, e.Location);
        Assert.Equal("x", e.Column);
        Assert.Equal("three", e.Value);
    }

    [Fact]
    public void ReadCsv_StrayTokens_AreListedWithCountsLinesAndWhyTheyAreNotNumbers()
    {
        var text = "Income,y\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{i * 10},0\n")) + "unknown,1\n\"1,290\",0\n１２,1\ninf,0\nunknown,1\n5%,0\n12.50 €,1\n";

        var e = Assert.Throws<DataLoadException>(() => Read(text, o => o.Target("y")));

        Assert.StartsWith(
            "test.csv: column 'Income' holds numbers (30 of its first 37 values), but 7 are not numbers: 'unknown' (2 times: lines 32, 36), " +
            "'1,290' (line 33; a thousands separator or a decimal comma), '１２' (line 34; non-ASCII digits or signs), 'inf' (line 35; an infinity; inputs must be finite), " +
            "'5%' (line 37; a percent sign), '12.50 €' (line 38; a currency sign). Reading the column as categories would turn every number into a category, so nothing was loaded. " +
            "Numbers must be written in the invariant culture: a decimal point, no digit grouping, currency or percent signs (such as 1290.5).",
            e.Message);
        Assert.Equal(32, e.Location);
    }

    [Fact]
    public void ReadCsv_NumbersInAnotherFormatThroughout_AreAnError()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("amount\n\"12,9\"\n\"3,5\"\n\"1,0\"\n"));
        Assert.StartsWith("test.csv: column 'amount' holds numbers (0 of its first 3 values), but 3 are not numbers: '12,9' (line 2; a thousands separator or a decimal comma)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCsv_MostlyText_IsCategoricalWithANoteCountingTheNumbers()
    {
        var data = Read("grade,y\nA,0\nB,1\n3,0\nC,1\n", o => o.Target("y"));

        var grade = Assert.IsType<CategoricalColumn>(data["grade"]);
        Assert.Equal(["3", "A", "B", "C"], grade.Categories);
        Assert.Equal(
            ["Column 'grade' was read as categories: 3 of its first 4 values are text, but 1 is a number, which is now a category too. If it is numeric, declare it with Numeric(\"grade\") (CLI --numeric grade) and its text values missing (MissingTokens, CLI --missing-tokens)."],
            data.LoadReport!.Notes);
    }

    [Fact]
    public void ReadCsv_DatesInAFeatureColumn_AreCategoricalWithANote()
    {
        var data = Read("opened,y\n2024-01-31,0\n2024-02-01,1\n", o => o.Target("y"));

        Assert.IsType<CategoricalColumn>(data["opened"]);
        Assert.Equal(["Column 'opened' holds dates such as '2024-01-31' and was read as categories; declare it with Date(\"opened\") (CLI --date opened) and derive features from it, or Drop it."], data.LoadReport!.Notes);
    }

    [Fact]
    public void ReadCsv_MixedIdColumn_IsCategoricalWithoutError()
    {
        var data = Read("id,x\n1,5\nA2,6\n3,7\n", o => o.Id("id"));

        Assert.IsType<CategoricalColumn>(data["id"]);
        Assert.Empty(data.LoadReport!.Notes);
    }

    [Theory]
    [InlineData("NA")]
    [InlineData("N/A")]
    [InlineData("n/a")]
    [InlineData("?")]
    [InlineData("-")]
    [InlineData("null")]
    [InlineData("NULL")]
    [InlineData("None")]
    [InlineData("#N/A")]
    [InlineData("NaN")]
    [InlineData("nan")]
    public void ReadCsv_CommonMissingSpellings_AreMissingByDefault(string token)
    {
        var data = Read($"x,c\n1,a\n{token},{token}\n3,b\n");

        var x = Assert.IsType<NumericColumn>(data["x"]);
        Assert.True(x.IsMissing(1));
        Assert.True(data["c"].IsMissing(1));
        Assert.Equal(["a", "b"], ((CategoricalColumn)data["c"]).Categories);
    }

    [Fact]
    public void ReadCsv_UseTypesOfAModel_MakesAWrongTypeAnErrorNamingLineColumnAndValue()
    {
        var schema = new InputSchema([new InputColumn("Income", ColumnKind.Numeric, []), new InputColumn("Zip", ColumnKind.Categorical, ["01234", "75001"])]);

        var e = Assert.Throws<DataLoadException>(() => Read("Income,Zip\n10,01234\nunknown,75001\n", o => o.UseTypesOf(schema)));
        Assert.StartsWith(
            "test.csv: line 3, column 'Income': value 'unknown' is not a number (the model reads 'Income' as numbers; a missing value must be one of the missing tokens: '', 'NA', 'N/A', 'n/a', 'NULL', 'null', 'None', 'NaN', 'nan', '#N/A', '?', '-').",
            e.Message);

        var data = Read("Income,Zip,Other\n10,01234,x\n,75001,y\n", o => o.UseTypesOf(schema));
        Assert.Equal(["01234", "75001"], ((CategoricalColumn)data["Zip"]).Categories);
        Assert.IsType<CategoricalColumn>(data["Other"]);
    }

    [Fact]
    public void ReadCsv_RaggedRow_FailsNamingLineAndCounts()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("a,b,c\n1,2,3\n4,5\n"));
        Assert.Equal("test.csv: line 3: the record has 2 fields but the header has 3. (Set BadRows = BadRowHandling.Skip, or --bad-rows skip on the command line, to leave such rows out and count them.)", e.Message);
        Assert.Equal(3, e.Location);
    }

    [Fact]
    public void ReadCsv_UnterminatedQuote_FailsAtTheLineWhereTheFieldStarts()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("a,b\n1,2\n3,\"never closed\n4,5\n"));
        Assert.Contains("test.csv: line 3: the record has a quoted field that is never closed", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, e.Location);
    }

    [Fact]
    public void ReadCsv_GarbageAfterClosingQuote_IsABadRow()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("a,b\n\"x\"y,2\n"));
        Assert.StartsWith("test.csv: line 2: the record has the character 'y' right after the closing quote of field 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCsv_ControlCharacterAfterClosingQuote_IsShownEscaped_NeverRaw()
    {
        // Found by CsvMutationPropertyTests: the character was echoed raw, so a terminal got a control character.
        var e = Assert.Throws<DataLoadException>(() => Read("a\tb\n\"x\"\u001f\t2\n", o => o.Delimiter = '\t'));

        Assert.StartsWith("test.csv: line 2: the record has the character '\\x1F' right after the closing quote of field 1 (expected the delimiter '\\x09' or the end of the line)", e.Message, StringComparison.Ordinal);
        Assert.False(e.Message.AsSpan().ContainsAnyInRange('\u0000', '\u001F'));
    }

    [Fact]
    public void ReadCsv_ThirdTargetLabel_FailsNamingValue()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("status,x\ngood,1\nbad,2\nugly,3\n", o => o.Target("status", "bad", "good")));
        Assert.StartsWith("test.csv: line 4, column 'status': target value 'ugly' is neither the positive label 'bad' nor the negative label 'good'.", e.Message, StringComparison.Ordinal);
        Assert.Equal("ugly", e.Value);
    }

    [Fact]
    public void ReadCsv_TargetLabels_MapToZeroAndOne()
    {
        var data = Read("status,x\ngood,1\nbad,2\ngood,3\n", o => o.Target("status", positiveLabel: "bad", negativeLabel: "good"));

        Assert.Equal([0, 1, 0], data.Labels.ToArray());
        Assert.Equal(ColumnKind.Numeric, data["status"].Kind);
    }

    [Fact]
    public void ReadCsv_NumericTargetOtherThanZeroOne_FailsWithAdvice()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("y,x\n0,1\n2,2\n", o => o.Target("y")));
        Assert.StartsWith("test.csv: line 3, column 'y': target value '2' is not 0 or 1 (for text labels use Target(\"y\", positiveLabel, negativeLabel)).", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCsv_MissingTarget_IsABadRow()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("y,x\n0,1\n,2\n", o => o.Target("y")));
        Assert.StartsWith("test.csv: line 3, column 'y': the target is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCsv_EmptyFile_Fails()
    {
        var e = Assert.Throws<DataLoadException>(() => Read(""));
        Assert.Equal("test.csv: the file is empty; expected a header row and data rows.", e.Message);
    }

    [Fact]
    public void ReadCsv_HeaderOnly_Fails()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("a,b\n"));
        Assert.Equal("test.csv: the file has a header but no data rows.", e.Message);
    }

    [Fact]
    public void ReadCsv_DuplicateColumnNames_Fail()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("a,b,a\n1,2,3\n"));
        Assert.Equal("test.csv: line 1: duplicate column name 'a' (columns 1 and 3); column names must be unique.", e.Message);
    }

    [Fact]
    public void ReadCsv_RoleOnUnknownColumn_FailsListingColumns()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("a,b\n1,2\n", o => o.Target("Default")));
        Assert.Equal("test.csv: the target column 'Default' is not in the source (names are case-sensitive). Columns: a, b.", e.Message);
    }

    [Fact]
    public void ReadCsv_SkipBadRows_CountsAndReportsEachOne()
    {
        var data = Read("a,b,y\n1,x,0\n2,y\n3,z,1\noops,w,0\n5,v,7\n6,u,1\n", o =>
        {
            o.Target("y").Numeric("a");
            o.BadRows = BadRowHandling.Skip;
        });

        Assert.Equal(3, data.RowCount);
        Assert.Equal([1.0, 3.0, 6.0], ((NumericColumn)data["a"]).Values.ToArray());
        var report = data.LoadReport!;
        Assert.Equal(6, report.RowsRead);
        Assert.Equal(3, report.RowsLoaded);
        Assert.Equal(3, report.RowsSkipped);
        Assert.Equal([3L, 5L, 6L], report.Issues.Select(i => i.Location));
        Assert.Equal([null, "a", "y"], report.Issues.Select(i => i.Column));
        Assert.Equal("test.csv: line 5, column 'a': value 'oops' is not a number (the column is declared numeric; if it holds text, declare it with Categorical(\"a\")).", report.Issues[1].Message);
        Assert.Equal("test.csv: 6 rows read, 3 loaded, 3 skipped", report.ToString());
    }

    [Fact]
    public void ReadCsv_SkippedRowDoesNotLeaveANewCategoryBehind()
    {
        var data = Read("c,y\nkeep,0\nghost,5\nkeep,1\n", o =>
        {
            o.Target("y");
            o.BadRows = BadRowHandling.Skip;
        });

        Assert.Equal(["keep"], ((CategoricalColumn)data["c"]).Categories);
    }

    [Fact]
    public void ReadCsv_MaxReportedIssues_LimitsDetailButCountsAll()
    {
        var text = "a\n" + string.Concat(Enumerable.Range(0, 50).Select(_ => "x,y\n")) + "1\n";

        var data = Read(text, o =>
        {
            o.BadRows = BadRowHandling.Skip;
            o.MaxReportedIssues = 5;
        });

        Assert.Equal(50, data.LoadReport!.RowsSkipped);
        Assert.Equal(5, data.LoadReport.Issues.Count);
    }

    [Fact]
    public void ReadCsv_DropAndIgnore_SetRolesAndReportDrops()
    {
        var data = Read("id,a,b,y\n1,2,3,0\n", o => o.Drop("b").Ignore("a").Id("id").Target("y"));

        Assert.Equal(["id", "a", "y"], data.Schema.Columns.Select(c => c.Name));
        Assert.Equal(ColumnRole.Ignored, data.Schema[1].Role);
        Assert.Equal(ColumnRole.Id, data.Schema[0].Role);
        Assert.Equal(["b"], data.LoadReport!.DroppedColumns);
    }

    [Fact]
    public void ReadCsv_TimeColumn_ParsesDatesAndReportsBadOnes()
    {
        var data = Read("when,y\n2024-01-31,0\n2024-02-01T12:00:00Z,1\n", o => o.Time("when").Target("y"));
        var when = Assert.IsType<DateColumn>(data["when"]);
        Assert.Equal(new DateTime(2024, 1, 31, 0, 0, 0, DateTimeKind.Utc), when[0]);
        Assert.Equal(new DateTime(2024, 2, 1, 12, 0, 0, DateTimeKind.Utc), when[1]);

        var e = Assert.Throws<DataLoadException>(() => Read("when,y\n31/01/2024,0\n", o => o.Time("when", "yyyy-MM-dd").Target("y")));
        Assert.StartsWith("test.csv: line 2, column 'when': value '31/01/2024' is not a date in the format 'yyyy-MM-dd'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCsv_InfiniteNumber_IsRejected()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("a\n1\nInfinity\n", o => o.Numeric("a")));
        Assert.StartsWith("test.csv: line 3, column 'a': value 'Infinity' is not a finite number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCsv_NegativeOrMissingWeight_IsRejected()
    {
        var e = Assert.Throws<DataLoadException>(() => Read("w,y\n1,0\n-2,1\n", o => o.Weight("w").Target("y")));
        Assert.StartsWith("test.csv: line 3, column 'w': weight '-2' is negative", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadCsv_SameRoleTwice_IsRejectedUpFront()
    {
        var e = Assert.Throws<ArgumentException>(() => Read("a,y\n1,0\n", o => o.Target("y").Id("y")));
        Assert.Equal("Invalid data load options: Column 'y' is given two roles (target and id).", e.Message);
    }

    [Fact]
    public void ReadCsv_BlankLinesAndCrOnlyLineEndings_AreHandled()
    {
        var data = Read("a,b\r\r1,2\r\n\n3,4\r");
        Assert.Equal(2, data.RowCount);
        Assert.Equal([1.0, 3.0], ((NumericColumn)data["a"]).Values.ToArray());
    }

    [Fact]
    public void ReadCsv_Utf8ByteOrderMark_IsNotPartOfTheFirstName()
    {
        using var stream = new MemoryStream([0xEF, 0xBB, 0xBF, .. "a,b\n1,2\n"u8.ToArray()]);
        var data = CreditData.ReadCsv(stream);
        Assert.Equal("a", data.Schema[0].Name);
    }

    [Fact]
    public void ReadCsv_Progress_ReportsEvery65536RecordsAndAtTheEnd()
    {
        var text = "a\n" + string.Concat(Enumerable.Range(0, 150_000).Select(i => $"{i}\n"));
        var reports = new List<long>();

        Read(text, o => o.Progress = new SynchronousProgress(reports.Add));

        Assert.Equal([65_536L, 131_072L, 150_000L], reports);
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
