using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Learners.Linear;
using CreditScoring.Sdk.Learners.Scorecards;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Scoring.Serialization;

namespace CreditScoring.Sdk.Interop;

/// <summary>
/// Exports a whole <see cref="CreditModel"/> (preprocessing, predictor, calibration and decision) as one ONNX graph, so
/// that ONNX Runtime scores it in any language and on any platform that hosts ONNX (Java, Python, Spark through
/// SynapseML, databases). Everything is computed in double precision, as our scorer does: probabilities equal the
/// scorer's to within the runtime's rounding of <c>exp</c>, <c>log</c> and sums (far below 1e-9).
/// </summary>
/// <remarks>
/// <para><b>Opsets:</b> ONNX IR version <see cref="IrVersion"/>, operator set <c>ai.onnx</c> <see cref="OpsetVersion"/> and
/// <c>ai.onnx.ml</c> <see cref="MLOpsetVersion"/> (<c>LabelEncoder</c> for categories, <c>TreeEnsembleRegressor</c> for
/// trees): ONNX Runtime 1.13 and later run it.</para>
/// <para><b>Inputs:</b> one per model input, named as the input, of shape <c>[N, 1]</c>: a numeric input is
/// <c>double</c> with NaN for missing; a categorical input is <c>string</c> holding the category's text, with the empty
/// string for missing. A category not seen in training scores as the scorer's default
/// (<see cref="Features.UnknownCategoryHandling.Ignore"/>) does.</para>
/// <para><b>Outputs</b>, each <c>[N, 1]</c>: <c>probability</c> (double, the calibrated probability of default),
/// <c>decision</c> (string, <c>approve</c> or <c>decline</c> by the model's <see cref="Decisions.DecisionPolicy"/>; an
/// invalid (NaN) probability is declined) and <c>margin</c> (double, the predictor's log-odds).</para>
/// <para><b>Trees:</b> <c>TreeEnsembleRegressor</c> returns single precision, so the graph asks it for each tree's
/// leaf number (exact in single precision) and adds the leaves' double values itself; thresholds are doubles
/// (<c>nodes_values_as_tensor</c>); a categorical split becomes a split on a 0/1 column of "code in the split's set".</para>
/// <para><b>Not exported</b> (<see cref="Unsupported"/> lists what stops a model): aggregations over related tables,
/// custom feature functions, and predictors other than logistic regression, gradient-boosted trees (ours, LightGBM's or
/// XGBoost's) and scorecards. The scorer's input checks are not part of the graph: values outside the training range are
/// scored as they are (the scorer's default <see cref="OutOfRangeHandling.Flag"/> scores them the same, with a flag).</para>
/// </remarks>
public static class OnnxModel
{
    /// <summary>The ONNX IR version of the file: 8.</summary>
    public const int IrVersion = 8;

    /// <summary>The <c>ai.onnx</c> operator set the graph uses: 17.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The <c>ai.onnx.ml</c> operator set the graph uses: 3.</summary>
    public const int MLOpsetVersion = 3;

    /// <summary>The output holding the probability of default.</summary>
    public const string ProbabilityOutput = "probability";

    /// <summary>The output holding the decision, <c>approve</c> or <c>decline</c>.</summary>
    public const string DecisionOutput = "decision";

    /// <summary>The output holding the predictor's margin (log-odds before calibration).</summary>
    public const string MarginOutput = "margin";

    /// <summary>
    /// Writes the model as an ONNX file. The file is written beside the target and renamed over it, so an existing file is
    /// never left half-written.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <exception cref="NotSupportedException">Part of the model cannot be expressed in ONNX; the message lists every such part.</exception>
    public static void Export(CreditModel model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OutputFiles.WriteAllBytes(path, ToBytes(model));
    }

    /// <summary>
    /// Exports the whole model (preprocessing, predictor, calibration and decision) as an ONNX file: <see cref="Export"/>
    /// as an extension method, <c>model.ExportOnnx(path)</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The <c>.onnx</c> file (written beside and renamed over, never left half-written).</param>
    /// <exception cref="NotSupportedException">Part of the model cannot be expressed in ONNX; the message lists every such part.</exception>
    public static void ExportOnnx(this CreditModel model, string path) => Export(model, path);

