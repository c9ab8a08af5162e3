using System.Globalization;
using CreditScoring.Sdk.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CreditScoring.Sdk.MLNet;

/// <summary>
/// Reads an ML.NET <see cref="IDataView"/> into a <see cref="CreditData"/> table in one pass of one cursor. Each
/// visible column becomes a column of the table: numbers (any width, signed or not) and Booleans (1/0) numeric, text
/// categorical (empty text missing), keys categorical with their key values as the categories (key 0 missing; a key
/// column without key values gives the key numbers as text), <see cref="DateTime"/> and <see cref="DateTimeOffset"/>
/// dates. A vector column of known size gives one numeric column per slot, named <c>Column.SlotName</c> (or
/// <c>Column.k</c> without slot names). Any other type (variable-size vectors, time spans...) is refused by name.
/// </summary>
internal static class DataViewReader
{
    public static CreditData Read(IDataView view, Action<DataLoadOptions>? configure)
    {
        var visible = view.Schema.Where(c => !c.IsHidden).ToArray();
        var readers = visible.Select(ColumnReader.For).ToList();

        var capacity = (int)Math.Min(view.GetRowCount() ?? 1024, Array.MaxLength);
        foreach (var reader in readers)
        {
            reader.Reserve(capacity);
        }

        var rows = 0;
        using (var cursor = view.GetRowCursor(visible))
        {
            foreach (var reader in readers)
            {
                reader.Bind(cursor);
            }

            while (cursor.MoveNext())
            {
                foreach (var reader in readers)
                {
                    reader.Read(rows);
                }

                rows++;
            }
        }

        return CreditData.FromColumns(readers.SelectMany(r => r.Columns(rows)), configure);
    }

    /// <summary>Reads one column of the view into growing storage.</summary>
    private abstract class ColumnReader
    {
        protected ColumnReader(DataViewSchema.Column column) => Column = column;

        protected DataViewSchema.Column Column { get; }

        public static ColumnReader For(DataViewSchema.Column column)
        {
            var type = column.Type;
            if (type is VectorDataViewType vector)
            {
                if (!vector.IsKnownSize)
                {
                    throw new ArgumentException($"Column '{column.Name}' is a vector of variable size ({type}); a table needs one column per slot, so give it a known size first.");
                }

                return new VectorReader(column, vector);
            }

            return type switch
            {
                TextDataViewType => new TextReader(column),
                KeyDataViewType key => new KeyReader(column, key),
                DateTimeDataViewType => new DateReader<DateTime>(column, d => d),
                DateTimeOffsetDataViewType => new DateReader<DateTimeOffset>(column, d => d.UtcDateTime),
                _ when ViewValues.Number(type) is { } convert => new NumberReader(column, convert),
                _ => throw new ArgumentException($"Column '{column.Name}' is of type {type}, which a credit table cannot hold (numbers, Booleans, text, keys, dates and vectors of numbers of known size can); drop it from the view first."),
            };
        }

        public abstract void Reserve(int capacity);

        public abstract void Bind(DataViewRowCursor cursor);

        public abstract void Read(int row);

        public abstract IEnumerable<DataColumn> Columns(int rows);

        protected static void Grow<T>(ref T[] storage, int row)
        {
            if (row >= storage.Length)
            {
                Array.Resize(ref storage, (int)Math.Min(Math.Max(16L, 2L * storage.Length), Array.MaxLength));
            }
        }
    }

    /// <summary>A scalar column of numbers or Booleans.</summary>
    private sealed class NumberReader(DataViewSchema.Column column, Func<DataViewRow, DataViewSchema.Column, Func<double>> convert) : ColumnReader(column)
    {
        private double[] _values = [];
        private Func<double>? _get;

        public override void Reserve(int capacity) => _values = new double[capacity];

        public override void Bind(DataViewRowCursor cursor) => _get = convert(cursor, Column);

        public override void Read(int row)
        {
            Grow(ref _values, row);
            _values[row] = _get!();
        }

        public override IEnumerable<DataColumn> Columns(int rows) => [Numeric(Column.Name, _values.AsSpan(0, rows))];
    }

    /// <summary>A text column, dictionary-encoded as it is read (one string per distinct value, not per row).</summary>
    private sealed class TextReader(DataViewSchema.Column column) : ColumnReader(column)
    {
        private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);
        private readonly List<string> _categories = [];
        private int[] _rows = [];
        private ValueGetter<ReadOnlyMemory<char>>? _get;
        private ReadOnlyMemory<char> _value;

        public override void Reserve(int capacity) => _rows = new int[capacity];

        public override void Bind(DataViewRowCursor cursor) => _get = cursor.GetGetter<ReadOnlyMemory<char>>(Column);

        public override void Read(int row)
        {
            Grow(ref _rows, row);
            _get!(ref _value);
            if (_value.IsEmpty)
            {
                _rows[row] = -1;
                return;
            }

            var lookup = _codes.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(_value.Span, out var code))
            {
                code = _categories.Count;
                var text = _value.ToString();
                _codes[text] = code;
                _categories.Add(text);
            }

