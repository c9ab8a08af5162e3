using CreditScoring.Sdk.Data;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>
/// Branch-free scoring of the trees of an ensemble that have at most <see cref="MaxLeaves"/> leaves and only
/// continuous splits, after QuickScorer (C. Lucchese, F. M. Nardini, S. Orlando, R. Perego, N. Tonellotto and
/// R. Venturini, "QuickScorer: a fast algorithm to rank documents with additive ensembles of regression trees",
/// SIGIR 2015), with every node of a tree tested at once in one AVX-512 register instead of feature by feature.
/// <para>
/// A row is first turned into bins: for each feature the model splits on, the number of distinct thresholds of
/// that feature strictly below the value. A node with the k-th threshold then sends the row right exactly when
/// the bin exceeds k, which is the tree's own <c>x ≤ t</c> test, so the leaf reached is the same leaf, bit for
/// bit. A missing value bins to 65,535 for nodes whose missing values go right and to 0 for nodes whose missing
/// values go left: each (feature, missing direction) pair is one entry of the row's bin table.
/// </para>
/// <para>
/// Trees are taken 32 at a time, one per 16-bit lane. Node slot by node slot, one permute gathers the 32 trees'
/// bins from the row's table and one compare gives the trees whose node sends the row right; such a node rules
/// out the leaves of its left subtree (leaves numbered left to right). The leaf reached is the leftmost leaf no
/// node rules out (QuickScorer's theorem), found for all 32 trees with one count of leading zeros. No branch
/// depends on the data, so nothing is mispredicted.
/// </para>
/// Trees this cannot take (categorical splits, more than 32 leaves, NaN thresholds) are left to the caller's
/// node walk; <see cref="Segments"/> says which.
/// </summary>
internal sealed class BitVectorForest
{
    /// <summary>The most leaves a compiled tree may have (one bit each in a 32-bit mask).</summary>
    public const int MaxLeaves = 32;

    /// <summary>Trees per group: one 16-bit lane each in a 512-bit register.</summary>
    public const int GroupSize = 32;

    private const int Slots = MaxLeaves - 1;
    private const ushort MissingRight = ushort.MaxValue;
    private const ushort MissingLeft = 0;
    private const int MaxThresholds = ushort.MaxValue - 1;
    private const int MaxBlockRows = 64;

    private readonly BinnedFeature[] _binned;
    private readonly Segment[] _segments;
    private readonly ushort[] _entry;
    private readonly ushort[] _threshold;
    private readonly uint[] _leftLeaves;
    private readonly double[] _leafValue;

    private BitVectorForest(BinnedFeature[] binned, int tableWidth, Segment[] segments, ushort[] entry, ushort[] threshold, uint[] leftLeaves, double[] leafValue)
    {
        _binned = binned;
        TableWidth = tableWidth;
        _segments = segments;
        _entry = entry;
        _threshold = threshold;
        _leftLeaves = leftLeaves;
        _leafValue = leafValue;
        CompiledCount = segments.Where(s => s.Group >= 0).Sum(s => s.TreeCount);
    }

    /// <summary>Whether this machine runs the compiled trees (AVX-512BW and AVX-512CD).</summary>
    public static bool IsSupported => Avx512BW.IsSupported && Avx512CD.IsSupported;

    /// <summary>The number of entries of a row's bin table: 32, 64, or a multiple of 64 for models that read more (feature, missing direction) pairs.</summary>
    public int TableWidth { get; }

    /// <summary>The number of trees compiled.</summary>
    public int CompiledCount { get; }

    /// <summary>The trees in boosting order, as runs of compiled trees (<see cref="Segment.Group"/> ≥ 0) and single walked trees.</summary>
    public ReadOnlySpan<Segment> Segments => _segments;

