using System.Text.Json;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Data;

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
/// <para>
/// Each method writes its step as the JSON pipeline file's step object (<see cref="Steps"/>) and the file's interpreter
/// reads it, so a step means the same in code and in a file; a bad argument is a <see cref="ConfigurationException"/>
/// naming the step, raised when the step is declared.
/// </para>
/// </remarks>
public sealed class FeaturePipelineBuilder
{
    private readonly List<(string Table, string Key, string Prefix, AggregationBuilder Spec)> _aggregations = [];
    private readonly List<Action<FeatureFrame>> _steps = [];
    private readonly List<FeatureStepDescription> _descriptions = [];

    internal FeaturePipelineBuilder()
    {
    }

    /// <summary>
    /// The declared steps, in order, each as the step object of the JSON pipeline file (<see cref="FeaturePipelineJson"/>):
    /// the fluent methods write these descriptions and one interpreter reads them, so a pipeline built in code and the same
    /// pipeline in a file are the same thing (<see cref="ToJson"/> writes the file).
    /// </summary>
    public IReadOnlyList<FeatureStepDescription> Steps => _descriptions;

    /// <summary>The declared steps, one line each (the compact JSON of <see cref="Steps"/>).</summary>
    public IReadOnlyList<string> Declared => [.. _descriptions.Select(d => d.ToJson())];

    /// <summary>The pipeline as a JSON pipeline file (<c>{"steps": [...]}</c>), which <see cref="FeaturePipelineJson.Apply"/> reads back into the same pipeline.</summary>
    /// <returns>The indented JSON document.</returns>
    public string ToJson() => FeatureStepDescription.Document(_descriptions);

    /// <summary>Values of a numeric column that mean "missing" (e.g. <c>DAYS_EMPLOYED</c> = 365243) become missing.</summary>
    /// <param name="column">The column.</param>
    /// <param name="values">The sentinel values.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Sentinel(string column, params double[] values) =>
        Add(new() { ["sentinel"] = column, ["values"] = Numbers(values) });

    /// <summary>Values of a numeric column that mean something special (e.g. 96 and 98 "refused to answer" in past-due counts) become missing, and each gets a 0/1 column <c>{column}={value}</c>.</summary>
    /// <param name="column">The column.</param>
    /// <param name="values">The special values.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Special(string column, params double[] values) =>
        Add(new() { ["special"] = column, ["values"] = Numbers(values) });

    /// <summary>Fills missing values with a statistic of the training values. Most-frequent also fills categorical columns (and unknown categories); the others fill numeric ones.</summary>
    /// <param name="strategy">The statistic.</param>
    /// <param name="columns">The columns; none for every current column it applies to.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Impute(ImputeStrategy strategy, params string[] columns) =>
        Add(new() { ["impute"] = Name(strategy), ["columns"] = Texts(columns) });

    /// <summary>Fills missing values with a statistic and adds a 0/1 column <c>{column}_MISSING</c> first.</summary>
    /// <param name="strategy">The statistic.</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder ImputeWithIndicator(ImputeStrategy strategy, params string[] columns) =>
        Add(new() { ["impute"] = Name(strategy), ["indicator"] = true, ["columns"] = Texts(columns) });

    /// <summary>Fills missing values of numeric columns with a constant.</summary>
    /// <param name="value">The constant.</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Impute(double value, params string[] columns) =>
        Add(new() { ["impute"] = Number(value), ["columns"] = Texts(columns) });

    /// <summary>Rescales numeric columns with statistics of the training values (a zero scale leaves values unscaled, as scikit-learn).</summary>
    /// <param name="method">Standard, min-max or robust.</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Scale(ScalingMethod method, params string[] columns) =>
        Add(new() { ["scale"] = Name(method), ["columns"] = Texts(columns) });

    /// <summary>ln(1 + x); values ≤ −1 become missing.</summary>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Log1P(params string[] columns) => Add(new() { ["log1p"] = Texts(columns) });

    /// <summary>sign(x)·ln(1 + |x|), for amounts that may be negative.</summary>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder SignedLog(params string[] columns) => Add(new() { ["signedLog"] = Texts(columns) });

    /// <summary>The Yeo-Johnson power transform (Yeo and Johnson 2000) with λ fitted by maximum likelihood on the training values, as <c>scipy.stats.yeojohnson</c> (λ searched in [−2, 2]); no standardisation follows (add <see cref="Scale"/>).</summary>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder YeoJohnson(params string[] columns) => Add(new() { ["yeoJohnson"] = Texts(columns) });

    /// <summary>Clips numeric columns to fixed bounds.</summary>
    /// <param name="lower">The lower bound.</param>
    /// <param name="upper">The upper bound (≥ lower).</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Clip(double lower, double upper, params string[] columns) =>
        Add(new() { ["clip"] = Numbers([lower, upper]), ["columns"] = Texts(columns) });

