using System.Text.Json.Nodes;
using CreditScoring.Sdk.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.OpenApi;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>The scoring host with API keys and the OpenAPI document.</summary>
public sealed class DocumentedHost : ScoringHost
{
    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Services.AddCreditScoringApiKeys(o => o.Keys.Add(new ApiKey { Name = "loan-system", Sha256 = ApiKeys.Hash("k"), Roles = { ApiKeys.ScoreRole } }));
        builder.Services.AddCreditScoringOpenApi();
    }

    protected override void Map(WebApplication app)
    {
        app.UseCreditScoringApiKeys();
        app.MapCreditScoring().RequireApiKey();
        app.MapCreditScoringAdmin().RequireApiKey(ApiKeys.AdminRole);
        app.MapOpenApi();
    }
}

/// <summary>The OpenAPI document: a valid document whose request schema is the served model's input schema.</summary>
public sealed class OpenApiTests(DocumentedHost host) : IClassFixture<DocumentedHost>
{
    [Fact]
    public async Task TheDocument_IsValid_AndItsApplicantIsTheModelsInputSchema()
    {
        var text = await host.Http.GetStringAsync("/openapi/v1.json");
        var document = JsonNode.Parse(text)!;

        // Valid OpenAPI, as Microsoft.OpenApi's reader and its rules see it.
        using (var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)))
        {
            var read = await OpenApiDocument.LoadAsync(stream, "json");
            Assert.Empty(read.Diagnostic!.Errors);
            Assert.Empty(read.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet()) ?? []);
        }

        var applicant = document["components"]!["schemas"]!["Applicant"]!;
        var inputs = host.Model.Input.Columns;
        Assert.Equal(inputs.Select(c => c.Name), applicant["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(inputs.Select(c => c.Name).Order(StringComparer.Ordinal), applicant["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var column in inputs)
        {
            var property = applicant["properties"]![column.Name]!;
            var types = property["type"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
            if (column.Kind == ColumnKind.Numeric)
            {
                Assert.Equal(["null", "number"], types.Order(StringComparer.Ordinal));
            }
            else
            {
                // Unknown categories are refused by this host: the allowed ones are the schema's enum (and null, missing).
                Assert.Equal(["null", "string"], types.Order(StringComparer.Ordinal));
                Assert.Equal([.. column.Categories, null], property["enum"]!.AsArray().Select(e => e?.GetValue<string>()));
            }
        }

        var score = document["paths"]!["/v1/score"]!["post"]!;
        Assert.Equal("#/components/schemas/Applicant", score["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/Score", score["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/Problem", score["responses"]!["400"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal(new[] { "400", "401", "403", "413", "415", "429", "503", "200" }.Order(StringComparer.Ordinal), score["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.Equal("score", score["security"]![0]!["ApiKey"]![0]!.GetValue<string>());
        Assert.Equal("admin", document["paths"]!["/v1/model/reload"]!["post"]!["security"]![0]!["ApiKey"]![0]!.GetValue<string>());
        Assert.Equal("X-Api-Key", document["components"]!["securitySchemes"]!["ApiKey"]!["name"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/Batch", document["paths"]!["/v1/score/batch"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(document["paths"]!["/v1/explain"]!["post"]);
        Assert.NotNull(document["paths"]!["/v1/model"]!["get"]);
        Assert.Contains("Serving pd-model version", document["info"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
