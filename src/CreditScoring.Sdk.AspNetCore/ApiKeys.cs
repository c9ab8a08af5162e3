using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>One API key the host accepts: its name, the SHA-256 of the key (never the key), and its roles.</summary>
public sealed class ApiKey
{
    /// <summary>The key's name, for logs, metrics and rate limits (such as the calling system's name).</summary>
    public string Name { get; set; } = "";

    /// <summary>The SHA-256 of the key's UTF-8 bytes, as hex (<see cref="ApiKeys.Hash"/>); the key itself is never stored.</summary>
    public string Sha256 { get; set; } = "";

    /// <summary>Its roles: <see cref="ApiKeys.ScoreRole"/> (score and explain), <see cref="ApiKeys.AdminRole"/> (reload, promote).</summary>
    public IList<string> Roles { get; } = [];
}

/// <summary>The API keys and the per-key rate limit (configuration section <c>CreditScoring:ApiKeys</c>).</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The configuration section: <c>CreditScoring:ApiKeys</c>.</summary>
    public const string SectionName = "CreditScoring:ApiKeys";

    /// <summary>The keys.</summary>
    public IList<ApiKey> Keys { get; } = [];

    /// <summary>The requests one key may make per second before it is answered 429 (a token bucket refilled every 100 ms); default 1,000.</summary>
    public int RequestsPerSecond { get; set; } = 1000;

    /// <summary>The burst a key may send at once above the steady rate; default 100.</summary>
    public int Burst { get; set; } = 100;
}

/// <summary>
/// API keys with roles for the scoring and admin endpoints: the key in the <c>X-Api-Key</c> header, hashed with SHA-256
/// and compared with every configured hash in constant time; no key or an unknown key is 401, a key without the
/// endpoint's role 403; each key's requests are rate limited (ASP.NET Core's rate limiter, a token bucket per key) and
/// answered 429 with <c>Retry-After</c> past the limit. Refusals are RFC 7807 problem details.
/// </summary>
public static class ApiKeys
{
    /// <summary>The authentication scheme: <c>ApiKey</c>.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>The header that carries the key: <c>X-Api-Key</c>.</summary>
    public const string Header = "X-Api-Key";

    /// <summary>The role (and authorization policy) of scoring and explaining: <c>score</c>.</summary>
    public const string ScoreRole = "score";

    /// <summary>The role (and authorization policy) of the admin endpoints: <c>admin</c>.</summary>
    public const string AdminRole = "admin";

    /// <summary>The rate limiter policy of keyed endpoints: <c>per-api-key</c>.</summary>
    public const string RateLimitPolicy = "per-api-key";

