using CreditScoring.Sdk.Internal;
using System.Globalization;
using System.Numerics;

namespace CreditScoring.Sdk.Features;

/// <summary>
/// The saved state of a fitted step: named number arrays and named text arrays. Every step writes
/// and reads its parameters through it, so the model file has one step shape for every transform.
/// </summary>
internal sealed class StepState
{
    public Dictionary<string, double[]> Numbers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string[]> Texts { get; } = new(StringComparer.Ordinal);

    /// <summary>A state holding saved numbers and texts (as read from the model file).</summary>
    public static StepState Of(IReadOnlyDictionary<string, double[]> numbers, IReadOnlyDictionary<string, string[]> texts)
    {
        var state = new StepState();
        foreach (var (k, v) in numbers)
        {
            state.Numbers[k] = v;
        }

        foreach (var (k, v) in texts)
        {
            state.Texts[k] = v;
        }

        return state;
    }

    public StepState Put(string name, params double[] values)
    {
        Numbers[name] = values;
        return this;
    }

    public StepState Put(string name, params string[] values)
    {
        Texts[name] = values;
        return this;
    }

    public double[] Array(string name) =>
        Numbers.TryGetValue(name, out var v) ? v : throw new ArgumentException($"a step lacks its number array '{name}'");

    public double Number(string name) => Array(name) is [var v] ? v : throw new ArgumentException($"a step's '{name}' must hold one number");

    public string Text(string name) =>
        Texts.TryGetValue(name, out var v) && v is [var t] ? t : throw new ArgumentException($"a step lacks its text '{name}'");
}

/// <summary>
/// One fitted preprocessing step: reads working columns (<see cref="Sources"/>), writes its
/// <see cref="Outputs"/>. One method, <see cref="Compute"/>, defines the step for a single row; the
/// bulk transform calls it row by row, so a table and a single applicant are transformed identically.
/// Implementations must not allocate in <see cref="Compute"/>.
/// </summary>
internal abstract class FeatureStep(int[] sources, FeatureInfo[] outputs)
{
    /// <summary>The most sources a step reads (custom features are limited to it).</summary>
    public const int MaxSources = 16;

    public int[] Sources { get; } = sources.Length <= MaxSources ? sources : throw new ArgumentException($"a step reads {sources.Length} columns; at most {MaxSources} are allowed");

    public FeatureInfo[] Outputs { get; } = outputs;

    /// <summary>The step's type in the model file, e.g. <c>impute</c>.</summary>
    public abstract string Type { get; }

    /// <summary>
    /// Whether the step's one output equals its one source for every value, so a table's transform may share the source
    /// column instead of computing a copy (columns are never changed in place). False unless a step overrides it.
    /// </summary>
    public virtual bool IsIdentity => false;

    /// <summary>Computes the outputs of one row from its source values (in <see cref="Sources"/> order).</summary>
    public abstract void Compute(ReadOnlySpan<double> inputs, Span<double> outputs);

    /// <summary>Writes the fitted parameters.</summary>
    public abstract void Save(StepState state);

    /// <summary>One line for reports, e.g. <c>Income: missing -> median 123</c>.</summary>
    public abstract string Describe(Func<int, string> name);

    public void TransformRow(ReadOnlySpan<double> working, Span<double> outputs)
    {
        Span<double> inputs = stackalloc double[MaxSources];
        for (var k = 0; k < Sources.Length; k++)
        {
            inputs[k] = working[Sources[k]];
        }

        Compute(inputs[..Sources.Length], outputs);
    }

    /// <summary>Computes the step's outputs for the first <paramref name="rows"/> rows of the working columns, row by row through <see cref="Compute"/> (a step may do the same column by column).</summary>
    public virtual void Transform(double[][] working, int rows, double[][] outputs)
    {
        Span<double> inputs = stackalloc double[MaxSources];
        inputs = inputs[..Sources.Length];
        var row = Outputs.Length <= 256 ? stackalloc double[256] : new double[Outputs.Length];
        row = row[..Outputs.Length];
        for (var i = 0; i < rows; i++)
        {
            for (var k = 0; k < inputs.Length; k++)
            {
                inputs[k] = working[Sources[k]][i];
            }

            Compute(inputs, row);
            for (var o = 0; o < row.Length; o++)
            {
                outputs[o][i] = row[o];
            }
        }
    }

