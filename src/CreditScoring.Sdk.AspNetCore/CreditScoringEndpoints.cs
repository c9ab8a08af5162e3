using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>How the scoring endpoints read requests.</summary>
public sealed class ServingOptions
{
    /// <summary>The configuration section: <c>CreditScoring:Serving</c>.</summary>
    public const string SectionName = "CreditScoring:Serving";

    /// <summary>The most applicants one <c>/v1/score/batch</c> request may hold; default 1,000.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>The most reason codes a request may ask for; default 10.</summary>
    public int MaxReasons { get; set; } = 10;

    /// <summary>The largest request body, in bytes; default 1 MiB (a larger one is answered 413).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>Whether an applicant's field names match the model's inputs whatever their case; default <see langword="true"/>.</summary>
    public bool CaseInsensitiveFieldNames { get; set; } = true;

    /// <summary>Whether a field that is not one of the model's inputs is an error (default <see langword="false"/>: it is ignored).</summary>
    public bool RejectUnknownFields { get; set; }

    /// <summary>
    /// Whether applicant values may reach the logs (default <see langword="false"/>: no input value, probability or refused
    /// value is logged). When <see langword="true"/>, each scored applicant's inputs and answer, and each refused request's
    /// fields at fault with their messages (which quote the values), are logged at Debug level under
    /// <c>CreditScoring.Sdk.AspNetCore.Serving</c>: for a test environment, not for production data.
    /// </summary>
    public bool LogApplicantValues { get; set; }

    /// <summary>
    /// The registry model to serve, such as <c>models:/pd-model@champion</c> (the registry is the one
    /// <c>AddExperimentTracking</c> registers); <see langword="null"/> (the default) serves <see cref="CreditScoringOptions.ModelPath"/>.
    /// </summary>
    public string? ModelUri { get; set; }

    /// <summary>
    /// A registry model to score beside the champion, such as <c>models:/pd-model@challenger</c>: every request is scored by
    /// both, answered with the champion, and both are recorded (prediction events, role <c>challenger</c>); default none.
    /// </summary>
    public string? ChallengerUri { get; set; }

    /// <summary>A model file to score beside the champion, as <see cref="ChallengerUri"/>; default none.</summary>
    public string? ChallengerPath { get; set; }

    /// <summary>How often the host looks whether the alias moved or the file changed; default 30 s; zero or less never (only <c>POST /v1/model/reload</c>).</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The model the host serves, with its name and version, swapped whole when it changes.</summary>
public sealed class ServedModel
{
    private readonly Lazy<CreditExplainer> _explainer;

    /// <summary>Serves a model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="scorer">Its scorer, as configured (unknown categories, out-of-range inputs, metrics).</param>
    /// <param name="name">Its name (a registered model's, or the file's).</param>
    /// <param name="version">Its version (a registered version's number, or the first 12 hex digits of the file's SHA-256).</param>
    /// <param name="rejectsUnknownCategories">Whether its scorer refuses a category it was not trained on (<see cref="UnknownCategoryHandling.Throw"/>), so that a request naming one is answered 400; default <see langword="false"/>.</param>
    /// <param name="scoring">The settings <paramref name="scorer"/> was created with, so that explanations and reasons check and score inputs exactly as the scores do; <see langword="null"/> (the default) for <see cref="ScorerOptions"/>' defaults.</param>
    public ServedModel(CreditModel model, ICreditScorer scorer, string name, string version, bool rejectsUnknownCategories = false, ScorerOptions? scoring = null)
    {
        RejectsUnknownCategories = rejectsUnknownCategories;
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scorer);
        Model = model;
        Scorer = scorer;
        Name = name;
        Version = version;
        _explainer = new Lazy<CreditExplainer>(() => model.CreateExplainer(new ExplainerOptions { Scoring = scoring ?? new ScorerOptions() }));
    }

    /// <summary>The model.</summary>
    public CreditModel Model { get; }

    /// <summary>Its scorer.</summary>
    public ICreditScorer Scorer { get; }

    /// <summary>Its explainer, created on first use.</summary>
    public CreditExplainer Explainer => _explainer.Value;

    /// <summary>Its name.</summary>
    public string Name { get; }

    /// <summary>Its version.</summary>
    public string Version { get; }

