using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Tests.Tracking;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>
/// Applicants read by id from a real database (SQLite and PostgreSQL): scored and explained as the model scores them,
/// found by conditions on their inputs, and every failure answered with its status and the fields at fault.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class ApplicantStoreTests(TrainedModel trained, PostgresServer postgres) : IClassFixture<TrainedModel>, IDisposable
{
    private static readonly string[] Categories = ["Home", "Marital", "Records", "Job"];
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-applicants-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<string> Database(string kind)
    {
        var location = kind == "postgres" ? postgres.NewDatabase() : Path.Combine(_folder, "applicants.db");
        await CreateClients(location, kind, trained, 60);
        return location;
    }

    /// <summary>A table <c>clients</c> of the first <paramref name="count"/> applicants (ids 1000 + row), with a column the model does not read.</summary>
    internal static async Task CreateClients(string location, string kind, TrainedModel trained, int count)
    {
        DbConnection connection = kind == "postgres" ? new NpgsqlConnection(location) : new SqliteConnection($"Data Source={location};Pooling=False");
        await using (connection)
        {
            await connection.OpenAsync();
            var inputs = trained.Model.Input.Columns.Select(c => c.Name).ToList();
            var (integer, real) = kind == "postgres" ? ("BIGINT", "DOUBLE PRECISION") : ("INTEGER", "REAL");
            await Execute(connection, $"CREATE TABLE clients (client_id {integer} PRIMARY KEY, branch TEXT, {string.Join(", ", inputs.Select(i => $"\"{i}\" {(Categories.Contains(i) ? "TEXT" : real)}"))});");
            for (var r = 0; r < count; r++)
            {
                var row = trained.Rows[r];
                await using var insert = connection.CreateCommand();
                insert.CommandText = $"INSERT INTO clients VALUES (@id, 'north', {string.Join(", ", inputs.Select((_, j) => $"@v{j}"))})";
                Add(insert, "@id", 1000L + r);
                for (var j = 0; j < inputs.Count; j++)
                {
                    Add(insert, $"@v{j}", row[inputs[j]]);
                }

                await insert.ExecuteNonQueryAsync();
            }
        }
    }

    private static async Task Execute(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
    }

    private Task<EventsHost> Host(string location, string table = "clients") =>
        EventsHost.StartAsync(trained.ModelPath, s => s.AddCreditScoringApplicants(o => { o.Store = location; o.Table = table; o.IdColumn = "client_id"; }));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task AnApplicantById_IsScoredAndExplained_AsTheModelScoresTheirRow(string kind)
    {
        await using var host = await Host(await Database(kind));
        var scorer = trained.Model.CreateScorer();
        var explainer = trained.Model.CreateExplainer();
        foreach (var r in new[] { 0, 7, 59 })
        {
            var (status, body) = await host.GetAsync($"/v1/applicants/{1000 + r}/score?reasons=2");
            Assert.Equal(HttpStatusCode.OK, status);
            var expected = scorer.Score(trained.Rows[r]);
            Assert.Equal(expected.Probability, body["probability"]!.GetValue<double>());
            Assert.Equal(expected.Decision == Decisions.CreditDecision.Decline ? "decline" : "approve", body["decision"]!.GetValue<string>());
            Assert.Equal(explainer.Explain(trained.Rows[r]).Reasons.Take(2).Select(x => x.Code), body["reasons"]!.AsArray().Select(x => x!["code"]!.GetValue<string>()));

            var (explainStatus, explanation) = await host.GetAsync($"/v1/applicants/{1000 + r}/explain");
            Assert.Equal(HttpStatusCode.OK, explainStatus);
            Assert.Equal(expected.Probability, explanation["probability"]!.GetValue<double>(), 12);
            Assert.Equal((1000 + r).ToString(System.Globalization.CultureInfo.InvariantCulture), explanation["applicantId"]!.GetValue<string>());
        }

        // An id no row has, and one that is not a whole number for an integer id column: 404, saying which.
        var (missing, missingBody) = await host.GetAsync("/v1/applicants/999/score");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("No applicant has client_id '999'.", missingBody["title"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync("/v1/applicants/abc'%20OR%201=1--/score")).Status);

        var ready = JsonNode.Parse(await host.Http.GetStringAsync("/health/ready"))!;
        Assert.Equal("Healthy", ready["checks"]!["applicant-store"]!["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ApplicantsAreFound_ByTheirInputs(string kind)
    {
        await using var host = await Host(await Database(kind));
        var (status, body) = await host.GetAsync("/v1/applicants?home=rent&Age.min=25&Age.max=40&limit=50");

        Assert.Equal(HttpStatusCode.OK, status);
        var expected = Enumerable.Range(0, 60).Where(r => (string?)trained.Rows[r]["Home"] == "rent" && trained.Rows[r]["Age"] is double age && age is >= 25 and <= 40).Select(r => (1000 + r).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, body["applicants"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()));
        var first = body["applicants"]![0]!["inputs"]!;
        Assert.Equal("rent", first["Home"]!.GetValue<string>());
        Assert.Equal("north", first["branch"]!.GetValue<string>());
        Assert.Null(first["client_id"]);

        Assert.Equal(3, (await host.GetAsync("/v1/applicants?limit=3")).Body["applicants"]!.AsArray().Count);
    }

    [Fact]
    public async Task BadSearches_NameEachConditionAtFault()
    {
        await using var host = await Host(await Database("sqlite"));
        var (status, body) = await host.GetAsync("/v1/applicants?Salary=3&Home.min=2&Age=old&limit=1000");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["Age", "Home.min", "Salary", "limit"], body["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("is not one of the model's inputs", body["errors"]!["Salary"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoredRowTheModelCannotScore_Is422NamingItsColumns_AndAMissingTableMakesTheHostNotReady()
    {
        var location = await Database("sqlite");
        await using (var connection = new SqliteConnection($"Data Source={location};Pooling=False"))
        {
            await connection.OpenAsync();
            await Execute(connection, "UPDATE clients SET \"Age\" = 'thirty', \"Income\" = NULL WHERE client_id = 1003;");
            await Execute(connection, "CREATE TABLE thin (client_id INTEGER, \"Age\" REAL); INSERT INTO thin VALUES (1, 30);");
        }

        await using (var host = await Host(location))
        {
            var (status, body) = await host.GetAsync("/v1/applicants/1003/score");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.Equal(["Age"], body["errors"]!.AsObject().Select(e => e.Key)); // a NULL is a missing value, not an error
            Assert.Equal("Expected a number, got text.", body["errors"]!["Age"]![0]!.GetValue<string>());
        }

        await using (var host = await Host(location, "thin"))
        {
            var (status, body) = await host.GetAsync("/v1/applicants/1/score");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.Contains("Home", body["errors"]!.AsObject().Select(e => e.Key));
        }

        await using (var host = await Host(location, "no_such_table"))
        {
            var (status, body) = await host.GetAsync("/v1/applicants/1/score");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("no_such_table", body["title"]!.GetValue<string>(), StringComparison.Ordinal);
            using var ready = await host.Http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
    }
}
