using System.Buffers;

namespace CreditScoring.Sdk.Internal;

/// <summary>Stable least-significant-digit radix sort of 64-bit keys with an optional int payload.</summary>
internal static class RadixSort
{
    /// <summary>Maps a double to an unsigned key with the same order (−0 and +0 map together).</summary>
    internal static ulong SortableKey(double value)
    {
        if (value == 0)
        {
            value = 0.0;
        }

        var bits = BitConverter.DoubleToUInt64Bits(value);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    /// <summary>The inverse of <see cref="SortableKey"/>.</summary>
    internal static double FromSortableKey(ulong key) =>
        BitConverter.UInt64BitsToDouble((key & 0x8000_0000_0000_0000UL) != 0 ? key & 0x7FFF_FFFF_FFFF_FFFFUL : ~key);

    private const int Bits = 11;
    private const int Buckets = 1 << Bits;

    /// <summary>Sorts the non-missing values ascending (−0 becomes +0), by radix for large inputs.</summary>
    public static void SortInplace(double[] values)
    {
        if (values.Length < 4096)
        {
            Array.Sort(values);
            return;
        }

        var keys = new ulong[values.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = SortableKey(values[i]);
        }

        SortInplace(keys, null);
        for (var i = 0; i < keys.Length; i++)
        {
            values[i] = FromSortableKey(keys[i]);
        }
    }

    public static void SortInplace(ulong[] keys, int[]? payload)
    {
        var n = keys.Length;
        if (n < 2048)
        {
            if (payload is null)
            {
                Array.Sort(keys);
            }
            else
            {
                StableComparisonSort(keys, payload);
            }

            return;
        }

        // Every digit's counts in one read of the keys (not one read per pass), and buffers from the pool: a fresh
        // array per call costs page faults as large as the sort itself.
        const int Passes = (64 + Bits - 1) / Bits;
        var counts = ArrayPool<int>.Shared.Rent(Passes * Buckets);
        var keyBuffer = ArrayPool<ulong>.Shared.Rent(n);
        var payloadBuffer = payload is null ? null : ArrayPool<int>.Shared.Rent(n);
        try
        {
            Array.Clear(counts, 0, Passes * Buckets);
            ulong varying = 0;
            var first = keys[0];
            foreach (var k in keys)
            {
                varying |= k ^ first;
                for (var d = 0; d < Passes; d++)
                {
                    counts[(d * Buckets) + (int)((k >> (d * Bits)) & (Buckets - 1))]++;
                }
            }

            var source = keys.AsSpan();
            var sourcePayload = payload.AsSpan();
            var target = keyBuffer.AsSpan(0, n);
            var targetPayload = payloadBuffer.AsSpan(0, payload is null ? 0 : n);
            var swapped = false;
            for (var d = 0; d < Passes; d++)
            {
                var shift = d * Bits;
                if (((varying >> shift) & (Buckets - 1)) == 0)
                {
                    continue;
                }

                var offsets = counts.AsSpan(d * Buckets, Buckets);
                var sum = 0;
                for (var b = 0; b < Buckets; b++)
                {
                    var c = offsets[b];
                    offsets[b] = sum;
                    sum += c;
                }

                if (payload is null)
                {
                    foreach (var k in source)
                    {
                        target[offsets[(int)((k >> shift) & (Buckets - 1))]++] = k;
                    }
                }
                else
                {
                    for (var i = 0; i < n; i++)
                    {
                        var k = source[i];
                        var slot = offsets[(int)((k >> shift) & (Buckets - 1))]++;
                        target[slot] = k;
                        targetPayload[slot] = sourcePayload[i];
                    }
                }

                var keySpan = source;
                source = target;
                target = keySpan;
                var payloadSpan = sourcePayload;
                sourcePayload = targetPayload;
                targetPayload = payloadSpan;
                swapped = !swapped;
            }

            if (swapped)
            {
                source.CopyTo(keys);
                if (payload is not null)
                {
                    sourcePayload.CopyTo(payload);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
            ArrayPool<ulong>.Shared.Return(keyBuffer);
            if (payloadBuffer is not null)
            {
                ArrayPool<int>.Shared.Return(payloadBuffer);
            }
        }
    }

    /// <summary>Stable sort for small inputs (the radix passes' fixed cost would dominate).</summary>
    private static void StableComparisonSort(ulong[] keys, int[] payload)
    {
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var k = keys;
        Array.Sort(order, (a, b) => k[a] != k[b] ? k[a].CompareTo(k[b]) : a.CompareTo(b));
        var sortedKeys = new ulong[keys.Length];
        var sortedPayload = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            sortedKeys[i] = keys[order[i]];
            sortedPayload[i] = payload[order[i]];
        }

        sortedKeys.CopyTo(keys, 0);
        sortedPayload.CopyTo(payload, 0);
    }
}
