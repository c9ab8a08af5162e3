using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CreditScoring.Sdk.Features;

namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>Which total feature importance measures.</summary>
public enum FeatureImportanceKind
{
    /// <summary>The sum of the gains of the splits on the feature (LightGBM <c>importance_type=gain</c>, XGBoost <c>total_gain</c>).</summary>
    Gain,

    /// <summary>The number of splits on the feature (LightGBM <c>importance_type=split</c>, XGBoost <c>weight</c>).</summary>
    SplitCount,
}

/// <summary>The importance of one feature in a tree ensemble.</summary>
/// <param name="Feature">The feature name.</param>
/// <param name="Gain">The total gain of its splits.</param>
/// <param name="SplitCount">The number of its splits.</param>
public sealed record FeatureImportance(string Feature, double Gain, int SplitCount);

/// <summary>How a boosting fit ended.</summary>
/// <param name="IterationsRun">Rounds boosted before stopping.</param>
/// <param name="BestIteration">The number of trees kept (the best validation round when early stopping ran; otherwise all).</param>
/// <param name="EarlyStoppingMetric">The metric early stopping watched, or <see langword="null"/> when it was off.</param>
/// <param name="BestValidationScore">The validation metric after <paramref name="BestIteration"/> trees, or NaN.</param>
public sealed record GradientBoostingTrainingSummary(int IterationsRun, int BestIteration, EarlyStoppingMetric? EarlyStoppingMetric, double BestValidationScore);

/// <summary>
/// A boosted tree ensemble: margin = <see cref="BaseMargin"/> + Σₜ treeₜ(x). Trained by
/// <see cref="GradientBoostingLearner"/> or imported from XGBoost or LightGBM (see
/// <c>CreditScoring.Sdk.Interop</c>). On machines with AVX-512 the trees of up to 32 leaves with continuous
/// splits are scored branch-free, 32 trees at a time (QuickScorer's bit vectors, see the README's Performance
/// section); the others are walked node by node in one flat node array. Both reach the same leaves, and a single
/// row and a batch add the trees in the same order, so every path gives identical bits. Immutable and
/// thread-safe; <see cref="PredictMargin"/> does not allocate.
/// </summary>
public sealed class GradientBoostingPredictor : IExplainablePredictor
{
    /// <summary>The serialisation kind.</summary>
    public const string KindName = "gradient-boosting";

    private const int DefaultLeftFlag = 1;
    private const int CategoricalFlag = 2;
    private const int BlockRows = 64;
    private const int MaxStackTable = 2048;

    private readonly FeatureInfo[] _features;
    private readonly RegressionTree[] _trees;
    private readonly Node[] _nodes;
    private readonly double[] _leaves;
    private readonly int[] _roots;
    private readonly ulong[] _categoryWords;
    private readonly BitVectorForest? _forest;
    private readonly Lazy<(double Expected, int Depth)> _shap;
    private readonly Lazy<LeafShap?> _leafShap;

    /// <summary>Creates a predictor from trees.</summary>
    /// <param name="features">The features the trees read, in order.</param>
    /// <param name="baseMargin">The margin before any tree (log-odds of the starting probability).</param>
    /// <param name="trees">The trees.</param>
    /// <param name="summary">How training ended, or <see langword="null"/> for an imported model.</param>
    /// <exception cref="ArgumentException">A tree splits on a feature that does not exist, or the base margin is not finite.</exception>
    public GradientBoostingPredictor(IReadOnlyList<FeatureInfo> features, double baseMargin, IReadOnlyList<RegressionTree> trees, GradientBoostingTrainingSummary? summary = null)
        : this(features, baseMargin, trees, summary, compile: true)
    {
    }

    /// <summary>Creates a predictor; <paramref name="compile"/> false walks every tree node by node (tests compare the two).</summary>
    internal GradientBoostingPredictor(IReadOnlyList<FeatureInfo> features, double baseMargin, IReadOnlyList<RegressionTree> trees, GradientBoostingTrainingSummary? summary, bool compile)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(trees);
        if (!double.IsFinite(baseMargin))
        {
            throw new ArgumentException($"The base margin {baseMargin} is not finite.", nameof(baseMargin));
        }

