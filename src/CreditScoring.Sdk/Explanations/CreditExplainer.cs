using System.Buffers;
using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Explanations;

/// <summary>How an explainer explains.</summary>
public sealed class ExplainerOptions
{
    /// <summary>The expectation contributions are measured against; default <see cref="ContributionMethod.PathDependent"/>.</summary>
    public ContributionMethod Method { get; set; } = ContributionMethod.PathDependent;

    /// <summary>The most reasons an explanation gives; default 4 (0 gives none).</summary>
    public int TopReasons { get; set; } = 4;

    /// <summary>The lender's reason codes, or <see langword="null"/> (the default) for the model's own (<see cref="CreditModel.ReasonCodes"/>), else default texts citing every input.</summary>
    public ReasonCodeTable? ReasonCodes { get; set; }

    /// <summary>How inputs are checked and scored, as for <see cref="CreditModel.CreateScorer"/>; default <see cref="ScorerOptions"/>' defaults.</summary>
    public ScorerOptions Scoring { get; set; } = new();
}

/// <summary>Explanations of a <see cref="CreditModel"/>'s decisions.</summary>
public static class CreditModelExplanations
{
    /// <summary>
    /// Creates a thread-safe explainer of the model's decisions (one instance serves every thread, as the scorer does).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="options">How to explain, or <see langword="null"/> for the defaults.</param>
    /// <returns>The explainer.</returns>
    /// <exception cref="ConfigurationException">The model cannot be explained in the asked way: its predictor has no additive explanation, its trees hold no covers (path-dependent), or it holds no background (linear models; interventional); or the reason code table names an input the model does not have. The message says what to do.</exception>
    public static CreditExplainer CreateExplainer(this CreditModel model, ExplainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new CreditExplainer(model, options ?? new ExplainerOptions());
    }
}

/// <summary>
/// Explains one applicant's score, or every row of a table: contributions per feature and per input (Shapley values on the
/// log-odds scale, exact for every learner of the SDK), the reasons toward decline, and where the applicant stands in the
/// training population. Thread-safe and immutable. It checks inputs exactly as the scorer does, with the same messages.
/// </summary>
public sealed class CreditExplainer
{
    private readonly CreditModel _model;
    private readonly CreditScorer _scorer;
    private readonly IExplainablePredictor _predictor;
    private readonly FittedFeatures _features;
    private readonly ExplainerOptions _options;
    private readonly Characteristic[] _characteristics;
    private readonly int[] _characteristicOfFeature;
    private readonly PopulationProfile? _profile;
    private readonly bool[] _excluded;
    private readonly double[] _medians;

    /// <summary>Rows explained together in <see cref="ExplainBatch"/>: one task's share, and the predictor's batch.</summary>
    private const int BlockRows = 256;

    internal CreditExplainer(CreditModel model, ExplainerOptions options)
    {
        if (options.TopReasons < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TopReasons, "ExplainerOptions.TopReasons must be 0 or more.");
        }

