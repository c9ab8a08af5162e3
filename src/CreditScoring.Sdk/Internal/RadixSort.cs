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

        var keyBuffer = new ulong[n];
        var payloadBuffer = payload is null ? null : new int[n];
        var counts = new int[Buckets];
        ulong varying = 0;
        var first = keys[0];
        foreach (var k in keys)
        {
            varying |= k ^ first;
        }

        var source = keys;
        var sourcePayload = payload;
        var target = keyBuffer;
        var targetPayload = payloadBuffer;
        for (var shift = 0; shift < 64; shift += Bits)
        {
            if (((varying >> shift) & (Buckets - 1)) == 0)
            {
                continue;
            }

            Array.Clear(counts);
            foreach (var k in source)
            {
                counts[(int)((k >> shift) & (Buckets - 1))]++;
            }

            var sum = 0;
            for (var b = 0; b < Buckets; b++)
            {
                var c = counts[b];
                counts[b] = sum;
                sum += c;
            }

            if (sourcePayload is null)
            {
                foreach (var k in source)
                {
                    target[counts[(int)((k >> shift) & (Buckets - 1))]++] = k;
                }
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    var k = source[i];
                    var slot = counts[(int)((k >> shift) & (Buckets - 1))]++;
                    target[slot] = k;
                    targetPayload![slot] = sourcePayload[i];
                }
            }

            (source, target) = (target, source);
            (sourcePayload, targetPayload) = (targetPayload, sourcePayload);
        }

        if (!ReferenceEquals(source, keys))
        {
            source.CopyTo(keys, 0);
            sourcePayload?.CopyTo(payload!, 0);
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
