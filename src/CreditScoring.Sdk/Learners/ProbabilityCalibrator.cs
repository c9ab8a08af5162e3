using System.Globalization;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Learners;

/// <summary>How a model's probabilities are calibrated after the learner.</summary>
public enum CalibrationMethod
{
    /// <summary>None: the probability is the logistic function of the learner's margin.</summary>
    None,

    /// <summary>Platt scaling on out-of-fold margins (<see cref="PlattCalibrator"/>).</summary>
    Platt,

    /// <summary>Isotonic regression on out-of-fold probabilities (<see cref="IsotonicCalibrator"/>).</summary>
    Isotonic,

    /// <summary>Prior correction: a shift of the log-odds so the mean predicted PD equals the observed default rate (<see cref="PriorCorrection"/>).</summary>
    PriorCorrection,
}

/// <summary>
/// Maps a learner's margin (log-odds) to a calibrated probability of default. Saved in the model and applied by
/// the scorer after the predictor. Implementations are immutable and thread-safe and do not allocate.
/// </summary>
public abstract class ProbabilityCalibrator
{
    private protected ProbabilityCalibrator()
    {
    }

    /// <summary>The serialisation kind: <c>platt</c>, <c>isotonic</c> or <c>prior</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The calibrated probability of default for a margin.</summary>
    /// <param name="margin">The learner's log-odds.</param>
    /// <returns>A probability in [0, 1].</returns>
    public abstract double Calibrate(double margin);

    /// <summary>Fits a calibrator of the given method on (ideally out-of-fold) margins.</summary>
    /// <param name="method">The method (not <see cref="CalibrationMethod.None"/>).</param>
    /// <param name="margins">Margins.</param>
    /// <param name="labels">0/1 outcomes.</param>
    /// <param name="weights">Weights, or empty.</param>
    /// <returns>The calibrator.</returns>
    public static ProbabilityCalibrator Fit(CalibrationMethod method, ReadOnlySpan<double> margins, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default) => method switch
    {
        CalibrationMethod.Platt => PlattCalibrator.Fit(margins, labels, weights),
        CalibrationMethod.Isotonic => IsotonicCalibrator.Fit(margins, labels, weights),
        CalibrationMethod.PriorCorrection => PriorCorrection.Fit(margins, labels, weights),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Choose Platt, Isotonic or PriorCorrection."),
    };

    /// <summary>The numbers that define the calibrator (for the model file).</summary>
    internal abstract double[] Save();

    internal static ProbabilityCalibrator Load(string kind, double[] numbers) => kind switch
    {
        "platt" when numbers.Length == 2 => new PlattCalibrator(ParameterCheck.Finite(numbers[0], "the Platt calibrator's slope"), ParameterCheck.Finite(numbers[1], "the Platt calibrator's intercept")),
        "prior" when numbers.Length == 1 => new PriorCorrection(ParameterCheck.Finite(numbers[0], "the prior correction's shift")),
        "isotonic" when numbers.Length >= 2 && numbers.Length % 2 == 0 => new IsotonicCalibrator(
            ParameterCheck.FiniteAscending(numbers[..(numbers.Length / 2)], "the isotonic calibrator's points", strictly: false),
            ParameterCheck.Probabilities(ParameterCheck.FiniteAscending(numbers[(numbers.Length / 2)..], "the isotonic calibrator's levels", strictly: false), "the isotonic calibrator's levels")),
        _ => throw new FormatException($"Unknown calibrator '{kind}' with {numbers.Length} numbers."),
    };

    private protected static void Check(ReadOnlySpan<double> margins, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights)
    {
        if (margins.Length != labels.Length || (!weights.IsEmpty && weights.Length != labels.Length))
        {
            throw new ArgumentException($"Calibration needs one label (and weight) per margin: {margins.Length} margins, {labels.Length} labels, {weights.Length} weights.");
        }

        bool positive = false, negative = false;
        for (var i = 0; i < margins.Length; i++)
        {
            if (double.IsNaN(margins[i]))
            {
                throw new ArgumentException($"Margin at row {i} is NaN.", nameof(margins));
            }

            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"Label {labels[i]} at row {i} is not 0 or 1.", nameof(labels));
            }

            positive |= labels[i] == 1;
            negative |= labels[i] == 0;
        }

        if (!positive || !negative)
        {
            throw new TrainingDataException("Calibration needs both defaults and non-defaults.");
        }
    }
}

/// <summary>
/// Platt scaling (Platt, "Probabilistic outputs for support vector machines", 1999; with Lin, Lin and Weng's
/// 2007 targets): p = 1 / (1 + exp(A·margin + B)), A and B maximising the likelihood of the smoothed targets
/// (N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2), as scikit-learn's <c>_sigmoid_calibration</c>; solved by Newton's method.
/// </summary>
public sealed class PlattCalibrator : ProbabilityCalibrator
{
    internal PlattCalibrator(double a, double b)
    {
        A = a;
        B = b;
    }

