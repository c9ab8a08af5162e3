using System.Reflection;

namespace CreditScoring.Sdk.TestUtils;

/// <summary>Checks on the shape of a package's public surface.</summary>
public static class ApiShape
{
    /// <summary>
    /// Public constructors of public types with more than <paramref name="maximum"/> parameters. A positional record's
    /// constructor breaks every caller when a field is added; results with many values are records of required init
    /// properties instead, which grow by adding one.
    /// </summary>
    /// <param name="assembly">The package's assembly.</param>
    /// <param name="maximum">The most parameters allowed.</param>
    /// <returns>One line per offending constructor.</returns>
    public static IReadOnlyList<string> WideConstructors(Assembly assembly, int maximum)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetExportedTypes()
            .SelectMany(t => t.GetConstructors(BindingFlags.Public | BindingFlags.Instance).Select(c => (Type: t, Parameters: c.GetParameters().Length)))
            .Where(c => c.Parameters > maximum)
            .Select(c => $"{c.Type.FullName}: {c.Parameters} parameters")
            .ToList();
    }
}
