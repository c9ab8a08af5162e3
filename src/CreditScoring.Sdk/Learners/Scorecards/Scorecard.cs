using System.Globalization;
using System.Text;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners.Linear;

namespace CreditScoring.Sdk.Learners.Scorecards;

/// <summary>
/// The points scale of a scorecard (Siddiqi 2006, ch. 10): score = Offset + Factor · ln(odds of good),
/// with Factor = PDO / ln 2 and Offset = BaseScore − Factor · ln(BaseOdds). So a client with good:bad
/// odds of <see cref="BaseOdds"/> scores <see cref="BaseScore"/>, and every
/// <see cref="PointsToDoubleOdds"/> points double the odds of good.
/// </summary>
/// <param name="PointsToDoubleOdds">PDO, default 20.</param>
/// <param name="BaseScore">The score at the base odds, default 600.</param>
/// <param name="BaseOdds">Good:bad odds at the base score, default 50.</param>
public sealed record ScorecardScaling(double PointsToDoubleOdds = 20, double BaseScore = 600, double BaseOdds = 50)
{
    /// <summary>PDO / ln 2.</summary>
    public double Factor => PointsToDoubleOdds / Math.Log(2);

    /// <summary>BaseScore − Factor · ln(BaseOdds).</summary>
    public double Offset => BaseScore - (Factor * Math.Log(BaseOdds));

    /// <summary>The score of a probability of default.</summary>
    /// <param name="probability">In (0, 1).</param>
    /// <returns>Offset + Factor · ln((1 − p) / p).</returns>
    public double ScoreOf(double probability) => Offset + (Factor * Math.Log((1 - probability) / probability));

    /// <summary>The probability of default of a score.</summary>
    /// <param name="score">The score.</param>
    /// <returns>1 / (1 + e^((score − Offset) / Factor)).</returns>
    public double ProbabilityOf(double score) => LogisticFunction.Probability(MarginOf(score));

    /// <summary>The log-odds of default of a score: (Offset − score) / Factor.</summary>
    /// <param name="score">The score.</param>
    /// <returns>The margin.</returns>
    public double MarginOf(double score) => (Offset - score) / Factor;

    internal void Validate()
    {
        if (!(PointsToDoubleOdds > 0) || !(BaseOdds > 0) || !double.IsFinite(BaseScore) || double.IsInfinity(PointsToDoubleOdds) || double.IsInfinity(BaseOdds))
        {
            throw new ArgumentException($"A scorecard scale needs finite PointsToDoubleOdds > 0 (got {PointsToDoubleOdds}), BaseOdds > 0 (got {BaseOdds}) and BaseScore (got {BaseScore}).");
        }
    }
}

/// <summary>Options of <see cref="ScorecardLearner"/>.</summary>
public sealed class ScorecardOptions
{
    /// <summary>Points to double the odds (PDO). Default 20.</summary>
    public double PointsToDoubleOdds { get; set; } = 20;

    /// <summary>The score at <see cref="BaseOdds"/>. Default 600.</summary>
    public double BaseScore { get; set; } = 600;

    /// <summary>Good:bad odds at <see cref="BaseScore"/>. Default 50.</summary>
    public double BaseOdds { get; set; } = 50;

    /// <summary>Characteristics with a smaller Information Value are left out of the scorecard. Default 0.02.</summary>
    public double MinimumInformationValue { get; set; } = 0.02;

    /// <summary>L2 penalty of the logistic regression on the WoE values (standardised, as <see cref="LogisticRegressionOptions.L2Regularization"/>). Default 1.</summary>
    public double L2Regularization { get; set; } = 1.0;

    /// <summary>The most value bins per characteristic. Default 8.</summary>
    public int MaximumBinCount { get; set; } = 8;

    /// <summary>The smallest share of training rows per bin. Default 0.02.</summary>
    public double MinimumBinShare { get; set; } = 0.02;

    /// <summary>The trend of the default rate over numeric bins. Default <see cref="MonotonicTrend.Auto"/>.</summary>
    public MonotonicTrend Trend { get; set; } = MonotonicTrend.Auto;

    /// <summary>Special values per characteristic (each gets its own bin), e.g. <c>{"NumberOfTimes90DaysLate": [96, 98]}</c>. Default none.</summary>
    public IDictionary<string, double[]> SpecialValues { get; set; } = new Dictionary<string, double[]>(StringComparer.Ordinal);

