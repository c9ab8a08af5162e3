using System.Diagnostics.Metrics;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Hosting;

/// <summary>
/// The instruments of meter <see cref="MeterName"/> (collectable by OpenTelemetry without a dependency):
/// <c>creditscoring.scores</c> (applicants scored, tagged <c>decision</c>),
/// <c>creditscoring.score_errors</c> (inputs rejected) and <c>creditscoring.score_warnings</c> (scores with a warning, tagged
/// <c>warning</c>: <c>out_of_range</c>, <c>unknown_category</c> or <c>invalid_probability</c>; see <see cref="ScoreWarnings"/>).
/// </summary>
public sealed class CreditScoringMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "CreditScoring";

    private readonly Counter<long> _scores;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _warnings;

    /// <summary>Creates the instruments on a meter.</summary>
    /// <param name="meter">The meter, normally from <see cref="IMeterFactory"/>.</param>
    public CreditScoringMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _scores = meter.CreateCounter<long>("creditscoring.scores", unit: "{applicant}", description: "Applicants scored, by decision.");
        _errors = meter.CreateCounter<long>("creditscoring.score_errors", unit: "{request}", description: "Scoring inputs rejected as invalid.");
        _warnings = meter.CreateCounter<long>("creditscoring.score_warnings", unit: "{applicant}", description: "Applicants scored with a warning (an input outside the training range, an unknown category, no valid probability), by warning.");
    }

    internal void Scored(CreditDecision decision, long count = 1) =>
        _scores.Add(count, new KeyValuePair<string, object?>("decision", decision == CreditDecision.Decline ? "decline" : "approve"));

    internal void Rejected() => _errors.Add(1);

    internal void Warned(ScoreWarnings warnings)
    {
        if (warnings == ScoreWarnings.None)
        {
            return;
        }

        if ((warnings & ScoreWarnings.OutOfRange) != 0)
        {
            _warnings.Add(1, new KeyValuePair<string, object?>("warning", "out_of_range"));
        }

        if ((warnings & ScoreWarnings.UnknownCategory) != 0)
        {
            _warnings.Add(1, new KeyValuePair<string, object?>("warning", "unknown_category"));
        }

        if ((warnings & ScoreWarnings.InvalidProbability) != 0)
        {
            _warnings.Add(1, new KeyValuePair<string, object?>("warning", "invalid_probability"));
        }
    }

    /// <summary>A scorer that records its scores in these metrics (what <c>AddCreditScoring</c> registers).</summary>
    /// <param name="scorer">The scorer.</param>
    /// <returns>The instrumented scorer.</returns>
    public ICreditScorer Instrument(ICreditScorer scorer)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        return new InstrumentedScorer(scorer, this);
    }
}

internal sealed class InstrumentedScorer(ICreditScorer inner, CreditScoringMetrics metrics) : ICreditScorer
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
            metrics.Rejected();
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
            metrics.Rejected();
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
                metrics.Warned(s.Warnings);
            }

            metrics.Scored(CreditDecision.Decline, declined);
            metrics.Scored(CreditDecision.Approve, scores.Count - declined);
            return scores;
        }
        catch (ScoringInputException)
        {
            metrics.Rejected();
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
            metrics.Rejected();
            throw;
        }
    }

    private CreditScore Counted(CreditScore score)
    {
        metrics.Scored(score.Decision);
        metrics.Warned(score.Warnings);
        return score;
    }
}