    /// <summary>The slope (negative when higher margins mean more risk).</summary>
    public double A { get; }

    /// <summary>The intercept.</summary>
    public double B { get; }

    /// <inheritdoc />
    public override string Kind => "platt";

    /// <inheritdoc />
    public override double Calibrate(double margin) => LogisticFunction.Probability(-((A * margin) + B));

    /// <summary>Fits A and B.</summary>
    /// <param name="margins">Margins.</param>
    /// <param name="labels">0/1 outcomes.</param>
    /// <param name="weights">Weights, or empty.</param>
    /// <returns>The calibrator.</returns>
    public static PlattCalibrator Fit(ReadOnlySpan<double> margins, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default)
    {
        Check(margins, labels, weights);
        double n1 = 0, n0 = 0;
        foreach (var l in labels)
        {
            n1 += l;
        }

        n0 = labels.Length - n1;
        var hi = (n1 + 1) / (n1 + 2);
        var lo = 1 / (n0 + 2);
        double a = 0, b = Math.Log((n0 + 1) / (n1 + 1));
        for (var iteration = 0; iteration < 100; iteration++)
        {
            // Loss: −Σ w [t log p + (1 − t) log(1 − p)], p = σ(−(a f + b)); gradient and Hessian in (a, b).
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            for (var i = 0; i < margins.Length; i++)
            {
                var w = weights.IsEmpty ? 1.0 : weights[i];
                var f = margins[i];
                var p = LogisticFunction.Probability(-((a * f) + b));
                var t = labels[i] == 1 ? hi : lo;
                var r = w * (t - p);   // d loss / d(a f + b)
                ga += r * f;
                gb += r;
                var h = w * p * (1 - p);
                haa += h * f * f;
                hab += h * f;
                hbb += h;
            }

            var det = (haa * hbb) - (hab * hab);
            if (!(det > 0))
            {
                break;
            }

            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) < 1e-13 * (1 + Math.Abs(a)) && Math.Abs(db) < 1e-13 * (1 + Math.Abs(b)))
            {
                break;
            }
        }

        return new PlattCalibrator(a, b);
    }

    internal override double[] Save() => [A, B];

    /// <inheritdoc />
    public override string ToString() => $"Platt(A={A.ToString("R", CultureInfo.InvariantCulture)}, B={B.ToString("R", CultureInfo.InvariantCulture)})";
}

/// <summary>
/// Isotonic calibration (Zadrozny and Elkan, "Transforming classifier scores into accurate multiclass probability
/// estimates", KDD 2002): a non-decreasing step function of the uncalibrated probability σ(margin), fitted by
/// pool-adjacent-violators with weights, interpolated linearly between block ends and clipped outside the fitted
/// range, as scikit-learn's <c>IsotonicRegression(out_of_bounds="clip")</c>.
/// </summary>
public sealed class IsotonicCalibrator : ProbabilityCalibrator
{
    private readonly double[] _x;
    private readonly double[] _y;

    internal IsotonicCalibrator(double[] x, double[] y)
    {
        if (x.Length != y.Length || x.Length == 0)
        {
            throw new FormatException("An isotonic calibrator needs as many levels as points, and at least one.");
        }

        _x = x;
        _y = y;
    }

    /// <summary>The interpolation points (uncalibrated probabilities, ascending).</summary>
    public IReadOnlyList<double> Points => _x;

    /// <summary>The calibrated probability at each point.</summary>
    public IReadOnlyList<double> Levels => _y;

    /// <inheritdoc />
    public override string Kind => "isotonic";

    /// <inheritdoc />
    public override double Calibrate(double margin) => Interpolate(LogisticFunction.Probability(margin));

    /// <summary>The calibrated probability for an uncalibrated probability.</summary>
    /// <param name="probability">σ(margin).</param>
    /// <returns>The calibrated probability.</returns>
    public double Interpolate(double probability)
    {
        if (double.IsNaN(probability))
        {
            return double.NaN;
        }

        if (probability <= _x[0])
        {
            return _y[0];
        }

        if (probability >= _x[^1])
        {
            return _y[^1];
        }

        var hi = Array.BinarySearch(_x, probability);
        if (hi >= 0)
        {
            // Equal x values only occur at a block boundary of equal level... take the rightmost level.
            while (hi + 1 < _x.Length && _x[hi + 1] == probability)
            {
                hi++;
            }

            return _y[hi];
        }

        hi = ~hi;
        var lo = hi - 1;
        var t = (probability - _x[lo]) / (_x[hi] - _x[lo]);
        return _y[lo] + (t * (_y[hi] - _y[lo]));
    }