    internal ScorecardScaling Scaling => new(PointsToDoubleOdds, BaseScore, BaseOdds);

    internal WoeBinningOptions BinningFor(string feature) => new()
    {
        MaximumBinCount = MaximumBinCount,
        MinimumBinShare = MinimumBinShare,
        Trend = Trend,
        PrebinCount = Math.Max(20, MaximumBinCount),
        SpecialValues = SpecialValues.TryGetValue(feature, out var s) ? [.. s] : [],
    };

    internal void Validate()
    {
        Scaling.Validate();
        BinningFor(string.Empty).Validate();
        if (!(MinimumInformationValue >= 0) || !(L2Regularization >= 0))
        {
            throw new ArgumentException($"Scorecard options need MinimumInformationValue >= 0 (got {MinimumInformationValue}) and L2Regularization >= 0 (got {L2Regularization}).");
        }
    }

    /// <summary>A copy that later changes to these options do not reach: every property, by <see cref="object.MemberwiseClone"/>, and the special values copied.</summary>
    internal ScorecardOptions Snapshot()
    {
        var copy = (ScorecardOptions)MemberwiseClone();
        copy.SpecialValues = SpecialValues.ToDictionary(p => p.Key, p => (double[])p.Value.Clone(), StringComparer.Ordinal);
        return copy;
    }
}

/// <summary>One line of a scorecard's points table.</summary>
/// <param name="Characteristic">The feature.</param>
/// <param name="Attribute">The bin, e.g. <c>[30, 45)</c> or <c>missing</c>; <c>(other)</c> for values without a bin (WoE 0).</param>
/// <param name="Count">Training rows in the bin.</param>
/// <param name="EventRate">Their default rate.</param>
/// <param name="WeightOfEvidence">The bin's WoE.</param>
/// <param name="Points">The points the attribute adds to the score.</param>
public sealed record ScorecardPoints(string Characteristic, string Attribute, double Count, double EventRate, double WeightOfEvidence, double Points);

/// <summary>
/// A WoE scorecard: every characteristic is binned (optimal monotonic WoE binning), characteristics
/// below the Information Value threshold are dropped, a logistic regression is fitted on the WoE values,
/// and the coefficients become points per attribute on the chosen <see cref="ScorecardScaling"/>
/// (Siddiqi 2006; Anderson, <i>The Credit Scoring Toolkit</i>, 2007).
/// </summary>
public sealed class ScorecardLearner : ICreditLearner
{
    private readonly ScorecardOptions _options;

    /// <summary>Creates the learner with default options.</summary>
    public ScorecardLearner()
        : this(new ScorecardOptions())
    {
    }

    /// <summary>Creates the learner.</summary>
    /// <param name="options">The options (validated and copied).</param>
    public ScorecardLearner(ScorecardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Snapshot();
        Parameters = new Dictionary<string, string>
        {
            [nameof(ScorecardOptions.PointsToDoubleOdds)] = InvariantText.Format(_options.PointsToDoubleOdds),
            [nameof(ScorecardOptions.BaseScore)] = InvariantText.Format(_options.BaseScore),
            [nameof(ScorecardOptions.BaseOdds)] = InvariantText.Format(_options.BaseOdds),
            [nameof(ScorecardOptions.MinimumInformationValue)] = InvariantText.Format(_options.MinimumInformationValue),
            [nameof(ScorecardOptions.L2Regularization)] = InvariantText.Format(_options.L2Regularization),
            [nameof(ScorecardOptions.MaximumBinCount)] = InvariantText.Format(_options.MaximumBinCount),
            [nameof(ScorecardOptions.MinimumBinShare)] = InvariantText.Format(_options.MinimumBinShare),
            [nameof(ScorecardOptions.Trend)] = _options.Trend.ToString(),
            [nameof(ScorecardOptions.SpecialValues)] = string.Join(";", _options.SpecialValues.Select(p => $"{p.Key}:{string.Join("|", p.Value.Select(v => InvariantText.Format(v)))}")),
        };
    }

    /// <inheritdoc/>
    public string Name => "scorecard";