    protected static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// The fitted steps' loaders by <see cref="Type"/>: each step class reads back what its own <see cref="Save"/> wrote,
    /// so a new step is one class plus one line here (steps are internal; user code extends the pipeline through
    /// <see cref="CustomFeatures"/>).
    /// </summary>
    private static readonly Dictionary<string, Func<int[], FeatureInfo[], StepState, FeatureStep>> Loaders = new(StringComparer.Ordinal)
    {
        [ImputeStep.TypeName] = ImputeStep.Load,
        [MissingIndicatorStep.TypeName] = MissingIndicatorStep.Load,
        [PassThroughStep.TypeName] = PassThroughStep.Load,
        [OneHotStep.TypeName] = OneHotStep.Load,
        [SentinelStep.TypeName] = SentinelStep.Load,
        [TransformStep.TypeName] = TransformStep.Load,
        [CategoryMapStep.TypeName] = CategoryMapStep.Load,
        [CombineStep.TypeName] = CombineStep.Load,
        [CustomStep.TypeName] = CustomStep.Load,
        [WoeStep.TypeName] = WoeStep.Load,
    };

    /// <summary>The step types the model file can read.</summary>
    public static IReadOnlyCollection<string> LoadableTypes => Loaders.Keys;

    /// <summary>Recreates a step from the model file.</summary>
    public static FeatureStep Load(string type, int[] sources, FeatureInfo[] outputs, StepState state)
    {
        var step = Loaders.TryGetValue(type, out var load)
            ? load(sources, outputs, state)
            : throw new ArgumentException($"unknown feature step type '{type}'; known: {string.Join(", ", Loaders.Keys)}");
        if (step.Outputs.Length != outputs.Length || step.Sources.Length != sources.Length)
        {
            throw new ArgumentException($"a '{type}' step has {sources.Length} sources and {outputs.Length} outputs, which does not fit its parameters");
        }

        return step;
    }
}

/// <summary>Replaces a missing value (NaN) by a constant fitted on training rows.</summary>
internal sealed class ImputeStep(int source, double fill, string method, FeatureInfo output) : FeatureStep([source], [output])
{
    public const string TypeName = "impute";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new ImputeStep(sources[0], ParameterCheck.Finite(state.Number("fill"), "the imputed value"), state.Text("method"), outputs[0]);

    public double Fill { get; } = fill;

    /// <summary>How <see cref="Fill"/> was obtained ("median", ...), for reports.</summary>
    public string Method { get; } = method;

    public override string Type => TypeName;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs) =>
        outputs[0] = double.IsNaN(inputs[0]) || (Outputs[0].Kind == FeatureKind.Categorical && inputs[0] < 0) ? Fill : inputs[0];

    /// <summary>As <see cref="Compute"/>, a numeric column a vector at a time (a value is kept where it equals itself, i.e. is not NaN).</summary>
    public override void Transform(double[][] working, int rows, double[][] outputs)
    {
        if (Outputs[0].Kind == FeatureKind.Categorical)
        {
            base.Transform(working, rows, outputs);
            return;
        }

        var x = working[Sources[0]].AsSpan(0, rows);
        var o = outputs[0].AsSpan(0, rows);
        var fill = new Vector<double>(Fill);
        var i = 0;
        for (; i <= rows - Vector<double>.Count; i += Vector<double>.Count)
        {
            var v = new Vector<double>(x[i..]);
            Vector.ConditionalSelect(Vector.Equals(v, v), v, fill).CopyTo(o[i..]);
        }

        for (; i < rows; i++)
        {
            o[i] = double.IsNaN(x[i]) ? Fill : x[i];
        }
    }

    public override void Save(StepState state) => state.Put("fill", Fill).Put("method", Method);

    public override string Describe(Func<int, string> name) => $"{name(Sources[0])}: missing -> {Method} {Format(Fill)}";
}

