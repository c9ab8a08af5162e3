using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.Scoring;

/// <summary>What the scorer does with a numeric input outside the range the model was trained on.</summary>
public enum OutOfRangeHandling
{
    /// <summary>Score it as it is, without a word.</summary>
    Ignore,

    /// <summary>
    /// Score it as it is and set <see cref="ScoreWarnings.OutOfRange"/> on the score (the default), which the DI scorer counts
    /// in the <c>creditscoring.score_warnings</c> metric and the scores file writes in its <c>warnings</c> column.
    /// </summary>
    Flag,

    /// <summary>Score it at the nearest end of the training range, and set <see cref="ScoreWarnings.OutOfRange"/>.</summary>
    Clip,

    /// <summary>Refuse it with a <see cref="ScoringInputException"/> naming the input, the value, the row and the range.</summary>
    Throw,
}

/// <summary>
/// The training range of each numeric input, from the model's <see cref="PopulationProfile"/> (the smallest and largest
/// training value), widened on both sides by a share of its width. Inputs the profile does not know (categorical inputs, a
/// model without a profile) are not checked.
/// </summary>
internal sealed class InputRanges
{
    private readonly InputSchema _schema;
    private readonly int[] _checked;
    private readonly double[] _min;
    private readonly double[] _max;
    private readonly double[] _low;
    private readonly double[] _high;
    private readonly double _tolerance;

    private InputRanges(InputSchema schema, int[] checkedInputs, double[] min, double[] max, double tolerance)
    {
        _schema = schema;
        _checked = checkedInputs;
        _min = min;
        _max = max;
        _low = new double[min.Length];
        _high = new double[max.Length];
        for (var j = 0; j < min.Length; j++)
        {
            var width = max[j] - min[j];
            _low[j] = min[j] - (tolerance * width);
            _high[j] = max[j] + (tolerance * width);
        }

        _tolerance = tolerance;
    }

    /// <summary>The ranges of a model's inputs, or null when there is nothing to check.</summary>
    public static InputRanges? Of(CreditModel model, double tolerance)
    {
        if (model.Profile is not { } profile)
        {
            return null;
        }

        var schema = model.Input;
        var min = new double[schema.Count];
        var max = new double[schema.Count];
        var checkedInputs = new List<int>();
        for (var j = 0; j < schema.Count; j++)
        {
            var input = schema.Columns[j];
            if (input.Kind != ColumnKind.Numeric || !profile.Contains(input.Name) || profile[input.Name].Quantiles is not { Count: > 0 } q)
            {
                continue;
            }

            min[j] = q[0];
            max[j] = q[^1];
            checkedInputs.Add(j);
        }

        return checkedInputs.Count == 0 ? null : new InputRanges(schema, [.. checkedInputs], min, max, tolerance);
    }

    /// <summary>The first checked input whose value is outside its range, or −1. NaN (missing) is never outside.</summary>
    public int FirstOutside(ReadOnlySpan<double> raw)
    {
        foreach (var j in _checked)
        {
            var x = raw[j];
            if (x < _low[j] || x > _high[j])
            {
                return j;
            }
        }

        return -1;
    }

    /// <summary>Moves every value outside its range to the nearest end.</summary>
    public void Clip(Span<double> raw)
    {
        foreach (var j in _checked)
        {
            raw[j] = Clip(raw[j], j);
        }
    }

    /// <summary>
    /// Checks the raw input columns of a batch: marks rows with a value outside (Flag, Clip), clips (on a copy, as the columns
    /// may be the table's own arrays) or throws at the first one (Throw).
    /// </summary>
    public void Apply(double[][] raw, OutOfRangeHandling handling, Span<ScoreWarnings> warnings)
    {
        if (handling == OutOfRangeHandling.Flag && warnings.IsEmpty)
        {
            return; // flags need somewhere to go; probabilities alone are unaffected
        }

        foreach (var j in _checked)
        {
            var column = raw[j];
            var values = column.AsSpan();
            var low = _low[j];
            var high = _high[j];
            double[]? clipped = null;
            for (var i = 0; i < values.Length; i++)
            {
                var x = values[i];
                if (!(x < low || x > high))
                {
                    continue;
                }

                switch (handling)
                {
                    case OutOfRangeHandling.Throw:
                        throw Error(j, x, i);
                    case OutOfRangeHandling.Clip:
                        clipped ??= (double[])column.Clone();
                        clipped[i] = Clip(x, j);
                        break;
                }

                if (!warnings.IsEmpty)
                {
                    warnings[i] |= ScoreWarnings.OutOfRange;
                }
            }

            if (clipped is not null)
            {
                raw[j] = clipped;
            }
        }
    }

    public ScoringInputException Error(int input, double value, int? row)
    {
        var name = _schema.Columns[input].Name;
        var widened = _tolerance > 0 ? string.Create(CultureInfo.InvariantCulture, $", widened by OutOfRangeTolerance {Show(_tolerance)} to {Show(_low[input])} to {Show(_high[input])}") : "";
        return new ScoringInputException(name, string.Create(CultureInfo.InvariantCulture,
            $"Input '{name}'{(row is { } r ? $", row {r}," : "")} is {Show(value)}, outside the range the model was trained on ({Show(_min[input])} to {Show(_max[input])}{widened}). A value this far out is often a unit or entry error (cents for thousands); check it, or set ScorerOptions.OutOfRange to Flag or Clip."));
    }

    private double Clip(double x, int j) => x < _low[j] ? _low[j] : x > _high[j] ? _high[j] : x;

    private static string Show(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
