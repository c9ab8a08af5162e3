namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>
/// Exact path-dependent TreeSHAP (Lundberg, Erion, Chen et al., "From local explanations to global understanding with
/// explainable AI for trees", Nature Machine Intelligence 2, 2020, Algorithm 2): the Shapley values of one row for one
/// tree in O(leaves × depth²), with the conditional expectation E[f(x) | x_S] read off the tree, each node's children
/// weighted by their training cover (hessian sums, as XGBoost's <c>pred_contribs</c>). Missing values, default directions
/// and categorical splits need nothing special: the row's own path is the one <see cref="RegressionTree.GoesLeft"/>
/// takes, and the other branch is weighted by cover.
/// </summary>
internal static class TreeShap
{
    /// <summary>Path elements a tree of this depth needs: one path per level, each one longer than its parent's.</summary>
    public static int BufferLength(int depth) => (depth + 2) * (depth + 3) / 2;

    /// <summary>The tree's expected value over the training cover: Σ leaf value × leaf cover / total cover.</summary>
    public static double ExpectedValue(RegressionTree tree)
    {
        double weighted = 0, total = 0;
        for (var leaf = 0; leaf < tree.LeafCount; leaf++)
        {
            weighted += tree.LeafValue[leaf] * tree.LeafCover[leaf];
            total += tree.LeafCover[leaf];
        }

        return tree.NodeCount == 0 ? tree.LeafValue[0] : weighted / total;
    }

    /// <summary>Adds the tree's contribution of every feature for row <paramref name="x"/> to <paramref name="phi"/>.</summary>
    /// <param name="tree">The tree (with positive covers).</param>
    /// <param name="x">The row's features.</param>
    /// <param name="phi">Receives the contributions (added to what it holds).</param>
    /// <param name="buffer">At least <see cref="BufferLength"/>(the tree's depth) elements; overwritten.</param>
    public static void Add(RegressionTree tree, ReadOnlySpan<double> x, Span<double> phi, Span<PathElement> buffer)
    {
        if (tree.NodeCount == 0)
        {
            return;
        }

        Recurse(tree, x, phi, buffer, 0, 0, 0, 1, 1, -1);
    }

    private static double Cover(RegressionTree tree, int child) => child >= 0 ? tree.NodeCover[child] : tree.LeafCover[~child];

    /// <summary>
    /// One node of the walk. <paramref name="offset"/> is where the parent's path (<paramref name="depth"/> + 1 elements,
    /// the first a placeholder for the root) starts in <paramref name="buffer"/>; this node works on a copy just after it.
    /// </summary>
    private static void Recurse(RegressionTree tree, ReadOnlySpan<double> x, Span<double> phi, Span<PathElement> buffer, int offset, int node, int depth, double zero, double one, int feature)
    {
        var path = buffer[(offset + depth)..];
        if (depth > 0)
        {
            buffer.Slice(offset, depth).CopyTo(path);
        }

        Extend(path, depth, zero, one, feature);
        if (node < 0)
        {
            var value = tree.LeafValue[~node];
            for (var i = 1; i <= depth; i++)
            {
                var weight = UnwoundSum(path, depth, i);
                phi[path[i].Feature] += weight * (path[i].One - path[i].Zero) * value;
            }

            return;
        }

        var split = tree.SplitFeature[node];
        var goesLeft = tree.GoesLeft(node, x[split]);
        var (hot, cold) = goesLeft ? (tree.LeftChild[node], tree.RightChild[node]) : (tree.RightChild[node], tree.LeftChild[node]);
        var cover = tree.NodeCover[node];
        double incomingZero = 1, incomingOne = 1;
        var unique = depth;

        // A feature already on the path is taken off and put back with this node's fractions multiplied in.
        for (var k = 1; k <= depth; k++)
        {
            if (path[k].Feature == split)
            {
                incomingZero = path[k].Zero;
                incomingOne = path[k].One;
                Unwind(path, depth, k);
                unique--;
                break;
            }
        }

        var next = offset + depth;
        Recurse(tree, x, phi, buffer, next, hot, unique + 1, Cover(tree, hot) / cover * incomingZero, incomingOne, split);
        Recurse(tree, x, phi, buffer, next, cold, unique + 1, Cover(tree, cold) / cover * incomingZero, 0, split);
    }

    /// <summary>Grows the path by one element and updates the permutation weights (EXTEND).</summary>
    private static void Extend(Span<PathElement> path, int depth, double zero, double one, int feature)
    {
        path[depth] = new PathElement { Feature = feature, Zero = zero, One = one, Weight = depth == 0 ? 1 : 0 };
        for (var i = depth - 1; i >= 0; i--)
        {
            path[i + 1].Weight += one * path[i].Weight * (i + 1) / (depth + 1);
            path[i].Weight = zero * path[i].Weight * (depth - i) / (depth + 1);
        }
    }

