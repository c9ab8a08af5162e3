using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Learners.Scorecards;

namespace CreditScoring.Sdk.Training;

/// <summary>
/// The SDK's learners by name, configured by option name: any public settable property of the learner's
/// options class, by name (case-insensitive), parsed with the invariant culture. The CLI's <c>--option</c>
/// and hyperparameter search both go through it.
/// </summary>
internal static class LearnerOptionsBinder
{
    private static readonly ConcurrentDictionary<string, (Func<object> NewOptions, Func<object, ICreditLearner> Create, Type OptionsType)> Learners = new(
        [
            KeyValuePair.Create("logistic", ((Func<object>)(() => new LogisticRegressionOptions()), (Func<object, ICreditLearner>)(o => new LogisticRegressionLearner((LogisticRegressionOptions)o)), typeof(LogisticRegressionOptions))),
            KeyValuePair.Create("gbdt", ((Func<object>)(() => new GradientBoostingOptions()), (Func<object, ICreditLearner>)(o => new GradientBoostingLearner((GradientBoostingOptions)o)), typeof(GradientBoostingOptions))),
            KeyValuePair.Create("scorecard", ((Func<object>)(() => new ScorecardOptions()), (Func<object, ICreditLearner>)(o => new ScorecardLearner((ScorecardOptions)o)), typeof(ScorecardOptions))),
        ],
        StringComparer.OrdinalIgnoreCase);

    private static readonly string[] BuiltIn = ["logistic", "gbdt", "scorecard"];

    /// <summary>The names: the SDK's in their usual order, then registered ones in ordinal order.</summary>
    public static IEnumerable<string> Names => [.. BuiltIn, .. Learners.Keys.Except(BuiltIn, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];

    public static void Register(string name, Func<object> newOptions, Func<object, ICreditLearner> create, Type optionsType)
    {
        var entry = (newOptions, create, optionsType);
        var existing = Learners.GetOrAdd(name, entry);
        if (existing.OptionsType != optionsType)
        {
            throw new ConfigurationException($"the learner name '{name}' is already taken by a learner with options {existing.OptionsType.Name}; register {optionsType.Name} under another name.");
        }
    }

    public static ICreditLearner Create(string name, IEnumerable<string> options)
    {
        if (!Learners.TryGetValue(name, out var entry))
        {
            throw new ConfigurationException($"unknown learner '{name}'; available: {string.Join(", ", Names)}.");
        }

        var target = entry.NewOptions();
        foreach (var option in options)
        {
            Apply(name, target, option);
        }

        return entry.Create(target);
    }

    /// <summary>One line per option of a learner: name, type and default.</summary>
    public static IEnumerable<string> Describe(string name) => DescribeOptions(Learners[name].NewOptions());

    /// <summary>A fresh options object with <c>NAME=VALUE</c> settings applied, for a learner known by its options type.</summary>
    /// <param name="create">Creates the options with their base values.</param>
    /// <param name="settings">The settings, by property name (case-insensitive), values in the invariant culture.</param>
    /// <param name="owner">Names the options in errors, e.g. <c>GradientBoostingOptions</c>.</param>
    public static T Bind<T>(Func<T> create, IEnumerable<string> settings, string owner)
        where T : class
    {
        var target = create();
        foreach (var setting in settings)
        {
            Apply(owner, target, setting);
        }

        return target;
    }

    /// <summary>Whether <paramref name="type"/> has a settable option of this name (case-insensitive).</summary>
    public static bool HasOption(Type type, string name) => Settable(type).Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> DescribeOptions(object defaults) =>
        Settable(defaults.GetType()).Select(p => $"{p.Name} ({TypeName(p.PropertyType)}, default {Format(p.GetValue(defaults))})");

    private static void Apply(string learner, object target, string option)
    {
        var eq = option.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ConfigurationException($"learner option '{option}' is not NAME=VALUE (e.g. L2Regularization=0.5).");
        }

        var name = option[..eq].Trim();
        var text = option[(eq + 1)..].Trim();
        var property = Settable(target.GetType()).FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ConfigurationException($"learner '{learner}' has no option '{name}'; its options are: {string.Join("; ", DescribeOptions(Activator.CreateInstance(target.GetType())!))}.");
        if (property.PropertyType == typeof(IDictionary<string, int>))
        {
            // e.g. --option MonotoneConstraints=NumberOfTimes90DaysLate:1,age:-1
            var map = (IDictionary<string, int>)property.GetValue(target)!;
            foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var colon = entry.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(entry[(colon + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    throw new ConfigurationException($"option {property.Name} expects NAME:NUMBER pairs separated by commas (e.g. {property.Name}=age:-1,DebtRatio:1), but got '{entry}'.");
                }

                map[entry[..colon]] = number;
            }

            return;
        }

        if (property.PropertyType == typeof(IDictionary<string, double[]>))
        {
            // e.g. --option SpecialValues=NumberOfTimes90DaysLate:96|98,NumberOfTime30-59DaysPastDueNotWorse:96|98
            var values = (IDictionary<string, double[]>)property.GetValue(target)!;
            foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var colon = entry.LastIndexOf(':');
                var numbers = colon <= 0 ? [] : entry[(colon + 1)..].Split('|').Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : double.NaN).ToArray();
                if (numbers.Length == 0 || numbers.Any(double.IsNaN))
                {
                    throw new ConfigurationException($"option {property.Name} expects NAME:V1|V2 entries separated by commas (e.g. {property.Name}=NumberOfTimes90DaysLate:96|98), but got '{entry}'.");
                }

                values[entry[..colon]] = numbers;
            }

            return;
        }

        property.SetValue(target, Parse(property, text));
    }

    private static object Parse(PropertyInfo property, string text)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        object? value = null;
        if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            value = d;
        }
        else if (type == typeof(int) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
        {
            value = i;
        }
        else if (type == typeof(bool) && bool.TryParse(text, out var b))
        {
            value = b;
        }
        else if (type.IsEnum && Enum.TryParse(type, text, ignoreCase: true, out var e) && Enum.IsDefined(type, e!))
        {
            value = e;
        }
        else if (type == typeof(string))
        {
            value = text;
        }

        return value ?? throw new ConfigurationException($"option {property.Name} expects {TypeName(type)}, but got '{text}'.");
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && ((p.CanWrite && p.SetMethod!.IsPublic) || p.PropertyType == typeof(IDictionary<string, int>) || p.PropertyType == typeof(IDictionary<string, double[]>)));

    private static string TypeName(Type type) => type switch
    {
        _ when type == typeof(double) => "a number",
        _ when type == typeof(int) => "an integer",
        _ when type == typeof(bool) => "true or false",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ when type == typeof(IDictionary<string, int>) => "NAME:NUMBER pairs",
        _ when type == typeof(IDictionary<string, double[]>) => "NAME:V1|V2 entries",
        _ => "text",
    };

    private static string Format(object? value) => value switch
    {
        null => "none",
        bool b => b ? "true" : "false",
        IDictionary<string, int> d => d.Count == 0 ? "none" : string.Join(",", d.Select(p => $"{p.Key}:{p.Value}")),
        IDictionary<string, double[]> d => d.Count == 0 ? "none" : string.Join(",", d.Select(p => $"{p.Key}:{string.Join("|", p.Value)}")),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
