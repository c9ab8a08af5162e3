using System.Buffers;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Features;

/// <summary>
/// Fitted, immutable feature preprocessing: turns a model's raw inputs (<see cref="InputSchema"/>)
/// into the learner's features, identically for a whole table and for one applicant.
/// </summary>
/// <remarks>
/// Raw inputs are a vector of doubles in <see cref="InputSchema"/> order: a numeric input is its
/// value, a categorical input its category code; NaN is missing and −1 an unknown category.
/// Each step reads earlier columns of a working frame (the raw inputs followed by every step's
/// outputs) and appends its own outputs; the model's features are a selection of that frame.
/// </remarks>
public sealed class FittedFeatures
{
    private readonly FeatureStep[] _steps;
    private readonly int[] _selection;
    private readonly FeatureInfo[] _features;
    private readonly FeatureInfo[] _working;

    internal FittedFeatures(InputSchema input, FeatureStep[] steps, int[] selection)
    {
        Input = input;
        _steps = steps;
        _selection = selection;
        var working = new List<FeatureInfo>();
        foreach (var c in input.Columns)
        {
            working.Add(c.Kind == ColumnKind.Numeric
                ? new FeatureInfo(c.Name, FeatureKind.Continuous)
                : new FeatureInfo(c.Name, FeatureKind.Categorical, c.Categories.Count));
        }

        foreach (var s in steps)
        {
            foreach (var source in s.Sources)
            {
                if ((uint)source >= (uint)working.Count)
                {
                    throw new ArgumentException($"A feature step reads working column {source}, which does not exist before it.");
                }
            }

            working.AddRange(s.Outputs);
        }

        _working = [.. working];
        _features = new FeatureInfo[selection.Length];
        for (var i = 0; i < selection.Length; i++)
        {
            if ((uint)selection[i] >= (uint)working.Count)
            {
                throw new ArgumentException($"Feature {i} selects working column {selection[i]}, which does not exist.");
            }

            _features[i] = working[selection[i]];
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in _features)
        {
            if (!names.Add(f.Name))
            {
                throw new ArgumentException($"Two features are named '{f.Name}'.");
            }
        }
    }

    /// <summary>The raw inputs the preprocessing reads.</summary>
    public InputSchema Input { get; }

    /// <summary>The features it produces, in learner order.</summary>
    public IReadOnlyList<FeatureInfo> Features => _features;

    /// <summary>One line per step, for reports: e.g. <c>Income: missing → median 123</c>.</summary>
    public IReadOnlyList<string> Steps => _steps.Select(s => s.Describe(this)).ToArray();

    internal IReadOnlyList<FeatureStep> StepList => _steps;

    internal IReadOnlyList<int> Selection => _selection;