    /// <summary>The ONNX file's bytes (see <see cref="Export"/>).</summary>
    /// <param name="model">The model.</param>
    /// <returns>The serialized <c>ModelProto</c>.</returns>
    /// <exception cref="NotSupportedException">Part of the model cannot be expressed in ONNX; the message lists every such part.</exception>
    public static byte[] ToBytes(CreditModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var problems = Unsupported(model);
        if (problems.Count > 0)
        {
            throw new NotSupportedException($"The model cannot be exported to ONNX: {string.Join("; ", problems)}. Everything else (imputation, encoders, WoE, transforms, ratios, logistic, trees, scorecards, calibration, the decision) exports.");
        }

        return new OnnxExporter(model).Build();
    }

    /// <summary>What stops a model from being exported: one sentence per part, empty when it exports.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The parts that cannot be expressed in ONNX.</returns>
    public static IReadOnlyList<string> Unsupported(CreditModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var problems = new List<string>();
        if (model.Features.RelatedTables.Count > 0)
        {
            problems.Add($"it aggregates related tables ({string.Join(", ", model.Features.RelatedTables)}), which an ONNX graph of one row per applicant cannot read; export a model trained on the aggregated columns instead");
        }

        foreach (var step in model.Features.StepList.OfType<CustomStep>())
        {
            problems.Add($"feature '{step.Outputs[0].Name}' is the custom function '{step.Function}', which exists only as .NET code");
        }

        if (model.Predictor is not (LogisticRegressionPredictor or GradientBoostingPredictor or ScorecardPredictor))
        {
            problems.Add($"its predictor is of kind '{model.Predictor.Kind}' ({model.Predictor.GetType().Name}); only logistic regression, gradient-boosted trees and scorecards export");
        }

        foreach (var input in model.Input.Columns.Where(c => c.Kind == ColumnKind.Categorical))
        {
            if (input.Categories.Any(c => c.Length == 0))
            {
                problems.Add($"categorical input '{input.Name}' has the empty string as a category, which the graph reads as missing");
            }

            if (input.Categories.Count > (1 << 24))
            {
                problems.Add($"categorical input '{input.Name}' has {input.Categories.Count} categories; the graph's category codes are exact up to 2^24");
            }
        }

        return problems;
    }
}

/// <summary>Translates one model into an <see cref="OnnxGraph"/>: working frame column by column, then predictor, calibration and decision.</summary>
internal sealed class OnnxExporter(CreditModel model)
{
    private readonly OnnxGraph _g = new();

    public byte[] Build()
    {
        var features = model.Features;
        var working = new List<string>();
        foreach (var input in model.Input.Columns)
        {
            working.Add(input.Kind == ColumnKind.Numeric
                ? _g.Input(input.Name, OnnxType.Double, "number; NaN when missing")
                : Codes(input));
        }

        foreach (var step in features.StepList)
        {
            var sources = step.Sources.Select(s => working[s]).ToArray();
            working.AddRange(Step(step, sources));
        }

        var columns = features.Selection.Select(s => working[s]).ToArray();
        var margin = Margin(model.Predictor, columns);
        var probability = Probability(margin);
        var decision = _g.Where(_g.Less(probability, _g.Const(model.Decision.Threshold)), _g.Const(CreditDecisionText.Approve), _g.Const(CreditDecisionText.Decline));
        _g.Output(OnnxModel.ProbabilityOutput, probability, OnnxType.Double, "probability of default");
        _g.Output(OnnxModel.DecisionOutput, decision, OnnxType.Text, $"approve when probability < {Show(model.Decision.Threshold)}, else decline");
        _g.Output(OnnxModel.MarginOutput, margin, OnnxType.Double, "the predictor's log-odds before calibration");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["creditscoring.learner"] = model.Metadata.Learner,
            ["creditscoring.predictor"] = model.Predictor.Kind,
            ["creditscoring.threshold"] = Show(model.Decision.Threshold),
            ["creditscoring.threshold_method"] = model.Decision.Method,
            ["creditscoring.calibration"] = model.Calibration?.Kind ?? "logistic",
            ["creditscoring.target"] = model.Metadata.TargetColumn,
            ["creditscoring.data_fingerprint"] = model.Metadata.DataFingerprint,
            ["creditscoring.missing_category"] = "",
        };
        return _g.ToModel(
            "credit_model",
            ModelFile.SdkVersion,
            [("", OnnxModel.OpsetVersion), (OnnxGraph.MLDomain, OnnxModel.MLOpsetVersion)],
            OnnxModel.IrVersion,
            $"Probability of default and decision of a CreditScoring.Sdk model ({model.Metadata.Learner}); inputs: {string.Join(", ", model.Input.Columns.Select(c => c.Name))}.",
            metadata);
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A categorical input's category codes: its text through a <c>LabelEncoder</c> (unknown −1, empty NaN), as doubles.</summary>
    private string Codes(InputColumn input)
    {
        var text = _g.Input(input.Name, OnnxType.Text, $"category text; the empty string when missing; known: {string.Join(", ", input.Categories.Take(20))}{(input.Categories.Count > 20 ? ", ..." : "")}");
        var keys = input.Categories.Append("").ToArray();
        var values = Enumerable.Range(0, input.Categories.Count).Select(k => (float)k).Append(float.NaN).ToArray();
        var codes = _g.Node("LabelEncoder", [text], domain: OnnxGraph.MLDomain, attributes:
        [
            new OnnxAttribute("keys_strings", keys),
            new OnnxAttribute("values_floats", values),
            new OnnxAttribute("default_float", -1f),
        ]);
        return _g.Cast(codes, OnnxType.Double);
    }

