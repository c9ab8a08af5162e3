using System.Numerics;
using System.Runtime.Intrinsics.X86;

namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>
/// Exact path-dependent TreeSHAP, leaf by leaf, with the per-leaf sums precomputed (the idea of Fast TreeSHAP v2, Yang,
/// "Fast TreeSHAP: Accelerating SHAP Value Computation for Trees", 2021). Path-dependent TreeSHAP's value of a coalition S
/// is, for one tree, Σ over leaves l of v_l · Π over the features j on l's path of (j ∈ S ? o_j : z_j), where z_j is the
/// product of the cover fractions of the path's edges on j and o_j is 1 when the row follows every one of them (Lundberg
/// et al. 2020, Algorithm 1). Each leaf is a product game, whose Shapley values are, for a feature i on its path
/// (u unique features):
/// <c>φ_i = v · (o_i − z_i) · Σ_k k!(u−1−k)!/u! · [t^k] Π_{j≠i} (z_j + o_j t)</c>.
/// A leaf's contributions depend on the row only through which of its u features the row follows (a u-bit mask), so for
/// leaves with u ≤ <see cref="MaxTableFeatures"/> they are tabulated once per model (u × 2^u numbers) and explaining a
/// row walks each tree once (<c>GradientBoostingPredictor</c> walks its own flattened nodes), keeping the mask of the
/// features it has followed so far, and adds u table entries per leaf:
/// O(nodes + Σ u) per tree instead of Algorithm 2's O(leaves × depth²). Deeper leaves are computed on the fly from the
/// same formula in O(u²). The same values as <see cref="TreeShap"/> to rounding (tests compare both and a brute-force
/// oracle).
/// </summary>
internal sealed class LeafShap
{
    /// <summary>Leaves with at most this many distinct features on their path get a table (at most 8 × 256 numbers).</summary>
    public const int MaxTableFeatures = 8;

    /// <summary>The most table numbers a model keeps (16 Mi doubles, 128 MiB); leaves beyond are computed on the fly.</summary>
    private const long MaxTableNumbers = 1L << 24;

    private readonly double[] _value;
    private readonly ulong[] _mask;
    private readonly int[] _start;
    private readonly int[] _feature;
    private readonly double[] _zero;
    private readonly long[] _table;
    private readonly double[] _tables;

    private LeafShap(double[] value, ulong[] mask, int[] start, int[] feature, double[] zero, long[] table, double[] tables)
    {
        _value = value;
        _mask = mask;
        _start = start;
        _feature = feature;
        _zero = zero;
        _table = table;
        _tables = tables;
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
        var table = new long[leaves];
        long size = 0;
        for (var g = 0; g < leaves; g++)
        {
            var u = start[g + 1] - start[g];
            if (u > 0 && u <= MaxTableFeatures && size + ((long)u << u) <= MaxTableNumbers)
            {
                table[g] = size;
                size += (long)u << u;
            }
            else
            {
                table[g] = -1;
            }
        }

        var tables = new double[size];
        Parallel.For(0, leaves, g =>
        {
            if (table[g] < 0)
            {
                return;
            }

            var u = start[g + 1] - start[g];
            var z = zeroes.AsSpan(start[g], u);
            for (var m = 0u; m < 1u << u; m++)
            {
                Contributions(value[g], z, m, tables.AsSpan((int)(table[g] + (m * u)), u));
            }
        });
        return new LeafShap(value, mask, start, feature, zeroes, table, tables);
    }

    /// <summary>Leaves whose contributions are tabulated, and leaves computed on the fly (for tests and benchmarks).</summary>
    public (int Tabulated, int OnTheFly) LeafCounts
    {
        get
        {
            int tabulated = 0, onTheFly = 0;
            for (var g = 0; g < _table.Length; g++)
            {
                if (_start[g + 1] > _start[g])
                {
                    _ = _table[g] >= 0 ? tabulated++ : onTheFly++;
                }
            }

            return (tabulated, onTheFly);
        }
    }

    /// <summary>
    /// Adds the contributions of leaf <paramref name="g"/> (numbered across the forest, tree after tree, as the predictor's
    /// flattened nodes number them) for a row that followed the features of <paramref name="followed"/> on its way.
    /// </summary>
    /// <param name="g">The leaf.</param>
    /// <param name="followed">Bit f set when every split on feature f above the leaf sent the row toward it.</param>
    /// <param name="phi">Receives the contributions (added to what it holds).</param>
    /// <param name="scratch">At least 64 numbers, for leaves without a table; overwritten.</param>
    public void Leaf(int g, ulong followed, Span<double> phi, Span<double> scratch)
    {
        var begin = _start[g];
        var u = _start[g + 1] - begin;
        var features = _feature.AsSpan(begin, u);
        var local = (uint)(Bmi2.X64.IsSupported ? Bmi2.X64.ParallelBitExtract(followed, _mask[g]) : Extract(followed, features));
        ReadOnlySpan<double> c;
        var table = _table[g];
        if (table >= 0)
        {
            c = _tables.AsSpan((int)(table + (local * u)), u);
        }
        else
        {
            // u is at most 64: the masks are 64-bit, so Build refuses models over more features.
            var computed = scratch[..u];
            Contributions(_value[g], _zero.AsSpan(begin, u), local, computed);
            c = computed;
        }

        for (var k = 0; k < c.Length; k++)
        {
            phi[features[k]] += c[k];
        }
    }

    private static uint Extract(ulong followed, ReadOnlySpan<int> features)
    {
        var local = 0u;
        for (var k = 0; k < features.Length; k++)
        {
            local |= (uint)((followed >> features[k]) & 1) << k;
        }

        return local;
    }

    /// <summary>
    /// The Shapley values of one leaf's product game for a row that follows the features of <paramref name="followed"/>
    /// (bit k for the leaf's k-th feature): <c>v · (o_i − z_i) · Σ_k w_k [t^k] Π_{j≠i} (z_j + o_j t)</c>.
    /// </summary>
    private static void Contributions(double value, ReadOnlySpan<double> zero, uint followed, Span<double> output)
    {
        var u = zero.Length;
        Span<double> p = stackalloc double[u + 1];
        p.Clear();
        p[0] = 1;
        var degree = 0;
        for (var j = 0; j < u; j++)
        {
            var z = zero[j];
            if ((followed >> j & 1) == 1)
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

        var w = ShapleyWeights(u);
        for (var i = 0; i < u; i++)
        {
            var z = zero[i];
            var one = (followed >> i & 1) == 1;
            var factor = (one ? 1 : 0) - z;
            if (factor == 0)
            {
                output[i] = 0;
                continue;
            }

            double sum = 0;
            if (one)
            {
                // Divide by (z + t), from the top: q_{k-1} = p_k - z q_k.
                var qk = 0.0;
                for (var k = degree; k >= 1; k--)
                {
                    qk = p[k] - (z * qk);
                    sum += w[k - 1] * qk;
                }
            }
            else
            {
                for (var k = 0; k <= degree; k++)
                {
                    sum += w[k] * p[k];
                }

                sum /= z;
            }

            output[i] = value * factor * sum;
        }
    }

    private static readonly double[][] Weights = BuildWeights(64);

    /// <summary>k!(u−1−k)!/u! for k = 0..u−1: the Shapley weight of a coalition of k of the other u − 1 players.</summary>
    private static double[] ShapleyWeights(int u) => Weights[u];

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
}
