using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>The settings a tree is grown with (validated options, resolved to indices).</summary>
internal sealed record TreeSettings(
    int NumberOfLeaves,
    int MaximumDepth,
    int MinimumCount,
    double MinimumHessian,
    double L1,
    double L2,
    double MinimumGain,
    double LearningRate,
    int[] Monotone,
    int MaximumCategoriesLeft,
    int MaximumOneVsRest,
    double CategoricalSmoothing,
    double CategoricalL2,
    int MinimumCountPerCategory);

/// <summary>A 256-bit set of bins: the left side of a categorical split.</summary>
[InlineArray(4)]
internal struct BinSet
{
    private ulong _word;

    public readonly bool Contains(int bin) => (this[bin >> 6] & (1UL << (bin & 63))) != 0;

    public void Add(int bin) => this[bin >> 6] |= 1UL << (bin & 63);
}

/// <summary>The best split found for a leaf (Gain = −∞ when there is none).</summary>
internal struct SplitCandidate
{
    public int Feature;
    public double Gain;
    public int ThresholdBin;
    public bool DefaultLeft;
    public bool Categorical;
    public BinSet LeftBins;
    public double LeftG, LeftH, LeftC, RightG, RightH, RightC;
    public double LeftOutput, RightOutput;

    public static SplitCandidate None => new() { Feature = -1, Gain = double.NegativeInfinity };
}

/// <summary>
/// Grows one histogram tree leaf-wise (LightGBM's strategy): the leaf with the largest gain is split
/// next; the smaller child's histogram is built from its rows and the larger child's is the parent's
/// minus it. Histograms are built feature by feature, in parallel over groups of features; the same
/// parallel step subtracts the larger child's histogram and searches both children's splits for its
/// features, and every reduction runs in a fixed order, so the tree never depends on the thread count.
/// All buffers and loop bodies are allocated once per fit.
/// </summary>
internal sealed class TreeGrower
{

    private readonly FeatureBinning _binning;
    private readonly byte[][] _bins;
    private readonly TreeSettings _s;
    private readonly WorkTeam _team;

    private readonly double[][] _hist;
    private readonly int[] _rows;
    private readonly int[] _scratchRows;
    private readonly SplitCandidate[][] _perFeature;
    private readonly int[][] _catOrder;
    private readonly double[][] _catKey;

    private readonly int[] _leafBegin;
    private readonly int[] _leafCount;
    private readonly int[] _leafDepth;
    private readonly int[] _leafParent;
    private readonly double[] _leafG;
    private readonly double[] _leafH;
    private readonly double[] _leafMin;
    private readonly double[] _leafMax;
    private readonly double[] _leafOutput;
    private readonly SplitCandidate[] _best;

    /// <summary>Rows per block of a parallel partition (larger leaves are partitioned by the team).</summary>
    private const int PartitionBlock = 4_096;

    /// <summary>Positions of the leaf-ordered row list per chunk of a training-margin update.</summary>
    private const int MarginChunk = 16_384;

    /// <summary>Doubles per histogram bin: gradient, hessian, count and one unused, so that a bin is one 256-bit add.</summary>
    private const int Stride = 4;

    private readonly int[] _skipBin;

    /// <summary>Per team member, the left totals of <see cref="FindNumericUnconstrained"/>.</summary>
    private readonly double[]?[] _scanScratch;

    /// <summary>The rows of one pass in the table of <see cref="LeftTotals"/>: at most 255 value bins, and a row to spare.</summary>
    private const int ScanHalf = 256;
    private readonly byte[] _goesLeft = new byte[256];
    private readonly int[] _scratchRows2;
    private readonly int[] _blockLeft;
    private readonly int[] _blockLeftOffset;
    private readonly int[] _groupFeatures;
    private readonly int[] _groupStart;

    private bool[] _usable = [];
    private int _groupCount;
    private int _usableCount;

    // The current parallel step's inputs (the bodies below are allocated once and read these).
    private readonly Action<int> _groupStep;
    private readonly Action<int> _partitionStep;
    private readonly Action<int> _gatherStep;
    private readonly Action<int> _marginStep;
    private double[] _margins = [];
    private int _grownRows;
    private double[] _gradients = [];
    private double[] _hessians = [];
    private int _smallLeaf;
    private int _largeLeaf;
    private readonly LeafScan[] _scans = new LeafScan[2];
    private readonly bool[] _search = new bool[2];
    private int _partitionBegin;
    private int _partitionCount;
    private int _partitionLeft;
    private byte[] _partitionColumn = [];

