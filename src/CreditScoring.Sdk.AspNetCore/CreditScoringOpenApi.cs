using System.Text.Json.Nodes;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>Marks an endpoint of the scoring API, so that the OpenAPI document describes it (<see cref="CreditScoringOpenApi"/>).</summary>
/// <param name="Id">The operation's id: <c>score</c>, <c>score_batch</c>, <c>explain</c>, <c>model</c>, <c>applicant_score</c>, ….</param>
internal sealed record CreditScoringOperation(string Id);

/// <summary>
/// The OpenAPI document of the scoring API (Microsoft.AspNetCore.OpenApi): every endpoint the host maps, its request
/// schema the served model's input schema (each input, its type, its allowed categories, all required, null for a
/// missing value), its answers and its refusals (RFC 7807 problem details), and the API key when the endpoints need one.
/// The document is built when asked for, from the model serving then: a reload that changes the inputs changes it.
/// </summary>
public static class CreditScoringOpenApi
{
    /// <summary>
    /// Adds the OpenAPI document <paramref name="documentName"/> with the scoring API described from the served model.
    /// Map it with <c>app.MapOpenApi()</c> (at <c>/openapi/{documentName}.json</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="documentName">The document's name; default <c>v1</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddCreditScoringOpenApi(this IServiceCollection services, string documentName = "v1")
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddOpenApi(documentName, o => o.AddDocumentTransformer((document, context, _) =>
        {
            Describe(document, context.ApplicationServices);
            return Task.CompletedTask;
        }));
    }

    private static void Describe(OpenApiDocument document, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ServingOptions>>().Value;
        document.Info ??= new OpenApiInfo();
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        var schemas = document.Components.Schemas;
        string? modelNote;
        try
        {
            var served = services.GetRequiredService<ServedModelSource>().Current;
            schemas["Applicant"] = ApplicantSchema(served, options);
            modelNote = $"Serving {served.Name} version {served.Version} ({served.Model.Metadata.Learner}, decision threshold {served.Model.Decision.Threshold:0.####}).";
        }
        catch (Exception e) when (e is CreditScoringException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            schemas["Applicant"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "The served model's inputs (no model is loaded now, so they cannot be listed)." };
            modelNote = $"No model is loaded: {e.Message}";
        }

        document.Info.Title = string.IsNullOrEmpty(document.Info.Title) ? "CreditScoring.Sdk scoring API" : document.Info.Title;
        document.Info.Description = $"Probability of default, decision and reasons for credit applicants. {modelNote}";
        AddSchemas(schemas, options);

        var keys = services.GetService<IOptions<ApiKeyOptions>>()?.Value.Keys.Count > 0;
        if (keys)
        {
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeys.Header, Description = "An API key with the endpoint's role (score or admin)." };
        }

        document.Paths ??= [];
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<CreditScoringOperation>() is not { } operation || endpoint.RoutePattern.RawText is not { } route)
            {
                continue;
            }

            var path = "/" + route.TrimStart('/');
            if (!document.Paths.TryGetValue(path, out var item) || item is not OpenApiPathItem pathItem)
            {
                pathItem = new OpenApiPathItem();
                document.Paths[path] = pathItem;
            }

            pathItem.Operations ??= [];
            var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is [var first, ..] ? first : "GET";
            var described = Operation(operation.Id, document, options);
            var roles = endpoint.Metadata.GetOrderedMetadata<ApiKeyRequirement>().Select(a => a.Role).ToList();
            if (keys && roles.Count > 0)
            {
                described.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [.. roles] }];
                described.Responses!["401"] = ProblemResponse(document, "No API key, or an unknown one.");
                described.Responses["403"] = ProblemResponse(document, $"The key lacks the role {string.Join(" or ", roles)}.");
                described.Responses["429"] = ProblemResponse(document, "Too many requests for this key; retry after the Retry-After header's seconds.");
            }

            pathItem.Operations[HttpMethod.Parse(method)] = described;
        }
    }

    private static OpenApiSchema ApplicantSchema(ServedModel served, ServingOptions options)
    {
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = $"An applicant: every input of {served.Name} version {served.Version}, null for a missing value. Field names match {(options.CaseInsensitiveFieldNames ? "whatever their case" : "exactly")}; {(options.RejectUnknownFields ? "other fields are refused" : "other fields are ignored")}.",
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
            Required = new HashSet<string>(StringComparer.Ordinal),
            AdditionalPropertiesAllowed = !options.RejectUnknownFields,
        };
        var profile = served.Model.Profile;
        foreach (var column in served.Model.Input.Columns)
        {
            var input = new OpenApiSchema();
            if (column.Kind == ColumnKind.Numeric)
            {
                input.Type = JsonSchemaType.Number | JsonSchemaType.Null;
                input.Description = profile is not null && profile.Contains(column.Name) && profile[column.Name].Quantiles.Count > 0
                    ? FormattableString.Invariant($"A number. In training: median {profile[column.Name].Quantile(0.5):G6}, 1% to 99% from {profile[column.Name].Quantile(0.01):G6} to {profile[column.Name].Quantile(0.99):G6}.")
                    : "A number.";
            }
            else
            {
                input.Type = JsonSchemaType.String | JsonSchemaType.Null;
                input.Description = served.RejectsUnknownCategories ? "One of the categories the model was trained on." : "A category; one the model was not trained on is scored as unknown, with a warning.";
                if (served.RejectsUnknownCategories)
                {
                    input.Enum = [.. column.Categories.Select(c => (JsonNode)JsonValue.Create(c)!), null!];
                }
                else
                {
                    input.Examples = [.. column.Categories.Take(10).Select(c => (JsonNode)JsonValue.Create(c)!)];
                }
            }

            schema.Properties[column.Name] = input;
            schema.Required.Add(column.Name);
        }

        return schema;
    }

    private static void AddSchemas(IDictionary<string, IOpenApiSchema> schemas, ServingOptions options)
    {
        static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
        static OpenApiSchema Number(string description) => new() { Type = JsonSchemaType.Number, Description = description };
        static OpenApiSchema Object(string description, params (string Name, IOpenApiSchema Schema)[] properties) => new()
        {
            Type = JsonSchemaType.Object,
            Description = description,
            Properties = properties.ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal),
        };

        var model = Object("The model that answered.", ("name", Text("Its name.")), ("version", Text("Its version.")));
        schemas["ModelId"] = model;
        schemas["Score"] = Object(
            "A scored applicant.",
            ("probability", Number("The probability of default, from 0 to 1.")),
            ("decision", new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(CreditDecisionText.Approve), JsonValue.Create(CreditDecisionText.Decline)], Description = "decline when the probability is at or above the threshold." }),
            ("threshold", Number("The decision threshold.")),
            ("model", model),
            ("warnings", new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text("OutOfRange, UnknownCategory or InvalidProbability."), Description = "What was unusual about the inputs, when anything was." }),
            ("reasons", new OpenApiSchema { Type = JsonSchemaType.Array, Description = "The top reasons toward decline, when asked with ?reasons=N.", Items = Object("A reason.", ("code", Text("The reason code.")), ("text", Text("The reason in plain language.")), ("input", Text("The input it is about."))) }),
            ("eventId", Text("The prediction event's id, when events are recorded: send it with the outcome to POST /v1/outcomes.")));
        schemas["Batch"] = Object(
            $"Applicants scored together, at most {options.MaxBatchSize}.",
            ("applicants", new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference("Applicant"), MaxItems = options.MaxBatchSize }),
            ("ids", new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text("An applicant's id."), Description = "Optional: the applicants' ids, in order, hashed into their prediction events." }));
        ((OpenApiSchema)schemas["Batch"]).Required = new HashSet<string>(["applicants"], StringComparer.Ordinal);
        schemas["BatchResult"] = Object("The scores, in the order of the applicants.", ("model", model), ("results", new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference("Score") }));
        schemas["Explanation"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "The full explanation: probability, decision, contributions per feature and per input (Shapley values on the log-odds scale), reasons, and where the applicant stands in the training population (ExplanationJson).", AdditionalPropertiesAllowed = true };
        schemas["Problem"] = Object(
            "RFC 7807 problem details.",
            ("type", Text("A link to the status's definition.")),
            ("title", Text("What is wrong.")),
            ("status", new OpenApiSchema { Type = JsonSchemaType.Integer }),
            ("errors", new OpenApiSchema { Type = JsonSchemaType.Object, Description = "Each field at fault (applicants[3].Age, say) and what is wrong with it.", AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text("A message.") } }));
        schemas["Outcomes"] = Object("Outcomes of earlier decisions.", ("outcomes", new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            MaxItems = options.MaxBatchSize,
            Items = Object("An outcome, by eventId or by applicantId (its latest event).", ("eventId", Text("The score response's eventId.")), ("applicantId", Text("The applicant's id.")), ("defaulted", new OpenApiSchema { Type = JsonSchemaType.Integer, Enum = [JsonValue.Create(0), JsonValue.Create(1)], Description = "1 defaulted, 0 repaid." })),
        }));
        schemas["Object"] = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalPropertiesAllowed = true };
    }

    private static OpenApiOperation Operation(string id, OpenApiDocument document, ServingOptions options)
    {
        var reasons = new OpenApiParameter { Name = "reasons", In = ParameterLocation.Query, Description = $"How many reasons to give, 0 to {options.MaxReasons}.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Maximum = options.MaxReasons.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        var applicantId = new OpenApiParameter { Name = "id", In = ParameterLocation.Path, Required = true, Description = "The applicant's id in the applicant store.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        var (summary, body, answer, parameters, refusals) = id switch
        {
            "score" => ("Score one applicant", "Applicant", "Score", new List<IOpenApiParameter> { reasons, new OpenApiParameter { Name = CreditScoringEndpoints.ApplicantIdHeader, In = ParameterLocation.Header, Description = "The applicant's id, hashed into the prediction event.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } } }, new[] { "400", "413", "415", "503" }),
            "score_batch" => ("Score several applicants", "Batch", "BatchResult", [reasons], ["400", "413", "415", "503"]),
            "explain" => ("Explain one applicant's score", "Applicant", "Explanation", [], ["400", "413", "415", "503"]),
            "model" => ("Describe the served model and its inputs", null, "Object", [], ["503"]),
            "applicant_score" => ("Score a stored applicant", null, "Score", [applicantId, reasons], ["404", "422", "503"]),
            "applicant_explain" => ("Explain a stored applicant's score", null, "Explanation", [applicantId], ["404", "422", "503"]),
            "applicant_search" => ("Find stored applicants by their inputs (INPUT=VALUE, INPUT.min=N, INPUT.max=N)", null, "Object", [new OpenApiParameter { Name = "limit", In = ParameterLocation.Query, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "100" } }], ["400", "503"]),
            "outcomes" => ("Record outcomes of earlier decisions", "Outcomes", "Object", [], ["400", "413", "415", "503"]),
            "monitoring" => ("Prediction events, drift windows, alerts and rolling performance", null, "Object", [], ["503"]),
            "monitoring_report" => ("The HTML drift report of the latest window", null, null, [], ["404"]),
            "reload" => ("Load the model again if its alias moved or its file changed", null, "Object", [], []),
            _ => (id, null, "Object", [], Array.Empty<string>()),
        };
        var operation = new OpenApiOperation
        {
            OperationId = id,
            Summary = summary,
            Parameters = parameters,
            Responses = new OpenApiResponses
            {
                ["200"] = answer is null
                    ? new OpenApiResponse { Description = "The report.", Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["text/html"] = new OpenApiMediaType() } }
                    : new OpenApiResponse { Description = "OK", Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(answer, document) } } },
            },
        };
        if (body is not null)
        {
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(body, document) } } };
        }

        foreach (var status in refusals)
        {
            operation.Responses[status] = ProblemResponse(document, status switch
            {
                "400" => "The request cannot be scored: each field at fault is named.",
                "404" => "Not found.",
                "413" => $"The body is above {options.MaxRequestBodyBytes} bytes, or the batch above {options.MaxBatchSize}.",
                "415" => "The body is not application/json.",
                "422" => "The stored applicant cannot be scored by the model: each column at fault is named.",
                _ => "No model or store is available now.",
            });
        }

        return operation;
    }

    private static OpenApiResponse ProblemResponse(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference("Problem", document) } },
    };
}
