using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tracking;

/// <summary>The model registry of the SQL stores: registered models, versions, aliases and the audit log, written in one transaction each.</summary>
public abstract partial class SqlTrackingStore : IModelRegistry
{
    /// <summary>Schema version 2: the registry's tables; its audit log is append-only (each store guards it with triggers, see <see cref="AppendOnlyAudit"/>).</summary>
    private const string RegistryTables = """
        CREATE TABLE registered_models (
            name {text} PRIMARY KEY, creation_time {int} NOT NULL, last_updated_time {int} NOT NULL, description {text} NOT NULL);
        CREATE TABLE registered_model_tags (
            name {text} NOT NULL REFERENCES registered_models (name), key {text} NOT NULL, value {text} NOT NULL, PRIMARY KEY (name, key));
        CREATE TABLE model_versions (
            name {text} NOT NULL REFERENCES registered_models (name), version {int} NOT NULL, creation_time {int} NOT NULL,
            last_updated_time {int} NOT NULL, user_id {text} NOT NULL, description {text} NOT NULL, source {text} NOT NULL,
            run_id {text} REFERENCES runs (run_id), artifact_path {text}, sha256 {text}, data_fingerprint {text}, sdk_version {text},
            PRIMARY KEY (name, version));
        CREATE INDEX model_versions_by_file ON model_versions (run_id, artifact_path);
        CREATE TABLE model_version_tags (
            name {text} NOT NULL, version {int} NOT NULL, key {text} NOT NULL, value {text} NOT NULL, PRIMARY KEY (name, version, key),
            FOREIGN KEY (name, version) REFERENCES model_versions (name, version));
        CREATE TABLE registered_model_aliases (
            name {text} NOT NULL, alias {text} NOT NULL, version {int} NOT NULL, PRIMARY KEY (name, alias),
            FOREIGN KEY (name, version) REFERENCES model_versions (name, version));
        CREATE TABLE registry_audit (
            sequence {int} PRIMARY KEY, timestamp {int} NOT NULL, user_id {text} NOT NULL, action {text} NOT NULL, name {text} NOT NULL,
            version {int}, alias {text}, from_version {int}, detail {text} NOT NULL);
        """;

    /// <summary>The store's guard that refuses to change or delete an audit entry, whoever asks (triggers).</summary>
    private protected abstract string AppendOnlyAudit { get; }

    /// <summary>SQL run first in each registry write, so that two writers never take one version or audit number.</summary>
    private protected virtual string RegistryLock => "";

