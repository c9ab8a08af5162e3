using System.Data.Common;
using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CreditScoring.Sdk.Tests.Batch;

/// <summary>A model trained on the bundled data, and that data as rows with ids, to load into the batch jobs' sources.</summary>
internal static class BatchFixture
{
    private static readonly Lazy<(CreditModel Model, CreditData Data)> Trained = new(() =>
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var model = new CreditScoringContext(seed: 7).CreatePipeline().Train(t => t.GradientBoosting(o => o.NumberOfIterations = 40)).Build().Fit(data);
        return (model, data);
    });

    public static CreditModel Model => Trained.Value.Model;

    public static CreditData Data => Trained.Value.Data;

    /// <summary>The id of row i: sparse and large (beyond 2^53 for the last rows), so that an id stored as a double would be caught.</summary>
    public static long Id(int row) => row < 4000 ? 1_000 + (7L * row) : 9_007_199_254_740_993L + row;

    /// <summary>What the scorer gives every row, by id.</summary>
    public static Dictionary<long, CreditScore> Expected(CreditData? data = null)
    {
        data ??= Data;
        var scores = Model.CreateScorer().ScoreBatch(data);
        return Enumerable.Range(0, data.RowCount).ToDictionary(Id, i => scores[i]);
    }

    /// <summary>Creates table <paramref name="table"/> (id, then every column of the data) and fills it.</summary>
    public static void Load(DbConnection connection, string table, CreditData? data = null, Func<int, string, object?, object?>? edit = null)
    {
        data ??= Data;
        var postgres = connection is NpgsqlConnection;
        var columns = data.Columns.ToArray();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = $"CREATE TABLE \"{table}\" (id bigint PRIMARY KEY, {string.Join(", ", columns.Select(c => $"\"{c.Name}\" {(c.Kind == ColumnKind.Numeric ? (postgres ? "double precision" : "REAL") : "text")}"))})";
            create.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO \"{table}\" (id, {string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) VALUES (@id, {string.Join(", ", columns.Select((_, j) => "@c" + j.ToString(CultureInfo.InvariantCulture)))})";
        var id = insert.CreateParameter();
        id.ParameterName = "id";
        insert.Parameters.Add(id);
        var values = columns.Select((_, j) =>
        {
            var p = insert.CreateParameter();
            p.ParameterName = "c" + j.ToString(CultureInfo.InvariantCulture);
            insert.Parameters.Add(p);
            return p;
        }).ToArray();
        for (var i = 0; i < data.RowCount; i++)
        {
            id.Value = Id(i);
            for (var j = 0; j < columns.Length; j++)
            {
                object? value = columns[j] switch
                {
                    NumericColumn n => n.IsMissing(i) ? null : n[i],
                    CategoricalColumn c => c[i],
                    _ => null,
                };
                value = edit is null ? value : edit(i, columns[j].Name, value);
                values[j].Value = value ?? DBNull.Value;
            }

            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>A new SQLite file holding table <c>applicants</c> (the data with ids).</summary>
    public static string SqliteBook(Func<int, string, object?, object?>? edit = null)
    {
        var db = Path.Combine(TestPaths.NewTempDirectory(), "book.db");
        using var connection = Sqlite(db);
        Load(connection, "applicants", edit: edit);
        return db;
    }

    /// <summary>A new PostgreSQL database holding table <c>applicants</c> (the data with ids), as a connection string.</summary>
    public static string PostgresBook(Tracking.PostgresServer server)
    {
        var db = server.NewDatabase();
        using var connection = new NpgsqlConnection(db);
        connection.Open();
        Load(connection, "applicants");
        return db;
    }

    public static SqliteConnection Sqlite(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>The scores table as id → (job, probability, decision, model, version, warnings, reasons...).</summary>
    public static List<Dictionary<string, object?>> Rows(DbConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY job_id, id";
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var j = 0; j < reader.FieldCount; j++)
            {
                row[reader.GetName(j)] = reader.IsDBNull(j) ? null : reader.GetValue(j);
            }

            rows.Add(row);
        }

        return rows;
    }
}