    public TreeGrower(FeatureBinning binning, byte[][] bins, int rowCapacity, TreeSettings settings, WorkTeam team)
    {
        _binning = binning;
        _bins = bins;
        _s = settings;
        _team = team;
        _scanScratch = new double[team.Size][];
        _groupStep = GroupStep;
        _partitionStep = PartitionStep;
        _gatherStep = GatherStep;
        _marginStep = MarginStep;
        var leaves = settings.NumberOfLeaves;
        _hist = new double[leaves][];
        for (var i = 0; i < leaves; i++)
        {
            _hist[i] = new double[binning.TotalBins * Stride];
        }

        _rows = new int[rowCapacity];
        _scratchRows = new int[rowCapacity];
        _scratchRows2 = new int[rowCapacity];
        _blockLeft = new int[(rowCapacity / PartitionBlock) + 2];
        _blockLeftOffset = new int[(rowCapacity / PartitionBlock) + 2];
        _perFeature = [new SplitCandidate[binning.FeatureCount], new SplitCandidate[binning.FeatureCount]];
        _catOrder = new int[binning.FeatureCount][];
        _catKey = new double[binning.FeatureCount][];
        for (var j = 0; j < binning.FeatureCount; j++)
        {
            if (binning.IsCategorical[j])
            {
                _catOrder[j] = new int[binning.BinCount[j]];
                _catKey[j] = new double[binning.BinCount[j]];
            }
        }

        _groupFeatures = new int[binning.FeatureCount];
        _groupStart = new int[binning.FeatureCount + 1];

        // LightGBM's most-frequent-bin trick: a bin that holds most rows is not accumulated; its
        // entry is the leaf's total minus the other bins. This saves work and, above all, the chain of
        // dependent additions into one slot that a dominant bin (e.g. "0 days past due") causes.
        _skipBin = new int[binning.FeatureCount];
        for (var j = 0; j < binning.FeatureCount; j++)
        {
            var counts = new int[binning.BinCount[j]];
            foreach (var b in bins[j])
            {
                counts[b]++;
            }

            var top = 0;
            for (var b = 1; b < counts.Length; b++)
            {
                if (counts[b] > counts[top])
                {
                    top = b;
                }
            }

            _skipBin[j] = counts[top] >= 0.7 * bins[j].Length ? top : -1;
        }

        _leafBegin = new int[leaves];
        _leafCount = new int[leaves];
        _leafDepth = new int[leaves];
        _leafParent = new int[leaves];
        _leafG = new double[leaves];
        _leafH = new double[leaves];
        _leafMin = new double[leaves];
        _leafMax = new double[leaves];
        _leafOutput = new double[leaves];
        _best = new SplitCandidate[leaves];

        Splits = new SplitCandidate[leaves - 1];
        Left = new int[leaves - 1];
        Right = new int[leaves - 1];
        NodeCover = new double[leaves - 1];
        LeafValue = new double[leaves];
        LeafCover = new double[leaves];
    }

    // The grown tree, in bin space (valid until the next Grow).
    public int LeafCount { get; private set; }

    /// <summary>Per internal node, the split it made (feature, bin threshold or set, missing direction, gain).</summary>
    public SplitCandidate[] Splits { get; }

    public int[] Left { get; }

    public int[] Right { get; }

    public double[] NodeCover { get; }

    public double[] LeafValue { get; }

    public double[] LeafCover { get; }

    /// <summary>The leaf of the grown tree a binned row falls in (for rows the tree was not grown on).</summary>
    public int LeafOf(byte[][] bins, int row)
    {
        var node = 0;
        while (node >= 0)
        {
            ref readonly var split = ref Splits[node];
            node = GoesLeft(in split, bins[split.Feature][row]) ? Left[node] : Right[node];
        }

        return ~node;
    }

    /// <summary>
    /// Adds each grown leaf's value to <paramref name="margins"/> of the rows the tree was grown on (each row
    /// is in one leaf, so one addition per row), in fixed chunks of the leaf-ordered row list shared by the team.
    /// </summary>
    public void AddLeafValues(double[] margins)
    {
        _margins = margins;
        _team.For((_grownRows + MarginChunk - 1) / MarginChunk, _marginStep);
        _margins = [];
    }

    private void MarginStep(int chunk)
    {
        int from = chunk * MarginChunk, to = from + MarginChunk;
        for (var l = 0; l < LeafCount; l++)
        {
            int begin = Math.Max(_leafBegin[l], from), end = Math.Min(_leafBegin[l] + _leafCount[l], to);
            var v = LeafValue[l];
            for (var k = begin; k < end; k++)
            {
                _margins[_rows[k]] += v;
            }
        }
    }

    /// <summary>Grows a tree on the rows <paramref name="bag"/> (ascending) with gradients and hessians indexed by row.</summary>
    public void Grow(double[] gradients, double[] hessians, ReadOnlySpan<int> bag, bool[] usableFeatures)
    {
        _usable = usableFeatures;
        _gradients = gradients;
        _hessians = hessians;
        PlanGroups();
        bag.CopyTo(_rows);
        _grownRows = bag.Length;
        _leafBegin[0] = 0;
        _leafCount[0] = bag.Length;
        _leafDepth[0] = 0;
        _leafParent[0] = -1;
        _leafMin[0] = double.NegativeInfinity;
        _leafMax[0] = double.PositiveInfinity;
        double g = 0, h = 0;
        foreach (var r in bag)
        {
            g += gradients[r];
            h += hessians[r];
        }

        _leafG[0] = g;
        _leafH[0] = h;
        _leafOutput[0] = LeafOutput(g, h, _s.L2, double.NegativeInfinity, double.PositiveInfinity);
        LeafCount = 1;
        BuildAndSearch(small: 0, large: -1, searchSmall: true, searchLarge: false);
        _best[0] = BestOf(0);

        while (LeafCount < _s.NumberOfLeaves)
        {
            var leaf = -1;
            var bestGain = 0.0;
            for (var l = 0; l < LeafCount; l++)
            {
                if (_best[l].Feature >= 0 && _best[l].Gain > bestGain)
                {
                    leaf = l;
                    bestGain = _best[l].Gain;
                }
            }

            if (leaf < 0)
            {
                break;
            }

            Split(leaf);
        }

        for (var l = 0; l < LeafCount; l++)
        {
            LeafValue[l] = _s.LearningRate * _leafOutput[l];
            LeafCover[l] = _leafH[l];
        }
    }

