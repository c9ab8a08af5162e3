using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.MLNet.Tests;

/// <summary>The bundled credit data (target <c>default</c>), split stratified 80/20 with seed 42, read once for every test class.</summary>
internal static class CreditSplit
{
    private static readonly Lazy<(CreditData Train, CreditData Test)> Split = new(() =>
    {
        var (train, test) = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default")).SplitStratified(testFraction: 0.2, seed: 42);
        return (train, test);
    });

    public static CreditData Train => Split.Value.Train;

    public static CreditData Test => Split.Value.Test;
}
