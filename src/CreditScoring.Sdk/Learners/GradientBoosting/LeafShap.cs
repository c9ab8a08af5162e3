using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>
/// Exact path-dependent TreeSHAP, leaf by leaf, with per-leaf sums precomputed (the idea of Fast TreeSHAP v2, Yang,
/// "Fast TreeSHAP: Accelerating SHAP Value Computation for Trees", 2021, in a smaller table). Path-dependent TreeSHAP's
/// value of a coalition S is, for one tree, Σ over leaves l of v_l · Π over the features j on l's path of
/// (j ∈ S ? o_j : z_j), where z_j is the product of the cover fractions of the path's edges on j and o_j is 1 when the row
/// follows every one of them (Lundberg et al. 2020, Algorithm 1). Each leaf is a product game over its u features, whose
/// Shapley value for feature i is <c>φ_i = v · (o_i − z_i) · Σ_k w_k [t^k] Π_{j≠i} (z_j + o_j t)</c> with
/// <c>w_k = k!(u−1−k)!/u!</c>. Writing <c>K(S) = v · Σ_k w_k [t^k] Π_j (z_j + [j ∈ S] t)</c> for a subset S of the
/// leaf's features, and F for the features the row follows, this is
/// <list type="bullet">
/// <item>for a feature the row does not follow, <c>φ_i = −K(F)</c> (the same for all of them);</item>
/// <item>for a feature it follows, <c>φ_i = (1 − z_i)/z_i · K(F \ {i})</c>.</item>
/// </list>
/// So a leaf needs one table of 2^u numbers (Fast TreeSHAP v2 keeps u × 2^u), which keeps a 300-tree model's tables
/// within a few megabytes, near the processor. Explaining a row computes, branch-free, which features each leaf's row
/// follows (<c>GradientBoostingPredictor</c> walks its flattened nodes once) and adds u products per leaf: O(nodes + Σ u)
/// per tree instead of Algorithm 2's O(leaves × depth²). Leaves are visited grouped by u, so the inner loop has a fixed
/// length; one row's products are computed four features to a vector, a batch's four rows to a vector; they go first
/// into sums shared by the leaves with the same features, then into φ, in one fixed order, so that a row gets the same
/// bits alone, in a batch, and without vectors. Leaves over <see cref="MaxTableFeatures"/> features (or with a zero cover fraction) are computed on the fly
/// from the first formula in O(u²). The same values as <see cref="TreeShap"/> to rounding (tests compare both and a
/// brute-force oracle).
/// </summary>
internal sealed class LeafShap
{
    /// <summary>Leaves with at most this many distinct features on their path get a table (at most 4,096 numbers).</summary>
    public const int MaxTableFeatures = 12;

    /// <summary>The most table numbers a model keeps (8 Mi doubles, 64 MiB); leaves beyond are computed on the fly.</summary>
    private const long MaxTableNumbers = 1L << 23;

    private readonly double[] _value;
    private readonly ulong[] _mask;
    private readonly int[] _start;
    private readonly int[] _feature;
    private readonly double[] _zero;
    private readonly TabulatedLeaf[] _tabulated;
    private readonly LeafGroup[] _groups;
    private readonly int[] _onTheFly;
    private readonly double[] _tables;
    private readonly int _featureCount;
    private readonly double[] _followedFactor;
    private readonly ulong[] _sumMask;
    private readonly int[] _sumStart;
    private readonly int _sumLength;

    private LeafShap(int featureCount, double[] value, ulong[] mask, int[] start, int[] feature, double[] zero, TabulatedLeaf[] tabulated, LeafGroup[] groups, int[] onTheFly, double[] tables, double[] followedFactor, ulong[] sumMask, int[] sumStart, int sumLength)
    {
        _followedFactor = followedFactor;
        _sumMask = sumMask;
        _sumStart = sumStart;
        _sumLength = sumLength;
        _value = value;
        _mask = mask;
        _start = start;
        _feature = feature;
        _zero = zero;
        _tabulated = tabulated;
        _groups = groups;
        _onTheFly = onTheFly;
        _tables = tables;
        _featureCount = featureCount;
    }

