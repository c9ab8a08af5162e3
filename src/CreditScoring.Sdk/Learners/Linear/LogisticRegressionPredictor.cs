using System.Numerics;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Learners.Linear;

/// <summary>
/// A fitted logistic-regression model: margin = b + Σⱼ βⱼ·(xⱼ − meanⱼ)/scaleⱼ. Scoring uses the
/// coefficients folded into original units, accumulated feature by feature in the same order for a
/// single row and for a batch, so both give identical bits.
/// </summary>
public sealed class LogisticRegressionPredictor : IExplainablePredictor
{
    /// <summary>The serialisation kind.</summary>
    public const string KindName = "logistic-regression";

    private readonly FeatureInfo[] _features;
    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly double[] _standardized;
    private readonly double[] _raw;
    private readonly double _rawIntercept;

    internal LogisticRegressionPredictor(FeatureInfo[] features, double[] means, double[] scales, double standardizedIntercept, double[] standardizedCoefficients, LogisticTrainingSummary? summary)
    {
        if (means.Length != features.Length || scales.Length != features.Length || standardizedCoefficients.Length != features.Length)
        {
            throw new ArgumentException($"A logistic model over {features.Length} features needs {features.Length} means, scales and coefficients (got {means.Length}, {scales.Length}, {standardizedCoefficients.Length}).");
        }

        ParameterCheck.Finite(standardizedIntercept, "the logistic model's intercept");
        _features = features;
        _means = means;
        _scales = scales;
        _standardized = standardizedCoefficients;
        StandardizedIntercept = standardizedIntercept;
        TrainingSummary = summary;
        _raw = new double[features.Length];
        var intercept = standardizedIntercept;
        for (var j = 0; j < features.Length; j++)
        {
            if (!(scales[j] > 0) || !double.IsFinite(scales[j]) || !double.IsFinite(means[j]) || !double.IsFinite(standardizedCoefficients[j]))
            {
                throw new ArgumentException($"Feature '{features[j].Name}' has an invalid mean, scale or coefficient.");
            }

            _raw[j] = standardizedCoefficients[j] / scales[j];
            intercept -= _raw[j] * means[j];
        }

        _rawIntercept = intercept;
    }

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public IReadOnlyList<FeatureInfo> Features => _features;

    /// <summary>The intercept in original units (the margin when every feature is 0).</summary>
    public double Intercept => _rawIntercept;

    /// <summary>The intercept on the standardised scale (the margin at the training means).</summary>
    public double StandardizedIntercept { get; }

    /// <summary>The coefficients, in feature order.</summary>
    public IReadOnlyList<LogisticCoefficient> Coefficients =>
        _features.Select((f, j) => new LogisticCoefficient(f.Name, _raw[j], _standardized[j], _means[j], _scales[j])).ToArray();

    /// <summary>How the fit ended; <see langword="null"/> for a model read from a file written without it.</summary>
    public LogisticTrainingSummary? TrainingSummary { get; }

    internal ReadOnlySpan<double> Means => _means;

    internal ReadOnlySpan<double> Scales => _scales;

    internal ReadOnlySpan<double> StandardizedCoefficients => _standardized;

    /// <summary>
    /// Exact linear SHAP (Lundberg &amp; Lee, NeurIPS 2017, "Linear SHAP"): each feature contributes its coefficient times its
    /// deviation from the training mean, and the base value is the margin at the training means. Under a linear model the
    /// path-dependent and interventional contributions are the same, so <paramref name="method"/> changes nothing.
    /// </summary>
    /// <param name="features">The row.</param>
    /// <param name="contributions">Receives one contribution per feature (overwritten).</param>
    /// <param name="background">The training background, whose means the contributions are relative to.</param>
    /// <param name="method">Ignored (see above).</param>
    /// <returns>The base value: intercept + Σ coefficient × mean.</returns>
    /// <exception cref="ConfigurationException">The model holds no background (a file of format 5 or older, or one made by <c>CreditModel.FromPredictor</c>).</exception>
    public double ExplainMargin(ReadOnlySpan<double> features, Span<double> contributions, FeatureBackground? background, ContributionMethod method)
    {
        if (features.Length < _raw.Length || contributions.Length < _raw.Length)
        {
            throw new ArgumentException($"The row has {features.Length} features and the output {contributions.Length} places; the model reads {_raw.Length}.", nameof(features));
        }

        if (background is null || background.Means.Count != _raw.Length)
        {
            throw new ConfigurationException("A logistic model's contributions are relative to the training means of its features, and this model holds none (a file of format 5 or older, or a model made from a predictor); add them with model.WithBackground(trainingData, seed), or retrain.");
        }

        var baseValue = _rawIntercept;
        for (var j = 0; j < _raw.Length; j++)
        {
            var mean = background.Means[j];
            if (double.IsNaN(mean))
            {
                throw new ConfigurationException($"The model's background holds no training mean for feature '{_features[j].Name}' (it is missing), so its contribution cannot be measured; add a complete background with model.WithBackground(trainingData, seed).");
            }

            baseValue += _raw[j] * mean;
            contributions[j] = _raw[j] * (features[j] - mean);
        }

        return baseValue;
    }

    /// <inheritdoc />
    public double PredictMargin(ReadOnlySpan<double> features)
    {
        if (features.Length < _raw.Length)
        {
            throw new ArgumentException($"The row has {features.Length} features; the model needs {_raw.Length}.", nameof(features));
        }

        var margin = _rawIntercept;
        for (var j = 0; j < _raw.Length; j++)
        {
            margin += _raw[j] * features[j];
        }

        return margin;
    }

    /// <inheritdoc />
    public void PredictMargins(FeatureMatrix features, Span<double> margins)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.ColumnCount != _raw.Length)
        {
            throw new ArgumentException($"The matrix has {features.ColumnCount} features; the model needs {_raw.Length}.", nameof(features));
        }

        var n = features.RowCount;
        if (margins.Length < n)
        {
            throw new ArgumentException($"The output holds {margins.Length} values for {n} rows.", nameof(margins));
        }

        margins[..n].Fill(_rawIntercept);
        for (var j = 0; j < _raw.Length; j++)
        {
            AccumulateColumn(features.Column(j), _raw[j], margins[..n]);
        }
    }

    /// <summary>margins += coefficient·x with separate multiply and add (never fused), so every row rounds as in <see cref="PredictMargin"/>.</summary>
    private static void AccumulateColumn(ReadOnlySpan<double> x, double coefficient, Span<double> margins)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var c = new Vector<double>(coefficient);
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var product = Vector.Multiply(new Vector<double>(x[i..]), c);
                Vector.Add(new Vector<double>(margins[i..]), product).CopyTo(margins[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            margins[i] += coefficient * x[i];
        }
    }
}
