namespace CreditScoring.Sdk.Resampling;

/// <summary>The SDK's resamplers, for <c>pipeline.Resample(r =&gt; r.Smote())</c>.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A catalog instance is the fluent entry point, as ML.NET's catalogs.")]
public sealed class ResamplerCatalog
{
    internal ResamplerCatalog()
    {
    }

    /// <summary>SMOTE (<see cref="Resampling.Smote"/>).</summary>
    /// <param name="neighbors">Default 5.</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    /// <returns>The resampler.</returns>
    public Resampler Smote(int neighbors = 5, SamplingStrategy? strategy = null) => new Smote(neighbors, strategy);

    /// <summary>SMOTE growing the minority to <paramref name="minorityRatio"/> × the majority.</summary>
    /// <param name="neighbors">The neighbor count.</param>
    /// <param name="minorityRatio">In (0, 1].</param>
    /// <returns>The resampler.</returns>
    public Resampler Smote(int neighbors, double minorityRatio) => new Smote(neighbors, SamplingStrategy.Ratio(minorityRatio));

    /// <summary>Borderline-SMOTE (<see cref="BorderlineSmote"/>).</summary>
    /// <param name="kind">Default <see cref="BorderlineKind.Borderline1"/>.</param>
    /// <param name="neighbors">Default 5.</param>
    /// <param name="dangerNeighbors">Default 10.</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    /// <returns>The resampler.</returns>
    public Resampler BorderlineSmote(BorderlineKind kind = BorderlineKind.Borderline1, int neighbors = 5, int dangerNeighbors = 10, SamplingStrategy? strategy = null) => new BorderlineSmote(kind, neighbors, dangerNeighbors, strategy);

    /// <summary>SMOTE-NC (<see cref="Resampling.SmoteNc"/>).</summary>
    /// <param name="neighbors">Default 5.</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    /// <returns>The resampler.</returns>
    public Resampler SmoteNc(int neighbors = 5, SamplingStrategy? strategy = null) => new SmoteNc(neighbors, strategy);

    /// <summary>ADASYN (<see cref="Resampling.Adasyn"/>).</summary>
    /// <param name="neighbors">Default 5.</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    /// <returns>The resampler.</returns>
    public Resampler Adasyn(int neighbors = 5, SamplingStrategy? strategy = null) => new Adasyn(neighbors, strategy);

    /// <summary>Random over-sampling (<see cref="RandomOverSampler"/>).</summary>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    /// <returns>The resampler.</returns>
    public Resampler RandomOver(SamplingStrategy? strategy = null) => new RandomOverSampler(strategy);

    /// <summary>Random under-sampling (<see cref="RandomUnderSampler"/>).</summary>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    /// <returns>The resampler.</returns>
    public Resampler RandomUnder(SamplingStrategy? strategy = null) => new RandomUnderSampler(strategy);

    /// <summary>A resampler by its CLI name: <c>smote</c>, <c>borderline</c>, <c>borderline2</c>, <c>smotenc</c>, <c>adasyn</c>, <c>over</c>, <c>under</c>.</summary>
    /// <param name="name">The name (case-insensitive).</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    /// <returns>The resampler.</returns>
    /// <exception cref="ConfigurationException">The name is unknown.</exception>
    public static Resampler Create(string name, SamplingStrategy? strategy = null) => (name ?? throw new ArgumentNullException(nameof(name))).ToLowerInvariant() switch
    {
        "smote" => new Smote(strategy: strategy),
        "borderline" or "borderline1" => new BorderlineSmote(strategy: strategy),
        "borderline2" => new BorderlineSmote(BorderlineKind.Borderline2, strategy: strategy),
        "smotenc" or "smote-nc" => new SmoteNc(strategy: strategy),
        "adasyn" => new Adasyn(strategy: strategy),
        "over" or "random-over" => new RandomOverSampler(strategy),
        "under" or "random-under" => new RandomUnderSampler(strategy),
        _ => throw new ConfigurationException($"Unknown resampler '{name}'; use one of: {string.Join(", ", Names)}."),
    };

    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["smote", "borderline", "borderline2", "smotenc", "adasyn", "over", "under"];
}
