using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.Scoring;

/// <summary>
/// What the scorer does when a model gives no valid probability for an applicant (NaN, or outside [0, 1]): inputs extreme
/// enough to overflow the model, such as two huge values whose contributions cancel to NaN. Such an applicant is never
/// approved.
/// </summary>
public enum InvalidProbabilityHandling
{
    /// <summary>Throw a <see cref="ScoringInputException"/> that names the row (the default): nothing is decided.</summary>
    Throw,

    /// <summary>Decline the applicant, keep the probability as NaN and set <see cref="ScoreWarnings.InvalidProbability"/>.</summary>
    Decline,
}

/// <summary>What a score's caller should know beyond the probability and the decision.</summary>
[Flags]
public enum ScoreWarnings
{
    /// <summary>Nothing to report.</summary>
    None = 0,

    /// <summary>The model gave no valid probability; the applicant was declined (<see cref="InvalidProbabilityHandling.Decline"/>).</summary>
    InvalidProbability = 1,

    /// <summary>A numeric input was outside the range the model was trained on (<see cref="OutOfRangeHandling.Flag"/>), or was clipped to it (<see cref="OutOfRangeHandling.Clip"/>).</summary>
    OutOfRange = 2,

    /// <summary>A categorical input held a category not seen in training, scored as none of the known ones (<see cref="UnknownCategoryHandling.Ignore"/>).</summary>
    UnknownCategory = 4,
}

/// <summary>Options of a scorer.</summary>
public sealed class ScorerOptions
{
    /// <summary>What to do with categories not seen in training.</summary>
    /// <value>Default <see cref="UnknownCategoryHandling.Ignore"/>.</value>
    public UnknownCategoryHandling UnknownCategory { get; set; } = UnknownCategoryHandling.Ignore;

    /// <summary>
    /// The threads a batch (<see cref="ICreditScorer.ScoreBatch"/>, <see cref="ICreditScorer.PredictProbabilities"/>)
    /// is scored on, in blocks of 16,384 rows: −1 for all processors or a positive count. Every row gets the same
    /// score on any number of threads.
    /// </summary>
    /// <value>Default 1: a server that scores requests concurrently already uses its cores.</value>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>
    /// What to do with a numeric input outside the range the model was trained on (from the model's population profile:
    /// the smallest and largest training value, widened by <see cref="OutOfRangeTolerance"/>), such as an income given in
    /// cents instead of thousands. Models without a profile (imported ones) are not checked.
    /// </summary>
    /// <value>Default <see cref="OutOfRangeHandling.Flag"/>.</value>
    public OutOfRangeHandling OutOfRange { get; set; } = OutOfRangeHandling.Flag;

    /// <summary>How far beyond the training range a value may lie before it is out of range, as a share of the range's width (0.1 = 10% on each side).</summary>
    /// <value>Default 0: the training range itself.</value>
    public double OutOfRangeTolerance { get; set; }

    /// <summary>What to do when the model gives no valid probability for an applicant; such an applicant is never approved.</summary>
    /// <value>Default <see cref="InvalidProbabilityHandling.Throw"/>.</value>
    public InvalidProbabilityHandling InvalidProbability { get; set; } = InvalidProbabilityHandling.Throw;
}

/// <summary>The score of one applicant.</summary>
/// <param name="Probability">The probability of default, in [0, 1] (NaN only with <see cref="ScoreWarnings.InvalidProbability"/>).</param>
/// <param name="Decision">The decision of the model's <see cref="DecisionPolicy"/>.</param>
public readonly record struct CreditScore(double Probability, CreditDecision Decision)
{
    /// <summary>What the caller should know beyond the probability and the decision.</summary>
    /// <value>Default <see cref="ScoreWarnings.None"/>.</value>
    public ScoreWarnings Warnings { get; init; }
}

/// <summary>A model file cannot be loaded: not a model, truncated, edited, or of a newer format. The message says which.</summary>
public sealed class ModelFormatException : CreditScoringException
{
    /// <summary>Creates the exception.</summary>
    public ModelFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A model file's signature is missing where one is required, was made by another key, or does not match the file's
/// contents (it was changed after signing). The message says which.
/// </summary>
public sealed class ModelSignatureException : CreditScoringException
{
    /// <summary>Creates the exception.</summary>
    public ModelSignatureException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ModelSignatureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelSignatureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
