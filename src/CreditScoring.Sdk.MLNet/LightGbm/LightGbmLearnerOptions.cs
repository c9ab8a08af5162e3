using System.Globalization;
using CreditScoring.Sdk.Learners;

namespace CreditScoring.Sdk.MLNet.LightGbm;

/// <summary>
/// Options of the LightGBM learner, named as ML.NET's <c>LightGbmBinaryTrainer.Options</c> names them and defaulting to
/// <b>LightGBM's own defaults</b> (LightGBM 4.x "Parameters"), not ML.NET's. ML.NET's trainer differs from LightGBM in
/// these defaults, which is why the same data gives other trees through it:
/// <list type="table">
/// <listheader><term>option (LightGBM parameter)</term><description>here = LightGBM / ML.NET's trainer</description></listheader>
/// <item><term><see cref="Sigmoid"/> (<c>sigmoid</c>)</term><description>1.0 / 0.5</description></item>
/// <item><term><see cref="L2Regularization"/> (<c>lambda_l2</c>)</term><description>0 / 0.01</description></item>
/// <item><term><see cref="MinimumChildWeight"/> (<c>min_sum_hessian_in_leaf</c>)</term><description>0.001 / 0.1</description></item>
/// <item><term><see cref="NumberOfLeaves"/> (<c>num_leaves</c>)</term><description>31 / chosen by ML.NET from the data when unset</description></item>
/// <item><term><see cref="UseCategoricalSplit"/> (<c>categorical_feature</c>)</term><description>as given / on only above 50,000 rows when unset</description></item>
/// <item><term><see cref="LearningRate"/> (<c>learning_rate</c>)</term><description>0.1 / chosen by ML.NET from the data when unset</description></item>
/// <item><term><see cref="MinimumExampleCountPerLeaf"/> (<c>min_data_in_leaf</c>)</term><description>20 / chosen by ML.NET when unset</description></item>
/// </list>
/// </summary>
public sealed class LightGbmLearnerOptions
{
    /// <summary>Boosting rounds (<c>num_iterations</c>). Default 100.</summary>
    public int NumberOfIterations { get; set; } = 100;

    /// <summary>The most leaves per tree (<c>num_leaves</c>). Default 31.</summary>
    public int NumberOfLeaves { get; set; } = 31;

    /// <summary>Shrinkage (<c>learning_rate</c>). Default 0.1.</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>The fewest rows in a leaf (<c>min_data_in_leaf</c>). Default 20.</summary>
    public int MinimumExampleCountPerLeaf { get; set; } = 20;

    /// <summary>The smallest sum of hessians in a leaf (<c>min_sum_hessian_in_leaf</c>). Default 0.001.</summary>
    public double MinimumChildWeight { get; set; } = 1e-3;

    /// <summary>The most bins per feature (<c>max_bin</c>). Default 255.</summary>
    public int MaximumBinCountPerFeature { get; set; } = 255;

    /// <summary>L2 penalty on leaf values (<c>lambda_l2</c>). Default 0.</summary>
    public double L2Regularization { get; set; }

    /// <summary>L1 penalty on leaf values (<c>lambda_l1</c>). Default 0.</summary>
    public double L1Regularization { get; set; }

    /// <summary>The smallest gain that makes a split (<c>min_gain_to_split</c>). Default 0.</summary>
    public double MinimumSplitGain { get; set; }

    /// <summary>The fraction of features each tree may use (<c>feature_fraction</c>). Default 1.</summary>
    public double FeatureFraction { get; set; } = 1;

    /// <summary>The fraction of rows each bagging round draws (<c>bagging_fraction</c>). Default 1 (no bagging).</summary>
    public double BaggingFraction { get; set; } = 1;

    /// <summary>Bagging every k rounds (<c>bagging_freq</c>); 0 turns bagging off. Default 0.</summary>
    public int BaggingFrequency { get; set; }

    /// <summary>The sigmoid's slope (<c>sigmoid</c>); the probability is 1 / (1 + exp(−Sigmoid × margin)). Default 1 (ML.NET's trainer: 0.5).</summary>
    public double Sigmoid { get; set; } = 1;