/// <summary>1 when the source is missing (NaN), else 0.</summary>
internal sealed class MissingIndicatorStep(int source, FeatureInfo output) : FeatureStep([source], [output])
{
    public const string TypeName = "missing-indicator";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new MissingIndicatorStep(sources[0], outputs[0]);

    public override string Type => TypeName;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs) => outputs[0] = double.IsNaN(inputs[0]) ? 1.0 : 0.0;

    public override void Save(StepState state)
    {
    }

    public override string Describe(Func<int, string> name) => $"{Outputs[0].Name}: 1 when {name(Sources[0])} is missing";
}

/// <summary>Copies a column (an unknown category code, −1, becomes missing).</summary>
internal sealed class PassThroughStep(int source, FeatureInfo output) : FeatureStep([source], [output])
{
    public const string TypeName = "pass-through";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new PassThroughStep(sources[0], outputs[0]);

    public override string Type => TypeName;

    /// <summary>A numeric column passes as it is; a categorical one is not the identity, as an unknown code (−1) becomes missing.</summary>
    public override bool IsIdentity => Outputs[0].Kind != FeatureKind.Categorical;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs)
    {
        var x = inputs[0];
        outputs[0] = Outputs[0].Kind == FeatureKind.Categorical && x < 0 ? double.NaN : x;
    }

    public override void Save(StepState state)
    {
    }

    public override string Describe(Func<int, string> name) => Outputs[0].Kind == FeatureKind.Categorical
        ? $"{name(Sources[0])}: category codes (unknown -> missing)"
        : $"{name(Sources[0])}: as is";
}

/// <summary>
/// One-hot encoding: each training category code maps to an output indicator (or to none, when it
/// was dropped), missing to <c>missing</c> (or none) and an unknown category (code −1) to
/// <c>unknown</c> (or none: every indicator 0, scikit-learn's <c>handle_unknown="ignore"</c>).
/// Rare categories may share one indicator.
/// </summary>
internal sealed class OneHotStep(int source, int[] map, int missing, int unknown, FeatureInfo[] outputs) : FeatureStep([source], outputs)
{
    public const string TypeName = "one-hot";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new OneHotStep(sources[0], ParameterCheck.Integers(state.Array("map"), "the one-hot map", -1), ParameterCheck.Integer(state.Number("missing"), "the one-hot missing column", -1), ParameterCheck.Integer(state.Number("unknown"), "the one-hot unknown column", -1), outputs);

    public int[] Map { get; } = Check(map, missing, unknown, outputs.Length);

    public int Missing { get; } = missing;

    public int Unknown { get; } = unknown;

    public override string Type => TypeName;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs)
    {
        outputs.Clear();
        var x = inputs[0];
        var target = double.IsNaN(x) ? Missing : x >= 0 && x < Map.Length ? Map[(int)x] : Unknown;
        if (target >= 0)
        {
            outputs[target] = 1.0;
        }
    }

    public override void Save(StepState state) => state.Put("map", Map.Select(v => (double)v).ToArray()).Put("missing", Missing).Put("unknown", Unknown);

    public override string Describe(Func<int, string> name) =>
        $"{name(Sources[0])}: one-hot, {Outputs.Length} indicator(s){(Missing >= 0 ? ", missing has its own" : "")}, unknown -> {(Unknown >= 0 ? Outputs[Unknown].Name : "all 0")}";

    private static int[] Check(int[] map, int missing, int unknown, int outputs)
    {
        if (map.Any(m => m < -1 || m >= outputs) || missing < -1 || missing >= outputs || unknown < -1 || unknown >= outputs)
        {
            throw new ArgumentException("a one-hot step maps a category to an indicator it does not have");
        }

        return map;
    }
}

/// <summary>
/// Sentinel values: codes that mean "missing" or "special" rather than a quantity (Home Credit's
/// <c>DAYS_EMPLOYED</c> = 365243). The first output is the column with every sentinel replaced by
/// missing; with indicators, one 0/1 output per sentinel value follows.
/// </summary>
internal sealed class SentinelStep(int source, double[] values, bool indicators, FeatureInfo[] outputs) : FeatureStep([source], outputs)
{
    public const string TypeName = "sentinel";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new SentinelStep(sources[0], ParameterCheck.Finite(state.Array("values"), "the sentinel values"), ParameterCheck.Integer(state.Number("indicators"), "the sentinel indicators flag", 0, 1) == 1, outputs);