    /// <summary>Tabulates a model's trees, or returns <see langword="null"/> when it reads more than 64 features (the masks are 64-bit).</summary>
    /// <param name="trees">The trees, with positive covers.</param>
    /// <param name="featureCount">The features the trees read.</param>
    /// <returns>The tables.</returns>
    public static LeafShap? Build(RegressionTree[] trees, int featureCount)
    {
        if (featureCount > 64)
        {
            return null;
        }

        var leafBase = new int[trees.Length + 1];
        for (var t = 0; t < trees.Length; t++)
        {
            leafBase[t + 1] = leafBase[t] + trees[t].LeafCount;
        }

        var leaves = leafBase[^1];
        var value = new double[leaves];
        var mask = new ulong[leaves];
        var start = new int[leaves + 1];
        var features = new List<int>();
        var zeros = new List<double>();
        Span<double> zero = stackalloc double[64];
        for (var t = 0; t < trees.Length; t++)
        {
            var tree = trees[t];
            var parents = Parents(tree);
            for (var leaf = 0; leaf < tree.LeafCount; leaf++)
            {
                var g = leafBase[t] + leaf;
                value[g] = tree.LeafValue[leaf];
                start[g] = features.Count;
                if (tree.NodeCount == 0)
                {
                    start[g + 1] = features.Count;
                    continue;
                }

                zero.Fill(1);
                ulong bits = 0;
                for (var (child, node) = (~leaf, parents.Leaf[leaf]); node >= 0; (child, node) = (node, parents.Node[node]))
                {
                    var f = tree.SplitFeature[node];
                    zero[f] *= Cover(tree, child) / tree.NodeCover[node];
                    bits |= 1UL << f;
                }

                mask[g] = bits;
                for (var rest = bits; rest != 0; rest &= rest - 1)
                {
                    var f = BitOperations.TrailingZeroCount(rest);
                    features.Add(f);
                    zeros.Add(zero[f]);
                }

                start[g + 1] = features.Count;
            }
        }

        var feature = features.ToArray();
        var zeroes = zeros.ToArray();

        // Tabulated leaves, grouped by their number of features (then by leaf, so the order is fixed).
        var tabulated = new List<TabulatedLeaf>();
        var onTheFly = new List<int>();
        long size = 0;
        for (var g = 0; g < leaves; g++)
        {
            var u = start[g + 1] - start[g];
            if (u == 0)
            {
                continue;
            }

            var positive = zeroes.AsSpan(start[g], u).IndexOfAnyInRange(double.NegativeInfinity, 0) < 0;
            if (u <= MaxTableFeatures && positive && size + (1L << u) <= MaxTableNumbers)
            {
                tabulated.Add(new TabulatedLeaf(g, (int)size, start[g], mask[g]));
                size += 1L << u;
            }
            else
            {
                onTheFly.Add(g);
            }
        }

        var ordered = tabulated.OrderBy(l => BitOperations.PopCount(l.Mask)).ThenBy(l => l.Leaf).ToArray();
        var groups = new List<LeafGroup>();
        for (var from = 0; from < ordered.Length;)
        {
            var u = BitOperations.PopCount(ordered[from].Mask);
            var to = from;
            while (to < ordered.Length && BitOperations.PopCount(ordered[to].Mask) == u)
            {
                to++;
            }

            groups.Add(new LeafGroup(u, from, to));
            from = to;
        }

        // Leaves with the same features add into the same sums (four places per started four features, for vectors), which
        // go into φ once at the end; each leaf's factors for followed features, padded to fours likewise.
        var sumOf = new Dictionary<ulong, int>();
        var sumMasks = new List<ulong>();
        var sumStarts = new List<int>();
        int sumLength = 0, factorLength = 0;
        for (var i = 0; i < ordered.Length; i++)
        {
            var leaf = ordered[i];
            var width = Padded(BitOperations.PopCount(leaf.Mask));
            if (!sumOf.TryGetValue(leaf.Mask, out var sum))
            {
                sum = sumOf[leaf.Mask] = sumLength;
                sumMasks.Add(leaf.Mask);
                sumStarts.Add(sum);
                sumLength += width;
            }

            ordered[i] = leaf with { Sum = sum, Factor = factorLength };
            factorLength += width;
        }

        var followedFactor = new double[factorLength];
        foreach (var leaf in ordered)
        {
            for (var k = 0; k < BitOperations.PopCount(leaf.Mask); k++)
            {
                // φ_k = (1 − z_k)/z_k · K(F \ {k}) for a feature the row follows (−1 · K(F) for one it does not).
                var z = zeroes[leaf.Start + k];
                followedFactor[leaf.Factor + k] = (1 - z) / z;
            }
        }

        var tables = new double[size];
        Parallel.ForEach(ordered, leaf =>
        {
            var u = BitOperations.PopCount(leaf.Mask);
            var z = zeroes.AsSpan(leaf.Start, u);
            Span<double> p = stackalloc double[u + 1];
            var w = Weights[u];
            for (var s = 0u; s < 1u << u; s++)
            {
                Polynomial(z, s, p);
                double sum = 0;
                for (var k = 0; k < u; k++)
                {
                    sum += w[k] * p[k];
                }

                tables[leaf.Table + s] = value[leaf.Leaf] * sum;
            }
        });
        return new LeafShap(featureCount, value, mask, start, feature, zeroes, ordered, [.. groups], [.. onTheFly], tables, followedFactor, [.. sumMasks], [.. sumStarts], sumLength);
    }