    /// <summary>One fitted step's outputs, as <see cref="FeatureStep.Compute"/> defines them.</summary>
    private string[] Step(FeatureStep step, string[] x)
    {
        var g = _g;
        string Nan() => g.Const(double.NaN);
        switch (step)
        {
            case ImputeStep s:
                var missing = g.IsNaN(x[0]);
                if (s.Outputs[0].Kind == FeatureKind.Categorical)
                {
                    missing = g.Or(missing, g.Less(x[0], g.Const(0.0)));
                }

                return [g.Where(missing, g.Const(s.Fill), x[0])];
            case MissingIndicatorStep:
                return [g.Indicator(g.IsNaN(x[0]))];
            case PassThroughStep s:
                return [s.IsIdentity ? x[0] : g.Where(g.Less(x[0], g.Const(0.0)), Nan(), x[0])];
            case OneHotStep s:
                var target = g.Lookup(x[0], s.Map.Select(m => (double)m).ToArray(), s.Missing, s.Unknown);
                return [.. Enumerable.Range(0, s.Outputs.Length).Select(o => g.Indicator(g.Equal(target, g.Const((double)o))))];
            case SentinelStep s:
                // An indicator is 1 for the first equal value only: a repeated value's later indicator compares with NaN, never equal.
                var equal = s.Values.Select((v, k) => g.Equal(x[0], g.Const(Array.IndexOf(s.Values, v) == k ? v : double.NaN))).ToArray();
                var hit = equal.Aggregate(g.Or);
                var outputs = new List<string> { g.Where(hit, Nan(), x[0]) };
                if (s.Indicators)
                {
                    outputs.AddRange(equal.Select(g.Indicator));
                }

                return [.. outputs];
            case TransformStep s:
                return [Transform(s, x[0])];
            case CategoryMapStep s:
                return [g.Lookup(x[0], s.Values, s.MissingValue, s.UnknownValue)];
            case CombineStep s:
                return [s.Operation switch
                {
                    CombineOperation.Ratio => g.Where(g.Equal(x[1], g.Const(0.0)), Nan(), g.Div(x[0], x[1])),
                    CombineOperation.Difference => g.Sub(x[0], x[1]),
                    CombineOperation.Product => g.Mul(x[0], x[1]),
                    _ => g.Add(x[0], x[1]),
                }];
            case WoeStep s:
                return [Woe(s.Binning, x[0])];
            default:
                throw new NotSupportedException($"The feature step '{step.Type}' ({step.Describe(i => $"column {i}")}) has no ONNX form.");
        }
    }

