using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Internal;
using MathNet.Numerics;

namespace CreditScoring.Sdk.Drift;

/// <summary>How PSI cuts a numeric column into bins.</summary>
public enum PsiBinning
{
    /// <summary>Quantile bins of the reference (deciles by default): the credit-risk convention, robust to outliers.</summary>
    Quantile,

    /// <summary>Equal-width bins over the pooled range of reference and current (Evidently's own PSI binning).</summary>
    EqualWidth,
}

/// <summary>How the Kolmogorov–Smirnov p-value is computed.</summary>
public enum KsMethod
{
    /// <summary>Exact when neither sample has more than 10,000 values, asymptotic otherwise (SciPy's <c>"auto"</c>).</summary>
    Auto,

    /// <summary>The exact distribution (falls back to asymptotic when it cannot be computed, as SciPy does).</summary>
    Exact,

    /// <summary>The asymptotic distribution.</summary>
    Asymptotic,
}

/// <summary>A population stability index and the bins it was computed on.</summary>
/// <param name="Value">PSI = Σ (cur − ref) · ln(cur / ref) over bins.</param>
/// <param name="Edges">The inner bin edges (bins are (−∞, e₁], (e₁, e₂], …, (e_k, +∞) for quantile bins; [e₀, e₁), …, [e_{k−1}, e_k] for equal-width).</param>
/// <param name="ReferenceShares">The reference's share per bin (the missing bin last when there is one).</param>
/// <param name="CurrentShares">The current data's share per bin.</param>
/// <param name="HasMissingBin"><see langword="true"/> when a side has missing values, which then form the last bin.</param>
public sealed record PsiResult(double Value, IReadOnlyList<double> Edges, IReadOnlyList<double> ReferenceShares, IReadOnlyList<double> CurrentShares, bool HasMissingBin);

/// <summary>A two-sample Kolmogorov–Smirnov test.</summary>
/// <param name="Statistic">The largest distance between the two empirical distribution functions.</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="Method">How the p-value was computed (<see cref="KsMethod.Exact"/> or <see cref="KsMethod.Asymptotic"/>).</param>
public sealed record KsResult(double Statistic, double PValue, KsMethod Method);

/// <summary>A chi-square test of homogeneity.</summary>
/// <param name="Statistic">Pearson's statistic (with Yates' continuity correction when there is one degree of freedom).</param>
/// <param name="PValue">Upper tail probability.</param>
/// <param name="DegreesOfFreedom">Categories seen − 1.</param>
public sealed record ChiSquareResult(double Statistic, double PValue, int DegreesOfFreedom);

/// <summary>A two-proportion z-test.</summary>
/// <param name="Z">(p₁ − p₂) / √(p(1−p)(1/n₁ + 1/n₂)), p pooled.</param>
/// <param name="PValue">Two-sided p-value.</param>
public sealed record ZTestResult(double Z, double PValue);

/// <summary>
/// Drift statistics as pure functions over spans, each matching the formula of <c>../shared/peers/drift.py</c>
/// (NumPy/SciPy, Evidently-compatible) to 1e-9 relative. Numeric values are doubles with NaN for missing:
/// missing values are dropped for KS and Wasserstein and form their own bin for PSI and Jensen–Shannon.
/// </summary>
public static class DriftStatistics
{
    /// <summary>PSI's replacement for an empty bin's share (no renormalisation), as Evidently: 1e-4.</summary>
    public const double PsiEpsilon = 1e-4;

    /// <summary>The default number of PSI bins: 10.</summary>
    public const int DefaultBins = 10;

    /// <summary>The largest sample for which <see cref="KsMethod.Auto"/> computes the exact p-value: 10,000.</summary>
    public const int ExactKsLimit = 10_000;

