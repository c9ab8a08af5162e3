namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>
/// One regression tree of a boosted ensemble, in LightGBM's layout: internal nodes 0..<see cref="NodeCount"/>−1
/// (node 0 is the root when there is at least one split), leaves 0..<see cref="LeafCount"/>−1; a child index
/// c ≥ 0 is an internal node and c &lt; 0 is the leaf ~c.
/// A continuous split sends a row left when its value is ≤ <see cref="Threshold"/> and a missing (NaN) value
/// the way <see cref="DefaultLeft"/> says. A categorical split sends a row left when its category code is in
/// <see cref="CategorySet"/>; missing and unlisted codes go right. Immutable.
/// </summary>
public sealed class RegressionTree
{
    private readonly int[] _feature;
    private readonly double[] _threshold;
    private readonly bool[] _defaultLeft;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly int[]?[] _categories;
    private readonly double[] _gain;
    private readonly double[] _cover;
    private readonly double[] _leafValue;
    private readonly double[] _leafCover;

    /// <summary>Creates a tree; the arrays are taken as they are (not copied) and checked.</summary>
    /// <param name="splitFeature">Per internal node, the feature index.</param>
    /// <param name="threshold">Per internal node, the continuous threshold (ignored for categorical nodes).</param>
    /// <param name="defaultLeft">Per internal node, whether missing values go left (continuous nodes only).</param>
    /// <param name="leftChild">Per internal node, the left child (≥ 0 node, &lt; 0 leaf ~c).</param>
    /// <param name="rightChild">Per internal node, the right child.</param>
    /// <param name="categorySet">Per internal node, the sorted category codes that go left, or <see langword="null"/> for a continuous split.</param>
    /// <param name="splitGain">Per internal node, the split's gain.</param>
    /// <param name="nodeCover">Per internal node, the sum of hessians of the training rows that reached it.</param>
    /// <param name="leafValue">Per leaf, the value added to the margin (learning rate included).</param>
    /// <param name="leafCover">Per leaf, the sum of hessians of its training rows.</param>
    /// <exception cref="ArgumentException">The arrays do not describe a binary tree.</exception>
    internal RegressionTree(int[] splitFeature, double[] threshold, bool[] defaultLeft, int[] leftChild, int[] rightChild, int[]?[] categorySet, double[] splitGain, double[] nodeCover, double[] leafValue, double[] leafCover)
    {
        ArgumentNullException.ThrowIfNull(splitFeature);
        ArgumentNullException.ThrowIfNull(leafValue);
        var m = splitFeature.Length;
        if (threshold.Length != m || defaultLeft.Length != m || leftChild.Length != m || rightChild.Length != m || categorySet.Length != m || splitGain.Length != m || nodeCover.Length != m)
        {
            throw new ArgumentException($"A tree with {m} internal nodes needs {m} entries in every per-node array.");
        }

        if (leafValue.Length != m + 1 || leafCover.Length != m + 1)
        {
            throw new ArgumentException($"A tree with {m} internal nodes has {m + 1} leaves, but {leafValue.Length} leaf values and {leafCover.Length} leaf covers were given.");
        }

        var seenNode = new bool[m];
        var seenLeaf = new bool[m + 1];
        for (var i = 0; i < m; i++)
        {
            if (splitFeature[i] < 0)
            {
                throw new ArgumentException($"Node {i} splits on feature {splitFeature[i]}.");
            }

            foreach (var c in (ReadOnlySpan<int>)[leftChild[i], rightChild[i]])
            {
                if (c >= 0)
                {
                    if (c >= m || c == 0 || seenNode[c])
                    {
                        throw new ArgumentException($"Node {i} has child node {c}, which is out of range or has two parents.");
                    }

                    seenNode[c] = true;
                }
                else
                {
                    if (~c > m || seenLeaf[~c])
                    {
                        throw new ArgumentException($"Node {i} has child leaf {~c}, which is out of range or has two parents.");
                    }

                    seenLeaf[~c] = true;
                }
            }

            if (categorySet[i] is { } set)
            {
                for (var k = 0; k < set.Length; k++)
                {
                    if (set[k] < 0 || (k > 0 && set[k] <= set[k - 1]))
                    {
                        throw new ArgumentException($"Node {i}'s category set must hold distinct non-negative codes in ascending order.");
                    }
                }
            }
            else if (double.IsNaN(threshold[i]))
            {
                throw new ArgumentException($"Node {i} has a NaN threshold.");
            }
        }

        if (m > 0 && BreadthFirst(leftChild, rightChild).Length < m)
        {
            throw new ArgumentException($"Some of the {m} internal nodes cannot be reached from the root (node 0): their children form a cycle.");
        }

        _feature = splitFeature;
        _threshold = threshold;
        _defaultLeft = defaultLeft;
        _left = leftChild;
        _right = rightChild;
        _categories = categorySet;
        _gain = splitGain;
        _cover = nodeCover;
        _leafValue = leafValue;
        _leafCover = leafCover;
    }