    /// <summary>Whether a category the model was not trained on is refused.</summary>
    public bool RejectsUnknownCategories { get; }
}

/// <summary>
/// The scoring API, versioned under <c>/v1</c>: <c>POST /v1/score</c> (one applicant), <c>POST /v1/score/batch</c>,
/// <c>POST /v1/explain</c> and <c>GET /v1/model</c>. A request the model cannot score is answered 400 with RFC 7807
/// problem details naming every field at fault (missing, of the wrong type, an unknown category under
/// <see cref="UnknownCategoryHandling.Throw"/>), never an empty 500; a body that is not JSON 400, one that is not
/// <c>application/json</c> 415, one above <see cref="ServingOptions.MaxRequestBodyBytes"/> 413.
/// </summary>
public static partial class CreditScoringEndpoints
{
    /// <summary>The request header that names the applicant a <c>POST /v1/score</c> scores (hashed into its prediction event): <c>X-Applicant-Id</c>.</summary>
    public const string ApplicantIdHeader = "X-Applicant-Id";

    /// <summary>
    /// Registers what the endpoints serve: the <see cref="ServedModelSource"/> (the registry's
    /// <see cref="ServingOptions.ModelUri"/>, or the file of <see cref="CreditScoringOptions.ModelPath"/> named after the
    /// file, its version the start of its SHA-256), its reloading every <see cref="ServingOptions.ReloadInterval"/>, the
    /// <see cref="ServingOptions"/>, and the readiness checks (<see cref="CreditScoringHealth"/>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the serving options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddCreditScoringServing(this IServiceCollection services, Action<ServingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ServingOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddOptions<CreditScoringOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new CreditScoringMetrics(sp.GetService<IMeterFactory>()?.Create(CreditScoringMetrics.MeterName) ?? new Meter(CreditScoringMetrics.MeterName)));
        services.TryAddSingleton<ServedModelSource>();
        services.TryAddSingleton<ServingMetrics>();
        services.AddHostedService<ModelReloader>();
        services.AddCreditScoringHealthChecks();
        return services;
    }

    /// <summary>
    /// Maps the admin endpoints: <c>POST /v1/model/reload</c> looks now whether the alias moved or the file changed and
    /// answers with the model serving after it (and why a new one was refused). Give the group the admin role
    /// (<c>.RequireApiKey(ApiKeys.AdminRole)</c>).
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The version prefix; default <c>/v1</c>.</param>
    /// <returns>The group of the endpoints.</returns>
    public static RouteGroupBuilder MapCreditScoringAdmin(this IEndpointRouteBuilder endpoints, string prefix = "/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix);
        group.MapPost("/model/reload", async (HttpContext c) =>
        {
            var result = await c.RequestServices.GetRequiredService<ServedModelSource>().ReloadAsync(c.RequestAborted);
            var body = new JsonObject { ["changed"] = result.Changed, ["model"] = ModelId(result.Served) };
            if (result.Error is not null)
            {
                body["refused"] = result.Error;
            }

            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(body.ToJsonString(), c.RequestAborted);
        })
            .WithMetadata(new CreditScoringOperation("reload")).ExcludeFromDescription();
        return group;
    }

    /// <summary>
    /// Maps the scoring API under <paramref name="prefix"/> over the <see cref="ServedModel"/> in the services, and, when
    /// an applicant store is registered (<see cref="AddCreditScoringApplicants"/>), <c>GET /v1/applicants/{id}/score</c>,
    /// <c>GET /v1/applicants/{id}/explain</c> and <c>GET /v1/applicants?INPUT=VALUE&amp;INPUT.min=N&amp;INPUT.max=N&amp;limit=N</c>.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The version prefix; default <c>/v1</c>.</param>
    /// <returns>The group of the endpoints, for authorization, rate limits and the like.</returns>
    public static RouteGroupBuilder MapCreditScoring(this IEndpointRouteBuilder endpoints, string prefix = "/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix);
        group.MapPost("/score", (HttpContext c) => Handle(c, "score", async (served, options) =>
        {
            var applicant = ApplicantReader.Read(await ReadObjectAsync(c, options), served, options, "");
            var reasons = Reasons(c, options);
            return Scored(c, served, options, applicant, reasons, c.Request.Headers[ApplicantIdHeader].ToString() is { Length: > 0 } id ? id : null);
        }))
            .WithMetadata(new CreditScoringOperation("score")).ExcludeFromDescription();
        group.MapPost("/score/batch", (HttpContext c) => Handle(c, "score_batch", async (served, options) =>
        {
            var body = await ReadObjectAsync(c, options);
            if (body["applicants"] is not JsonArray applicants)
            {
                throw new RequestException(StatusCodes.Status400BadRequest, "The request has no applicants.", new Dictionary<string, string[]> { ["applicants"] = ["Send {\"applicants\": [{...}, ...]}: an array of applicants."] });
            }

            if (applicants.Count > options.MaxBatchSize)
            {
                throw new RequestException(StatusCodes.Status413PayloadTooLarge, $"The batch holds {applicants.Count} applicants; at most {options.MaxBatchSize} are scored in one request.", null);
            }

            var ids = body["ids"] switch
            {
                null => null,
                JsonArray a when a.Count == applicants.Count && a.All(i => i?.GetValueKind() == JsonValueKind.String) => a.Select(i => i!.GetValue<string>()).ToArray(),
                _ => throw new RequestException(StatusCodes.Status400BadRequest, "The applicants' ids are not a list of one text id per applicant.", new Dictionary<string, string[]> { ["ids"] = [$"Expected an array of {applicants.Count} strings, in the order of the applicants."] }),
            };
            var rows = new List<Dictionary<string, object?>>(applicants.Count);
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            for (var i = 0; i < applicants.Count; i++)
            {
                try
                {
                    rows.Add(ApplicantReader.Read(applicants[i] as JsonObject ?? throw NotAnObject($"applicants[{i}]"), served, options, $"applicants[{i}]."));
                }
                catch (RequestException e) when (e.Errors is not null)
                {
                    foreach (var (field, messages) in e.Errors)
                    {
                        errors[field] = messages;
                    }
                }
            }

            if (errors.Count > 0)
            {
                throw new RequestException(StatusCodes.Status400BadRequest, "Some applicants cannot be scored; nothing was scored.", errors);
            }

            var reasons = Reasons(c, options);
            return new JsonObject { ["model"] = ModelId(served), ["results"] = new JsonArray([.. rows.Select((r, i) => (JsonNode)Scored(c, served, options, r, reasons, ids?[i]))]) };
        }))
            .WithMetadata(new CreditScoringOperation("score_batch")).ExcludeFromDescription();
        group.MapPost("/explain", (HttpContext c) => Handle(c, "explain", async (served, options) =>
        {
            var applicant = ApplicantReader.Read(await ReadObjectAsync(c, options), served, options, "");
            return Explained(served, applicant);
        }))
            .WithMetadata(new CreditScoringOperation("explain")).ExcludeFromDescription();
        group.MapGet("/model", Model)
            .WithMetadata(new CreditScoringOperation("model")).ExcludeFromDescription();
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>()?.IsService(typeof(ApplicantStoreSource)) == true)
        {
            MapApplicants(group);
        }

        return group;
    }

    /// <summary><c>GET /v1/model</c>: the served model's name, version, learner, threshold, training date and input schema.</summary>
    private static Task Model(HttpContext c) => Handle(c, "model", (served, _) => DescribeModel(c, served));

    private static Task<JsonObject> DescribeModel(HttpContext c, ServedModel served)
    {
        var m = served.Model;
        var inputs = new JsonArray();
        foreach (var column in m.Input.Columns)
        {
            var input = new JsonObject { ["name"] = column.Name, ["type"] = column.Kind == Data.ColumnKind.Numeric ? "number" : "category" };
            if (column.Kind != Data.ColumnKind.Numeric)
            {
                input["categories"] = new JsonArray([.. column.Categories.Select(x => (JsonNode)x)]);
            }

            inputs.Add(input);
        }

        return Task.FromResult(new JsonObject
        {
            ["name"] = served.Name,
            ["version"] = served.Version,
            ["learner"] = m.Metadata.Learner,
            ["threshold"] = m.Decision.Threshold,
            ["trainedAt"] = m.Metadata.TrainedAt.ToString("O", CultureInfo.InvariantCulture),
            ["trainingRows"] = m.Metadata.TrainingRows,
            ["sdkVersion"] = m.Metadata.SdkVersion,
            ["inputs"] = inputs,
            ["challenger"] = c.RequestServices.GetRequiredService<ServedModelSource>().Challenger is { } challenger ? ModelId(challenger) : null,
        });
    }

    /// <summary>The full explanation of an applicant, with the model's name and version.</summary>
    private static JsonObject Explained(ServedModel served, Dictionary<string, object?> applicant)
    {
        var json = JsonNode.Parse(ExplanationJson.Write(served.Explainer.Explain(applicant)))!.AsObject();
        json["model"] = ModelId(served);
        return json;
    }

    private static PredictionEvent Event(string id, string role, DateTimeOffset time, string? applicantHash, ServedModel model, CreditScore score, Dictionary<string, object?> applicant) => new()
    {
        EventId = id,
        Role = role,
        Time = time,
        ApplicantHash = applicantHash,
        ModelName = model.Name,
        ModelVersion = model.Version,
        Probability = score.Probability,
        Decision = score.Decision.ToText(),
        Threshold = model.Scorer.Decision.Threshold,
        Inputs = applicant,
    };

    /// <summary>Scores an applicant, gives its reasons when asked, and records the prediction event when the host records them.</summary>
    private static JsonObject Scored(HttpContext c, ServedModel served, ServingOptions options, Dictionary<string, object?> applicant, int reasons, string? applicantId)
    {
        // With reasons, the explanation gives the score too (the same probability, decision and warnings as the scorer's,
        // to the bit): the applicant is scored once, not scored and then explained.
        var explanation = reasons > 0 ? served.Explainer.Explain(applicant) : null;
        var score = explanation is null ? served.Scorer.Score(applicant) : new CreditScore(explanation.Probability, explanation.Decision) { Warnings = explanation.Warnings };
        if (options.LogApplicantValues)
        {
            var logger = ServingLogger(c);
            if (logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                var inputs = PredictionEventStore.InputsJson(applicant);
                var decision = score.Decision.ToText();
                LogScored(logger, inputs, score.Probability, decision);
            }
        }

        var result = new JsonObject
        {
            ["probability"] = score.Probability,
            ["decision"] = score.Decision.ToText(),
            ["threshold"] = served.Scorer.Decision.Threshold,
            ["model"] = ModelId(served),
        };
        if (score.Warnings != ScoreWarnings.None)
        {
            result["warnings"] = new JsonArray([.. Enum.GetValues<ScoreWarnings>().Where(w => w != ScoreWarnings.None && score.Warnings.HasFlag(w)).Select(w => (JsonNode)w.ToString())]);
        }

        if (explanation is not null)
        {
            result["reasons"] = new JsonArray([.. explanation.Reasons.Take(reasons).Select(r => (JsonNode)new JsonObject { ["code"] = r.Code, ["text"] = r.Text, ["input"] = r.Input })]);
        }

        var recorder = c.RequestServices.GetService<PredictionRecorder>();
        var challenger = c.RequestServices.GetRequiredService<ServedModelSource>().Challenger;
        if (recorder is null && challenger is null)
        {
            return result;
        }

        var eventId = recorder?.NewEventId();
        var time = recorder?.Time.GetUtcNow() ?? default;
        var hash = applicantId is null ? null : recorder?.HashApplicantId(applicantId);
        if (recorder is not null)
        {
            recorder.TryRecord(served, Event(eventId!, "champion", time, hash, served, score, applicant));
            result["eventId"] = eventId;
        }

        // The challenger scores the same applicant; the answer stays the champion's. One the challenger cannot score
        // (it reads an input the champion does not) is counted, never a failed request.
        if (challenger is not null)
        {
            CreditScore? other = null;
            try
            {
                other = challenger.Scorer.Score(applicant);
            }
            catch (ScoringInputException)
            {
                // Counted by the challenger's instrumented scorer (creditscoring.score_errors, its version).
            }

            recorder?.CompareChallenger(score, other);
            if (recorder is not null && other is { } scored)
            {
                recorder.TryRecord(challenger, Event(eventId!, "challenger", time, hash, challenger, scored, applicant));
            }
        }

        return result;
    }

    internal static JsonObject ModelId(ServedModel served) => new() { ["name"] = served.Name, ["version"] = served.Version };

    /// <summary>The reason codes asked for with <c>?reasons=N</c> (0 when not asked).</summary>
    private static int Reasons(HttpContext c, ServingOptions options)
    {
        var text = c.Request.Query["reasons"].ToString();
        if (text.Length == 0)
        {
            return 0;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= options.MaxReasons
            ? n
            : throw new RequestException(StatusCodes.Status400BadRequest, "The reasons asked for are not a count the API gives.", new Dictionary<string, string[]> { ["reasons"] = [$"'{text}' is not a whole number from 0 to {options.MaxReasons}."] });
    }

    internal static async Task<JsonObject> ReadObjectAsync(HttpContext c, ServingOptions options)
    {
        var request = c.Request;
        if (!request.HasJsonContentType())
        {
            throw new RequestException(StatusCodes.Status415UnsupportedMediaType, $"The request's content type is '{request.ContentType}'; send application/json.", null);
        }

        if (request.ContentLength > options.MaxRequestBodyBytes)
        {
            throw TooLarge(options);
        }

        // Read with a limit, whatever the client says its length is; parse from the request's own buffers, uncopied.
        var reader = request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(c.RequestAborted);
            if (read.Buffer.Length > options.MaxRequestBodyBytes)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                throw TooLarge(options);
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                break;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End); // nothing consumed: wait for the rest
        }

        JsonNode? body;
        try
        {
            body = Parse(read.Buffer);
        }
        catch (JsonException e)
        {
            throw new RequestException(StatusCodes.Status400BadRequest, "The request body is not valid JSON.", new Dictionary<string, string[]> { ["$"] = [Plain(e)] });
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }

        return body as JsonObject ?? throw NotAnObject("$");
    }

    /// <summary>One JSON value from the body, nested at most 16 deep, nothing after it.</summary>
    private static JsonNode? Parse(System.Buffers.ReadOnlySequence<byte> utf8)
    {
        var json = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
        var node = JsonNode.Parse(ref json, new JsonNodeOptions { PropertyNameCaseInsensitive = false });
        if (json.Read())
        {
            throw new JsonException("The body holds more than one JSON value.");
        }

        return node;
    }

    private static string Plain(JsonException e) => e.LineNumber is { } line ? $"{e.Message.Split(" Path:", 2)[0]} (line {line + 1}, byte {e.BytePositionInLine + 1})." : e.Message;

    private static RequestException TooLarge(ServingOptions options) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {options.MaxRequestBodyBytes} bytes, the most this API reads.", null);

    private static RequestException NotAnObject(string field) =>
        new(StatusCodes.Status400BadRequest, "An applicant must be a JSON object.", new Dictionary<string, string[]> { [field] = ["Expected a JSON object of input name → value."] });

    /// <summary>Answers a request, and records its duration on <c>creditscoring.request.duration</c> (tagged endpoint, status, model version).</summary>
    internal static async Task Handle(HttpContext c, string endpoint, Func<ServedModel, ServingOptions, Task<JsonObject>> action)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        string? version = null;
        try
        {
            version = await Answer(c, action);
        }
        finally
        {
            c.RequestServices.GetRequiredService<ServingMetrics>().Request(endpoint, c.Response.StatusCode, version, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    /// <summary>Answers a request; the version of the model that answered, or <see langword="null"/> when none could.</summary>
    private static async Task<string?> Answer(HttpContext c, Func<ServedModel, ServingOptions, Task<JsonObject>> action)
    {
        var options = c.RequestServices.GetRequiredService<IOptions<ServingOptions>>().Value;
        ServedModel served;
        try
        {
            served = c.RequestServices.GetRequiredService<ServedModelSource>().Current; // read once: a reload never changes a request's model
        }
        catch (Exception e) when (e is Tracking.TrackingException or ModelFormatException or ModelSignatureException or IOException or UnauthorizedAccessException)
        {
            // No model has loaded yet (a registry that does not answer, a file refused): the host is not ready, not broken.
            await Problem(c, StatusCodes.Status503ServiceUnavailable, $"No model can be served yet: {e.Message}", null);
            return null;
        }

        try
        {
            var result = await action(served, options);
            c.Response.StatusCode = StatusCodes.Status200OK;
            c.Response.ContentType = "application/json";
            await WriteJsonAsync(c, result);
        }
        catch (RequestException e)
        {
            if (options.LogApplicantValues && e.Errors is not null)
            {
                var logger = ServingLogger(c);
                if (logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
                {
                    var fields = string.Join("; ", e.Errors.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}"));
                    LogRefused(logger, e.Status, fields);
                }
            }

            await Problem(c, e.Status, e.Message, e.Errors);
        }
        catch (ScoringInputException e)
        {
            // What the field checks cannot see (an out-of-range input under the Throw policy, say): still a named field.
            await Problem(c, StatusCodes.Status400BadRequest, "The applicant cannot be scored.", new Dictionary<string, string[]> { [e.Column ?? "$"] = [e.Message] });
        }

        return served.Version;
    }

    private static Microsoft.Extensions.Logging.ILogger ServingLogger(HttpContext c) =>
        c.RequestServices.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("CreditScoring.Sdk.AspNetCore.Serving");

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 321, Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Scored {Inputs}: probability {Probability}, {Decision} (ServingOptions.LogApplicantValues is on)")]
    private static partial void LogScored(Microsoft.Extensions.Logging.ILogger logger, string inputs, double probability, string decision);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 322, Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Refused with {Status}: {Fields} (ServingOptions.LogApplicantValues is on)")]
    private static partial void LogRefused(Microsoft.Extensions.Logging.ILogger logger, int status, string fields);

    /// <summary>Writes JSON straight into the response's buffers.</summary>
    internal static async Task WriteJsonAsync(HttpContext c, JsonNode json)
    {
        using (var writer = new Utf8JsonWriter(c.Response.BodyWriter))
        {
            json.WriteTo(writer);
        }

        await c.Response.BodyWriter.FlushAsync(c.RequestAborted);
    }

    private static Task Problem(HttpContext c, int status, string title, IReadOnlyDictionary<string, string[]>? errors) =>
        Problems.WriteAsync(c, status, title, errors, c.RequestAborted);
}

/// <summary>A request the API refuses: its status, what is wrong, and the fields at fault.</summary>
internal sealed class RequestException(int status, string message, IReadOnlyDictionary<string, string[]>? errors) : Exception(message)
{
    public int Status { get; } = status;

    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;
}

/// <summary>RFC 7807 problem details, as every refusal of the serving endpoints is written.</summary>
internal static class Problems
{
    /// <summary>Writes problem details with the fields at fault under <c>errors</c>.</summary>
    public static async Task WriteAsync(HttpContext c, int status, string title, IReadOnlyDictionary<string, string[]>? errors, CancellationToken cancellationToken)
    {
        var problem = new JsonObject
        {
            ["type"] = status switch
            {
                400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
                403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
                404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
                413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
                415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
                422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
                429 => "https://tools.ietf.org/html/rfc6585#section-4",
                503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
                _ => "about:blank",
            },
            ["title"] = title,
            ["status"] = status,
        };
        if (errors is not null)
        {
            problem["errors"] = new JsonObject(errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray([.. e.Value.Select(m => (JsonNode)m)]))));
        }

        c.Response.StatusCode = status;
        c.Response.ContentType = "application/problem+json";
        await c.Response.WriteAsync(problem.ToJsonString(), cancellationToken);
    }
}

/// <summary>The serving endpoints' instruments on the <c>CreditScoring</c> meter: <c>creditscoring.request.duration</c>.</summary>
internal sealed class ServingMetrics
{
    private readonly Histogram<double> _duration;

    public ServingMetrics(IServiceProvider services)
    {
        var meter = services.GetService<IMeterFactory>()?.Create(CreditScoringMetrics.MeterName) ?? new Meter(CreditScoringMetrics.MeterName);
        _duration = meter.CreateHistogram<double>("creditscoring.request.duration", unit: "s", description: "Time to answer a scoring request, by endpoint, status and model version.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
    }

    public void Request(string endpoint, int status, string? version, double seconds) =>
        _duration.Record(seconds, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("model.version", version));
}
