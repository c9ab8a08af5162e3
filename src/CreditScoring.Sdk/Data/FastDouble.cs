using System.Globalization;

namespace CreditScoring.Sdk.Data;

/// <summary>
/// Parses invariant-culture numbers with Clinger's fast path (W. D. Clinger, "How to read floating
/// point numbers accurately", PLDI 1990): a decimal with at most 15 significant digits w and a
/// power of ten 10^e with |e| ≤ 22 are both exact doubles, so one IEEE multiplication or division
/// gives the correctly rounded result. Everything else (more digits, large exponents, NaN,
/// Infinity, surrounding white space...) falls back to <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out double)"/>
/// with <see cref="NumberStyles.Float"/>, so results are always identical to it.
/// </summary>
internal static class FastDouble
{
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static bool TryParse(ReadOnlySpan<char> text, out double value)
    {
        if (TryFastPath(text, out value))
        {
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryFastPath(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (s.Length == 0)
        {
            return false;
        }

        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i = 1;
        }

        ulong mantissa = 0;
        var digits = 0;
        var scale = 0;
        var anyDigit = false;
        for (; i < s.Length && (uint)(s[i] - '0') <= 9; i++)
        {
            anyDigit = true;
            if (mantissa == 0 && s[i] == '0')
            {
                continue;
            }

            if (++digits > 15)
            {
                return false;
            }

            mantissa = (mantissa * 10) + (uint)(s[i] - '0');
        }

        if (i < s.Length && s[i] == '.')
        {
            for (i++; i < s.Length && (uint)(s[i] - '0') <= 9; i++)
            {
                anyDigit = true;
                scale--;
                if (mantissa == 0 && s[i] == '0')
                {
                    continue;
                }

                if (++digits > 15)
                {
                    return false;
                }

                mantissa = (mantissa * 10) + (uint)(s[i] - '0');
            }
        }

        if (!anyDigit)
        {
            return false;
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            var exponentNegative = false;
            if (i < s.Length && s[i] is '-' or '+')
            {
                exponentNegative = s[i] == '-';
                i++;
            }

            var exponent = 0;
            var exponentDigits = 0;
            for (; i < s.Length && (uint)(s[i] - '0') <= 9; i++)
            {
                if (++exponentDigits > 4)
                {
                    return false;
                }

                exponent = (exponent * 10) + (s[i] - '0');
            }

            if (exponentDigits == 0)
            {
                return false;
            }

            scale += exponentNegative ? -exponent : exponent;
        }

        if (i != s.Length || scale < -22 || scale > 22)
        {
            return false;
        }

        double result = mantissa;
        result = scale < 0 ? result / PowersOfTen[-scale] : result * PowersOfTen[scale];
        value = negative ? -result : result;
        return true;
    }
}
