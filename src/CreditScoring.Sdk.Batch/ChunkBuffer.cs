using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.Batch;

/// <summary>
/// One chunk of source rows on its way to the scorer: the rows' ids (exact: 64-bit integers or text, never a double that
/// could merge two ids), each model input as a column, and for each row the first value that could not be read as its
/// input (column and reason), so that the row is rejected by name and never scored from a guess. Reused chunk after chunk.
/// </summary>
internal sealed class ChunkBuffer
{
    private readonly InputColumn[] _inputs;
    private readonly double[][] _numbers;
    private readonly string?[][] _texts;
    private readonly string?[] _rejectColumn;
    private readonly string?[] _rejectReason;

    public ChunkBuffer(IReadOnlyList<InputColumn> inputs, bool integerIds, int capacity)
    {
        _inputs = [.. inputs];
        Capacity = capacity;
        IntegerIds = integerIds;
        LongIds = integerIds ? new long[capacity] : [];
        TextIds = integerIds ? [] : new string[capacity];
        _numbers = new double[_inputs.Length][];
        _texts = new string?[_inputs.Length][];
        for (var j = 0; j < _inputs.Length; j++)
        {
            if (_inputs[j].Kind == ColumnKind.Categorical)
            {
                _texts[j] = new string?[capacity];
            }
            else
            {
                _numbers[j] = new double[capacity];
            }
        }

        _rejectColumn = new string?[capacity];
        _rejectReason = new string?[capacity];
    }

    /// <summary>Rows the buffer holds at most.</summary>
    public int Capacity { get; }

    /// <summary>Rows in the buffer.</summary>
    public int Count { get; private set; }

    /// <summary>Whether ids are 64-bit integers (else text).</summary>
    public bool IntegerIds { get; }

    /// <summary>The ids when <see cref="IntegerIds"/>.</summary>
    public long[] LongIds { get; }

    /// <summary>The ids when not <see cref="IntegerIds"/>.</summary>
    public string[] TextIds { get; }

    /// <summary>The model's inputs, in column order.</summary>
    public IReadOnlyList<InputColumn> Inputs => _inputs;

    /// <summary>Rows rejected in this chunk.</summary>
    public int Rejected { get; private set; }

    /// <summary>Empties the buffer for the next chunk.</summary>
    public void Clear()
    {
        Array.Clear(_rejectColumn, 0, Count);
        Array.Clear(_rejectReason, 0, Count);
        Count = 0;
        Rejected = 0;
    }

    /// <summary>Starts a row with an integer id; returns its index.</summary>
    public int Add(long id)
    {
        LongIds[Count] = id;
        return Count++;
    }

    /// <summary>Starts a row with a text id; returns its index.</summary>
    public int Add(string id)
    {
        if (IntegerIds)
        {
            return Add(long.Parse(id, NumberStyles.Integer, CultureInfo.InvariantCulture));
        }

        TextIds[Count] = id;
        return Count++;
    }

    /// <summary>The id of a row as text.</summary>
    public string IdText(int row) => IntegerIds ? LongIds[row].ToString(CultureInfo.InvariantCulture) : TextIds[row];

    /// <summary>Sets a numeric (or date, as days) input.</summary>
    public void SetNumber(int row, int input, double value)
    {
        switch (_inputs[input].Kind)
        {
            case ColumnKind.Categorical:
                _texts[input][row] = double.IsNaN(value) ? null : value.ToString("R", CultureInfo.InvariantCulture);
                break;
            case ColumnKind.Date when !double.IsNaN(value):
                Reject(row, input, string.Create(CultureInfo.InvariantCulture, $"the number {value} is not a date"));
                break;
            default:
                if (double.IsInfinity(value))
                {
                    Reject(row, input, string.Create(CultureInfo.InvariantCulture, $"{value} is not a finite number"));
                    break;
                }

                _numbers[input][row] = value;
                break;
        }
    }

    /// <summary>Sets a missing value.</summary>
    public void SetMissing(int row, int input)
    {
        if (_inputs[input].Kind == ColumnKind.Categorical)
        {
            _texts[input][row] = null;
        }
        else
        {
            _numbers[input][row] = double.NaN;
        }
    }

