using CreditScoring.Sdk.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CreditScoring.Sdk.MLNet;

/// <summary>How a <see cref="CreditData"/> table's categorical columns appear in an ML.NET <see cref="IDataView"/>.</summary>
public enum CategoryEncoding
{
    /// <summary>As text (<see cref="TextDataViewType"/>); a missing value is empty text. What ML.NET's <c>OneHotEncoding</c> and <c>MapValueToKey</c> take.</summary>
    Text,

    /// <summary>As keys (<see cref="KeyDataViewType"/> over <see cref="uint"/>, one key per category in the table's sorted order, key 0 for missing), with the categories as the column's key values.</summary>
    Key,
}

/// <summary>How a <see cref="CreditData"/> table's numbers appear in an ML.NET <see cref="IDataView"/>.</summary>
public enum NumberEncoding
{
    /// <summary>As <see cref="double"/>, exactly as the table holds them (NaN for missing).</summary>
    DoublePrecision,

    /// <summary>As <see cref="float"/>, rounded to nearest: what ML.NET's trainers take for features and example weights.</summary>
    SinglePrecision,
}

/// <summary>How <see cref="CreditDataViews.ToDataView"/> maps a table's columns to an ML.NET schema.</summary>
public sealed class CreditDataViewOptions
{
    /// <summary>Categorical columns as text or as keys. Default <see cref="CategoryEncoding.Text"/>.</summary>
    public CategoryEncoding Categories { get; set; } = CategoryEncoding.Text;

    /// <summary>Numeric columns (features, id, weight) as <see cref="double"/> or <see cref="float"/>. Default <see cref="NumberEncoding.DoublePrecision"/>.</summary>
    public NumberEncoding Numbers { get; set; } = NumberEncoding.DoublePrecision;
}

/// <summary>
/// A <see cref="CreditData"/> table seen as an ML.NET <see cref="IDataView"/>, without a copy: every getter reads the
/// table's own column storage. Columns keep their names and order. Numbers are <see cref="double"/> (or
/// <see cref="float"/>), categories text or keys (see <see cref="CreditDataViewOptions"/>), dates
/// <see cref="DateTime"/> (UTC), and the target a <see cref="bool"/> (true = default). The view can be shuffled
/// (the table is random access) and is safe to read from several cursors at once.
/// </summary>
internal sealed class CreditDataView : IDataView
{
    /// <summary>The annotation kind ML.NET reads a key column's values from.</summary>
    private const string KeyValuesKind = "KeyValues";

    private readonly CreditData _data;
    private readonly NumberEncoding _numbers;
    private readonly CategoryEncoding _categories;

