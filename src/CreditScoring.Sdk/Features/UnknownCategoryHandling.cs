namespace CreditScoring.Sdk.Features;

/// <summary>What the scorer does with a category it did not see in training.</summary>
public enum UnknownCategoryHandling
{
    /// <summary>
    /// Score it as "none of the known categories" (the default): a one-hot encoded input gets every
    /// indicator 0, i.e. the log-odds contribution of the reference level, as scikit-learn's
    /// <c>handle_unknown="ignore"</c>; learners with native categorical support treat it as missing.
    /// </summary>
    Ignore,

    /// <summary>Score it exactly as a missing value.</summary>
    TreatAsMissing,

    /// <summary>Reject the input with a <see cref="ScoringInputException"/> naming the column and value.</summary>
    Throw,
}
