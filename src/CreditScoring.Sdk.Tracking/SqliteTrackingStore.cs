using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// The embedded tracking store: one SQLite file, created on first use, with the runs' artifacts in a folder beside it
/// (<c>FILE.artifacts/</c>). Several threads and processes may log to it at once: the file is in write-ahead-log mode,
/// every write is one immediate transaction (a batch is kept whole or not at all), and a writer waits up to 30 s for
/// another. What it shares with the other SQL store (schema, migrations, searches) is in <see cref="SqlTrackingStore"/>.
/// </summary>
public sealed class SqliteTrackingStore : SqlTrackingStore
{
    private readonly string _connectionString;

    private SqliteTrackingStore(string path, TimeProvider time)
        : base(time)
    {
        DatabasePath = path;
        ArtifactRoot = path + ".artifacts";
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    /// <summary>The SQLite file.</summary>
    public string DatabasePath { get; }

    /// <summary>The folder of the runs' artifacts, beside the file.</summary>
    public string ArtifactRoot { get; }

    private protected override string Location => DatabasePath;

    private protected override (string Int, string Real, string Text, string Blob) ColumnTypes => ("INTEGER", "REAL", "TEXT", "BLOB");

    private protected override string AppendOnlyAudit => """
        CREATE TRIGGER registry_audit_no_update BEFORE UPDATE ON registry_audit
        BEGIN SELECT RAISE(ABORT, 'the registry audit log is append-only: its entries cannot be changed or deleted'); END;
        CREATE TRIGGER registry_audit_no_delete BEFORE DELETE ON registry_audit
        BEGIN SELECT RAISE(ABORT, 'the registry audit log is append-only: its entries cannot be changed or deleted'); END;
        """;

    /// <summary>Opens a store, creating the file (with the <c>Default</c> experiment, id 0) on first use, and migrates an older schema.</summary>
    /// <param name="path">The SQLite file.</param>
    /// <param name="time">The clock for times not given (run starts, experiment creation); <see langword="null"/> for the system's.</param>
    /// <returns>The store.</returns>
    /// <exception cref="TrackingException">The file was written by a newer SDK (its schema version is above <see cref="SqlTrackingStore.SchemaVersion"/>).</exception>
    public static SqliteTrackingStore Open(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var store = new SqliteTrackingStore(full, time ?? TimeProvider.System);
        using (var connection = store.Connect())
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        store.Migrate();
        return store;
    }

    private protected override DbConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Prepare(connection);
        return connection;
    }

    private protected override async ValueTask<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        Prepare(connection);
        return connection;
    }

    /// <summary>
    /// Per connection: foreign keys on; LIKE case-sensitive (ILIKE lowers both sides), as MLflow's LIKE; and, with the
    /// write-ahead log, a commit synced at checkpoints rather than each time (SQLite's <c>synchronous = NORMAL</c>): a
    /// process killed at any moment loses no committed batch and leaves a file that opens; only a power cut may lose the
    /// last few commits, never corrupt the file. (A transaction this store begins is SQLite's <c>BEGIN IMMEDIATE</c>:
    /// a writer takes the write lock at once, or waits for it.)
    /// </summary>
    private static void Prepare(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA foreign_keys = ON; PRAGMA case_sensitive_like = ON; PRAGMA synchronous = NORMAL;";
        command.ExecuteNonQuery();
    }

    private protected override string ExperimentLocation(string experimentId) => new Uri(Path.Combine(ArtifactRoot, experimentId)).AbsoluteUri;

    private protected override string RunArtifactUri(string experimentId, string runId) => new Uri(Path.Combine(ArtifactRoot, experimentId, runId, "artifacts")).AbsoluteUri;

    private protected override async Task WriteArtifactAsync(string runId, string artifactUri, string path, Stream content, CancellationToken cancellationToken)
    {
        var file = Path.Combine(new Uri(artifactUri).LocalPath, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);

        // Whole or not at all: into a temporary file beside it, then renamed over it.
        var temporary = $"{file}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }

            File.Move(temporary, file, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private protected override Task<IReadOnlyList<ArtifactInfo>> ListArtifactsAsync(string runId, string artifactUri, string? path, CancellationToken cancellationToken)
    {
        var root = new Uri(artifactUri).LocalPath;
        var folder = path is null ? root : Path.Combine(root, path);
        if (!Directory.Exists(folder))
        {
            return Task.FromResult<IReadOnlyList<ArtifactInfo>>([]);
        }

        var prefix = path is null ? "" : path + "/";
        return Task.FromResult<IReadOnlyList<ArtifactInfo>>(
        [
            .. new DirectoryInfo(folder).EnumerateFileSystemInfos()
                .Where(i => !i.Name.EndsWith(".tmp", StringComparison.Ordinal))
                .Select(i => i is FileInfo f ? new ArtifactInfo(prefix + f.Name, false, f.Length) : new ArtifactInfo(prefix + i.Name, true, null))
                .OrderBy(a => a.Path, StringComparer.Ordinal),
        ]);
    }

    private protected override Task<Stream?> ReadArtifactAsync(string runId, string artifactUri, string path, CancellationToken cancellationToken)
    {
        var file = Path.Combine(new Uri(artifactUri).LocalPath, path);
        return Task.FromResult<Stream?>(File.Exists(file) ? new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous) : null);
    }
}