    public double[] Values { get; } = outputs.Length == 1 + (indicators ? values.Length : 0) ? values : throw new ArgumentException("a sentinel step's outputs do not match its values");

    public bool Indicators { get; } = indicators;

    public override string Type => TypeName;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs)
    {
        var x = inputs[0];
        var hit = Array.IndexOf(Values, x);
        outputs[0] = hit >= 0 ? double.NaN : x;
        if (Indicators)
        {
            for (var k = 0; k < Values.Length; k++)
            {
                outputs[1 + k] = k == hit ? 1.0 : 0.0;
            }
        }
    }

    public override void Save(StepState state) => state.Put("values", Values).Put("indicators", Indicators ? 1 : 0);

    public override string Describe(Func<int, string> name) =>
        $"{name(Sources[0])}: {string.Join(", ", Values.Select(Format))} -> missing{(Indicators ? $" (flagged in {string.Join(", ", Outputs.Skip(1).Select(o => o.Name))})" : "")}";
}

/// <summary>The numeric functions of <see cref="TransformStep"/>.</summary>
internal enum NumericTransform
{
    /// <summary>(x − p0) / p1: standard, min-max and robust scaling, and age from days.</summary>
    Affine,

    /// <summary>ln(1 + x); missing for x ≤ −1.</summary>
    Log1P,

    /// <summary>sign(x)·ln(1 + |x|).</summary>
    SignedLog,

    /// <summary>Yeo-Johnson power transform with λ = p0.</summary>
    YeoJohnson,

    /// <summary>min(max(x, p0), p1).</summary>
    Clip,
}

/// <summary>A fitted one-to-one numeric function; missing stays missing.</summary>
internal sealed class TransformStep(int source, NumericTransform function, double[] parameters, FeatureInfo output) : FeatureStep([source], [output])
{
    public const string TypeName = "transform";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new TransformStep(sources[0], Enum.Parse<NumericTransform>(state.Text("function"), ignoreCase: true), state.Array("parameters"), outputs[0]);

    public NumericTransform Function { get; } = function;

    public double[] Parameters { get; } = Checked(function, parameters);

    public override string Type => TypeName;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs) => outputs[0] = Apply(inputs[0]);

    public double Apply(double x) => Function switch
    {
        NumericTransform.Affine => (x - Parameters[0]) / Parameters[1],
        NumericTransform.Log1P => x > -1 ? Math.Log(1 + x) : double.NaN,
        NumericTransform.SignedLog => Math.CopySign(Math.Log(1 + Math.Abs(x)), x),
        NumericTransform.YeoJohnson => YeoJohnson.Transform(x, Parameters[0]),
        _ => double.IsNaN(x) ? x : Math.Clamp(x, Parameters[0], Parameters[1]),
    };

    public override void Save(StepState state) => state.Put("function", Function.ToString()).Put("parameters", Parameters);

    /// <summary>The parameters a function needs: affine (center, non-zero scale) and Yeo-Johnson (λ) finite; clip bounds not NaN (±∞ for one side) and in order.</summary>
    private static double[] Checked(NumericTransform function, double[] parameters)
    {
        var expected = function switch { NumericTransform.Affine or NumericTransform.Clip => 2, NumericTransform.YeoJohnson => 1, _ => 0 };
        if (parameters.Length != expected)
        {
            throw new ArgumentException($"a {function} transform has {parameters.Length} parameters");
        }

        switch (function)
        {
            case NumericTransform.Affine:
                ParameterCheck.Finite(parameters, "the affine transform's (center, scale)");
                if (parameters[1] == 0)
                {
                    throw new ArgumentException("the affine transform's scale is 0");
                }

                break;
            case NumericTransform.YeoJohnson:
                ParameterCheck.Finite(parameters, "the Yeo-Johnson lambda");
                break;
            case NumericTransform.Clip when !(parameters[0] <= parameters[1]):
                throw new ArgumentException($"the clip bounds [{parameters[0]}, {parameters[1]}] are not a range (lower <= upper, neither NaN)");
        }

        return parameters;
    }

    public override string Describe(Func<int, string> name) =>
        $"{Outputs[0].Name}: {Function} of {name(Sources[0])}{(Parameters.Length > 0 ? $" ({string.Join(", ", Parameters.Select(Format))})" : "")}";
}

