using System.Globalization;

namespace CreditScoring.Sdk.Internal;

/// <summary>
/// Checks of a model's parameters, used by the constructors of predictors, feature steps and calibrators, so that a model
/// whose file was edited (with its checksum recomputed) or built from bad parts fails to load with a message that names
/// the parameter, instead of scoring NaN or deciding wrongly. Each throws <see cref="ArgumentException"/>, which the model
/// reader turns into a <c>ModelFormatException</c>.
/// </summary>
internal static class ParameterCheck
{
    /// <summary>A parameter that must be a finite number.</summary>
    public static double Finite(double value, string what) =>
        double.IsFinite(value) ? value : throw new ArgumentException($"{what} is {Show(value)}; it must be a finite number");

    /// <summary>Parameters that must all be finite numbers.</summary>
    public static double[] Finite(double[] values, string what)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"{what}[{i}] is {Show(values[i])}; it must be a finite number");
            }
        }

        return values;
    }

    /// <summary>Parameters that must all be probabilities, in [0, 1].</summary>
    public static double[] Probabilities(double[] values, string what)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is < 0 or > 1)
            {
                throw new ArgumentException($"{what}[{i}] is {Show(values[i])}; it must be a probability in [0, 1]");
            }
        }

        return values;
    }

    /// <summary>A parameter that must be finite, or NaN where NaN means "missing".</summary>
    public static double FiniteOrMissing(double value, string what) =>
        !double.IsInfinity(value) ? value : throw new ArgumentException($"{what} is {Show(value)}; it must be a finite number (or NaN for missing)");

    /// <summary>A number that must be a whole number in [<paramref name="minimum"/>, <paramref name="maximum"/>] (an index or a count).</summary>
    public static int Integer(double value, string what, int minimum = int.MinValue, int maximum = int.MaxValue) =>
        value >= minimum && value <= maximum && Math.Floor(value) == value
            ? (int)value
            : throw new ArgumentException($"{what} is {Show(value)}; it must be a whole number in [{minimum}, {maximum}]");

    /// <summary>Numbers that must all be whole numbers in a range.</summary>
    public static int[] Integers(double[] values, string what, int minimum = int.MinValue, int maximum = int.MaxValue)
    {
        var result = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = Integer(values[i], $"{what}[{i}]", minimum, maximum);
        }

        return result;
    }

    /// <summary>Numbers that must be finite and non-decreasing (bin edges, interpolation points).</summary>
    public static double[] FiniteAscending(double[] values, string what, bool strictly)
    {
        Finite(values, what);
        for (var i = 1; i < values.Length; i++)
        {
            if (strictly ? !(values[i] > values[i - 1]) : !(values[i] >= values[i - 1]))
            {
                throw new ArgumentException($"{what} must be {(strictly ? "strictly increasing" : "non-decreasing")}, but [{i - 1}] = {Show(values[i - 1])} and [{i}] = {Show(values[i])}");
            }
        }

        return values;
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
