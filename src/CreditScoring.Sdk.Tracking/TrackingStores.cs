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
        (StoreKind Kind, string Target) store;
        try
        {
            store = SqlDatabase.Classify(location);
        }
        catch (ArgumentException)
        {
            throw new TrackingException(TrackingErrorCode.InvalidParameterValue, $"Unknown tracking store '{location}': give a SQLite file path (or sqlite:///PATH), postgresql://USER:PASSWORD@HOST:PORT/DATABASE, an Npgsql connection string (Host=...;Database=...), or a tracking server's http(s):// address.");
        }

        switch (store.Kind)
        {
            case StoreKind.Http:
                static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
                return new MlflowTrackingStore(new Uri(location), new MlflowStoreOptions { Token = Variable("MLFLOW_TRACKING_TOKEN"), UserName = Variable("MLFLOW_TRACKING_USERNAME"), Password = Variable("MLFLOW_TRACKING_PASSWORD"), TimeProvider = time });
            case StoreKind.Postgres:
                return PostgresTrackingStore.Open(store.Target, time);
            default:
                return SqliteTrackingStore.Open(store.Target, time);
        }
    }
}
