using System.Diagnostics.Metrics;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Hosting;

/// <summary>
/// The instruments of meter <see cref="MeterName"/> (collectable by OpenTelemetry without a dependency):
/// <c>creditscoring.scores</c> (applicants scored, tagged <c>decision</c>),
/// <c>creditscoring.probability</c> (the distribution of the probabilities given one by one),
/// <c>creditscoring.score_errors</c> (inputs rejected) and <c>creditscoring.score_warnings</c> (scores with a warning, tagged
/// <c>warning</c>: <c>out_of_range</c>, <c>unknown_category</c> or <c>invalid_probability</c>; see <see cref="ScoreWarnings"/>).
/// A scorer instrumented for a model version (<see cref="Instrument(ICreditScorer, string?)"/>) tags each with
/// <c>model.version</c> too.
/// </summary>
public sealed class CreditScoringMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "CreditScoring";

    private readonly Counter<long> _scores;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _warnings;
    private readonly Histogram<double> _probability;

    /// <summary>Creates the instruments on a meter.</summary>
    /// <param name="meter">The meter, normally from <see cref="IMeterFactory"/>.</param>
    public CreditScoringMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _scores = meter.CreateCounter<long>("creditscoring.scores", unit: "{applicant}", description: "Applicants scored, by decision.");
        _errors = meter.CreateCounter<long>("creditscoring.score_errors", unit: "{request}", description: "Scoring inputs rejected as invalid.");
        _probability = meter.CreateHistogram<double>("creditscoring.probability", unit: "1", description: "Probabilities of default given, one applicant at a time.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0] });
        _warnings = meter.CreateCounter<long>("creditscoring.score_warnings", unit: "{applicant}", description: "Applicants scored with a warning (an input outside the training range, an unknown category, no valid probability), by warning.");
    }

    internal void Scored(CreditDecision decision, string? version, long count = 1) =>
        _scores.Add(count, new KeyValuePair<string, object?>("decision", decision.ToText()), Version(version));

    internal void Probability(double probability, string? version) => _probability.Record(probability, Version(version));

    internal void Rejected(string? version) => _errors.Add(1, Version(version));

    internal void Warned(ScoreWarnings warnings, string? version)
    {
        if (warnings == ScoreWarnings.None)
        {
            return;
        }

        if ((warnings & ScoreWarnings.OutOfRange) != 0)
        {
            _warnings.Add(1, new KeyValuePair<string, object?>("warning", "out_of_range"), Version(version));
        }

        if ((warnings & ScoreWarnings.UnknownCategory) != 0)
        {
            _warnings.Add(1, new KeyValuePair<string, object?>("warning", "unknown_category"), Version(version));
        }

        if ((warnings & ScoreWarnings.InvalidProbability) != 0)
        {
            _warnings.Add(1, new KeyValuePair<string, object?>("warning", "invalid_probability"), Version(version));
        }
    }

    private static KeyValuePair<string, object?> Version(string? version) => new("model.version", version);

    /// <summary>A scorer that records its scores in these metrics (what <c>AddCreditScoring</c> registers), tagged with a model version when given.</summary>
    /// <param name="scorer">The scorer.</param>
    /// <param name="modelVersion">The served model's version for the <c>model.version</c> tag, or <see langword="null"/> (the default).</param>
    /// <returns>The instrumented scorer.</returns>
    public ICreditScorer Instrument(ICreditScorer scorer, string? modelVersion = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        return new InstrumentedScorer(scorer, this, modelVersion);
    }
}

internal sealed class InstrumentedScorer(ICreditScorer inner, CreditScoringMetrics metrics, string? version = null) : ICreditScorer
{
    public InputSchema Input => inner.Input;

    public DecisionPolicy Decision => inner.Decision;

    public ScoringRow CreateRow() => inner.CreateRow();

    public CreditScore Score(ScoringRow row)
    {
        try
        {
            return Counted(inner.Score(row));
        }
        catch (ScoringInputException)
        {
            metrics.Rejected(version);
            throw;
        }
    }

    public CreditScore Score(IReadOnlyDictionary<string, object?> values)
    {
        try
        {
            return Counted(inner.Score(values));
        }
        catch (ScoringInputException)
        {
            metrics.Rejected(version);
            throw;
        }
    }

    public IReadOnlyList<CreditScore> ScoreBatch(CreditData data)
    {
        try
        {
            var scores = inner.ScoreBatch(data);
            long declined = 0;
            foreach (var s in scores)
            {
                declined += s.Decision == CreditDecision.Decline ? 1 : 0;
                metrics.Warned(s.Warnings, version);
            }

            metrics.Scored(CreditDecision.Decline, version, declined);
            metrics.Scored(CreditDecision.Approve, version, scores.Count - declined);
            return scores;
        }
        catch (ScoringInputException)
        {
            metrics.Rejected(version);
            throw;
        }
    }

    public void PredictProbabilities(CreditData data, Span<double> probabilities)
    {
        try
        {
            inner.PredictProbabilities(data, probabilities);
        }
        catch (ScoringInputException)
        {
            metrics.Rejected(version);
            throw;
        }
    }

    private CreditScore Counted(CreditScore score)
    {
        metrics.Scored(score.Decision, version);
        metrics.Probability(score.Probability, version);
        metrics.Warned(score.Warnings, version);
        return score;
    }
}
