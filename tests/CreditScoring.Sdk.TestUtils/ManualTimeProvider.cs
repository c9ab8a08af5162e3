namespace CreditScoring.Sdk.TestUtils;

/// <summary>A clock that only moves when told to (the Microsoft.Extensions.TimeProvider.Testing package is not available here).</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now;
    private long _ticks;

    public ManualTimeProvider(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        _now += by;
        _ticks += by.Ticks;
    }
}
