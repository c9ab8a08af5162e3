using System.Reflection;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.Tests.Features;

/// <summary>
/// Each fitted step class reads back what it saves, and the model file finds that loader by the step's type: a step
/// class without a loader line could be saved but never loaded again.
/// </summary>
public class FittedStepLoaderTests
{
    [Fact]
    public void EveryFittedStepClass_HasALoader_UnderItsOwnTypeName()
    {
        var classes = typeof(FeatureStep).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(FeatureStep)) && !t.IsAbstract)
            .ToArray();
        var names = classes
            .Select(t => (string)t.GetField("TypeName", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(10, classes.Length);
        Assert.Equal(names, FeatureStep.LoadableTypes.Order(StringComparer.Ordinal));
        Assert.All(classes, t => Assert.NotNull(t.GetMethod("Load", BindingFlags.Public | BindingFlags.Static, [typeof(int[]), typeof(FeatureInfo[]), typeof(StepState)])));
    }

    [Fact]
    public void AnUnknownStepType_IsRefused_WithTheKnownTypes()
    {
        var e = Assert.Throws<ArgumentException>(() => FeatureStep.Load("winsorize", [0], [new FeatureInfo("x", FeatureKind.Continuous)], new StepState()));

        Assert.Contains("unknown feature step type 'winsorize'", e.Message);
        Assert.Contains("impute", e.Message);
        Assert.Contains("woe", e.Message);
    }
}
