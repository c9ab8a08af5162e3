using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Learners;

/// <summary>Which expectation a feature contribution is measured against (Janzing et al., AISTATS 2020; Lundberg et al. 2020, section "Interventional").</summary>
public enum ContributionMethod
{
    /// <summary>
    /// The conditional expectation as the model itself saw the training data: for trees, path-dependent TreeSHAP, which
    /// weighs each branch by its training cover. Needs no background sample. The default.
    /// </summary>
    PathDependent,

    /// <summary>
    /// The marginal (interventional) expectation over a background sample of training rows: a feature absent from a
    /// coalition takes the background row's value, whatever the present features are. Needs
    /// <see cref="FeatureBackground.SampleCount"/> &gt; 0.
    /// </summary>
    Interventional,
}

/// <summary>
/// The training population as the predictor saw it, saved with the model for explanations: each feature's mean over the
/// training rows, and a sample of at most <see cref="MaxSampleRows"/> rows drawn with the context's seed (or none).
/// </summary>
public sealed class FeatureBackground
{
    /// <summary>The most rows a background sample holds: 1,000.</summary>
    public const int MaxSampleRows = 1000;

    /// <summary>The random stream of the background draw, apart from the other draws made with the same seed.</summary>
    private const long BackgroundStream = 0xBAC6_0000L;

    private readonly double[] _means;
    private readonly double[][] _sample;

    /// <summary>Creates a background (the pipeline and the model reader do this).</summary>
    /// <param name="rows">The training rows the means were taken over (at least 1).</param>
    /// <param name="means">Each feature's mean over the non-missing training values (NaN when every value is missing).</param>
    /// <param name="sample">Sampled rows of features, each <paramref name="means"/> long; empty when left out.</param>
    /// <exception cref="ArgumentException">The rows are fewer than 1, a row has another length, a mean is infinite, or the sample is over <see cref="MaxSampleRows"/> rows.</exception>
    public FeatureBackground(int rows, IReadOnlyList<double> means, IReadOnlyList<IReadOnlyList<double>> sample)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(sample);
        if (rows < 1)
        {
            throw new ArgumentException($"A background summarizes at least 1 training row, not {rows}.", nameof(rows));
        }

        if (sample.Count > MaxSampleRows)
        {
            throw new ArgumentException($"A background sample holds at most {MaxSampleRows} rows, not {sample.Count}.", nameof(sample));
        }

        _means = [.. means];
        foreach (var m in _means)
        {
            if (double.IsInfinity(m))
            {
                throw new ArgumentException("A background mean is infinite.", nameof(means));
            }
        }

        _sample = new double[sample.Count][];
        for (var i = 0; i < _sample.Length; i++)
        {
            _sample[i] = sample[i].Count == _means.Length ? [.. sample[i]] : throw new ArgumentException($"Background row {i} has {sample[i].Count} values for {_means.Length} features.", nameof(sample));
            foreach (var v in _sample[i])
            {
                if (double.IsInfinity(v))
                {
                    throw new ArgumentException($"Background row {i} holds an infinite value.", nameof(sample));
                }
            }
        }

        Rows = rows;
    }

    /// <summary>The training rows the means were taken over.</summary>
    public int Rows { get; }

    /// <summary>Each feature's mean over the non-missing training values, in feature order.</summary>
    public IReadOnlyList<double> Means => _means;

    /// <summary>The sampled rows (0 when the sample was left out).</summary>
    public int SampleCount => _sample.Length;

    /// <summary>One sampled row of features.</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="SampleCount"/>.</param>
    /// <returns>The row.</returns>
    public ReadOnlySpan<double> SampleRow(int index) => _sample[index];

    /// <summary>
    /// Summarizes features of training rows: every feature's mean over its non-missing values, and up to
    /// <paramref name="sampleRows"/> rows drawn without replacement with <paramref name="seed"/> (kept in row order).
    /// </summary>
    /// <param name="features">The training rows' features, as the predictor sees them.</param>
    /// <param name="sampleRows">Rows to sample: 0 leaves the sample out; at most <see cref="MaxSampleRows"/>.</param>
    /// <param name="seed">The seed of the draw (the context's).</param>
    /// <returns>The background.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleRows"/> is negative or above <see cref="MaxSampleRows"/>.</exception>
    public static FeatureBackground Of(FeatureMatrix features, int sampleRows, int seed)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleRows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRows, MaxSampleRows);
        var means = new double[features.ColumnCount];
        for (var j = 0; j < means.Length; j++)
        {
            double sum = 0;
            var count = 0;
            foreach (var v in features.Column(j))
            {
                if (!double.IsNaN(v))
                {
                    sum += v;
                    count++;
                }
            }

            means[j] = count == 0 ? double.NaN : sum / count;
        }

        var n = features.RowCount;
        var take = Math.Min(sampleRows, n);
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        // The SDK's own seeded generator (System.Random's sequence is not promised across .NET versions): after a
        // Fisher-Yates shuffle, any `take` places are a uniform draw without replacement.
        DeterministicRandom.Derive(seed, BackgroundStream).ShuffleInplace(order.AsSpan());
        Array.Sort(order, 0, take);
        var sample = new double[take][];
        for (var s = 0; s < take; s++)
        {
            sample[s] = new double[features.ColumnCount];
            features.CopyRow(order[s], sample[s]);
        }

        return new FeatureBackground(Math.Max(n, 1), means, sample);
    }
}

