using CreditScoring.Sdk.MLNet;

namespace CreditScoring.Sdk.MLNet.Tests;

/// <summary>The ML.NET package's public surface can grow without breaking callers.</summary>
public class ApiShapeTests
{
    [Fact]
    public void NoPublicConstructorTakesMoreThanSixParameters()
    {
        var wide = ApiShape.WideConstructors(typeof(CreditDataViews).Assembly, 6);

        Assert.True(wide.Count == 0, string.Join("\n", wide));
    }
}