    /// <summary>Compiles the trees it can, or returns <see langword="null"/> when the machine lacks AVX-512 or no tree qualifies.</summary>
    public static BitVectorForest? TryCreate(IReadOnlyList<RegressionTree> trees)
    {
        if (!IsSupported)
        {
            return null;
        }

        var compiled = new bool[trees.Count];
        var thresholds = new Dictionary<int, SortedSet<double>>();
        for (var t = 0; t < trees.Count; t++)
        {
            compiled[t] = Qualifies(trees[t]);
            for (var i = 0; compiled[t] && i < trees[t].NodeCount; i++)
            {
                var f = trees[t].SplitFeature[i];
                if (!thresholds.TryGetValue(f, out var set))
                {
                    thresholds[f] = set = [];
                }

                set.Add(trees[t].Threshold[i]);
            }
        }

        // A feature with more distinct thresholds than a 16-bit bin can count leaves its trees to the walk.
        foreach (var (f, _) in thresholds.Where(p => p.Value.Count > MaxThresholds).ToList())
        {
            thresholds.Remove(f);
            for (var t = 0; t < trees.Count; t++)
            {
                compiled[t] &= !trees[t].SplitFeature.Take(trees[t].NodeCount).Contains(f);
            }
        }

        if (!compiled.Any(c => c))
        {
            return null;
        }

        // Table entries: one per (feature, missing direction) pair a compiled node reads.
        var entries = new Dictionary<(int Feature, bool DefaultLeft), int>();
        for (var t = 0; t < trees.Count; t++)
        {
            for (var i = 0; compiled[t] && i < trees[t].NodeCount; i++)
            {
                var key = (trees[t].SplitFeature[i], trees[t].DefaultLeft[i]);
                if (!entries.ContainsKey(key))
                {
                    entries[key] = entries.Count;
                }
            }
        }

        var binned = thresholds.OrderBy(p => p.Key).Select(p => new BinnedFeature(
            p.Key,
            [.. p.Value],
            entries.TryGetValue((p.Key, false), out var right) ? right : -1,
            entries.TryGetValue((p.Key, true), out var left) ? left : -1)).ToArray();
        var index = binned.ToDictionary(b => b.Feature);

        // Runs of consecutive compiled trees, cut into groups of 32; the other trees stand alone.
        var segments = new List<Segment>();
        var groups = 0;
        for (var t = 0; t < trees.Count;)
        {
            if (!compiled[t])
            {
                segments.Add(new Segment(t++, 1, -1, 0));
                continue;
            }

            var first = t;
            var slots = 0;
            while (t < trees.Count && compiled[t] && t - first < GroupSize)
            {
                slots = Math.Max(slots, trees[t++].NodeCount);
            }

            segments.Add(new Segment(first, t - first, groups++, slots));
        }

        var entry = new ushort[groups * Slots * GroupSize];
        var threshold = new ushort[groups * Slots * GroupSize];
        var leftLeaves = new uint[groups * Slots * GroupSize];
        var leafValue = new double[groups * GroupSize * MaxLeaves];
        Array.Fill(threshold, ushort.MaxValue);
        foreach (var segment in segments.Where(s => s.Group >= 0))
        {
            for (var lane = 0; lane < segment.TreeCount; lane++)
            {
                var tree = trees[segment.FirstTree + lane];
                var leafBase = ((segment.Group * GroupSize) + lane) * MaxLeaves;
                if (tree.NodeCount == 0)
                {
                    leafValue[leafBase] = tree.LeafValue[0];
                    continue;
                }

                // Leaves numbered left to right; a node rules out the leaves of its left subtree when it sends a row right.
                var next = 0;
                void Visit(int child)
                {
                    if (child < 0)
                    {
                        leafValue[leafBase + next++] = tree.LeafValue[~child];
                        return;
                    }

                    var firstLeaf = next;
                    Visit(tree.LeftChild[child]);
                    var mid = next;
                    Visit(tree.RightChild[child]);
                    var at = (((segment.Group * Slots) + child) * GroupSize) + lane;
                    var f = tree.SplitFeature[child];
                    entry[at] = (ushort)entries[(f, tree.DefaultLeft[child])];
                    threshold[at] = (ushort)Array.BinarySearch(index[f].Thresholds, tree.Threshold[child]);
                    leftLeaves[at] = (uint)(((1UL << mid) - 1) & ~((1UL << firstLeaf) - 1));
                }

                Visit(0);
            }
        }

        // 32 entries fit one register and 64 two; wider tables are read 64 entries at a time.
        var block = entries.Count <= GroupSize ? GroupSize : 2 * GroupSize;
        var width = (entries.Count + block - 1) / block * block;
        return new BitVectorForest(binned, width, [.. segments], entry, threshold, leftLeaves, leafValue);
    }

    /// <summary>Writes a row's bin table (<see cref="TableWidth"/> entries) from its feature values.</summary>
    public void Bin(ReadOnlySpan<double> features, Span<ushort> table)
    {
        foreach (var b in _binned)
        {
            b.Write(features[b.Feature], table);
        }
    }

    /// <summary>Writes the bin tables of rows <paramref name="start"/>.. of column-major features, one table per <see cref="TableWidth"/> entries.</summary>
    public void Bin(IReadOnlyList<double[]> columns, int start, int count, Span<ushort> tables)
    {
        var width = TableWidth;
        foreach (var b in _binned)
        {
            var column = columns[b.Feature];
            for (var r = 0; r < count; r++)
            {
                b.Write(column[start + r], tables.Slice(r * width, width));
            }
        }
    }