    private string Transform(TransformStep s, string x)
    {
        var g = _g;
        var p = s.Parameters;
        var one = g.Const(1.0);
        switch (s.Function)
        {
            case NumericTransform.Affine:
                return g.Div(g.Sub(x, g.Const(p[0])), g.Const(p[1]));
            case NumericTransform.Log1P:
                return g.Where(g.Greater(x, g.Const(-1.0)), Log(g.Add(one, x)), g.Const(double.NaN));
            case NumericTransform.SignedLog:
                return g.Mul(g.Node("Sign", [x]), Log(g.Add(one, g.Node("Abs", [x]))));
            case NumericTransform.YeoJohnson:
                var lambda = p[0];
                var up = g.Add(one, x);
                var down = g.Sub(one, x);
                var positive = Math.Abs(lambda) < 1e-12 ? Log(up) : g.Div(g.Sub(Pow(up, lambda), one), g.Const(lambda));
                var negative = Math.Abs(lambda - 2) < 1e-12 ? g.Neg(Log(down)) : g.Neg(g.Div(g.Sub(Pow(down, 2 - lambda), one), g.Const(2 - lambda)));
                return g.Where(g.GreaterOrEqual(x, g.Const(0.0)), positive, negative);
            default:
                var clipped = g.Node("Min", [g.Node("Max", [x, g.Const(p[0])]), g.Const(p[1])]);
                return g.Where(g.IsNaN(x), x, clipped);
        }
    }

    private string Log(string x) => _g.Node("Log", [x]);

    private string Pow(string x, double exponent) => _g.Node("Pow", [x, _g.Const(exponent)]);

    /// <summary>The WoE of a value's bin, as <see cref="WoeBinning.WeightOfEvidence"/>: missing bin, then special values, then range or category bins; 0 where no bin.</summary>
    private string Woe(WoeBinning binning, string x)
    {
        var g = _g;
        var (edges, firstRange, specials, specialBins, categoryBins, missingBin, woe) = binning.Tables;
        double Of(int bin) => bin >= 0 ? woe[bin] : 0.0;
        if (binning.IsCategorical)
        {
            return g.Lookup(x, categoryBins.Select(Of).ToArray(), Of(missingBin), 0.0);
        }

        string value;
        if (firstRange < 0)
        {
            value = g.Where(g.IsNaN(x), g.Const(0.0), g.Const(0.0));
        }
        else
        {
            // The bin of x among the ranges is the number of edges ≤ x (bin k holds edges[k−1] ≤ x < edges[k]).
            var count = edges.Length == 0
                ? g.Where(g.IsNaN(x), g.Const(0.0), g.Const(0.0))
                : g.RowSum(g.Indicator(g.Node("LessOrEqual", [g.Const(edges), x])));
            var table = Enumerable.Range(0, edges.Length + 1).Select(k => woe[firstRange + k]).ToArray();
            value = g.Gather(g.Const(table), g.Cast(count, OnnxType.Int64));
        }

        // The first equal special value wins: apply them last to first.
        for (var k = specials.Length - 1; k >= 0; k--)
        {
            value = g.Where(g.Equal(x, g.Const(specials[k])), g.Const(Of(specialBins[k])), value);
        }

        return g.Where(g.IsNaN(x), g.Const(Of(missingBin)), value);
    }

    private string Margin(ICreditPredictor predictor, string[] columns) => predictor switch
    {
        LogisticRegressionPredictor lr => Linear(columns, [.. lr.Coefficients.Select(c => c.Coefficient)], lr.Intercept),
        ScorecardPredictor sc => Linear(
            [.. Enumerable.Range(0, columns.Length).Where(j => sc.Binnings[j] is not null).Select(j => Woe(sc.Binnings[j]!, columns[j]))],
            [.. Enumerable.Range(0, columns.Length).Where(j => sc.Binnings[j] is not null).Select(j => sc.Coefficients[j])],
            sc.Intercept),
        GradientBoostingPredictor gb => Trees(gb, columns),
        _ => throw new NotSupportedException($"A predictor of kind '{predictor.Kind}' has no ONNX form."),
    };

