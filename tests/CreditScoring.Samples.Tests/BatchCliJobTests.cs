using System.Globalization;
using CreditScoring.Sdk.Data;
using Microsoft.Data.Sqlite;

namespace CreditScoring.Samples.Tests;

/// <summary>
/// The CLI's batch jobs on SQLite: a registry model by alias (its name and version on every row), the job history
/// (<c>jobs list</c>, <c>jobs show</c>), a bad value failing the job by id and column or going to the rejects table, and
/// the usage errors.
/// </summary>
public class BatchCliJobTests
{
    [Fact]
    public void ARegistryModel_ScoresTheTable_AndTheJobIsInTheHistory()
    {
        var (dir, db) = Book();
        var model = Path.Combine(dir, "pd.json");
        var store = Path.Combine(dir, "mlruns.db");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model).Exit);
        Assert.Equal(0, CliRunner.Run("models", "register", "--name", "pd", "--file", model, "--store", store).Exit);
        Assert.Equal(0, CliRunner.Run("models", "promote", "--name", "pd", "--version", "1", "--alias", "champion", "--store", store).Exit);

        var run = CliRunner.Run("score", "--registry", "pd@champion", "--store", store, "--input", $"sqlite:///{db}?table=applicants", "--output", $"sqlite:///{db}?table=scores", "--partitions", "3", "--reasons", "1");

        Assert.Equal(0, run.Exit);
        Assert.Matches(@"^Job [0-9a-f]{12} \(new\): 4,454 rows scored, 0 rejected, in 3 partitions; written to .*book\.db table scores\.", run.Output);
        var jobId = run.Output.Split(' ')[1];
        using (var connection = Open(db))
        {
            Assert.Equal(4454L, Scalar(connection, "SELECT count(*) FROM scores WHERE model_name = 'pd' AND model_version = '1'"));
            Assert.InRange((long)Scalar(connection, "SELECT count(reason_1_code) FROM scores")!, 4000, 4454); // an applicant nothing pushed toward decline has no reason
            var scorer = CreditScoring.Sdk.Scoring.CreditModel.Load(model).CreateScorer();
            var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
            var expected = scorer.ScoreBatch(data);
            Assert.Equal(expected[10].Probability, (double)Scalar(connection, "SELECT probability FROM scores WHERE id = 11")!);
        }

        var list = CliRunner.Run("jobs", "list", "--jobs", db);
        Assert.Equal(0, list.Exit);
        Assert.Contains(jobId, list.Output, StringComparison.Ordinal);
        Assert.Matches($@"{jobId}\s+succeeded\s+pd\s+1\s+4,454\s+0\s", list.Output);

        var show = CliRunner.Run("jobs", "show", jobId, "--jobs", $"sqlite:///{db}?table=scores");
        Assert.Equal(0, show.Exit);
        Assert.Contains("status    succeeded", show.Output, StringComparison.Ordinal);
        Assert.Contains("rows      4,454 written, 0 rejected, 4,454 planned", show.Output, StringComparison.Ordinal);
        Assert.Equal(3, show.Output.Split('\n').Count(l => l.Contains(" done ", StringComparison.Ordinal)));
    }

    [Fact]
    public void ABadValue_FailsTheJobNamingIdAndColumn_OrIsRejectedWithTheOption()
    {
        var (dir, db) = Book(edit: (id, column, value) => id == 1234 && column == "Income" ? "twelve hundred" : value);
        var model = Path.Combine(dir, "pd.json");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model).Exit);
        string[] args = ["score", "--model", model, "--input", $"sqlite:///{db}?table=applicants", "--output", $"sqlite:///{db}?table=scores"];

        var failed = CliRunner.Run(args);
        Assert.Equal(1, failed.Exit);
        Assert.Matches(@"^error: Job [0-9a-f]{12} failed in partition [0-9]+: row with id 1234, column Income: 'twelve hundred' is not a number", CliRunner.ErrorLine(failed.Error));

        var rejected = CliRunner.Run([.. args, "--rejects", "table"]);
        Assert.Equal(0, rejected.Exit);
        Assert.Contains("4,453 rows scored, 1 rejected", rejected.Output, StringComparison.Ordinal);
        var show = CliRunner.Run("jobs", "show", rejected.Output.Split(' ')[1], "--jobs", db);
        Assert.Matches(@"1234\s+Income\s+'twelve hundred' is not a number", show.Output);
    }

    [Theory]
    [InlineData("--data", "x.csv", "Give --data (a CSV file scored in memory) or --input (a batch job), not both.")]
    [InlineData("--partition-by", "modulo", "--partition-by 'modulo' is not ranges or hash.")]
    [InlineData("--rejects", "skip", "--rejects 'skip' is not fail or table.")]
    public void UsageMistakes_AreOneErrorLine(string option, string value, string message)
    {
        var (dir, db) = Book();
        var model = Path.Combine(dir, "pd.json");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model).Exit);

        var run = CliRunner.Run("score", "--model", model, "--input", $"sqlite:///{db}?table=applicants", "--output", $"sqlite:///{db}?table=scores", option, value);

        Assert.Equal(1, run.Exit);
        Assert.Equal("error: " + message, CliRunner.ErrorLine(run.Error));
    }

    [Fact]
    public void AnOutputWithoutATable_IsOneErrorLine()
    {
        var (dir, db) = Book();
        var model = Path.Combine(dir, "pd.json");
        Assert.Equal(0, CliRunner.Run("train", "--data", TestPaths.CreditData, "--target", "default", "--model", model).Exit);

        var run = CliRunner.Run("score", "--model", model, "--input", $"sqlite:///{db}?table=applicants", "--output", $"sqlite:///{db}");

        Assert.Equal(1, run.Exit);
        Assert.Equal($"error: The output 'sqlite:///{db}' names no table: add ?table=NAME.", CliRunner.ErrorLine(run.Error));
    }

    [Fact]
    public void AMissingJobDatabase_IsAnError_NotAnEmptyHistory()
    {
        var missing = Path.Combine(TestPaths.NewTempDirectory(), "nowhere.db");

        var run = CliRunner.Run("jobs", "list", "--jobs", missing);

        Assert.Equal(1, run.Exit);
        Assert.StartsWith($"error: There is no job database at {missing}", CliRunner.ErrorLine(run.Error), StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    /// <summary>A SQLite file with table <c>applicants</c>: the bundled data with ids 1, 2, ... (its target left out).</summary>
    private static (string Dir, string Db) Book(Func<long, string, object?, object?>? edit = null)
    {
        var dir = TestPaths.NewTempDirectory();
        var db = Path.Combine(dir, "book.db");
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var columns = data.Columns.Where(c => c.Name != "default").ToArray();
        using var connection = Open(db);
        using (var create = connection.CreateCommand())
        {
            create.CommandText = $"CREATE TABLE applicants (id INTEGER PRIMARY KEY, {string.Join(", ", columns.Select(c => $"\"{c.Name}\""))})";
            create.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO applicants VALUES ($id, {string.Join(", ", columns.Select((_, j) => "$c" + j.ToString(CultureInfo.InvariantCulture)))})";
        insert.Parameters.Add(new SqliteParameter("$id", 0L));
        for (var j = 0; j < columns.Length; j++)
        {
            insert.Parameters.Add(new SqliteParameter("$c" + j.ToString(CultureInfo.InvariantCulture), DBNull.Value));
        }

        for (var i = 0; i < data.RowCount; i++)
        {
            insert.Parameters[0].Value = (long)(i + 1);
            for (var j = 0; j < columns.Length; j++)
            {
                object? value = columns[j] switch
                {
                    NumericColumn n => n.IsMissing(i) ? null : n[i],
                    CategoricalColumn c => c[i],
                    _ => null,
                };
                insert.Parameters[j + 1].Value = (edit is null ? value : edit(i + 1, columns[j].Name, value)) ?? DBNull.Value;
            }

            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return (dir, db);
    }

    private static SqliteConnection Open(string db)
    {
        var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
