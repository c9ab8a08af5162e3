using System.Collections.Concurrent;

namespace CreditScoring.Sdk.Features;

/// <summary>A user feature function: computes one value from the values of its source columns (NaN = missing). It must not allocate or keep state.</summary>
/// <param name="inputs">The source values, in the order the step lists them.</param>
/// <returns>The feature value (NaN for missing).</returns>
public delegate double CustomFeature(ReadOnlySpan<double> inputs);

/// <summary>
/// The process-wide registry of named user feature functions. A pipeline step made with
/// <c>f.Custom(name, ...)</c> saves only the function's name in the model file, not its code, so
/// every process that loads such a model must register the same function under the same name first;
/// loading without it fails with a message naming the function.
/// </summary>
public static class CustomFeatures
{
    private static readonly ConcurrentDictionary<string, CustomFeature> Functions = new(StringComparer.Ordinal);

    /// <summary>Registers (or replaces) a function under a name.</summary>
    /// <param name="name">The name saved in model files, e.g. <c>months_since</c>.</param>
    /// <param name="function">The function.</param>
    public static void Register(string name, CustomFeature function)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(function);
        Functions[name] = function;
    }

    /// <summary>Whether a function is registered under a name.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public static bool IsRegistered(string name) => Functions.ContainsKey(name);

    internal static CustomFeature Resolve(string name) =>
        Functions.TryGetValue(name, out var f)
            ? f
            : throw new ConfigurationException($"The custom feature function '{name}' is not registered in this process; call CustomFeatures.Register(\"{name}\", ...) before fitting or loading a model that uses it.");
}
