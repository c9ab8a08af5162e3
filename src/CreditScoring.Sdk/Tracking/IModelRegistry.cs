using System.Globalization;

namespace CreditScoring.Sdk.Tracking;

/// <summary>
/// The model registry (MLflow's registered models, versions and aliases): a tracking store that also keeps registered
/// models, since a version links to the run that produced it and to that run's model file. Every
/// change is written with its entry in an append-only audit log (who, when, what, from which version to which), in one
/// transaction. A version's model file is fixed at registration: its SHA-256 is recorded, the store refuses to replace a
/// run's artifact that a version registered, and <c>CreditModel.Load("models:/NAME@ALIAS", registry)</c> refuses a file
/// whose SHA-256 no longer matches. Each method's <c>userId</c> is who acts, for the audit log (default: the operating
/// system user).
/// </summary>
public interface IModelRegistry : ITrackingStore
{
    /// <summary>Creates a registered model.</summary>
    /// <param name="name">Its name (<see cref="TrackingRules.CheckModelName"/>).</param>
    /// <param name="description">Its description.</param>
    /// <param name="tags">Its tags, or <see langword="null"/>.</param>
    /// <param name="userId">Who creates it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The model.</returns>
    /// <exception cref="TrackingException">The name breaks a rule or is taken (<see cref="TrackingErrorCode.ResourceAlreadyExists"/>).</exception>
    Task<RegisteredModel> CreateRegisteredModelAsync(string name, string description = "", IReadOnlyList<RunTag>? tags = null, string? userId = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a registered model with its tags, aliases and newest version.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The model.</returns>
    /// <exception cref="TrackingException">There is none with that name.</exception>
    Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists the registered models, by name.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The models.</returns>
    Task<IReadOnlyList<RegisteredModel>> ListRegisteredModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets a registered model's description.</summary>
    /// <param name="name">The model.</param>
    /// <param name="description">The description.</param>
    /// <param name="userId">Who changes it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">There is no such model.</exception>
    Task UpdateRegisteredModelAsync(string name, string description, string? userId = null, CancellationToken cancellationToken = default);

    /// <summary>Sets a tag of a registered model.</summary>
    /// <param name="name">The model.</param>
    /// <param name="tag">The tag.</param>
    /// <param name="userId">Who sets it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">There is no such model, or the tag breaks a rule.</exception>
    Task SetRegisteredModelTagAsync(string name, RunTag tag, string? userId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers a version: the next number, the source's model file located and its SHA-256 recorded, with the data
    /// fingerprint and SDK version read from the file when it is a CreditScoring model.
    /// </summary>
    /// <param name="version">The model, source, run, description, tags and user.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The version.</returns>
    /// <exception cref="TrackingException">The model or the run does not exist, or the source names a run's artifact that does not exist.</exception>
    Task<ModelVersion> CreateModelVersionAsync(NewModelVersion version, CancellationToken cancellationToken = default);

    /// <summary>Reads a version.</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The version.</returns>
    /// <exception cref="TrackingException">There is no such model or version.</exception>
    Task<ModelVersion> GetModelVersionAsync(string name, long version, CancellationToken cancellationToken = default);

    /// <summary>Lists a model's versions, newest first.</summary>
    /// <param name="name">The model.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The versions.</returns>
    /// <exception cref="TrackingException">There is no such model.</exception>
    Task<IReadOnlyList<ModelVersion>> ListModelVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Sets a version's description.</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="description">The description.</param>
    /// <param name="userId">Who changes it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">There is no such model or version.</exception>
    Task UpdateModelVersionAsync(string name, long version, string description, string? userId = null, CancellationToken cancellationToken = default);

    /// <summary>Sets a tag of a version.</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="tag">The tag.</param>
    /// <param name="userId">Who sets it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">There is no such model or version, or the tag breaks a rule.</exception>
    Task SetModelVersionTagAsync(string name, long version, RunTag tag, string? userId = null, CancellationToken cancellationToken = default);

    /// <summary>Points an alias at a version (a promotion), moving it from the version it named: an alias names one version at most.</summary>
    /// <param name="name">The model.</param>
    /// <param name="aliasName">The alias (<see cref="TrackingRules.CheckAlias"/>), such as <c>champion</c>.</param>
    /// <param name="version">The version.</param>
    /// <param name="userId">Who promotes it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">The alias breaks a rule, or there is no such model or version.</exception>
    Task SetAliasAsync(string name, string aliasName, long version, string? userId = null, CancellationToken cancellationToken = default);

    /// <summary>Removes an alias.</summary>
    /// <param name="name">The model.</param>
    /// <param name="aliasName">The alias.</param>
    /// <param name="userId">Who removes it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The work.</returns>
    /// <exception cref="TrackingException">There is no such model or alias.</exception>
    Task DeleteAliasAsync(string name, string aliasName, string? userId = null, CancellationToken cancellationToken = default);

    /// <summary>The version an alias names.</summary>
    /// <param name="name">The model.</param>
    /// <param name="aliasName">The alias.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The version.</returns>
    /// <exception cref="TrackingException">There is no such model or alias.</exception>
    Task<ModelVersion> GetVersionByAliasAsync(string name, string aliasName, CancellationToken cancellationToken = default);

    /// <summary>Opens a version's model file as stored, for the caller to verify against <see cref="ModelVersion.Sha256"/> (<c>CreditModel.Load</c> does).</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A stream the caller disposes.</returns>
    /// <exception cref="TrackingException">There is no such version, it has no file in this store, or the file is gone.</exception>
    Task<Stream> OpenModelFileAsync(string name, long version, CancellationToken cancellationToken = default);

    /// <summary>The audit log, oldest first: every registry action, or those on one model.</summary>
    /// <param name="name">The model, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<RegistryEvent>> GetAuditLogAsync(string? name = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// A registry model URI, as MLflow writes them: <c>models:/NAME/VERSION</c>, <c>models:/NAME@ALIAS</c> or
/// <c>models:/NAME/latest</c>.
/// </summary>
/// <param name="Name">The registered model.</param>
/// <param name="Version">The version, or <see langword="null"/> with an alias or <c>latest</c>.</param>
/// <param name="Alias">The alias, or <see langword="null"/>.</param>
public sealed record ModelUri(string Name, long? Version, string? Alias)
{
    /// <summary>The scheme: <c>models:/</c>.</summary>
    public const string Prefix = "models:/";

    /// <summary>Whether a string is a registry URI rather than a file path.</summary>
    /// <param name="value">The string.</param>
    /// <returns><see langword="true"/> when it starts with <c>models:/</c>.</returns>
    public static bool IsModelUri(string? value) => value is not null && value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Reads a URI.</summary>
    /// <param name="uri">The URI.</param>
    /// <returns>The parts.</returns>
    /// <exception cref="TrackingException">It is not <c>models:/NAME/VERSION</c>, <c>models:/NAME@ALIAS</c> or <c>models:/NAME/latest</c>.</exception>
    public static ModelUri Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!IsModelUri(uri))
        {
            throw Bad(uri, "it does not start with models:/");
        }

        var rest = uri[Prefix.Length..];
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var (name, alias) = (rest[..at], rest[(at + 1)..]);
            TrackingRules.CheckModelName(name);
            TrackingRules.CheckAlias(alias);
            return new ModelUri(name, null, alias);
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw Bad(uri, "it names no version or alias");
        }

        var (model, selector) = (rest[..slash], rest[(slash + 1)..]);
        TrackingRules.CheckModelName(model);
        if (selector.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            return new ModelUri(model, null, null);
        }

        return long.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? new ModelUri(model, version, null)
            : throw Bad(uri, $"'{selector}' is not a version number (1, 2, ...) or 'latest'");
    }

