using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CreditScoring.Sdk.Tests.Tracking;

/// <summary>
/// A real PostgreSQL server for the tests, never a mock. <c>.ci/run</c> installs Debian's PostgreSQL, starts a cluster on
/// a private loopback port and names it in <c>CREDITSCORING_TEST_POSTGRES</c> (an Npgsql connection string of a user
/// that may create databases); without that variable the fixture starts its own cluster from the installed binaries
/// (<c>/usr/lib/postgresql/N/bin</c>, as user <c>postgres</c> when the tests run as root) and stops it at the end. Each
/// test gets a new database.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>The variable naming a server to use instead of starting one.</summary>
    public const string Variable = "CREDITSCORING_TEST_POSTGRES";

    private readonly string? _folder;
    private readonly string? _bin;
    private readonly string _admin;
    private int _databases;

    public PostgresServer()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            _admin = given;
            return;
        }

        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).FirstOrDefault()
            : null;
        if (_bin is null)
        {
            throw new InvalidOperationException($"The PostgreSQL tests need a server: install Debian's postgresql (apt-get install postgresql; .ci/run does) or set {Variable} to the connection string of one.");
        }

        _folder = Path.Combine(Path.GetTempPath(), "cs-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
        var root = Environment.UserName == "root";
        if (root)
        {
            Run("chown", ["postgres:postgres", _folder], asPostgres: false);
        }

        var port = FreePort();
        var data = Path.Combine(_folder, "data");
        Run(Path.Combine(_bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], root);
        Run(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60", "-o", $"-p {port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"], root);
        _admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    /// <summary>A new, empty database, as a connection string.</summary>
    /// <returns>The connection string.</returns>
    public string NewDatabase()
    {
        var name = $"cs_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        using (var connection = new NpgsqlConnection(_admin))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name};";
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(_admin) { Database = name }.ConnectionString;
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (_folder is null)
        {
            return;
        }

        try
        {
            Run(Path.Combine(_bin!, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], Environment.UserName == "root");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}{output.Result}"));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresTests : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