    /// <inheritdoc />
    public async Task<RegisteredModel> CreateRegisteredModelAsync(string name, string description = "", IReadOnlyList<RunTag>? tags = null, string? userId = null, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckModelName(name);
        ArgumentNullException.ThrowIfNull(description);
        tags ??= [];
        foreach (var tag in tags)
        {
            TrackingRules.Check(tag);
        }

        await using (var write = await BeginRegistryWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            var (connection, transaction) = (write.Connection, write.Transaction);
            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM registered_models WHERE name = @name;", cancellationToken, ("@name", name)).ConfigureAwait(false) is not null)
            {
                throw new TrackingException(TrackingErrorCode.ResourceAlreadyExists, $"Registered Model (name={name}) already exists.");
            }

            var now = Now();
            await ExecuteAsync(connection, transaction, "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (@name, @now, @now, @description);", cancellationToken, ("@name", name), ("@now", now), ("@description", description)).ConfigureAwait(false);
            foreach (var tag in tags)
            {
                await ExecuteAsync(connection, transaction, "INSERT INTO registered_model_tags (name, key, value) VALUES (@name, @key, @value) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value;", cancellationToken, ("@name", name), ("@key", tag.Key), ("@value", tag.Value)).ConfigureAwait(false);
            }

            await AuditAsync(write, userId, RegistryAction.ModelCreated, name, null, null, null, description, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await GetRegisteredModelAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadModelsAsync(connection, name, cancellationToken).ConfigureAwait(false)).SingleOrDefault() ?? throw NoModel(name);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RegisteredModel>> ListRegisteredModelsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await ReadModelsAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UpdateRegisteredModelAsync(string name, string description, string? userId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(description);
        await using var write = await BeginRegistryWriteAsync(cancellationToken).ConfigureAwait(false);
        await ExistingModelAsync(write, name, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(write.Connection, write.Transaction, "UPDATE registered_models SET description = @description, last_updated_time = @now WHERE name = @name;", cancellationToken, ("@description", description), ("@now", Now()), ("@name", name)).ConfigureAwait(false);
        await AuditAsync(write, userId, RegistryAction.ModelDescribed, name, null, null, null, description, cancellationToken).ConfigureAwait(false);
        await write.Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SetRegisteredModelTagAsync(string name, RunTag tag, string? userId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        TrackingRules.Check(tag);
        await using var write = await BeginRegistryWriteAsync(cancellationToken).ConfigureAwait(false);
        await ExistingModelAsync(write, name, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(write.Connection, write.Transaction, "INSERT INTO registered_model_tags (name, key, value) VALUES (@name, @key, @value) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value;", cancellationToken, ("@name", name), ("@key", tag.Key), ("@value", tag.Value)).ConfigureAwait(false);
        await AuditAsync(write, userId, RegistryAction.ModelTagged, name, null, null, null, $"{tag.Key}={tag.Value}", cancellationToken).ConfigureAwait(false);
        await write.Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ModelVersion> CreateModelVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        TrackingRules.CheckModelName(version.Name);
        ArgumentException.ThrowIfNullOrEmpty(version.Source);
        foreach (var tag in version.Tags)
        {
            TrackingRules.Check(tag);
        }

        // The file is found and read before the write begins, so that no lock is held while it is read.
        var (runId, path, bytes) = await LocateSourceAsync(version, cancellationToken).ConfigureAwait(false);
        string? sha256 = null, fingerprint = null, sdkVersion = null;
        if (bytes is not null)
        {
            sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
            try
            {
                var model = CreditModel.Load(new MemoryStream(bytes, writable: false));
                (fingerprint, sdkVersion) = (model.Metadata.DataFingerprint, model.Metadata.SdkVersion);
            }
            catch (ModelFormatException)
            {
                // Not a CreditScoring model file: registered with its checksum, without the model's own facts.
            }
        }

        long number;
        await using (var write = await BeginRegistryWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            var (connection, transaction) = (write.Connection, write.Transaction);
            await ExistingModelAsync(write, version.Name, cancellationToken).ConfigureAwait(false);
            number = Convert.ToInt64(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = @name;", cancellationToken, ("@name", version.Name)).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var now = Now();
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO model_versions (name, version, creation_time, last_updated_time, user_id, description, source, run_id, artifact_path, sha256, data_fingerprint, sdk_version) VALUES (@name, @version, @now, @now, @user, @description, @source, @run, @path, @sha, @fingerprint, @sdk);",
                cancellationToken,
                ("@name", version.Name),
                ("@version", number),
                ("@now", now),
                ("@user", version.UserId),
                ("@description", version.Description),
                ("@source", version.Source),
                ("@run", runId),
                ("@path", path),
                ("@sha", sha256),
                ("@fingerprint", fingerprint),
                ("@sdk", sdkVersion)).ConfigureAwait(false);
            foreach (var tag in version.Tags)
            {
                await ExecuteAsync(connection, transaction, "INSERT INTO model_version_tags (name, version, key, value) VALUES (@name, @version, @key, @value) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value;", cancellationToken, ("@name", version.Name), ("@version", number), ("@key", tag.Key), ("@value", tag.Value)).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @now WHERE name = @name;", cancellationToken, ("@now", now), ("@name", version.Name)).ConfigureAwait(false);
            await AuditAsync(write, version.UserId, RegistryAction.VersionCreated, version.Name, number, null, null, sha256 is null ? version.Source : $"{version.Source} sha256={sha256}", cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return await GetModelVersionAsync(version.Name, number, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ModelVersion> GetModelVersionAsync(string name, long version, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadVersionsAsync(connection, name, version, cancellationToken).ConfigureAwait(false)).SingleOrDefault()
            ?? throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Model Version (name={name}, version={version}) not found.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ModelVersion>> ListModelVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (await ScalarAsync(connection, null, "SELECT 1 FROM registered_models WHERE name = @name;", cancellationToken, ("@name", name)).ConfigureAwait(false) is null)
        {
            throw NoModel(name);
        }

        return await ReadVersionsAsync(connection, name, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UpdateModelVersionAsync(string name, long version, string description, string? userId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(description);
        await using var write = await BeginRegistryWriteAsync(cancellationToken).ConfigureAwait(false);
        await ExistingVersionAsync(write, name, version, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(write.Connection, write.Transaction, "UPDATE model_versions SET description = @description, last_updated_time = @now WHERE name = @name AND version = @version;", cancellationToken, ("@description", description), ("@now", Now()), ("@name", name), ("@version", version)).ConfigureAwait(false);
        await AuditAsync(write, userId, RegistryAction.VersionDescribed, name, version, null, null, description, cancellationToken).ConfigureAwait(false);
        await write.Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SetModelVersionTagAsync(string name, long version, RunTag tag, string? userId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tag);
        TrackingRules.Check(tag);
        await using var write = await BeginRegistryWriteAsync(cancellationToken).ConfigureAwait(false);
        await ExistingVersionAsync(write, name, version, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(write.Connection, write.Transaction, "INSERT INTO model_version_tags (name, version, key, value) VALUES (@name, @version, @key, @value) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value;", cancellationToken, ("@name", name), ("@version", version), ("@key", tag.Key), ("@value", tag.Value)).ConfigureAwait(false);
        await AuditAsync(write, userId, RegistryAction.VersionTagged, name, version, null, null, $"{tag.Key}={tag.Value}", cancellationToken).ConfigureAwait(false);
        await write.Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SetAliasAsync(string name, string aliasName, long version, string? userId = null, CancellationToken cancellationToken = default)
    {
        TrackingRules.CheckAlias(aliasName);
        await using var write = await BeginRegistryWriteAsync(cancellationToken).ConfigureAwait(false);
        var (connection, transaction) = (write.Connection, write.Transaction);
        await ExistingVersionAsync(write, name, version, cancellationToken).ConfigureAwait(false);
        var from = await ScalarAsync(connection, transaction, "SELECT version FROM registered_model_aliases WHERE name = @name AND alias = @alias;", cancellationToken, ("@name", name), ("@alias", aliasName)).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "INSERT INTO registered_model_aliases (name, alias, version) VALUES (@name, @alias, @version) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version;", cancellationToken, ("@name", name), ("@alias", aliasName), ("@version", version)).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "UPDATE registered_models SET last_updated_time = @now WHERE name = @name;", cancellationToken, ("@now", Now()), ("@name", name)).ConfigureAwait(false);
        var previous = from is null ? (long?)null : Convert.ToInt64(from, CultureInfo.InvariantCulture);
        await AuditAsync(write, userId, RegistryAction.AliasSet, name, version, aliasName, previous, previous is { } p ? $"{aliasName}: version {p} -> {version}" : $"{aliasName}: version {version}", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteAliasAsync(string name, string aliasName, string? userId = null, CancellationToken cancellationToken = default)
    {
        await using var write = await BeginRegistryWriteAsync(cancellationToken).ConfigureAwait(false);
        var (connection, transaction) = (write.Connection, write.Transaction);
        await ExistingModelAsync(write, name, cancellationToken).ConfigureAwait(false);
        var from = await ScalarAsync(connection, transaction, "SELECT version FROM registered_model_aliases WHERE name = @name AND alias = @alias;", cancellationToken, ("@name", name), ("@alias", aliasName)).ConfigureAwait(false)
            ?? throw NoAlias(name, aliasName);
        await ExecuteAsync(connection, transaction, "DELETE FROM registered_model_aliases WHERE name = @name AND alias = @alias;", cancellationToken, ("@name", name), ("@alias", aliasName)).ConfigureAwait(false);
        var previous = Convert.ToInt64(from, CultureInfo.InvariantCulture);
        await AuditAsync(write, userId, RegistryAction.AliasDeleted, name, null, aliasName, previous, $"{aliasName}: version {previous} -> none", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ModelVersion> GetVersionByAliasAsync(string name, string aliasName, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var version = await ScalarAsync(connection, null, "SELECT version FROM registered_model_aliases WHERE name = @name AND alias = @alias;", cancellationToken, ("@name", name), ("@alias", aliasName)).ConfigureAwait(false);
        if (version is null)
        {
            throw await ScalarAsync(connection, null, "SELECT 1 FROM registered_models WHERE name = @name;", cancellationToken, ("@name", name)).ConfigureAwait(false) is null ? NoModel(name) : NoAlias(name, aliasName);
        }

        return (await ReadVersionsAsync(connection, name, Convert.ToInt64(version, CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false)).Single();
    }

    /// <inheritdoc />
    public async Task<Stream> OpenModelFileAsync(string name, long version, CancellationToken cancellationToken = default)
    {
        var v = await GetModelVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (v.RunId is null || v.ArtifactPath is null)
        {
            throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Version {version} of '{name}' has no model file in this store: its source {v.Source} is not a run's artifact.");
        }

        var uri = await ArtifactUriAsync(v.RunId, cancellationToken).ConfigureAwait(false);
        return await ReadArtifactAsync(v.RunId, uri, v.ArtifactPath, cancellationToken).ConfigureAwait(false)
            ?? throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"The model file of version {version} of '{name}' ({v.ArtifactPath} of run {v.RunId}) is gone from the store.");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RegistryEvent>> GetAuditLogAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<RegistryEvent>();
        var sql = "SELECT sequence, timestamp, user_id, action, name, version, alias, from_version, detail FROM registry_audit" + (name is null ? "" : " WHERE name = @name") + " ORDER BY sequence;";
        await foreach (var r in QueryAsync(connection, null, sql, name is null ? [] : [("@name", name)], cancellationToken).ConfigureAwait(false))
        {
            events.Add(new RegistryEvent
            {
                Sequence = r.GetInt64(0),
                Timestamp = r.GetInt64(1),
                UserId = r.GetString(2),
                Action = Enum.Parse<RegistryAction>(r.GetString(3)),
                Name = r.GetString(4),
                Version = r.IsDBNull(5) ? null : r.GetInt64(5),
                Alias = r.IsDBNull(6) ? null : r.GetString(6),
                FromVersion = r.IsDBNull(7) ? null : r.GetInt64(7),
                Detail = r.GetString(8),
            });
        }

        return events;
    }

    /// <summary>Refuses to replace a run's artifact that a model version registered: a registered model file never changes.</summary>
    private async Task CheckNotRegisteredAsync(string runId, string path, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var r in QueryAsync(connection, null, "SELECT name, version FROM model_versions WHERE run_id = @id AND artifact_path = @path ORDER BY name, version;", [("@id", runId), ("@path", path)], cancellationToken).ConfigureAwait(false))
        {
            throw new TrackingException(TrackingErrorCode.InvalidState, $"The artifact '{path}' of run {runId} is the model file of version {r.GetInt64(1)} of registered model '{r.GetString(0)}'; a registered model file never changes. Log the new file under another path (or in a new run) and register it as a new version.");
        }
    }

    /// <summary>The run and the model file a new version's source names, and the file's bytes; (run, null, null) for a source outside the store.</summary>
    private async Task<(string? RunId, string? Path, byte[]? Bytes)> LocateSourceAsync(NewModelVersion version, CancellationToken cancellationToken)
    {
        string runId;
        string? path;
        string artifacts;
        if (MlflowConventions.TryParseRunArtifact(version.Source, out runId, out path))
        {
            // runs:/RUN/PATH, or the proxied form a server reports for every run, whatever keeps the files.
            if (version.RunId is not null && version.RunId != runId)
            {
                throw Invalid($"The source {version.Source} names run {runId}, but the version is given run {version.RunId}.");
            }

            TrackingRules.CheckRunId(runId);
            artifacts = await ArtifactUriAsync(runId, cancellationToken).ConfigureAwait(false);
        }
        else if (version.RunId is not null)
        {
            runId = version.RunId;
            artifacts = await ArtifactUriAsync(runId, cancellationToken).ConfigureAwait(false);
            if (!version.Source.StartsWith(artifacts, StringComparison.Ordinal) || (version.Source.Length > artifacts.Length && version.Source[artifacts.Length] != '/'))
            {
                return (runId, null, null);
            }

            path = version.Source[artifacts.Length..].Trim('/') is { Length: > 0 } under ? under : null;
        }
        else
        {
            return (null, null, null);
        }

        if (path is not null)
        {
            TrackingRules.CheckArtifactPath(path);
        }

        // The file itself, or a folder's model.json (runs:/RUN/model, as autologging stores it).
        foreach (var candidate in path is null ? ["model.json"] : new[] { path, path + "/model.json" })
        {
            await using var stream = await ReadArtifactAsync(runId, artifacts, candidate, cancellationToken).ConfigureAwait(false);
            if (stream is not null)
            {
                var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                return (runId, candidate, buffer.ToArray());
            }
        }

        throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Run {runId} has no artifact '{path ?? ""}' (nor '{(path is null ? "" : path + "/")}model.json') to register as a version of '{version.Name}'.");
    }

    private sealed class RegistryWrite(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
    {
        public DbConnection Connection { get; } = connection;

        public DbTransaction Transaction { get; } = transaction;

        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<RegistryWrite> BeginRegistryWriteAsync(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var write = new RegistryWrite(connection, transaction);
            if (RegistryLock.Length > 0)
            {
                await ExecuteAsync(connection, transaction, RegistryLock, cancellationToken).ConfigureAwait(false);
            }

            return write;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task AuditAsync(RegistryWrite write, string? userId, RegistryAction action, string name, long? version, string? alias, long? fromVersion, string detail, CancellationToken cancellationToken) =>
        await ExecuteAsync(
            write.Connection,
            write.Transaction,
            "INSERT INTO registry_audit (sequence, timestamp, user_id, action, name, version, alias, from_version, detail) VALUES ((SELECT COALESCE(MAX(sequence), 0) + 1 FROM registry_audit), @time, @user, @action, @name, @version, @alias, @from, @detail);",
            cancellationToken,
            ("@time", Now()),
            ("@user", userId ?? Environment.UserName),
            ("@action", action.ToString()),
            ("@name", name),
            ("@version", version),
            ("@alias", alias),
            ("@from", fromVersion),
            ("@detail", detail)).ConfigureAwait(false);

    private static async Task ExistingModelAsync(RegistryWrite write, string name, CancellationToken cancellationToken)
    {
        if (await ScalarAsync(write.Connection, write.Transaction, "SELECT 1 FROM registered_models WHERE name = @name;", cancellationToken, ("@name", name)).ConfigureAwait(false) is null)
        {
            throw NoModel(name);
        }
    }

    private static async Task ExistingVersionAsync(RegistryWrite write, string name, long version, CancellationToken cancellationToken)
    {
        await ExistingModelAsync(write, name, cancellationToken).ConfigureAwait(false);
        if (await ScalarAsync(write.Connection, write.Transaction, "SELECT 1 FROM model_versions WHERE name = @name AND version = @version;", cancellationToken, ("@name", name), ("@version", version)).ConfigureAwait(false) is null)
        {
            throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Model Version (name={name}, version={version}) not found.");
        }
    }

    private static async Task<List<RegisteredModel>> ReadModelsAsync(DbConnection connection, string? name, CancellationToken cancellationToken)
    {
        (string, object?)[] bound = name is null ? [] : [("@name", name)];
        var where = name is null ? "" : " WHERE name = @name";
        var models = new List<RegisteredModel>();
        await foreach (var r in QueryAsync(connection, null, $"SELECT name, creation_time, last_updated_time, description FROM registered_models{where} ORDER BY name;", bound, cancellationToken).ConfigureAwait(false))
        {
            models.Add(new RegisteredModel { Name = r.GetString(0), CreationTime = r.GetInt64(1), LastUpdatedTime = r.GetInt64(2), Description = r.GetString(3) });
        }

        var tags = await GroupAsync(connection, $"SELECT name, key, value FROM registered_model_tags{where} ORDER BY key;", bound, r => new RunTag(r.GetString(1), r.GetString(2)), cancellationToken).ConfigureAwait(false);
        var aliases = await GroupAsync(connection, $"SELECT name, alias, version FROM registered_model_aliases{where} ORDER BY alias;", bound, r => new ModelAlias(r.GetString(1), r.GetInt64(2)), cancellationToken).ConfigureAwait(false);
        var latest = await GroupAsync(connection, $"SELECT name, MAX(version) FROM model_versions{where} GROUP BY name;", bound, r => r.GetInt64(1), cancellationToken).ConfigureAwait(false);
        return [.. models.Select(m => m with { Tags = tags.GetValueOrDefault(m.Name) ?? [], Aliases = aliases.GetValueOrDefault(m.Name) ?? [], LatestVersion = latest.TryGetValue(m.Name, out var v) ? v[0] : null })];
    }

    private static async Task<List<ModelVersion>> ReadVersionsAsync(DbConnection connection, string name, long? version, CancellationToken cancellationToken)
    {
        (string, object?)[] bound = version is { } v ? [("@name", name), ("@version", v)] : [("@name", name)];
        var where = version is null ? " WHERE name = @name" : " WHERE name = @name AND version = @version";
        var versions = new List<ModelVersion>();
        await foreach (var r in QueryAsync(connection, null, $"SELECT name, version, creation_time, last_updated_time, user_id, description, source, run_id, artifact_path, sha256, data_fingerprint, sdk_version FROM model_versions{where} ORDER BY version DESC;", bound, cancellationToken).ConfigureAwait(false))
        {
            versions.Add(new ModelVersion
            {
                Name = r.GetString(0),
                Version = r.GetInt64(1),
                CreationTime = r.GetInt64(2),
                LastUpdatedTime = r.GetInt64(3),
                UserId = r.GetString(4),
                Description = r.GetString(5),
                Source = r.GetString(6),
                RunId = r.IsDBNull(7) ? null : r.GetString(7),
                ArtifactPath = r.IsDBNull(8) ? null : r.GetString(8),
                Sha256 = r.IsDBNull(9) ? null : r.GetString(9),
                DataFingerprint = r.IsDBNull(10) ? null : r.GetString(10),
                SdkVersion = r.IsDBNull(11) ? null : r.GetString(11),
            });
        }

        static string Key(DbDataReader r) => r.GetInt64(0).ToString(CultureInfo.InvariantCulture);
        var tags = await GroupAsync(connection, $"SELECT version, key, value FROM model_version_tags{where} ORDER BY key;", bound, r => new RunTag(r.GetString(1), r.GetString(2)), cancellationToken, Key).ConfigureAwait(false);
        var aliases = await GroupAsync(connection, $"SELECT version, alias FROM registered_model_aliases{where} ORDER BY alias;", bound, r => r.GetString(1), cancellationToken, Key).ConfigureAwait(false);
        return [.. versions.Select(m =>
        {
            var key = m.Version.ToString(CultureInfo.InvariantCulture);
            return m with { Tags = tags.GetValueOrDefault(key) ?? [], Aliases = aliases.GetValueOrDefault(key) ?? [] };
        })];
    }

    /// <summary>Rows grouped by their first column (or <paramref name="key"/>), each read by <paramref name="read"/>.</summary>
    private static async Task<Dictionary<string, List<T>>> GroupAsync<T>(DbConnection connection, string sql, (string, object?)[] bound, Func<DbDataReader, T> read, CancellationToken cancellationToken, Func<DbDataReader, string>? key = null)
    {
        var groups = new Dictionary<string, List<T>>(StringComparer.Ordinal);
        await foreach (var r in QueryAsync(connection, null, sql, bound, cancellationToken).ConfigureAwait(false))
        {
            var k = key is null ? r.GetString(0) : key(r);
            if (!groups.TryGetValue(k, out var list))
            {
                groups[k] = list = [];
            }

            list.Add(read(r));
        }

        return groups;
    }

    private static TrackingException NoModel(string name) => new(TrackingErrorCode.ResourceDoesNotExist, $"Registered Model with name={name} not found.");

    private static TrackingException NoAlias(string name, string alias) => new(TrackingErrorCode.ResourceDoesNotExist, $"Registered model alias {alias} not found for model '{name}'.");
}
