using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Drift;
using CreditScoring.Sdk.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>
/// Prediction events and their monitoring: every scored request recorded (<see cref="PredictionRecorder"/>), outcomes
/// matched to them later, and the drift monitor's windows, alerts, rolling performance and HTML report.
/// </summary>
public static class CreditScoringMonitoring
{
    /// <summary>
    /// Records every request the scoring endpoints score (inputs, probability, decision, model version, time, hashed
    /// applicant id) in the event store of <see cref="PredictionEventOptions.Store"/>, through a bounded queue written in
    /// batches in the background, and monitors the champion's events for drift. Adds the <c>event-store</c> readiness check.
    /// Call after <see cref="CreditScoringEndpoints.AddCreditScoringServing"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options, or <see langword="null"/> for the defaults (SQLite <c>predictions.db</c>).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddCreditScoringEvents(this IServiceCollection services, Action<PredictionEventOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PredictionEventOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PredictionRecorder>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<PredictionRecorder>());
        services.AddHealthChecks().AddCheck<EventStoreCheck>("event-store", tags: [CreditScoringHealth.ReadyTag]);
        return services;
    }

    /// <summary>
    /// Maps <c>POST /v1/outcomes</c> (outcomes matched to events by <c>eventId</c>, or by <c>applicantId</c> to that
    /// applicant's latest event), <c>GET /v1/monitoring</c> (event counts, the monitor's windows, alerts and rolling
    /// performance, as JSON) and <c>GET /v1/monitoring/report</c> (the HTML drift report of the latest closed window).
    /// Give the group a role (<c>.RequireApiKey(ApiKeys.AdminRole)</c>): these are not for scoring clients.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The version prefix; default <c>/v1</c>.</param>
    /// <returns>The group of the endpoints.</returns>
    public static RouteGroupBuilder MapCreditScoringMonitoring(this IEndpointRouteBuilder endpoints, string prefix = "/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix);
        group.MapPost("/outcomes", (HttpContext c) => CreditScoringEndpoints.Handle(c, "outcomes", async (served, options) =>
        {
            var recorder = Recorder(c);
            var body = await CreditScoringEndpoints.ReadObjectAsync(c, options);
            var outcomes = ReadOutcomes(body, options);
            IReadOnlyList<OutcomeMatch?> matched;
            try
            {
                matched = await recorder.RecordOutcomesAsync(outcomes, c.RequestAborted);
            }
            catch (Exception e) when (SqlDatabase.IsStoreFailure(e))
            {
                throw new RequestException(StatusCodes.Status503ServiceUnavailable, $"The event store does not answer; no outcome was recorded: {e.Message}", null);
            }

            return new JsonObject
            {
                ["matched"] = matched.Count(m => m is not null),
                ["unmatched"] = matched.Count(m => m is null),
                ["results"] = new JsonArray([.. matched.Select(m => (JsonNode)new JsonObject { ["eventId"] = m?.EventId, ["matched"] = m is not null })]),
            };
        }))
            .WithMetadata(new CreditScoringOperation("outcomes")).ExcludeFromDescription();
        group.MapGet("/monitoring", Monitoring)
            .WithMetadata(new CreditScoringOperation("monitoring")).ExcludeFromDescription();
        group.MapGet("/monitoring/report", async (HttpContext c) =>
        {
            var recorder = Recorder(c);
            if (recorder.Monitor?.Windows is not [.., var latest])
            {
                var why = recorder.MonitorUnavailable ?? $"No monitoring window has closed yet: a window closes every {recorder.MonitorWindowSize} scored requests.";
                await Problems.WriteAsync(c, StatusCodes.Status404NotFound, why, null, c.RequestAborted);
                return;
            }

            var model = recorder.MonitoredModel!;
            var title = string.Create(CultureInfo.InvariantCulture, $"Drift of {model.Name} version {model.Version}, window {latest.Index} ({latest.Events} requests, {latest.Start:u} to {latest.End:u})");
            c.Response.ContentType = "text/html; charset=utf-8";
            await c.Response.WriteAsync(DriftReport.ToHtml(latest.Drift, title), c.RequestAborted);
        })
            .WithMetadata(new CreditScoringOperation("monitoring_report")).ExcludeFromDescription();
        return group;
    }

    private static PredictionRecorder Recorder(HttpContext c) =>
        c.RequestServices.GetService<PredictionRecorder>() ?? throw new InvalidOperationException("Prediction events are not recorded: call services.AddCreditScoringEvents() to use the monitoring endpoints.");

    private static List<PredictionOutcome> ReadOutcomes(JsonObject body, ServingOptions options)
    {
        if (body["outcomes"] is not JsonArray items || items.Count == 0)
        {
            throw new RequestException(StatusCodes.Status400BadRequest, "The request has no outcomes.", new Dictionary<string, string[]> { ["outcomes"] = ["Send {\"outcomes\": [{\"eventId\": \"...\", \"defaulted\": 0 or 1}, ...]} (or \"applicantId\" in place of \"eventId\")."] });
        }

        if (items.Count > options.MaxBatchSize)
        {
            throw new RequestException(StatusCodes.Status413PayloadTooLarge, $"The request holds {items.Count} outcomes; at most {options.MaxBatchSize} are recorded in one request.", null);
        }

        var outcomes = new List<PredictionOutcome>(items.Count);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"outcomes[{i}]";
            if (items[i] is not JsonObject item)
            {
                errors[field] = ["Expected an object {\"eventId\" or \"applicantId\", \"defaulted\"}."];
                continue;
            }

            var eventId = Text(item, "eventId", field, errors);
            var applicantId = Text(item, "applicantId", field, errors);
            if ((eventId is null) == (applicantId is null) && !errors.ContainsKey(field + ".eventId") && !errors.ContainsKey(field + ".applicantId"))
            {
                errors[field] = ["Give exactly one of eventId (the score response's) and applicantId (its latest event)."];
            }

            var defaulted = item["defaulted"] is { } d && d.GetValueKind() == JsonValueKind.Number && d.GetValue<double>() is var v && v is 0 or 1 ? (int)v
                : item["defaulted"] is { } b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? (b.GetValue<bool>() ? 1 : 0)
                : -1;
            if (defaulted < 0)
            {
                errors[field + ".defaulted"] = ["Expected 1 (defaulted) or 0 (repaid), or true or false."];
            }

            outcomes.Add(new PredictionOutcome(eventId, applicantId, defaulted));
        }

        return errors.Count > 0
            ? throw new RequestException(StatusCodes.Status400BadRequest, "Some outcomes cannot be recorded; none was.", errors)
            : outcomes;
    }

    private static string? Text(JsonObject item, string name, string field, Dictionary<string, string[]> errors)
    {
        if (item[name] is not { } node)
        {
            return null;
        }

        if (node.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is { Length: > 0 and <= 200 } text)
        {
            return text;
        }

        errors[$"{field}.{name}"] = ["Expected a non-empty text of at most 200 characters."];
        return null;
    }

    private static Task Monitoring(HttpContext c) => CreditScoringEndpoints.Handle(c, "monitoring", (_, _) => Task.FromResult(Describe(Recorder(c), c.RequestServices)));

    /// <summary><c>GET /v1/monitoring</c>: the events' counts, the monitor's windows, alerts and rolling performance.</summary>
    private static JsonObject Describe(PredictionRecorder recorder, IServiceProvider services)
    {
        var counts = recorder.Counts;
        var json = new JsonObject
        {
            ["events"] = new JsonObject { ["recorded"] = counts.Recorded, ["written"] = counts.Written, ["dropped"] = counts.Dropped, ["queued"] = counts.Queued },
            ["model"] = recorder.MonitoredModel is { } model ? CreditScoringEndpoints.ModelId(model) : null,
        };
        if (recorder.MonitorUnavailable is { } why)
        {
            json["monitor"] = why;
        }

        if (services.GetRequiredService<ServedModelSource>().Challenger is { } challenger)
        {
            var comparison = recorder.Challenger;
            json["challenger"] = new JsonObject
            {
                ["model"] = CreditScoringEndpoints.ModelId(challenger),
                ["requests"] = comparison.Requests,
                ["failed"] = comparison.Failed,
                ["disagreements"] = comparison.Disagreements,
                ["meanAbsoluteDifference"] = Number(comparison.MeanAbsoluteDifference),
                ["maxAbsoluteDifference"] = Number(comparison.MaxAbsoluteDifference),
            };
        }

        var monitor = recorder.Monitor;
        json["windowSize"] = recorder.MonitorWindowSize;
        json["windows"] = new JsonArray([.. (monitor?.Windows ?? []).Select(w => (JsonNode)Window(w))]);
        json["alerts"] = new JsonArray([.. recorder.Alerts.Select(a => (JsonNode)new JsonObject
        {
            ["window"] = a.Window.Index,
            ["time"] = a.Window.End.ToString("O", CultureInfo.InvariantCulture),
            ["reasons"] = new JsonArray([.. a.Reasons.Select(r => (JsonNode)r)]),
        })]);
        if (monitor is not null)
        {
            var performance = monitor.Performance();
            json["performance"] = new JsonObject { ["outcomes"] = performance.Outcomes, ["defaultRate"] = Number(performance.DefaultRate), ["auc"] = Number(performance.Auc), ["gini"] = Number(performance.Gini) };
        }

        return json;
    }

    private static JsonObject Window(MonitorWindowResult w) => new()
    {
        ["index"] = w.Index,
        ["start"] = w.Start.ToString("O", CultureInfo.InvariantCulture),
        ["end"] = w.End.ToString("O", CultureInfo.InvariantCulture),
        ["events"] = w.Events,
        ["alerted"] = w.Alerted,
        ["verdict"] = w.Drift.Verdict,
        ["driftedShare"] = Number(w.Drift.DriftedShare),
        ["drifted"] = new JsonArray([.. w.Drift.Columns.Where(col => col.Drifted).Select(col => (JsonNode)col.Name)]),
        ["scorePsi"] = w.Drift.Prediction is { } p ? Number(p.Psi) : null,
        ["meanProbability"] = w.Drift.Prediction is { } q ? Number(q.CurrentMeanPd) : null,
    };

    /// <summary>A number for JSON: <see langword="null"/> for NaN (no AUC with one class, say), which JSON cannot hold.</summary>
    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    /// <summary>The event store opens and answers.</summary>
    private sealed class EventStoreCheck(PredictionRecorder recorder) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var store = await recorder.StoreAsync(cancellationToken).ConfigureAwait(false);
                await store.PingAsync(cancellationToken).ConfigureAwait(false);
                var counts = recorder.Counts;
                return HealthCheckResult.Healthy($"{store.Location} answers ({counts.Written} events written, {counts.Dropped} dropped, {counts.Queued} queued).");
            }
            catch (Exception e) when (SqlDatabase.IsStoreFailure(e))
            {
                return HealthCheckResult.Unhealthy($"The event store does not answer: {e.Message}");
            }
        }
    }
}