    /// <summary>The number of internal (split) nodes.</summary>
    public int NodeCount => _feature.Length;

    /// <summary>The number of leaves (<see cref="NodeCount"/> + 1).</summary>
    public int LeafCount => _leafValue.Length;

    /// <summary>The split features as an array, for loops that must not go through an interface.</summary>
    internal int[] SplitFeatures => _feature;

    /// <summary>The left children as an array.</summary>
    internal int[] LeftChildren => _left;

    /// <summary>The right children as an array.</summary>
    internal int[] RightChildren => _right;

    /// <summary>Per internal node, the feature it splits on.</summary>
    public IReadOnlyList<int> SplitFeature => _feature;

    /// <summary>Per internal node, the continuous threshold: values ≤ it go left.</summary>
    public IReadOnlyList<double> Threshold => _threshold;

    /// <summary>Per internal node, whether a missing value goes left.</summary>
    public IReadOnlyList<bool> DefaultLeft => _defaultLeft;

    /// <summary>Per internal node, the left child (≥ 0 internal node, &lt; 0 leaf ~c).</summary>
    public IReadOnlyList<int> LeftChild => _left;

    /// <summary>Per internal node, the right child.</summary>
    public IReadOnlyList<int> RightChild => _right;

    /// <summary>Per internal node, the category codes that go left, or <see langword="null"/> for a continuous split.</summary>
    public IReadOnlyList<int[]?> CategorySet => _categories;

    /// <summary>Per internal node, the split's gain (the gain importance sums it).</summary>
    public IReadOnlyList<double> SplitGain => _gain;

    /// <summary>Per internal node, the sum of hessians of the training rows that reached it (XGBoost's cover).</summary>
    public IReadOnlyList<double> NodeCover => _cover;

    /// <summary>Per leaf, the value added to the margin.</summary>
    public IReadOnlyList<double> LeafValue => _leafValue;

    /// <summary>Per leaf, the sum of hessians of its training rows.</summary>
    public IReadOnlyList<double> LeafCover => _leafCover;

    /// <summary>The leaf a row falls in.</summary>
    /// <param name="features">The row's features.</param>
    /// <returns>The leaf index.</returns>
    public int GetLeaf(ReadOnlySpan<double> features)
    {
        if (_feature.Length == 0)
        {
            return 0;
        }

        var node = 0;
        while (node >= 0)
        {
            node = GoesLeft(node, features[_feature[node]]) ? _left[node] : _right[node];
        }

        return ~node;
    }

    /// <summary>The value the tree adds to the margin of a row.</summary>
    /// <param name="features">The row's features.</param>
    /// <returns>The leaf value.</returns>
    public double Predict(ReadOnlySpan<double> features) => _leafValue[GetLeaf(features)];

    /// <summary>Whether a value goes left at an internal node.</summary>
    /// <param name="node">The internal node.</param>
    /// <param name="value">The value of the node's feature.</param>
    /// <returns><see langword="true"/> for left.</returns>
    public bool GoesLeft(int node, double value)
    {
        if (_categories[node] is { } set)
        {
            return value >= 0 && value < int.MaxValue && Array.BinarySearch(set, (int)value) >= 0;
        }

        return double.IsNaN(value) ? _defaultLeft[node] : value <= _threshold[node];
    }

    /// <summary>The internal nodes reachable from the root, in breadth-first order (every parent before its children).</summary>
    internal int[] BreadthFirstNodes() => NodeCount == 0 ? [] : BreadthFirst(_left, _right);

    private static int[] BreadthFirst(int[] left, int[] right)
    {
        var order = new List<int>(left.Length) { 0 };
        for (var k = 0; k < order.Count; k++)
        {
            var node = order[k];
            foreach (var c in (ReadOnlySpan<int>)[left[node], right[node]])
            {
                if (c >= 0)
                {
                    order.Add(c);
                }
            }
        }

        return [.. order];
    }

    /// <summary>The depth of every leaf (the root's children have depth 1).</summary>
    /// <returns>One depth per leaf.</returns>
    public int[] LeafDepths()
    {
        var depth = new int[LeafCount];
        if (NodeCount == 0)
        {
            return depth;
        }

        var stack = new Stack<(int Node, int Depth)>();
        stack.Push((0, 0));
        while (stack.Count > 0)
        {
            var (node, d) = stack.Pop();
            foreach (var c in (ReadOnlySpan<int>)[_left[node], _right[node]])
            {
                if (c >= 0)
                {
                    stack.Push((c, d + 1));
                }
                else
                {
                    depth[~c] = d + 1;
                }
            }
        }

        return depth;
    }
}