            _rows[row] = code;
        }

        public override IEnumerable<DataColumn> Columns(int rows) => [new CategoricalColumn(Column.Name, new CodeList(_rows, rows, _categories))];
    }

    /// <summary>A key column: its key values (or the key numbers) as categories.</summary>
    private sealed class KeyReader(DataViewSchema.Column column, KeyDataViewType key) : ColumnReader(column)
    {
        private readonly string[] _names = ViewValues.KeyNames(column, key);
        private readonly Func<DataViewRow, DataViewSchema.Column, Func<ulong>> _bind = ViewValues.Key(key);
        private int[] _rows = [];
        private Func<ulong>? _get;

        public override void Reserve(int capacity) => _rows = new int[capacity];

        public override void Bind(DataViewRowCursor cursor) => _get = _bind(cursor, Column);

        public override void Read(int row)
        {
            Grow(ref _rows, row);
            _rows[row] = (int)_get!() - 1;
        }

        public override IEnumerable<DataColumn> Columns(int rows) => [new CategoricalColumn(Column.Name, new CodeList(_rows, rows, _names))];
    }

    /// <summary>A date column.</summary>
    private sealed class DateReader<T>(DataViewSchema.Column column, Func<T, DateTime> toDate) : ColumnReader(column)
    {
        private DateTime?[] _values = [];
        private ValueGetter<T>? _get;
        private T _value = default!;

        public override void Reserve(int capacity) => _values = new DateTime?[capacity];

        public override void Bind(DataViewRowCursor cursor) => _get = cursor.GetGetter<T>(Column);

        public override void Read(int row)
        {
            Grow(ref _values, row);
            _get!(ref _value);
            _values[row] = toDate(_value);
        }

        public override IEnumerable<DataColumn> Columns(int rows) => [new DateColumn(Column.Name, new ArraySegment<DateTime?>(_values, 0, rows))];
    }

    /// <summary>A vector of numbers of known size: one numeric column per slot.</summary>
    private sealed class VectorReader : ColumnReader
    {
        private readonly VectorDataViewType _type;
        private readonly string[] _names;
        private readonly Func<DataViewRow, Action<int, double[][]>> _bind;
        private double[][] _slots = [];
        private Action<int, double[][]>? _read;

        public VectorReader(DataViewSchema.Column column, VectorDataViewType type)
            : base(column)
        {
            _type = type;
            _names = [.. Enumerable.Range(0, type.Size).Select(k => $"{column.Name}.{k.ToString(CultureInfo.InvariantCulture)}")];
            if (column.HasSlotNames())
            {
                var names = default(VBuffer<ReadOnlyMemory<char>>);
                column.GetSlotNames(ref names);
                var dense = names.DenseValues().ToArray();
                for (var k = 0; k < Math.Min(type.Size, dense.Length); k++)
                {
                    if (!dense[k].IsEmpty)
                    {
                        _names[k] = $"{column.Name}.{dense[k]}";
                    }
                }
            }

            _bind = type.ItemType == NumberDataViewType.Single ? Of<float>(v => v)
                : type.ItemType == NumberDataViewType.Double ? Of<double>(v => v)
                : type.ItemType == NumberDataViewType.Int32 ? Of<int>(v => v)
                : type.ItemType == NumberDataViewType.Int64 ? Of<long>(v => v)
                : type.ItemType is BooleanDataViewType ? Of<bool>(v => v ? 1 : 0)
                : throw new ArgumentException($"Column '{column.Name}' is a vector of {type.ItemType}; a credit table takes vectors of Single, Double, Int32, Int64 or Boolean.");
        }

        public override void Reserve(int capacity) => _slots = [.. Enumerable.Range(0, _type.Size).Select(_ => new double[capacity])];

        public override void Bind(DataViewRowCursor cursor) => _read = _bind(cursor);

        public override void Read(int row)
        {
            for (var k = 0; k < _slots.Length; k++)
            {
                Grow(ref _slots[k], row);
            }

            _read!(row, _slots);
        }

        public override IEnumerable<DataColumn> Columns(int rows) => _slots.Select((values, k) => Numeric(_names[k], values.AsSpan(0, rows)));

        /// <summary>Reads a row's vector, dense or sparse (the slots it leaves out are 0, as ML.NET defines them).</summary>
        private Func<DataViewRow, Action<int, double[][]>> Of<T>(Func<T, double> toDouble) => row =>
        {
            var getter = row.GetGetter<VBuffer<T>>(Column);
            var buffer = default(VBuffer<T>);
            return (r, slots) =>
            {
                getter(ref buffer);
                if (buffer.IsDense)
                {
                    var values = buffer.GetValues();
                    for (var k = 0; k < values.Length; k++)
                    {
                        slots[k][r] = toDouble(values[k]);
                    }

                    return;
                }

                for (var k = 0; k < slots.Length; k++)
                {
                    slots[k][r] = 0;
                }

                var indices = buffer.GetIndices();
                var present = buffer.GetValues();
                for (var j = 0; j < indices.Length; j++)
                {
                    slots[indices[j]][r] = toDouble(present[j]);
                }
            };
        };
    }

    private static NumericColumn Numeric(string name, ReadOnlySpan<double> values)
    {
        try
        {
            return new NumericColumn(name, values);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The view's {e.Message}", e);
        }
    }

    /// <summary>A column's values as text, from codes into a category list, without a string per row.</summary>
    private sealed class CodeList(int[] codes, int count, IReadOnlyList<string> categories) : IReadOnlyList<string?>
    {
        public string? this[int index] => codes[index] < 0 ? null : categories[codes[index]];

        public int Count => count;

        public IEnumerator<string?> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
