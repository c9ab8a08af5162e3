using System.Globalization;
using System.Text;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Interop;

/// <summary>
/// Reads and writes LightGBM's text model format (<c>Booster.save_model("model.txt")</c>, <c>version=v3</c>/<c>v4</c>)
/// for binary models. LightGBM compares in double precision (<c>x ≤ threshold</c>), as this SDK does, so an
/// export followed by an import scores bit for bit as the original. LightGBM folds the starting score into
/// the first tree; so does the export.
/// </summary>
public static class LightGbmModel
{
    private const int CategoricalMask = 1;
    private const int DefaultLeftMask = 2;

    /// <summary>Imports a <c>model.txt</c>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The ensemble; features are LightGBM's <c>feature_names</c>, all continuous (categorical splits read integer codes).</returns>
    /// <exception cref="ModelFormatException">The file is not a binary LightGBM text model this SDK can score; the message says why.</exception>
    public static GradientBoostingPredictor Import(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Imports a model from its text.</summary>
    /// <param name="text">The model text.</param>
    /// <param name="source">A name for error messages.</param>
    /// <returns>The ensemble.</returns>
    /// <exception cref="ModelFormatException">The text is not a binary LightGBM model this SDK can score.</exception>
    public static GradientBoostingPredictor Parse(string text, string source = "LightGBM model")
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        var line = 0;
        if (lines.Length == 0 || lines[0].Trim() != "tree")
        {
            throw new ModelFormatException($"{source}: the first line is not 'tree'; this is not a LightGBM text model.");
        }

        for (line = 1; line < lines.Length && !lines[line].StartsWith("Tree=", StringComparison.Ordinal); line++)
        {
            AddKeyValue(lines[line], header);
        }

        var numClass = int.Parse(Required(header, "num_class", source), CultureInfo.InvariantCulture);
        if (numClass != 1)
        {
            throw new ModelFormatException($"{source}: num_class={numClass}; a probability of default needs a binary model.");
        }

        var objective = Required(header, "objective", source).Split(' ');
        if (objective[0] is not ("binary" or "cross_entropy" or "xentropy"))
        {
            throw new ModelFormatException($"{source}: objective '{objective[0]}' is not binary log-loss.");
        }

        var sigmoid = 1.0;
        foreach (var part in objective.Skip(1))
        {
            if (part.StartsWith("sigmoid:", StringComparison.Ordinal))
            {
                sigmoid = double.Parse(part["sigmoid:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        var names = Required(header, "feature_names", source).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var trees = new List<RegressionTree>();
        while (line < lines.Length && lines[line].StartsWith("Tree=", StringComparison.Ordinal))
        {
            var index = trees.Count;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (line++; line < lines.Length && lines[line].Trim().Length > 0; line++)
            {
                AddKeyValue(lines[line], values);
            }

            trees.Add(ReadTree(values, index, names.Length, sigmoid, source));
            while (line < lines.Length && lines[line].Trim().Length == 0)
            {
                line++;
            }
        }

        if (line >= lines.Length || !lines[line].StartsWith("end of trees", StringComparison.Ordinal))
        {
            throw new ModelFormatException($"{source}: the model is truncated: no 'end of trees' line after tree {trees.Count - 1}.");
        }

        return new GradientBoostingPredictor(names.Select(n => new FeatureInfo(n, FeatureKind.Continuous)).ToArray(), 0.0, trees);
    }

    private static RegressionTree ReadTree(Dictionary<string, string> v, int index, int featureCount, double sigmoid, string source)
    {
        var where = $"{source}: tree {index}";
        var leaves = int.Parse(Required(v, "num_leaves", where), CultureInfo.InvariantCulture);
        var leafValue = Doubles(Required(v, "leaf_value", where));
        if (leafValue.Length != leaves)
        {
            throw new ModelFormatException($"{where}: {leafValue.Length} leaf values for num_leaves={leaves}.");
        }

        for (var i = 0; i < leafValue.Length; i++)
        {
            leafValue[i] *= sigmoid;
        }

        var leafCover = v.TryGetValue("leaf_weight", out var lw) ? Doubles(lw) : new double[leaves];
        if (leaves == 1)
        {
            return new RegressionTree([], [], [], [], [], [], [], [], leafValue, leafCover.Length == 1 ? leafCover : [0]);
        }

        var m = leaves - 1;
        var feature = Ints(Required(v, "split_feature", where));
        var threshold = Doubles(Required(v, "threshold", where));
        var decision = Ints(Required(v, "decision_type", where));
        var left = Ints(Required(v, "left_child", where));
        var right = Ints(Required(v, "right_child", where));
        var gain = v.TryGetValue("split_gain", out var sg) ? Doubles(sg) : new double[m];
        var cover = v.TryGetValue("internal_weight", out var iw) ? Doubles(iw) : new double[m];
        if (feature.Length != m || threshold.Length != m || decision.Length != m || left.Length != m || right.Length != m)
        {
            throw new ModelFormatException($"{where}: the split arrays do not all have num_leaves-1 = {m} entries.");
        }

        var boundaries = v.TryGetValue("cat_boundaries", out var cb) ? Ints(cb) : [];
        var bits = v.TryGetValue("cat_threshold", out var ct) ? ct.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => uint.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [];
        var defaultLeft = new bool[m];
        var categories = new int[]?[m];
        for (var i = 0; i < m; i++)
        {
            if (feature[i] < 0 || feature[i] >= featureCount)
            {
                throw new ModelFormatException($"{where}: node {i} splits on feature {feature[i]} of {featureCount}.");
            }

            var missingType = (decision[i] >> 2) & 3;
            var isDefaultLeft = (decision[i] & DefaultLeftMask) != 0;
            if ((decision[i] & CategoricalMask) != 0)
            {
                var k = (int)threshold[i];
                var set = new List<int>();
                for (var word = boundaries[k]; word < boundaries[k + 1]; word++)
                {
                    for (var bit = 0; bit < 32; bit++)
                    {
                        if ((bits[word] & (1u << bit)) != 0)
                        {
                            set.Add(((word - boundaries[k]) * 32) + bit);
                        }
                    }
                }

                if (missingType != 2 && set.Contains(0))
                {
                    throw new ModelFormatException($"{where}: node {i} sends missing values with category 0 (missing type {missingType}); only NaN-as-missing categorical splits are supported.");
                }

                categories[i] = [.. set];
                threshold[i] = 0;
                continue;
            }

            switch (missingType)
            {
                case 2: // NaN is missing: the default direction.
                    defaultLeft[i] = isDefaultLeft;
                    break;
                case 0: // None: NaN is treated as 0.
                    defaultLeft[i] = 0 <= threshold[i];
                    break;
                default: // Zero: 0 and NaN take the default direction.
                    if (isDefaultLeft != (0 <= threshold[i]))
                    {
                        throw new ModelFormatException($"{where}: node {i} treats zero as missing and sends it {(isDefaultLeft ? "left" : "right")}, against its threshold {threshold[i]}; zero_as_missing models are not supported.");
                    }

                    defaultLeft[i] = isDefaultLeft;
                    break;
            }
        }

        return new RegressionTree(feature, threshold, defaultLeft, left, right, categories, gain, cover, leafValue, leafCover.Length == leaves ? leafCover : new double[leaves]);
    }

    /// <summary>Writes a model in LightGBM's text format (<c>version=v3</c>).</summary>
    /// <param name="predictor">The ensemble.</param>
    /// <param name="path">The file to write (replaced atomically).</param>
    public static void Export(GradientBoostingPredictor predictor, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Data.OutputFiles.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(ToText(predictor)));
    }

    /// <summary>The LightGBM text of a model.</summary>
    /// <param name="predictor">The ensemble.</param>
    /// <returns>The model text.</returns>
    public static string ToText(GradientBoostingPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        var f = CultureInfo.InvariantCulture;
        var blocks = new List<string>();
        for (var t = 0; t < predictor.Trees.Count; t++)
        {
            blocks.Add(TreeBlock(predictor.Trees[t], t, t == 0 ? predictor.BaseMargin : 0.0));
        }

        if (blocks.Count == 0)
        {
            blocks.Add(TreeBlock(new RegressionTree([], [], [], [], [], [], [], [], [0.0], [0.0]), 0, predictor.BaseMargin));
        }

        var sb = new StringBuilder();
        sb.Append("tree\nversion=v3\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\n");
        sb.Append("max_feature_idx=").Append((predictor.Features.Count - 1).ToString(f)).Append('\n');
        sb.Append("objective=binary sigmoid:1\n");
        sb.Append("feature_names=").AppendJoin(' ', predictor.Features.Select(x => x.Name.Replace(' ', '_'))).Append('\n');
        sb.Append("feature_infos=").AppendJoin(' ', predictor.Features.Select(_ => "none")).Append('\n');
        sb.Append("tree_sizes=").AppendJoin(' ', blocks.Select(b => Encoding.UTF8.GetByteCount(b).ToString(f))).Append("\n\n");
        foreach (var block in blocks)
        {
            sb.Append(block);
        }

        sb.Append("end of trees\n\nparameters:\n[boosting: gbdt]\n[objective: binary]\nend of parameters\n\npandas_categorical:null\n");
        return sb.ToString();
    }

    private static string TreeBlock(RegressionTree tree, int index, double add)
    {
        var f = CultureInfo.InvariantCulture;
        string D(double x) => (double.IsPositiveInfinity(x) ? double.MaxValue : double.IsNegativeInfinity(x) ? double.MinValue : x).ToString("R", f);
        var sb = new StringBuilder();
        sb.Append("Tree=").Append(index.ToString(f)).Append('\n');
        sb.Append("num_leaves=").Append(tree.LeafCount.ToString(f)).Append('\n');
        var catNodes = Enumerable.Range(0, tree.NodeCount).Where(i => tree.CategorySet[i] is not null).ToArray();
        sb.Append("num_cat=").Append(catNodes.Length.ToString(f)).Append('\n');
        if (tree.NodeCount > 0)
        {
            var thresholds = new string[tree.NodeCount];
            var boundaries = new List<int> { 0 };
            var words = new List<uint>();
            for (var i = 0; i < tree.NodeCount; i++)
            {
                if (tree.CategorySet[i] is { } set)
                {
                    thresholds[i] = (boundaries.Count - 1).ToString(f);
                    var count = set.Length == 0 ? 1 : (set[^1] / 32) + 1;
                    var start = words.Count;
                    words.AddRange(new uint[count]);
                    foreach (var c in set)
                    {
                        words[start + (c / 32)] |= 1u << (c % 32);
                    }

                    boundaries.Add(words.Count);
                }
                else
                {
                    thresholds[i] = D(tree.Threshold[i]);
                }
            }

            sb.Append("split_feature=").AppendJoin(' ', tree.SplitFeature.Select(x => x.ToString(f))).Append('\n');
            sb.Append("split_gain=").AppendJoin(' ', tree.SplitGain.Select(D)).Append('\n');
            sb.Append("threshold=").AppendJoin(' ', thresholds).Append('\n');
            sb.Append("decision_type=").AppendJoin(' ', Enumerable.Range(0, tree.NodeCount).Select(i =>
                ((tree.CategorySet[i] is not null ? CategoricalMask : 0) | (tree.DefaultLeft[i] && tree.CategorySet[i] is null ? DefaultLeftMask : 0) | (2 << 2)).ToString(f))).Append('\n');
            sb.Append("left_child=").AppendJoin(' ', tree.LeftChild.Select(x => x.ToString(f))).Append('\n');
            sb.Append("right_child=").AppendJoin(' ', tree.RightChild.Select(x => x.ToString(f))).Append('\n');
            if (catNodes.Length > 0)
            {
                sb.Append("cat_boundaries=").AppendJoin(' ', boundaries.Select(x => x.ToString(f))).Append('\n');
                sb.Append("cat_threshold=").AppendJoin(' ', words.Select(x => x.ToString(f))).Append('\n');
            }
        }

        sb.Append("leaf_value=").AppendJoin(' ', tree.LeafValue.Select(x => D(add + x))).Append('\n');
        sb.Append("leaf_weight=").AppendJoin(' ', tree.LeafCover.Select(D)).Append('\n');
        sb.Append("leaf_count=").AppendJoin(' ', tree.LeafValue.Select(_ => "0")).Append('\n');
        if (tree.NodeCount > 0)
        {
            sb.Append("internal_value=").AppendJoin(' ', tree.NodeCover.Select(_ => "0")).Append('\n');
            sb.Append("internal_weight=").AppendJoin(' ', tree.NodeCover.Select(D)).Append('\n');
            sb.Append("internal_count=").AppendJoin(' ', tree.NodeCover.Select(_ => "0")).Append('\n');
        }

        sb.Append("is_linear=0\nshrinkage=1\n\n\n");
        return sb.ToString();
    }

    private static void AddKeyValue(string line, Dictionary<string, string> into)
    {
        var eq = line.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0)
        {
            into[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
    }

    private static string Required(Dictionary<string, string> values, string key, string where) =>
        values.TryGetValue(key, out var value) ? value : throw new ModelFormatException($"{where}: the required key '{key}' is missing.");

    private static int[] Ints(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    private static double[] Doubles(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseDouble).ToArray();

    private static double ParseDouble(string s) => s switch
    {
        "inf" or "+inf" or "Infinity" => double.PositiveInfinity,
        "-inf" or "-Infinity" => double.NegativeInfinity,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
