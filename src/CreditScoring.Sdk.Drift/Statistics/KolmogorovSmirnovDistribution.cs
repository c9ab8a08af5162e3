namespace CreditScoring.Sdk.Drift;

/// <summary>
/// p-values of the two-sided two-sample Kolmogorov–Smirnov statistic, as SciPy's <c>ks_2samp</c> computes them.
/// Exact: the lattice-path counts of Hodges (1958) — for equal sizes the closed alternating sum, otherwise the
/// "inside" recursion of Viehmann (arXiv:2102.08037) for 1 − p. Asymptotic: the one-sample distribution of D_n with
/// n = round(n₁n₂/(n₁+n₂)), evaluated as Simard and L'Ecuyer (J. Stat. Softw. 39, 2011) recommend: Ruben–Gambino
/// at the ends, Durbin's matrix (Marsaglia, Tsang and Wang 2003), Pomeranz's recursion (1974), the Pelz–Good
/// expansion (1976), and twice the one-sided Smirnov tail (Birnbaum–Tingey sum) for small p.
/// </summary>
internal static class KolmogorovSmirnovDistribution
{
    private const double Scale128 = 3.4028236692093846e38;     // 2^128
    private const double InverseScale128 = 2.938735877055719e-39; // 2^-128
    private const double MinLog = -745.1332191019412;          // cephes MINLOG with denormals

    /// <summary>Exact two-sided p-value for D = h / lcm(n1, n2); NaN when the computation fails (SciPy then falls back to the asymptotic one).</summary>
    public static double ExactTwoSided(long n1, long n2, long h)
    {
        if (h == 0)
        {
            return 1.0;
        }

        var g = Gcd(n1, n2);
        var p = n1 == n2 ? ProbabilityOutsideSquare(n1, h) : OuterProbabilityInside(n1, n2, g, h);
        return p is >= 0 and <= 1 ? p : double.NaN;
    }

    /// <summary>Pr(D_{n,n} ≥ h/n).</summary>
    private static double ProbabilityOutsideSquare(long n, long h)
    {
        var p = 0.0;
        var k = (long)Math.Floor((double)n / h);
        while (k >= 0)
        {
            var p1 = 1.0;
            for (long j = 0; j < h; j++)
            {
                p1 = (n - (k * h) - j) * p1 / (n + (k * h) + j + 1);
            }

            p = p1 * (1.0 - p);
            k--;
        }

        return 2 * p;
    }

    /// <summary>1 − the share of lattice paths from (0,0) to (m,n) staying strictly inside |x/m − y/n| &lt; h/lcm.</summary>
    private static double OuterProbabilityInside(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        var mg = m / g;
        var ng = n / g;
        long minj = 0;
        var maxj = Math.Min((long)Math.Ceiling((double)h / mg), n + 1);
        var curlen = maxj - minj;
        var lenA = (int)Math.Min((2 * maxj) + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        for (var j = minj; j < maxj; j++)
        {
            a[j] = 0.0;
        }

        for (long i = 1; i <= m; i++)
        {
            var lastminj = minj;
            var lastlen = curlen;
            minj = Math.Max((long)Math.Floor((double)((ng * i) - h) / mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min((long)Math.Ceiling((double)((ng * i) + h) / mg), n + 1);
            if (maxj <= minj)
            {
                return 1.0;
            }

            var val = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                var j = jj + minj;
                val = ((a[jj + minj - lastminj] * i) + (val * j)) / (i + j);
                a[jj] = val;
            }

            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                for (var t = maxj - minj; t < maxj - minj + (lastlen - curlen); t++)
                {
                    a[t] = 1;
                }
            }
        }

        return a[maxj - minj - 1];
    }

    /// <summary>Pr(D_n ≥ x) for the one-sample two-sided statistic (SciPy's <c>kstwo.sf</c>).</summary>
    public static double Survival(int n, double x)
    {
        if (x >= 1.0)
        {
            return 0.0;
        }

        if (x <= 0.0)
        {
            return 1.0;
        }

        var t = n * x;
        if (t <= 1.0)
        {
            if (t <= 0.5)
            {
                return 1.0;
            }

            double prob;
            if (n <= 140)
            {
                prob = 1.0;
                for (var i = 1; i <= n; i++)
                {
                    prob *= i * (1.0 / n) * ((2 * t) - 1);
                }
            }
            else
            {
                prob = Math.Exp(LogFactorialOverPower(n) + (n * Math.Log((2 * t) - 1)));
            }

            return Clip(1.0 - prob);
        }

        if (t >= n - 1)
        {
            return Clip(2 * Math.Pow(1.0 - x, n));
        }

        if (x >= 0.5)
        {
            return Clip(2 * SmirnovSurvival(n, x));
        }

        var nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693)
            {
                return Clip(1.0 - Clip(DurbinMatrix(n, x)));
            }

            if (nxSquared <= 4)
            {
                return Clip(1.0 - Clip(Pomeranz(n, x)));
            }

            return Clip(2 * SmirnovSurvival(n, x));
        }