    private void Split(int leaf)
    {
        var split = _best[leaf];
        var node = LeafCount - 1;
        var right = LeafCount;
        LeafCount++;

        Splits[node] = split;
        NodeCover[node] = _leafH[leaf];
        Left[node] = ~leaf;
        Right[node] = ~right;
        var parent = _leafParent[leaf];
        if (parent >= 0)
        {
            if (Left[parent] == ~leaf)
            {
                Left[parent] = node;
            }
            else
            {
                Right[parent] = node;
            }
        }

        // Stable partition: the left rows stay in front, in order; the right rows follow, in order.
        var begin = _leafBegin[leaf];
        var count = _leafCount[leaf];
        var goesLeft = _goesLeft;
        for (var b = 0; b < _binning.BinCount[split.Feature]; b++)
        {
            goesLeft[b] = GoesLeft(in split, (byte)b) ? (byte)1 : (byte)0;
        }

        var leftCount = Partition(begin, count, _bins[split.Feature]);
        var rightCount = count - leftCount;

        var depth = _leafDepth[leaf] + 1;
        _leafBegin[right] = begin + leftCount;
        _leafCount[right] = rightCount;
        _leafCount[leaf] = leftCount;
        _leafDepth[leaf] = depth;
        _leafDepth[right] = depth;
        _leafParent[leaf] = node;
        _leafParent[right] = node;
        _leafG[leaf] = split.LeftG;
        _leafH[leaf] = split.LeftH;
        _leafG[right] = split.RightG;
        _leafH[right] = split.RightH;
        _leafOutput[leaf] = split.LeftOutput;
        _leafOutput[right] = split.RightOutput;

        double min = _leafMin[leaf], max = _leafMax[leaf];
        _leafMin[right] = min;
        _leafMax[right] = max;
        var monotone = _s.Monotone[split.Feature];
        if (monotone != 0)
        {
            var mid = (split.LeftOutput + split.RightOutput) / 2;
            if (monotone > 0)
            {
                _leafMax[leaf] = Math.Min(max, mid);
                _leafMin[right] = Math.Max(min, mid);
            }
            else
            {
                _leafMin[leaf] = Math.Max(min, mid);
                _leafMax[right] = Math.Min(max, mid);
            }
        }

        var leftCanSplit = CanSplit(leaf);
        var rightCanSplit = CanSplit(right);
        if (!leftCanSplit && !rightCanSplit)
        {
            _best[leaf] = SplitCandidate.None;
            _best[right] = SplitCandidate.None;
            return;
        }

        // The parent's histogram is in _hist[leaf]; the smaller child's is built into the free buffer
        // and the parent's becomes the larger child's by subtraction.
        int small = right, large = leaf;
        if (rightCount > leftCount)
        {
            (small, large) = (leaf, right);
            (_hist[leaf], _hist[right]) = (_hist[right], _hist[leaf]);
        }

        bool searchSmall = small == leaf ? leftCanSplit : rightCanSplit, searchLarge = large == leaf ? leftCanSplit : rightCanSplit;
        BuildAndSearch(small, large, searchSmall, searchLarge);
        _best[small] = searchSmall ? BestOf(0) : SplitCandidate.None;
        _best[large] = searchLarge ? BestOf(1) : SplitCandidate.None;
    }

    /// <summary>
    /// Partitions rows[begin, begin+count) by <see cref="_goesLeft"/> of their bin; returns the left count.
    /// Large leaves are cut into fixed blocks partitioned in parallel into the scratch array and then
    /// gathered, which gives exactly the sequential stable order.
    /// </summary>
    private int Partition(int begin, int count, byte[] column)
    {
        var blocks = (count + PartitionBlock - 1) / PartitionBlock;
        if (_team.Size == 1 || blocks < 2)
        {
            return PartitionBlockInto(begin, count, column, _rows, begin, _scratchRows, 0);
        }

        _partitionBegin = begin;
        _partitionCount = count;
        _partitionColumn = column;
        _team.For(blocks, _partitionStep);
        var leftTotal = 0;
        for (var b = 0; b < blocks; b++)
        {
            _blockLeftOffset[b] = leftTotal;
            leftTotal += _blockLeft[b];
        }

        _partitionLeft = leftTotal;
        _team.For(blocks, _gatherStep);
        return leftTotal;
    }

    /// <summary>Partitions one block of the leaf into the scratch array (left rows at the block's start).</summary>
    private void PartitionStep(int block)
    {
        var start = block * PartitionBlock;
        var length = Math.Min(PartitionBlock, _partitionCount - start);
        _blockLeft[block] = PartitionBlockInto(_partitionBegin + start, length, _partitionColumn, _scratchRows, start, _scratchRows2, start);
    }

    /// <summary>Copies one partitioned block's left and right rows to their places in the leaf's range.</summary>
    private void GatherStep(int block)
    {
        var start = block * PartitionBlock;
        var length = Math.Min(PartitionBlock, _partitionCount - start);
        var left = _blockLeft[block];
        var begin = _partitionBegin;
        _scratchRows.AsSpan(start, left).CopyTo(_rows.AsSpan(begin + _blockLeftOffset[block], left));
        var rightOffset = _partitionLeft + (start - _blockLeftOffset[block]);
        _scratchRows.AsSpan(start + left, length - left).CopyTo(_rows.AsSpan(begin + rightOffset, length - left));
    }

    /// <summary>Stable, branch-free partition of rows[from, from+length) into target[at..] (left rows, then right rows); returns the left count.</summary>
    private int PartitionBlockInto(int from, int length, byte[] column, int[] target, int at, int[] spill, int spillAt)
    {
        var source = _rows.AsSpan(from, length);
        var left = target.AsSpan(at, length);
        var right = spill.AsSpan(spillAt, length);
        var goesLeft = _goesLeft;
        int leftCount = 0, rightCount = 0;
        for (var k = 0; k < source.Length; k++)
        {
            var r = source[k];
            int l = goesLeft[column[r]];
            left[leftCount] = r;
            right[rightCount] = r;
            leftCount += l;
            rightCount += 1 - l;
        }

        right[..rightCount].CopyTo(left[leftCount..]);
        return leftCount;
    }

    private bool CanSplit(int leaf) =>
        _leafCount[leaf] >= 2 * _s.MinimumCount
        && _leafH[leaf] >= 2 * _s.MinimumHessian
        && (_s.MaximumDepth == 0 || _leafDepth[leaf] < _s.MaximumDepth);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool GoesLeft(in SplitCandidate split, byte bin) =>
        split.Categorical ? split.LeftBins.Contains(bin) : bin == 0 ? split.DefaultLeft : bin <= split.ThresholdBin;

