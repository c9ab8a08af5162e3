using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CreditScoring.Samples.Tests;

public class ApiTests
{
    [Fact]
    public async Task Health_WithoutModel_IsHealthy()
    {
        await using var factory = new WebApplicationFactory<Program>();
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("model").ValueKind);
    }

    [Fact]
    public async Task Health_WithModel_DescribesIt()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "pd.json");
        new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Decide(d => d.Threshold(0.3)).Build()
            .Fit(CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"))).Save(path);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("CreditScoring:ModelPath", path));
        using var client = factory.CreateClient();

        var body = await client.GetFromJsonAsync<JsonElement>(new Uri("/health", UriKind.Relative));

        var model = body.GetProperty("model");
        Assert.Equal("logistic", model.GetProperty("learner").GetString());
        Assert.Equal(13, model.GetProperty("inputs").GetInt32());
        Assert.Equal(0.3, model.GetProperty("threshold").GetDouble());

        // The scoring API over the same model.
        var scored = await client.PostAsJsonAsync(new Uri("/v1/score", UriKind.Relative), new Dictionary<string, object?>
        {
            ["Seniority"] = 1, ["Home"] = "rent", ["Time"] = 60, ["Age"] = 24, ["Marital"] = "single", ["Records"] = "yes", ["Job"] = "partime",
            ["Expenses"] = 60, ["Income"] = 80, ["Assets"] = 0, ["Debt"] = 0, ["Amount"] = 1200, ["Price"] = 1300,
        });
        var score = await scored.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0.3, score.GetProperty("threshold").GetDouble());
        Assert.Equal("pd", score.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal(score.GetProperty("probability").GetDouble() >= 0.3 ? "decline" : "approve", score.GetProperty("decision").GetString());
    }

    [Fact]
    public async Task WithKeysConfigured_TheScoringApiNeedsOne_AndMonitoringTheAdminRole()
    {
        var folder = TestPaths.NewTempDirectory();
        var path = Path.Combine(folder, "pd.json");
        new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"))).Save(path);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("CreditScoring:ModelPath", path)
            .UseSetting("CreditScoring:ApiKeys:Keys:0:Name", "loan-system")
            .UseSetting("CreditScoring:ApiKeys:Keys:0:Sha256", CreditScoring.Sdk.AspNetCore.ApiKeys.Hash("k-123"))
            .UseSetting("CreditScoring:ApiKeys:Keys:0:Roles:0", "score")
            .UseSetting("CreditScoring:ApiKeys:Keys:1:Name", "risk-team")
            .UseSetting("CreditScoring:ApiKeys:Keys:1:Sha256", CreditScoring.Sdk.AspNetCore.ApiKeys.Hash("a-456"))
            .UseSetting("CreditScoring:ApiKeys:Keys:1:Roles:0", "admin")
            .UseSetting("CreditScoring:Events:Store", Path.Combine(folder, "predictions.db")));
        using var client = factory.CreateClient();

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/v1/model", UriKind.Relative))).StatusCode);
        client.DefaultRequestHeaders.Add("X-Api-Key", "k-123");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri("/v1/model", UriKind.Relative))).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode); // health stays open
        var openApi = await (await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(13, openApi.GetProperty("components").GetProperty("schemas").GetProperty("Applicant").GetProperty("required").GetArrayLength());

        // With an event store configured, every score is an event, and monitoring is for the admin role only.
        var scored = await client.PostAsJsonAsync(new Uri("/v1/score", UriKind.Relative), new Dictionary<string, object?>
        {
            ["Seniority"] = 1, ["Home"] = "rent", ["Time"] = 60, ["Age"] = 24, ["Marital"] = "single", ["Records"] = "yes", ["Job"] = "partime",
            ["Expenses"] = 60, ["Income"] = 80, ["Assets"] = 0, ["Debt"] = 0, ["Amount"] = 1200, ["Price"] = 1300,
        });
        Assert.Equal(36, (await scored.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventId").GetString()!.Length);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await client.GetAsync(new Uri("/v1/monitoring", UriKind.Relative))).StatusCode);
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Add("X-Api-Key", "a-456");
        var monitoring = await (await client.GetAsync(new Uri("/v1/monitoring", UriKind.Relative))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, monitoring.GetProperty("events").GetProperty("recorded").GetInt64());
    }
}
