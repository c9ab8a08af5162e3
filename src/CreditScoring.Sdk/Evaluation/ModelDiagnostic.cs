using System.Globalization;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Evaluation;

/// <summary>
/// Something about a model's data or results that a risk team must see before trusting it: a feature that may leak the
/// outcome, too few rows, duplicate ids, extreme weights, probabilities worse than the prior-only baseline. Training records
/// them in <c>ModelMetadata.Diagnostics</c> (saved in the model file), evaluation in
/// <see cref="EvaluationReport.Diagnostics"/>; the pipeline logs them as warnings and the CLI prints them.
/// </summary>
/// <param name="Code">A stable code: <c>leak-suspect</c>, <c>few-rows</c>, <c>tiny-class</c>, <c>duplicate-ids</c>, <c>extreme-weights</c>, <c>worse-than-baseline</c>, <c>few-evaluation-rows</c>.</param>
/// <param name="Message">What was found and what to do, in words.</param>
public sealed record ModelDiagnostic(string Code, string Message)
{
    /// <summary>Fewer training rows than this is <c>few-rows</c>.</summary>
    public const int MinimumTrainingRows = 100;

    /// <summary>Fewer rows of either class than this is <c>tiny-class</c>.</summary>
    public const int MinimumClassRows = 20;

    /// <summary>A largest-to-smallest positive weight ratio above this, or one row with more than half the weight, is <c>extreme-weights</c>.</summary>
    public const double MaximumWeightRatio = 1e6;

    /// <summary>Fewer evaluated rows (or defaults among them) than this is <c>few-evaluation-rows</c>.</summary>
    public const int MinimumEvaluationRows = 100;

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";

    /// <summary>
    /// The diagnostics of training data: each input that separates the classes perfectly on its own (a leak suspect: O(rows)
    /// per column, so only exact separation is caught), too few rows or rows of a class, duplicate ids, extreme weights.
    /// </summary>
    /// <param name="training">The training table (with its target).</param>
    /// <param name="inputs">The model's input columns.</param>
    /// <returns>The diagnostics, empty when none.</returns>
    public static IReadOnlyList<ModelDiagnostic> OfTraining(CreditData training, IEnumerable<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(inputs);
        var found = new List<ModelDiagnostic>();
        var labels = training.Labels;
        var weights = training.Weights;
        var positives = training.PositiveCount;
        var negatives = labels.Length - positives;
        var ci = CultureInfo.InvariantCulture;
        if (training.RowCount < MinimumTrainingRows)
        {
            found.Add(new("few-rows", string.Create(ci, $"The model was trained on {training.RowCount:N0} rows; a probability-of-default model needs hundreds at least, so its coefficients and figures are unreliable.")));
        }

        if (Math.Min(positives, negatives) < MinimumClassRows)
        {
            found.Add(new("tiny-class", string.Create(ci, $"Only {Math.Min(positives, negatives):N0} training rows are {(positives <= negatives ? "defaults" : "non-defaults")} (of {training.RowCount:N0}); with fewer than {MinimumClassRows} the model cannot learn what tells them apart.")));
        }

        foreach (var name in inputs)
        {
            if (positives > 0 && negatives > 0 && Separates(training[name], labels, weights))
            {
                found.Add(new("leak-suspect", $"Input '{name}' separates defaults from non-defaults perfectly on the training rows (on its own it scores AUC 1.0): it may copy the outcome, such as a field filled in after the default. Check it, and drop it if it does."));
            }
        }

        if (training.IdColumn is { } ids && Duplicates(ids) is { Count: > 0 } duplicate)
        {
            found.Add(new("duplicate-ids", string.Create(ci, $"{duplicate.Count:N0} rows repeat an id of an earlier row (first: '{duplicate.First}' in column '{ids.Name}'): duplicates count twice in training and leak across a train/test split.")));
        }

        if (training.HasWeights && WeightProblem(weights) is { } weightProblem)
        {
            found.Add(new("extreme-weights", weightProblem));
        }

        return found;
    }

