namespace CreditScoring.Sdk.Internal;

/// <summary>Input checks shared by the metrics.</summary>
internal static class MetricInputs
{
    public static void Check(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights)
    {
        if (labels.Length != scores.Length)
        {
            throw new ArgumentException($"There are {labels.Length} labels for {scores.Length} scores.", nameof(labels));
        }

        if (!weights.IsEmpty && weights.Length != scores.Length)
        {
            throw new ArgumentException($"There are {weights.Length} weights for {scores.Length} scores.", nameof(weights));
        }

        for (var i = 0; i < scores.Length; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"Score {scores[i]} at index {i} is not a finite number.", nameof(scores));
            }

            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"Label {labels[i]} at index {i} is not 0 or 1.", nameof(labels));
            }

            if (!weights.IsEmpty && (!(weights[i] >= 0) || double.IsInfinity(weights[i])))
            {
                throw new ArgumentException($"Weight {weights[i]} at index {i} is not a finite number >= 0.", nameof(weights));
            }
        }
    }

    public static void CheckProbabilities(ReadOnlySpan<double> probabilities)
    {
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1))
            {
                throw new ArgumentException($"Probability {probabilities[i]} at index {i} is not in [0, 1].", nameof(probabilities));
            }
        }
    }
}
