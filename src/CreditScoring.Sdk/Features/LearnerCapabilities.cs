namespace CreditScoring.Sdk.Features;

/// <summary>What inputs a learner accepts as they are; the pipeline prepares the rest.</summary>
[Flags]
public enum LearnerCapabilities
{
    /// <summary>Needs complete, numeric features: the pipeline imputes missing values and one-hot encodes categories.</summary>
    None = 0,

    /// <summary>Handles NaN in continuous features itself (e.g. trees with a learned default direction).</summary>
    MissingValues = 1,

    /// <summary>Handles <see cref="FeatureKind.Categorical"/> codes itself (e.g. native categorical splits).</summary>
    CategoricalFeatures = 2,
}