/// <summary>
/// A category → number table: ordinal, frequency and target encodings. Missing and unknown
/// categories get their own fitted values (documented per encoder).
/// </summary>
internal sealed class CategoryMapStep(int source, double[] values, double missing, double unknown, string method, FeatureInfo output) : FeatureStep([source], [output])
{
    public const string TypeName = "category-map";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new CategoryMapStep(
        sources[0],
        ParameterCheck.Finite(state.Array("values"), "the category map's values"),
        MissingOrUnknown(state.Number("missing"), state.Text("method"), "missing values"),
        MissingOrUnknown(state.Number("unknown"), state.Text("method"), "unknown categories"),
        state.Text("method"),
        outputs[0]);

    /// <summary>The value a loaded map gives missing values or unknown categories: finite, or NaN (missing) for an ordinal map, whose output is imputed later; frequency and target maps always give a number.</summary>
    public static double MissingOrUnknown(double value, string method, string what) =>
        double.IsNaN(value) && method == "ordinal" ? value : ParameterCheck.Finite(value, $"the {method} map's value for {what}");

    public double[] Values { get; } = values;

    public double MissingValue { get; } = missing;

    public double UnknownValue { get; } = unknown;

    public string Method { get; } = method;

    public override string Type => TypeName;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs)
    {
        var x = inputs[0];
        outputs[0] = double.IsNaN(x) ? MissingValue : x >= 0 && x < Values.Length ? Values[(int)x] : UnknownValue;
    }

    public override void Save(StepState state) =>
        state.Put("values", Values).Put("missing", MissingValue).Put("unknown", UnknownValue).Put("method", Method);

    public override string Describe(Func<int, string> name) =>
        $"{Outputs[0].Name}: {Method} encoding of {name(Sources[0])} ({Values.Length} categories; missing -> {Format(MissingValue)}, unknown -> {Format(UnknownValue)})";
}

/// <summary>How <see cref="CombineStep"/> combines two columns.</summary>
internal enum CombineOperation
{
    /// <summary>a / b; missing when b is 0.</summary>
    Ratio,

    /// <summary>a − b.</summary>
    Difference,

    /// <summary>a · b.</summary>
    Product,

    /// <summary>a + b.</summary>
    Sum,
}

/// <summary>A column derived from two others; missing when either is missing.</summary>
internal sealed class CombineStep(int left, int right, CombineOperation operation, FeatureInfo output) : FeatureStep([left, right], [output])
{
    public const string TypeName = "combine";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new CombineStep(sources[0], sources[1], Enum.Parse<CombineOperation>(state.Text("operation"), ignoreCase: true), outputs[0]);

    public CombineOperation Operation { get; } = operation;

    public override string Type => TypeName;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs)
    {
        double a = inputs[0], b = inputs[1];
        outputs[0] = Operation switch
        {
            CombineOperation.Ratio => b == 0 ? double.NaN : a / b,
            CombineOperation.Difference => a - b,
            CombineOperation.Product => a * b,
            _ => a + b,
        };
    }

    public override void Save(StepState state) => state.Put("operation", Operation.ToString());

    public override string Describe(Func<int, string> name) =>
        $"{Outputs[0].Name} = {name(Sources[0])} {Operation switch { CombineOperation.Ratio => "/", CombineOperation.Difference => "-", CombineOperation.Product => "*", _ => "+" }} {name(Sources[1])}";
}