    /// <summary>
    /// Whether categorical features get LightGBM's native categorical splits (<c>categorical_feature</c>, on their
    /// category codes). When <see langword="false"/> the codes are split as numbers. Default <see langword="false"/>,
    /// as the SDK's own trees (see <c>GradientBoostingOptions.UseCategoricalSplit</c>).
    /// </summary>
    public bool UseCategoricalSplit { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ConfigurationException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ConfigurationException(message);
            }
        }

        Require(NumberOfIterations >= 1, $"NumberOfIterations is {NumberOfIterations}; it must be at least 1.");
        Require(NumberOfLeaves >= 2, $"NumberOfLeaves is {NumberOfLeaves}; it must be at least 2.");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), $"LearningRate is {LearningRate}; it must be a positive number.");
        Require(MinimumExampleCountPerLeaf >= 1, $"MinimumExampleCountPerLeaf is {MinimumExampleCountPerLeaf}; it must be at least 1.");
        Require(MinimumChildWeight >= 0, $"MinimumChildWeight is {MinimumChildWeight}; it must not be negative.");
        Require(MaximumBinCountPerFeature >= 2, $"MaximumBinCountPerFeature is {MaximumBinCountPerFeature}; it must be at least 2.");
        Require(L2Regularization >= 0 && L1Regularization >= 0 && MinimumSplitGain >= 0, "L1Regularization, L2Regularization and MinimumSplitGain must not be negative.");
        Require(FeatureFraction is > 0 and <= 1, $"FeatureFraction is {FeatureFraction}; it must be in (0, 1].");
        Require(BaggingFraction is > 0 and <= 1, $"BaggingFraction is {BaggingFraction}; it must be in (0, 1].");
        Require(BaggingFrequency >= 0, $"BaggingFrequency is {BaggingFrequency}; it must not be negative.");
        Require(Sigmoid > 0 && double.IsFinite(Sigmoid), $"Sigmoid is {Sigmoid}; it must be a positive number.");
    }

    /// <summary>The options as LightGBM's parameter string (every value in the invariant culture, doubles round-trip).</summary>
    internal string ToParameters(int seed, int threads, IEnumerable<int> categorical)
    {
        static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        var parameters = new List<string>
        {
            "objective=binary",
            "boost_from_average=true",
            $"num_leaves={I(NumberOfLeaves)}",
            $"learning_rate={D(LearningRate)}",
            $"min_data_in_leaf={I(MinimumExampleCountPerLeaf)}",
            $"min_sum_hessian_in_leaf={D(MinimumChildWeight)}",
            $"max_bin={I(MaximumBinCountPerFeature)}",
            $"lambda_l2={D(L2Regularization)}",
            $"lambda_l1={D(L1Regularization)}",
            $"min_gain_to_split={D(MinimumSplitGain)}",
            $"feature_fraction={D(FeatureFraction)}",
            $"bagging_fraction={D(BaggingFraction)}",
            $"bagging_freq={I(BaggingFrequency)}",
            $"sigmoid={D(Sigmoid)}",
            $"seed={I(seed)}",
            $"num_threads={I(threads)}",
            "deterministic=true",
            "force_row_wise=true",
            "verbosity=-1",
        };
        var list = string.Join(",", categorical.Select(I));
        if (list.Length > 0)
        {
            parameters.Add($"categorical_feature={list}");
        }

        return string.Join(" ", parameters);
    }

    /// <summary>The options as name → invariant text, for the model's metadata.</summary>
    internal IReadOnlyDictionary<string, string> ToDictionary() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(NumberOfIterations)] = NumberOfIterations.ToString(CultureInfo.InvariantCulture),
        [nameof(NumberOfLeaves)] = NumberOfLeaves.ToString(CultureInfo.InvariantCulture),
        [nameof(LearningRate)] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        [nameof(MinimumExampleCountPerLeaf)] = MinimumExampleCountPerLeaf.ToString(CultureInfo.InvariantCulture),
        [nameof(MinimumChildWeight)] = MinimumChildWeight.ToString("R", CultureInfo.InvariantCulture),
        [nameof(MaximumBinCountPerFeature)] = MaximumBinCountPerFeature.ToString(CultureInfo.InvariantCulture),
        [nameof(L2Regularization)] = L2Regularization.ToString("R", CultureInfo.InvariantCulture),
        [nameof(L1Regularization)] = L1Regularization.ToString("R", CultureInfo.InvariantCulture),
        [nameof(MinimumSplitGain)] = MinimumSplitGain.ToString("R", CultureInfo.InvariantCulture),
        [nameof(FeatureFraction)] = FeatureFraction.ToString("R", CultureInfo.InvariantCulture),
        [nameof(BaggingFraction)] = BaggingFraction.ToString("R", CultureInfo.InvariantCulture),
        [nameof(BaggingFrequency)] = BaggingFrequency.ToString(CultureInfo.InvariantCulture),
        [nameof(Sigmoid)] = Sigmoid.ToString("R", CultureInfo.InvariantCulture),
        [nameof(UseCategoricalSplit)] = UseCategoricalSplit ? "true" : "false",
    };
}