    /// <inheritdoc/>
    /// <value>Missing values and categories: both get bins of their own.</value>
    public LearnerCapabilities Capabilities => LearnerCapabilities.MissingValues | LearnerCapabilities.CategoricalFeatures;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <inheritdoc/>
    public ICreditPredictor Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, LearnerContext context)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(context);
        var w = LearnerInputs.CheckAndExpand(features, labels, weights, allowMissing: true, allowCategorical: true, "training data");
        var binnings = new WoeBinning?[features.ColumnCount];
        var used = new List<int>();
        foreach (var name in _options.SpecialValues.Keys)
        {
            if (!features.Features.Any(f => f.Name == name))
            {
                throw new ArgumentException($"Scorecard SpecialValues names '{name}', which is not a feature. Features: {string.Join(", ", features.Features.Select(f => f.Name))}.");
            }
        }

        for (var j = 0; j < features.ColumnCount; j++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var info = features.Features[j];
            var categories = info.Kind == FeatureKind.Categorical
                ? info.Categories ?? Enumerable.Range(0, info.CategoryCount).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray()
                : null;
            var binning = WoeBinner.Fit(info.Name, features.Column(j), labels, w, categories, _options.BinningFor(info.Name));
            if (binning.InformationValue >= _options.MinimumInformationValue)
            {
                binnings[j] = binning;
                used.Add(j);
            }
        }

        if (used.Count == 0)
        {
            throw new TrainingDataException($"No characteristic reaches the scorecard's minimum Information Value {_options.MinimumInformationValue}; lower MinimumInformationValue or add features.");
        }

        var woe = used.Select(j =>
        {
            var column = features.Column(j);
            var values = new double[features.RowCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = binnings[j]!.WeightOfEvidence(column[i]);
            }

            return values;
        }).ToArray();
        var woeMatrix = new FeatureMatrix(used.Select(j => new FeatureInfo(features.Features[j].Name + "_WOE", FeatureKind.Continuous)).ToArray(), woe, features.RowCount);
        var logistic = (LogisticRegressionPredictor)new LogisticRegressionLearner(new LogisticRegressionOptions { L2Regularization = _options.L2Regularization })
            .Fit(woeMatrix, labels, weights, context);
        var coefficients = new double[features.ColumnCount];
        for (var k = 0; k < used.Count; k++)
        {
            coefficients[used[k]] = logistic.Coefficients[k].Coefficient;
        }

        return new ScorecardPredictor([.. features.Features], binnings, logistic.Intercept, coefficients, _options.Scaling);
    }
}

/// <summary>
/// A fitted scorecard: margin = intercept + Σ coefficient · WoE(bin of the value). Every attribute's
/// points are −(coefficient · WoE + intercept / m) · Factor + Offset / m over the m characteristics
/// used, so a client's score (the sum of the points) is Offset − Factor · margin exactly.
/// </summary>
public sealed class ScorecardPredictor : IExplainablePredictor
{
    /// <summary>The serialisation kind.</summary>
    public const string KindName = "scorecard";

    private readonly FeatureInfo[] _features;
    private readonly WoeBinning?[] _binnings;
    private readonly double[] _coefficients;
    private readonly int[] _used;

    internal ScorecardPredictor(FeatureInfo[] features, WoeBinning?[] binnings, double intercept, double[] coefficients, ScorecardScaling scaling)
    {
        if (binnings.Length != features.Length || coefficients.Length != features.Length)
        {
            throw new ArgumentException($"A scorecard over {features.Length} features has {binnings.Length} binnings and {coefficients.Length} coefficients.");
        }

        scaling.Validate();
        _features = features;
        _binnings = binnings;
        _coefficients = ParameterCheck.Finite(coefficients, "the scorecard's coefficients");
        _used = Enumerable.Range(0, features.Length).Where(j => binnings[j] is not null).ToArray();
        if (_used.Length == 0)
        {
            throw new ArgumentException("A scorecard uses at least one characteristic.");
        }

        Intercept = ParameterCheck.Finite(intercept, "the scorecard's intercept");
        Scaling = scaling;
    }

    /// <inheritdoc/>
    public string Kind => KindName;

    /// <inheritdoc/>
    public IReadOnlyList<FeatureInfo> Features => _features;

    /// <summary>The logistic intercept on the WoE scale.</summary>
    public double Intercept { get; }

    /// <summary>The logistic coefficient of each feature's WoE (0 for unused features).</summary>
    public IReadOnlyList<double> Coefficients => _coefficients;

    /// <summary>Each feature's binning, or <see langword="null"/> when it is not in the scorecard.</summary>
    public IReadOnlyList<WoeBinning?> Binnings => _binnings;

    /// <summary>The points scale.</summary>
    public ScorecardScaling Scaling { get; }

