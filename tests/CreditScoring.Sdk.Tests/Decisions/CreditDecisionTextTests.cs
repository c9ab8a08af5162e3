using CreditScoring.Sdk.Decisions;

namespace CreditScoring.Sdk.Tests.Decisions;

public class CreditDecisionTextTests
{
    [Fact]
    public void ADecision_IsWrittenAsApproveOrDecline_AndNoOtherValueIsWrittenAsEither()
    {
        Assert.Equal("approve", CreditDecision.Approve.ToText());
        Assert.Equal("decline", CreditDecision.Decline.ToText());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((CreditDecision)7).ToText());
        Assert.Equal("approve", CreditDecisionText.Approve);
        Assert.Equal("decline", CreditDecisionText.Decline);
    }
}