    /// <summary>The diagnostics of an evaluation: probabilities worse than the prior-only baseline, too few rows to trust the figures.</summary>
    internal static IReadOnlyList<ModelDiagnostic> OfEvaluation(int rows, double positives, double logLoss, double brier, BaselineMetrics baseline)
    {
        var found = new List<ModelDiagnostic>();
        var ci = CultureInfo.InvariantCulture;
        var worseLogLoss = logLoss > baseline.LogLoss;
        var worseBrier = brier > baseline.Brier;
        if (worseLogLoss || worseBrier)
        {
            var what = worseLogLoss && worseBrier
                ? string.Create(ci, $"log-loss ({logLoss:F4} vs {baseline.LogLoss:F4}) and Brier score ({brier:F4} vs {baseline.Brier:F4})")
                : worseLogLoss ? string.Create(ci, $"log-loss ({logLoss:F4} vs {baseline.LogLoss:F4})") : string.Create(ci, $"Brier score ({brier:F4} vs {baseline.Brier:F4})");
            found.Add(new("worse-than-baseline", $"The probabilities are worse than the prior-only baseline's on {what}: they are miscalibrated, whatever the ranking (AUC) says. Resampling (SMOTE, over- or under-sampling) shifts probabilities up; calibrate them (Calibrate(CalibrationMethod.PriorCorrection), Platt or Isotonic; CLI --calibrate prior|platt|isotonic)."));
        }

        if (rows < MinimumEvaluationRows || positives < MinimumClassRows)
        {
            found.Add(new("few-evaluation-rows", string.Create(ci, $"The figures come from {rows:N0} rows with {positives:N0} defaults; with so few they are unreliable.")));
        }

        return found;
    }

    /// <summary>Whether a column's values split the classes perfectly: numbers by a threshold (missing values on one side only), categories by purity.</summary>
    private static bool Separates(DataColumn column, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights)
    {
        switch (column)
        {
            case NumericColumn numeric:
            {
                var values = numeric.Values;
                double min0 = double.PositiveInfinity, max0 = double.NegativeInfinity, min1 = double.PositiveInfinity, max1 = double.NegativeInfinity;
                bool missing0 = false, missing1 = false;
                for (var i = 0; i < values.Length; i++)
                {
                    if (!weights.IsEmpty && weights[i] <= 0)
                    {
                        continue;
                    }

                    var x = values[i];
                    if (double.IsNaN(x))
                    {
                        (missing0, missing1) = labels[i] == 1 ? (missing0, true) : (true, missing1);
                    }
                    else if (labels[i] == 1)
                    {
                        min1 = Math.Min(min1, x);
                        max1 = Math.Max(max1, x);
                    }
                    else
                    {
                        min0 = Math.Min(min0, x);
                        max0 = Math.Max(max0, x);
                    }
                }

                var present0 = min0 <= max0;
                var present1 = min1 <= max1;
                return !(missing0 && missing1) && present0 && present1 && (max0 < min1 || max1 < min0);
            }

            case CategoricalColumn categorical:
            {
                var codes = categorical.Codes;
                var seen = new sbyte[categorical.Categories.Count + 1]; // 0 unseen, 1 only non-defaults, 2 only defaults, 3 both
                for (var i = 0; i < codes.Length; i++)
                {
                    if (!weights.IsEmpty && weights[i] <= 0)
                    {
                        continue;
                    }

                    var k = codes[i] + 1;
                    seen[k] |= (sbyte)(labels[i] == 1 ? 2 : 1);
                }

                // Every category pure, and more than one category in play (a single pure category would mean one class).
                var used = 0;
                foreach (var s in seen)
                {
                    if (s == 3)
                    {
                        return false;
                    }

                    used += s != 0 ? 1 : 0;
                }

                return used > 1;
            }

            default:
                return false;
        }
    }

    private static (int Count, string First)? Duplicates(DataColumn ids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        string? first = null;
        for (var i = 0; i < ids.Length; i++)
        {
            var id = ids.FormatValue(i);
            if (id is not null && !seen.Add(id))
            {
                count++;
                first ??= id;
            }
        }

        return count == 0 ? null : (count, first!);
    }

    private static string? WeightProblem(ReadOnlySpan<double> weights)
    {
        double min = double.PositiveInfinity, max = 0, total = 0;
        foreach (var w in weights)
        {
            total += w;
            if (w > 0)
            {
                min = Math.Min(min, w);
                max = Math.Max(max, w);
            }
        }

        var ci = CultureInfo.InvariantCulture;
        if (max > 0.5 * total && weights.Length > 1)
        {
            return string.Create(ci, $"One row carries {100 * max / total:0}% of the total weight ({max:G4} of {total:G4}): it alone decides the model. Check the weights.");
        }

        return max / min > MaximumWeightRatio
            ? string.Create(ci, $"The weights range from {min:G4} to {max:G4} (a ratio of {max / min:G3}): a few rows decide the model. Check the weights.")
            : null;
    }
}