    /// <summary>Removes element <paramref name="index"/> from the path, undoing its EXTEND (UNWIND).</summary>
    private static void Unwind(Span<PathElement> path, int depth, int index)
    {
        var (one, zero) = (path[index].One, path[index].Zero);
        var next = path[depth].Weight;
        for (var i = depth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var kept = path[i].Weight;
                path[i].Weight = next * (depth + 1) / ((i + 1) * one);
                next = kept - (path[i].Weight * zero * (depth - i) / (depth + 1));
            }
            else
            {
                path[i].Weight = path[i].Weight * (depth + 1) / (zero * (depth - i));
            }
        }

        for (var i = index; i < depth; i++)
        {
            path[i].Feature = path[i + 1].Feature;
            path[i].Zero = path[i + 1].Zero;
            path[i].One = path[i + 1].One;
        }
    }

    /// <summary>The total permutation weight of the path without element <paramref name="index"/>, without changing it.</summary>
    private static double UnwoundSum(ReadOnlySpan<PathElement> path, int depth, int index)
    {
        var (one, zero) = (path[index].One, path[index].Zero);
        var next = path[depth].Weight;
        var total = 0.0;
        for (var i = depth - 1; i >= 0; i--)
        {
            if (one != 0)
            {
                var w = next * (depth + 1) / ((i + 1) * one);
                total += w;
                next = path[i].Weight - (w * zero * (depth - i) / (depth + 1));
            }
            else
            {
                total += path[i].Weight / zero * (depth + 1) / (depth - i);
            }
        }

        return total;
    }

    /// <summary>
    /// Adds the tree's interventional Shapley values of row <paramref name="x"/> against one background row
    /// <paramref name="z"/> (Lundberg et al. 2020, "Independent Tree SHAP"): the game is v(S) = f(x_S, z_rest). Both rows
    /// walk the tree together; where they part at a split on a feature neither has claimed, both branches are followed, the
    /// feature claimed by x on one and by z on the other. A leaf reached with a features claimed by x and b by z adds
    /// value / (a·C(a+b, a)) to each of x's and subtracts value / (b·C(a+b, b)) from each of z's: exactly the Shapley
    /// values of the game "the leaf's value when every x-feature is present and every z-feature absent".
    /// </summary>
    /// <param name="tree">The tree.</param>
    /// <param name="x">The explained row.</param>
    /// <param name="z">The background row.</param>
    /// <param name="phi">Receives the contributions (added to what it holds).</param>
    /// <param name="owner">One entry per feature, all 0 on entry and on return: 1 claimed by x, 2 by z.</param>
    /// <param name="claimed">At least the tree's depth entries; overwritten.</param>
    public static void AddInterventional(RegressionTree tree, ReadOnlySpan<double> x, ReadOnlySpan<double> z, Span<double> phi, Span<byte> owner, Span<int> claimed)
    {
        if (tree.NodeCount == 0)
        {
            return;
        }

        Walk(tree, 0, x, z, phi, owner, claimed, 0, 0);
    }

    /// <summary>
    /// One node of the joint walk. <paramref name="claimed"/> holds the features claimed so far, x's and z's interleaved in
    /// path order; <paramref name="byX"/> and <paramref name="byZ"/> count them.
    /// </summary>
    private static void Walk(RegressionTree tree, int node, ReadOnlySpan<double> x, ReadOnlySpan<double> z, Span<double> phi, Span<byte> owner, Span<int> claimed, int byX, int byZ)
    {
        while (node >= 0)
        {
            var f = tree.SplitFeature[node];
            var left = tree.LeftChild[node];
            var right = tree.RightChild[node];
            var xLeft = tree.GoesLeft(node, x[f]);
            var zLeft = tree.GoesLeft(node, z[f]);
            if (owner[f] == 1 || xLeft == zLeft)
            {
                node = xLeft ? left : right;
            }
            else if (owner[f] == 2)
            {
                node = zLeft ? left : right;
            }
            else
            {
                var at = byX + byZ;
                claimed[at] = f;
                owner[f] = 1;
                Walk(tree, xLeft ? left : right, x, z, phi, owner, claimed, byX + 1, byZ);
                owner[f] = 2;
                Walk(tree, zLeft ? left : right, x, z, phi, owner, claimed, byX, byZ + 1);
                owner[f] = 0;
                return;
            }
        }

        var value = tree.LeafValue[~node];
        if (value == 0 || byX + byZ == 0)
        {
            return;
        }

        var n = byX + byZ;
        var toX = byX > 0 ? value / (byX * Binomial(n, byX)) : 0;
        var toZ = byZ > 0 ? value / (byZ * Binomial(n, byZ)) : 0;
        for (var k = 0; k < n; k++)
        {
            var f = claimed[k];
            phi[f] += owner[f] == 1 ? toX : -toZ;
        }
    }

    /// <summary>C(n, k) as a double (exact for the small n of a tree path).</summary>
    private static double Binomial(int n, int k)
    {
        var result = 1.0;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    /// <summary>One feature on the path from the root: its zero and one fractions and its permutation weight.</summary>
    internal struct PathElement
    {
        public int Feature;
        public double Zero;
        public double One;
        public double Weight;
    }
}