    /// <summary>Fits the step function.</summary>
    /// <param name="margins">Margins.</param>
    /// <param name="labels">0/1 outcomes.</param>
    /// <param name="weights">Weights, or empty.</param>
    /// <returns>The calibrator.</returns>
    public static IsotonicCalibrator Fit(ReadOnlySpan<double> margins, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default)
    {
        Check(margins, labels, weights);
        var n = margins.Length;
        var p = new double[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            p[i] = LogisticFunction.Probability(margins[i]);
            order[i] = i;
        }

        Array.Sort((double[])p.Clone(), order);

        // Unique x with weighted mean y, then pool adjacent violators.
        var xs = new List<double>();
        var ys = new List<double>();
        var ws = new List<double>();
        for (var k = 0; k < n; k++)
        {
            var i = order[k];
            var w = weights.IsEmpty ? 1.0 : weights[i];
            if (xs.Count > 0 && xs[^1] == p[i])
            {
                ys[^1] += w * labels[i];
                ws[^1] += w;
            }
            else
            {
                xs.Add(p[i]);
                ys.Add(w * labels[i]);
                ws.Add(w);
            }
        }

        var m = xs.Count;
        var level = new double[m];
        var weight = new double[m];
        var start = new int[m];
        var blocks = 0;
        for (var u = 0; u < m; u++)
        {
            level[blocks] = ws[u] > 0 ? ys[u] / ws[u] : 0;
            weight[blocks] = ws[u];
            start[blocks] = u;
            blocks++;
            while (blocks > 1 && level[blocks - 2] >= level[blocks - 1])
            {
                var w = weight[blocks - 2] + weight[blocks - 1];
                level[blocks - 2] = w > 0 ? ((level[blocks - 2] * weight[blocks - 2]) + (level[blocks - 1] * weight[blocks - 1])) / w : level[blocks - 2];
                weight[blocks - 2] = w;
                blocks--;
            }
        }

        // Each block contributes its first and last x at its level (a single point when they coincide).
        var px = new List<double>();
        var py = new List<double>();
        for (var b = 0; b < blocks; b++)
        {
            var first = start[b];
            var last = b + 1 < blocks ? start[b + 1] - 1 : m - 1;
            var y = Math.Clamp(level[b], 0, 1);
            px.Add(xs[first]);
            py.Add(y);
            if (last != first)
            {
                px.Add(xs[last]);
                py.Add(y);
            }
        }

        return new IsotonicCalibrator([.. px], [.. py]);
    }

    internal override double[] Save() => [.. _x, .. _y];
}

/// <summary>
/// Prior correction (King and Zeng, "Logistic regression in rare events data", 2001; Elkan, "The foundations of
/// cost-sensitive learning", 2001): after resampling or class weighting the learner's margins are shifted by a
/// constant δ so that the mean predicted probability of default on the original (not resampled) training rows
/// equals their observed default rate. δ is found by Newton's method on that one equation.
/// </summary>
public sealed class PriorCorrection : ProbabilityCalibrator
{
    internal PriorCorrection(double shift) => Shift = shift;

    /// <summary>The log-odds shift δ.</summary>
    public double Shift { get; }

    /// <inheritdoc />
    public override string Kind => "prior";

    /// <inheritdoc />
    public override double Calibrate(double margin) => LogisticFunction.Probability(margin + Shift);

    /// <summary>Finds δ with Σ w σ(margin + δ) = Σ w y.</summary>
    /// <param name="margins">Margins on the original training rows.</param>
    /// <param name="labels">0/1 outcomes.</param>
    /// <param name="weights">Weights, or empty.</param>
    /// <returns>The calibrator.</returns>
    public static PriorCorrection Fit(ReadOnlySpan<double> margins, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights = default)
    {
        Check(margins, labels, weights);
        double target = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            target += (weights.IsEmpty ? 1.0 : weights[i]) * labels[i];
        }

        double delta = 0;
        for (var iteration = 0; iteration < 200; iteration++)
        {
            double f = -target, df = 0;
            for (var i = 0; i < margins.Length; i++)
            {
                var w = weights.IsEmpty ? 1.0 : weights[i];
                var p = LogisticFunction.Probability(margins[i] + delta);
                f += w * p;
                df += w * p * (1 - p);
            }

            if (!(df > 0))
            {
                break;
            }

            var step = Math.Clamp(f / df, -5, 5);
            delta -= step;
            if (Math.Abs(step) < 1e-14 * (1 + Math.Abs(delta)))
            {
                break;
            }
        }

        return new PriorCorrection(delta);
    }

    internal override double[] Save() => [Shift];
}