    /// <summary>The hash to configure for a key: the SHA-256 of its UTF-8 bytes, as lower-case hex.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The hash.</returns>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>A new random key (32 bytes, base64url): give it to the caller once, configure its <see cref="Hash"/>.</summary>
    /// <returns>The key.</returns>
    public static string NewKey() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Registers API key authentication, the <c>score</c> and <c>admin</c> policies and the per-key rate limit.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adds the keys and sets the limits.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddCreditScoringApiKeys(this IServiceCollection services, Action<ApiKeyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ApiKeyOptions>().Configure(configure).Validate(o => o.Keys.All(k => k.Sha256.Length == 64 && k.Sha256.All(char.IsAsciiHexDigit) && k.Name.Length > 0), "Every API key needs a name and the 64-hex-digit SHA-256 of the key (ApiKeys.Hash), never the key itself.").ValidateOnStart();
        services.AddSingleton<ApiKeyMiddleware>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiKeyOptions>>().Value;
                var key = context.User.Identity?.Name ?? "anonymous";
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, options.Burst),
                    TokensPerPeriod = Math.Max(1, options.RequestsPerSecond / 10),
                    ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, $"Too many requests for this API key; retry after {retry} s.", null, ct);
            };
        });
        return services;
    }

    /// <summary>Requires a key with the <c>score</c> role (or <c>admin</c>) on the endpoints and rate limits them per key.</summary>
    /// <typeparam name="TBuilder">The endpoints' builder.</typeparam>
    /// <param name="builder">The endpoints (such as <c>MapCreditScoring()</c>'s group).</param>
    /// <param name="role">The role required; default <see cref="ScoreRole"/>.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, string role = ScoreRole)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WithMetadata(new ApiKeyRequirement(role));
        builder.RequireRateLimiting(RateLimitPolicy);
        return builder;
    }

    /// <summary>
    /// The key check, then ASP.NET Core's rate limiter (call before mapping the endpoints). The check is one middleware, not
    /// ASP.NET Core's authentication and authorization pair: on endpoints marked <see cref="RequireApiKey{TBuilder}"/> it
    /// authenticates the key, checks its role and sets <see cref="HttpContext.User"/> (the key's name and roles, scheme
    /// <see cref="Scheme"/>), at a fraction of the general stack's cost per request; other endpoints pass untouched.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The application.</returns>
    public static IApplicationBuilder UseCreditScoringApiKeys(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<ApiKeyMiddleware>().UseRateLimiter();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Authenticates the <c>X-Api-Key</c> header against the configured hashes, in constant time, and checks the endpoint's role.</summary>
    private sealed class ApiKeyMiddleware(IOptionsMonitor<ApiKeyOptions> keys) : IMiddleware
    {
        /// <summary>The configured keys' hashes, names and claims, decoded once per configuration (a new principal is built per request, so no request can change another's).</summary>
        private static readonly ConditionalWeakTable<ApiKeyOptions, (byte[] Hash, ApiKey Key, Claim[] Claims)[]> Known = [];

        public Task InvokeAsync(HttpContext context, RequestDelegate next)
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>() is not { } requirement)
            {
                return next(context);
            }

            if (!context.Request.Headers.TryGetValue(Header, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
            {
                return Unauthorized(context, $"An API key is required: send it in the {Header} header.");
            }

            var value = values[0]!;
            Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
            var length = Encoding.UTF8.GetMaxByteCount(value.Length);
            var bytes = length <= 512 ? stackalloc byte[512] : new byte[length];
            SHA256.HashData(bytes[..Encoding.UTF8.GetBytes(value, bytes)], presented);
            (byte[] Hash, ApiKey Key, Claim[] Claims)? match = null;
            foreach (var known in Known.GetValue(keys.CurrentValue, Build))
            {
                // Every configured key is compared, each in constant time: neither the time nor the order tells which matched.
                if (CryptographicOperations.FixedTimeEquals(presented, known.Hash))
                {
                    match ??= known;
                }
            }

            if (match is not { } key)
            {
                return Unauthorized(context, "The API key is not one this host accepts.");
            }

            context.User = new ClaimsPrincipal(new ClaimsIdentity(key.Claims, Scheme));
            var roles = key.Key.Roles;
            var allowed = roles.Contains(requirement.Role) || (requirement.Role == ScoreRole && roles.Contains(AdminRole));
            return allowed
                ? next(context)
                : Problems.WriteAsync(context, StatusCodes.Status403Forbidden, $"The API key '{key.Key.Name}' lacks the role this endpoint needs.", null, context.RequestAborted);
        }

        private static Task Unauthorized(HttpContext context, string title)
        {
            context.Response.Headers.WWWAuthenticate = $"{Scheme} header=\"{Header}\"";
            return Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, title, null, context.RequestAborted);
        }

        private static (byte[] Hash, ApiKey Key, Claim[] Claims)[] Build(ApiKeyOptions options) =>
            [.. options.Keys.Select(k => (Convert.FromHexString(k.Sha256), k, (Claim[])[new Claim(ClaimTypes.Name, k.Name), .. k.Roles.Select(r => new Claim(ClaimTypes.Role, r))]))];
    }
}

/// <summary>An endpoint's need of an API key with a role (<see cref="ApiKeys.RequireApiKey{TBuilder}"/>); the admin role also satisfies the score role.</summary>
/// <param name="Role">The role.</param>
public sealed record ApiKeyRequirement(string Role);