    /// <summary>
    /// Splits the tree's usable features into groups of up to five that share one pass over a leaf's rows
    /// (one read of row index, gradient and hessian per row): as few groups as possible, a multiple of
    /// the thread count, sizes within one. Each feature's histogram is still accumulated in row order,
    /// so grouping and threading never change a bit.
    /// </summary>
    private void PlanGroups()
    {
        var members = 0;
        for (var j = 0; j < _binning.FeatureCount; j++)
        {
            if (_usable[j])
            {
                _groupFeatures[members++] = j;
            }
        }

        var threads = _team.Size;
        var wanted = (members + 4) / 5;
        if (threads > 1 && members >= threads)
        {
            wanted = (wanted + threads - 1) / threads * threads;
        }

        wanted = Math.Clamp(wanted, Math.Min(1, members), members);
        for (var g = 0; g < wanted; g++)
        {
            _groupStart[g] = (int)((long)g * members / wanted);
        }

        _groupStart[wanted] = members;
        _groupCount = wanted;
        _usableCount = members;
    }

    /// <summary>
    /// Builds the histogram of leaf <paramref name="small"/> from its rows, turns the parent's histogram in
    /// <paramref name="large"/>'s buffer into that leaf's by subtraction (none when −1), and searches the
    /// requested leaves' best split per feature into <see cref="_perFeature"/> (0: small, 1: large): one
    /// parallel step over the feature groups.
    /// </summary>
    private void BuildAndSearch(int small, int large, bool searchSmall, bool searchLarge)
    {
        _smallLeaf = small;
        _largeLeaf = large;
        _search[0] = searchSmall;
        _search[1] = searchLarge;
        if (searchSmall)
        {
            _scans[0] = ScanOf(small);
        }

        if (searchLarge)
        {
            _scans[1] = ScanOf(large);
        }

        // Even a small leaf's step is worth sharing: the split search over every bin of both children is most of it.
        if (_team.Size > 1 && _groupCount > 1)
        {
            _team.For(_groupCount, _groupStep);
        }
        else
        {
            for (var g = 0; g < _groupCount; g++)
            {
                GroupStep(g);
            }
        }
    }

    private void GroupStep(int group)
    {
        var small = _smallLeaf;
        var smallHist = _hist[small];
        BuildGroupHistogram(group, small, _leafBegin[small], _leafCount[small], smallHist, _gradients, _hessians);
        for (var m = _groupStart[group]; m < _groupStart[group + 1]; m++)
        {
            var f = _groupFeatures[m];
            // A larger leaf that will not split again needs no histogram.
            if (_largeLeaf >= 0 && _search[1])
            {
                var large = BinsOf(_hist[_largeLeaf], f);
                TensorPrimitives.Subtract(large, BinsOf(smallHist, f), large);
            }

            for (var c = 0; c < 2; c++)
            {
                if (_search[c])
                {
                    _perFeature[c][f] = _binning.IsCategorical[f] ? FindCategorical(in _scans[c], f) : FindNumeric(in _scans[c], f);
                }
            }
        }
    }

    private void BuildGroupHistogram(int group, int leaf, int begin, int count, double[] hist, double[] gradients, double[] hessians)
    {
        var first = _groupStart[group];
        var size = _groupStart[group + 1] - first;
        switch (size)
        {
            case 1: Accumulate<One>(first, begin, count, hist, gradients, hessians); break;
            case 2: Accumulate<Two>(first, begin, count, hist, gradients, hessians); break;
            case 3: Accumulate<Three>(first, begin, count, hist, gradients, hessians); break;
            case 4: Accumulate<Four>(first, begin, count, hist, gradients, hessians); break;
            default: Accumulate<Five>(first, begin, count, hist, gradients, hessians); break;
        }

        for (var i = 0; i < size; i++)
        {
            var f = _groupFeatures[first + i];
            var skip = _skipBin[f];
            if (skip < 0)
            {
                continue;
            }

            var bins = BinsOf(hist, f);
            double rg = 0, rh = 0, rc = 0;
            for (var b = 0; b < bins.Length; b += Stride)
            {
                rg += bins[b];
                rh += bins[b + 1];
                rc += bins[b + 2];
            }

            bins[skip * Stride] = _leafG[leaf] - rg;
            bins[(skip * Stride) + 1] = _leafH[leaf] - rh;
            bins[(skip * Stride) + 2] = count - rc;
        }
    }

