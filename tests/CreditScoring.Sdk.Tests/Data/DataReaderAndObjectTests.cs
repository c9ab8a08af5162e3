using System.Data;
using CreditScoring.Sdk.Data;
using Microsoft.Data.Sqlite;

namespace CreditScoring.Sdk.Tests.Data;

public class DataReaderAndObjectTests
{
    [Fact]
    public void FromDataReader_Sqlite_ReadsTypesNullsAndRoles()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE applications (id INTEGER, income REAL, home TEXT, applied TEXT, defaulted INTEGER);
                INSERT INTO applications VALUES (1, 1200.5, 'rent', '2024-01-05', 0);
                INSERT INTO applications VALUES (2, NULL, 'own', '2024-02-07', 1);
                INSERT INTO applications VALUES (3, 800, NULL, '2024-03-09', 0);
                """;
            create.ExecuteNonQuery();
        }

        using var query = connection.CreateCommand();
        query.CommandText = "SELECT id, income, home, applied, defaulted FROM applications ORDER BY id";
        using var reader = query.ExecuteReader();

        var data = CreditData.FromDataReader(reader, o => o.Target("defaulted").Id("id").Time("applied"));

        Assert.Equal(3, data.RowCount);
        Assert.Equal([0, 1, 0], data.Labels.ToArray());
        Assert.Equal(ColumnKind.Numeric, data["income"].Kind);
        Assert.True(data["income"].IsMissing(1));
        Assert.Equal(800.0, ((NumericColumn)data["income"])[2]);
        Assert.Equal(["own", "rent"], ((CategoricalColumn)data["home"]).Categories);
        Assert.True(data["home"].IsMissing(2));
        Assert.Equal(new DateTime(2024, 2, 7, 0, 0, 0, DateTimeKind.Utc), ((DateColumn)data["applied"])[1]);
        Assert.Equal("IDataReader: 3 rows read, 3 loaded, 0 skipped", data.LoadReport!.ToString());
    }

    [Fact]
    public void FromDataReader_BadRecord_NamesRecordColumnAndValue()
    {
        var table = new DataTable();
        table.Columns.Add("x", typeof(string));
        table.Columns.Add("y", typeof(int));
        table.Rows.Add("1.5", 0);
        table.Rows.Add("abc", 1);

        using var reader = table.CreateDataReader();
        var e = Assert.Throws<DataLoadException>(() => CreditData.FromDataReader(reader, o => o.Numeric("x").Target("y")));

        Assert.StartsWith("IDataReader: record 2, column 'x': value 'abc' is not a number (the column is declared numeric", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.Location);
    }

    [Fact]
    public void FromDataReader_SkipMode_CountsBadRecords()
    {
        var table = new DataTable();
        table.Columns.Add("x", typeof(double));
        table.Columns.Add("y", typeof(int));
        table.Rows.Add(1.0, 0);
        table.Rows.Add(2.0, 3);
        table.Rows.Add(DBNull.Value, 1);

        using var reader = table.CreateDataReader();
        var data = CreditData.FromDataReader(reader, o =>
        {
            o.Target("y");
            o.SourceName = "applications";
            o.BadRows = BadRowHandling.Skip;
        });

        Assert.Equal(2, data.RowCount);
        Assert.True(data["x"].IsMissing(1));
        Assert.Equal(1, data.LoadReport!.RowsSkipped);
        Assert.Equal("applications: record 2, column 'y': target value '3' is not 0 or 1 (for text labels use Target(\"y\", positiveLabel, negativeLabel)).", data.LoadReport.Issues[0].Message);
    }

    private enum Housing
    {
        Rent,
        Own,
    }

    private sealed record Applicant(int Id, double? Income, Housing Home, string? Job, bool HasCar, DateTime Applied, bool Defaulted);

    [Fact]
    public void FromObjects_MapsPropertiesByType()
    {
        var applicants = new[]
        {
            new Applicant(1, 1000, Housing.Rent, "fixed", true, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), false),
            new Applicant(2, null, Housing.Own, null, false, new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), true),
        };

        var data = CreditData.FromObjects(applicants, o => o.Target("Defaulted").Id("Id").Time("Applied"));

        Assert.Equal([0, 1], data.Labels.ToArray());
        Assert.Equal(ColumnKind.Categorical, data["Home"].Kind);
        Assert.Equal(["Own", "Rent"], ((CategoricalColumn)data["Home"]).Categories);
        Assert.Equal([1.0, 0.0], ((NumericColumn)data["HasCar"]).Values.ToArray());
        Assert.True(data["Income"].IsMissing(1));
        Assert.True(data["Job"].IsMissing(1));
        Assert.Equal(ColumnKind.Date, data["Applied"].Kind);
        Assert.Equal("Applicant", data.LoadReport!.Source);
    }

    private sealed record WithUnsupported(double X, Uri Link);

    [Fact]
    public void FromObjects_UnsupportedPropertyType_FailsUnlessDropped()
    {
        var items = new[] { new WithUnsupported(1, new Uri("https://example.org")) };

        var e = Assert.Throws<DataLoadException>(() => CreditData.FromObjects(items));
        Assert.Equal("WithUnsupported: property 'Link' has type Uri, which cannot be a column (expected a number, bool, string, enum or date); leave it out with Drop(\"Link\").", e.Message);

        var data = CreditData.FromObjects(items, o => o.Drop("Link"));
        Assert.Equal(["X"], data.Schema.Columns.Select(c => c.Name));
    }

    [Fact]
    public void FromColumns_TargetMustBeZeroOne()
    {
        var e = Assert.Throws<TrainingDataException>(() => CreditData.FromColumns([new NumericColumn("y", [0, 1, 2])], o => o.Target("y")));
        Assert.Equal("The target column 'y' has the value 2 in row 2; a target must be 0 or 1.", e.Message);
    }

    [Fact]
    public void FromColumns_TextLabels_AreMapped()
    {
        var data = CreditData.FromColumns([new CategoricalColumn("status", ["good", "bad", "good"])], o => o.Target("status", "bad", "good"));
        Assert.Equal([0, 1, 0], data.Labels.ToArray());
    }

    [Fact]
    public void Fingerprint_EqualForEqualData_DifferentWhenAValueChanges()
    {
        var a = SyntheticCredit.Generate(500, seed: 1);
        var b = SyntheticCredit.Generate(500, seed: 1);
        var c = SyntheticCredit.Generate(500, seed: 2);

        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.NotEqual(a.Fingerprint, c.Fingerprint);
        Assert.Matches("^[0-9a-f]{64}$", a.Fingerprint);
    }

    [Fact]
    public void Labels_WithoutTarget_ThrowsWithAdvice()
    {
        var data = CreditData.FromColumns([new NumericColumn("x", [1, 2])]);
        var e = Assert.Throws<TrainingDataException>(() => data.Labels.ToArray());
        Assert.StartsWith("The data has no target column", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Indexer_UnknownColumn_ListsColumns()
    {
        var data = CreditData.FromColumns([new NumericColumn("x", [1, 2])]);
        var e = Assert.Throws<KeyNotFoundException>(() => data["X"]);
        Assert.Equal("There is no column 'X' (names are case-sensitive). Columns: x.", e.Message);
    }
}
