using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CreditScoring.Sdk.MLNet;

/// <summary>Reads ML.NET row values as a table holds them: numbers as doubles, keys as numbers with their names.</summary>
internal static class ViewValues
{
    /// <summary>A reader of a column's value as a double, for every number type ML.NET has and Booleans (1/0); null for other types.</summary>
    public static Func<DataViewRow, DataViewSchema.Column, Func<double>>? Number(DataViewType type) => type switch
    {
        BooleanDataViewType => Of<bool, double>(b => b ? 1 : 0),
        _ when type == NumberDataViewType.Double => Of<double, double>(v => v),
        _ when type == NumberDataViewType.Single => Of<float, double>(v => v),
        _ when type == NumberDataViewType.SByte => Of<sbyte, double>(v => v),
        _ when type == NumberDataViewType.Byte => Of<byte, double>(v => v),
        _ when type == NumberDataViewType.Int16 => Of<short, double>(v => v),
        _ when type == NumberDataViewType.UInt16 => Of<ushort, double>(v => v),
        _ when type == NumberDataViewType.Int32 => Of<int, double>(v => v),
        _ when type == NumberDataViewType.UInt32 => Of<uint, double>(v => v),
        _ when type == NumberDataViewType.Int64 => Of<long, double>(v => v),
        _ when type == NumberDataViewType.UInt64 => Of<ulong, double>(v => v),
        _ => null,
    };

    /// <summary>A reader of a key column's value (0 = missing, k = the k-th key value).</summary>
    public static Func<DataViewRow, DataViewSchema.Column, Func<ulong>> Key(KeyDataViewType key) =>
        key.RawType == typeof(uint) ? Of<uint, ulong>(v => v)
        : key.RawType == typeof(ulong) ? Of<ulong, ulong>(v => v)
        : key.RawType == typeof(ushort) ? Of<ushort, ulong>(v => v)
        : Of<byte, ulong>(v => v);

    /// <summary>The names of a key column's keys 1..count: its key values as text, or the key numbers without them.</summary>
    public static string[] KeyNames(DataViewSchema.Column column, KeyDataViewType key)
    {
        var count = checked((int)key.Count);
        var names = Enumerable.Range(1, count).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (column.HasKeyValues())
        {
            var values = default(VBuffer<ReadOnlyMemory<char>>);
            column.GetKeyValues(ref values);
            var dense = values.DenseValues().ToArray();
            for (var k = 0; k < Math.Min(count, dense.Length); k++)
            {
                names[k] = dense[k].ToString();
            }
        }

        return names;
    }

    private static Func<DataViewRow, DataViewSchema.Column, Func<TOut>> Of<T, TOut>(Func<T, TOut> convert) => (row, column) =>
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return convert(value);
        };
    };
}
