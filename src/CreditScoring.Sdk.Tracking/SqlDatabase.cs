using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CreditScoring.Sdk.Tracking;

/// <summary>Which kind of store a location string names.</summary>
internal enum StoreKind
{
    /// <summary>A SQLite file: a path, or <c>sqlite:///PATH</c>.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database: <c>postgresql://</c>, <c>postgres://</c> or an Npgsql connection string.</summary>
    Postgres,

    /// <summary>A tracking server: <c>http://</c> or <c>https://</c>.</summary>
    Http,
}

/// <summary>
/// A SQL database named by one location string, as the stores take it (<see cref="TrackingStores.Open"/>): SQLite (a
/// path or <c>sqlite:///PATH</c>; write-ahead log, <c>synchronous = NORMAL</c>, a writer waiting up to 30 s) or
/// PostgreSQL (a <c>postgresql://</c> URI or an Npgsql connection string; a pooled data source). What the serving
/// package's event and applicant stores open.
/// </summary>
internal sealed class SqlDatabase : IDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;

    private SqlDatabase(NpgsqlDataSource? postgres, string? sqlite, string display)
    {
        _postgres = postgres;
        _sqlite = sqlite;
        Display = display;
    }

    /// <summary>Whether the database is PostgreSQL (else SQLite).</summary>
    public bool IsPostgres => _postgres is not null;

    /// <summary>Where the database is, without a password.</summary>
    public string Display { get; }

    /// <summary>Classifies a location string and gives what the store opens: a file path, a connection string or a URI.</summary>
    /// <param name="location">The location.</param>
    /// <returns>The kind of store and its target.</returns>
    /// <exception cref="ArgumentException">The location names a scheme no store reads.</exception>
    public static (StoreKind Kind, string Target) Classify(string location)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        if (location.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return (StoreKind.Http, location);
        }

        if (location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            return (StoreKind.Postgres, PostgresConnectionString(location));
        }

        if (location.Contains("Host=", StringComparison.OrdinalIgnoreCase) && location.Contains(';', StringComparison.Ordinal))
        {
            return (StoreKind.Postgres, location);
        }

        if (location.StartsWith("sqlite:///", StringComparison.OrdinalIgnoreCase))
        {
            return (StoreKind.Sqlite, location["sqlite:///".Length..]);
        }

        var scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 1)
        {
            throw new ArgumentException($"Unknown store '{location}': give a SQLite file path (or sqlite:///PATH), postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or an Npgsql connection string (Host=...;Database=...).", nameof(location));
        }

        return (StoreKind.Sqlite, location);
    }

    /// <summary>Opens a SQL database (SQLite or PostgreSQL; not a tracking server).</summary>
    /// <param name="location">The location, as <see cref="Classify"/> reads it.</param>
    /// <returns>The database, holding a connection pool until disposed.</returns>
    /// <exception cref="ArgumentException">The location is not a SQL database's.</exception>
    public static SqlDatabase Open(string location)
    {
        var (kind, target) = Classify(location);
        switch (kind)
        {
            case StoreKind.Postgres:
                var builder = new NpgsqlConnectionStringBuilder(target);
                return new SqlDatabase(NpgsqlDataSource.Create(builder), null, $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}");
            case StoreKind.Sqlite:
                var full = Path.GetFullPath(target);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                var connectionString = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
                return new SqlDatabase(null, connectionString, full);
            default:
                throw new ArgumentException($"'{location}' is a tracking server, not a SQL database; give a SQLite file path or a PostgreSQL location.", nameof(location));
        }
    }

    /// <summary>An open connection (SQLite: in write-ahead-log mode, synced at checkpoints).</summary>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The connection.</returns>
    public async ValueTask<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_sqlite);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A command on a connection, with parameters <c>@name</c>.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="transaction">The transaction, or <see langword="null"/>.</param>
    /// <param name="sql">The statement.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <returns>The command.</returns>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>
    /// Whether an exception says a store cannot be opened or used — the database refused or failed, a file or the network
    /// failed, a wait timed out, the location is not one a store reads, or the store is not in a usable state — as opposed
    /// to a bug: what the serving stores' callers answer 503 for, report unhealthy, or retry.
    /// </summary>
    /// <param name="e">The exception.</param>
    /// <returns>Whether it is a store failure.</returns>
    public static bool IsStoreFailure(Exception e) => e is DbException or IOException or TimeoutException or ArgumentException or InvalidOperationException;

    /// <summary>An identifier quoted for both SQLite and PostgreSQL (<c>"name"</c>, inner quotes doubled).</summary>
    /// <param name="identifier">A table or column name.</param>
    /// <returns>The quoted name.</returns>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>An Npgsql connection string from a <c>postgresql://</c> URI.</summary>
    /// <param name="uri">The URI.</param>
    /// <returns>The connection string.</returns>
    public static string PostgresConnectionString(string uri)
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

    /// <inheritdoc />
    public void Dispose() => _postgres?.Dispose();
}
