using System.Reflection;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Learners.Scorecards;

namespace CreditScoring.Sdk.Tests.Learners;

/// <summary>
/// A learner reads its options from a snapshot taken when it is created: every property is in the snapshot (none
/// can be forgotten, as with a field-by-field copy), and later changes to the caller's options do not reach it.
/// </summary>
public class OptionsSnapshotTests
{
    [Fact]
    public void GradientBoosting() => Check(new GradientBoostingOptions(), o => o.Snapshot(), o => new GradientBoostingLearner(o).Parameters, o => o.UnbalancedSets = false); // one way to reweight at a time

    [Fact]
    public void LogisticRegression() => Check(new LogisticRegressionOptions(), o => o.Snapshot(), o => new LogisticRegressionLearner(o).Parameters);

    [Fact]
    public void Scorecard() => Check(new ScorecardOptions(), o => o.Snapshot(), o => new ScorecardLearner(o).Parameters);

    private static void Check<T>(T options, Func<T, T> snapshot, Func<T, IReadOnlyDictionary<string, string>> parameters, Action<T>? consistent = null)
        where T : class
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var changed = 0;
        foreach (var p in properties.Where(p => p.CanWrite))
        {
            p.SetValue(options, Different(p.PropertyType, p.GetValue(options)));
            changed++;
        }

        consistent?.Invoke(options);
        Dictionaries(options);
        var copy = snapshot(options);
        var recorded = parameters(options);

        Assert.True(changed >= 6, $"only {changed} settable options on {typeof(T).Name}");
        foreach (var p in properties)
        {
            Assert.Equal(Text(p.GetValue(options)), Text(p.GetValue(copy)));
            if (p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            {
                Assert.NotSame(p.GetValue(options), p.GetValue(copy));
            }
        }

        // Changing every option afterwards changes neither the snapshot nor what the learner records.
        var before = properties.ToDictionary(p => p.Name, p => Text(p.GetValue(copy)));
        foreach (var p in properties.Where(p => p.CanWrite))
        {
            p.SetValue(options, Different(p.PropertyType, p.GetValue(options)));
        }

        consistent?.Invoke(options);
        Dictionaries(options);
        Assert.Equal(before, properties.ToDictionary(p => p.Name, p => Text(p.GetValue(copy))));
        Assert.Equal(recorded, parameters(snapshot(copy)));
    }

    private static void Dictionaries(object options)
    {
        foreach (var p in options.GetType().GetProperties())
        {
            switch (p.GetValue(options))
            {
                case IDictionary<string, int> d: d["x" + d.Count] = 1; break;
                case IDictionary<string, double[]> d: d["x" + d.Count] = [1, 2]; break;
            }
        }
    }

    private static object? Different(Type type, object? value) => value switch
    {
        double d => d > 0 ? d * 0.5 : d + 0.25,
        int i => i > 2 ? i - 1 : i + 1,
        bool b => !b,
        Enum e => Enum.GetValues(type).Cast<object>().First(v => !v.Equals(e)),
        IDictionary<string, double[]> d => new Dictionary<string, double[]>(d) { ["s" + d.Count] = [9] },
        null when Nullable.GetUnderlyingType(type) is { IsEnum: true } inner => Enum.GetValues(inner).GetValue(0),
        null when Nullable.GetUnderlyingType(type) == typeof(int) => 7,
        null when Nullable.GetUnderlyingType(type) == typeof(double) => 0.5,
        string s => s + "x",
        _ => throw new InvalidOperationException($"no different value for {type.Name}"),
    };

    private static string Text(object? value) => value switch
    {
        IDictionary<string, int> d => string.Join(",", d.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}")),
        IDictionary<string, double[]> d => string.Join(",", d.OrderBy(p => p.Key).Select(p => $"{p.Key}:{string.Join("|", p.Value)}")),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };
}