    /// <summary>Winsorises numeric columns: clips them at quantiles of the training values (numpy's linear quantiles).</summary>
    /// <param name="lowerQuantile">e.g. 0.01.</param>
    /// <param name="upperQuantile">e.g. 0.99.</param>
    /// <param name="columns">The columns; none for every current numeric column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Winsorize(double lowerQuantile, double upperQuantile, params string[] columns) =>
        Add(new() { ["winsorize"] = Numbers([lowerQuantile, upperQuantile]), ["columns"] = Texts(columns) });

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
        var defaults = new OneHotOptions();
        var step = new JsonObject { ["oneHot"] = Texts(columns) };
        Optional(step, "maxCategories", options.MaximumCategoryCount, defaults.MaximumCategoryCount);
        Optional(step, "minFrequency", options.MinimumFrequency, defaults.MinimumFrequency);
        if (options.Unknown != defaults.Unknown)
        {
            step["unknown"] = Name(options.Unknown);
        }

        if (options.OtherLabel != defaults.OtherLabel)
        {
            step["otherLabel"] = options.OtherLabel;
        }

        Optional(step, "categoryLimit", options.CategoryLimit, defaults.CategoryLimit);
        return Add(step);
    }

    /// <summary>Ordinal encoding: a category becomes its position in <paramref name="order"/> (or in the sorted training categories); missing and unknown categories become missing.</summary>
    /// <param name="column">A categorical column.</param>
    /// <param name="order">The categories in order, or <see langword="null"/> for sorted order.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Ordinal(string column, IReadOnlyList<string>? order = null)
    {
        var step = new JsonObject { ["ordinal"] = column };
        if (order is not null)
        {
            step["order"] = Texts([.. order]);
        }

        return Add(step);
    }

    /// <summary>Frequency encoding <c>{column}_FREQ</c>: a category's share of the training rows; missing gets the share of missing rows, unknown 0.</summary>
    /// <param name="columns">Categorical columns; none for every current categorical column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder FrequencyEncode(params string[] columns) => Add(new() { ["frequency"] = Texts(columns) });

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
    public FeaturePipelineBuilder TargetEncode(double smoothing = 10, int folds = 5, params string[] columns) =>
        Add(new() { ["targetEncode"] = Texts(columns), ["smoothing"] = Number(smoothing), ["folds"] = folds });

    /// <summary>Adds <paramref name="name"/> = numerator / denominator (missing when the denominator is 0), e.g. credit / income.</summary>
    /// <param name="numerator">A numeric column.</param>
    /// <param name="denominator">A numeric column.</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Ratio(string numerator, string denominator, string name) =>
        Add(new() { ["ratio"] = Texts([numerator, denominator]), ["name"] = name });

    /// <summary>Adds <paramref name="name"/> = left − right.</summary>
    /// <param name="left">A numeric column.</param>
    /// <param name="right">A numeric column.</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Difference(string left, string right, string name) =>
        Add(new() { ["difference"] = Texts([left, right]), ["name"] = name });

    /// <summary>Adds <paramref name="name"/> = left · right.</summary>
    /// <param name="left">A numeric column.</param>
    /// <param name="right">A numeric column.</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Product(string left, string right, string name) =>
        Add(new() { ["product"] = Texts([left, right]), ["name"] = name });

    /// <summary>Adds <paramref name="name"/> = −days / 365.25: age (or tenure) in years from a count of days before the application (Home Credit's <c>DAYS_BIRTH</c>).</summary>
    /// <param name="daysColumn">Days relative to the application, negative in the past.</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder AgeInYears(string daysColumn, string name) =>
        Add(new() { ["ageInYears"] = daysColumn, ["name"] = name });

    /// <summary>Adds a column computed by a function registered with <see cref="CustomFeatures.Register"/>. Only the name is saved: register it before loading the model.</summary>
    /// <param name="function">The registered name.</param>
    /// <param name="sources">The columns it reads, in order (at most 16).</param>
    /// <param name="name">The new column.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Custom(string function, IReadOnlyList<string> sources, string name)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return Add(new() { ["custom"] = function, ["sources"] = Texts([.. sources]), ["name"] = name });
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
        var step = new JsonObject
        {
            ["aggregate"] = table,
            ["key"] = key,
            ["prefix"] = prefix,
            ["numeric"] = new JsonObject(spec.Numerics.Select(n => KeyValuePair.Create(n.Column, (JsonNode?)Texts([.. Enum.GetValues<AggregateFunctions>().Where(f => f is not (AggregateFunctions.None or AggregateFunctions.All) && n.Functions.HasFlag(f)).Select(f => Name(f))])))),
            ["categorical"] = new JsonObject(spec.Categoricals.Select(c => KeyValuePair.Create(c.Column, (JsonNode?)c.MaxCategories))),
        };
        if (spec.Filter is { } filter)
        {
            step["where"] = new JsonObject { ["column"] = filter.Column, ["values"] = Texts(filter.Values) };
        }

        return Add(step);
    }

    /// <summary>
    /// Replaces columns by their Weight of Evidence (<c>{column}_WOE</c>) under an optimal monotonic
    /// binning fitted on the training rows (see <see cref="WoeBinning"/> for the sign convention).
    /// </summary>
    /// <param name="configure">Sets the binning options, or <see langword="null"/> for the defaults.</param>
    /// <param name="columns">Numeric or categorical columns; none for every current one.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder WoE(Action<WoeBinningOptions>? configure = null, params string[] columns) =>
        Add(Binning(new JsonObject { ["woe"] = Texts(columns) }, configure));

    /// <summary>Keeps only the current columns whose Information Value (under a WoE binning with the given options) is at least <paramref name="minimum"/>.</summary>
    /// <param name="minimum">Default 0.02, below which a characteristic is conventionally useless.</param>
    /// <param name="configure">Sets the binning options, or <see langword="null"/> for the defaults.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder SelectByInformationValue(double minimum = 0.02, Action<WoeBinningOptions>? configure = null) =>
        Add(Binning(new JsonObject { ["selectByIv"] = Number(minimum) }, configure));

    /// <summary>Drops numeric columns whose (population) variance is at most <paramref name="minimum"/> and categorical columns with at most one category.</summary>
    /// <param name="minimum">Default 0: constant columns.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder SelectByVariance(double minimum = 0) => Add(new() { ["selectByVariance"] = Number(minimum) });

    /// <summary>Drops each numeric column whose absolute Pearson correlation with an earlier kept column exceeds <paramref name="maximum"/>.</summary>
    /// <param name="maximum">Default 0.95.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder SelectByCorrelation(double maximum = 0.95) => Add(new() { ["selectByCorrelation"] = Number(maximum) });

    /// <summary>Removes columns from the model's features (later steps can still read them).</summary>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public FeaturePipelineBuilder Drop(params string[] columns) => Add(new() { ["drop"] = Texts(columns) });

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

    /// <summary>Reads a step description (from a method here or from a pipeline file) with the one interpreter, checks it, and adds it.</summary>
    /// <param name="step">The step object.</param>
    /// <param name="where">Names the step in errors, e.g. <c>p.json: step 3</c>.</param>
    internal FeaturePipelineBuilder Add(JsonElement step, string where)
    {
        var read = new FeaturePipelineJson.Step(where, step);
        var (apply, aggregation) = read.Compile();
        if (aggregation is { } a)
        {
            _aggregations.Add(a);
        }
        else
        {
            _steps.Add(apply!);
        }

        _descriptions.Add(new FeatureStepDescription(read.Operation, step));
        return this;
    }

    private FeaturePipelineBuilder Add(JsonObject step)
    {
        using var document = JsonDocument.Parse(step.ToJsonString(FeatureStepDescription.Json));
        return Add(document.RootElement, $"step {_descriptions.Count}");
    }

    private static JsonArray Texts(string[]? values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new JsonArray([.. values.Select(v => (JsonNode?)(v ?? throw new ArgumentException("A column name is null.", nameof(values))))]);
    }

    private static JsonArray Numbers(double[]? values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new JsonArray([.. values.Select(Number)]);
    }

    /// <summary>A number for a step object; an infinite bound as the text the interpreter reads back ("Infinity", "-Infinity").</summary>
    private static JsonNode? Number(double value) => double.IsFinite(value)
        ? JsonValue.Create(value)
        : double.IsNaN(value) ? throw new ArgumentException("A step's number is NaN; give a finite number.", nameof(value)) : JsonValue.Create(value > 0 ? "Infinity" : "-Infinity");

    /// <summary>An enum value as the pipeline file writes it: camelCase (<c>minMax</c>).</summary>
    private static string Name<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    private static void Optional(JsonObject step, string key, double value, double defaultValue)
    {
        if (value != defaultValue)
        {
            step[key] = Number(value);
        }
    }

    private static JsonObject Binning(JsonObject step, Action<WoeBinningOptions>? configure)
    {
        var options = new WoeBinningOptions();
        configure?.Invoke(options);
        var defaults = new WoeBinningOptions();
        Optional(step, "maxBins", options.MaximumBinCount, defaults.MaximumBinCount);
        Optional(step, "minBinShare", options.MinimumBinShare, defaults.MinimumBinShare);
        if (options.Trend != defaults.Trend)
        {
            step["trend"] = Name(options.Trend);
        }

        Optional(step, "prebins", options.PrebinCount, defaults.PrebinCount);
        if (options.SpecialValues.Count > 0)
        {
            step["specialValues"] = Numbers([.. options.SpecialValues]);
        }

        return step;
    }
}