    /// <summary>Sets an input from text: a category as is; a number or a date parsed (invariant culture), else the row is rejected.</summary>
    public void SetText(int row, int input, string value)
    {
        switch (_inputs[input].Kind)
        {
            case ColumnKind.Categorical:
                _texts[input][row] = value;
                break;
            case ColumnKind.Numeric:
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                {
                    _numbers[input][row] = number;
                }
                else if (value.Length == 0)
                {
                    _numbers[input][row] = double.NaN;
                }
                else
                {
                    Reject(row, input, $"'{Shorten(value)}' is not a number");
                }

                break;
            default:
                if (DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
                {
                    _numbers[input][row] = DateColumn.ToDays(date);
                }
                else if (value.Length == 0)
                {
                    _numbers[input][row] = double.NaN;
                }
                else
                {
                    Reject(row, input, $"'{Shorten(value)}' is not a date");
                }

                break;
        }
    }

    /// <summary>Sets an input from a date.</summary>
    public void SetDate(int row, int input, DateTime value)
    {
        if (_inputs[input].Kind == ColumnKind.Date)
        {
            _numbers[input][row] = DateColumn.ToDays(value);
        }
        else
        {
            Reject(row, input, $"a date ({value:O}) where a {(_inputs[input].Kind == ColumnKind.Numeric ? "number" : "category")} is expected");
        }
    }

    /// <summary>Sets an input from any value a data source gives (null and <see cref="DBNull"/> missing).</summary>
    public void SetValue(int row, int input, object? value)
    {
        switch (value)
        {
            case null or DBNull:
                SetMissing(row, input);
                break;
            case string s:
                SetText(row, input, s);
                break;
            case double d:
                SetNumber(row, input, d);
                break;
            case float f:
                SetNumber(row, input, f);
                break;
            case long or int or short or byte or sbyte or ushort or uint or ulong or decimal:
                SetNumber(row, input, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case bool b:
                SetNumber(row, input, b ? 1 : 0);
                break;
            case DateTime t:
                SetDate(row, input, t);
                break;
            case DateTimeOffset o:
                SetDate(row, input, o.UtcDateTime);
                break;
            case DateOnly day:
                SetDate(row, input, day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
                break;
            default:
                Reject(row, input, $"a value of type {value.GetType().Name}, which is neither a number, a text nor a date");
                break;
        }
    }

    /// <summary>Rejects a row for one of its inputs (the first reason is kept).</summary>
    public void Reject(int row, int input, string reason) => Reject(row, _inputs[input].Name, reason);

    /// <summary>Rejects a row (the first reason is kept).</summary>
    public void Reject(int row, string? column, string reason)
    {
        if (_rejectReason[row] is not null)
        {
            return;
        }

        _rejectColumn[row] = column;
        _rejectReason[row] = reason;
        Rejected++;
    }

    /// <summary>Whether a row is rejected, and why.</summary>
    public bool IsRejected(int row, out string? column, out string reason)
    {
        column = _rejectColumn[row];
        reason = _rejectReason[row] ?? "";
        return _rejectReason[row] is not null;
    }

    /// <summary>The rows not rejected as a table of the model's inputs, with the index of each table row in the chunk.</summary>
    public (CreditData Data, int[] Rows) ToTable()
    {
        var rows = new int[Count - Rejected];
        for (int i = 0, k = 0; i < Count; i++)
        {
            if (_rejectReason[i] is null)
            {
                rows[k++] = i;
            }
        }

        var columns = new DataColumn[_inputs.Length];
        var all = rows.Length == Count;
        for (var j = 0; j < _inputs.Length; j++)
        {
            var name = _inputs[j].Name;
            switch (_inputs[j].Kind)
            {
                case ColumnKind.Categorical:
                    columns[j] = new CategoricalColumn(name, all ? new ArraySegment<string?>(_texts[j], 0, Count) : Gather(_texts[j], rows));
                    break;
                case ColumnKind.Numeric:
                    columns[j] = new NumericColumn(name, all ? _numbers[j].AsSpan(0, Count) : Gather(_numbers[j], rows));
                    break;
                default:
                    var days = all ? _numbers[j].AsSpan(0, Count).ToArray() : Gather(_numbers[j], rows);
                    columns[j] = new DateColumn(name, Array.ConvertAll(days, d => double.IsNaN(d) ? (DateTime?)null : DateColumn.FromDays(d)));
                    break;
            }
        }

        return (CreditData.FromColumns(columns), rows);
    }

    private static T[] Gather<T>(T[] values, int[] rows)
    {
        var result = new T[rows.Length];
        for (var k = 0; k < rows.Length; k++)
        {
            result[k] = values[rows[k]];
        }

        return result;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
