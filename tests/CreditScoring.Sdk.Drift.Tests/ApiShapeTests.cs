namespace CreditScoring.Sdk.Drift.Tests;

/// <summary>The drift package's public surface can grow without breaking callers.</summary>
public class ApiShapeTests
{
    [Fact]
    public void NoPublicConstructorTakesMoreThanSixParameters()
    {
        var wide = ApiShape.WideConstructors(typeof(DriftDetector).Assembly, 6);

        Assert.True(wide.Count == 0, string.Join("\n", wide));
    }
}
