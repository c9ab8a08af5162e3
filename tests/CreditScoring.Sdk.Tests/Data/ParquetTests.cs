using CreditScoring.Sdk.Batch;
using CreditScoring.Sdk.Data;
using Parquet.Schema;
using Parquet.Serialization;

namespace CreditScoring.Sdk.Tests.Data;

/// <summary>Parquet in and out: a table written by us reads back with its types and values; typed columns map to kinds; nested columns are refused by name.</summary>
public class ParquetTests
{
    [Fact]
    public async Task TheBundledData_WrittenAndReadBack_IsTheSameTable()
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var path = Path.Combine(TestPaths.NewTempDirectory(), "credit.parquet");

        await data.WriteParquetAsync(path);
        var back = await ParquetData.ReadParquetAsync(path, o => o.Target("default"));

        Assert.Equal(data.RowCount, back.RowCount);
        Assert.Equal(data.Columns.Select(c => (c.Name, c.Kind)), back.Columns.Select(c => (c.Name, c.Kind)));
        Assert.Equal(data.Labels.ToArray(), back.Labels.ToArray());
        foreach (var column in data.Columns)
        {
            var other = back[column.Name];
            for (var i = 0; i < data.RowCount; i++)
            {
                Assert.Equal(column.FormatValue(i), other.FormatValue(i));
            }
        }

        Assert.Equal($"{path}: {data.RowCount} rows read, {data.RowCount} loaded, 0 skipped", back.LoadReport!.ToString());
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task TypedColumns_KeepTheirKinds_AndNullsAreMissing()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "typed.parquet");
        var schema = new ParquetSchema(
            new DataField<int>("age"), new DataField<long?>("income"), new DataField<float>("ratio"), new DataField<bool>("owner"),
            new DataField<string>("home", true), new DataField<DateTime?>("applied"), new DataField<int>("defaulted"));
        var rows = new List<IDictionary<string, object?>>
        {
            new Dictionary<string, object?> { ["age"] = 41, ["income"] = 52000L, ["ratio"] = 0.25f, ["owner"] = true, ["home"] = "own", ["applied"] = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc), ["defaulted"] = 0 },
            new Dictionary<string, object?> { ["age"] = 23, ["income"] = null, ["ratio"] = 0.5f, ["owner"] = false, ["home"] = null, ["applied"] = null, ["defaulted"] = 1 },
        };
        await using (var stream = File.Create(path))
        {
            await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream);
        }

        var data = await ParquetData.ReadParquetAsync(path, o => o.Target("defaulted"));

        Assert.Equal([0, 1], data.Labels.ToArray());
        Assert.Equal(ColumnKind.Numeric, data["age"].Kind);
        Assert.Equal([41.0, 23.0], ((NumericColumn)data["age"]).Values.ToArray());
        Assert.Equal(52000.0, ((NumericColumn)data["income"])[0]);
        Assert.True(data["income"].IsMissing(1));
        Assert.Equal(0.25, ((NumericColumn)data["ratio"])[0]);
        Assert.Equal([1.0, 0.0], ((NumericColumn)data["owner"]).Values.ToArray());
        Assert.Equal(ColumnKind.Categorical, data["home"].Kind);
        Assert.Equal("own", ((CategoricalColumn)data["home"])[0]);
        Assert.True(data["home"].IsMissing(1));
        Assert.Equal(ColumnKind.Date, data["applied"].Kind);
        Assert.Equal(new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc), ((DateColumn)data["applied"])[0]);
        Assert.True(data["applied"].IsMissing(1));
    }

    [Fact]
    public async Task ANestedColumn_IsRefusedByName()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "nested.parquet");
        var schema = new ParquetSchema(new DataField<int>("age"), new ListField("loans", new DataField<double>("amount")));
        var rows = new List<IDictionary<string, object?>> { new Dictionary<string, object?> { ["age"] = 41, ["loans"] = new List<double> { 100, 200 } } };
        await using (var stream = File.Create(path))
        {
            await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream);
        }

        var error = await Assert.ThrowsAsync<DataLoadException>(() => ParquetData.ReadParquetAsync(path));
        Assert.Contains("column 'loans' is a nested", error.Message, StringComparison.Ordinal);
    }
}
