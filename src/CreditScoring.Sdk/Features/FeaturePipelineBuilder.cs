using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Features;

/// <summary>
/// Declares a feature pipeline, step by step: <c>f =&gt; f.Sentinel("DAYS_EMPLOYED", 365243).Ratio("AMT_CREDIT", "AMT_INCOME_TOTAL", "CREDIT_INCOME_RATIO").Impute(ImputeStrategy.Median)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Every step is fitted on the training rows only, saved in the model file and applied identically to a
/// table and to one applicant. Steps run in the order declared; aggregations of related tables are
/// computed first, so any step may use their outputs. A step that names no columns applies to every
/// current column of the kinds it accepts.
/// </para>
/// <para>
/// Column names: transforms (sentinels, imputation, scaling, log, Yeo-Johnson, clipping, ordinal
/// encoding) keep the column's name and replace it; encoders replace it under new names
/// (<c>Home=owner</c>, <c>Home_FREQ</c>, <c>Home_TE</c>, <c>Income_WOE</c>); derived columns and
/// missing indicators (<c>Income_MISSING</c>) are added. A name used twice, or a reference to a column
/// that does not exist at that point, fails at fit time with a message naming it. What is left at the end
/// is then prepared for the learner as without a pipeline: median imputation and one-hot encoding for
/// learners that need them.
/// </para>
/// </remarks>
public sealed class FeaturePipelineBuilder
{
    private readonly List<(string Table, string Key, string Prefix, AggregationBuilder Spec)> _aggregations = [];
    private readonly List<Action<FeatureFrame>> _steps = [];
    private readonly List<string> _descriptions = [];

    internal FeaturePipelineBuilder()
    {
    }

    /// <summary>The declared steps, one line each.</summary>
    public IReadOnlyList<string> Declared => _descriptions;

    /// <summary>Values of a numeric column that mean "missing" (e.g. <c>DAYS_EMPLOYED</c> = 365243) become missing.</summary>
    /// <param name="column">The column.</param>
    /// <param name="values">The sentinel values.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Sentinel(string column, params double[] values)
    {
        var checkedValues = NonEmpty(values, nameof(values));
        return Add($"Sentinel({column})", f => FeatureSpecs.Sentinel(f, column, checkedValues, indicators: false));
    }

    /// <summary>Values of a numeric column that mean something special (e.g. 96 and 98 "refused to answer" in past-due counts) become missing, and each gets a 0/1 column <c>{column}={value}</c>.</summary>
    /// <param name="column">The column.</param>
    /// <param name="values">The special values.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Special(string column, params double[] values)
    {
        var checkedValues = NonEmpty(values, nameof(values));
        return Add($"Special({column})", f => FeatureSpecs.Sentinel(f, column, checkedValues, indicators: true));
    }

    /// <summary>Fills missing values with a statistic of the training values. Most-frequent also fills categorical columns (and unknown categories); the others fill numeric ones.</summary>
    /// <param name="strategy">The statistic.</param>
    /// <param name="columns">The columns; none for every current column it applies to.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Impute(ImputeStrategy strategy, params string[] columns) =>
        Add($"Impute({strategy})", f => FeatureSpecs.Impute(f, columns, strategy, 0, indicators: false));

    /// <summary>Fills missing values with a statistic and adds a 0/1 column <c>{column}_MISSING</c> first.</summary>
    /// <param name="strategy">The statistic.</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder ImputeWithIndicator(ImputeStrategy strategy, params string[] columns) =>
        Add($"ImputeWithIndicator({strategy})", f => FeatureSpecs.Impute(f, columns, strategy, 0, indicators: true));

    /// <summary>Fills missing values of numeric columns with a constant.</summary>
    /// <param name="value">The constant.</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Impute(double value, params string[] columns) =>
        Add($"Impute({value})", f => FeatureSpecs.Impute(f, columns, null, value, indicators: false));

    /// <summary>Rescales numeric columns with statistics of the training values (a zero scale leaves values unscaled, as scikit-learn).</summary>
    /// <param name="method">Standard, min-max or robust.</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Scale(ScalingMethod method, params string[] columns) =>
        Add($"Scale({method})", f => FeatureSpecs.Scale(f, columns, method));

