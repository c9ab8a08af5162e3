using CreditScoring.Sdk.Learners;

namespace CreditScoring.Sdk.Training;

/// <summary>
/// The learners a pipeline trains, for <c>Train(t =&gt; t.GradientBoosting(...))</c>: each learner's folder adds its
/// methods as extension methods (namespace <c>CreditScoring.Sdk</c>, as ML.NET's catalogs), and learners are also known by
/// name (<see cref="Create"/>, <see cref="Register"/>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A catalog instance is the fluent entry point, as ML.NET's catalogs.")]
public sealed class LearnerCatalog
{
    internal LearnerCatalog()
    {
    }

    /// <summary>The learner names <see cref="Create"/> accepts: <c>logistic</c>, <c>gbdt</c>, <c>scorecard</c>.</summary>
    public static IEnumerable<string> Names => LearnerOptionsBinder.Names;

    /// <summary>
    /// A learner by name with options set by name, e.g. <c>Create("gbdt", ["NumberOfLeaves=63", "LearningRate=0.05"])</c>:
    /// any public property of the learner's options class (case-insensitive), values in the invariant culture;
    /// dictionaries as <c>NAME:VALUE,...</c> (e.g. <c>MonotoneConstraints=age:-1</c>).
    /// </summary>
    /// <param name="name">The learner's name.</param>
    /// <param name="options"><c>NAME=VALUE</c> settings.</param>
    /// <returns>The learner.</returns>
    /// <exception cref="ConfigurationException">The learner, an option name or a value is unknown or malformed; the message lists what is accepted.</exception>
    public static ICreditLearner Create(string name, IEnumerable<string> options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        return LearnerOptionsBinder.Create(name, options);
    }

    /// <summary>One line per option of a learner: name, type and default.</summary>
    /// <param name="name">The learner's name.</param>
    /// <returns>The lines.</returns>
    public static IEnumerable<string> DescribeOptions(string name) => LearnerOptionsBinder.Describe(name);

    /// <summary>
    /// Makes a learner available by name to <see cref="Create"/>, the Batch CLI's <c>--learner</c> and search files: its
    /// options are set by property name. The SDK's own are <c>logistic</c>, <c>gbdt</c> and <c>scorecard</c>; an adapter from
    /// another assembly registers itself once (and its predictor's serializer, so its models save). Thread-safe.
    /// </summary>
    /// <typeparam name="TOptions">The learner's options type (public settable properties are its options).</typeparam>
    /// <param name="name">The name, e.g. <c>mlnet-fasttree</c> (case-insensitive).</param>
    /// <param name="create">Creates the learner from its options.</param>
    /// <exception cref="ConfigurationException">The name is already taken by another learner.</exception>
    public static void Register<TOptions>(string name, Func<TOptions, ICreditLearner> create)
        where TOptions : class, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        LearnerOptionsBinder.Register(name, () => new TOptions(), o => create((TOptions)o), typeof(TOptions));
    }

    /// <summary>What each learner folder's catalog extension does: checks the catalog, applies the configuration to fresh options, creates the learner.</summary>
    internal static ICreditLearner Configured<TOptions>(LearnerCatalog catalog, Action<TOptions> configure, Func<TOptions, ICreditLearner> create)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new TOptions();
        configure(options);
        return create(options);
    }
}
