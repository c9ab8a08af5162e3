using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CreditScoring.Sdk.MLNet;

/// <summary>
/// A <see cref="CreditModel"/> as an ML.NET <see cref="ITransformer"/>: in a pipeline, <see cref="Transform"/>, or a
/// <c>PredictionEngine</c>, it scores each row with the model's own scorer (its features, calibration and decision,
/// the same probability bit for bit as <see cref="ICreditScorer.Score(ScoringRow)"/>) and adds six columns:
/// <list type="bullet">
/// <item><c>Score</c> (<see cref="float"/>): the log-odds of the probability, what ML.NET's binary evaluator ranks by.</item>
/// <item><c>Probability</c> (<see cref="float"/>): the probability of default, rounded to a Single for ML.NET's evaluator.</item>
/// <item><c>PredictedLabel</c> (<see cref="bool"/>): true when the model's decision is decline.</item>
/// <item><c>CreditProbability</c> (<see cref="double"/>): the probability exactly.</item>
/// <item><c>Decision</c> (text): <c>approve</c> or <c>decline</c>.</item>
/// <item><c>Warnings</c> (text): what the scorer flagged (<c>OutOfRange</c>, <c>UnknownCategory</c>), empty for none.</item>
/// </list>
/// The model's inputs are read from the columns of the same names: a numeric input from any number column or a
/// Boolean (NaN is missing), a categorical input from text (empty is missing) or a key column with key values
/// (key 0 is missing). A missing input column or one of another type is refused by <see cref="GetOutputSchema"/>,
/// naming it; a value the scorer refuses (an infinity, an unknown category under
/// <see cref="Features.UnknownCategoryHandling.Throw"/>) throws from the row's getter, naming the input.
/// <para>
/// ML.NET's model zip cannot hold it (<c>mlContext.Model.Save</c> throws <see cref="NotSupportedException"/>): save
/// the <see cref="CreditModel"/> with <see cref="CreditModel.Save(string)"/> and wrap it again after loading. Models
/// that aggregate related tables need each applicant's related rows, which a row of a view does not carry; they
/// are refused.
/// </para>
/// </summary>
public sealed class CreditModelTransformer : ITransformer
{
    /// <summary>The name of the log-odds column.</summary>
    public const string ScoreColumn = "Score";

    /// <summary>The name of the Single probability column.</summary>
    public const string ProbabilityColumn = "Probability";

    /// <summary>The name of the decline-as-true column.</summary>
    public const string PredictedLabelColumn = "PredictedLabel";

    /// <summary>The name of the exact (double) probability column.</summary>
    public const string CreditProbabilityColumn = "CreditProbability";

    /// <summary>The name of the decision text column.</summary>
    public const string DecisionColumn = "Decision";

    /// <summary>The name of the warnings text column.</summary>
    public const string WarningsColumn = "Warnings";

    private readonly ICreditScorer _scorer;

    /// <summary>Wraps a model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">The scorer's options (unknown categories, out-of-range inputs); default <see cref="ScorerOptions"/>'s defaults.</param>
    /// <exception cref="NotSupportedException">The model aggregates related tables.</exception>
    public CreditModelTransformer(CreditModel model, ScorerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _scorer = model.CreateScorer(options);
        var related = _scorer.CreateRow().RelatedTables;
        if (related.Count > 0)
        {
            throw new NotSupportedException($"The model aggregates related tables ({string.Join(", ", related)}), whose rows an ML.NET row does not carry; score it with ICreditScorer and ScoringRow.SetRelated.");
        }
    }

    /// <summary>The model.</summary>
    public CreditModel Model { get; }

    /// <summary>Always <see langword="true"/>: each output row depends on its input row only.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema with the six output columns added (see <see cref="CreditModelTransformer"/>).</summary>
    /// <param name="inputSchema">The schema of the view to score.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentException">An input of the model is not a column of the view, or not of a type it can be read from.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var input in Model.Input.Columns)
        {
            InputReader.Check(input, inputSchema);
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(ScoreColumn, NumberDataViewType.Single);
        builder.AddColumn(ProbabilityColumn, NumberDataViewType.Single);
        builder.AddColumn(PredictedLabelColumn, BooleanDataViewType.Instance);
        builder.AddColumn(CreditProbabilityColumn, NumberDataViewType.Double);
        builder.AddColumn(DecisionColumn, TextDataViewType.Instance);
        builder.AddColumn(WarningsColumn, TextDataViewType.Instance);
        return builder.ToSchema();
    }