    /// <summary>intercept + Σ coefficient·x: one matrix product.</summary>
    private string Linear(string[] columns, double[] coefficients, double intercept)
    {
        if (columns.Length == 0)
        {
            return ConstantColumn(intercept);
        }

        var product = _g.Node("MatMul", [_g.Concat(columns), _g.Const(coefficients, coefficients.Length, 1)]);
        return _g.Add(product, _g.Const(intercept));
    }

    /// <summary>A <c>[N, 1]</c> column holding one value, shaped after the first input.</summary>
    private string ConstantColumn(double value)
    {
        var first = model.Input.Columns[0].Name;
        var shape = _g.Node("Shape", [first]);
        return _g.Node("ConstantOfShape", [shape], attributes: new OnnxAttribute("value", new OnnxTensor("", [1], OnnxType.Double, Doubles: [value])));
    }

    /// <summary>
    /// The trees' margin: <c>TreeEnsembleRegressor</c> gives each tree's leaf number as its own target (exact in single
    /// precision), the leaves' double values are gathered from one table and summed with the base margin in double.
    /// </summary>
    private string Trees(GradientBoostingPredictor predictor, string[] columns)
    {
        var g = _g;
        var trees = predictor.Trees;
        if (trees.Count == 0)
        {
            return ConstantColumn(predictor.BaseMargin);
        }

        var matrix = new List<string>(columns);
        var setColumns = new Dictionary<string, int>(StringComparer.Ordinal);
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var featureIds = new List<long>();
        var modes = new List<string>();
        var values = new List<double>();
        var trueIds = new List<long>();
        var falseIds = new List<long>();
        var missingTrue = new List<long>();
        var targetTree = new List<long>();
        var targetNode = new List<long>();
        var targetId = new List<long>();
        var targetWeight = new List<float>();
        var leafTable = new List<double>();
        var offsets = new long[trees.Count];
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            var m = tree.NodeCount;
            offsets[t] = leafTable.Count;
            leafTable.AddRange(tree.LeafValue);
            long Id(int child) => child >= 0 ? child : m + ~child;
            for (var i = 0; i < m; i++)
            {
                treeIds.Add(t);
                nodeIds.Add(i);
                modes.Add("BRANCH_LEQ");
                if (tree.CategorySet[i] is { } set)
                {
                    // A 0/1 column "code in the set": the set's codes go left, so the column ≤ 0.5 (not in it) goes right.
                    var feature = tree.SplitFeature[i];
                    var key = $"{feature}:{string.Join(",", set)}";
                    if (!setColumns.TryGetValue(key, out var column))
                    {
                        var table = new double[set[^1] + 1];
                        foreach (var code in set)
                        {
                            table[code] = 1.0;
                        }

                        column = matrix.Count;
                        matrix.Add(g.Lookup(columns[feature], table, 0.0, 0.0));
                        setColumns[key] = column;
                    }

                    featureIds.Add(column);
                    values.Add(0.5);
                    trueIds.Add(Id(tree.RightChild[i]));
                    falseIds.Add(Id(tree.LeftChild[i]));
                    missingTrue.Add(0);
                }
                else
                {
                    featureIds.Add(tree.SplitFeature[i]);
                    values.Add(tree.Threshold[i]);
                    trueIds.Add(Id(tree.LeftChild[i]));
                    falseIds.Add(Id(tree.RightChild[i]));
                    missingTrue.Add(tree.DefaultLeft[i] ? 1 : 0);
                }
            }

            for (var l = 0; l < tree.LeafCount; l++)
            {
                treeIds.Add(t);
                nodeIds.Add(m + l);
                featureIds.Add(0);
                modes.Add("LEAF");
                values.Add(0);
                trueIds.Add(0);
                falseIds.Add(0);
                missingTrue.Add(0);
                targetTree.Add(t);
                targetNode.Add(m + l);
                targetId.Add(t);
                targetWeight.Add(l);
            }
        }

