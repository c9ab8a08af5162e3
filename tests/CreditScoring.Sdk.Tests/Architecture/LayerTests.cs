using System.Reflection;
using System.Runtime.CompilerServices;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Tests.Architecture;

/// <summary>
/// The core's namespaces form a one-way chain: a namespace uses its own types and those of lower layers, never a higher
/// layer's. The test reads the sources (comments and string literals removed, interpolation holes kept), indexes every
/// top-level type by namespace, and reports each file that names a type, or imports a namespace, of a higher layer.
/// </summary>
public class LayerTests
{
    /// <summary>The chain, lowest first. A namespace below another never uses it.</summary>
    internal static readonly string[] Layers =
    [
        "Exceptions",   // CreditScoringException and its subclasses, in the root namespace: every layer may throw them
        "Internal",
        "Data",
        "Features",     // also the scoring contract (InputSchema) and what a learner accepts (LearnerCapabilities)
        "Decisions",    // cost matrices, confusion matrices, thresholds and decision policies
        "Evaluation",   // metrics, reports and diagnostics, which quote the decision rule's threshold
        "Tracking",     // experiments, runs, their rules and search grammar; what training logs to
        "Learners",     // the learner contracts, calibration, and one folder per learner
        "Resampling",
        "Scoring",      // the model, its file, the scorer
        "Interop",      // XGBoost / LightGBM import and export
        "Explanations", // contributions, reason codes, standing against the population
        "Training",     // the context (root namespace), pipelines, cross-validation
        "Tuning",       // hyperparameter search
        "Reporting",    // the JSON evaluation report, over everything it reports
        "Hosting",      // dependency injection, options, metrics
    ];

    [Fact]
    public void NoNamespaceUsesAHigherLayer()
    {
        var violations = Violations(SourceIndex.Read(CoreSources));

        Assert.True(violations.Count == 0, "Upward dependencies:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void AnUpwardReferenceIsReported()
    {
        // Data naming a Scoring type, the kind of edit the chain forbids, through both a using directive and a type.
        var files = SourceIndex.Read(CoreSources).ToList();
        var data = files.First(f => f.Namespace == "CreditScoring.Sdk.Data");
        files[files.IndexOf(data)] = SourceIndex.Parse(data.Path, "using CreditScoring.Sdk.Scoring;\nnamespace CreditScoring.Sdk.Data;\ninternal static class Probe { public static object? Model(CreditModel? m) => m; }\n");

        var violations = Violations(files);

        Assert.Contains(violations, v => v.Contains("imports CreditScoring.Sdk.Scoring", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("uses CreditModel (CreditScoring.Sdk.Scoring)", StringComparison.Ordinal));
    }

    [Fact]
    public void CommentsAndStringsDoNotCount_InterpolationHolesDo()
    {
        var file = SourceIndex.Parse("x.cs", """"
            namespace CreditScoring.Sdk.Data;
            // CreditModel in a comment
            /* CreditModel in a block comment */
            internal static class Probe
            {
                public const string A = "CreditModel in a string";
                public const string B = @"CreditModel in a verbatim ""string""";
                public static string C(object o) => $"{{CreditModel}} {o} {(o is Scoring.CreditModel ? "yes" : "no")}";
            }
            """");

        Assert.Contains("CreditModel", file.Identifiers); // from the hole of the interpolated string
        var stripped = SourceIndex.Strip(file.Code);
        Assert.DoesNotContain("in a comment", stripped, StringComparison.Ordinal);
        Assert.DoesNotContain("in a string", stripped, StringComparison.Ordinal);
        Assert.DoesNotContain("verbatim", stripped, StringComparison.Ordinal);
    }

    [Fact]
    public void LearnerContractsNeverNameALearner()
    {
        // A learner is a capability folder (Learners.X) that plugs into the contracts of CreditScoring.Sdk.Learners;
        // the contracts know no learner, so a learner from another assembly is a peer of the SDK's own.
        var files = SourceIndex.Read(CoreSources);
        var types = SourceIndex.TypesByName(files);
        var offenders = files.Where(f => f.Namespace == "CreditScoring.Sdk.Learners")
            .SelectMany(f => f.Identifiers.Where(i => types.TryGetValue(i, out var ns) && ns.StartsWith("CreditScoring.Sdk.Learners.", StringComparison.Ordinal))
                .Select(i => $"{f.Path} uses {i} ({types[i]})"))
            .ToList();

        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [Fact]
    public void EachPublicTypeNameIsDeclaredOnce_AcrossTheCoreAndDrift()
    {
        // Two public types of one name in two namespaces make a file that imports both fail with CS0104.
        var files = SourceIndex.Read(CoreSources).Concat(SourceIndex.Read(DriftSources));
        var twice = files.SelectMany(f => f.PublicTypes.Select(t => (Type: t, f.Namespace)))
            .GroupBy(t => t.Type)
            .Where(g => g.Select(t => t.Namespace).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(t => t.Namespace).Distinct())}")
            .ToList();

        Assert.True(twice.Count == 0, "Declared in more than one namespace:\n" + string.Join("\n", twice));
    }

    [Fact]
    public void OnlyTestsAndBenchmarksSeeTheCoresInternals()
    {
        // The Drift package ships on its own schedule, so it may use only the core's public API.
        var friends = typeof(CreditData).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).Order().ToArray();

        Assert.Equal(["CreditScoring.Benchmarks", "CreditScoring.Sdk.Tests"], friends);
    }

    private static string CoreSources => Path.Combine(TestPaths.RepositoryRoot, "src", "CreditScoring.Sdk");

    private static string DriftSources => Path.Combine(TestPaths.RepositoryRoot, "src", "CreditScoring.Sdk.Drift");

    private static List<string> Violations(IReadOnlyList<SourceFile> files)
    {
        var types = SourceIndex.TypesByName(files);
        var violations = new List<string>();
        foreach (var file in files)
        {
            var own = Layer(file.Namespace, null);
            foreach (var import in file.Imports.Where(i => i.StartsWith("CreditScoring.Sdk", StringComparison.Ordinal)))
            {
                if (Layer(import, null) > own)
                {
                    violations.Add($"{file.Path} ({file.Namespace}) imports {import}");
                }
            }

            foreach (var name in file.Identifiers)
            {
                if (types.TryGetValue(name, out var ns) && Layer(ns, name) > own)
                {
                    violations.Add($"{file.Path} ({file.Namespace}) uses {name} ({ns})");
                }
            }
        }

        return violations;
    }

    /// <summary>The layer of a namespace (and, in the root namespace, of a type: exceptions are the lowest layer).</summary>
    private static int Layer(string ns, string? type)
    {
        if (ns == "Microsoft.Extensions.DependencyInjection")
        {
            return Array.IndexOf(Layers, "Hosting");
        }

        var parts = ns.Split('.');
        Assert.True(parts.Length >= 2 && parts[0] == "CreditScoring" && parts[1] == "Sdk", $"namespace {ns} is outside the SDK");
        var name = parts.Length == 2 ? (type?.EndsWith("Exception", StringComparison.Ordinal) == true ? "Exceptions" : "Training") : parts[2];
        var layer = Array.IndexOf(Layers, name);
        Assert.True(layer >= 0, $"namespace {ns} has no layer: add it to LayerTests.Layers in its place in the chain");
        return layer;
    }
}