    /// <summary>
    /// Accumulates the rows' (gradient, hessian, 1) into the histograms of <typeparamref name="TWidth"/> features
    /// in one pass: one read of row index, gradient and hessian per row for all of them (the JIT compiles one
    /// loop per width, with no code for absent members; padding a group with dummy members cost 8% of a fit).
    /// </summary>
    private void Accumulate<TWidth>(int first, int begin, int count, double[] hist, double[] gradients, double[] hessians)
        where TWidth : struct, IGroupWidth
    {
        int f0 = _groupFeatures[first];
        int f1 = TWidth.Count > 1 ? _groupFeatures[first + 1] : f0;
        int f2 = TWidth.Count > 2 ? _groupFeatures[first + 2] : f0;
        int f3 = TWidth.Count > 3 ? _groupFeatures[first + 3] : f0;
        int f4 = TWidth.Count > 4 ? _groupFeatures[first + 4] : f0;
        ref var h0 = ref Cleared(hist, f0);
        ref var h1 = ref TWidth.Count > 1 ? ref Cleared(hist, f1) : ref h0;
        ref var h2 = ref TWidth.Count > 2 ? ref Cleared(hist, f2) : ref h0;
        ref var h3 = ref TWidth.Count > 3 ? ref Cleared(hist, f3) : ref h0;
        ref var h4 = ref TWidth.Count > 4 ? ref Cleared(hist, f4) : ref h0;
        ref var c0 = ref MemoryMarshal.GetArrayDataReference(_bins[f0]);
        ref var c1 = ref MemoryMarshal.GetArrayDataReference(_bins[f1]);
        ref var c2 = ref MemoryMarshal.GetArrayDataReference(_bins[f2]);
        ref var c3 = ref MemoryMarshal.GetArrayDataReference(_bins[f3]);
        ref var c4 = ref MemoryMarshal.GetArrayDataReference(_bins[f4]);
        int s0 = SkipOf(f0), s1 = SkipOf(f1), s2 = SkipOf(f2), s3 = SkipOf(f3), s4 = SkipOf(f4);
        ref var rows = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_rows), begin);
        ref var gr = ref MemoryMarshal.GetArrayDataReference(gradients);
        ref var hr = ref MemoryMarshal.GetArrayDataReference(hessians);
        for (var k = 0; k < count; k++)
        {
            var r = Unsafe.Add(ref rows, k);
            var entry = Vector256.Create(Unsafe.Add(ref gr, r), Unsafe.Add(ref hr, r), 1, 0);
            Add(ref h0, Unsafe.Add(ref c0, r), s0, entry);
            if (TWidth.Count > 1)
            {
                Add(ref h1, Unsafe.Add(ref c1, r), s1, entry);
            }

            if (TWidth.Count > 2)
            {
                Add(ref h2, Unsafe.Add(ref c2, r), s2, entry);
            }

            if (TWidth.Count > 3)
            {
                Add(ref h3, Unsafe.Add(ref c3, r), s3, entry);
            }

            if (TWidth.Count > 4)
            {
                Add(ref h4, Unsafe.Add(ref c4, r), s4, entry);
            }
        }
    }

    /// <summary>
    /// Adds (gradient, hessian, 1, 0) to bin <paramref name="bin"/> unless it is the skipped one: one 256-bit load,
    /// add and store instead of three scalar ones. (Sending skipped rows to spare bins instead of branching was
    /// measured: 15% slower, the skipped rows' work outweighs the branch's mispredictions.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(ref double histogram, int bin, int skip, Vector256<double> entry)
    {
        if (bin != skip)
        {
            ref var slot = ref Unsafe.Add(ref histogram, bin * Stride);
            (Vector256.LoadUnsafe(ref slot) + entry).StoreUnsafe(ref slot);
        }
    }

    /// <summary>A feature's histogram in <paramref name="hist"/>, cleared; returns its first element.</summary>
    private ref double Cleared(double[] hist, int feature)
    {
        var h = BinsOf(hist, feature);
        h.Clear();
        return ref MemoryMarshal.GetReference(h);
    }

    /// <summary>One feature's bins in a histogram, <see cref="Stride"/> doubles each: gradient, hessian, count, unused.</summary>
    private Span<double> BinsOf(double[] hist, int feature) => hist.AsSpan(_binning.Offset[feature] * Stride, _binning.BinCount[feature] * Stride);

    /// <summary>The bin a feature does not accumulate, or 256 (never a bin) when it accumulates all.</summary>
    private int SkipOf(int feature) => _skipBin[feature] < 0 ? 256 : _skipBin[feature];

    /// <summary>The number of features one histogram pass serves (a compile-time constant per implementing struct).</summary>
    private interface IGroupWidth
    {
        static abstract int Count { get; }
    }

    private struct One : IGroupWidth
    {
        public static int Count => 1;
    }

    private struct Two : IGroupWidth
    {
        public static int Count => 2;
    }

    private struct Three : IGroupWidth
    {
        public static int Count => 3;
    }

    private struct Four : IGroupWidth
    {
        public static int Count => 4;
    }

    private struct Five : IGroupWidth
    {
        public static int Count => 5;
    }

    private LeafScan ScanOf(int leaf)
    {
        var parentGain = LeafGain(_leafG[leaf], _leafH[leaf], _s.L2, _leafOutput[leaf]);
        return new LeafScan(leaf, _leafG[leaf], _leafH[leaf], _leafCount[leaf], _leafMin[leaf], _leafMax[leaf], parentGain, parentGain + _s.MinimumGain);
    }

    /// <summary>The best of the per-feature splits searched for slot <paramref name="slot"/> (the first feature wins a tie).</summary>
    private SplitCandidate BestOf(int slot)
    {
        var perFeature = _perFeature[slot];
        var best = SplitCandidate.None;
        for (var m = 0; m < _usableCount; m++)
        {
            var j = _groupFeatures[m];
            if (perFeature[j].Gain > best.Gain)
            {
                best = perFeature[j];
            }
        }

        return best;
    }

    /// <summary>One feature's bins in the scanned leaf's histogram, <see cref="Stride"/> doubles each: gradient, hessian, count, unused.</summary>
    private Span<double> HistogramOf(in LeafScan scan, int feature) =>
        BinsOf(_hist[scan.Leaf], feature);

    private SplitCandidate FindNumeric(in LeafScan scan, int feature)
    {
        var monotone = _s.Monotone[feature];
        if (_s.L1 == 0 && monotone == 0 && double.IsNegativeInfinity(scan.Min) && double.IsPositiveInfinity(scan.Max))
        {
            return FindNumericUnconstrained(in scan, feature);
        }

        var best = SplitCandidate.None;
        var bins = _binning.BinCount[feature];
        var h = HistogramOf(in scan, feature);
        double missG = h[0], missH = h[1], missC = h[2];
        var valueBins = bins - 1;

        // Missing values right: left = bins 1..t, for t = 1..k (t = k splits missing from present).
        double lg = 0, lh = 0, lc = 0;
        var lastT = missC > 0 ? valueBins : valueBins - 1;
        for (var t = 1; t <= lastT; t++)
        {
            lg += h[Stride * t];
            lh += h[(Stride * t) + 1];
            lc += h[(Stride * t) + 2];
            if (h[(Stride * t) + 2] == 0 && t < valueBins)
            {
                continue;
            }

            Consider(ref best, feature, t, defaultLeft: false, in scan, lg, lh, lc, monotone);
        }

        if (missC > 0)
        {
            // Missing values left: left = missing + bins 1..t, for t = 1..k−1.
            lg = missG;
            lh = missH;
            lc = missC;
            for (var t = 1; t < valueBins; t++)
            {
                lg += h[Stride * t];
                lh += h[(Stride * t) + 1];
                lc += h[(Stride * t) + 2];
                if (h[(Stride * t) + 2] == 0)
                {
                    continue;
                }

                Consider(ref best, feature, t, defaultLeft: true, in scan, lg, lh, lc, monotone);
            }
        }
        else if (best.Feature >= 0)
        {
            // No missing value reached this node: send future ones where most of the data went.
            best.DefaultLeft = best.LeftH >= best.RightH;
        }

        return best;
    }

    /// <summary>
    /// <see cref="FindNumeric"/> without L1, monotone constraints or bounds, the common case, with the gains of every
    /// threshold computed in vectors: the same candidates in the same order, each gain rounded as the scalar formula
    /// rounds it (separate multiplies, divides and adds, never fused), so the chosen split is the same bit for bit.
    /// The left totals of each threshold are summed bin by bin first, as the scalar scan sums them.
    /// </summary>
    private SplitCandidate FindNumericUnconstrained(in LeafScan scan, int feature)
    {
        var bins = _binning.BinCount[feature];
        var h = HistogramOf(in scan, feature);
        var missC = h[2];
        var valueBins = bins - 1;

        // Pass 1 sends missing values right (thresholds 1..last), pass 2 left (thresholds 1..second), when there are any.
        var last = missC > 0 ? valueBins : valueBins - 1;
        var second = missC > 0 ? valueBins - 1 : 0;

        // A per-thread table (a stackalloc would be zeroed on every call: a fifth of a fit's time went to that) of the
        // thresholds worth a look, a row of Stride each: (left G, left H, left count, threshold bin), missing values right
        // in rows 0.., left in rows ScanHalf...
        var table = _scanScratch[WorkTeam.Member] ??= new double[Stride * 2 * ScanHalf];
        var (right, left) = LeftTotals(h, last, second, table);
        var (rightRow, rightGain) = BestGain(in scan, table.AsSpan(0, Stride * right));
        var (leftRow, leftGain) = BestGain(in scan, table.AsSpan(Stride * ScanHalf, Stride * left));

        // The scalar scan's order: every missing-right threshold before the missing-left ones, the first best kept.
        var row = leftGain > rightGain ? ScanHalf + leftRow : rightRow;
        var gain = Math.Max(leftGain, rightGain);
        if (row < 0 || double.IsNegativeInfinity(gain))
        {
            return SplitCandidate.None;
        }

        double lg = table[Stride * row], lh = table[(Stride * row) + 1], lc = table[(Stride * row) + 2];
        double rg = scan.G - lg, rh = scan.H - lh, l2 = _s.L2;
        var best = new SplitCandidate
        {
            Feature = feature,
            Gain = gain,
            ThresholdBin = (int)table[(Stride * row) + 3],
            DefaultLeft = row >= ScanHalf,
            LeftG = lg,
            LeftH = lh,
            LeftC = lc,
            RightG = rg,
            RightH = rh,
            RightC = scan.Count - lc,
            LeftOutput = -lg / (lh + l2),
            RightOutput = -rg / (rh + l2),
        };
        if (missC <= 0)
        {
            // No missing value reached this node: send future ones where most of the data went.
            best.DefaultLeft = best.LeftH >= best.RightH;
        }

        return best;
    }

    /// <summary>
    /// The left totals of the thresholds a numeric feature's scan considers, in both passes, summed bin by bin in order (as
    /// the scalar scan sums them). Pass 1 (missing values right) has thresholds 1..<paramref name="last"/>, pass 2 (left)
    /// 1..<paramref name="second"/>; a threshold whose bin is empty adds nothing of its own and is left out, except the last
    /// value bin's in pass 1, which splits missing from present. Rows are (G, H, count, threshold), pass 1's from row 0 and
    /// pass 2's from row <see cref="ScanHalf"/>, in ascending threshold order.
    /// </summary>
    /// <returns>The rows written in each pass.</returns>
    private static (int Right, int Left) LeftTotals(Span<double> h, int last, int second, double[] table)
    {
        var both = Math.Min(last, second);
        int right = 0, left = ScanHalf;
        var valueBins = (h.Length / Stride) - 1;
        if (Avx2.IsSupported)
        {
            // One vector add per pass and bin: (G, H, count, 0) += the bin's (G, H, count, 0), lane by lane as the scalar
            // sums; every row is stored, and the row count moves on only past a bin that holds rows.
            ref var bins = ref MemoryMarshal.GetReference(h);
            ref var rows = ref MemoryMarshal.GetArrayDataReference(table);
            // The fourth lane adds 1 per bin, so that it holds the threshold itself.
            var one = Vector256.Create(0, 0, 0, 1.0);
            var toRight = Vector256<double>.Zero;
            var toLeft = Vector256.Create(h[0], h[1], h[2], 0);
            for (var t = 1; t <= last; t++)
            {
                var bin = Avx.Blend(Vector256.LoadUnsafe(ref Unsafe.Add(ref bins, Stride * t)), one, 0b1000);
                var held = bin.GetElement(2) != 0 ? 1 : 0;
                toRight += bin;
                toRight.StoreUnsafe(ref Unsafe.Add(ref rows, Stride * right));
                right += held | (t == valueBins ? 1 : 0);
                if (t <= both)
                {
                    toLeft += bin;
                    toLeft.StoreUnsafe(ref Unsafe.Add(ref rows, Stride * left));
                    left += held;
                }
            }

            return (right, left - ScanHalf);
        }

        double lg = 0, lh = 0, lc = 0, mg = h[0], mh = h[1], mc = h[2];
        for (var t = 1; t <= last; t++)
        {
            double bg = h[Stride * t], bh = h[(Stride * t) + 1], bc = h[(Stride * t) + 2];
            (lg, lh, lc) = (lg + bg, lh + bh, lc + bc);
            (table[Stride * right], table[(Stride * right) + 1], table[(Stride * right) + 2], table[(Stride * right) + 3]) = (lg, lh, lc, t);
            right += bc != 0 || t == valueBins ? 1 : 0;
            if (t <= both)
            {
                (mg, mh, mc) = (mg + bg, mh + bh, mc + bc);
                (table[Stride * left], table[(Stride * left) + 1], table[(Stride * left) + 2], table[(Stride * left) + 3]) = (mg, mh, mc, t);
                left += bc != 0 ? 1 : 0;
            }
        }

        return (right, left - ScanHalf);
    }

    /// <summary>
    /// The row of <see cref="LeftTotals"/>' table whose split gains most over the parent, G_L²/(H_L+λ) + G_R²/(H_R+λ) −
    /// parent, computed as <see cref="TryImprove"/> computes it unconstrained (separate multiplies, divides and adds, never
    /// fused, so each gain rounds as the scalar formula does), among the rows whose sides have enough rows and hessian and
    /// whose gain passes the leaf's threshold; the first such row on a tie, as the scalar scan's strict comparison keeps it.
    /// </summary>
    /// <returns>The row and its gain over the parent, or (−1, −∞).</returns>
    private (int Row, double Gain) BestGain(in LeafScan scan, ReadOnlySpan<double> table)
    {
        double minCount = _s.MinimumCount, minHessian = _s.MinimumHessian, l2 = _s.L2;
        var count = table.Length / Stride;
        var (bestRow, bestGain) = (-1, double.NegativeInfinity);
        var k = 0;
        if (Avx.IsSupported && count >= 4)
        {
            var (g, hh, c) = (Vector256.Create(scan.G), Vector256.Create(scan.H), Vector256.Create(scan.Count));
            var (vMinCount, vMinHessian, vL2) = (Vector256.Create(minCount), Vector256.Create(minHessian), Vector256.Create(l2));
            var (threshold, parent) = (Vector256.Create(scan.Threshold), Vector256.Create(scan.ParentGain));
            var (laneGain, laneRow) = (Vector256.Create(double.NegativeInfinity), Vector256.Create(-1.0));
            var rowNumbers = Vector256.Create(0.0, 1, 2, 3);
            ref var rows = ref MemoryMarshal.GetReference(table);
            for (; k <= count - 4; k += 4)
            {
                // Four rows (G, H, count, threshold) transposed into a G, an H and a count vector.
                var v0 = Vector256.LoadUnsafe(ref Unsafe.Add(ref rows, Stride * k));
                var v1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref rows, Stride * (k + 1)));
                var v2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref rows, Stride * (k + 2)));
                var v3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref rows, Stride * (k + 3)));
                var (a, b, d, e) = (Avx.UnpackLow(v0, v1), Avx.UnpackHigh(v0, v1), Avx.UnpackLow(v2, v3), Avx.UnpackHigh(v2, v3));
                var lg = Avx.Permute2x128(a, d, 0x20);
                var lc = Avx.Permute2x128(a, d, 0x31);
                var lh = Avx.Permute2x128(b, e, 0x20);
                var (rg, rh, rc) = (g - lg, hh - lh, c - lc);
                var gain = (lg * lg / (lh + vL2)) + (rg * rg / (rh + vL2));
                var over = gain - parent;

                // Per lane, the first row of its best gain: a later row replaces it only when strictly greater.
                var better = Vector256.GreaterThanOrEqual(lc, vMinCount) & Vector256.GreaterThanOrEqual(rc, vMinCount)
                    & Vector256.GreaterThanOrEqual(lh, vMinHessian) & Vector256.GreaterThanOrEqual(rh, vMinHessian)
                    & Vector256.GreaterThan(gain, threshold) & Vector256.GreaterThan(over, laneGain);
                laneGain = Vector256.ConditionalSelect(better, over, laneGain);
                laneRow = Vector256.ConditionalSelect(better, rowNumbers + Vector256.Create((double)k), laneRow);
            }

            // Across lanes: the greatest gain, and of equal gains the earliest row.
            for (var lane = 0; lane < 4; lane++)
            {
                var (laneBest, row) = (laneGain.GetElement(lane), (int)laneRow.GetElement(lane));
                if (row >= 0 && (laneBest > bestGain || (laneBest == bestGain && row < bestRow)))
                {
                    (bestRow, bestGain) = (row, laneBest);
                }
            }
        }

        for (; k < count; k++)
        {
            double lg = table[Stride * k], lh = table[(Stride * k) + 1], lc = table[(Stride * k) + 2];
            double rg = scan.G - lg, rh = scan.H - lh, rc = scan.Count - lc;
            var gain = (lg * lg / (lh + l2)) + (rg * rg / (rh + l2));
            if (lc >= minCount && rc >= minCount && lh >= minHessian && rh >= minHessian && gain > scan.Threshold && gain - scan.ParentGain > bestGain)
            {
                (bestRow, bestGain) = (k, gain - scan.ParentGain);
            }
        }

        return (bestRow, bestGain);
    }

    private void Consider(ref SplitCandidate best, int feature, int t, bool defaultLeft, in LeafScan scan, double lg, double lh, double lc, int monotone)
    {
        if (TryImprove(ref best, feature, in scan, lg, lh, lc, _s.L2, monotone))
        {
            best.ThresholdBin = t;
            best.DefaultLeft = defaultLeft;
        }
    }

    /// <summary>Replaces <paramref name="best"/> (split fields only) when sending the given left totals left is allowed and beats it.</summary>
    private bool TryImprove(ref SplitCandidate best, int feature, in LeafScan scan, double lg, double lh, double lc, double l2, int monotone)
    {
        double rg = scan.G - lg, rh = scan.H - lh, rc = scan.Count - lc;
        double min = scan.Min, max = scan.Max, threshold = scan.Threshold, parentGain = scan.ParentGain;
        if (lc < _s.MinimumCount || rc < _s.MinimumCount || lh < _s.MinimumHessian || rh < _s.MinimumHessian)
        {
            return false;
        }

        double lo, ro, gain;
        if (_s.L1 == 0 && monotone == 0 && double.IsNegativeInfinity(min) && double.IsPositiveInfinity(max))
        {
            // Unconstrained: G²/(H+λ) per side; the outputs are only needed for a new best.
            gain = (lg * lg / (lh + l2)) + (rg * rg / (rh + l2));
            if (gain <= threshold || gain - parentGain <= best.Gain)
            {
                return false;
            }

            lo = -lg / (lh + l2);
            ro = -rg / (rh + l2);
        }
        else
        {
            lo = LeafOutput(lg, lh, l2, min, max);
            ro = LeafOutput(rg, rh, l2, min, max);
            if ((monotone > 0 && lo > ro) || (monotone < 0 && lo < ro))
            {
                return false;
            }

            gain = LeafGain(lg, lh, l2, lo) + LeafGain(rg, rh, l2, ro);
            if (gain <= threshold || gain - parentGain <= best.Gain)
            {
                return false;
            }
        }

        best = new SplitCandidate
        {
            Feature = feature,
            Gain = gain - parentGain,
            LeftG = lg,
            LeftH = lh,
            LeftC = lc,
            RightG = rg,
            RightH = rh,
            RightC = rc,
            LeftOutput = lo,
            RightOutput = ro,
        };
        return true;
    }

    private SplitCandidate FindCategorical(in LeafScan scan, int feature)
    {
        var best = SplitCandidate.None;
        var bins = _binning.BinCount[feature];
        var h = HistogramOf(in scan, feature);
        var order = _catOrder[feature];
        var key = _catKey[feature];

        var used = 0;
        for (var b = 1; b < bins; b++)
        {
            if (h[(Stride * b) + 2] > 0)
            {
                used++;
            }
        }

        if (used <= _s.MaximumOneVsRest)
        {
            for (var b = 1; b < bins; b++)
            {
                double lg = h[Stride * b], lh = h[(Stride * b) + 1], lc = h[(Stride * b) + 2];
                if (lc > 0)
                {
                    ConsiderSet(ref best, feature, [b], in scan, lg, lh, lc, _s.L2);
                }
            }

            return best;
        }

        // LightGBM's many-vs-many search: order the categories with at least `smoothing` rows by
        // G / (H + smoothing) and grow the left set from either end, up to MaximumCategoriesLeft
        // categories; a split point is evaluated only once MinimumCountPerCategory more rows have joined
        // the left set since the last one, and the right side must keep that many rows too.
        var candidates = 0;
        for (var b = 1; b < bins; b++)
        {
            if (h[(Stride * b) + 2] > 0 && h[(Stride * b) + 2] >= _s.CategoricalSmoothing)
            {
                order[candidates] = b;
                key[candidates] = h[Stride * b] / (h[(Stride * b) + 1] + _s.CategoricalSmoothing);
                candidates++;
            }
        }

        if (candidates < 2)
        {
            return best;
        }

        Array.Sort(key, order, 0, candidates);
        var l2 = _s.L2 + _s.CategoricalL2;
        var maxLeft = Math.Min(_s.MaximumCategoriesLeft, (candidates + 1) / 2);
        for (var direction = 0; direction < 2; direction++)
        {
            double lg = 0, lh = 0, lc = 0, group = 0;
            for (var i = 0; i < maxLeft && i < candidates - 1; i++)
            {
                var b = order[direction == 0 ? i : candidates - 1 - i];
                lg += h[Stride * b];
                lh += h[(Stride * b) + 1];
                lc += h[(Stride * b) + 2];
                group += h[(Stride * b) + 2];
                if (lc < _s.MinimumCount || lh < _s.MinimumHessian)
                {
                    continue;
                }

                if (scan.Count - lc < Math.Max(_s.MinimumCount, _s.MinimumCountPerCategory) || scan.H - lh < _s.MinimumHessian)
                {
                    break;
                }

                if (group < _s.MinimumCountPerCategory)
                {
                    continue;
                }

                group = 0;
                ConsiderSet(ref best, feature, direction == 0 ? order.AsSpan(0, i + 1) : order.AsSpan(candidates - 1 - i, i + 1), in scan, lg, lh, lc, l2);
            }
        }

        return best;
    }

    private void ConsiderSet(ref SplitCandidate best, int feature, ReadOnlySpan<int> leftBins, in LeafScan scan, double lg, double lh, double lc, double l2)
    {
        if (TryImprove(ref best, feature, in scan, lg, lh, lc, l2, monotone: 0))
        {
            best.Categorical = true;
            foreach (var b in leftBins)
            {
                best.LeftBins.Add(b);
            }
        }
    }

    /// <summary>The leaf value minimising G·o + ½(H+λ₂)o² + λ₁|o|, clamped to the monotone bounds.</summary>
    private double LeafOutput(double g, double h, double l2, double min, double max)
    {
        var t = Math.Abs(g) <= _s.L1 ? 0 : g - (Math.Sign(g) * _s.L1);
        var o = -t / (h + l2);
        return Math.Clamp(o, min, max);
    }

    /// <summary>Twice the loss reduction of leaf value <paramref name="o"/>: −(2G·o + (H+λ₂)o² + 2λ₁|o|); G²/(H+λ₂) at the unconstrained optimum without L1.</summary>
    private double LeafGain(double g, double h, double l2, double o) =>
        -((2 * g * o) + ((h + l2) * o * o) + (2 * _s.L1 * Math.Abs(o)));

    /// <summary>What every split search of one leaf shares: its totals, its monotone bounds and the gain a split must beat.</summary>
    private readonly record struct LeafScan(int Leaf, double G, double H, double Count, double Min, double Max, double ParentGain, double Threshold);
}
