using CreditScoring.Sdk.AspNetCore;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;

var builder = WebApplication.CreateBuilder(args);

// Serve a model when one is configured (appsettings.json, environment CreditScoring__ModelPath, or --CreditScoring:ModelPath=...).
var section = builder.Configuration.GetSection(CreditScoringOptions.SectionName);
var modelConfigured = !string.IsNullOrWhiteSpace(section[nameof(CreditScoringOptions.ModelPath)]);
if (modelConfigured)
{
    builder.Services.AddCreditScoring(section);
    builder.Services.AddCreditScoringServing(o => builder.Configuration.GetSection(ServingOptions.SectionName).Bind(o));
    builder.Services.AddCreditScoringOpenApi(); // /openapi/v1.json: the request schema is the served model's inputs
}

// Prediction events when a store is configured (CreditScoring:Events:Store = predictions.db or postgresql://...).
var eventsConfigured = modelConfigured && !string.IsNullOrWhiteSpace(builder.Configuration[PredictionEventOptions.SectionName + ":Store"]);
if (eventsConfigured)
{
    builder.Services.AddCreditScoringEvents(o => builder.Configuration.GetSection(PredictionEventOptions.SectionName).Bind(o));
}

// Applicants by id when a store is configured (CreditScoring:Applicants:Store, :Table, :IdColumn).
var applicantsConfigured = modelConfigured && !string.IsNullOrWhiteSpace(builder.Configuration[ApplicantStoreOptions.SectionName + ":Store"]);
if (applicantsConfigured)
{
    builder.Services.AddCreditScoringApplicants(o => builder.Configuration.GetSection(ApplicantStoreOptions.SectionName).Bind(o));
}

// API keys when any are configured (CreditScoring:ApiKeys:Keys:0:Name, :Sha256 from ApiKeys.Hash, :Roles:0 = score).
var keysConfigured = builder.Configuration.GetSection(ApiKeyOptions.SectionName + ":Keys").GetChildren().Any();
if (keysConfigured)
{
    builder.Services.AddCreditScoringApiKeys(o => builder.Configuration.GetSection(ApiKeyOptions.SectionName).Bind(o));
}

var app = builder.Build();
if (keysConfigured)
{
    app.UseCreditScoringApiKeys();
}

if (modelConfigured)
{
    app.MapCreditScoringHealth(); // /health/live, /health/ready
    app.MapOpenApi(); // /openapi/v1.json, open: it describes the API, not any applicant
    if (applicantsConfigured)
    {
        app.MapCreditScoringDashboard(); // /dashboard: a page with no data; its calls carry the adviser's key
    }
    var scoring = app.MapCreditScoring(); // POST /v1/score, /v1/score/batch, /v1/explain; GET /v1/model; GET /v1/applicants[/{id}/score|explain]
    if (keysConfigured)
    {
        scoring.RequireApiKey();
        app.MapCreditScoringAdmin().RequireApiKey(ApiKeys.AdminRole); // POST /v1/model/reload: only with keys, never open
        if (eventsConfigured)
        {
            app.MapCreditScoringMonitoring().RequireApiKey(ApiKeys.AdminRole); // POST /v1/outcomes, GET /v1/monitoring[/report]
        }
    }
}

app.MapGet("/health", (IServiceProvider services) =>
{
    var model = modelConfigured ? services.GetRequiredService<CreditModel>() : null;
    return Results.Ok(new HealthResponse(
        "healthy",
        model is null ? null : new ModelSummary(model.Metadata.Learner, model.Metadata.TrainedAt, model.Metadata.SdkVersion, model.Input.Count, model.Decision.Threshold)));
});

app.Run();

/// <summary>The answer of <c>GET /health</c>.</summary>
/// <param name="Status">Always <c>healthy</c> when the host answers.</param>
/// <param name="Model">The served model, or <see langword="null"/> when none is configured.</param>
internal sealed record HealthResponse(string Status, ModelSummary? Model);

/// <summary>What model the host serves.</summary>
/// <param name="Learner">The learner's name.</param>
/// <param name="TrainedAt">When it was trained.</param>
/// <param name="SdkVersion">The SDK version that trained it.</param>
/// <param name="Inputs">How many inputs it reads.</param>
/// <param name="Threshold">Its decision threshold.</param>
internal sealed record ModelSummary(string Learner, DateTimeOffset TrainedAt, string SdkVersion, int Inputs, double Threshold);

/// <summary>Exposed for <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