        ArgumentNullException.ThrowIfNull(options.Scoring, "options.Scoring");
        if (!Enum.IsDefined(options.Method))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown ContributionMethod.");
        }

        _predictor = model.Predictor as IExplainablePredictor
            ?? throw new ConfigurationException($"The model's predictor ({model.Predictor.Kind}) has no additive explanation: it does not implement IExplainablePredictor. The SDK's logistic regression, gradient-boosted trees and scorecards do.");
        _model = model;
        var reasonCodes = options.ReasonCodes is { } given ? CreditModel.CheckReasonCodes(model.Features, given) : model.ReasonCodes;
        _options = new ExplainerOptions { Method = options.Method, TopReasons = options.TopReasons, ReasonCodes = reasonCodes, Scoring = options.Scoring };
        _scorer = new CreditScorer(model, options.Scoring);
        _features = model.Features;
        _profile = model.Profile;
        (_characteristics, _characteristicOfFeature) = Characteristics(model.Features);
        _excluded = [.. _characteristics.Select(ch => reasonCodes?.IsExcluded(ch.Name) == true)];

        // A reason's direction (higher or lower than most applicants) is against the population's median of the input.
        _medians = [.. _characteristics.Select(ch => ch.IsDerived || _profile is null || !_profile.Contains(ch.Name) || _profile[ch.Name] is not { Kind: not ColumnKind.Categorical, Quantiles.Count: > 0 } column ? double.NaN : column.Quantile(0.5))];

        // Fail now, not at the first applicant, when the model lacks what the method needs.
        var p = model.Features.Features.Count;
        var probe = model.Background is { } b ? [.. b.Means.Select(m => double.IsNaN(m) ? 0 : m)] : new double[p];
        _predictor.ExplainMargin(probe, new double[p], model.Background, options.Method);
    }

    /// <summary>The raw inputs the model needs.</summary>
    public InputSchema Input => _features.Input;

    /// <summary>How contributions are computed.</summary>
    public ContributionMethod Method => _options.Method;

    /// <summary>Creates a reusable input row (one per thread), as <see cref="ICreditScorer.CreateRow"/>.</summary>
    /// <returns>An empty row.</returns>
    public ScoringRow CreateRow() => _scorer.CreateRow();

    /// <summary>Explains one applicant.</summary>
    /// <param name="row">A row from <see cref="CreateRow"/> with every input set.</param>
    /// <returns>The explanation.</returns>
    /// <exception cref="ScoringInputException">As <see cref="ICreditScorer.Score(ScoringRow)"/>: an input was not set, is out of range under <see cref="OutOfRangeHandling.Throw"/>, or the row is another model's.</exception>
    public Explanation Explain(ScoringRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var p = _features.Features.Count;
        var inputs = ArrayPool<double>.Shared.Rent(Input.Count);
        var features = ArrayPool<double>.Shared.Rent(p);
        var working = ArrayPool<double>.Shared.Rent(_features.WorkingWidth);
        var contributions = ArrayPool<double>.Shared.Rent(p);
        try
        {
            var score = _scorer.Score(row, inputs.AsSpan(0, Input.Count));
            _features.TransformRow(inputs.AsSpan(0, Input.Count), row.Aggregates, features.AsSpan(0, p), working.AsSpan(0, _features.WorkingWidth));
            var x = features.AsSpan(0, p);
            var baseValue = _predictor.ExplainMargin(x, contributions.AsSpan(0, p), _model.Background, _options.Method);
            return Build(score, x, working.AsSpan(0, _features.WorkingWidth), contributions.AsSpan(0, p), baseValue, _predictor.PredictMargin(x));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(inputs);
            ArrayPool<double>.Shared.Return(features);
            ArrayPool<double>.Shared.Return(working);
            ArrayPool<double>.Shared.Return(contributions);
        }
    }

    /// <summary>Explains one applicant given as name → value (as <see cref="ICreditScorer.Score(IReadOnlyDictionary{string, object?})"/>).</summary>
    /// <param name="values">The applicant.</param>
    /// <returns>The explanation.</returns>
    /// <exception cref="ScoringInputException">An input is absent or has the wrong type; the message names it.</exception>
    public Explanation Explain(IReadOnlyDictionary<string, object?> values) => Explain(_scorer.RowOf(values));

    /// <summary>Explains every row of a table that holds the model's inputs (other columns are ignored), in row order.</summary>
    /// <param name="data">The applicants.</param>
    /// <returns>One explanation per row; the same on any number of threads.</returns>
    /// <exception cref="ScoringInputException">As <see cref="ICreditScorer.ScoreBatch"/>.</exception>
    public IReadOnlyList<Explanation> ExplainBatch(CreditData data)
    {
        Explanation[] result = [];
        ForEachRow(data, (n, matrix) =>
        {
            var margins = new double[n];
            _predictor.PredictMargins(matrix, margins);
            result = new Explanation[n];
            return (i, score, features, working, contributions, baseValue) => result[i] = Build(score, features, working, contributions, baseValue, margins[i]);
        });
        return result;
    }

    /// <summary>
    /// The score and the top reasons of every row (what <c>score --reasons</c> writes), without the rest of an explanation
    /// (standing, features): the same reasons as <see cref="ExplainBatch"/>, faster.
    /// </summary>
    /// <param name="data">The applicants.</param>
    /// <returns>One entry per row, in row order.</returns>
    /// <exception cref="ScoringInputException">As <see cref="ICreditScorer.ScoreBatch"/>.</exception>
    public IReadOnlyList<ScoredReasons> ReasonsBatch(CreditData data)
    {
        ScoredReasons[] result = [];
        ForEachRow(data, (n, _) =>
        {
            result = new ScoredReasons[n];
            return (i, score, _, working, contributions, _) =>
            {
                Span<double> sums = stackalloc double[_characteristics.Length];
                SumByCharacteristic(contributions, sums);
                result[i] = new ScoredReasons { Score = score, Reasons = Reasons(sums, working) };
            };
        });
        return result;
    }

    /// <summary>
    /// Scores a table, then hands every row its score, features, working frame and contributions (to the handler that
    /// <paramref name="begin"/> returns once it knows the rows and their features): blocks of rows explained together
    /// (the predictor's batch path), over the scorer's threads.
    /// </summary>
    private void ForEachRow(CreditData data, Func<int, FeatureMatrix, RowHandler> begin)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (scores, prefix, matrix) = _scorer.ScoreBatchWithInputs(data);
        var n = scores.Length;
        var p = _features.Features.Count;
        var handle = begin(n, matrix);
        var blocks = (n + BlockRows - 1) / BlockRows;
        var threads = _options.Scoring.MaxDegreeOfParallelism;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => (new double[prefix.Length], new double[p], new double[_features.WorkingWidth], new double[BlockRows * p]), (b, _, buffers) =>
        {
            var (inputs, features, working, contributions) = buffers;
            var from = b * BlockRows;
            var count = Math.Min(BlockRows, n - from);
            var block = contributions.AsSpan(0, count * p);
            var baseValue = _predictor.ExplainMargins(matrix.Slice(from, count), block, _model.Background, _options.Method);
            for (var k = 0; k < count; k++)
            {
                var i = from + k;
                for (var c = 0; c < prefix.Length; c++)
                {
                    inputs[c] = prefix[c][i];
                }

                // The working frame gives the inputs' values; the features shown are the ones explained.
                _features.TransformRow(inputs.AsSpan(0, Input.Count), inputs.AsSpan(Input.Count), features, working);
                matrix.CopyRow(i, features);
                handle(i, scores[i], features, working, block.Slice(k * p, p), baseValue);
            }

            return buffers;
        }, _ => { });
    }

    /// <summary>What <see cref="ForEachRow"/> hands each row.</summary>
    private delegate void RowHandler(int row, CreditScore score, ReadOnlySpan<double> features, ReadOnlySpan<double> working, ReadOnlySpan<double> contributions, double baseValue);

    /// <summary>The contributions summed per characteristic (input or derived).</summary>
    private void SumByCharacteristic(ReadOnlySpan<double> contributions, Span<double> sums)
    {
        sums.Clear();
        for (var f = 0; f < contributions.Length; f++)
        {
            sums[_characteristicOfFeature[f]] += contributions[f];
        }
    }

    /// <summary>The explanation of one scored applicant from its features, working frame and contributions.</summary>
    private Explanation Build(CreditScore score, ReadOnlySpan<double> features, ReadOnlySpan<double> working, ReadOnlySpan<double> contributions, double baseValue, double margin)
    {
        var byFeature = new FeatureContribution[features.Length];
        var sums = new double[_characteristics.Length];
        SumByCharacteristic(contributions, sums);
        for (var f = 0; f < features.Length; f++)
        {
            byFeature[f] = new FeatureContribution { Name = _features.Features[f].Name, Value = features[f], Contribution = contributions[f], Input = _characteristics[_characteristicOfFeature[f]].Name };
        }

        var band = _profile?.BandOf(score.Probability);
        var byInput = new InputContribution[_characteristics.Length];
        for (var c = 0; c < byInput.Length; c++)
        {
            var ch = _characteristics[c];
            var value = working[ch.Column];
            var (text, number) = Shown(ch, value);
            byInput[c] = new InputContribution
            {
                Name = ch.Name,
                IsDerived = ch.IsDerived,
                Sources = ch.Sources,
                Value = text,
                NumericValue = number,
                Contribution = sums[c],
                Population = ch.IsDerived || _profile is null || !_profile.Contains(ch.Name) ? null : Standing(_profile[ch.Name], value),
                AmongSimilar = ch.IsDerived || band?.Find(ch.Name) is not { } similar ? null : Standing(similar, value),
            };
        }

        return new Explanation
        {
            Probability = score.Probability,
            Decision = score.Decision,
            Threshold = _model.Decision.Threshold,
            Warnings = score.Warnings,
            Method = _options.Method,
            BaseValue = baseValue,
            Margin = margin,
            Features = byFeature,
            Inputs = byInput,
            Reasons = Reasons(sums, working),
            SimilarClients = band is null ? null : new SimilarClients { LowScore = band.Low, HighScore = band.High, Rows = band.Rows },
        };
    }

    /// <summary>A value as the applicant gave it: a category's label, a number, or missing.</summary>
    private static (string? Text, double Number) Shown(Characteristic ch, double value)
    {
        if (ch.Categories is { } labels)
        {
            return double.IsNaN(value) ? (null, double.NaN) : value >= 0 && value < labels.Count ? (labels[(int)value], double.NaN) : ("(unknown category)", double.NaN);
        }

        return double.IsNaN(value) ? (null, double.NaN) : (value.ToString("R", CultureInfo.InvariantCulture), value);
    }

    /// <summary>Where a value stands in a profiled group of training applicants.</summary>
    private static PopulationStanding Standing(ProfiledColumn column, double value)
    {
        var missingShare = column.Rows == 0 ? double.NaN : (double)column.Missing / column.Rows;
        if (column.Kind == ColumnKind.Categorical)
        {
            var present = column.Rows - column.Missing;
            var share = double.IsNaN(value) || value < 0 || value >= column.CategoryCounts.Count || present == 0 ? double.NaN : (double)column.CategoryCounts[(int)value] / present;
            return new PopulationStanding { Percentile = double.NaN, Median = double.NaN, Low = double.NaN, High = double.NaN, MissingShare = missingShare, CategoryShare = share };
        }

        var known = column.Quantiles.Count > 0;
        return new PopulationStanding
        {
            Percentile = double.IsNaN(value) || !known ? double.NaN : column.Cdf(value),
            Median = known ? column.Quantile(0.5) : double.NaN,
            Low = known ? column.Quantile(0.1) : double.NaN,
            High = known ? column.Quantile(0.9) : double.NaN,
            MissingShare = missingShare,
            CategoryShare = double.NaN,
        };
    }

    /// <summary>
    /// The top inputs that raised the margin above the base value, strongest first; ties keep input order. Excluded inputs
    /// are never cited.
    /// </summary>
    /// <param name="sums">Each characteristic's contribution.</param>
    /// <param name="working">The applicant's working frame (the characteristics' values).</param>
    private ReasonCode[] Reasons(ReadOnlySpan<double> sums, ReadOnlySpan<double> working)
    {
        var top = Math.Min(_options.TopReasons, sums.Length);
        Span<int> chosen = stackalloc int[top];
        var count = 0;
        for (var c = 0; c < sums.Length; c++)
        {
            if (!(sums[c] > 0) || _excluded[c])
            {
                continue;
            }

            // Insertion into the ranked few: larger first, an equal one after those already in (input order).
            var at = count;
            while (at > 0 && sums[chosen[at - 1]] < sums[c])
            {
                at--;
            }

            if (at >= top)
            {
                continue;
            }

            for (var k = Math.Min(count, top - 1); k > at; k--)
            {
                chosen[k] = chosen[k - 1];
            }

            chosen[at] = c;
            count = Math.Min(count + 1, top);
        }

        var reasons = new ReasonCode[count];
        for (var r = 0; r < count; r++)
        {
            var c = chosen[r];
            var ch = _characteristics[c];
            var (value, number) = Shown(ch, working[ch.Column]);
            var entry = _options.ReasonCodes?.Find(ch.Name);
            reasons[r] = new ReasonCode
            {
                Rank = r + 1,
                Input = ch.Name,
                Code = entry?.Code ?? ch.Name,
                Text = Text(entry, ch.Name, value, number, _medians[c]),
                Contribution = sums[c],
                Value = value,
            };
        }

        return reasons;
    }

    /// <summary>The reason's text: the table's for the value's direction (against the population's median), or a plain default.</summary>
    private static string Text(ReasonCodeEntry? entry, string name, string? value, double number, double median)
    {
        var high = !double.IsNaN(median) && number > median;
        var low = !double.IsNaN(median) && number <= median;
        if (entry is not null)
        {
            return value is null ? entry.TextWhenMissing ?? entry.Text
                : high ? entry.TextWhenHigh ?? entry.Text
                : low ? entry.TextWhenLow ?? entry.Text
                : entry.Text;
        }

        if (value is null)
        {
            return $"No value was given for {name}, which raised the estimated risk.";
        }

        var where = high ? " (higher than most applicants)" : low ? " (lower than most applicants)" : "";
        var shown = double.IsNaN(number) ? value : number.ToString("G6", CultureInfo.InvariantCulture);
        return $"{name} of {shown}{where} raised the estimated risk.";
    }

    /// <summary>The characteristics (inputs, then derived ones) the model's features roll up to.</summary>
    private static (Characteristic[] List, int[] OfFeature) Characteristics(FittedFeatures features)
    {
        var (origin, sources) = features.Origins();
        var used = features.Selection.Select(s => origin[s]).Distinct().Order().ToArray();
        var list = used.Select(o =>
        {
            var isInput = o < features.Input.Count;
            var labels = isInput && features.Input.Columns[o].Kind == ColumnKind.Categorical ? features.Input.Columns[o].Categories : null;
            return new Characteristic(features.WorkingName(o), o, !isInput, sources[o], labels);
        }).ToArray();
        var index = used.Select((o, i) => (o, i)).ToDictionary(t => t.o, t => t.i);
        return (list, [.. features.Selection.Select(s => index[origin[s]])]);
    }

    /// <summary>An input, or a characteristic derived from several: its working column and where it comes from.</summary>
    private sealed record Characteristic(string Name, int Column, bool IsDerived, IReadOnlyList<string> Sources, IReadOnlyList<string>? Categories);
}