    /// <summary>ln(1 + x); values ≤ −1 become missing.</summary>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Log1P(params string[] columns) =>
        Add("Log1P", f => FeatureSpecs.Function(f, columns, NumericTransform.Log1P, _ => []));

    /// <summary>sign(x)·ln(1 + |x|), for amounts that may be negative.</summary>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder SignedLog(params string[] columns) =>
        Add("SignedLog", f => FeatureSpecs.Function(f, columns, NumericTransform.SignedLog, _ => []));

    /// <summary>The Yeo-Johnson power transform (Yeo and Johnson 2000) with λ fitted by maximum likelihood on the training values, as <c>scipy.stats.yeojohnson</c> (λ searched in [−2, 2]); no standardisation follows (add <see cref="Scale"/>).</summary>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder YeoJohnson(params string[] columns) =>
        Add("YeoJohnson", f => FeatureSpecs.Function(f, columns, NumericTransform.YeoJohnson, sorted => [sorted.Length == 0 ? 1.0 : Features.YeoJohnson.FitLambda(sorted)]));

    /// <summary>Clips numeric columns to fixed bounds.</summary>
    /// <param name="lower">The lower bound.</param>
    /// <param name="upper">The upper bound (≥ lower).</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Clip(double lower, double upper, params string[] columns)
    {
        if (!(lower <= upper))
        {
            throw new ArgumentException($"Clip needs lower <= upper (got {lower} and {upper}).");
        }

        return Add($"Clip({lower}, {upper})", f => FeatureSpecs.Function(f, columns, NumericTransform.Clip, _ => [lower, upper]));
    }

    /// <summary>Winsorises numeric columns: clips them at quantiles of the training values (numpy's linear quantiles).</summary>
    /// <param name="lowerQuantile">e.g. 0.01.</param>
    /// <param name="upperQuantile">e.g. 0.99.</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Winsorize(double lowerQuantile, double upperQuantile, params string[] columns)
    {
        if (!(lowerQuantile >= 0 && lowerQuantile < upperQuantile && upperQuantile <= 1))
        {
            throw new ArgumentException($"Winsorize needs 0 <= lowerQuantile < upperQuantile <= 1 (got {lowerQuantile} and {upperQuantile}).");
        }

        return Add($"Winsorize({lowerQuantile}, {upperQuantile})", f => FeatureSpecs.Function(f, columns, NumericTransform.Clip, sorted =>
            sorted.Length == 0 ? [double.NegativeInfinity, double.PositiveInfinity] : [SampleStatistics.Quantile(sorted, lowerQuantile), SampleStatistics.Quantile(sorted, upperQuantile)]));
    }

    /// <summary>One-hot encodes categorical columns: one 0/1 column per training category (<c>{column}={category}</c>), one for missing when training had missing values.</summary>
    /// <param name="columns">The columns; none for every current categorical column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder OneHot(params string[] columns) => OneHot(_ => { }, columns);