    public CreditDataView(CreditData data, CreditDataViewOptions options)
    {
        // The options as they are now: the schema and every cursor's getters must agree, whatever the caller changes later.
        (_data, _numbers, _categories) = (data, options.Numbers, options.Categories);
        var builder = new DataViewSchema.Builder();
        for (var i = 0; i < data.Columns.Count; i++)
        {
            var column = data.Columns[i];
            var role = data.Schema[i].Role;
            switch (column)
            {
                case NumericColumn when role == ColumnRole.Target:
                    builder.AddColumn(column.Name, BooleanDataViewType.Instance);
                    break;
                case NumericColumn numeric when _numbers == NumberEncoding.SinglePrecision:
                    var values = numeric.Values;
                    for (var r = 0; r < values.Length; r++)
                    {
                        if (Math.Abs(values[r]) > float.MaxValue)
                        {
                            throw new ArgumentException($"Column '{column.Name}', row {r}: {values[r].ToString(System.Globalization.CultureInfo.InvariantCulture)} is beyond the range of a Single and would become an infinity; keep the numbers as doubles (NumberEncoding.DoublePrecision) or rescale the column.", nameof(data));
                        }
                    }

                    builder.AddColumn(column.Name, NumberDataViewType.Single);
                    break;
                case NumericColumn:
                    builder.AddColumn(column.Name, NumberDataViewType.Double);
                    break;
                case CategoricalColumn categorical when _categories == CategoryEncoding.Key:
                    // A key type needs at least one key: a column with no category (all missing) gets one empty key value.
                    ReadOnlyMemory<char>[] names = [.. categorical.Categories.Select(c => c.AsMemory()).DefaultIfEmpty(ReadOnlyMemory<char>.Empty)];
                    var annotations = new DataViewSchema.Annotations.Builder();
                    annotations.Add(KeyValuesKind, new VectorDataViewType(TextDataViewType.Instance, names.Length), (ref VBuffer<ReadOnlyMemory<char>> values) =>
                        values = new VBuffer<ReadOnlyMemory<char>>(names.Length, names));
                    builder.AddColumn(column.Name, new KeyDataViewType(typeof(uint), names.Length), annotations.ToAnnotations());
                    break;
                case CategoricalColumn:
                    builder.AddColumn(column.Name, TextDataViewType.Instance);
                    break;
                case DateColumn date:
                    var missing = date.CountMissing();
                    if (missing > 0)
                    {
                        throw new ArgumentException($"Column '{date.Name}' has {missing} missing dates, and ML.NET's DateTime has no missing value; fill or drop them, or turn the column into numbers (days since 1970) before making the view.", nameof(data));
                    }

                    builder.AddColumn(column.Name, DateTimeDataViewType.Instance);
                    break;
                default:
                    throw new ArgumentException($"Column '{column.Name}' is of a kind ({column.Kind}) the view cannot show.", nameof(data));
            }
        }

        Schema = builder.ToSchema();
    }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public bool CanShuffle => true;

    /// <inheritdoc />
    public long? GetRowCount() => _data.RowCount;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        int[]? order = null;
        if (rand is not null)
        {
            order = [.. Enumerable.Range(0, _data.RowCount)];
            rand.Shuffle(order);
        }

        return new Cursor(this, [.. columnsNeeded.Select(c => c.Index)], order);
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly CreditDataView _view;
        private readonly bool[] _active;
        private readonly Delegate?[] _getters;
        private readonly int[]? _order;
        private long _position = -1;
        private int _row = -1;

        public Cursor(CreditDataView view, int[] active, int[]? order)
        {
            _view = view;
            _order = order;
            _active = new bool[view.Schema.Count];
            _getters = new Delegate?[view.Schema.Count];
            foreach (var i in active)
            {
                _active[i] = true;
                _getters[i] = Getter(i);
            }
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _view.Schema;

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._data.RowCount)
            {
                _row = -1;
                return false;
            }

            _position++;
            _row = _order is null ? (int)_position : _order[_position];
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not asked for when the cursor was made.");
            }

            return _getters[column.Index] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)Row, 0);

        private int Row => _row >= 0 ? _row : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first, and only while it returns true.");

        private Delegate Getter(int index)
        {
            var data = _view._data;
            var column = data.Columns[index];
            switch (column)
            {
                case NumericColumn target when data.Schema[index].Role == ColumnRole.Target:
                    return (ValueGetter<bool>)((ref bool value) => value = target[Row] == 1);
                case NumericColumn numeric when _view._numbers == NumberEncoding.SinglePrecision:
                    return (ValueGetter<float>)((ref float value) => value = (float)numeric[Row]);
                case NumericColumn numeric:
                    return (ValueGetter<double>)((ref double value) => value = numeric[Row]);
                case CategoricalColumn categorical when _view._categories == CategoryEncoding.Key:
                    return (ValueGetter<uint>)((ref uint value) => value = (uint)(categorical.Codes[Row] + 1));
                case CategoricalColumn categorical:
                    return (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = categorical[Row].AsMemory());
                default:
                    var date = (DateColumn)column;
                    return (ValueGetter<DateTime>)((ref DateTime value) => value = date[Row]!.Value);
            }
        }
    }
}
