using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Tracking;
using CreditScoring.Sdk.Training;

namespace CreditScoring.Sdk.Tuning;

/// <summary>How a hyperparameter search proposes candidates.</summary>
public enum SearchStrategy
{
    /// <summary>Every combination of the listed values.</summary>
    Grid,

    /// <summary><see cref="SearchOptions.Candidates"/> random combinations (Bergstra and Bengio, JMLR 13, 2012).</summary>
    Random,

    /// <summary>
    /// Successive halving (Jamieson and Talwalkar, AISTATS 2016; scikit-learn's <c>HalvingRandomSearchCV</c>): random
    /// candidates are cross-validated on a stratified subsample, the best 1/<see cref="SearchOptions.HalvingFactor"/> go on
    /// to a <see cref="SearchOptions.HalvingFactor"/> times larger sample, until the survivors see every row.
    /// </summary>
    SuccessiveHalving,
}

/// <summary>What a search optimizes, on the candidates' pooled out-of-fold predictions.</summary>
public enum SearchMetric
{
    /// <summary>Area under the ROC curve (higher is better).</summary>
    Auc,

    /// <summary>Log-loss (lower is better).</summary>
    LogLoss,

    /// <summary>The normalised business score at the cost-optimal threshold for <see cref="SearchOptions.Costs"/> (higher is better).</summary>
    BusinessScore,
}

/// <summary>The values a search tries for each learner option (by the option's name, as <see cref="LearnerCatalog.Create"/>).</summary>
public class SearchSpace
{
    private readonly List<Dimension> _dimensions = [];

    /// <summary>The options searched.</summary>
    public IReadOnlyList<string> Options => _dimensions.Select(d => d.Option).ToArray();

    /// <summary>A list of values (grid, random and halving searches).</summary>
    /// <param name="option">The option, e.g. <c>NumberOfLeaves</c>.</param>
    /// <param name="values">The values, as invariant text or numbers.</param>
    /// <returns>This space.</returns>
    public SearchSpace Values(string option, params object[] values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(option);
        if (values is null || values.Length == 0)
        {
            throw new ConfigurationException($"Search option '{option}' needs at least one value.");
        }

        return Add(new Dimension(option, values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray(), double.NaN, double.NaN, Scale.List));
    }

    /// <summary>A uniform range [min, max] (random and halving searches).</summary>
    /// <param name="option">The option.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This space.</returns>
    public SearchSpace Uniform(string option, double min, double max) => Range(option, min, max, Scale.Linear);