        _features = [.. features];
        _trees = [.. trees];
        BaseMargin = baseMargin;
        _shap = new Lazy<(double, int)>(ShapSetup);
        _leafShap = new Lazy<LeafShap?>(() => LeafShap.Build(_trees, _features.Length));
        TrainingSummary = summary;

        var nodeCount = 0;
        var leafCount = 0;
        var words = new List<ulong>();
        foreach (var tree in _trees)
        {
            nodeCount += tree.NodeCount;
            leafCount += tree.LeafCount;
        }

        _nodes = new Node[nodeCount];
        _leaves = new double[leafCount];
        _roots = new int[_trees.Length];
        int nodeBase = 0, leafBase = 0;
        for (var t = 0; t < _trees.Length; t++)
        {
            var tree = _trees[t];
            for (var l = 0; l < tree.LeafCount; l++)
            {
                var v = tree.LeafValue[l];
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"Tree {t} has a non-finite value in leaf {l}.", nameof(trees));
                }

                _leaves[leafBase + l] = v;
            }

            // Breadth first, so that every parent comes before its children (the explainer's walk relies on it).
            _roots[t] = tree.NodeCount == 0 ? ~leafBase : nodeBase;
            var order = tree.BreadthFirstNodes();
            var position = new int[order.Length];
            for (var k = 0; k < order.Length; k++)
            {
                position[order[k]] = k;
            }

            for (var k = 0; k < order.Length; k++)
            {
                var i = order[k];
                var f = tree.SplitFeature[i];
                if (f >= _features.Length)
                {
                    throw new ArgumentException($"Tree {t} node {i} splits on feature {f}, but the model has {_features.Length} features.", nameof(trees));
                }

                int Global(int c) => c >= 0 ? nodeBase + position[c] : ~(leafBase + ~c);
                var flags = tree.DefaultLeft[i] ? DefaultLeftFlag : 0;
                if (tree.CategorySet[i] is { } set)
                {
                    var max = set.Length == 0 ? 0 : set[^1];
                    var count = (max >> 6) + 1;
                    var offset = words.Count;
                    words.Add((ulong)count);
                    for (var w = 0; w < count; w++)
                    {
                        words.Add(0);
                    }

                    foreach (var code in set)
                    {
                        words[offset + 1 + (code >> 6)] |= 1UL << (code & 63);
                    }

                    flags = CategoricalFlag | (offset << 2);
                }

                _nodes[nodeBase + k] = new Node(tree.Threshold[i], f, Global(tree.LeftChild[i]), Global(tree.RightChild[i]), flags);
            }

            nodeBase += tree.NodeCount;
            leafBase += tree.LeafCount;
        }

        _categoryWords = [.. words];
        _forest = compile ? BitVectorForest.TryCreate(_trees) : null;
    }

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public IReadOnlyList<FeatureInfo> Features => _features;

    /// <summary>The margin before any tree.</summary>
    public double BaseMargin { get; }

    /// <summary>The trees, in boosting order.</summary>
    public IReadOnlyList<RegressionTree> Trees => _trees;

    /// <summary>How training ended, or <see langword="null"/> for an imported model.</summary>
    public GradientBoostingTrainingSummary? TrainingSummary { get; }

    /// <summary>
    /// The margin of one row split into one additive contribution per feature: exact path-dependent TreeSHAP (Lundberg et
    /// al., Nature Machine Intelligence 2020), each node's branches weighted by their training hessian sums (the covers), as
    /// XGBoost's <c>pred_contribs</c>. Computed leaf by leaf from per-leaf tables built on the first call (Yang 2021's Fast
    /// TreeSHAP v2 idea: at most 128 MiB of tables), or with Algorithm 2 for models over more than 64 features. Allocates
    /// nothing. The returned base value (<see cref="BaseMargin"/> plus each tree's
    /// cover-weighted mean leaf value) plus the contributions equals <see cref="PredictMargin"/> of the row, to rounding.
    /// Values are on the margin (log-odds) scale, before any calibration.
    /// </summary>
    /// <param name="features">The row, <see cref="Features"/> long.</param>
    /// <param name="contributions">Receives one contribution per feature (overwritten), <see cref="Features"/> long.</param>
    /// <returns>The base value.</returns>
    /// <exception cref="ConfigurationException">The trees hold no covers (an imported model saved without them), which the algorithm needs.</exception>
    public double ExplainMargin(ReadOnlySpan<double> features, Span<double> contributions)
    {
        if (features.Length < _features.Length || contributions.Length < _features.Length)
        {
            throw new ArgumentException($"The row has {features.Length} features and the output {contributions.Length} places; the model reads {_features.Length}.", nameof(features));
        }

        var (expected, depth) = PathDependentSetup();
        ExplainRow(features, contributions, depth);
        return expected;
    }

    /// <summary>
    /// <see cref="ExplainMargin(ReadOnlySpan{double}, Span{double})"/> for every row of a matrix, into one row-major
    /// span (row r's contributions at <c>r · Features.Count</c>). The same numbers, bit for bit, as row by row, faster:
    /// on processors with 256-bit vectors eight rows go through the trees together, four to a vector. One thread; the scorer and the
    /// explainer split large tables into blocks over their threads. Allocates nothing.
    /// </summary>
    /// <param name="features">The rows.</param>
    /// <param name="contributions">Receives <c>RowCount × Features.Count</c> contributions (overwritten).</param>
    /// <returns>The base value, the same for every row.</returns>
    /// <exception cref="ConfigurationException">The trees hold no covers (see <see cref="ExplainMargin(ReadOnlySpan{double}, Span{double})"/>).</exception>
    public double ExplainMargins(FeatureMatrix features, Span<double> contributions)
    {
        ArgumentNullException.ThrowIfNull(features);
        var p = _features.Length;
        if (features.ColumnCount < p || contributions.Length < (long)features.RowCount * p)
        {
            throw new ArgumentException($"The matrix has {features.ColumnCount} columns and the output {contributions.Length} places; the model reads {p} features of {features.RowCount} rows.", nameof(features));
        }

        var (expected, depth) = PathDependentSetup();
        ExplainRows(features.RawColumns, 0, features.RowCount, contributions, depth);
        return expected;
    }

    /// <summary>
    /// <see cref="ExplainMargins(FeatureMatrix, Span{double})"/> for <see cref="ContributionMethod.PathDependent"/>;
    /// row by row for <see cref="ContributionMethod.Interventional"/>.
    /// </summary>
    /// <param name="features">The rows.</param>
    /// <param name="contributions">Receives <c>RowCount × Features.Count</c> contributions (overwritten).</param>
    /// <param name="background">The training background; interventional contributions need its sample.</param>
    /// <param name="method">The expectation.</param>
    /// <returns>The base value, the same for every row.</returns>
    /// <exception cref="ConfigurationException">As <see cref="ExplainMargin(ReadOnlySpan{double}, Span{double}, FeatureBackground?, ContributionMethod)"/>.</exception>
    public double ExplainMargins(FeatureMatrix features, Span<double> contributions, FeatureBackground? background, ContributionMethod method) =>
        method == ContributionMethod.PathDependent ? ExplainMargins(features, contributions) : IExplainablePredictor.ExplainRowByRow(this, features, contributions, background, method);

    /// <summary>The base value and depth of path-dependent TreeSHAP, or the error of a model without covers.</summary>
    private (double Expected, int Depth) PathDependentSetup()
    {
        var setup = _shap.Value;
        if (double.IsNaN(setup.Expected))
        {
            throw new ConfigurationException("The model's trees hold no training covers (hessian sums per node), which path-dependent TreeSHAP weighs the branches by; an imported model needs them in its file (XGBoost JSON's sum_hessian, LightGBM text's internal_weight and leaf_weight). Interventional contributions (ContributionMethod.Interventional, with a background sample) need no covers.");
        }

        return setup;
    }

    /// <summary>Rows <c>start .. start + count</c> of column-major features, explained into row-major contributions.</summary>
    internal void ExplainRows(double[][] columns, int start, int count, Span<double> contributions, int depth)
    {
        var p = _features.Length;
        var r = 0;
        const int Block = LeafShap.BlockRows;
        if (_leafShap.Value is { } tables && Vector256.IsHardwareAccelerated && count >= Block)
        {
            var slots = _nodes.Length + _leaves.Length;
            var masks = ArrayPool<ulong>.Shared.Rent(Block * slots);
            var phi = ArrayPool<double>.Shared.Rent(Block * p);
            try
            {
                for (; r + Block <= count; r += Block)
                {
                    FollowedBlock(columns, start + r, masks);
                    var block = phi.AsSpan(0, Block * p);
                    block.Clear();
                    tables.AddBlock(masks.AsSpan(Block * _nodes.Length, Block * _leaves.Length), block);
                    for (var lane = 0; lane < Block; lane++)
                    {
                        var row = contributions.Slice((r + lane) * p, p);
                        for (var f = 0; f < p; f++)
                        {
                            row[f] = block[(Block * f) + lane];
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<ulong>.Shared.Return(masks);
                ArrayPool<double>.Shared.Return(phi);
            }
        }

        if (r == count)
        {
            return;
        }

        var x = ArrayPool<double>.Shared.Rent(p);
        try
        {
            for (; r < count; r++)
            {
                for (var f = 0; f < p; f++)
                {
                    x[f] = columns[f][start + r];
                }

                ExplainRow(x.AsSpan(0, p), contributions.Slice(r * p, p), depth);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(x);
        }
    }

    /// <summary>One row's path-dependent contributions (overwritten), from the tables or by Algorithm 2.</summary>
    private void ExplainRow(ReadOnlySpan<double> features, Span<double> contributions, int depth)
    {
        contributions[.._features.Length].Clear();
        if (_leafShap.Value is { } tables)
        {
            AddTabulated(tables, features, contributions);
            return;
        }

        var length = TreeShap.BufferLength(depth);
        TreeShap.PathElement[]? rented = null;
        var buffer = length <= MaxStackPath ? stackalloc TreeShap.PathElement[length] : (rented = ArrayPool<TreeShap.PathElement>.Shared.Rent(length));
        try
        {
            AddByPaths(features, contributions, buffer);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<TreeShap.PathElement>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The tabulated TreeSHAP of this model, or <see langword="null"/> when it reads more than 64 features (tests).</summary>
    internal LeafShap? LeafShapTables => _leafShap.Value;

    /// <summary>The tabulated form one number at a time, as on processors without vectors (tests compare the two).</summary>
    internal void ExplainByNumbers(ReadOnlySpan<double> features, Span<double> contributions)
    {
        contributions[.._features.Length].Clear();
        AddTabulated(_leafShap.Value!, features, contributions, vectors: false);
    }

    /// <summary>Algorithm 2 itself, tree by tree, for tests that compare it with the tabulated form.</summary>
    internal void ExplainByPaths(ReadOnlySpan<double> features, Span<double> contributions)
    {
        contributions[.._features.Length].Clear();
        AddByPaths(features, contributions, new TreeShap.PathElement[TreeShap.BufferLength(_shap.Value.Depth)]);
    }

    /// <summary>Adds every tree's contributions by Algorithm 2 (models over more than 64 features).</summary>
    private void AddByPaths(ReadOnlySpan<double> features, Span<double> contributions, Span<TreeShap.PathElement> buffer)
    {
        foreach (var tree in _trees)
        {
            TreeShap.Add(tree, features, contributions, buffer);
        }
    }

    /// <summary>
    /// Adds every tree's contributions from the leaf tables. First, without a branch on the row, every node of the
    /// flattened forest (breadth first, so a parent before its children) hands each child the features whose splits so
    /// far all sent the row toward it; then the tables turn each leaf's features into its share.
    /// </summary>
    private void AddTabulated(LeafShap tables, ReadOnlySpan<double> x, Span<double> phi, bool vectors = true)
    {
        var nodes = _nodes;
        var nodeCount = nodes.Length;
        var masks = ArrayPool<ulong>.Shared.Rent(nodeCount + _leaves.Length);
        try
        {
            foreach (var root in _roots)
            {
                // A one-leaf tree splits on nothing: its leaf follows every feature (it has none).
                masks[Slot(root, nodeCount)] = ulong.MaxValue;
            }

            for (var i = 0; i < nodeCount; i++)
            {
                ref var n = ref nodes[i];
                var followed = masks[i];
                var right = (ulong)GoesRight(ref n, x[n.Feature]);
                var bit = 1UL << n.Feature;

                masks[Slot(n.Left, nodeCount)] = followed & ~(bit & (0 - right));
                masks[Slot(n.Right, nodeCount)] = followed & ~(bit & (right - 1));
            }

            tables.Add(masks.AsSpan(nodeCount, _leaves.Length), phi, vectors && Vector256.IsHardwareAccelerated);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(masks);
        }
    }

    /// <summary>
    /// Where the explainer's node pass keeps a child's mask: a node at its own index, a leaf after the nodes
    /// (branch-free: <c>c &gt;&gt; 31</c> is −1 for a leaf, numbered <c>~c</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(int child, int nodeCount) => (child ^ (child >> 31)) + (nodeCount & (child >> 31));

    /// <summary>
    /// The first half of <see cref="AddTabulated"/> for <see cref="LeafShap.BlockRows"/> rows at once (rows
    /// <c>row ..</c> of the columns), four to a vector: each slot of <paramref name="masks"/> holds the rows' masks.
    /// </summary>
    private void FollowedBlock(double[][] columns, int row, ulong[] masks)
    {
        const int Block = LeafShap.BlockRows;
        var nodes = _nodes;
        var nodeCount = nodes.Length;
        var vectors = MemoryMarshal.Cast<ulong, Vector256<ulong>>(masks.AsSpan(0, Block * (nodeCount + _leaves.Length)));
        foreach (var root in _roots)
        {
            var slot = 2 * Slot(root, nodeCount);
            vectors[slot] = vectors[slot + 1] = Vector256<ulong>.AllBitsSet;
        }

        for (var i = 0; i < nodeCount; i++)
        {
            ref var n = ref nodes[i];
            var column = columns[n.Feature];
            var bit = Vector256.Create(1UL << n.Feature);
            var leftSlot = 2 * Slot(n.Left, nodeCount);
            var rightSlot = 2 * Slot(n.Right, nodeCount);
            for (var half = 0; half < 2; half++)
            {
                var at = row + (4 * half);
                Vector256<ulong> left;
                if ((n.Flags & CategoricalFlag) == 0)
                {
                    // As GoesRight: left when x ≤ threshold, or when x is missing and the default is left.
                    var x = Vector256.Create<double>(column.AsSpan(at, 4));
                    var le = Vector256.LessThanOrEqual(x, Vector256.Create(n.Threshold)).AsUInt64();
                    var nan = ~Vector256.Equals(x, x).AsUInt64();
                    left = le | (nan & Vector256.Create(0UL - (ulong)(n.Flags & DefaultLeftFlag)));
                }
                else
                {
                    left = Vector256.Create(
                        0UL - (ulong)(1 - GoesRight(ref n, column[at])),
                        0UL - (ulong)(1 - GoesRight(ref n, column[at + 1])),
                        0UL - (ulong)(1 - GoesRight(ref n, column[at + 2])),
                        0UL - (ulong)(1 - GoesRight(ref n, column[at + 3])));
                }

                var followed = vectors[(2 * i) + half];
                vectors[leftSlot + half] = Vector256.AndNot(followed, Vector256.AndNot(bit, left));
                vectors[rightSlot + half] = Vector256.AndNot(followed, bit & left);
            }
        }
    }

    /// <summary>Path elements kept on the stack (32 bytes each): enough for trees up to depth 42.</summary>
    private const int MaxStackPath = 1024;

    /// <summary>
    /// The margin of one row split into contributions: <see cref="ContributionMethod.PathDependent"/> is
    /// <see cref="ExplainMargin(ReadOnlySpan{double}, Span{double})"/>; <see cref="ContributionMethod.Interventional"/> averages
    /// the exact interventional Shapley values (Lundberg et al. 2020, "Independent Tree SHAP") against every background
    /// row, and its base value is <see cref="BaseMargin"/> plus the mean margin of the background rows' trees.
    /// </summary>
    /// <param name="features">The row.</param>
    /// <param name="contributions">Receives one contribution per feature (overwritten).</param>
    /// <param name="background">The training background; interventional contributions need its sample.</param>
    /// <param name="method">The expectation.</param>
    /// <returns>The base value.</returns>
    /// <exception cref="ConfigurationException">Path-dependent: the trees hold no covers. Interventional: no background sample.</exception>
    public double ExplainMargin(ReadOnlySpan<double> features, Span<double> contributions, FeatureBackground? background, ContributionMethod method)
    {
        if (method == ContributionMethod.PathDependent)
        {
            return ExplainMargin(features, contributions);
        }

        if (features.Length < _features.Length || contributions.Length < _features.Length)
        {
            throw new ArgumentException($"The row has {features.Length} features and the output {contributions.Length} places; the model reads {_features.Length}.", nameof(features));
        }

        if (background is not { SampleCount: > 0 } || background.Means.Count != _features.Length)
        {
            throw new ConfigurationException("Interventional contributions need a background sample of training rows saved in the model, and this model holds none; train it with a background sample (the default), add one with model.WithBackground(trainingData, seed), or use ContributionMethod.PathDependent.");
        }

        var p = _features.Length;
        var phi = contributions[..p];
        phi.Clear();
        var depth = _shap.Value.Depth;
        byte[]? rentedOwner = null;
        var owner = p <= 1024 ? stackalloc byte[p] : (rentedOwner = ArrayPool<byte>.Shared.Rent(p)).AsSpan(0, p);
        owner.Clear();
        Span<int> claimed = depth <= 256 ? stackalloc int[Math.Max(depth, 1)] : new int[depth];
        var expected = 0.0;
        try
        {
            for (var s = 0; s < background.SampleCount; s++)
            {
                var z = background.SampleRow(s);
                foreach (var tree in _trees)
                {
                    expected += tree.Predict(z);
                    TreeShap.AddInterventional(tree, features, z, phi, owner, claimed);
                }
            }
        }
        finally
        {
            if (rentedOwner is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedOwner);
            }
        }

        var count = background.SampleCount;
        for (var j = 0; j < p; j++)
        {
            phi[j] /= count;
        }

        return BaseMargin + (expected / count);
    }

    /// <summary>The base value of path-dependent <see cref="ExplainMargin(ReadOnlySpan{double}, Span{double})"/> (NaN when a node has no cover) and the deepest leaf, computed once.</summary>
    private (double Expected, int Depth) ShapSetup()
    {
        var expected = BaseMargin;
        var depth = 0;
        foreach (var tree in _trees)
        {
            for (var n = 0; n < tree.NodeCount; n++)
            {
                if (!(tree.NodeCover[n] > 0))
                {
                    expected = double.NaN;
                }
            }

            expected += TreeShap.ExpectedValue(tree);
            depth = Math.Max(depth, tree.NodeCount == 0 ? 0 : tree.LeafDepths().Max());
        }

        return (expected, depth);
    }

    /// <inheritdoc />
    public double PredictMargin(ReadOnlySpan<double> features)
    {
        if (features.Length < _features.Length)
        {
            throw new ArgumentException($"The row has {features.Length} features; the model reads {_features.Length}.", nameof(features));
        }

        var sum = BaseMargin;
        var roots = _roots;
        if (_forest is { } forest)
        {
            Span<ushort> table = forest.TableWidth <= MaxStackTable ? stackalloc ushort[forest.TableWidth] : new ushort[forest.TableWidth];
            forest.Bin(features, table);
            foreach (ref readonly var segment in forest.Segments)
            {
                sum = segment.Group >= 0 ? forest.Add(segment, table, sum) : sum + Walk(roots[segment.FirstTree], features);
            }

            return sum;
        }

        for (var t = 0; t < roots.Length; t++)
        {
            sum += Walk(roots[t], features);
        }

        return sum;
    }

    /// <summary>The number of trees scored branch-free (see <see cref="BitVectorForest"/>); the rest are walked node by node.</summary>
    internal int CompiledTreeCount => _forest?.CompiledCount ?? 0;

    /// <summary>The value of the leaf a row reaches in the tree at <paramref name="root"/>, walking its nodes.</summary>
    private double Walk(int root, ReadOnlySpan<double> features)
    {
        var nodes = _nodes;
        var node = root;
        while (node >= 0)
        {
            // A predicted branch beats a branch-free select for one row: the CPU runs ahead speculatively.
            ref readonly var n = ref nodes[node];
            var x = features[n.Feature];
            if ((n.Flags & CategoricalFlag) != 0)
            {
                node = InCategorySet(in n, x) ? n.Left : n.Right;
            }
            else if (x <= n.Threshold)
            {
                node = n.Left;
            }
            else
            {
                node = double.IsNaN(x) && (n.Flags & DefaultLeftFlag) != 0 ? n.Left : n.Right;
            }
        }

        return _leaves[~node];
    }

    /// <inheritdoc />
    public void PredictMargins(FeatureMatrix features, Span<double> margins)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.ColumnCount < _features.Length)
        {
            throw new ArgumentException($"The features have {features.ColumnCount} columns; the model reads {_features.Length}.", nameof(features));
        }

        if (margins.Length < features.RowCount)
        {
            throw new ArgumentException($"There is room for {margins.Length} margins, but there are {features.RowCount} rows.", nameof(margins));
        }

        var p = _features.Length;
        var forest = _forest;
        var walked = forest is null || forest.CompiledCount < _trees.Length;
        var block = walked ? ArrayPool<double>.Shared.Rent(BlockRows * Math.Max(p, 1)) : [];
        var tables = forest is null ? [] : ArrayPool<ushort>.Shared.Rent(BlockRows * forest.TableWidth);
        try
        {
            var columns = features.RawColumns;
            for (var start = 0; start < features.RowCount; start += BlockRows)
            {
                var count = Math.Min(BlockRows, features.RowCount - start);
                if (walked)
                {
                    for (var j = 0; j < p; j++)
                    {
                        var column = columns[j];
                        for (var r = 0; r < count; r++)
                        {
                            block[(r * p) + j] = column[start + r];
                        }
                    }
                }

                forest?.Bin(columns, start, count, tables);
                PredictBlock(block, p, tables, margins.Slice(start, count));
            }
        }
        finally
        {
            if (walked)
            {
                ArrayPool<double>.Shared.Return(block);
            }

            if (forest is not null)
            {
                ArrayPool<ushort>.Shared.Return(tables);
            }
        }
    }

    /// <summary>
    /// Scores a block into <paramref name="margins"/>, adding trees in the same order as <see cref="PredictMargin"/>:
    /// compiled trees from the rows' bin tables (<paramref name="tables"/>, one per <see cref="BitVectorForest.TableWidth"/>
    /// entries), the others by walking row-major rows (row r's features at <c>rows[r·stride ..]</c>).
    /// </summary>
    private void PredictBlock(double[] rows, int stride, ushort[] tables, Span<double> margins)
    {
        var forest = _forest;
        margins.Fill(BaseMargin);
        if (forest is null)
        {
            for (var t = 0; t < _roots.Length; t++)
            {
                WalkBlock(_roots[t], rows, stride, margins);
            }

            return;
        }

        foreach (ref readonly var segment in forest.Segments)
        {
            if (segment.Group >= 0)
            {
                forest.Add(segment, tables, margins);
            }
            else
            {
                WalkBlock(_roots[segment.FirstTree], rows, stride, margins);
            }
        }
    }

    /// <summary>Adds the tree at <paramref name="root"/> to the margins of row-major rows, walking four rows at a time.</summary>
    private void WalkBlock(int root, double[] rows, int stride, Span<double> margins)
    {
        var nodes = _nodes;
        var leaves = _leaves;
        var count = margins.Length;
        if (root < 0)
        {
            var v = leaves[~root];
            for (var r = 0; r < count; r++)
            {
                margins[r] += v;
            }

            return;
        }

        var r4 = 0;
        for (; r4 + 4 <= count; r4 += 4)
        {
            // Four independent walks interleaved: the CPU overlaps their dependent loads.
            int a = root, b = root, c = root, d = root;
            int oa = r4 * stride, ob = oa + stride, oc = ob + stride, od = oc + stride;
            while ((a & b & c & d) >= 0)
            {
                if (a >= 0)
                {
                    ref var n = ref nodes[a];
                    a = Next(ref n, rows[oa + n.Feature]);
                }

                if (b >= 0)
                {
                    ref var n = ref nodes[b];
                    b = Next(ref n, rows[ob + n.Feature]);
                }

                if (c >= 0)
                {
                    ref var n = ref nodes[c];
                    c = Next(ref n, rows[oc + n.Feature]);
                }

                if (d >= 0)
                {
                    ref var n = ref nodes[d];
                    d = Next(ref n, rows[od + n.Feature]);
                }
            }

            margins[r4] += leaves[~a];
            margins[r4 + 1] += leaves[~b];
            margins[r4 + 2] += leaves[~c];
            margins[r4 + 3] += leaves[~d];
        }

        for (; r4 < count; r4++)
        {
            var node = root;
            var o = r4 * stride;
            while (node >= 0)
            {
                ref var n = ref nodes[node];
                node = Next(ref n, rows[o + n.Feature]);
            }

            margins[r4] += leaves[~node];
        }
    }

    /// <summary>Per-feature importance over all trees, in feature order.</summary>
    /// <returns>One entry per feature (features never split on have 0 gain and 0 splits).</returns>
    public IReadOnlyList<FeatureImportance> FeatureImportances()
    {
        var gain = new double[_features.Length];
        var splits = new int[_features.Length];
        foreach (var tree in _trees)
        {
            for (var i = 0; i < tree.NodeCount; i++)
            {
                gain[tree.SplitFeature[i]] += tree.SplitGain[i];
                splits[tree.SplitFeature[i]]++;
            }
        }

        var result = new FeatureImportance[_features.Length];
        for (var j = 0; j < result.Length; j++)
        {
            result[j] = new FeatureImportance(_features[j].Name, gain[j], splits[j]);
        }

        return result;
    }

    /// <summary>Per-feature importance of one kind, in feature order.</summary>
    /// <param name="kind">Gain or split count.</param>
    /// <returns>One value per feature.</returns>
    public double[] FeatureImportances(FeatureImportanceKind kind)
    {
        var all = FeatureImportances();
        var values = new double[all.Count];
        for (var j = 0; j < values.Length; j++)
        {
            values[j] = kind == FeatureImportanceKind.Gain ? all[j].Gain : all[j].SplitCount;
        }

        return values;
    }

    /// <summary>The child a value leads to: branch-free for continuous splits (NaN goes left exactly when the node's default is left).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Next(ref Node n, double x) => Unsafe.Add(ref n.Left, GoesRight(ref n, x));

    /// <summary>1 when the value goes right at the node, 0 when it goes left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int GoesRight(ref Node n, double x)
    {
        if ((n.Flags & CategoricalFlag) == 0)
        {
            var le = Unsafe.BitCast<bool, byte>(x <= n.Threshold);
            var nan = Unsafe.BitCast<bool, byte>(double.IsNaN(x));
            return 1 ^ (le | (nan & n.Flags & DefaultLeftFlag));
        }

        return InCategorySet(in n, x) ? 0 : 1;
    }

    private bool InCategorySet(in Node n, double x)
    {
        if (!(x >= 0) || x >= int.MaxValue)
        {
            return false;
        }

        var code = (int)x;
        var offset = n.Flags >> 2;
        var word = code >> 6;
        return word < (int)_categoryWords[offset] && (_categoryWords[offset + 1 + word] & (1UL << (code & 63))) != 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Node(double threshold, int feature, int left, int right, int flags)
    {
        public double Threshold = threshold;
        public int Feature = feature;
        public int Flags = flags;
        public int Left = left;
        public int Right = right;
    }
}