        if (nxSquared >= 370.0)
        {
            return 0.0;
        }

        if (nxSquared >= 2.2)
        {
            return Clip(2 * SmirnovSurvival(n, x));
        }

        var cdf = n <= 100000 && n * Math.Pow(x, 1.5) <= 1.4 ? Clip(DurbinMatrix(n, x)) : PelzGood(n, x);
        return Clip(1.0 - cdf);
    }

    private static double Clip(double p) => Math.Clamp(p, 0.0, 1.0);

    internal static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    /// <summary>log(n!/n^n) by Stirling's series.</summary>
    private static double LogFactorialOverPower(int n)
    {
        ReadOnlySpan<double> coefficients = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2];
        var rn = 1.0 / n;
        var z = rn / n;
        var poly = 0.0;
        foreach (var c in coefficients)
        {
            poly = (poly * z) + c;
        }

        return (Math.Log(n) / 2) - n + (Math.Log(2 * Math.PI) / 2) + (rn * poly);
    }

    /// <summary>Pr(D_n ≤ d) by Durbin's matrix method (Marsaglia, Tsang and Wang 2003).</summary>
    private static double DurbinMatrix(int n, double d)
    {
        if (d >= 1.0)
        {
            return 1.0;
        }

        var nd = n * d;
        if (nd <= 0.5)
        {
            return 0.0;
        }

        var k = (int)Math.Ceiling(nd);
        var h = k - nd;
        var m = (2 * k) - 1;
        var hm = new double[m, m];
        var v = new double[m];
        var w = new double[m];
        var fac = 1.0;
        for (var j = 1; j <= m; j++)
        {
            v[j - 1] = 1.0 - Math.Pow(h, j);
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] *= fac;
        }

        var tt = Math.Pow(Math.Max((2 * h) - 1.0, 0), m) - (2 * Math.Pow(h, m));
        v[m - 1] = (1.0 + tt) * fac;
        for (var i = 1; i < m; i++)
        {
            for (var r = i - 1; r < m; r++)
            {
                hm[r, i] = w[r - (i - 1)];
            }
        }

        for (var r = 0; r < m; r++)
        {
            hm[r, 0] = v[r];
        }

        for (var c = 0; c < m; c++)
        {
            hm[m - 1, c] = v[m - 1 - c];
        }

        var power = Identity(m);
        var nn = n;
        var exponent = 0;
        var hExponent = 0;
        while (nn > 0)
        {
            if (nn % 2 == 1)
            {
                power = Multiply(power, hm);
                exponent += hExponent;
            }

            hm = Multiply(hm, hm);
            hExponent *= 2;
            if (Math.Abs(hm[k - 1, k - 1]) > Scale128)
            {
                for (var r = 0; r < m; r++)
                {
                    for (var c = 0; c < m; c++)
                    {
                        hm[r, c] /= Scale128;
                    }
                }

                hExponent += 128;
            }

            nn /= 2;
        }

        var p = power[k - 1, k - 1];
        for (var i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < InverseScale128)
            {
                p *= Scale128;
                exponent -= 128;
            }
        }

        return exponent != 0 ? Math.ScaleB(p, exponent) : p;
    }

    private static double[,] Identity(int m)
    {
        var e = new double[m, m];
        for (var i = 0; i < m; i++)
        {
            e[i, i] = 1;
        }

        return e;
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var m = a.GetLength(0);
        var c = new double[m, m];
        for (var i = 0; i < m; i++)
        {
            for (var k = 0; k < m; k++)
            {
                var aik = a[i, k];
                if (aik == 0)
                {
                    continue;
                }

                for (var j = 0; j < m; j++)
                {
                    c[i, j] += aik * b[k, j];
                }
            }
        }

        return c;
    }

    /// <summary>Pr(D_n ≤ x) by Pomeranz's recursion (1974).</summary>
    private static double Pomeranz(int n, double x)
    {
        var t = n * x;
        var ll = (int)Math.Floor(t);
        var f = t - ll;
        var g = Math.Min(f, 1.0 - f);
        var ceilf = f > 0 ? 1 : 0;
        var roundf = f > 0.5 ? 1 : 0;
        var npwrs = 2 * (ll + 1);
        var gpower = new double[npwrs];
        var twogpower = new double[npwrs];
        var onem2gpower = new double[npwrs];
        gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
        var exponent = 0;
        double gOverN = g / n, twoGOverN = 2 * g / n, oneMinusTwoGOverN = (1 - (2 * g)) / n;
        for (var m = 1; m < npwrs; m++)
        {
            gpower[m] = gpower[m - 1] * gOverN / m;
            twogpower[m] = twogpower[m - 1] * twoGOverN / m;
            onem2gpower[m] = onem2gpower[m - 1] * oneMinusTwoGOverN / m;
        }

        var v0 = new double[npwrs];
        var v1 = new double[npwrs];
        v1[0] = 1;
        int v0s = 0, v1s = 0;
        var (j1, _) = PomeranzInterval(0, n, ll, ceilf, roundf);
        for (var i = 1; i < (2 * n) + 2; i++)
        {
            var k1 = j1;
            (v0, v1) = (v1, v0);
            (v0s, v1s) = (v1s, v0s);
            Array.Clear(v1);
            int j2;
            (j1, j2) = PomeranzInterval(i, n, ll, ceilf, roundf);
            var pwrs = i == 1 || i == (2 * n) + 1 ? gpower : i % 2 == 1 ? twogpower : onem2gpower;
            var ln2 = j2 - k1 + 1;
            if (ln2 > 0)
            {
                // Full convolution of V0[k1 - V0s ..][..ln2] with pwrs[..ln2], entries j1 - k1 .. j2 - k1.
                var start = j1 - k1;
                var length = j2 - j1 + 1;
                var max = 0.0;
                for (var q = 0; q < length; q++)
                {
                    var index = start + q;
                    var sum = 0.0;
                    for (var r = Math.Max(0, index - (ln2 - 1)); r <= Math.Min(index, ln2 - 1); r++)
                    {
                        sum += v0[k1 - v0s + r] * pwrs[index - r];
                    }

                    v1[q] = sum;
                    max = Math.Max(max, sum);
                }

                if (max > 0 && max < InverseScale128)
                {
                    for (var q = 0; q < length; q++)
                    {
                        v1[q] *= Scale128;
                    }

                    exponent -= 128;
                }

                v1s = v0s + j1 - k1;
            }
        }

        var answer = v1[n - v1s];
        for (var m = 1; m <= n; m++)
        {
            if (Math.Abs(answer) > Scale128)
            {
                answer *= InverseScale128;
                exponent += 128;
            }

            answer *= m;
        }

        return exponent != 0 ? Math.ScaleB(answer, exponent) : answer;
    }

    private static (int J1, int J2) PomeranzInterval(int i, int n, int ll, int ceilf, int roundf)
    {
        int j1, j2;
        if (i == 0)
        {
            j1 = -ll - ceilf - 1;
            j2 = ll + ceilf - 1;
        }
        else
        {
            var half = (i + 1) / 2;
            if ((i + 1) % 2 == 0)
            {
                if (half == n + 1)
                {
                    j1 = n - ll - ceilf - 1;
                    j2 = n + ll + ceilf - 1;
                }
                else
                {
                    j1 = half - 1 - ll - roundf - 1;
                    j2 = half + ll - 1 + ceilf - 1;
                }
            }
            else
            {
                j1 = half - 1 - ll - 1;
                j2 = half + ll + roundf - 1;
            }
        }

        return (Math.Max(j1 + 2, 0), Math.Min(j2, n));
    }

    /// <summary>Pr(D_n ≤ x) by the Pelz–Good asymptotic expansion (1976).</summary>
    private static double PelzGood(int n, double x)
    {
        if (x <= 0.0)
        {
            return 0.0;
        }

        if (x >= 1.0)
        {
            return 1.0;
        }

        var z = Math.Sqrt(n) * x;
        double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
        var piSquared = Math.PI * Math.PI;
        var piFour = piSquared * piSquared;
        var piSix = piFour * piSquared;
        var qlog = -piSquared / 8 / z2;
        if (qlog < -708)
        {
            return 0.0;
        }

        var q = Math.Exp(qlog);
        var k1a = -z2;
        var k1b = piSquared / 4;
        var k2a = (6 * z6) + (2 * z4);
        var k2b = ((2 * z4) - (5 * z2)) * piSquared / 4;
        var k2c = piFour * (1 - (2 * z2)) / 16;
        var k3d = piSix * (5 - (30 * z2)) / 64;
        var k3c = piFour * ((-60 * z2) + (212 * z4)) / 16;
        var k3b = piSquared * ((135 * z4) - (96 * z6)) / 4;
        var k3a = (-30 * z6) - (90 * Math.Pow(z, 8));
        Span<double> k = stackalloc double[4];
        var maxk = (int)Math.Ceiling(16 * z / Math.PI);
        for (var kk = maxk; kk > 0; kk--)
        {
            double m = (2 * kk) - 1;
            double m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
            var qpower = Math.Pow(q, 8 * kk);
            k[0] = (k[0] * qpower) + 1.0;
            k[1] = (k[1] * qpower) + (k1a + (k1b * m2));
            k[2] = (k[2] * qpower) + (k2a + (k2b * m2) + (k2c * m4));
            k[3] = (k[3] * qpower) + (k3a + (k3b * m2) + (k3c * m4) + (k3d * m6));
        }

        var sqrt2Pi = Math.Sqrt(2 * Math.PI);
        for (var i = 0; i < 4; i++)
        {
            k[i] *= q;
            k[i] *= sqrt2Pi;
        }

        k[0] /= z;
        k[1] /= 6 * z4;
        k[2] /= 72 * Math.Pow(z, 7);
        k[3] /= 6480 * Math.Pow(z, 10);

        q = Math.Exp(-piSquared / 2 / z2);
        var sqrt3z = Math.Sqrt(3) * z;
        double k2extra = 0, k3extra = 0;
        for (var kk = maxk; kk > 0; kk--)
        {
            double ks2 = (double)kk * kk;
            var qp = Math.Pow(q, ks2);
            var kspi = Math.PI * kk;
            k2extra += ks2 * qp;
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
        }

        k[2] += k2extra * piSquared * sqrt2Pi / (-36 * z3);
        k[3] += k3extra * piSquared * sqrt2Pi / (216 * z6);
        var sum = 0.0;
        for (var i = 0; i < 4; i++)
        {
            sum += k[i] / Math.Pow(n, i / 2.0);
        }

        return sum;
    }

    /// <summary>
    /// Pr(D⁺_n ≥ x), the one-sided Smirnov tail, by the Birnbaum–Tingey sum
    /// x Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (1−x−v/n)^{n−v} (x+v/n)^{v−1}, every term positive, summed in log space.
    /// </summary>
    internal static double SmirnovSurvival(int n, double x)
    {
        if (n == 1)
        {
            return 1 - x;
        }

        if (x <= 0.0)
        {
            return 1.0;
        }

        if (x >= 1.0)
        {
            return 0.0;
        }

        var nx = n * x;
        var nxFloor = (int)Math.Floor(nx);
        var alpha = nx - nxFloor;
        if (nxFloor == 0 || (nxFloor == 1 && alpha == 0))
        {
            return Clip(1 - (x * Math.Pow(1 + x, n - 1)));
        }

        if (-2 * n * x * x < MinLog)
        {
            return 0.0;
        }

        if (nxFloor >= n - 1)
        {
            return Clip(Math.Pow(1 - x, n));
        }

        if (n > 1_000_000)
        {
            var logp = -Math.Pow((6.0 * n * x) + 1, 2) / 18.0 / n;
            return logp < -Math.Log(2) ? Math.Exp(logp) : 1 + double.ExpM1(logp);
        }

        // Terms v with 1 − x − v/n > 0 (v = n(1 − x) exactly contributes 0): v ≤ n − ⌊nx⌋ − 1.
        var last = n - nxFloor - 1;

        double sum = 0, compensation = 0;
        var logBinomial = 0.0; // log C(n, v)
        var logX = Math.Log(x);
        for (var v = 0; v <= last; v++)
        {
            if (v > 0)
            {
                logBinomial += Math.Log((double)(n - v + 1) / v);
            }

            var a = 1 - x - ((double)v / n);
            if (a <= 0)
            {
                break;
            }

            var b = x + ((double)v / n);
            var logTerm = logBinomial + ((n - v) * Math.Log(a)) + ((v - 1) * Math.Log(b)) + logX;
            var term = Math.Exp(logTerm);
            var y = term - compensation;
            var s = sum + y;
            compensation = (s - sum) - y;
            sum = s;
            if (4.0 * (last + 1 - v) * term < 2.220446049250313e-16 * sum && v != last)
            {
                break;
            }
        }

        return Clip(sum);
    }
}
