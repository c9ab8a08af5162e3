using System.Buffers;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners;

namespace CreditScoring.Sdk.Scoring;

/// <summary>
/// Scores applicants with a <see cref="CreditModel"/>: probability of default and decision.
/// Thread-safe: one instance serves every thread (register it as a singleton).
/// </summary>
public interface ICreditScorer
{
    /// <summary>The raw inputs the model needs.</summary>
    InputSchema Input { get; }

    /// <summary>The decision rule.</summary>
    DecisionPolicy Decision { get; }

    /// <summary>Creates a reusable input row for this scorer (one per thread).</summary>
    /// <returns>An empty row.</returns>
    ScoringRow CreateRow();

    /// <summary>Scores one applicant without allocating.</summary>
    /// <param name="row">A row from <see cref="CreateRow"/> with every input set.</param>
    /// <returns>The score.</returns>
    /// <exception cref="ScoringInputException">An input was not set, or the row belongs to another scorer.</exception>
    CreditScore Score(ScoringRow row);

    /// <summary>
    /// Scores one applicant given as name → value: numbers (any numeric type or a JSON number) for numeric
    /// inputs, strings (or JSON strings; numbers are taken as their invariant text) for categorical inputs,
    /// <see langword="null"/> (or JSON null) for missing. Keys that are not inputs are ignored.
    /// </summary>
    /// <param name="values">The applicant.</param>
    /// <returns>The score.</returns>
    /// <exception cref="ScoringInputException">An input is absent or has the wrong type; the message names it.</exception>
    CreditScore Score(IReadOnlyDictionary<string, object?> values);

    /// <summary>Scores every row of a table that holds the model's input columns (other columns are ignored).</summary>
    /// <param name="data">The applicants.</param>
    /// <returns>One score per row, in row order.</returns>
    /// <exception cref="ScoringInputException">An input column is absent or has the wrong kind.</exception>
    IReadOnlyList<CreditScore> ScoreBatch(CreditData data);

    /// <summary>Writes the probability of default of every row of a table.</summary>
    /// <param name="data">The applicants.</param>
    /// <param name="probabilities">Receives <see cref="CreditData.RowCount"/> probabilities.</param>
    /// <exception cref="ScoringInputException">An input column is absent or has the wrong kind.</exception>
    void PredictProbabilities(CreditData data, Span<double> probabilities);
}

/// <summary>The scorer of a model: immutable, so safe on any number of threads.</summary>
internal sealed class CreditScorer : ICreditScorer
{
    private readonly FittedFeatures _features;
    private readonly ICreditPredictor _predictor;
    private readonly CreditModel _model;
    private readonly UnknownCategoryHandling _unknown;
    private readonly int _featureCount;
    private readonly int _threads;
    private readonly InvalidProbabilityHandling _invalid;
    private readonly OutOfRangeHandling _outOfRange;
    private readonly InputRanges? _ranges;
    private readonly int[] _categorical;

    /// <summary>Rows per parallel block of a batch.</summary>
    private const int BlockRows = 16_384;

    public CreditScorer(CreditModel model, ScorerOptions options)
    {
        if (options.MaxDegreeOfParallelism == 0 || options.MaxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDegreeOfParallelism, "ScorerOptions.MaxDegreeOfParallelism must be -1 (all processors) or a positive thread count.");
        }

        if (!(options.OutOfRangeTolerance >= 0) || double.IsInfinity(options.OutOfRangeTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.OutOfRangeTolerance, "ScorerOptions.OutOfRangeTolerance must be a finite number >= 0 (a share of the training range's width).");
        }

