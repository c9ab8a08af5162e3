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
    }
}
