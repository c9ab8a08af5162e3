using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Explanations;

/// <summary>
/// Why the model gave one applicant its score: a base value and additive contributions on the log-odds (margin) scale,
/// per model feature and per applicant input, the reasons that pushed toward decline, and where the applicant stands in
/// the training population. <see cref="BaseValue"/> + Σ contributions = <see cref="Margin"/> at both levels.
/// </summary>
/// <remarks>
/// Contributions explain the margin, before calibration. The probability is the logistic function of the margin, or,
/// for a calibrated model, the calibrator's monotone map of it (<see cref="CreditModel.Probability"/>): a contribution that
/// raises the margin always raises the probability, but contributions do not add up on the probability scale.
/// </remarks>
public sealed record Explanation
{
    /// <summary>The probability of default the scorer gives (calibrated when the model is).</summary>
    public required double Probability { get; init; }

    /// <summary>The decision at the model's threshold.</summary>
    public required CreditDecision Decision { get; init; }

    /// <summary>The decision threshold: decline at or above it.</summary>
    public required double Threshold { get; init; }

    /// <summary>What the scorer flagged (out-of-range inputs, unknown categories).</summary>
    public required ScoreWarnings Warnings { get; init; }

    /// <summary>How the contributions were computed.</summary>
    public required ContributionMethod Method { get; init; }

    /// <summary>The expected margin over the training population the contributions start from.</summary>
    public required double BaseValue { get; init; }

    /// <summary>The predictor's margin (log-odds) for this applicant.</summary>
    public required double Margin { get; init; }

    /// <summary>One contribution per model feature, in feature order.</summary>
    public required IReadOnlyList<FeatureContribution> Features { get; init; }

    /// <summary>
    /// One contribution per input the model uses, in input order, then each derived characteristic (a feature made from
    /// several inputs or from a related table): the features' contributions summed back to what the applicant gave.
    /// </summary>
    public required IReadOnlyList<InputContribution> Inputs { get; init; }

    /// <summary>The top inputs that pushed this applicant toward decline, strongest first (empty when none did).</summary>
    public required IReadOnlyList<ReasonCode> Reasons { get; init; }

    /// <summary>
    /// The clients with a similar score: the training applicants whose probability of default falls in the same decile of
    /// the training scores as this applicant's (<see cref="PopulationProfile.BandOf"/>). <see langword="null"/> when the
    /// model's profile has no score bands (files of format 5 and older, imported models).
    /// </summary>
    public required SimilarClients? SimilarClients { get; init; }
}

/// <summary>Which training applicants count as "clients with a similar score": one decile of the training scores.</summary>
public sealed record SimilarClients
{
    /// <summary>The decile's lowest score, exclusive (−∞ for the first decile).</summary>
    public required double LowScore { get; init; }

    /// <summary>The decile's highest score, inclusive (+∞ for the last decile).</summary>
    public required double HighScore { get; init; }

    /// <summary>The training applicants in it.</summary>
    public required int Rows { get; init; }
}

/// <summary>One model feature's share of the margin.</summary>
public sealed record FeatureContribution
{
    /// <summary>The feature, e.g. <c>Income</c> or <c>Home=owner</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The feature's value for the applicant, as the predictor saw it (NaN = missing).</summary>
    public required double Value { get; init; }

    /// <summary>Its contribution to the margin (log-odds); positive raises the risk.</summary>
    public required double Contribution { get; init; }

    /// <summary>The input or derived characteristic it rolls up to (<see cref="InputContribution.Name"/>).</summary>
    public required string Input { get; init; }
}

/// <summary>One applicant input's (or derived characteristic's) share of the margin, with where the applicant stands.</summary>
public sealed record InputContribution
{
    /// <summary>The input's name, or the derived characteristic's (the working column the features come from).</summary>
    public required string Name { get; init; }

    /// <summary>Whether this is a characteristic derived from several inputs or from a related table, rather than one input.</summary>
    public required bool IsDerived { get; init; }

    /// <summary>The inputs (or related tables) it comes from: the input itself for an input.</summary>
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>The value as text: a number in invariant culture, a category label, or <see langword="null"/> when missing.</summary>
    public required string? Value { get; init; }

    /// <summary>The numeric value (NaN when missing or categorical).</summary>
    public required double NumericValue { get; init; }

    /// <summary>The sum of its features' contributions (log-odds); positive raises the risk.</summary>
    public required double Contribution { get; init; }

    /// <summary>Where the value stands in the training population, or <see langword="null"/> when the model holds no profile of it (derived characteristics, imported models).</summary>
    public required PopulationStanding? Population { get; init; }

    /// <summary>Where the value stands among the clients with a similar score (<see cref="Explanation.SimilarClients"/>), or <see langword="null"/> when the model holds no score bands.</summary>
    public required PopulationStanding? AmongSimilar { get; init; }
}

/// <summary>Where one applicant's value stands in a group of training applicants, all of them or those with a similar score (from the model's <see cref="PopulationProfile"/>).</summary>
public sealed record PopulationStanding
{
    /// <summary>Numeric: the share of the population with a value at or below the applicant's, in [0, 1] (NaN when missing).</summary>
    public required double Percentile { get; init; }

    /// <summary>Numeric: the population's median (NaN for categorical inputs).</summary>
    public required double Median { get; init; }

    /// <summary>Numeric: the 10th percentile, the lower end of the middle 80% (NaN for categorical inputs).</summary>
    public required double Low { get; init; }

    /// <summary>Numeric: the 90th percentile, the upper end of the middle 80% (NaN for categorical inputs).</summary>
    public required double High { get; init; }

    /// <summary>The share of the population whose value is missing.</summary>
    public required double MissingShare { get; init; }

    /// <summary>Categorical: the share of the population in the applicant's category (NaN for numeric inputs or a missing value).</summary>
    public required double CategoryShare { get; init; }
}

/// <summary>One reason an applicant was pushed toward decline, for an adverse-action notice.</summary>
public sealed record ReasonCode
{
    /// <summary>1 for the strongest reason.</summary>
    public required int Rank { get; init; }

    /// <summary>The input (or derived characteristic).</summary>
    public required string Input { get; init; }

    /// <summary>The lender's code, or the input's name when the table has no entry for it.</summary>
    public required string Code { get; init; }

    /// <summary>The customer-facing text.</summary>
    public required string Text { get; init; }

    /// <summary>The input's contribution to the margin (positive).</summary>
    public required double Contribution { get; init; }

    /// <summary>The applicant's value as text, or <see langword="null"/> when missing.</summary>
    public required string? Value { get; init; }
}

/// <summary>One applicant's score and the reasons that pushed it toward decline (<see cref="CreditExplainer.ReasonsBatch"/>).</summary>
public sealed record ScoredReasons
{
    /// <summary>The score, as the scorer gives it.</summary>
    public required CreditScore Score { get; init; }

    /// <summary>The reasons, strongest first, as in <see cref="Explanation.Reasons"/>.</summary>
    public required IReadOnlyList<ReasonCode> Reasons { get; init; }
}
