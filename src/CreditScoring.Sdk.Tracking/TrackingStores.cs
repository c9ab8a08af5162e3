using Npgsql;

namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// Opens a store from one string, as MLflow's tracking URI: what a command line's <c>--store</c> or a host's
/// configuration holds.
/// </summary>
public static class TrackingStores
{
    /// <summary>The environment variable that names the default store: <c>CREDITSCORING_TRACKING_URI</c>.</summary>
    public const string EnvironmentVariable = "CREDITSCORING_TRACKING_URI";

    /// <summary>The default store when nothing names one: <c>mlruns.db</c> in the working folder.</summary>
    public const string DefaultLocation = "mlruns.db";

    /// <summary>
    /// Opens a store: <c>postgresql://USER:PASSWORD@HOST:PORT/DATABASE</c> (or <c>postgres://</c>) or an Npgsql connection
    /// string (<c>Host=...;Database=...</c>) for <see cref="PostgresTrackingStore"/>; <c>sqlite:///PATH</c> (MLflow's
    /// form; <c>sqlite:////ABSOLUTE</c>) or a plain file path for <see cref="SqliteTrackingStore"/>; <c>http://</c> or
    /// <c>https://</c> for <see cref="MlflowTrackingStore"/> on a tracking server (an MLflow server, or a host that maps
    /// <c>MapExperimentTracking</c>), with the token or user of <c>MLFLOW_TRACKING_TOKEN</c>,
    /// <c>MLFLOW_TRACKING_USERNAME</c> and <c>MLFLOW_TRACKING_PASSWORD</c> when they are set.
    /// </summary>
    /// <param name="location">The store, or <see langword="null"/> for <see cref="EnvironmentVariable"/>'s value, else <see cref="DefaultLocation"/>.</param>
    /// <param name="time">The store's clock; <see langword="null"/> for the system's.</param>
    /// <returns>The store, which holds connections until disposed.</returns>
    /// <exception cref="TrackingException">The location names a scheme no store here reads.</exception>
    public static IModelRegistry Open(string? location = null, TimeProvider? time = null)
    {
        location ??= Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured ? configured : DefaultLocation;
        if (location.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
            return new MlflowTrackingStore(new Uri(location), new MlflowStoreOptions { Token = Variable("MLFLOW_TRACKING_TOKEN"), UserName = Variable("MLFLOW_TRACKING_USERNAME"), Password = Variable("MLFLOW_TRACKING_PASSWORD"), TimeProvider = time });
        }

        if (location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            return PostgresTrackingStore.Open(PostgresConnectionString(location), time);
        }

        if (location.Contains("Host=", StringComparison.OrdinalIgnoreCase) && location.Contains(';', StringComparison.Ordinal))
        {
            return PostgresTrackingStore.Open(location, time);
        }

        if (location.StartsWith("sqlite:///", StringComparison.OrdinalIgnoreCase))
        {
            return SqliteTrackingStore.Open(location["sqlite:///".Length..], time);
        }

        var colon = location.IndexOf("://", StringComparison.Ordinal);
        if (colon > 1)
        {
            throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"Unknown tracking store '{location}': give a SQLite file path (or sqlite:///PATH), postgresql://USER:PASSWORD@HOST:PORT/DATABASE, an Npgsql connection string (Host=...;Database=...), or a tracking server's http(s):// address.");
        }

        return SqliteTrackingStore.Open(location, time);
    }

    /// <summary>An Npgsql connection string from a <c>postgresql://</c> URI.</summary>
    /// <param name="uri">The URI.</param>
    /// <returns>The connection string.</returns>
    internal static string PostgresConnectionString(string uri)
    {
        var parsed = new Uri(uri);
        var builder = new NpgsqlConnectionStringBuilder { Host = parsed.Host, Port = parsed.IsDefaultPort || parsed.Port < 0 ? 5432 : parsed.Port, Database = Uri.UnescapeDataString(parsed.AbsolutePath.TrimStart('/')) };
        if (parsed.UserInfo.Length > 0)
        {
            var colon = parsed.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? parsed.UserInfo : parsed.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(parsed.UserInfo[(colon + 1)..]);
            }
        }

        return builder.ConnectionString;
    }
}
