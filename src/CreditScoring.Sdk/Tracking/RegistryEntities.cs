namespace CreditScoring.Sdk.Tracking;

/// <summary>A registered model: a name under which versions of a model are kept, with its aliases (MLflow's <c>RegisteredModel</c>).</summary>
public sealed record RegisteredModel
{
    /// <summary>Its name, unique in the registry (such as <c>pd-model</c>).</summary>
    public required string Name { get; init; }

    /// <summary>When it was created, in milliseconds since the Unix epoch.</summary>
    public long CreationTime { get; init; }

    /// <summary>When it or one of its versions last changed, in milliseconds since the Unix epoch.</summary>
    public long LastUpdatedTime { get; init; }

    /// <summary>Its description (empty by default).</summary>
    public string Description { get; init; } = "";

    /// <summary>Its tags, by key.</summary>
    public IReadOnlyList<RunTag> Tags { get; init; } = [];

    /// <summary>Its aliases (<c>champion</c>, <c>challenger</c>...), each naming one version, by alias.</summary>
    public IReadOnlyList<ModelAlias> Aliases { get; init; } = [];

    /// <summary>Its newest version's number, or <see langword="null"/> before the first.</summary>
    public long? LatestVersion { get; init; }
}

/// <summary>An alias of a registered model and the one version it names.</summary>
/// <param name="Alias">The alias (<see cref="TrackingRules.CheckAlias"/>).</param>
/// <param name="Version">The version.</param>
public sealed record ModelAlias(string Alias, long Version);

/// <summary>
/// One version of a registered model (MLflow's <c>ModelVersion</c>): numbered from 1 in order of registration, linked to
/// the run that produced it and to its model file, whose SHA-256 is recorded at registration so that a file changed
/// afterwards is refused at load.
/// </summary>
public sealed record ModelVersion
{
    /// <summary>The registered model's name.</summary>
    public required string Name { get; init; }

    /// <summary>The version number (1, 2, ...).</summary>
    public required long Version { get; init; }

    /// <summary>When it was registered, in milliseconds since the Unix epoch.</summary>
    public long CreationTime { get; init; }

    /// <summary>When its description or tags last changed, in milliseconds since the Unix epoch.</summary>
    public long LastUpdatedTime { get; init; }

    /// <summary>Who registered it.</summary>
    public string UserId { get; init; } = "";

    /// <summary>Its description (empty by default).</summary>
    public string Description { get; init; } = "";

    /// <summary>Where its model is, as given at registration (such as <c>runs:/RUN/model</c>).</summary>
    public required string Source { get; init; }

    /// <summary>The run that produced it, or <see langword="null"/> for a model registered from elsewhere.</summary>
    public string? RunId { get; init; }

    /// <summary>The model file's path under the run's artifacts, or <see langword="null"/> when the source is not a file of the run.</summary>
    public string? ArtifactPath { get; init; }

    /// <summary>The model file's SHA-256 at registration (lower-case hex), or <see langword="null"/> when there is no file.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The fingerprint of the data the model was trained on (from its file), or <see langword="null"/> for a file that is not a CreditScoring model.</summary>
    public string? DataFingerprint { get; init; }

    /// <summary>The SDK version that wrote the model file, or <see langword="null"/> for a file that is not a CreditScoring model.</summary>
    public string? SdkVersion { get; init; }

    /// <summary>MLflow's status: always <c>READY</c> (registration is synchronous).</summary>
    public string Status { get; init; } = "READY";

    /// <summary>Its tags, by key.</summary>
    public IReadOnlyList<RunTag> Tags { get; init; } = [];

    /// <summary>The aliases that name it, in order.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
}

/// <summary>A model version to register.</summary>
public sealed record NewModelVersion
{
    /// <summary>The registered model (it must exist).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Where the model is: <c>runs:/RUN/PATH</c>, <c>mlflow-artifacts:/EXPERIMENT/RUN/artifacts/PATH</c> (as a tracking
    /// server reports a run's artifacts), or the run's artifact URI followed by <c>/PATH</c>. PATH names the model
    /// file, or a folder holding <c>model.json</c> (as autologging's <c>model</c>). Another source is recorded as given,
    /// without a file.
    /// </summary>
    public required string Source { get; init; }

    /// <summary>The run that produced it (required with an artifact URI; read from <c>runs:/</c> otherwise).</summary>
    public string? RunId { get; init; }

    /// <summary>Its description (default: empty).</summary>
    public string Description { get; init; } = "";

    /// <summary>Its tags.</summary>
    public IReadOnlyList<RunTag> Tags { get; init; } = [];

    /// <summary>Who registers it (default: the operating system user).</summary>
    public string UserId { get; init; } = Environment.UserName;
}

/// <summary>What a registry action did.</summary>
public enum RegistryAction
{
    /// <summary>A registered model was created.</summary>
    ModelCreated,

    /// <summary>A registered model's description changed.</summary>
    ModelDescribed,

    /// <summary>A registered model's tag was set.</summary>
    ModelTagged,

    /// <summary>A version was registered.</summary>
    VersionCreated,

    /// <summary>A version's description changed.</summary>
    VersionDescribed,

    /// <summary>A version's tag was set.</summary>
    VersionTagged,

    /// <summary>An alias was set to a version (a promotion), possibly moving it from another.</summary>
    AliasSet,

    /// <summary>An alias was removed.</summary>
    AliasDeleted,
}

/// <summary>One entry of the registry's append-only audit log: who did what, when, to which model and version.</summary>
public sealed record RegistryEvent
{
    /// <summary>Its place in the log (1, 2, ...; no gaps).</summary>
    public required long Sequence { get; init; }

    /// <summary>When, in milliseconds since the Unix epoch.</summary>
    public required long Timestamp { get; init; }

    /// <summary>Who.</summary>
    public required string UserId { get; init; }

    /// <summary>What.</summary>
    public required RegistryAction Action { get; init; }

    /// <summary>The registered model.</summary>
    public required string Name { get; init; }

    /// <summary>The version acted on (for an alias: the version it now names), or <see langword="null"/>.</summary>
    public long? Version { get; init; }

    /// <summary>The alias, for <see cref="RegistryAction.AliasSet"/> and <see cref="RegistryAction.AliasDeleted"/>.</summary>
    public string? Alias { get; init; }

    /// <summary>The version an alias named before (a promotion's "from"), or <see langword="null"/>.</summary>
    public long? FromVersion { get; init; }

    /// <summary>What changed, in words (a tag's key and value, a description, a source and its SHA-256).</summary>
    public string Detail { get; init; } = "";
}