    /// <summary>Leaves whose contributions are tabulated, and leaves computed on the fly (for tests and benchmarks).</summary>
    public (int Tabulated, int OnTheFly) LeafCounts => (_tabulated.Length, _onTheFly.Length);

    /// <summary>
    /// Adds the contributions of every leaf, given, for each leaf of the forest (numbered tree after tree, as the
    /// predictor's flattened nodes number them), the features whose splits above it all sent the row toward it. The
    /// leaves' shares go into the sums of their feature sets (four features to a vector), and these into φ; the order of
    /// every addition is fixed, so <see cref="AddBlock"/> gives the same bits.
    /// </summary>
    /// <param name="followed">Per leaf, bit f set when every split on feature f above the leaf sent the row toward it.</param>
    /// <param name="phi">Receives the contributions (added to what it holds).</param>
    public void Add(ReadOnlySpan<ulong> followed, Span<double> phi) => Add(followed, phi, Vector256.IsHardwareAccelerated);

    /// <summary><see cref="Add(ReadOnlySpan{ulong}, Span{double})"/>, with or without vectors (tests compare the two).</summary>
    internal void Add(ReadOnlySpan<ulong> followed, Span<double> phi, bool vectors)
    {
        if (followed.Length < _value.Length || phi.Length < _featureCount)
        {
            throw new ArgumentException($"Expected {_value.Length} leaf masks and {_featureCount} contributions; got {followed.Length} and {phi.Length}.", nameof(followed));
        }

        var sums = ArrayPool<double>.Shared.Rent(Math.Max(_sumLength, 1));
        try
        {
            sums.AsSpan(0, _sumLength).Clear();
            if (vectors)
            {
                AddByVectors(followed, sums);
            }
            else
            {
                AddByNumbers(followed, sums);
            }

            Scatter(sums, 1, phi);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }

        AddOnTheFly(followed, 1, phi);
    }

