namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>
/// Single-precision comparisons (XGBoost's <c>float(x) &lt; c</c>) as double thresholds (<c>x ≤ t</c>), for
/// round-to-nearest-even conversion of x to float.
/// </summary>
internal static class Float32Threshold
{
    /// <summary>The largest double t with float(x) &lt; c ⇔ x ≤ t, for round-to-nearest-even conversion.</summary>
    public static double FromFloatLessThan(float c)
    {
        if (float.IsNegativeInfinity(c))
        {
            return double.NegativeInfinity;
        }

        if (float.IsPositiveInfinity(c))
        {
            return double.PositiveInfinity;
        }

        var below = MathF.BitDecrement(c);
        var mid = ((double)below + c) / 2;
        return (float)mid < c ? mid : Math.BitDecrement(mid);
    }

    /// <summary>The float c with float(x) &lt; c ⇔ x ≤ t for every x not within float rounding of t.</summary>
    public static float ToFloatLessThan(double t)
    {
        if (double.IsPositiveInfinity(t) || t >= float.MaxValue)
        {
            return float.PositiveInfinity;
        }

        var f = (float)t;
        if (f > t)
        {
            f = MathF.BitDecrement(f);
        }

        return MathF.BitIncrement(f);
    }

    /// <summary>
    /// The bound between consecutive distinct values a &lt; b: the largest double that rounds to a float
    /// below float(b), so that x ≤ bound exactly when float(x) &lt; float(b) — XGBoost's own comparison,
    /// which keeps exports to its float32 format exact. NaN when a and b round to the same float (no
    /// float32 threshold separates them, so they share a bin).
    /// </summary>
    public static double Between(double a, double b)
    {
        var fb = (float)b;
        return (float)a < fb && float.IsFinite(fb) ? FromFloatLessThan(fb) : double.NaN;
    }
}