    /// <summary>Finds the version the URI names.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The version.</returns>
    /// <exception cref="TrackingException">The model, version or alias does not exist, or the model has no version yet.</exception>
    public async Task<ModelVersion> ResolveAsync(IModelRegistry registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (Alias is not null)
        {
            return await registry.GetVersionByAliasAsync(Name, Alias, cancellationToken).ConfigureAwait(false);
        }

        if (Version is { } v)
        {
            return await registry.GetModelVersionAsync(Name, v, cancellationToken).ConfigureAwait(false);
        }

        var model = await registry.GetRegisteredModelAsync(Name, cancellationToken).ConfigureAwait(false);
        return model.LatestVersion is { } latest
            ? await registry.GetModelVersionAsync(Name, latest, cancellationToken).ConfigureAwait(false)
            : throw new TrackingException(TrackingErrorCode.ResourceDoesNotExist, $"Registered model '{Name}' has no version yet.");
    }

    /// <inheritdoc />
    public override string ToString() => Prefix + Name + (Alias is not null ? "@" + Alias : "/" + (Version?.ToString(CultureInfo.InvariantCulture) ?? "latest"));

    private static TrackingException Bad(string uri, string why) =>
        TrackingException.Invalid($"Invalid model URI '{uri}': {why}. Write models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/latest.");
}