    /// <summary>One row: each leaf's shares, four features to a vector, into its feature set's sums.</summary>
    private void AddByVectors(ReadOnlySpan<ulong> followed, double[] sums)
    {
        // Unchecked reads: Build laid out every offset, and a leaf's index has at most u bits (the extraction keeps u bits).
        ref var tables = ref MemoryMarshal.GetArrayDataReference(_tables);
        ref var factors = ref Unsafe.As<double, Vector256<double>>(ref MemoryMarshal.GetArrayDataReference(_followedFactor));
        ref var sums0 = ref Unsafe.As<double, Vector256<double>>(ref MemoryMarshal.GetArrayDataReference(sums));
        ref var followed0 = ref MemoryMarshal.GetReference(followed);
        var tabulated = _tabulated;
        var firstBits = Vector256.Create(1L, 2, 4, 8);
        foreach (var group in _groups)
        {
            var u = group.Features;
            var vectors = Padded(u) / 4;
            for (var t = group.From; t < group.To; t++)
            {
                ref readonly var leaf = ref tabulated[t];
                var local = (nint)Local(Unsafe.Add(ref followed0, leaf.Leaf), leaf.Mask, _feature.AsSpan(leaf.Start, u));
                var locals = Vector256.Create((long)local);
                ref var table = ref Unsafe.Add(ref tables, leaf.Table);
                ref var sum = ref Unsafe.Add(ref sums0, leaf.Sum / 4);
                ref var factor = ref Unsafe.Add(ref factors, leaf.Factor / 4);
                for (var c = 0; c < vectors; c++)
                {
                    // Features 4c .. 4c + 3: K without the feature's bit, times (1 − z)/z when followed and −1 when not
                    // (0 past the leaf's last feature, whose index is then the leaf's own).
                    var k = 4 * c;
                    var values = Vector256.Create(
                        Unsafe.Add(ref table, local & ~((nint)1 << k)),
                        Unsafe.Add(ref table, local & ~((nint)2 << k)),
                        Unsafe.Add(ref table, local & ~((nint)4 << k)),
                        Unsafe.Add(ref table, local & ~((nint)8 << k)));
                    var bits = Vector256.ShiftLeft(firstBits, k);
                    var follows = Vector256.Equals(locals & bits, bits).AsDouble();
                    Unsafe.Add(ref sum, c) += Vector256.ConditionalSelect(follows, Unsafe.Add(ref factor, c), NotFollowed[Math.Min(4, u - k)]) * values;
                }
            }
        }
    }

    /// <summary>As <see cref="AddByVectors"/>, one number at a time, the same operations in the same order.</summary>
    private void AddByNumbers(ReadOnlySpan<ulong> followed, double[] sums)
    {
        foreach (var group in _groups)
        {
            var u = group.Features;
            for (var t = group.From; t < group.To; t++)
            {
                var leaf = _tabulated[t];
                var local = (int)Local(followed[leaf.Leaf], leaf.Mask, _feature.AsSpan(leaf.Start, u));
                for (var k = 0; k < u; k++)
                {
                    var scale = ((local >> k) & 1) == 1 ? _followedFactor[leaf.Factor + k] : -1.0;
                    sums[leaf.Sum + k] += scale * _tables[leaf.Table + (local & ~(1 << k))];
                }
            }
        }
    }

    /// <summary>−1 in the first n lanes (the leaf's features), 0 in the others, for n = 0 .. 4.</summary>
    private static readonly Vector256<double>[] NotFollowed = [.. Enumerable.Range(0, 5).Select(n => Vector256.Create(n > 0 ? -1.0 : 0, n > 1 ? -1.0 : 0, n > 2 ? -1.0 : 0, n > 3 ? -1.0 : 0))];

    /// <summary>u rounded up to a multiple of four.</summary>
    private static int Padded(int u) => (u + 3) & ~3;

