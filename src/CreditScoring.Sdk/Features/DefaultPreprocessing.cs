using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Features;

/// <summary>
/// Shared pieces of the learner preparation that ends every feature pipeline (<see cref="FeatureFrame.Finish"/>):
/// a learner without <see cref="LearnerCapabilities.MissingValues"/> gets numeric columns imputed with
/// their training median (0 when a column has no training value, as scikit-learn's
/// <c>keep_empty_features</c>); a learner without <see cref="LearnerCapabilities.CategoricalFeatures"/>
/// gets categorical columns one-hot encoded, with a <c>(missing)</c> indicator when training had missing values.
/// </summary>
internal static class DefaultPreprocessing
{
    public const string MissingCategoryLabel = "(missing)";

    /// <summary>
    /// The weighted median of the non-missing values: the smallest value whose cumulative weight
    /// exceeds half the total, or the mean of the two values around an exact half — so that with unit
    /// (or integer) weights it equals numpy's median of the (repeated) values. Rows of zero weight are
    /// ignored; 0 when no value has positive weight.
    /// </summary>
    internal static double MedianOrZero(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        var present = new double[values.Length];
        var presentWeights = new double[values.Length];
        var count = 0;
        var total = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            var w = weights.IsEmpty ? 1.0 : weights[i];
            if (!double.IsNaN(values[i]) && w > 0)
            {
                present[count] = values[i];
                presentWeights[count] = w;
                total += w;
                count++;
            }
        }

        if (count == 0)
        {
            return 0.0;
        }

        if (weights.IsEmpty)
        {
            // Unit weights: numpy's median by selection, O(n) instead of a full sort.
            var values0 = present.AsSpan(0, count);
            var upper = Selection.SelectInplace(values0, count / 2);
            return count % 2 == 1 ? upper : (Selection.MaxOf(values0[..(count / 2)]) + upper) / 2.0;
        }

        var sorted = present.AsSpan(0, count);
        var sortedWeights = presentWeights.AsSpan(0, count);
        sorted.Sort(sortedWeights);
        var half = total / 2;
        var cumulative = 0.0;
        for (var k = 0; k < count; k++)
        {
            cumulative += sortedWeights[k];
            if (cumulative > half)
            {
                return sorted[k];
            }

            if (cumulative == half)
            {
                return (sorted[k] + sorted[k + 1]) / 2.0;
            }
        }

        return sorted[^1];
    }
}