    /// <summary>
    /// PSI of a numeric column. Quantile binning: edges are the reference's non-missing quantiles at 1/bins … (bins−1)/bins
    /// (NumPy's linear interpolation), duplicates collapsed so discrete columns get fewer bins; a value goes to the first bin
    /// whose upper edge is ≥ it. Shares are of all rows of a side (missing included), with one missing bin when either side
    /// has missing values. Equal-width binning: <paramref name="bins"/> equal bins over the pooled non-missing range, shares of
    /// non-missing values. A share of exactly 0 becomes <see cref="PsiEpsilon"/>.
    /// </summary>
    /// <param name="reference">Reference values.</param>
    /// <param name="current">Current values.</param>
    /// <param name="bins">Bins; default 10.</param>
    /// <param name="binning">Default <see cref="PsiBinning.Quantile"/>.</param>
    /// <returns>The PSI and its bins; NaN when a side has no non-missing value.</returns>
    public static PsiResult Psi(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, int bins = DefaultBins, PsiBinning binning = PsiBinning.Quantile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var c = SampleStatistics.SortedPresent(current);
        if (binning == PsiBinning.EqualWidth)
        {
            var r = SampleStatistics.SortedPresent(reference);
            if (r.Length == 0 || c.Length == 0)
            {
                return new PsiResult(double.NaN, [], [], [], false);
            }

            var edges = EqualWidthEdges(r, c, bins);
            var rs = Histogram(r, edges).Select(v => v / r.Length).ToArray();
            var cs = Histogram(c, edges).Select(v => v / c.Length).ToArray();
            return new PsiResult(PsiOfShares(rs, cs), edges, rs, cs, false);
        }

        return QuantileShares(new TableNumericReference(reference), current, c, bins) is { } q
            ? new PsiResult(PsiOfShares(q.Reference, q.Current), q.Edges, q.Reference, q.Current, q.Missing)
            : new PsiResult(double.NaN, [], [], [], false);
    }

    /// <summary>PSI = Σ (cur − ref) · ln(cur / ref) of two share vectors, a share of exactly 0 replaced by <see cref="PsiEpsilon"/>.</summary>
    /// <param name="reference">Reference shares.</param>
    /// <param name="current">Current shares, as many.</param>
    /// <returns>The PSI.</returns>
    public static double PsiOfShares(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        CheckSameLength(reference.Length, current.Length);
        var sum = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            var a = reference[i] == 0 ? PsiEpsilon : reference[i];
            var b = current[i] == 0 ? PsiEpsilon : current[i];
            sum += (b - a) * Math.Log(b / a);
        }