    /// <summary>Adds each feature set's sums into φ, for <paramref name="rows"/> rows (sum s of row r at s · rows + r).</summary>
    private void Scatter(ReadOnlySpan<double> sums, int rows, Span<double> phi)
    {
        for (var s = 0; s < _sumMask.Length; s++)
        {
            var k = _sumStart[s];
            for (var rest = _sumMask[s]; rest != 0; rest &= rest - 1, k++)
            {
                var f = BitOperations.TrailingZeroCount(rest);
                for (var r = 0; r < rows; r++)
                {
                    phi[(rows * f) + r] += sums[(rows * k) + r];
                }
            }
        }
    }

    /// <summary>Rows <see cref="AddBlock"/> explains at once: two 256-bit vectors of four.</summary>
    public const int BlockRows = 8;

    /// <summary>
    /// <see cref="Add(ReadOnlySpan{ulong}, Span{double})"/> for <see cref="BlockRows"/> rows at once, each product computed for four rows in one vector: per
    /// leaf, <paramref name="followed"/> holds the rows' masks (leaf g at 8g .. 8g + 7), and <paramref name="phi"/> the
    /// rows' contributions per feature (feature f at 8f .. 8f + 7). The same sums, in the same order, as a call of
    /// <see cref="Add(ReadOnlySpan{ulong}, Span{double})"/> per row, so the same bits.
    /// </summary>
    /// <param name="followed">Per leaf, the rows' masks.</param>
    /// <param name="phi">Receives the contributions, feature by feature, eight rows each (added to what it holds).</param>
    public void AddBlock(ReadOnlySpan<ulong> followed, Span<double> phi)
    {
        if (followed.Length < BlockRows * _value.Length || phi.Length < BlockRows * _featureCount)
        {
            throw new ArgumentException($"Expected {BlockRows * _value.Length} leaf masks and {BlockRows * _featureCount} contributions; got {followed.Length} and {phi.Length}.", nameof(followed));
        }

        var sums = ArrayPool<double>.Shared.Rent(Math.Max(BlockRows * _sumLength, 1));
        try
        {
            sums.AsSpan(0, BlockRows * _sumLength).Clear();
            AddBlockSums(followed, sums);
            Scatter(sums, BlockRows, phi);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }

        AddOnTheFly(followed, BlockRows, phi);
    }