/// <summary>
/// A predictor whose margin splits exactly into a base value plus one additive contribution per feature (Shapley values
/// on the log-odds scale, before any calibration).
/// </summary>
public interface IExplainablePredictor : ICreditPredictor
{
    /// <summary>Splits the margin of one row: base value + Σ contributions = <see cref="ICreditPredictor.PredictMargin"/>, to rounding.</summary>
    /// <param name="features">The row, <see cref="ICreditPredictor.Features"/> long.</param>
    /// <param name="contributions">Receives one contribution per feature (overwritten).</param>
    /// <param name="background">The training population (means, sample), or <see langword="null"/> when the model holds none.</param>
    /// <param name="method">Which expectation the contributions are measured against.</param>
    /// <returns>The base value: the expected margin the contributions start from.</returns>
    /// <exception cref="ConfigurationException">The predictor needs what the model does not hold for this method (covers, means or a background sample); the message says what to do.</exception>
    double ExplainMargin(ReadOnlySpan<double> features, Span<double> contributions, FeatureBackground? background, ContributionMethod method);

    /// <summary>
    /// <see cref="ExplainMargin"/> for every row of a matrix, into one row-major span (row r's contributions at
    /// <c>r · Features.Count</c>). The default explains row by row; a predictor overrides it where a batch is faster, with
    /// the same numbers. One thread.
    /// </summary>
    /// <param name="features">The rows.</param>
    /// <param name="contributions">Receives <c>RowCount × Features.Count</c> contributions (overwritten).</param>
    /// <param name="background">As <see cref="ExplainMargin"/>.</param>
    /// <param name="method">As <see cref="ExplainMargin"/>.</param>
    /// <returns>The base value, the same for every row.</returns>
    /// <exception cref="ConfigurationException">As <see cref="ExplainMargin"/>.</exception>
    double ExplainMargins(FeatureMatrix features, Span<double> contributions, FeatureBackground? background, ContributionMethod method) =>
        ExplainRowByRow(this, features, contributions, background, method);

    /// <summary>Explains a matrix row by row with <see cref="ExplainMargin"/> (the default of <see cref="ExplainMargins"/>).</summary>
    /// <param name="predictor">The predictor.</param>
    /// <param name="features">The rows.</param>
    /// <param name="contributions">Receives <c>RowCount × Features.Count</c> contributions (overwritten).</param>
    /// <param name="background">As <see cref="ExplainMargin"/>.</param>
    /// <param name="method">As <see cref="ExplainMargin"/>.</param>
    /// <returns>The base value.</returns>
    internal static double ExplainRowByRow(IExplainablePredictor predictor, FeatureMatrix features, Span<double> contributions, FeatureBackground? background, ContributionMethod method)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(features);
        var p = predictor.Features.Count;
        if (features.ColumnCount < p || contributions.Length < (long)features.RowCount * p)
        {
            throw new ArgumentException($"The matrix has {features.ColumnCount} columns and the output {contributions.Length} places; the model reads {p} features of {features.RowCount} rows.", nameof(features));
        }

        // The base value does not depend on the row: an empty matrix still gets it, from a row of zeros.
        var row = new double[features.ColumnCount];
        if (features.RowCount == 0)
        {
            return predictor.ExplainMargin(row, new double[p], background, method);
        }

        var baseValue = 0.0;
        for (var r = 0; r < features.RowCount; r++)
        {
            features.CopyRow(r, row);
            baseValue = predictor.ExplainMargin(row, contributions.Slice(r * p, p), background, method);
        }

        return baseValue;
    }
}
