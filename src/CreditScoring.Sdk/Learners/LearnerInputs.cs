using System.Globalization;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.Learners;

/// <summary>Checks every learner applies to its inputs, with messages that name the feature and row.</summary>
internal static class LearnerInputs
{
    /// <summary>Validates shapes, labels, weights and feature values; returns the weights (all 1 when none were given).</summary>
    public static double[] CheckAndExpand(FeatureMatrix features, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, bool allowMissing, bool allowCategorical, string subject = "training data")
    {
        var n = features.RowCount;
        if (labels.Length != n)
        {
            throw new ArgumentException($"There are {labels.Length} labels for {n} rows of features.", nameof(labels));
        }

        if (!weights.IsEmpty && weights.Length != n)
        {
            throw new ArgumentException($"There are {weights.Length} weights for {n} rows of features.", nameof(weights));
        }

        if (features.ColumnCount == 0)
        {
            throw new ArgumentException("There are no features to learn from.", nameof(features));
        }

        var w = new double[n];
        double positive = 0, negative = 0;
        for (var i = 0; i < n; i++)
        {
            var wi = weights.IsEmpty ? 1.0 : weights[i];
            if (!(wi >= 0) || double.IsInfinity(wi))
            {
                throw new ArgumentException($"Weight {wi.ToString(CultureInfo.InvariantCulture)} at row {i} is not a finite number >= 0.", nameof(weights));
            }

            w[i] = wi;
            switch (labels[i])
            {
                case 0: negative += wi; break;
                case 1: positive += wi; break;
                default: throw new ArgumentException($"Label {labels[i]} at row {i} is not 0 or 1.", nameof(labels));
            }
        }

        if (positive == 0 || negative == 0)
        {
            throw new TrainingDataException($"The {subject} has {(positive == 0 ? "no defaults (label 1)" : "no non-defaults (label 0)")} with positive weight; a PD model needs both classes.");
        }

        for (var j = 0; j < features.ColumnCount; j++)
        {
            var info = features.Features[j];
            if (info.Kind == FeatureKind.Categorical && !allowCategorical)
            {
                throw new ArgumentException($"Feature '{info.Name}' is categorical, which this learner does not accept; one-hot encode it (the pipeline does so by default).", nameof(features));
            }

            var x = features.Column(j);
            for (var i = 0; i < n; i++)
            {
                if (double.IsNaN(x[i]))
                {
                    if (!allowMissing)
                    {
                        throw new ArgumentException($"Feature '{info.Name}' is missing at row {i}; this learner needs complete features (impute them; the pipeline does so by default).", nameof(features));
                    }
                }
                else if (double.IsInfinity(x[i]))
                {
                    throw new ArgumentException($"Feature '{info.Name}' is infinite at row {i}.", nameof(features));
                }
            }
        }

        return w;
    }
}
