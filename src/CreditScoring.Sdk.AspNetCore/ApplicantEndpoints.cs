using System.Globalization;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>The applicant store of the host, opened on first use (and opened again after a failure).</summary>
internal sealed class ApplicantStoreSource(IOptions<ApplicantStoreOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ApplicantStore? _store;

    public async Task<ApplicantStore> StoreAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _store) is { } open)
        {
            return open;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _store ??= await ApplicantStore.OpenAsync(options.Value, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _store?.Dispose();
        _gate.Dispose();
    }
}

/// <summary>The endpoints over the applicant store.</summary>
public static partial class CreditScoringEndpoints
{
    /// <summary>The most applicants one search returns: 100.</summary>
    private const int MaxSearch = 100;

    /// <summary>
    /// Registers the applicant store the scoring API reads applicants from by id (<see cref="ApplicantStoreOptions"/>:
    /// a SQLite file by default, or PostgreSQL; the table and id column configured), and its readiness check
    /// (<c>applicant-store</c>). <see cref="MapCreditScoring"/> then maps the applicant endpoints.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options, or <see langword="null"/> for the defaults (<c>applicants.db</c>, table <c>applicants</c>, column <c>id</c>).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddCreditScoringApplicants(this IServiceCollection services, Action<ApplicantStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ApplicantStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<ApplicantStoreSource>();
        services.AddHealthChecks().AddCheck<ApplicantStoreCheck>("applicant-store", tags: [CreditScoringHealth.ReadyTag]);
        return services;
    }

    private static void MapApplicants(RouteGroupBuilder group)
    {
        group.MapGet("/applicants/{id}/score", (HttpContext c, string id) => Handle(c, "applicant_score", async (served, options) =>
            Scored(c, served, options, await StoredApplicantAsync(c, served, options, id), Reasons(c, options), id)))
            .WithMetadata(new CreditScoringOperation("applicant_score")).ExcludeFromDescription();
        group.MapGet("/applicants/{id}/explain", (HttpContext c, string id) => Handle(c, "applicant_explain", async (served, options) =>
        {
            var json = Explained(served, await StoredApplicantAsync(c, served, options, id));
            json["applicantId"] = id;
            return json;
        }))
            .WithMetadata(new CreditScoringOperation("applicant_explain")).ExcludeFromDescription();
        group.MapGet("/applicants", (HttpContext c) => Handle(c, "applicant_search", async (served, options) =>
        {
            var (filters, limit) = Filters(c, served, options);
            var store = await StoreAsync(c);
            var found = await store.SearchAsync(filters, limit, c.RequestAborted);
            return new JsonObject
            {
                ["applicants"] = new JsonArray([.. found.Select(row => (JsonNode)new JsonObject
                {
                    ["id"] = Convert.ToString(row[store.IdColumn], CultureInfo.InvariantCulture),
                    ["inputs"] = Inputs(row, store.IdColumn),
                })]),
                ["limit"] = limit,
            };
        }))
            .WithMetadata(new CreditScoringOperation("applicant_search")).ExcludeFromDescription();
    }

    /// <summary>The stored applicant, checked as a request's would be; a row the model cannot score is 422, naming the columns at fault.</summary>
    private static async Task<Dictionary<string, object?>> StoredApplicantAsync(HttpContext c, ServedModel served, ServingOptions options, string id)
    {
        var store = await StoreAsync(c);
        var row = await store.FindAsync(id, c.RequestAborted)
            ?? throw new RequestException(StatusCodes.Status404NotFound, $"No applicant has {store.IdColumn} '{id}'.", null);

        // The table may hold more than the model's inputs: other columns are not an error here.
        var reading = new ServingOptions { CaseInsensitiveFieldNames = options.CaseInsensitiveFieldNames };
        try
        {
            return ApplicantReader.Read(Inputs(row, store.IdColumn), served, reading, "");
        }
        catch (RequestException e) when (e.Errors is not null)
        {
            throw new RequestException(StatusCodes.Status422UnprocessableEntity, $"The stored applicant '{id}' cannot be scored by the model: its row in {store.Location} lacks or mistypes inputs.", e.Errors);
        }
    }

    private static async Task<ApplicantStore> StoreAsync(HttpContext c)
    {
        try
        {
            return await c.RequestServices.GetRequiredService<ApplicantStoreSource>().StoreAsync(c.RequestAborted);
        }
        catch (Exception e) when (SqlDatabase.IsStoreFailure(e))
        {
            throw new RequestException(StatusCodes.Status503ServiceUnavailable, $"The applicant store cannot be read: {e.Message}", null);
        }
    }

    private static JsonObject Inputs(IReadOnlyDictionary<string, object?> row, string idColumn) =>
        new(row.Where(p => p.Key != idColumn).Select(p => KeyValuePair.Create(p.Key, p.Value switch
        {
            double d => JsonValue.Create(d),
            string s => (JsonNode?)JsonValue.Create(s),
            _ => null,
        })));

    /// <summary>The search's conditions from the query string: <c>INPUT=VALUE</c>, <c>INPUT.min=N</c>, <c>INPUT.max=N</c>, and <c>limit</c> (default 20, at most 100).</summary>
    private static (List<ApplicantFilter> Filters, int Limit) Filters(HttpContext c, ServedModel served, ServingOptions options)
    {
        var comparer = options.CaseInsensitiveFieldNames ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var filters = new List<ApplicantFilter>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var limit = 20;
        foreach (var (key, values) in c.Request.Query)
        {
            var text = values.ToString();
            if (key == "limit")
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxSearch)
                {
                    errors[key] = [$"Expected a whole number from 1 to {MaxSearch}."];
                }

                continue;
            }

            var dot = key.LastIndexOf('.');
            var bound = dot > 0 ? key[(dot + 1)..] : "";
            var name = bound is "min" or "max" ? key[..dot] : key;
            var column = served.Model.Input.Columns.FirstOrDefault(col => comparer.Equals(col.Name, name));
            if (column is null)
            {
                errors[key] = [$"'{name}' is not one of the model's inputs."];
                continue;
            }

            var numeric = column.Kind == Data.ColumnKind.Numeric;
            if (numeric)
            {
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                {
                    errors[key] = [$"Expected a number, got '{text}'."];
                    continue;
                }

                filters.Add(new ApplicantFilter(column.Name, bound switch { "min" => ">=", "max" => "<=", _ => "=" }, number));
            }
            else if (name != key)
            {
                errors[key] = [$"'{name}' is a category: search it by value ({name}=...), not by range."];
            }
            else
            {
                filters.Add(new ApplicantFilter(column.Name, "=", text));
            }
        }

        return errors.Count > 0
            ? throw new RequestException(StatusCodes.Status400BadRequest, "The search cannot be run.", errors)
            : (filters, limit);
    }

    /// <summary>The applicant store opens and answers.</summary>
    private sealed class ApplicantStoreCheck(ApplicantStoreSource source) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var store = await source.StoreAsync(cancellationToken).ConfigureAwait(false);
                await store.PingAsync(cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy($"{store.Location} answers.");
            }
            catch (Exception e) when (SqlDatabase.IsStoreFailure(e))
            {
                return HealthCheckResult.Unhealthy($"The applicant store cannot be read: {e.Message}");
            }
        }
    }
}