    /// <summary>Transforms a table (which must hold every input column) into features.</summary>
    /// <param name="data">The data.</param>
    /// <param name="unknownCategories">What to do with categories not seen in training.</param>
    /// <returns>The features.</returns>
    /// <exception cref="ScoringInputException">An input column is missing or has the wrong kind, or an unknown category meets <see cref="UnknownCategoryHandling.Throw"/>.</exception>
    public FeatureMatrix Transform(CreditData data, UnknownCategoryHandling unknownCategories = UnknownCategoryHandling.Ignore)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Transform(InputBinder.Bind(Input, data, unknownCategories), data.RowCount);
    }

    internal FeatureMatrix Transform(double[][] raw, int rows)
    {
        var working = new double[_working.Length][];
        Array.Copy(raw, working, raw.Length);
        var next = raw.Length;
        foreach (var step in _steps)
        {
            var outputs = new double[step.Outputs.Length][];
            for (var k = 0; k < outputs.Length; k++)
            {
                outputs[k] = new double[rows];
            }

            step.Transform(working, rows, outputs);
            outputs.CopyTo(working, next);
            next += outputs.Length;
        }

        var columns = new double[_selection.Length][];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = working[_selection[i]];
        }

        return new FeatureMatrix(_features, columns, rows);
    }

    /// <summary>Transforms one applicant's raw inputs into features, allocating nothing.</summary>
    internal void TransformRow(ReadOnlySpan<double> raw, Span<double> features)
    {
        double[]? rented = null;
        var working = _working.Length <= 256 ? stackalloc double[256] : (rented = ArrayPool<double>.Shared.Rent(_working.Length));
        try
        {
            raw.CopyTo(working);
            var next = raw.Length;
            foreach (var step in _steps)
            {
                var width = step.Outputs.Length;
                step.TransformRow(working, working.Slice(next, width));
                next += width;
            }

            for (var i = 0; i < _selection.Length; i++)
            {
                features[i] = working[_selection[i]];
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The name of a working-frame column (raw input or step output), for step descriptions.</summary>
    internal string WorkingName(int index) => _working[index].Name;
}

/// <summary>One fitted preprocessing step: reads working columns, writes its outputs.</summary>
internal abstract class FeatureStep
{
    public abstract IReadOnlyList<int> Sources { get; }

    public abstract FeatureInfo[] Outputs { get; }

    public abstract void TransformRow(ReadOnlySpan<double> working, Span<double> outputs);

    public abstract void Transform(double[][] working, int rows, double[][] outputs);

    public abstract string Describe(FittedFeatures owner);
}

/// <summary>Replaces a missing value (NaN) by a constant fitted on training rows.</summary>
internal sealed class ImputeStep(int source, double fill, string method, FeatureInfo output) : FeatureStep
{
    public int Source { get; } = source;

    public double Fill { get; } = fill;

    /// <summary>How <see cref="Fill"/> was obtained ("median", ...), for reports.</summary>
    public string Method { get; } = method;

    public override IReadOnlyList<int> Sources => [Source];

    public override FeatureInfo[] Outputs { get; } = [output];

    public override void TransformRow(ReadOnlySpan<double> working, Span<double> outputs)
    {
        var x = working[Source];
        outputs[0] = double.IsNaN(x) ? Fill : x;
    }

    public override void Transform(double[][] working, int rows, double[][] outputs)
    {
        var x = working[Source];
        var y = outputs[0];
        for (var i = 0; i < rows; i++)
        {
            y[i] = double.IsNaN(x[i]) ? Fill : x[i];
        }
    }

    public override string Describe(FittedFeatures owner) => $"{owner.WorkingName(Source)}: missing -> {Method} {Fill.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>Copies a column unchanged (for learners that accept missing values and category codes).</summary>
internal sealed class PassThroughStep(int source, FeatureInfo output) : FeatureStep
{
    public int Source { get; } = source;

    public override IReadOnlyList<int> Sources => [Source];

    public override FeatureInfo[] Outputs { get; } = [output];

    public override void TransformRow(ReadOnlySpan<double> working, Span<double> outputs)
    {
        var x = working[Source];
        outputs[0] = Outputs[0].Kind == FeatureKind.Categorical && x < 0 ? double.NaN : x;
    }

    public override void Transform(double[][] working, int rows, double[][] outputs)
    {
        var x = working[Source];
        var y = outputs[0];
        if (Outputs[0].Kind == FeatureKind.Categorical)
        {
            for (var i = 0; i < rows; i++)
            {
                y[i] = x[i] < 0 ? double.NaN : x[i];
            }
        }
        else
        {
            x.AsSpan(0, rows).CopyTo(y);
        }
    }

    public override string Describe(FittedFeatures owner) => Outputs[0].Kind == FeatureKind.Categorical
        ? $"{owner.WorkingName(Source)}: category codes (unknown -> missing)"
        : $"{owner.WorkingName(Source)}: as is";
}

/// <summary>
/// One-hot encoding of a categorical column: one 0/1 column per training category (sorted), plus one
/// for "missing" when training had missing values. An unknown category sets every indicator to 0
/// (scikit-learn's <c>handle_unknown="ignore"</c>); a missing value without a missing column does too.
/// </summary>
internal sealed class OneHotStep(int source, int categoryCount, bool missingIndicator, FeatureInfo[] outputs) : FeatureStep
{
    public int Source { get; } = source;

    public int CategoryCount { get; } = categoryCount;

    public bool MissingIndicator { get; } = missingIndicator;

    public override IReadOnlyList<int> Sources => [Source];

    public override FeatureInfo[] Outputs { get; } = outputs;

    public override void TransformRow(ReadOnlySpan<double> working, Span<double> outputs)
    {
        outputs.Clear();
        var x = working[Source];
        if (double.IsNaN(x))
        {
            if (MissingIndicator)
            {
                outputs[CategoryCount] = 1.0;
            }
        }
        else if (x >= 0 && x < CategoryCount)
        {
            outputs[(int)x] = 1.0;
        }
    }

    public override void Transform(double[][] working, int rows, double[][] outputs)
    {
        var x = working[Source];
        for (var i = 0; i < rows; i++)
        {
            var v = x[i];
            if (double.IsNaN(v))
            {
                if (MissingIndicator)
                {
                    outputs[CategoryCount][i] = 1.0;
                }
            }
            else if (v >= 0 && v < CategoryCount)
            {
                outputs[(int)v][i] = 1.0;
            }
        }
    }

    public override string Describe(FittedFeatures owner) =>
        $"{owner.WorkingName(Source)}: one-hot, {CategoryCount} categor{(CategoryCount == 1 ? "y" : "ies")}{(MissingIndicator ? " + missing" : "")} (unknown -> all 0)";
}