        var leaves = g.Node("TreeEnsembleRegressor", [g.Concat(matrix)], domain: OnnxGraph.MLDomain, attributes:
        [
            new OnnxAttribute("n_targets", (long)trees.Count),
            new OnnxAttribute("aggregate_function", "SUM"),
            new OnnxAttribute("post_transform", "NONE"),
            new OnnxAttribute("nodes_treeids", treeIds.ToArray()),
            new OnnxAttribute("nodes_nodeids", nodeIds.ToArray()),
            new OnnxAttribute("nodes_featureids", featureIds.ToArray()),
            new OnnxAttribute("nodes_modes", modes.ToArray()),
            new OnnxAttribute("nodes_values_as_tensor", new OnnxTensor("", [values.Count], OnnxType.Double, Doubles: [.. values])),
            new OnnxAttribute("nodes_truenodeids", trueIds.ToArray()),
            new OnnxAttribute("nodes_falsenodeids", falseIds.ToArray()),
            new OnnxAttribute("nodes_missing_value_tracks_true", missingTrue.ToArray()),
            new OnnxAttribute("target_treeids", targetTree.ToArray()),
            new OnnxAttribute("target_nodeids", targetNode.ToArray()),
            new OnnxAttribute("target_ids", targetId.ToArray()),
            new OnnxAttribute("target_weights", targetWeight.ToArray()),
        ]);
        var index = g.Add(g.Cast(leaves, OnnxType.Int64), g.Const(offsets));
        var sum = g.RowSum(g.Gather(g.Const([.. leafTable]), index));
        return g.Add(sum, g.Const(predictor.BaseMargin));
    }

    /// <summary>The calibrated probability of a margin, as <see cref="CreditModel.Probability"/>.</summary>
    private string Probability(string margin) => model.Calibration switch
    {
        null => Logistic(margin),
        PlattCalibrator p => Logistic(_g.Neg(_g.Add(_g.Mul(_g.Const(p.A), margin), _g.Const(p.B)))),
        PriorCorrection p => Logistic(_g.Add(margin, _g.Const(p.Shift))),
        IsotonicCalibrator i => Isotonic(i, Logistic(margin)),
        var other => throw new NotSupportedException($"The calibration '{other.Kind}' has no ONNX form."),
    };

    /// <summary>1 / (1 + e^−m) for m ≥ 0 and e^m / (1 + e^m) below, as the scorer computes it.</summary>
    private string Logistic(string m)
    {
        var g = _g;
        var e = g.Node("Exp", [g.Neg(g.Node("Abs", [m]))]);
        var denominator = g.Add(g.Const(1.0), e);
        return g.Where(g.GreaterOrEqual(m, g.Const(0.0)), g.Div(g.Const(1.0), denominator), g.Div(e, denominator));
    }

    /// <summary><see cref="IsotonicCalibrator.Interpolate"/>: the end levels outside the points, linear between them.</summary>
    private string Isotonic(IsotonicCalibrator calibrator, string p)
    {
        var g = _g;
        var x = calibrator.Points.ToArray();
        var y = calibrator.Levels.ToArray();
        if (x.Length == 1)
        {
            return g.Where(g.IsNaN(p), p, g.Const(y[0]));
        }

        // lo = (number of points ≤ p) − 1, kept in [0, n − 2]; at a point, (p − x[lo]) is 0 and the level is y[lo],
        // the rightmost level of equal points, as the interpolation takes it.
        var count = g.RowSum(g.Indicator(g.Node("LessOrEqual", [g.Const(x), p])));
        var lo = g.Cast(g.Node("Min", [g.Node("Max", [g.Sub(count, g.Const(1.0)), g.Const(0.0)]), g.Const(x.Length - 2.0)]), OnnxType.Int64);
        var hi = g.Add(lo, g.Const([1L]));
        var xs = g.Const(x);
        var ys = g.Const(y);
        var (xl, xh, yl, yh) = (g.Gather(xs, lo), g.Gather(xs, hi), g.Gather(ys, lo), g.Gather(ys, hi));
        var t = g.Div(g.Sub(p, xl), g.Sub(xh, xl));
        var inside = g.Add(yl, g.Mul(t, g.Sub(yh, yl)));
        var result = g.Where(g.GreaterOrEqual(p, g.Const(x[^1])), g.Const(y[^1]), inside);
        result = g.Where(g.Node("LessOrEqual", [p, g.Const(x[0])]), g.Const(y[0]), result);
        return g.Where(g.IsNaN(p), p, result);
    }
}