/// <summary>A user function registered by name in <see cref="CustomFeatures"/>; only the name is saved.</summary>
internal sealed class CustomStep(int[] sources, string function, FeatureInfo output) : FeatureStep(sources, [output])
{
    public const string TypeName = "custom";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new CustomStep(sources, state.Text("function"), outputs[0]);

    private readonly CustomFeature _function = CustomFeatures.Resolve(function);

    public string Function { get; } = function;

    public override string Type => TypeName;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs) => outputs[0] = _function(inputs);

    public override void Save(StepState state) => state.Put("function", Function);

    public override string Describe(Func<int, string> name) => $"{Outputs[0].Name} = {Function}({string.Join(", ", Sources.Select(name))})";
}

/// <summary>Replaces a value by the Weight of Evidence of its bin.</summary>
internal sealed class WoeStep(int source, WoeBinning binning, FeatureInfo output) : FeatureStep([source], [output])
{
    public const string TypeName = "woe";

    /// <summary>Recreates the step from what <see cref="Save"/> wrote.</summary>
    public static FeatureStep Load(int[] sources, FeatureInfo[] outputs, StepState state) =>
        new WoeStep(sources[0], WoeBinning.Load(state, outputs[0].Name), outputs[0]);

    public WoeBinning Binning { get; } = binning;

    public override string Type => TypeName;

    public override void Compute(ReadOnlySpan<double> inputs, Span<double> outputs) => outputs[0] = Binning.WeightOfEvidence(inputs[0]);

    public override void Save(StepState state) => Binning.Save(state);

    public override string Describe(Func<int, string> name) =>
        $"{Outputs[0].Name}: WoE of {name(Sources[0])} in {Binning.Bins.Count} bins (IV {Binning.InformationValue.ToString("F4", CultureInfo.InvariantCulture)})";
}

/// <summary>The Yeo-Johnson power transform (Yeo and Johnson, Biometrika 87(4), 2000).</summary>
internal static class YeoJohnson
{
    public static double Transform(double x, double lambda)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (x >= 0)
        {
            return Math.Abs(lambda) < 1e-12 ? Math.Log(1 + x) : (Math.Pow(1 + x, lambda) - 1) / lambda;
        }

        return Math.Abs(lambda - 2) < 1e-12 ? -Math.Log(1 - x) : -(Math.Pow(1 - x, 2 - lambda) - 1) / (2 - lambda);
    }

    /// <summary>
    /// The λ maximising the profile log-likelihood of a normal fit to the transformed values, as
    /// <c>scipy.stats.yeojohnson_normmax</c> (which uses Brent's method), here by golden-section search on λ ∈ [−2, 2].
    /// </summary>
    public static double FitLambda(ReadOnlySpan<double> present)
    {
        var values = present.ToArray();
        var n = values.Length;
        var logSum = 0.0;
        foreach (var x in values)
        {
            logSum += Math.CopySign(Math.Log(1 + Math.Abs(x)), x);
        }

        var transformed = new double[n];
        double NegativeLogLikelihood(double lambda)
        {
            for (var i = 0; i < n; i++)
            {
                transformed[i] = Transform(values[i], lambda);
            }

            var (_, std, _) = Data.SampleStatistics.MeanAndStd(transformed);
            var variance = std * std;
            return -((-n / 2.0 * Math.Log(Math.Max(variance, 1e-300))) + ((lambda - 1) * logSum));
        }

        // Golden-section search: the profile likelihood is unimodal in λ for practical data.
        var ratio = (Math.Sqrt(5) - 1) / 2;
        double lo = -2, hi = 2;
        double c = hi - (ratio * (hi - lo)), d = lo + (ratio * (hi - lo));
        double fc = NegativeLogLikelihood(c), fd = NegativeLogLikelihood(d);
        while (hi - lo > 1e-9)
        {
            if (fc < fd)
            {
                (hi, d, fd) = (d, c, fc);
                c = hi - (ratio * (hi - lo));
                fc = NegativeLogLikelihood(c);
            }
            else
            {
                (lo, c, fc) = (c, d, fd);
                d = lo + (ratio * (hi - lo));
                fd = NegativeLogLikelihood(d);
            }
        }

        return (lo + hi) / 2;
    }
}
