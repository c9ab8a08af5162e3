using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Explanations;

/// <summary>How much one feature or input moves the model's margin over a data set.</summary>
public sealed record ContributionImportance
{
    /// <summary>The feature or input.</summary>
    public required string Name { get; init; }

    /// <summary>The mean absolute contribution (log-odds) over the rows: the SHAP global importance.</summary>
    public required double MeanAbsoluteContribution { get; init; }

    /// <summary>The mean signed contribution (log-odds) over the rows.</summary>
    public required double MeanContribution { get; init; }
}

/// <summary>How much the model's AUC falls when one input's values are shuffled across the rows.</summary>
public sealed record PermutationImportance
{
    /// <summary>The input.</summary>
    public required string Input { get; init; }

    /// <summary>The mean fall in AUC over the repeats (positive: the model needs the input).</summary>
    public required double AucDrop { get; init; }

    /// <summary>The standard deviation of the fall over the repeats (0 with one repeat).</summary>
    public required double StandardDeviation { get; init; }

    /// <summary>The fall of each repeat, in order.</summary>
    public required IReadOnlyList<double> Drops { get; init; }
}

/// <summary>Global views of a model: what drives it over a data set.</summary>
public static class GlobalImportance
{
    /// <summary>
    /// The mean absolute contribution of each feature and of each input over explanations of many rows (Lundberg et al.
    /// 2020's global SHAP importance), largest first, ties by name.
    /// </summary>
    /// <param name="explanations">Explanations of the rows (from <see cref="CreditExplainer.ExplainBatch"/>), at least one.</param>
    /// <returns>By model feature, and by input (derived characteristics included).</returns>
    /// <exception cref="ArgumentException">No explanations, or explanations of different models.</exception>
    public static (IReadOnlyList<ContributionImportance> ByFeature, IReadOnlyList<ContributionImportance> ByInput) OfContributions(IReadOnlyList<Explanation> explanations)
    {
        ArgumentNullException.ThrowIfNull(explanations);
        if (explanations.Count == 0)
        {
            throw new ArgumentException("Global importance needs at least one explanation.", nameof(explanations));
        }

        return (Summarize(explanations, e => e.Features.Select(f => (f.Name, f.Contribution))), Summarize(explanations, e => e.Inputs.Select(i => (i.Name, i.Contribution))));
    }

    /// <summary>
    /// Permutation feature importance by input name (Breiman 2001; as ML.NET's PFI, but per input rather than per
    /// feature column): for each input, its values are shuffled across the rows <paramref name="repeats"/> times and the
    /// data is scored again; the importance is the mean fall in AUC, with its spread. Deterministic for a seed.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="data">Labelled data holding every input.</param>
    /// <param name="repeats">Shuffles per input; default 5.</param>
    /// <param name="seed">The seed of the shuffles (the context's).</param>
    /// <returns>One entry per input, largest fall first, ties by name.</returns>
    /// <exception cref="TrainingDataException">The data has no target.</exception>
    /// <exception cref="ScoringInputException">An input column is absent or has the wrong kind.</exception>
    public static IReadOnlyList<PermutationImportance> OfPermutations(CreditModel model, CreditData data, int seed, int repeats = 5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        if (!data.HasTarget)
        {
            throw CreditData.NoTarget();
        }

        var scorer = model.CreateScorer();
        var probabilities = new double[data.RowCount];
        scorer.PredictProbabilities(data, probabilities);
        var baseline = ClassificationMetrics.Auc(probabilities, data.Labels, data.Weights);
        var result = new List<PermutationImportance>();
        var random = new DeterministicRandom(seed);
        foreach (var input in model.Input.Columns)
        {
            var drops = new double[repeats];
            for (var r = 0; r < repeats; r++)
            {
                var order = new int[data.RowCount];
                for (var i = 0; i < order.Length; i++)
                {
                    order[i] = i;
                }

                random.ShuffleInplace(order.AsSpan());

                scorer.PredictProbabilities(data.WithColumnRowsFrom(input.Name, order), probabilities);
                drops[r] = baseline - ClassificationMetrics.Auc(probabilities, data.Labels, data.Weights);
            }

            var mean = drops.Average();
            var variance = repeats == 1 ? 0 : drops.Sum(d => (d - mean) * (d - mean)) / (repeats - 1);
            result.Add(new PermutationImportance { Input = input.Name, AucDrop = mean, StandardDeviation = Math.Sqrt(variance), Drops = drops });
        }

        return [.. result.OrderByDescending(p => p.AucDrop).ThenBy(p => p.Input, StringComparer.Ordinal)];
    }

    private static ContributionImportance[] Summarize(IReadOnlyList<Explanation> explanations, Func<Explanation, IEnumerable<(string Name, double Contribution)>> parts)
    {
        var names = parts(explanations[0]).Select(p => p.Name).ToArray();
        var absolute = new double[names.Length];
        var signed = new double[names.Length];
        foreach (var e in explanations)
        {
            var k = 0;
            foreach (var (name, c) in parts(e))
            {
                if (k >= names.Length || names[k] != name)
                {
                    throw new ArgumentException($"The explanations are of different models ('{name}' where '{(k < names.Length ? names[k] : "nothing")}' was expected).", nameof(explanations));
                }

                absolute[k] += Math.Abs(c);
                signed[k] += c;
                k++;
            }
        }

        return [.. names.Select((n, k) => new ContributionImportance { Name = n, MeanAbsoluteContribution = absolute[k] / explanations.Count, MeanContribution = signed[k] / explanations.Count })
            .OrderByDescending(c => c.MeanAbsoluteContribution).ThenBy(c => c.Name, StringComparer.Ordinal)];
    }
}
