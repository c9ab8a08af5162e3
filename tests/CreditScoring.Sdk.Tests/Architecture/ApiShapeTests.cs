using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Tests.Architecture;

/// <summary>The core's public surface can grow without breaking callers.</summary>
public class ApiShapeTests
{
    [Fact]
    public void NoPublicConstructorTakesMoreThanSixParameters()
    {
        var wide = ApiShape.WideConstructors(typeof(CreditData).Assembly, 6);

        Assert.True(wide.Count == 0, string.Join("\n", wide));
    }
}