    /// <summary>A log-uniform range [min, max], min &gt; 0 (random and halving searches), e.g. learning rates.</summary>
    /// <param name="option">The option.</param>
    /// <param name="min">The lower bound (&gt; 0).</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This space.</returns>
    public SearchSpace LogUniform(string option, double min, double max)
    {
        if (!(min > 0))
        {
            throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture, $"A log-uniform range for '{option}' needs a positive lower bound (got {min})."));
        }

        return Range(option, min, max, Scale.Log);
    }

    /// <summary>Integers min..max inclusive, uniformly (random and halving searches).</summary>
    /// <param name="option">The option.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This space.</returns>
    public SearchSpace Integers(string option, int min, int max) => Range(option, min, max, Scale.Integer);

    internal IEnumerable<IReadOnlyDictionary<string, string>> Grid()
    {
        IEnumerable<IReadOnlyDictionary<string, string>> combos = [new Dictionary<string, string>()];
        foreach (var d in _dimensions)
        {
            if (d.Scale != Scale.List)
            {
                throw new ConfigurationException($"A grid search needs value lists; '{d.Option}' is a range. Use a random or successive-halving search, or list values.");
            }

            combos = combos.SelectMany(c => d.List!.Select(v => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(c) { [d.Option] = v })).ToArray();
        }

        return combos;
    }

    internal IReadOnlyDictionary<string, string> Sample(DeterministicRandom random)
    {
        var c = new Dictionary<string, string>();
        foreach (var d in _dimensions)
        {
            c[d.Option] = d.Scale switch
            {
                Scale.List => d.List![random.NextInt(d.List.Length)],
                Scale.Integer => ((int)d.Min + random.NextInt((int)d.Max - (int)d.Min + 1)).ToString(CultureInfo.InvariantCulture),
                Scale.Log => Math.Exp(Math.Log(d.Min) + (random.NextDouble() * (Math.Log(d.Max) - Math.Log(d.Min)))).ToString("G6", CultureInfo.InvariantCulture),
                _ => (d.Min + (random.NextDouble() * (d.Max - d.Min))).ToString("G6", CultureInfo.InvariantCulture),
            };
        }

        return c;
    }

    private SearchSpace Range(string option, double min, double max, Scale scale)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(option);
        if (!(min <= max) || !double.IsFinite(min) || !double.IsFinite(max))
        {
            throw new ConfigurationException($"Search range for '{option}' must be finite with min <= max (got {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}).");
        }

        return Add(new Dimension(option, null, min, max, scale));
    }

    private SearchSpace Add(Dimension d)
    {
        if (_dimensions.Any(x => string.Equals(x.Option, d.Option, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ConfigurationException($"Search option '{d.Option}' is given twice.");
        }

        _dimensions.Add(d);
        return this;
    }

    private enum Scale
    {
        List,
        Linear,
        Log,
        Integer,
    }

    private sealed record Dimension(string Option, string[]? List, double Min, double Max, Scale Scale);
}

/// <summary>How a hyperparameter search runs.</summary>
public sealed class SearchOptions
{
    /// <summary>Grid, random or successive halving; default <see cref="SearchStrategy.Random"/>.</summary>
    public SearchStrategy Strategy { get; set; } = SearchStrategy.Random;

    /// <summary>Candidates of a random or halving search; default 20.</summary>
    public int Candidates { get; set; } = 20;

    /// <summary>Stratified cross-validation folds per candidate; default 3.</summary>
    public int Folds { get; set; } = 3;

    /// <summary>What to optimize; default <see cref="SearchMetric.Auc"/>.</summary>
    public SearchMetric Metric { get; set; } = SearchMetric.Auc;

    /// <summary>The costs of <see cref="SearchMetric.BusinessScore"/>; default none (required for that metric).</summary>
    public CostMatrix? Costs { get; set; }

    /// <summary>Successive halving's factor: each round keeps 1/factor of the candidates on factor times the rows; default 3.</summary>
    public int HalvingFactor { get; set; } = 3;

    /// <summary>The fewest rows successive halving starts with; default 500.</summary>
    public int MinimumRows { get; set; } = 500;

    /// <summary>
    /// Where the search logs its run (default: the context's tracker; none when neither has one): a run <c>search
    /// LEARNER</c> with the strategy, metric, folds, seed, data fingerprint and the best candidate's options
    /// (<c>best.NAME</c>) as parameters and its figures as metrics, and each trial as a child run with its options,
    /// rows and round as parameters and its out-of-fold AUC, log-loss, business score, score and time as metrics.
    /// </summary>
    public ExperimentTracker? Tracker { get; set; }
}

/// <summary>One candidate's evaluation.</summary>
public sealed record SearchTrial
{
    /// <summary>The candidate's number (0-based, in proposal order).</summary>
    public required int Candidate { get; init; }

    /// <summary>The halving round (0 for grid and random searches).</summary>
    public required int Round { get; init; }

    /// <summary>The searched options' values.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    /// <summary>Rows cross-validated.</summary>
    public required int Rows { get; init; }

    /// <summary>Out-of-fold AUC (pooled).</summary>
    public required double Auc { get; init; }

    /// <summary>Standard deviation of the per-fold AUCs.</summary>
    public required double AucStandardDeviation { get; init; }

    /// <summary>Out-of-fold log-loss.</summary>
    public required double LogLoss { get; init; }

    /// <summary>Normalised business score at the cost-optimal out-of-fold threshold (NaN without costs).</summary>
    public required double BusinessScore { get; init; }

    /// <summary>The optimized metric (higher is better: log-loss enters negated).</summary>
    public required double Score { get; init; }

    /// <summary>Wall time of the candidate's cross-validation.</summary>
    public required double Seconds { get; init; }
}

/// <summary>Every trial of a search and the best candidate.</summary>
/// <param name="Trials">Every trial, in the order run.</param>
/// <param name="Best">The best trial on the most rows.</param>
/// <param name="BestOptions">The best candidate's options (fixed options and searched ones) as <c>NAME=VALUE</c>.</param>
public record SearchResult(IReadOnlyList<SearchTrial> Trials, SearchTrial Best, IReadOnlyList<string> BestOptions);

/// <summary>A typed search's trials and best candidate, with the best candidate's options as an options object.</summary>
/// <typeparam name="TOptions">The learner's options type.</typeparam>
/// <param name="Trials">Every trial, in the order run.</param>
/// <param name="Best">The best trial on the most rows.</param>
/// <param name="BestOptions">The best candidate's searched options as <c>NAME=VALUE</c>.</param>
/// <param name="BestLearnerOptions">The best candidate's options: the base options with the searched values set; train with them.</param>
public sealed record SearchResult<TOptions>(IReadOnlyList<SearchTrial> Trials, SearchTrial Best, IReadOnlyList<string> BestOptions, TOptions BestLearnerOptions)
    : SearchResult(Trials, Best, BestOptions);

/// <summary>
/// The values a search tries for the options of one learner type, named by property selectors
/// (<c>new SearchSpace&lt;GradientBoostingOptions&gt;().Values(o =&gt; o.NumberOfLeaves, 15, 31, 63).LogUniform(o =&gt; o.LearningRate, 0.01, 0.3)</c>),
/// so that a misspelt option or a value of the wrong type does not compile.
/// </summary>
/// <typeparam name="TOptions">The learner's options type, e.g. <c>GradientBoostingOptions</c>.</typeparam>
public sealed class SearchSpace<TOptions> : SearchSpace
    where TOptions : class
{
    /// <summary>A list of values (grid, random and halving searches).</summary>
    /// <typeparam name="TValue">The option's type.</typeparam>
    /// <param name="option">The option, e.g. <c>o =&gt; o.NumberOfLeaves</c>.</param>
    /// <param name="values">The values.</param>
    /// <returns>This space.</returns>
    public SearchSpace<TOptions> Values<TValue>(Expression<Func<TOptions, TValue>> option, params TValue[] values)
    {
        Values(Name(option), [.. (values ?? []).Select(v => (object)v!)]);
        return this;
    }

    /// <summary>A uniform range [min, max] (random and halving searches).</summary>
    /// <param name="option">The option, e.g. <c>o =&gt; o.FeatureFraction</c>.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This space.</returns>
    public SearchSpace<TOptions> Uniform(Expression<Func<TOptions, double>> option, double min, double max)
    {
        Uniform(Name(option), min, max);
        return this;
    }

    /// <summary>A log-uniform range [min, max], min &gt; 0 (random and halving searches), e.g. learning rates.</summary>
    /// <param name="option">The option, e.g. <c>o =&gt; o.LearningRate</c>.</param>
    /// <param name="min">The lower bound (&gt; 0).</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This space.</returns>
    public SearchSpace<TOptions> LogUniform(Expression<Func<TOptions, double>> option, double min, double max)
    {
        LogUniform(Name(option), min, max);
        return this;
    }

    /// <summary>Integers min..max inclusive, uniformly (random and halving searches).</summary>
    /// <param name="option">The option, e.g. <c>o =&gt; o.NumberOfLeaves</c>.</param>
    /// <param name="min">The lower bound.</param>
    /// <param name="max">The upper bound.</param>
    /// <returns>This space.</returns>
    public SearchSpace<TOptions> Integers(Expression<Func<TOptions, int>> option, int min, int max)
    {
        Integers(Name(option), min, max);
        return this;
    }

    private static string Name(LambdaExpression option) =>
        option?.Body is MemberExpression { Member: PropertyInfo { CanWrite: true } property, Expression: ParameterExpression }
            ? property.Name
            : throw new ConfigurationException($"a search option must select a settable property of {typeof(TOptions).Name}, e.g. o => o.NumberOfLeaves; got {option}.");
}

/// <summary>
/// Hyperparameter search by stratified cross-validation of the whole recipe (features, resampler, learner, calibration)
/// per candidate: grid, random or successive halving, optimizing AUC, log-loss or the business score. Deterministic by
/// the context's seed.
/// </summary>
public static class HyperparameterSearch
{
    /// <summary>Runs a search over the options of a learner known by its options type: the typed way.</summary>
    /// <typeparam name="TOptions">The learner's options type.</typeparam>
    /// <param name="context">Seed, threads, logging.</param>
    /// <param name="data">Labelled training data.</param>
    /// <param name="space">The searched options.</param>
    /// <param name="learner">Creates the learner from a candidate's options, e.g. <c>o =&gt; new GradientBoostingLearner(o)</c>.</param>
    /// <param name="options">How to search; default <see cref="SearchOptions"/>'s defaults.</param>
    /// <param name="baseOptions">Creates the options every candidate starts from (the searched values are then set); default <c>new TOptions()</c>.</param>
    /// <param name="recipe">Adds features, a resampler or calibration to each candidate's pipeline; default none. Its decision rule is not used: the business score picks the cost-optimal threshold itself.</param>
    /// <param name="progress">Receives each trial as it finishes, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between and inside trials.</param>
    /// <returns>The trials, the best candidate, and its options to train with.</returns>
    /// <exception cref="ConfigurationException">A candidate's options are invalid for the learner, or the business score has no costs.</exception>
    public static SearchResult<TOptions> Run<TOptions>(CreditScoringContext context, CreditData data, SearchSpace<TOptions> space, Func<TOptions, ICreditLearner> learner, SearchOptions? options = null, Func<TOptions>? baseOptions = null, Func<CreditPipelineBuilder, CreditPipelineBuilder>? recipe = null, IProgress<SearchTrial>? progress = null, CancellationToken cancellationToken = default)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(learner);
        var create = baseOptions ?? (() => new TOptions());
        TOptions Bind(IReadOnlyDictionary<string, string> parameters) => LearnerOptionsBinder.Bind(create, Settings([], parameters), typeof(TOptions).Name);
        var (trials, best) = Search(context, data, space, typeof(TOptions).Name, p => learner(Bind(p)), options, recipe, progress, cancellationToken);
        return new SearchResult<TOptions>(trials, best, Settings([], best.Parameters), Bind(best.Parameters));
    }

    /// <summary>Runs a search over a learner known by its name, with options as <c>NAME=VALUE</c> text (the CLI's and the search file's way).</summary>
    /// <param name="context">Seed, threads, logging.</param>
    /// <param name="data">Labelled training data.</param>
    /// <param name="learner">The learner's name (<see cref="LearnerCatalog.Names"/>).</param>
    /// <param name="space">The searched options.</param>
    /// <param name="options">How to search; default <see cref="SearchOptions"/>'s defaults.</param>
    /// <param name="fixedOptions">Learner options every candidate shares, <c>NAME=VALUE</c>; default none.</param>
    /// <param name="recipe">Adds features, a resampler or calibration to each candidate's pipeline; default none. Its decision rule is not used: the business score picks the cost-optimal threshold itself.</param>
    /// <param name="progress">Receives each trial as it finishes, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels between and inside trials.</param>
    /// <returns>The trials and the best candidate.</returns>
    /// <exception cref="ConfigurationException">An option name or value is not the learner's, or the business score has no costs.</exception>
    public static SearchResult Run(CreditScoringContext context, CreditData data, string learner, SearchSpace space, SearchOptions? options = null, IEnumerable<string>? fixedOptions = null, Func<CreditPipelineBuilder, CreditPipelineBuilder>? recipe = null, IProgress<SearchTrial>? progress = null, CancellationToken cancellationToken = default)
    {
        var shared = (fixedOptions ?? []).ToArray();
        var (trials, best) = Search(context, data, space, learner, p => LearnerCatalog.Create(learner, Settings(shared, p)), options, recipe, progress, cancellationToken);
        return new SearchResult(trials, best, Settings(shared, best.Parameters));
    }

    /// <summary>The search, logged to the tracker of the options or the context when there is one.</summary>
    private static (List<SearchTrial> Trials, SearchTrial Best) Search(CreditScoringContext context, CreditData data, SearchSpace space, string learnerName, Func<IReadOnlyDictionary<string, string>, ICreditLearner> learner, SearchOptions? options, Func<CreditPipelineBuilder, CreditPipelineBuilder>? recipe, IProgress<SearchTrial>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tracker = options?.Tracker ?? context.Tracker;
        if (tracker is null)
        {
            return Search(context, data, space, learner, options, recipe, progress, null, cancellationToken);
        }

        var time = context.TimeProvider;
        return Autolog.InRun(tracker, $"search {learnerName}", null, time, runId =>
        {
            void LogTrial(SearchTrial t, long start) => Autolog.InRun(tracker, t.Round == 0 ? $"trial {t.Candidate}" : $"trial {t.Candidate} round {t.Round}", runId, time, trialRun =>
            {
                var now = Autolog.Now(time);
                var parameters = t.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new Param(p.Key, p.Value)).ToList();
                parameters.AddRange([new Param("candidate", Invariant(t.Candidate)), new Param("round", Invariant(t.Round)), new Param("rows", Invariant(t.Rows))]);
                var figures = new (string Key, double Value)[] { ("oof_auc", t.Auc), ("oof_auc_std", t.AucStandardDeviation), ("oof_log_loss", t.LogLoss), ("business_score", t.BusinessScore), ("score", t.Score), ("trial_seconds", t.Seconds) };
                Autolog.Log(tracker.Store, trialRun, [.. figures.Where(f => !double.IsNaN(f.Value)).Select(f => new Metric(f.Key, f.Value, now))], parameters, [new RunTag("creditscoring.kind", "search-trial")], cancellationToken);
                return 0;
            }, start);

            var (trials, best) = Search(context, data, space, learner, options, recipe, progress, LogTrial, cancellationToken);
            var o = options ?? new SearchOptions();
            var parameters = new List<Param>
            {
                new("learner", learnerName), new("strategy", o.Strategy.ToString()), new("metric", o.Metric.ToString()), new("folds", Invariant(o.Folds)),
                new("candidates", Invariant(trials.Select(t => t.Candidate).Distinct().Count())), new("seed", Invariant(context.Seed)), new("data_fingerprint", data.Fingerprint),
                new("searched", string.Join(",", space.Options)),
            };
            parameters.AddRange(best.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new Param("best." + p.Key, p.Value)));
            var now = Autolog.Now(time);
            var metrics = new List<Metric> { new("best_score", best.Score, now), new("best_oof_auc", best.Auc, now), new("best_oof_log_loss", best.LogLoss, now), new("trials", trials.Count, now) };
            if (!double.IsNaN(best.BusinessScore))
            {
                metrics.Add(new Metric("best_business_score", best.BusinessScore, now));
            }

            Autolog.Log(tracker.Store, runId, metrics, parameters, [new RunTag("creditscoring.kind", "search"), new RunTag("creditscoring.best_trial", Invariant(best.Candidate))], cancellationToken);
            return (trials, best);
        });
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The search itself: candidates proposed by the strategy, each checked, then cross-validated; <paramref name="onTrial"/> receives each trial and when it began.</summary>
    private static (List<SearchTrial> Trials, SearchTrial Best) Search(CreditScoringContext context, CreditData data, SearchSpace space, Func<IReadOnlyDictionary<string, string>, ICreditLearner> learner, SearchOptions? options, Func<CreditPipelineBuilder, CreditPipelineBuilder>? recipe, IProgress<SearchTrial>? progress, Action<SearchTrial, long>? onTrial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(space);
        options ??= new SearchOptions();
        if (options.Metric == SearchMetric.BusinessScore && options.Costs is null)
        {
            throw new ConfigurationException("The business-score metric needs SearchOptions.Costs (e.g. CostMatrix.Create(10, 1)).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.Folds, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Candidates, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HalvingFactor, 2);
        if (!data.HasTarget)
        {
            throw CreditData.NoTarget();
        }

        var random = DeterministicRandom.Derive(context.Seed, 0x5EA7C4);
        var candidates = options.Strategy == SearchStrategy.Grid
            ? space.Grid().ToList()
            : Enumerable.Range(0, options.Candidates).Select(_ => space.Sample(random)).ToList();

        // Every candidate's options are checked before anything runs.
        foreach (var c in candidates)
        {
            _ = learner(c);
        }

        SearchTrial Trial(CreditData rows, int candidate, int round)
        {
            var start = Autolog.Now(context.TimeProvider);
            var t = Evaluate(context, rows, learner, candidates[candidate], candidate, round, options, recipe, cancellationToken);
            onTrial?.Invoke(t, start);
            progress?.Report(t);
            return t;
        }

        var trials = new List<SearchTrial>();
        if (options.Strategy != SearchStrategy.SuccessiveHalving)
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                trials.Add(Trial(data, i, 0));
            }

            return (trials, trials.OrderByDescending(t => t.Score).ThenBy(t => t.Candidate).First());
        }

        // Successive halving over nested stratified subsamples.
        var order = StratifiedOrder(data.Labels, context.Seed);
        var rounds = 1;
        while (Math.Pow(options.HalvingFactor, rounds) < candidates.Count)
        {
            rounds++;
        }

        var alive = Enumerable.Range(0, candidates.Count).ToList();
        SearchTrial? last = null;
        for (var round = 0; round < rounds && alive.Count > 0; round++)
        {
            var rows = round == rounds - 1 ? data.RowCount : Math.Clamp((int)(data.RowCount / Math.Pow(options.HalvingFactor, rounds - 1 - round)), Math.Min(options.MinimumRows, data.RowCount), data.RowCount);
            var subset = rows == data.RowCount ? data : data.SelectRows(order.AsSpan(0, rows).ToArray().Order().ToArray());
            var scored = new List<SearchTrial>();
            foreach (var i in alive)
            {
                var t = Trial(subset, i, round);
                trials.Add(t);
                scored.Add(t);
            }

            var keep = round == rounds - 1 ? 1 : Math.Max(1, (int)Math.Ceiling(alive.Count / (double)options.HalvingFactor));
            var ranked = scored.OrderByDescending(t => t.Score).ThenBy(t => t.Candidate).ToList();
            last = ranked[0];
            alive = ranked.Take(keep).Select(t => t.Candidate).ToList();
        }

        return (trials, last!);
    }

    private static SearchTrial Evaluate(CreditScoringContext context, CreditData data, Func<IReadOnlyDictionary<string, string>, ICreditLearner> learner, IReadOnlyDictionary<string, string> parameters, int candidate, int round, SearchOptions options, Func<CreditPipelineBuilder, CreditPipelineBuilder>? recipe, CancellationToken cancellationToken)
    {
        var start = context.TimeProvider.GetTimestamp();
        var builder = context.CreatePipeline();
        builder = recipe?.Invoke(builder) ?? builder;
        var pipeline = builder.Train(learner(parameters)).Build();
        var cv = pipeline.CrossValidate(data, options.Folds, tracker: null, progress: null, cancellationToken); // a trial is logged as one run, not its folds
        var business = double.NaN;
        if (options.Costs is not null)
        {
            business = ThresholdAnalysis.Analyze(cv.OutOfFoldProbabilities, data.Labels, options.Costs.Resolve(data), data.Weights).Choose(ThresholdObjective.MinimumCost).BusinessScore;
        }

        var oof = cv.OutOfFold;
        var score = options.Metric switch
        {
            SearchMetric.Auc => oof.Auc,
            SearchMetric.LogLoss => -oof.LogLoss,
            _ => business,
        };
        return new SearchTrial
        {
            Candidate = candidate,
            Round = round,
            Parameters = parameters,
            Rows = data.RowCount,
            Auc = oof.Auc,
            AucStandardDeviation = cv.Auc.StandardDeviation,
            LogLoss = oof.LogLoss,
            BusinessScore = business,
            Score = score,
            Seconds = context.TimeProvider.GetElapsedTime(start).TotalSeconds,
        };
    }

    private static string[] Settings(string[] shared, IReadOnlyDictionary<string, string> parameters) =>
        [.. shared, .. parameters.Select(p => $"{p.Key}={p.Value}")];

    /// <summary>A row order whose every prefix is stratified: each class shuffled, then interleaved in proportion.</summary>
    private static int[] StratifiedOrder(ReadOnlySpan<int> labels, int seed)
    {
        var positives = new List<int>();
        var negatives = new List<int>();
        for (var i = 0; i < labels.Length; i++)
        {
            (labels[i] == 1 ? positives : negatives).Add(i);
        }

        var pos = positives.ToArray();
        var neg = negatives.ToArray();
        DeterministicRandom.Derive(seed, 1).ShuffleInplace(pos.AsSpan());
        DeterministicRandom.Derive(seed, 0).ShuffleInplace(neg.AsSpan());
        var order = new int[labels.Length];
        int p = 0, q = 0;
        for (var i = 0; i < order.Length; i++)
        {
            var wanted = (long)(i + 1) * pos.Length / order.Length;
            order[i] = p < wanted || q == neg.Length ? pos[p++] : neg[q++];
        }

        return order;
    }
}