        return sum;
    }

    /// <summary>
    /// Jensen–Shannon distance (natural log) of a numeric column on PSI's quantile bins (missing bin included), without
    /// the epsilon: SciPy's <c>jensenshannon</c>. Divide by √ln 2 for base 2.
    /// </summary>
    /// <param name="reference">Reference values.</param>
    /// <param name="current">Current values.</param>
    /// <param name="bins">Bins; default 10.</param>
    /// <returns>The distance in [0, √ln 2]; NaN when a side has no non-missing value.</returns>
    public static double JensenShannon(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, int bins = DefaultBins)
    {
        var psi = Psi(reference, current, bins);
        return double.IsNaN(psi.Value) ? double.NaN : JensenShannonOfShares([.. psi.ReferenceShares], [.. psi.CurrentShares]);
    }

    /// <summary>Jensen–Shannon distance (natural log) of two distributions, each normalised to sum 1 first, as SciPy's <c>jensenshannon</c>.</summary>
    /// <param name="p">Weights of the first distribution.</param>
    /// <param name="q">Weights of the second, as many.</param>
    /// <returns>√((KL(p‖m) + KL(q‖m)) / 2), m = (p + q)/2.</returns>
    public static double JensenShannonOfShares(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        CheckSameLength(p.Length, q.Length);
        double sp = 0, sq = 0;
        for (var i = 0; i < p.Length; i++)
        {
            sp += p[i];
            sq += q[i];
        }

        double left = 0, right = 0;
        for (var i = 0; i < p.Length; i++)
        {
            var a = p[i] / sp;
            var b = q[i] / sq;
            var m = (a + b) / 2.0;
            left += RelativeEntropy(a, m);
            right += RelativeEntropy(b, m);
        }

        return Math.Sqrt((left + right) / 2.0);
    }

    /// <summary>Two-sample Kolmogorov–Smirnov test on the non-missing values, as SciPy's <c>ks_2samp</c> (two-sided).</summary>
    /// <param name="reference">Reference values.</param>
    /// <param name="current">Current values.</param>
    /// <param name="method">Default <see cref="KsMethod.Auto"/>.</param>
    /// <returns>The statistic and p-value; NaN for both when a side has no non-missing value.</returns>
    public static KsResult KolmogorovSmirnov(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, KsMethod method = KsMethod.Auto) =>
        KolmogorovSmirnovSorted(SampleStatistics.SortedPresent(reference), SampleStatistics.SortedPresent(current), method);

    /// <summary>The Kolmogorov–Smirnov test on already sorted, complete samples.</summary>
    internal static KsResult KolmogorovSmirnovSorted(double[] a, double[] b, KsMethod method)
    {
        long n1 = a.Length, n2 = b.Length;
        if (n1 == 0 || n2 == 0)
        {
            return new KsResult(double.NaN, double.NaN, method);
        }

        // The largest gap between the empirical CDFs (right-continuous), over every value of either sample.
        double maxS = 0, minS = 0;
        int i = 0, j = 0;
        while (i < n1 || j < n2)
        {
            var v = i < n1 && (j >= n2 || a[i] <= b[j]) ? a[i] : b[j];
            while (i < n1 && a[i] <= v)
            {
                i++;
            }

            while (j < n2 && b[j] <= v)
            {
                j++;
            }

            var diff = ((double)i / n1) - ((double)j / n2);
            maxS = Math.Max(maxS, diff);
            minS = Math.Min(minS, diff);
        }

        var d = Math.Max(maxS, Math.Clamp(-minS, 0, 1));
        var mode = method == KsMethod.Auto ? (Math.Max(n1, n2) <= ExactKsLimit ? KsMethod.Exact : KsMethod.Asymptotic) : method;
        var g = KolmogorovSmirnovDistribution.Gcd(n1, n2);
        if (mode == KsMethod.Exact && method == KsMethod.Exact && n1 / g >= int.MaxValue / (double)(n2 / g))
        {
            mode = KsMethod.Asymptotic;
        }

        if (mode == KsMethod.Exact)
        {
            var lcm = n1 / g * n2;
            var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
            var exactD = (double)h / lcm;
            var p = KolmogorovSmirnovDistribution.ExactTwoSided(n1, n2, h);
            if (!double.IsNaN(p))
            {
                return new KsResult(exactD, Math.Clamp(p, 0, 1), KsMethod.Exact);
            }

            d = exactD;
        }

        double m = Math.Max(n1, n2), n = Math.Min(n1, n2);
        var en = m * n / (m + n);
        var pAsymptotic = KolmogorovSmirnovDistribution.Survival((int)Math.Round(en, MidpointRounding.ToEven), d);
        return new KsResult(d, Math.Clamp(pAsymptotic, 0, 1), KsMethod.Asymptotic);
    }

    /// <summary>Wasserstein-1 (earth mover's) distance between the non-missing values, as SciPy's <c>wasserstein_distance</c>.</summary>
    /// <param name="reference">Reference values.</param>
    /// <param name="current">Current values.</param>
    /// <returns>∫ |F_ref − F_cur|; NaN when a side has no non-missing value.</returns>
    public static double Wasserstein(ReadOnlySpan<double> reference, ReadOnlySpan<double> current) =>
        WassersteinSorted(SampleStatistics.SortedPresent(reference), SampleStatistics.SortedPresent(current));

    /// <summary>
    /// Wasserstein-1 distance divided by the reference's population standard deviation (at least 0.001), Evidently's
    /// normed Wasserstein.
    /// </summary>
    /// <param name="reference">Reference values.</param>
    /// <param name="current">Current values.</param>
    /// <returns>The normed distance; NaN when a side has no non-missing value.</returns>
    public static double NormedWasserstein(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var (_, std, count) = SampleStatistics.MeanAndStd(reference);
        return count == 0 ? double.NaN : Wasserstein(reference, current) / Math.Max(std, 0.001);
    }

    internal static double WassersteinSorted(double[] a, double[] b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return double.NaN;
        }

        // Walk the merged values; between consecutive values both CDFs are constant.
        int i = 0, j = 0;
        var sum = 0.0;
        var previous = Math.Min(a[0], b[0]);
        while (i < a.Length || j < b.Length)
        {
            var v = i < a.Length && (j >= b.Length || a[i] <= b[j]) ? a[i] : b[j];
            sum += Math.Abs(((double)i / a.Length) - ((double)j / b.Length)) * (v - previous);
            if (i < a.Length && a[i] == v)
            {
                i++;
            }
            else
            {
                j++;
            }

            previous = v;
        }

        return sum;
    }

    /// <summary>
    /// Chi-square test of homogeneity of a 2 × k table of category counts (categories with no count on either side are
    /// dropped), as SciPy's <c>chi2_contingency</c>: Yates' correction when there is one degree of freedom; a single
    /// category gives statistic 0, p 1.
    /// </summary>
    /// <param name="referenceCounts">Reference counts per category.</param>
    /// <param name="currentCounts">Current counts per category, as many.</param>
    /// <returns>The test.</returns>
    public static ChiSquareResult ChiSquare(ReadOnlySpan<double> referenceCounts, ReadOnlySpan<double> currentCounts)
    {
        CheckSameLength(referenceCounts.Length, currentCounts.Length);
        var kept = new List<(double R, double C)>();
        for (var i = 0; i < referenceCounts.Length; i++)
        {
            if (referenceCounts[i] < 0 || currentCounts[i] < 0)
            {
                throw new ArgumentException($"Category {i} has a negative count.");
            }

            if (referenceCounts[i] + currentCounts[i] > 0)
            {
                kept.Add((referenceCounts[i], currentCounts[i]));
            }
        }

        if (kept.Count <= 1)
        {
            return new ChiSquareResult(0.0, 1.0, 0);
        }

        double rowR = 0, rowC = 0;
        foreach (var (r, c) in kept)
        {
            rowR += r;
            rowC += c;
        }

        var total = rowR + rowC;
        var dof = kept.Count - 1;
        var statistic = 0.0;
        foreach (var (r, c) in kept)
        {
            var column = r + c;
            statistic += Term(r, rowR * column / total, dof) + Term(c, rowC * column / total, dof);
        }

        return new ChiSquareResult(statistic, SpecialFunctions.GammaUpperRegularized(dof / 2.0, statistic / 2.0), dof);

        static double Term(double observed, double expected, int dof)
        {
            if (dof == 1)
            {
                // Yates: move each observed count up to 0.5 towards its expectation.
                var diff = expected - observed;
                observed += Math.Sign(diff) * Math.Min(0.5, Math.Abs(diff));
            }

            var e = observed - expected;
            return e * e / expected;
        }
    }

    /// <summary>Two-proportion z-test with the pooled proportion: is the share of successes the same on both sides?</summary>
    /// <param name="successes1">Successes in the first sample.</param>
    /// <param name="n1">Size of the first sample.</param>
    /// <param name="successes2">Successes in the second sample.</param>
    /// <param name="n2">Size of the second sample.</param>
    /// <returns>z and the two-sided p-value (z = 0, p = 1 when the pooled proportion is 0 or 1).</returns>
    public static ZTestResult ProportionsZTest(double successes1, double n1, double successes2, double n2)
    {
        if (!(n1 > 0 && n2 > 0) || successes1 < 0 || successes2 < 0 || successes1 > n1 || successes2 > n2)
        {
            throw new ArgumentException($"A z-test needs 0 <= successes <= n and n > 0 on both sides (got {successes1}/{n1} and {successes2}/{n2}).");
        }

        var pooled = (successes1 + successes2) / (n1 + n2);
        var variance = pooled * (1 - pooled) * ((1 / n1) + (1 / n2));
        if (!(variance > 0))
        {
            return new ZTestResult(0, 1);
        }

        var z = ((successes1 / n1) - (successes2 / n2)) / Math.Sqrt(variance);
        return new ZTestResult(z, SpecialFunctions.Erfc(Math.Abs(z) / Math.Sqrt(2)));
    }

    /// <summary>
    /// Each side's share of all its rows per PSI bin of the reference (its quantiles, or a profile's deciles), with a missing
    /// bin when either side has missing values; <see langword="null"/> when a side has no non-missing value.
    /// </summary>
    internal static (double[] Edges, double[] Reference, double[] Current, bool Missing)? QuantileShares(NumericReference reference, ReadOnlySpan<double> current, double[] currentSorted, int bins)
    {
        if (reference.Present == 0 || currentSorted.Length == 0)
        {
            return null;
        }

        var edges = reference.Edges(bins);
        var missing = reference.Present < reference.Rows || currentSorted.Length < current.Length;
        var rs = new double[edges.Length + 1 + (missing ? 1 : 0)];
        var cs = new double[rs.Length];
        reference.Counts(edges).CopyTo(rs, 0);
        SampleStatistics.CountBins(currentSorted, edges, cs);
        if (missing)
        {
            rs[^1] = reference.Rows - reference.Present;
            cs[^1] = current.Length - currentSorted.Length;
        }

        for (var i = 0; i < rs.Length; i++)
        {
            rs[i] /= reference.Rows;
            cs[i] /= current.Length;
        }

        return (edges, rs, cs, missing);
    }

    /// <summary>NumPy's <c>histogram_bin_edges(concatenate([a, b]), bins)</c> for equal widths.</summary>
    private static double[] EqualWidthEdges(double[] a, double[] b, int bins)
    {
        var first = Math.Min(a[0], b[0]);
        var last = Math.Max(a[^1], b[^1]);
        if (first == last)
        {
            first -= 0.5;
            last += 0.5;
        }

        var edges = new double[bins + 1];
        var step = (last - first) / bins;
        for (var i = 0; i <= bins; i++)
        {
            edges[i] = (i * step) + first;
        }

        edges[bins] = last;
        return edges;
    }

    /// <summary>NumPy's <c>histogram</c> counts for equal-width edges: [e_i, e_{i+1}), the last bin closed.</summary>
    private static double[] Histogram(double[] values, double[] edges)
    {
        var bins = edges.Length - 1;
        var counts = new double[bins];
        var first = edges[0];
        var norm = bins / (edges[^1] - first);
        foreach (var v in values)
        {
            if (v < first || v > edges[^1])
            {
                continue;
            }

            var index = (int)((v - first) * norm);
            if (index == bins)
            {
                index--;
            }

            if (v < edges[index])
            {
                index--;
            }
            else if (index != bins - 1 && v >= edges[index + 1])
            {
                index++;
            }

            counts[index]++;
        }

        return counts;
    }

    private static double RelativeEntropy(double x, double y) => x > 0 && y > 0 ? x * Math.Log(x / y) : x == 0 && y >= 0 ? 0 : double.PositiveInfinity;

    private static void CheckSameLength(int a, int b)
    {
        if (a != b)
        {
            throw new ArgumentException($"The two distributions have {a} and {b} bins; they must have as many.");
        }
    }
}
