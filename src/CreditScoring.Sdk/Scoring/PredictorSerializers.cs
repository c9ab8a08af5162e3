using System.Collections.Concurrent;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Learners.Scorecards;

namespace CreditScoring.Sdk.Scoring;

/// <summary>
/// The predictor serializers the model file knows, by kind: the SDK's own (<c>logistic-regression</c>,
/// <c>gradient-boosting</c>, <c>scorecard</c>) and those registered by other assemblies. Saving a model looks up its
/// predictor's <see cref="ICreditPredictor.Kind"/>; loading one looks up the file's <c>"kind"</c>. Thread-safe.
/// </summary>
public static class PredictorSerializers
{
    private static readonly ConcurrentDictionary<string, PredictorSerializer> Registered = new(
        new PredictorSerializer[] { new LogisticRegressionSerializer(), new GradientBoostingSerializer(), new ScorecardSerializer() }
            .Select(s => KeyValuePair.Create(s.Kind, s)),
        StringComparer.Ordinal);

    /// <summary>The kinds that can be saved and loaded, in ordinal order.</summary>
    public static IReadOnlyList<string> Kinds => [.. Registered.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Registers a serializer for its <see cref="PredictorSerializer.Kind"/>. Registering the same instance again does
    /// nothing; a different serializer for a kind already registered is an error (two assemblies claiming one kind
    /// would load each other's files wrongly).
    /// </summary>
    /// <param name="serializer">The serializer.</param>
    /// <exception cref="ArgumentException">Its kind is empty, or another serializer has it.</exception>
    public static void Register(PredictorSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        if (string.IsNullOrWhiteSpace(serializer.Kind))
        {
            throw new ArgumentException($"the predictor serializer {serializer.GetType().FullName} has an empty kind.", nameof(serializer));
        }

        var existing = Registered.GetOrAdd(serializer.Kind, serializer);
        if (!ReferenceEquals(existing, serializer) && existing.GetType() != serializer.GetType())
        {
            throw new ArgumentException($"predictor kind '{serializer.Kind}' is already registered by {existing.GetType().FullName}; {serializer.GetType().FullName} cannot register it too.", nameof(serializer));
        }
    }

    /// <summary>The serializer of a kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="serializer">The serializer, when registered.</param>
    /// <returns>Whether one is registered.</returns>
    public static bool TryGet(string kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PredictorSerializer? serializer) =>
        Registered.TryGetValue(kind, out serializer);
}