    /// <summary>Adds the leaf values of a compiled segment's trees, in tree order, to a row's margin.</summary>
    public double Add(in Segment segment, ReadOnlySpan<ushort> table, double margin) => TableWidth switch
    {
        GroupSize => Add<OneRegister>(segment, table, margin),
        2 * GroupSize => Add<TwoRegisters>(segment, table, margin),
        _ => Add<Wide>(segment, table, margin),
    };

    /// <summary>Adds the leaf values of a compiled segment's trees, in tree order, to each row's margin (bin tables one after another).</summary>
    public void Add(in Segment segment, ReadOnlySpan<ushort> tables, Span<double> margins)
    {
        switch (TableWidth)
        {
            case GroupSize:
                Add<OneRegister>(segment, tables, margins);
                break;
            case 2 * GroupSize:
                Add<TwoRegisters>(segment, tables, margins);
                break;
            default:
                Add<Wide>(segment, tables, margins);
                break;
        }
    }

    /// <summary>The rows' leaves first, then the sums tree by tree across rows: each row's sum is a chain of dependent additions, and rows side by side overlap them.</summary>
    private void Add<TTable>(in Segment segment, ReadOnlySpan<ushort> tables, Span<double> margins)
        where TTable : struct, ITable
    {
        var width = TableWidth;
        Span<int> leaves = stackalloc int[MaxBlockRows * GroupSize];
        for (var start = 0; start < margins.Length; start += MaxBlockRows)
        {
            var block = margins.Slice(start, Math.Min(MaxBlockRows, margins.Length - start));
            for (var r = 0; r < block.Length; r++)
            {
                FindLeaves<TTable>(segment, tables.Slice((start + r) * width, width), leaves.Slice(r * GroupSize, GroupSize));
            }

            ref var values = ref MemoryMarshal.GetArrayDataReference(_leafValue);
            for (var k = 0; k < segment.TreeCount; k++)
            {
                for (var r = 0; r < block.Length; r++)
                {
                    block[r] += Unsafe.Add(ref values, leaves[(r * GroupSize) + k]);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Add<TTable>(in Segment segment, ReadOnlySpan<ushort> table, double margin)
        where TTable : struct, ITable
    {
        var leaves = default(LeafIndices);
        FindLeaves<TTable>(segment, table, leaves);
        ref var values = ref MemoryMarshal.GetArrayDataReference(_leafValue);
        for (var k = 0; k < segment.TreeCount; k++)
        {
            margin += Unsafe.Add(ref values, leaves[k]);
        }

        return margin;
    }

    /// <summary>
    /// Writes, per tree of the group, the index in the leaf-value array of the leaf the row reaches: node slot by
    /// node slot, the 32 trees' bins are gathered with one permute and compared at once, and the leaves each
    /// right-going node rules out are or-ed into the tree's lane; the leaf reached is the lowest bit left clear.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FindLeaves<TTable>(in Segment segment, ReadOnlySpan<ushort> table, Span<int> leaves)
        where TTable : struct, ITable
    {
        ref var t = ref MemoryMarshal.GetReference(table);
        var low = Vector512.LoadUnsafe(ref t);
        var high = TableWidth > GroupSize ? Vector512.LoadUnsafe(ref t, GroupSize) : low;
        var o = (nuint)(segment.Group * Slots * GroupSize);
        ref var entry = ref MemoryMarshal.GetArrayDataReference(_entry);
        ref var threshold = ref MemoryMarshal.GetArrayDataReference(_threshold);
        ref var masks = ref MemoryMarshal.GetArrayDataReference(_leftLeaves);
        var ruledOutLow = Vector512<uint>.Zero;
        var ruledOutHigh = Vector512<uint>.Zero;
        for (var j = 0; j < segment.Slots; j++, o += GroupSize)
        {
            var bins = TTable.Gather(low, high, table, Vector512.LoadUnsafe(ref entry, o));
            var right = Vector512.GreaterThan(bins, Vector512.LoadUnsafe(ref threshold, o)).AsInt16();
            ruledOutLow |= Vector512.WidenLower(right).AsUInt32() & Vector512.LoadUnsafe(ref masks, o);
            ruledOutHigh |= Vector512.WidenUpper(right).AsUInt32() & Vector512.LoadUnsafe(ref masks, o + 16);
        }

        // The lowest clear bit: 31 − lzcnt(x & −x) for x = ~ruledOut (never 0: the leaf reached is never ruled out).
        var lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) * MaxLeaves;
        var baseIndex = Vector512.Create(segment.Group * GroupSize * MaxLeaves) + lane + Vector512.Create(31);
        (baseIndex - LeadingZeros(~ruledOutLow)).StoreUnsafe(ref MemoryMarshal.GetReference(leaves));
        (baseIndex + Vector512.Create(16 * MaxLeaves) - LeadingZeros(~ruledOutHigh)).StoreUnsafe(ref MemoryMarshal.GetReference(leaves), 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> LeadingZeros(Vector512<uint> x) => Avx512CD.LeadingZeroCount(x & (Vector512<uint>.Zero - x)).AsInt32();

    /// <summary>How the 32 lanes' bins are read from a row's table: the width is fixed per model, so each loop is compiled for one.</summary>
    private interface ITable
    {
        static abstract Vector512<ushort> Gather(Vector512<ushort> low, Vector512<ushort> high, ReadOnlySpan<ushort> table, Vector512<ushort> entry);
    }

    /// <summary>A table of at most 32 entries: one permute.</summary>
    private struct OneRegister : ITable
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<ushort> Gather(Vector512<ushort> low, Vector512<ushort> high, ReadOnlySpan<ushort> table, Vector512<ushort> entry) => Avx512BW.PermuteVar32x16(low, entry);
    }

    /// <summary>A table of at most 64 entries: one two-register permute.</summary>
    private struct TwoRegisters : ITable
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<ushort> Gather(Vector512<ushort> low, Vector512<ushort> high, ReadOnlySpan<ushort> table, Vector512<ushort> entry) => Avx512BW.PermuteVar32x16x2(low, entry, high);
    }

    /// <summary>A wider table: one two-register permute per 64 entries, each lane kept from the permute that covers its entry.</summary>
    private struct Wide : ITable
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<ushort> Gather(Vector512<ushort> low, Vector512<ushort> high, ReadOnlySpan<ushort> table, Vector512<ushort> entry)
        {
            ref var t = ref MemoryMarshal.GetReference(table);
            var bins = Avx512BW.PermuteVar32x16x2(low, entry, high);
            var block = Vector512.ShiftRightLogical(entry, 6);
            for (var k = 1; k < table.Length / (2 * GroupSize); k++)
            {
                var o = (nuint)(k * 2 * GroupSize);
                var part = Avx512BW.PermuteVar32x16x2(Vector512.LoadUnsafe(ref t, o), entry, Vector512.LoadUnsafe(ref t, o + GroupSize));
                bins = Vector512.ConditionalSelect(Vector512.Equals(block, Vector512.Create((ushort)k)), part, bins);
            }

            return bins;
        }
    }

    private static bool Qualifies(RegressionTree tree)
    {
        if (tree.LeafCount > MaxLeaves)
        {
            return false;
        }

        for (var i = 0; i < tree.NodeCount; i++)
        {
            if (tree.CategorySet[i] is not null || double.IsNaN(tree.Threshold[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A run of trees in boosting order: compiled group <see cref="Group"/> of up to 32 trees using
    /// <see cref="Slots"/> node slots, or (<see cref="Group"/> −1) one tree the caller walks.
    /// </summary>
    /// <param name="FirstTree">The first tree of the run.</param>
    /// <param name="TreeCount">The number of trees.</param>
    /// <param name="Group">The compiled group, or −1.</param>
    /// <param name="Slots">The most internal nodes of a tree of the group.</param>
    internal readonly record struct Segment(int FirstTree, int TreeCount, int Group, int Slots);

    [InlineArray(GroupSize)]
    private struct LeafIndices
    {
        private int _leaf;
    }

    /// <summary>A feature's sorted distinct thresholds and the table entries its bin goes to.</summary>
    private sealed record BinnedFeature(int Feature, double[] Thresholds, int RightEntry, int LeftEntry)
    {
        /// <summary>Writes the number of thresholds below <paramref name="x"/> (or the missing bins) to the feature's entries.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write(double x, Span<ushort> table)
        {
            ushort right, left;
            if (double.IsNaN(x))
            {
                right = MissingRight;
                left = MissingLeft;
            }
            else
            {
                right = left = (ushort)SampleStatistics.CountBelow(Thresholds, x);
            }

            if (RightEntry >= 0)
            {
                table[RightEntry] = right;
            }

            if (LeftEntry >= 0)
            {
                table[LeftEntry] = left;
            }
        }
    }
}