    /// <summary>Scores a view, lazily: each row is scored when a cursor first reads one of the output columns on it.</summary>
    /// <param name="input">The view.</param>
    /// <returns>The view with the output columns.</returns>
    /// <exception cref="ArgumentException">As for <see cref="GetOutputSchema"/>.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoredView(this, input, GetOutputSchema(input.Schema));
    }

    /// <summary>The row mapper a <c>PredictionEngine</c> uses.</summary>
    /// <param name="inputSchema">The schema of the rows to score.</param>
    /// <returns>The mapper.</returns>
    /// <exception cref="ArgumentException">As for <see cref="GetOutputSchema"/>.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema, GetOutputSchema(inputSchema));

    /// <summary>Not supported: ML.NET's model zip cannot hold a credit model (see <see cref="CreditModelTransformer"/>).</summary>
    /// <param name="ctx">ML.NET's save context.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("A CreditModelTransformer cannot be saved into ML.NET's model zip: save its Model with CreditModel.Save(path) (checksummed, optionally signed) and wrap it again with new CreditModelTransformer(CreditModel.Load(path)).");

    /// <summary>The columns a row needs from its input to fill the requested output columns.</summary>
    private IEnumerable<DataViewSchema.Column> Needed(DataViewSchema inputSchema, IEnumerable<DataViewSchema.Column> requested)
    {
        var list = requested.ToList();
        var needed = list.Where(c => c.Index < inputSchema.Count).Select(c => inputSchema[c.Index]);
        return list.Any(c => c.Index >= inputSchema.Count)
            ? needed.Concat(Model.Input.Columns.Select(i => inputSchema[i.Name])).Distinct()
            : needed;
    }

    /// <summary>Reads one model input from an ML.NET row into a <see cref="ScoringRow"/>.</summary>
    private static class InputReader
    {
        public static void Check(Features.InputColumn input, DataViewSchema schema)
        {
            var column = schema.GetColumnOrNull(input.Name)
                ?? throw new ArgumentException($"The view has no column '{input.Name}', an input of the model ({input}).", nameof(schema));
            var type = column.Type;
            var fits = input.Kind == ColumnKind.Numeric
                ? ViewValues.Number(type) is not null
                : type is TextDataViewType || (type is KeyDataViewType && column.HasKeyValues());
            if (!fits)
            {
                throw new ArgumentException(
                    $"Column '{input.Name}' is {type}, and the model's input {input} takes {(input.Kind == ColumnKind.Numeric ? "a number or Boolean column" : "a text column, or a key column with key values")}.",
                    nameof(schema));
            }
        }

        /// <summary>An action that reads the input's value on the row's current position and sets it on the scoring row.</summary>
        public static Action Bind(int index, Features.InputColumn input, DataViewRow row, ScoringRow target)
        {
            var column = row.Schema[input.Name];
            switch (column.Type)
            {
                case TextDataViewType:
                    var known = input.Categories.ToDictionary(c => c, c => c, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
                    var text = row.GetGetter<ReadOnlyMemory<char>>(column);
                    var value = default(ReadOnlyMemory<char>);
                    return () =>
                    {
                        text(ref value);
                        target.Set(index, value.IsEmpty ? null : known.TryGetValue(value.Span, out var category) ? category : value.ToString());
                    };
                case KeyDataViewType key:
                    var names = ViewValues.KeyNames(column, key);
                    var keyOf = ViewValues.Key(key)(row, column);
                    return () =>
                    {
                        var k = keyOf();
                        target.Set(index, k == 0 ? null : names[k - 1]);
                    };
                default:
                    var number = ViewValues.Number(column.Type)!(row, column);
                    return () => target.Set(index, number());
            }
        }
    }

    /// <summary>The output columns of one input row (a cursor's or a mapper's), scored once per position.</summary>
    private sealed class RowOutputs
    {
        private readonly DataViewRow _input;
        private readonly ICreditScorer _scorer;
        private readonly ScoringRow _row;
        private readonly Action[] _setters;
        private long _scoredPosition = -1;
        private CreditScore _score;

        public RowOutputs(CreditModelTransformer owner, DataViewRow input)
        {
            _input = input;
            _scorer = owner._scorer;
            _row = _scorer.CreateRow();
            var inputs = owner.Model.Input.Columns;
            _setters = [.. inputs.Select((c, i) => InputReader.Bind(i, c, input, _row))];
        }

        public Delegate Getter(int output) => output switch
        {
            0 => (ValueGetter<float>)((ref float v) => v = (float)Math.Log(Current.Probability / (1 - Current.Probability))),
            1 => (ValueGetter<float>)((ref float v) => v = (float)Current.Probability),
            2 => (ValueGetter<bool>)((ref bool v) => v = Current.Decision == CreditDecision.Decline),
            3 => (ValueGetter<double>)((ref double v) => v = Current.Probability),
            4 => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = Current.Decision.ToText().AsMemory()),
            _ => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = (Current.Warnings == ScoreWarnings.None ? "" : Current.Warnings.ToString().Replace(", ", ",", StringComparison.Ordinal)).AsMemory()),
        };

        private CreditScore Current
        {
            get
            {
                var position = _input.Position;
                if (position < 0)
                {
                    throw new InvalidOperationException("The row is not on an input row yet.");
                }

                if (position != _scoredPosition)
                {
                    foreach (var set in _setters)
                    {
                        set();
                    }

                    _score = _scorer.Score(_row);
                    _scoredPosition = position;
                }

                return _score;
            }
        }
    }

    /// <summary>Getters of an output row: the input's own columns pass through, the added ones come from <see cref="RowOutputs"/>.</summary>
    private sealed class OutputRow(CreditModelTransformer owner, DataViewRow input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> active)
    {
        private readonly HashSet<int> _active = [.. active.Select(c => c.Index)];
        private readonly Lazy<RowOutputs> _outputs = new(() => new RowOutputs(owner, input), LazyThreadSafetyMode.None);
        private readonly Dictionary<int, Delegate> _getters = [];

        public DataViewSchema Schema => schema;

        public bool IsActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public ValueGetter<TValue> Getter<TValue>(DataViewSchema.Column column)
        {
            if (!_active.Contains(column.Index))
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not asked for when the row was made.");
            }

            var inputCount = input.Schema.Count;
            if (column.Index < inputCount)
            {
                return input.GetGetter<TValue>(input.Schema[column.Index]);
            }

            if (!_getters.TryGetValue(column.Index, out var getter))
            {
                _getters[column.Index] = getter = _outputs.Value.Getter(column.Index - inputCount);
            }

            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }
    }

    private sealed class ScoredView(CreditModelTransformer owner, IDataView input, DataViewSchema schema) : IDataView
    {
        public DataViewSchema Schema => schema;

        public bool CanShuffle => input.CanShuffle;

        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var needed = columnsNeeded.ToList();
            var cursor = input.GetRowCursor(owner.Needed(input.Schema, needed), rand);
            return new Cursor(cursor, new OutputRow(owner, cursor, schema, needed));
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class Cursor(DataViewRowCursor input, OutputRow row) : DataViewRowCursor
    {
        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override DataViewSchema Schema => row.Schema;

        public override bool MoveNext() => input.MoveNext();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => row.Getter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => row.IsActive(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class Mapper(CreditModelTransformer owner, DataViewSchema inputSchema, DataViewSchema outputSchema) : IRowToRowMapper
    {
        public DataViewSchema InputSchema => inputSchema;

        public DataViewSchema OutputSchema => outputSchema;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) => owner.Needed(inputSchema, dependingColumns);

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(input, new OutputRow(owner, input, outputSchema, activeColumns));
    }

    private sealed class Row(DataViewRow input, OutputRow row) : DataViewRow
    {
        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override DataViewSchema Schema => row.Schema;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => row.Getter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => row.IsActive(column);
    }
}
