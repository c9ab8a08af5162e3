using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>The scoring host with API keys: a score key, an admin key, a small rate limit, and an admin endpoint.</summary>
public sealed class KeyedScoringHost : ScoringHost
{
    public const string ScoreKey = "score-key-0123456789abcdef";
    public const string AdminKey = "admin-key-0123456789abcdef";

    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Services.AddCreditScoringApiKeys(o =>
        {
            o.Keys.Add(new ApiKey { Name = "loan-system", Sha256 = ApiKeys.Hash(ScoreKey), Roles = { ApiKeys.ScoreRole } });
            o.Keys.Add(new ApiKey { Name = "ops", Sha256 = ApiKeys.Hash(AdminKey), Roles = { ApiKeys.AdminRole } });
            o.RequestsPerSecond = 10;
            o.Burst = 5;
        });

    protected override void Map(WebApplication app)
    {
        app.UseCreditScoringApiKeys();
        app.MapCreditScoring().RequireApiKey();
        app.MapPost("/v1/admin/ping", () => Results.Ok(new { ok = true })).RequireApiKey(ApiKeys.AdminRole);
    }
}

/// <summary>API keys: none or a wrong one is 401, a score key on an admin endpoint 403, too many requests 429 with Retry-After; the key is stored hashed.</summary>
public sealed class ApiKeyTests(KeyedScoringHost host) : IClassFixture<KeyedScoringHost>
{
    private const string Body = """{"Seniority": 1, "Home": "rent", "Time": 60, "Age": 24, "Marital": "single", "Records": "yes", "Job": "partime", "Expenses": 60, "Income": 80, "Assets": 0, "Debt": 0, "Amount": 1200, "Price": 1300}""";

    private async Task<(HttpStatusCode Status, HttpResponseMessage Response, JsonNode? Body)> Send(string path, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add(ApiKeys.Header, key);
        }

        var response = await host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task Keys_GateTheEndpointsByRole()
    {
        await Task.Delay(1000); // a full bucket whatever ran before

        var (none, noneResponse, noneBody) = await Send("/v1/score", null);
        Assert.Equal(HttpStatusCode.Unauthorized, none);
        Assert.Equal("ApiKey header=\"X-Api-Key\"", noneResponse.Headers.WwwAuthenticate.ToString());
        Assert.Contains("X-Api-Key", noneBody!["title"]!.GetValue<string>(), StringComparison.Ordinal);

        var (wrong, _, wrongBody) = await Send("/v1/score", "not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Equal("The API key is not one this host accepts.", wrongBody!["title"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await Send("/v1/score", KeyedScoringHost.ScoreKey)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send("/v1/score", KeyedScoringHost.AdminKey)).Status); // admin may score too

        var (forbidden, _, forbiddenBody) = await Send("/v1/admin/ping", KeyedScoringHost.ScoreKey);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Contains("'loan-system'", forbiddenBody!["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Send("/v1/admin/ping", KeyedScoringHost.AdminKey)).Status);
    }

    [Fact]
    public async Task AKeyPastItsRate_Gets429WithRetryAfter_AndOtherKeysAreNotSlowed()
    {
        await Task.Delay(1000);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 30 && limited is null; i++)
        {
            var (status, response, _) = await Send("/v1/score", KeyedScoringHost.ScoreKey);
            statuses.Add(status);
            if (status == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await Send("/v1/score", KeyedScoringHost.AdminKey)).Status); // its own bucket
    }

    [Fact]
    public void AKey_IsConfiguredByItsHash_AndNewKeysAreRandom()
    {
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ApiKeys.Hash("test"));
        var (a, b) = (ApiKeys.NewKey(), ApiKeys.NewKey());
        Assert.NotEqual(a, b);
        Assert.Equal(43, a.Length); // 32 bytes, base64url
    }
}