    /// <summary>The tabulated leaves' shares of eight rows into their feature sets' sums (sum s of row r at 8s + r).</summary>
    private void AddBlockSums(ReadOnlySpan<ulong> followed, double[] sums)
    {
        ref var tables = ref MemoryMarshal.GetArrayDataReference(_tables);
        ref var factors = ref MemoryMarshal.GetArrayDataReference(_followedFactor);
        ref var sums0 = ref Unsafe.As<double, Vector256<double>>(ref MemoryMarshal.GetArrayDataReference(sums));
        ref var followed0 = ref MemoryMarshal.GetReference(followed);
        var notFollowed = Vector256.Create(-1.0);
        var tabulated = _tabulated;
        foreach (var group in _groups)
        {
            var u = group.Features;
            var end = (nint)1 << u;
            for (var t = group.From; t < group.To; t++)
            {
                ref readonly var leaf = ref tabulated[t];
                ref var rows = ref Unsafe.Add(ref followed0, BlockRows * leaf.Leaf);
                var leafFeatures = _feature.AsSpan(leaf.Start, u);
                var a0 = (nint)Local(rows, leaf.Mask, leafFeatures);
                var a1 = (nint)Local(Unsafe.Add(ref rows, 1), leaf.Mask, leafFeatures);
                var a2 = (nint)Local(Unsafe.Add(ref rows, 2), leaf.Mask, leafFeatures);
                var a3 = (nint)Local(Unsafe.Add(ref rows, 3), leaf.Mask, leafFeatures);
                var a4 = (nint)Local(Unsafe.Add(ref rows, 4), leaf.Mask, leafFeatures);
                var a5 = (nint)Local(Unsafe.Add(ref rows, 5), leaf.Mask, leafFeatures);
                var a6 = (nint)Local(Unsafe.Add(ref rows, 6), leaf.Mask, leafFeatures);
                var a7 = (nint)Local(Unsafe.Add(ref rows, 7), leaf.Mask, leafFeatures);
                var low = Vector256.Create((long)a0, a1, a2, a3);
                var high = Vector256.Create((long)a4, a5, a6, a7);
                ref var table = ref Unsafe.Add(ref tables, leaf.Table);
                ref var followedFactor = ref Unsafe.Add(ref factors, leaf.Factor);
                ref var sum = ref Unsafe.Add(ref sums0, 2 * leaf.Sum);
                for (nint bit = 1; bit < end; bit <<= 1)
                {
                    // As Add: the index without this feature's bit; (1 − z)/z or −1 by whether the row follows it.
                    var without = ~bit;
                    var bits = Vector256.Create((long)bit);
                    var scale = Vector256.Create(followedFactor);
                    var values = Vector256.Create(Unsafe.Add(ref table, a0 & without), Unsafe.Add(ref table, a1 & without), Unsafe.Add(ref table, a2 & without), Unsafe.Add(ref table, a3 & without));
                    sum += Vector256.ConditionalSelect(Vector256.Equals(low & bits, bits).AsDouble(), scale, notFollowed) * values;
                    values = Vector256.Create(Unsafe.Add(ref table, a4 & without), Unsafe.Add(ref table, a5 & without), Unsafe.Add(ref table, a6 & without), Unsafe.Add(ref table, a7 & without));
                    Unsafe.Add(ref sum, 1) += Vector256.ConditionalSelect(Vector256.Equals(high & bits, bits).AsDouble(), scale, notFollowed) * values;
                    followedFactor = ref Unsafe.Add(ref followedFactor, 1);
                    sum = ref Unsafe.Add(ref sum, 2);
                }
            }
        }
    }

    /// <summary>Adds the leaves without a table, for <paramref name="rows"/> rows interleaved as in <see cref="AddBlock"/>.</summary>
    private void AddOnTheFly(ReadOnlySpan<ulong> followed, int rows, Span<double> phi)
    {
        if (_onTheFly.Length == 0)
        {
            return;
        }

        // u is at most 64: the masks are 64-bit, so Build refuses models over more features.
        Span<double> computed = stackalloc double[64];
        foreach (var g in _onTheFly)
        {
            var begin = _start[g];
            var u = _start[g + 1] - begin;
            var leafFeatures = _feature.AsSpan(begin, u);
            for (var r = 0; r < rows; r++)
            {
                Contributions(_value[g], _zero.AsSpan(begin, u), Local(followed[(rows * g) + r], _mask[g], leafFeatures), computed[..u]);
                for (var k = 0; k < u; k++)
                {
                    phi[(rows * leafFeatures[k]) + r] += computed[k];
                }
            }
        }
    }

    /// <summary>Which of a leaf's features (bit k for its k-th) the row follows.</summary>
    private static uint Local(ulong followed, ulong mask, ReadOnlySpan<int> features)
    {
        if (Bmi2.X64.IsSupported)
        {
            return (uint)Bmi2.X64.ParallelBitExtract(followed, mask);
        }

        var local = 0u;
        for (var k = 0; k < features.Length; k++)
        {
            local |= (uint)((followed >> features[k]) & 1) << k;
        }

        return local;
    }

    /// <summary>The coefficients of <c>Π_j (z_j + [j ∈ S] t)</c> into <paramref name="p"/> (u + 1 of them); returns the degree, |S|.</summary>
    private static int Polynomial(ReadOnlySpan<double> zero, uint subset, Span<double> p)
    {
        p.Clear();
        p[0] = 1;
        var degree = 0;
        for (var j = 0; j < zero.Length; j++)
        {
            var z = zero[j];
            if ((subset >> j & 1) == 1)
            {
                // Multiply by (z + t).
                p[degree + 1] = p[degree];
                for (var k = degree; k > 0; k--)
                {
                    p[k] = (p[k] * z) + p[k - 1];
                }

                p[0] *= z;
                degree++;
            }
            else
            {
                for (var k = 0; k <= degree; k++)
                {
                    p[k] *= z;
                }
            }
        }

        return degree;
    }