        _threads = options.MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : options.MaxDegreeOfParallelism;
        _outOfRange = options.OutOfRange;
        _ranges = options.OutOfRange == OutOfRangeHandling.Ignore ? null : InputRanges.Of(model, options.OutOfRangeTolerance);
        _categorical = [.. Enumerable.Range(0, model.Input.Count).Where(j => model.Input.Columns[j].Kind == ColumnKind.Categorical)];
        _features = model.Features;
        _predictor = model.Predictor;
        _model = model;
        _unknown = options.UnknownCategory;
        _invalid = options.InvalidProbability;
        _featureCount = model.Features.Features.Count;
        Decision = model.Decision;
    }

    public InputSchema Input => _features.Input;

    public DecisionPolicy Decision { get; }

    public ScoringRow CreateRow() => new(_features, _unknown);

    public CreditScore Score(ScoringRow row) => Score(row, default);

    /// <summary>
    /// Scores one row as <see cref="Score(ScoringRow)"/> does (the same checks and messages) and, when the span is not
    /// empty, hands the explainer the raw inputs that were scored (after any clipping).
    /// </summary>
    internal CreditScore Score(ScoringRow row, Span<double> scoredInputs)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!ReferenceEquals(row.Schema, _features.Input))
        {
            throw new ScoringInputException(null, "The row was created by a scorer of another model; create rows with this scorer's CreateRow().");
        }

        row.EnsureComplete();
        ReadOnlySpan<double> raw = row.Values;
        var warnings = UnknownCategories(raw);
        double[]? rented = null;
        double[]? rentedRaw = null;
        var features = _featureCount <= 256 ? stackalloc double[256] : (rented = ArrayPool<double>.Shared.Rent(_featureCount));
        try
        {
            if (_ranges?.FirstOutside(raw) is >= 0 and var outside)
            {
                if (_outOfRange == OutOfRangeHandling.Throw)
                {
                    throw _ranges.Error(outside, raw[outside], null);
                }

                warnings |= ScoreWarnings.OutOfRange;
                if (_outOfRange == OutOfRangeHandling.Clip)
                {
                    rentedRaw = ArrayPool<double>.Shared.Rent(raw.Length);
                    var clipped = rentedRaw.AsSpan(0, raw.Length);
                    raw.CopyTo(clipped);
                    _ranges.Clip(clipped);
                    raw = clipped;
                }
            }

            features = features[.._featureCount];
            _features.TransformRow(raw, row.Aggregates, features);
            if (!scoredInputs.IsEmpty)
            {
                raw.CopyTo(scoredInputs);
            }

            return Decided(_model.Probability(_predictor.PredictMargin(features)), null, warnings);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }

            if (rentedRaw is not null)
            {
                ArrayPool<double>.Shared.Return(rentedRaw);
            }
        }
    }

    public CreditScore Score(IReadOnlyDictionary<string, object?> values) => Score(RowOf(values));

    /// <summary>A row holding an applicant given as name → value (see <see cref="Score(IReadOnlyDictionary{string, object?})"/>).</summary>
    internal ScoringRow RowOf(IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var row = CreateRow();
        for (var j = 0; j < Input.Count; j++)
        {
            var input = Input.Columns[j];
            if (!values.TryGetValue(input.Name, out var value))
            {
                throw new ScoringInputException(input.Name, $"The applicant has no value for input '{input}'; pass null for a missing value.");
            }

            SetValue(row, j, input, value);
        }

        foreach (var table in row.RelatedTables)
        {
            if (!values.TryGetValue(table, out var related))
            {
                throw new ScoringInputException(table, $"The model aggregates related table '{table}'; give the applicant's rows under the key '{table}' as a list of objects (an empty list when there are none).");
            }

            row.SetRelated(table, RelatedRows(table, related));
        }

        return row;
    }

    public IReadOnlyList<CreditScore> ScoreBatch(CreditData data) => ScoreBatchWithInputs(data).Scores;

    /// <summary>
    /// As <see cref="ScoreBatch"/>, and returns what was scored (for the explainer): the working frame's prefix (raw inputs
    /// after any clipping, then the aggregates), column by column, and the features the predictor read.
    /// </summary>
    internal (CreditScore[] Scores, double[][] Prefix, FeatureMatrix Features) ScoreBatchWithInputs(CreditData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var probabilities = new double[data.RowCount];
        var warnings = new ScoreWarnings[data.RowCount];
        var (features, prefix) = Predict(data, probabilities, warnings);
        var scores = new CreditScore[probabilities.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = Decided(probabilities[i], i, warnings[i]);
        }

        return (scores, prefix, features);
    }

    public void PredictProbabilities(CreditData data, Span<double> probabilities) => Predict(data, probabilities, default);

    /// <summary>As <see cref="PredictProbabilities"/>, and returns the features the predictor scored (for the training profile and background).</summary>
    internal FeatureMatrix PredictProbabilitiesAndFeatures(CreditData data, Span<double> probabilities) => Predict(data, probabilities, default).Features;

    /// <summary>Scores a table: out-of-range inputs checked (and clipped), warnings marked per row when <paramref name="warnings"/> is given.</summary>
    private (FeatureMatrix Features, double[][] Prefix) Predict(CreditData data, Span<double> probabilities, Span<ScoreWarnings> warnings)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (probabilities.Length < data.RowCount)
        {
            throw new ArgumentException($"The output holds {probabilities.Length} values for {data.RowCount} rows.", nameof(probabilities));
        }

        var raw = InputBinder.Bind(_features.Input, data, _unknown);
        _ranges?.Apply(raw, _outOfRange, warnings);
        if (!warnings.IsEmpty && _unknown == UnknownCategoryHandling.Ignore)
        {
            foreach (var j in _categorical)
            {
                var column = raw[j];
                for (var i = 0; i < column.Length; i++)
                {
                    if (column[i] < 0)
                    {
                        warnings[i] |= ScoreWarnings.UnknownCategory;
                    }
                }
            }
        }

        var prefix = _features.Prefix(data, raw);
        var matrix = _features.Transform(prefix, data.RowCount);
        var margins = probabilities[..data.RowCount];
        var blocks = (matrix.RowCount + BlockRows - 1) / BlockRows;
        if (_threads == 1 || blocks < 2)
        {
            _predictor.PredictMargins(matrix, margins);
        }
        else
        {
            // A row's margin never depends on the rows scored with it, so blocks give the same bits.
            var result = new double[matrix.RowCount];
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, b =>
            {
                var start = b * BlockRows;
                var count = Math.Min(BlockRows, matrix.RowCount - start);
                _predictor.PredictMargins(matrix.Slice(start, count), result.AsSpan(start, count));
            });
            result.CopyTo(margins);
        }

        for (var i = 0; i < margins.Length; i++)
        {
            var p = _model.Probability(margins[i]);
            margins[i] = IsValid(p) ? p : Invalid(p, i).Probability;
        }

        return (matrix, prefix);
    }

    private static bool IsValid(double probability) => probability is >= 0 and <= 1;

    /// <summary>The score of a probability: the policy's decision, or what <see cref="Invalid"/> says for an invalid one; with the input's warnings.</summary>
    private CreditScore Decided(double probability, int? row, ScoreWarnings warnings)
    {
        var score = IsValid(probability) ? new CreditScore(probability, Decision.Decide(probability)) : Invalid(probability, row);
        return warnings == ScoreWarnings.None ? score : score with { Warnings = score.Warnings | warnings };
    }

    /// <summary>Categories not seen in training: code −1 with <see cref="UnknownCategoryHandling.Ignore"/> (the other handlings leave none).</summary>
    private ScoreWarnings UnknownCategories(ReadOnlySpan<double> raw)
    {
        foreach (var j in _categorical)
        {
            if (raw[j] < 0)
            {
                return ScoreWarnings.UnknownCategory;
            }
        }

        return ScoreWarnings.None;
    }

    /// <summary>An applicant the model gave no valid probability: an exception, or a flagged decline with probability NaN.</summary>
    private CreditScore Invalid(double probability, int? row) => _invalid == InvalidProbabilityHandling.Decline
        ? new CreditScore(double.NaN, CreditDecision.Decline) { Warnings = ScoreWarnings.InvalidProbability }
        : throw new ScoringInputException(null, string.Create(CultureInfo.InvariantCulture,
            $"The model gave no valid probability ({probability}) for {(row is { } r ? $"row {r}" : "this applicant")}, so nothing was decided. Inputs this extreme overflow the model; check them, or set ScorerOptions.InvalidProbability = Decline to decline such applicants."));

    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> RelatedRows(string table, object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Array } json => json.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object
            ? (IReadOnlyDictionary<string, object?>)e.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value, StringComparer.Ordinal)
            : throw new ScoringInputException(table, $"Related table '{table}': every row must be a JSON object, not {e.ValueKind.ToString().ToLowerInvariant()}.")).ToArray(),
        IEnumerable<IReadOnlyDictionary<string, object?>> rows => rows.ToArray(),
        _ => throw new ScoringInputException(table, $"Related table '{table}' must be given as a list of objects (column -> value), not {value?.GetType().Name ?? "null"}."),
    };

    private static void SetValue(ScoringRow row, int index, InputColumn input, object? value)
    {
        switch (value)
        {
            case null:
                row.SetMissing(input.Name);
                return;
            case JsonElement json:
                SetJson(row, index, input, json);
                return;
            case string s when input.Kind == ColumnKind.Categorical:
                row.Set(index, s);
                return;
            case byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal:
                var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (input.Kind == ColumnKind.Numeric)
                {
                    row.Set(index, number);
                }
                else
                {
                    row.Set(index, number.ToString("R", CultureInfo.InvariantCulture));
                }

                return;
            default:
                throw WrongType(input, value.GetType().Name, InvariantText.Format(value));
        }
    }

    private static void SetJson(ScoringRow row, int index, InputColumn input, JsonElement json)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                row.SetMissing(input.Name);
                return;
            case JsonValueKind.Number when input.Kind == ColumnKind.Numeric:
                row.Set(index, json.GetDouble());
                return;
            case JsonValueKind.Number:
                row.Set(index, json.GetDouble().ToString("R", CultureInfo.InvariantCulture));
                return;
            case JsonValueKind.String when input.Kind == ColumnKind.Categorical:
                row.Set(index, json.GetString());
                return;
            default:
                throw WrongType(input, "JSON " + json.ValueKind.ToString().ToLowerInvariant(), json.GetRawText());
        }
    }

    private static ScoringInputException WrongType(InputColumn input, string type, string shown) =>
        new(input.Name, $"Input '{input.Name}' expects {(input.Kind == ColumnKind.Numeric ? "a number" : "a category (text)")} or null, but got {type} {shown}.");
}
