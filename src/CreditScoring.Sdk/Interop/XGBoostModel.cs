using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Interop;

/// <summary>
/// Reads and writes XGBoost's JSON model format (<c>Booster.save_model("m.json")</c>, XGBoost ≥ 1.0;
/// schema: XGBoost's <c>doc/model.schema</c>) for binary models of the <c>gbtree</c> booster.
/// XGBoost compares features in single precision, <c>float(x) &lt; split_condition</c>; on import every
/// condition becomes the equivalent double threshold (x ≤ t exactly when float(x) &lt; c), so imported
/// models score as XGBoost does. XGBoost stores thresholds and leaf values as float32, so an exported
/// model scores within float32 rounding of ours (probabilities within 1e-6).
/// </summary>
public static class XGBoostModel
{
    /// <summary>Imports a model file.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The ensemble; its features are XGBoost's <c>feature_names</c> (or <c>f0</c>, <c>f1</c>, ... when it has none), all continuous.</returns>
    /// <exception cref="ModelFormatException">The file is not an XGBoost JSON model this SDK can score; the message says why.</exception>
    public static GradientBoostingPredictor Import(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Import(stream, path);
    }

    /// <summary>Imports a model from a stream.</summary>
    /// <param name="stream">The JSON.</param>
    /// <param name="source">A name for error messages.</param>
    /// <returns>The ensemble.</returns>
    /// <exception cref="ModelFormatException">The JSON is not an XGBoost model this SDK can score.</exception>
    public static GradientBoostingPredictor Import(Stream stream, string source = "XGBoost model")
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{source}: not valid JSON ({e.Message}).", e);
        }

        try
        {
            return Read(root ?? throw new ModelFormatException($"{source}: the JSON is null."), source);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ModelFormatException($"{source}: not an XGBoost JSON model of the expected shape ({e.Message}).", e);
        }
    }

    private static GradientBoostingPredictor Read(JsonNode root, string source)
    {
        var learner = root["learner"] ?? throw new ModelFormatException($"{source}: no \"learner\" object; this is not an XGBoost JSON model (save it with Booster.save_model(\"m.json\")).");
        var objective = learner["objective"]?["name"]?.GetValue<string>() ?? "?";
        if (objective is not ("binary:logistic" or "binary:logitraw" or "reg:logistic"))
        {
            throw new ModelFormatException($"{source}: objective '{objective}' is not a binary log-loss objective (binary:logistic, binary:logitraw or reg:logistic).");
        }

        var booster = learner["gradient_booster"]!;
        var boosterName = booster["name"]?.GetValue<string>();
        if (boosterName != "gbtree")
        {
            throw new ModelFormatException($"{source}: booster '{boosterName}' is not supported; only 'gbtree' (dart and gblinear are not).");
        }

        var parameters = learner["learner_model_param"]!;
        var numClass = int.Parse(parameters["num_class"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        if (numClass > 1)
        {
            throw new ModelFormatException($"{source}: a {numClass}-class model; a probability of default needs a binary model.");
        }

        var featureCount = int.Parse(parameters["num_feature"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var names = learner["feature_names"]?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];
        if (names.Length == 0)
        {
            names = Enumerable.Range(0, featureCount).Select(i => "f" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        else if (names.Length != featureCount)
        {
            throw new ModelFormatException($"{source}: {names.Length} feature names for num_feature {featureCount}.");
        }

        var baseScore = (float)double.Parse(parameters["base_score"]!.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture);
        var baseMargin = objective == "binary:logitraw" ? baseScore : Math.Log(baseScore / (1.0 - baseScore));
        if (!double.IsFinite(baseMargin))
        {
            throw new ModelFormatException($"{source}: base_score {baseScore} is not a probability strictly between 0 and 1.");
        }

        var model = booster["model"]!;
        var trees = model["trees"]!.AsArray();
        var info = model["tree_info"]!.AsArray();
        var result = new List<RegressionTree>(trees.Count);
        for (var t = 0; t < trees.Count; t++)
        {
            if (info[t]!.GetValue<int>() != 0)
            {
                throw new ModelFormatException($"{source}: tree {t} belongs to output group {info[t]}; only single-output models are supported.");
            }

            result.Add(ReadTree(trees[t]!, t, featureCount, source));
        }

        var features = names.Select(n => new FeatureInfo(n, FeatureKind.Continuous)).ToArray();
        return new GradientBoostingPredictor(features, baseMargin, result);
    }

    private static RegressionTree ReadTree(JsonNode tree, int index, int featureCount, string source)
    {
        var left = Ints(tree["left_children"]);
        var right = Ints(tree["right_children"]);
        var feature = Ints(tree["split_indices"]);
        var condition = Floats(tree["split_conditions"]);
        var defaultLeft = Ints(tree["default_left"]);
        var hessian = Floats(tree["sum_hessian"]);
        var gain = Floats(tree["loss_changes"]);
        var types = tree["split_type"] is { } st ? Ints(st) : new int[left.Length];
        var k = left.Length;
        if (right.Length != k || feature.Length != k || condition.Length != k || defaultLeft.Length != k)
        {
            throw new ModelFormatException($"{source}: tree {index} has arrays of different lengths.");
        }

        // Internal nodes keep XGBoost's relative order (the root first); leaves are numbered in node order.
        var internalIndex = new int[k];
        var leafIndex = new int[k];
        int internals = 0, leaves = 0;
        for (var i = 0; i < k; i++)
        {
            if (left[i] == -1)
            {
                leafIndex[i] = leaves++;
            }
            else
            {
                if (types[i] != 0)
                {
                    throw new ModelFormatException($"{source}: tree {index} node {i} is a categorical split; import models trained on numeric codes (XGBoost's enable_categorical is not supported).");
                }

                if (feature[i] < 0 || feature[i] >= featureCount)
                {
                    throw new ModelFormatException($"{source}: tree {index} node {i} splits on feature {feature[i]} of {featureCount}.");
                }

                internalIndex[i] = internals++;
            }
        }

        if (left[0] == -1)
        {
            return new RegressionTree([], [], [], [], [], [], [], [], [condition[0]], [hessian.Length > 0 ? hessian[0] : 0]);
        }

        var m = internals;
        var splitFeature = new int[m];
        var threshold = new double[m];
        var dl = new bool[m];
        var lc = new int[m];
        var rc = new int[m];
        var sg = new double[m];
        var cover = new double[m];
        var leafValue = new double[m + 1];
        var leafCover = new double[m + 1];
        if (leaves != m + 1)
        {
            throw new ModelFormatException($"{source}: tree {index} has {m} splits but {leaves} leaves.");
        }

        int Child(int node) => left[node] == -1 ? ~leafIndex[node] : internalIndex[node];
        for (var i = 0; i < k; i++)
        {
            if (left[i] == -1)
            {
                leafValue[leafIndex[i]] = condition[i];
                leafCover[leafIndex[i]] = hessian.Length > i ? hessian[i] : 0;
                continue;
            }

            var j = internalIndex[i];
            splitFeature[j] = feature[i];
            threshold[j] = Float32Threshold.FromFloatLessThan(condition[i]);
            dl[j] = defaultLeft[i] != 0;
            lc[j] = Child(left[i]);
            rc[j] = Child(right[i]);
            sg[j] = gain.Length > i ? gain[i] : 0;
            cover[j] = hessian.Length > i ? hessian[i] : 0;
        }

        return new RegressionTree(splitFeature, threshold, dl, lc, rc, new int[]?[m], sg, cover, leafValue, leafCover);
    }

    /// <summary>Writes a model in XGBoost's JSON format (as XGBoost 1.7 writes it); continuous splits only.</summary>
    /// <param name="predictor">The ensemble.</param>
    /// <param name="path">The file to write (replaced atomically).</param>
    /// <exception cref="NotSupportedException">A tree has a categorical split (XGBoost's categorical encoding differs); train with one-hot or numeric codes to export.</exception>
    public static void Export(GradientBoostingPredictor predictor, string path)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(path);
        Data.OutputFiles.WriteAllBytes(path, ToJson(predictor));
    }

    /// <summary>The XGBoost JSON of a model.</summary>
    /// <param name="predictor">The ensemble.</param>
    /// <returns>UTF-8 JSON.</returns>
    /// <exception cref="NotSupportedException">A tree has a categorical split.</exception>
    public static byte[] ToJson(GradientBoostingPredictor predictor)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        var p = predictor.Features.Count;
        var f = CultureInfo.InvariantCulture;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartObject("learner");
            w.WriteStartObject("attributes");
            w.WriteEndObject();
            w.WriteStartArray("feature_names");
            foreach (var feature in predictor.Features)
            {
                w.WriteStringValue(feature.Name);
            }

            w.WriteEndArray();
            w.WriteStartArray("feature_types");
            w.WriteEndArray();
            w.WriteStartObject("gradient_booster");
            w.WriteStartObject("model");
            w.WriteStartObject("gbtree_model_param");
            w.WriteString("num_parallel_tree", "1");
            w.WriteString("num_trees", predictor.Trees.Count.ToString(f));
            w.WriteString("size_leaf_vector", "0");
            w.WriteEndObject();
            w.WriteStartArray("tree_info");
            foreach (var _ in predictor.Trees)
            {
                w.WriteNumberValue(0);
            }

            w.WriteEndArray();
            w.WriteStartArray("trees");
            for (var t = 0; t < predictor.Trees.Count; t++)
            {
                WriteTree(w, predictor.Trees[t], t, p);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteString("name", "gbtree");
            w.WriteEndObject();
            w.WriteStartObject("learner_model_param");
            w.WriteString("base_score", ((float)(1.0 / (1.0 + Math.Exp(-predictor.BaseMargin)))).ToString("R", f));
            w.WriteString("boost_from_average", "1");
            w.WriteString("num_class", "0");
            w.WriteString("num_feature", p.ToString(f));
            w.WriteString("num_target", "1");
            w.WriteEndObject();
            w.WriteStartObject("objective");
            w.WriteString("name", "binary:logistic");
            w.WriteStartObject("reg_loss_param");
            w.WriteString("scale_pos_weight", "1");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("version");
            w.WriteNumberValue(1);
            w.WriteNumberValue(7);
            w.WriteNumberValue(4);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteTree(Utf8JsonWriter w, RegressionTree tree, int id, int featureCount)
    {
        // XGBoost numbers nodes breadth-first with both children of a node adjacent.
        var order = new List<int>(); // our child codes: >= 0 internal, < 0 leaf
        var parents = new List<int>();
        order.Add(tree.NodeCount == 0 ? ~0 : 0);
        parents.Add(int.MaxValue);
        var leftOf = new List<int>();
        var rightOf = new List<int>();
        for (var i = 0; i < order.Count; i++)
        {
            var code = order[i];
            if (code >= 0)
            {
                if (tree.CategorySet[code] is not null)
                {
                    throw new NotSupportedException($"Tree {id} has a categorical split on feature {tree.SplitFeature[code]}; XGBoost JSON export supports continuous splits only (LightGBM text export supports both).");
                }

                leftOf.Add(order.Count);
                order.Add(tree.LeftChild[code]);
                parents.Add(i);
                rightOf.Add(order.Count);
                order.Add(tree.RightChild[code]);
                parents.Add(i);
            }
            else
            {
                leftOf.Add(-1);
                rightOf.Add(-1);
            }
        }

        var n = order.Count;
        w.WriteStartObject();
        WriteArray(w, "base_weights", n, i => order[i] >= 0 ? 0f : (float)tree.LeafValue[~order[i]]);
        foreach (var name in (string[])["categories", "categories_nodes", "categories_segments", "categories_sizes"])
        {
            w.WriteStartArray(name);
            w.WriteEndArray();
        }

        WriteInts(w, "default_left", n, i => order[i] >= 0 && tree.DefaultLeft[order[i]] ? 1 : 0);
        w.WriteNumber("id", id);
        WriteInts(w, "left_children", n, i => leftOf[i]);
        WriteArray(w, "loss_changes", n, i => order[i] >= 0 ? (float)tree.SplitGain[order[i]] : 0f);
        WriteInts(w, "parents", n, i => parents[i]);
        WriteInts(w, "right_children", n, i => rightOf[i]);
        WriteArray(w, "split_conditions", n, i => order[i] >= 0 ? Float32Threshold.ToFloatLessThan(tree.Threshold[order[i]]) : (float)tree.LeafValue[~order[i]]);
        WriteInts(w, "split_indices", n, i => order[i] >= 0 ? tree.SplitFeature[order[i]] : 0);
        WriteInts(w, "split_type", n, _ => 0);
        WriteArray(w, "sum_hessian", n, i => (float)(order[i] >= 0 ? tree.NodeCover[order[i]] : tree.LeafCover[~order[i]]));
        w.WriteStartObject("tree_param");
        w.WriteString("num_deleted", "0");
        w.WriteString("num_feature", featureCount.ToString(CultureInfo.InvariantCulture));
        w.WriteString("num_nodes", n.ToString(CultureInfo.InvariantCulture));
        w.WriteString("size_leaf_vector", "0");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, int n, Func<int, float> value)
    {
        w.WriteStartArray(name);
        for (var i = 0; i < n; i++)
        {
            var v = value(i);
            if (float.IsPositiveInfinity(v))
            {
                v = float.MaxValue;
            }

            // XGBoost's JSON reader wants a number with a fraction or exponent where it expects a float.
            var text = v.ToString("R", CultureInfo.InvariantCulture);
            w.WriteRawValue(text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0");
        }

        w.WriteEndArray();
    }

    private static void WriteInts(Utf8JsonWriter w, string name, int n, Func<int, int> value)
    {
        w.WriteStartArray(name);
        for (var i = 0; i < n; i++)
        {
            w.WriteNumberValue(value(i));
        }

        w.WriteEndArray();
    }

    private static int[] Ints(JsonNode? node) => node!.AsArray().Select(v => v!.GetValue<int>()).ToArray();

    private static float[] Floats(JsonNode? node) => node is null ? [] : node.AsArray().Select(v => v!.GetValue<float>()).ToArray();
}