    /// <summary>
    /// The Shapley values of one leaf's product game for a row that follows the features of <paramref name="followed"/>
    /// (bit k for the leaf's k-th feature): <c>v · (o_i − z_i) · Σ_k w_k [t^k] Π_{j≠i} (z_j + o_j t)</c>, which is
    /// <c>−K(F)</c> for a feature not followed and, for one followed, <c>v (1 − z_i) Σ_k w_k [t^k] (Π_j (z_j + o_j t)) / (z_i + t)</c>.
    /// </summary>
    private static void Contributions(double value, ReadOnlySpan<double> zero, uint followed, Span<double> output)
    {
        var u = zero.Length;
        Span<double> p = stackalloc double[u + 1];
        var degree = Polynomial(zero, followed, p);
        var w = Weights[u];
        double notFollowed = 0;
        for (var k = 0; k <= degree && k < u; k++)
        {
            notFollowed -= w[k] * p[k];
        }

        for (var i = 0; i < u; i++)
        {
            if ((followed >> i & 1) == 0)
            {
                output[i] = value * notFollowed;
                continue;
            }

            // Divide by (z + t), from the top: q_{k-1} = p_k - z q_k.
            var z = zero[i];
            double sum = 0, qk = 0;
            for (var k = degree; k >= 1; k--)
            {
                qk = p[k] - (z * qk);
                sum += w[k - 1] * qk;
            }

            output[i] = value * (1 - z) * sum;
        }
    }

    /// <summary>k!(u−1−k)!/u! for k = 0..u−1, per u: the Shapley weight of a coalition of k of the other u − 1 players.</summary>
    private static readonly double[][] Weights = BuildWeights(64);

    private static double[][] BuildWeights(int most)
    {
        var weights = new double[most + 1][];
        weights[0] = [];
        for (var u = 1; u <= most; u++)
        {
            weights[u] = new double[u];
            for (var k = 0; k < u; k++)
            {
                // k!(u-1-k)!/u! = 1 / (u · C(u-1, k))
                var binomial = 1.0;
                for (var i = 1; i <= k; i++)
                {
                    binomial = binomial * (u - k - 1 + i) / i;
                }

                weights[u][k] = 1 / (u * binomial);
            }
        }

        return weights;
    }

    private static double Cover(RegressionTree tree, int child) => child >= 0 ? tree.NodeCover[child] : tree.LeafCover[~child];

    /// <summary>Each internal node's and each leaf's parent node (−1 for the root).</summary>
    private static (int[] Node, int[] Leaf) Parents(RegressionTree tree)
    {
        var node = new int[tree.NodeCount];
        var leaf = new int[tree.LeafCount];
        node.AsSpan().Fill(-1);
        for (var n = 0; n < tree.NodeCount; n++)
        {
            foreach (var child in (ReadOnlySpan<int>)[tree.LeftChild[n], tree.RightChild[n]])
            {
                if (child >= 0)
                {
                    node[child] = n;
                }
                else
                {
                    leaf[~child] = n;
                }
            }
        }

        return (node, leaf);
    }

    /// <summary>
    /// A leaf with a table: its number in the forest, its table's offset, its features' offset, its features, where its
    /// features' sums start (shared by the leaves with the same features) and where its padded factors start.
    /// </summary>
    private readonly record struct TabulatedLeaf(int Leaf, int Table, int Start, ulong Mask, int Sum = 0, int Factor = 0);

    /// <summary>The tabulated leaves with <paramref name="Features"/> features: <c>[From, To)</c> in the ordered list.</summary>
    private readonly record struct LeafGroup(int Features, int From, int To);
}
