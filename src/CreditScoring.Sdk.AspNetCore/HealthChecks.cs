using System.Text.Json.Nodes;
using CreditScoring.Sdk.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>
/// Health endpoints for orchestrators: <c>/health/live</c> answers 200 while the process runs; <c>/health/ready</c> answers
/// 200 when the model is loaded and the stores the host uses answer, 503 otherwise, with each check's state in JSON.
/// </summary>
public static class CreditScoringHealth
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs: <c>ready</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Registers the readiness checks: the served model loads, and the tracking store (when one is registered) answers.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The health checks builder, for the host's own checks.</returns>
    public static IHealthChecksBuilder AddCreditScoringHealthChecks(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddHealthChecks()
            .AddCheck<ModelCheck>("model", tags: [ReadyTag])
            .AddCheck<StoreCheck>("tracking-store", tags: [ReadyTag]);
    }

    /// <summary>Maps <c>/health/live</c> and <c>/health/ready</c> (open to every caller: they say nothing about applicants).</summary>
    /// <param name="endpoints">The application.</param>
    /// <returns>The application.</returns>
    public static IEndpointRouteBuilder MapCreditScoringHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = Write });
        return endpoints;
    }

    private static Task Write(HttpContext c, HealthReport report)
    {
        var checks = new JsonObject();
        foreach (var (name, entry) in report.Entries)
        {
            checks[name] = new JsonObject { ["status"] = entry.Status.ToString(), ["description"] = entry.Description ?? entry.Exception?.Message ?? "" };
        }

        c.Response.ContentType = "application/json";
        return c.Response.WriteAsync(new JsonObject { ["status"] = report.Status.ToString(), ["checks"] = checks }.ToJsonString(), c.RequestAborted);
    }

    /// <summary>The served model loads and scores: its name, version and learner.</summary>
    private sealed class ModelCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var served = services.GetRequiredService<ServedModelSource>().Current;
                return Task.FromResult(HealthCheckResult.Healthy($"{served.Name} {served.Version} ({served.Model.Metadata.Learner})"));
            }
            catch (Exception e) when (e is CreditScoringException or IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"The model cannot be served: {e.Message}"));
            }
        }
    }

    /// <summary>The tracking store or registry, when the host has one, answers a listing.</summary>
    private sealed class StoreCheck(IServiceProvider services) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (services.GetService<IModelRegistry>() is not { } store)
            {
                return HealthCheckResult.Healthy("No tracking store is used.");
            }

            try
            {
                var experiments = await store.ListExperimentsAsync(cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy($"{store} answers ({experiments.Count} experiments).");
            }
            catch (Exception e) when (e is TrackingException or IOException or System.Data.Common.DbException or HttpRequestException)
            {
                return HealthCheckResult.Unhealthy($"The tracking store {store} does not answer: {e.Message}");
            }
        }
    }
}
