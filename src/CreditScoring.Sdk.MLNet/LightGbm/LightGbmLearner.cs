using System.Globalization;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Training;

namespace CreditScoring.Sdk.MLNet.LightGbm;

/// <summary>
/// Gradient-boosted trees trained by LightGBM itself (G. Ke et al., "LightGBM: A Highly Efficient Gradient Boosting
/// Decision Tree", NeurIPS 2017): the native library Microsoft.ML.LightGbm ships (LightGBM 4.6.0 for linux-x64, win-x64
/// and osx-x64), called through its C API with LightGBM's own defaults (see <see cref="LightGbmLearnerOptions"/>).
/// <para>
/// The booster LightGBM trains is read back from its own text format (<see cref="LightGbmModel.Parse"/>), with its
/// double thresholds, its missing-value directions and its categorical sets, so its trees become the SDK's
/// <see cref="GradientBoostingPredictor"/> exactly: the model file, the scorer, the explanations and the XGBoost and
/// LightGBM exports work for it as for the SDK's own trees, and it predicts LightGBM's probabilities bit for bit (the
/// tests check it against LightGBM's own prediction). ML.NET's <c>LightGbmBinaryTrainer</c> is not used to train: it
/// turns LightGBM's thresholds into Singles and the missing-value directions into substitute values (dropping them
/// when all are zero, and sending a missing value right with <c>threshold + 1</c>, which a Single threshold above
/// 2^24 absorbs), so its trees are not LightGBM's.
/// </para>
/// <para>
/// Deterministic: <c>deterministic=true</c> and <c>force_row_wise=true</c> with the context's seed; the tests check that
/// one and two threads give the same trees. Missing values go to LightGBM as they are (NaN); categorical features are
/// given as category codes, split natively when <see cref="LightGbmLearnerOptions.UseCategoricalSplit"/> is on.
/// </para>
/// </summary>
public sealed class LightGbmLearner : ICreditLearner
{
    /// <summary>The name the learner registers under (<see cref="Register"/>): <c>lightgbm</c>.</summary>
    public const string LearnerName = "lightgbm";

    private static int _registered;
    private readonly LightGbmLearnerOptions _options;

    /// <summary>Creates the learner.</summary>
    /// <param name="options">The options (validated; the learner keeps them as given); default LightGBM's defaults.</param>
    /// <exception cref="ConfigurationException">An option is out of range.</exception>
    public LightGbmLearner(LightGbmLearnerOptions? options = null)
    {
        _options = options ?? new LightGbmLearnerOptions();
        _options.Validate();
        Parameters = _options.ToDictionary();
    }

    /// <inheritdoc />
    public string Name => LearnerName;

    /// <inheritdoc />
    public LearnerCapabilities Capabilities => LearnerCapabilities.MissingValues | LearnerCapabilities.CategoricalFeatures;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>
    /// Makes the learner available by name (<c>lightgbm</c>) to <see cref="LearnerCatalog.Create"/> and search files (and
    /// to a host's <c>--learner</c>, once the host references this package and calls this, as the Batch CLI does),
    /// its options set by the names of <see cref="LightGbmLearnerOptions"/>. Its models
    /// are <see cref="GradientBoostingPredictor"/>s, which the model file already reads, so no serializer is added.
    /// Safe to call more than once and from several threads.
    /// </summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            LearnerCatalog.Register<LightGbmLearnerOptions>(LearnerName, o => new LightGbmLearner(o));
        }
    }

    /// <inheritdoc />
    public ICreditPredictor Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, LearnerContext context)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(context);
        if (labels.Length != features.RowCount || (!weights.IsEmpty && weights.Length != features.RowCount))
        {
            throw new ArgumentException($"{features.RowCount} rows of features, {labels.Length} labels and {weights.Length} weights; labels (and weights, when given) must have one per row.", nameof(labels));
        }

        var width = features.ColumnCount;
        var rows = LightGbmNative.RowMajor(features);

        var label = new float[labels.Length];
        for (var r = 0; r < labels.Length; r++)
        {
            label[r] = labels[r];
        }

        float[]? weight = null;
        if (!weights.IsEmpty)
        {
            weight = new float[weights.Length];
            for (var r = 0; r < weights.Length; r++)
            {
                weight[r] = (float)weights[r];
            }
        }

        int[] categorical = _options.UseCategoricalSplit
            ? [.. Enumerable.Range(0, width).Where(j => features.Features[j].Kind == FeatureKind.Categorical)]
            : [];
        foreach (var j in categorical)
        {
            // Codes go in one up, so that LightGBM's category 0 (where it sends a missing value when the feature had
            // none in training) is never a category of ours: a missing value then goes right, as in our trees.
            for (var r = 0; r < features.RowCount; r++)
            {
                rows[(r * width) + j] += 1;
            }
        }

        var parameters = _options.ToParameters(context.Seed, context.Threads, categorical);
        string text;
        using (var booster = LightGbmNative.Train(rows, features.RowCount, width, label, weight, parameters, _options.NumberOfIterations, context.CancellationToken))
        {
            text = booster.SaveToString();
        }

        var trained = LightGbmModel.Parse(categorical.Length > 0 ? CategoriesOneDown(text) : text, "the model LightGBM trained");
        return new GradientBoostingPredictor(features.Features, trained.BaseMargin, trained.Trees);
    }

    /// <summary>
    /// Undoes the shift of the category codes in a trained model's text: every categorical split's bit set moves one
    /// bit down (category k + 1 becomes code k; LightGBM never puts category 0 in a set, as no row has it), and its
    /// missing type becomes NaN (a missing value goes right), which is what category 0 meant.
    /// </summary>
    internal static string CategoriesOneDown(string text)
    {
        const uint CategoricalMask = 1;
        var lines = text.Split('\n');
        int[]? boundaries = null;
        var decisionLine = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("Tree=", StringComparison.Ordinal))
            {
                (boundaries, decisionLine) = (null, -1);
            }
            else if (line.StartsWith("decision_type=", StringComparison.Ordinal))
            {
                decisionLine = i;
                var decisions = Values(line).Select(v => uint.Parse(v, CultureInfo.InvariantCulture))
                    .Select(d => (d & CategoricalMask) != 0 ? (d & ~(3u << 2)) | (2u << 2) : d);
                lines[i] = "decision_type=" + string.Join(' ', decisions.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            }
            else if (line.StartsWith("cat_boundaries=", StringComparison.Ordinal))
            {
                boundaries = [.. Values(line).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
            }
            else if (line.StartsWith("cat_threshold=", StringComparison.Ordinal))
            {
                if (boundaries is null || decisionLine < 0)
                {
                    throw new ModelFormatException($"The model LightGBM trained lists cat_threshold before cat_boundaries or decision_type (line {i + 1}).");
                }

                var words = Values(line).Select(v => uint.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                for (var k = 0; k + 1 < boundaries.Length; k++)
                {
                    if (boundaries[k] < words.Length && (words[boundaries[k]] & 1) != 0)
                    {
                        throw new ModelFormatException($"The model LightGBM trained puts category 0, which no row has, in a split (line {i + 1}).");
                    }

                    for (var w = boundaries[k]; w < boundaries[k + 1]; w++)
                    {
                        var carry = w + 1 < boundaries[k + 1] ? words[w + 1] << 31 : 0;
                        words[w] = (words[w] >> 1) | carry;
                    }
                }

                lines[i] = "cat_threshold=" + string.Join(' ', words.Select(w => w.ToString(CultureInfo.InvariantCulture)));
            }
        }

        return string.Join('\n', lines);

        static string[] Values(string line) => line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