    /// <summary>The points table: every attribute of every characteristic used, and the points of a value without a bin.</summary>
    public IReadOnlyList<ScorecardPoints> PointsTable
    {
        get
        {
            var rows = new List<ScorecardPoints>();
            foreach (var j in _used)
            {
                var name = _features[j].Name;
                foreach (var bin in _binnings[j]!.Bins)
                {
                    rows.Add(new ScorecardPoints(name, bin.Label, bin.Count, bin.EventRate, bin.WeightOfEvidence, Points(j, bin.WeightOfEvidence)));
                }

                rows.Add(new ScorecardPoints(name, "(other)", 0, double.NaN, 0, Points(j, 0)));
            }

            return rows;
        }
    }

    /// <summary>The score of one row of features: the sum of its attributes' points.</summary>
    /// <param name="features">The row.</param>
    /// <returns>Offset − Factor · margin.</returns>
    public double Score(ReadOnlySpan<double> features) => Scaling.Offset - (Scaling.Factor * PredictMargin(features));

    /// <summary>
    /// The scorecard's own additive split: each characteristic contributes coefficient × WoE of the applicant's attribute,
    /// and the base value is the intercept. The neutral point of a characteristic is WoE 0, an attribute with the training
    /// population's own odds (the "(other)" row of <see cref="PointsTable"/>): in points, a contribution c is
    /// −<see cref="ScorecardScaling.Factor"/> × c, the attribute's points minus the neutral points. No background is needed and
    /// <paramref name="method"/> changes nothing (the points are the model).
    /// </summary>
    /// <param name="features">The row.</param>
    /// <param name="contributions">Receives one contribution per feature (overwritten; 0 for features not in the scorecard).</param>
    /// <param name="background">Ignored.</param>
    /// <param name="method">Ignored.</param>
    /// <returns>The intercept.</returns>
    public double ExplainMargin(ReadOnlySpan<double> features, Span<double> contributions, FeatureBackground? background, ContributionMethod method)
    {
        if (features.Length < _features.Length || contributions.Length < _features.Length)
        {
            throw new ArgumentException($"The row has {features.Length} features and the output {contributions.Length} places; the model reads {_features.Length}.", nameof(features));
        }

        contributions[.._features.Length].Clear();
        foreach (var j in _used)
        {
            contributions[j] = _coefficients[j] * _binnings[j]!.WeightOfEvidence(features[j]);
        }

        return Intercept;
    }

    /// <inheritdoc/>
    public double PredictMargin(ReadOnlySpan<double> features)
    {
        var margin = Intercept;
        foreach (var j in _used)
        {
            margin += _coefficients[j] * _binnings[j]!.WeightOfEvidence(features[j]);
        }

        return margin;
    }

    /// <inheritdoc/>
    public void PredictMargins(FeatureMatrix features, Span<double> margins)
    {
        ArgumentNullException.ThrowIfNull(features);
        Span<double> row = features.ColumnCount <= 512 ? stackalloc double[features.ColumnCount] : new double[features.ColumnCount];
        for (var i = 0; i < features.RowCount; i++)
        {
            features.CopyRow(i, row);
            margins[i] = PredictMargin(row);
        }
    }

    /// <summary>The points table as CSV: <c>characteristic,attribute,count,eventRate,woe,points</c>.</summary>
    /// <param name="decimals">Points are rounded to this many decimals (default 0, as printed scorecards).</param>
    /// <returns>The CSV text.</returns>
    public string ToCsv(int decimals = 0)
    {
        var sb = new StringBuilder("characteristic,attribute,count,eventRate,woe,points\n");
        foreach (var a in PointsTable)
        {
            sb.Append(InvariantText.CsvField(a.Characteristic)).Append(',').Append(InvariantText.CsvField(a.Attribute)).Append(',')
              .Append(a.Count.ToString("R", CultureInfo.InvariantCulture)).Append(',')
              .Append(double.IsNaN(a.EventRate) ? string.Empty : a.EventRate.ToString("F4", CultureInfo.InvariantCulture)).Append(',')
              .Append(a.WeightOfEvidence.ToString("F4", CultureInfo.InvariantCulture)).Append(',')
              .Append(Math.Round(a.Points, decimals, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return sb.ToString();
    }

    private double Points(int feature, double woe) =>
        (-((_coefficients[feature] * woe) + (Intercept / _used.Length)) * Scaling.Factor) + (Scaling.Offset / _used.Length);
}
