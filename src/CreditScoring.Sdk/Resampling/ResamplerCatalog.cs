using System.Collections.Concurrent;

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

    /// <summary>
    /// A resampler by name: the SDK's <c>smote</c>, <c>borderline</c> (or <c>borderline1</c>), <c>borderline2</c>,
    /// <c>smotenc</c> (or <c>smote-nc</c>), <c>adasyn</c>, <c>over</c> (or <c>random-over</c>), <c>under</c> (or
    /// <c>random-under</c>), and those added with <see cref="Register"/>. The CLI's <c>--resample</c> takes these names.
    /// </summary>
    /// <param name="name">The name (case-insensitive).</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    /// <returns>The resampler.</returns>
    /// <exception cref="ConfigurationException">The name is unknown.</exception>
    public static Resampler Create(string name, SamplingStrategy? strategy = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Registered.TryGetValue(name, out var create)
            ? create(strategy)
            : throw new ConfigurationException($"Unknown resampler '{name}'; use one of: {string.Join(", ", Names)}.");
    }

    /// <summary>
    /// Makes a resampler available by name to <see cref="Create"/> and the CLI's <c>--resample</c> (e.g. one from another
    /// assembly). Registering the same name twice is an error. Thread-safe.
    /// </summary>
    /// <param name="name">The name (case-insensitive).</param>
    /// <param name="create">Creates the resampler for a sampling strategy (<see langword="null"/> for the default).</param>
    /// <exception cref="ConfigurationException">The name is taken.</exception>
    public static void Register(string name, Func<SamplingStrategy?, Resampler> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        if (!Registered.TryAdd(name, create))
        {
            throw new ConfigurationException($"the resampler name '{name}' is already registered.");
        }

        lock (Registered)
        {
            _names = [.. _names, name];
        }
    }

    /// <summary>The names <see cref="Create"/> accepts (aliases left out): the SDK's, then registered ones.</summary>
    public static IReadOnlyList<string> Names => _names;

    private static string[] _names = ["smote", "borderline", "borderline2", "smotenc", "adasyn", "over", "under"];

    private static readonly ConcurrentDictionary<string, Func<SamplingStrategy?, Resampler>> Registered = new(
        new Dictionary<string, Func<SamplingStrategy?, Resampler>>
        {
            ["smote"] = s => new Smote(strategy: s),
            ["borderline"] = s => new BorderlineSmote(strategy: s),
            ["borderline1"] = s => new BorderlineSmote(strategy: s),
            ["borderline2"] = s => new BorderlineSmote(BorderlineKind.Borderline2, strategy: s),
            ["smotenc"] = s => new SmoteNc(strategy: s),
            ["smote-nc"] = s => new SmoteNc(strategy: s),
            ["adasyn"] = s => new Adasyn(strategy: s),
            ["over"] = s => new RandomOverSampler(s),
            ["random-over"] = s => new RandomOverSampler(s),
            ["under"] = s => new RandomUnderSampler(s),
            ["random-under"] = s => new RandomUnderSampler(s),
        },
        StringComparer.OrdinalIgnoreCase);
}