    /// <summary>One-hot encoding with a cap on categories, rare-category grouping and unknown handling.</summary>
    /// <param name="configure">Sets the options.</param>
    /// <param name="columns">The columns; none for every current categorical column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder OneHot(Action<OneHotOptions> configure, params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new OneHotOptions();
        configure(options);
        return Add("OneHot", f =>
        {
            foreach (var c in f.Targets(columns, "OneHot", FeatureKind.Categorical))
            {
                FeatureSpecs.OneHot(f, c, options, $"OneHot('{c}')");
            }
        });
    }

    /// <summary>Ordinal encoding: a category becomes its position in <paramref name="order"/> (or in the sorted training categories); missing and unknown categories become missing.</summary>
    /// <param name="column">A categorical column.</param>
    /// <param name="order">The categories in order, or <see langword="null"/> for sorted order.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Ordinal(string column, IReadOnlyList<string>? order = null) =>
        Add($"Ordinal({column})", f => FeatureSpecs.Ordinal(f, column, order));

    /// <summary>Frequency encoding <c>{column}_FREQ</c>: a category's share of the training rows; missing gets the share of missing rows, unknown 0.</summary>
    /// <param name="columns">Categorical columns; none for every current categorical column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder FrequencyEncode(params string[] columns) =>
        Add("FrequencyEncode", f =>
        {
            foreach (var c in f.Targets(columns, "FrequencyEncode", FeatureKind.Categorical))
            {
                FeatureSpecs.Frequency(f, c);
            }
        });

    /// <summary>
    /// Target encoding <c>{column}_TE</c> computed out of fold: the smoothed default rate of the category,
    /// (Σ y + m·prior) / (n + m). Training rows get values from the other folds only, so the encoding
    /// does not leak their own labels; scoring uses all training rows. Missing is a category of its own;
    /// unknown categories get the prior (the training default rate).
    /// </summary>
    /// <param name="smoothing">m, the weight of the prior. Default 10.</param>
    /// <param name="folds">Folds for the out-of-fold training values. Default 5.</param>
    /// <param name="columns">Categorical columns; none for every current categorical column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder TargetEncode(double smoothing = 10, int folds = 5, params string[] columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(smoothing);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        return Add("TargetEncode", f =>
        {
            foreach (var c in f.Targets(columns, "TargetEncode", FeatureKind.Categorical))
            {
                FeatureSpecs.Target(f, c, smoothing, folds);
            }
        });
    }

    /// <summary>Adds <paramref name="name"/> = numerator / denominator (missing when the denominator is 0), e.g. credit / income.</summary>
    /// <param name="numerator">A numeric column.</param>
    /// <param name="denominator">A numeric column.</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Ratio(string numerator, string denominator, string name) =>
        Add($"Ratio({name})", f => FeatureSpecs.Combine(f, numerator, denominator, CombineOperation.Ratio, name));

    /// <summary>Adds <paramref name="name"/> = left − right.</summary>
    /// <param name="left">A numeric column.</param>
    /// <param name="right">A numeric column.</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Difference(string left, string right, string name) =>
        Add($"Difference({name})", f => FeatureSpecs.Combine(f, left, right, CombineOperation.Difference, name));

    /// <summary>Adds <paramref name="name"/> = left · right.</summary>
    /// <param name="left">A numeric column.</param>
    /// <param name="right">A numeric column.</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Product(string left, string right, string name) =>
        Add($"Product({name})", f => FeatureSpecs.Combine(f, left, right, CombineOperation.Product, name));

    /// <summary>Adds <paramref name="name"/> = −days / 365.25: age (or tenure) in years from a count of days before the application (Home Credit's <c>DAYS_BIRTH</c>).</summary>
    /// <param name="daysColumn">Days relative to the application, negative in the past.</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder AgeInYears(string daysColumn, string name) =>
        Add($"AgeInYears({name})", f => FeatureSpecs.Affine(f, daysColumn, 0, -365.25, name, $"AgeInYears('{daysColumn}')"));

    /// <summary>Adds a column computed by a function registered with <see cref="CustomFeatures.Register"/>. Only the name is saved: register it before loading the model.</summary>
    /// <param name="function">The registered name.</param>
    /// <param name="sources">The columns it reads, in order (at most 16).</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Custom(string function, IReadOnlyList<string> sources, string name)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _ = CustomFeatures.Resolve(function);
        return Add($"Custom({name})", f => FeatureSpecs.Custom(f, function, [.. sources], name));
    }

    /// <summary>
    /// Aggregates a related table per applicant: <c>{prefix}_COUNT</c> and what <paramref name="configure"/>
    /// declares. The training data must carry the table (<see cref="CreditData.WithRelated"/>); so must
    /// batch data at scoring, and a scoring row takes the applicant's related rows.
    /// </summary>
    /// <param name="table">The related table's name.</param>
    /// <param name="key">The key column, present in both tables (e.g. <c>SK_ID_CURR</c>).</param>
    /// <param name="prefix">The prefix of the new columns (e.g. <c>BUREAU</c>).</param>
    /// <param name="configure">What to aggregate.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Aggregate(string table, string key, string prefix, Action<AggregationBuilder> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentNullException.ThrowIfNull(configure);
        var spec = new AggregationBuilder();
        configure(spec);
        _descriptions.Add($"Aggregate({table} by {key} as {prefix})");
        _aggregations.Add((table, key, prefix, spec));
        return this;
    }

    /// <summary>
    /// Replaces columns by their Weight of Evidence (<c>{column}_WOE</c>) under an optimal monotonic
    /// binning fitted on the training rows (see <see cref="WoeBinning"/> for the sign convention).
    /// </summary>
    /// <param name="configure">Sets the binning options, or <see langword="null"/> for the defaults.</param>
    /// <param name="columns">Numeric or categorical columns; none for every current one.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder WoE(Action<WoeBinningOptions>? configure = null, params string[] columns)
    {
        var options = Options(configure);
        return Add("WoE", f => FeatureSpecs.Woe(f, columns, options));
    }

    /// <summary>Keeps only the current columns whose Information Value (under a WoE binning with the given options) is at least <paramref name="minimum"/>.</summary>
    /// <param name="minimum">Default 0.02, below which a characteristic is conventionally useless.</param>
    /// <param name="configure">Sets the binning options, or <see langword="null"/> for the defaults.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder SelectByInformationValue(double minimum = 0.02, Action<WoeBinningOptions>? configure = null)
    {
        var options = Options(configure);
        return Add($"SelectByInformationValue({minimum})", f => FeatureSpecs.SelectByInformationValue(f, minimum, options));
    }

    /// <summary>Drops numeric columns whose (population) variance is at most <paramref name="minimum"/> and categorical columns with at most one category.</summary>
    /// <param name="minimum">Default 0: constant columns.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder SelectByVariance(double minimum = 0) =>
        Add($"SelectByVariance({minimum})", f => FeatureSpecs.SelectByVariance(f, minimum));

    /// <summary>Drops each numeric column whose absolute Pearson correlation with an earlier kept column exceeds <paramref name="maximum"/>.</summary>
    /// <param name="maximum">Default 0.95.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder SelectByCorrelation(double maximum = 0.95)
    {
        if (!(maximum > 0 && maximum <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maximum), maximum, "The correlation cap must be in (0, 1].");
        }

        return Add($"SelectByCorrelation({maximum})", f => FeatureSpecs.SelectByCorrelation(f, maximum));
    }

    /// <summary>Removes columns from the model's features (later steps can still read them).</summary>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Drop(params string[] columns) =>
        Add($"Drop({string.Join(", ", columns)})", f =>
        {
            foreach (var c in columns)
            {
                f.Resolve(c, "Drop");
                f.Deactivate(c);
            }
        });

    /// <summary>Fits the pipeline (and the learner preparation) on training data.</summary>
    internal (FittedFeatures Features, FeatureMatrix Training) Fit(CreditData training, LearnerCapabilities capabilities, int seed)
    {
        var input = InputBinder.SchemaOf(training);
        var raw = InputBinder.Bind(input, training, UnknownCategoryHandling.Ignore);
        var frame = new FeatureFrame(training, input, raw, seed);
        var aggregations = _aggregations.Select(a => FittedAggregation.Fit(training, a.Table, a.Key, a.Prefix, a.Spec)).ToArray();
        var aggregated = FittedAggregation.TransformAll(aggregations, training);
        var next = 0;
        foreach (var a in aggregations)
        {
            frame.AddAggregation(a, aggregated[next..(next + a.Outputs.Length)]);
            next += a.Outputs.Length;
        }

        foreach (var s in _steps)
        {
            s(frame);
        }

        return frame.Finish(capabilities);
    }

    internal FeaturePipelineBuilder Snapshot()
    {
        var copy = new FeaturePipelineBuilder();
        copy._aggregations.AddRange(_aggregations);
        copy._steps.AddRange(_steps);
        copy._descriptions.AddRange(_descriptions);
        return copy;
    }

    private static WoeBinningOptions Options(Action<WoeBinningOptions>? configure)
    {
        var options = new WoeBinningOptions();
        configure?.Invoke(options);
        options.Validate();
        return options.Clone();
    }

    private static double[] NonEmpty(double[] values, string name) =>
        values is { Length: > 0 } && values.All(double.IsFinite) ? [.. values] : throw new ArgumentException("Give at least one value, every one a finite number.", name);

    private FeaturePipelineBuilder Add(string description, Action<FeatureFrame> step)
    {
        _descriptions.Add(description);
        _steps.Add(step);
        return this;
    }
}
