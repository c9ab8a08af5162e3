using System.Globalization;
using System.Numerics.Tensors;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using Microsoft.Extensions.Logging;

namespace CreditScoring.Sdk.Learners.GradientBoosting;

/// <summary>
/// Histogram gradient-boosted decision trees for the binary log-loss, in managed C#: quantile bins,
/// leaf-wise growth, learned missing-value directions, native categorical splits, monotone
/// constraints, bagging, feature subsampling and early stopping (Friedman, "Greedy Function
/// Approximation: A Gradient Boosting Machine", 2001; Ke et al., LightGBM, NeurIPS 2017; Chen and
/// Guestrin, XGBoost, KDD 2016). See <see cref="GradientBoostingOptions"/>. The same data and seed give
/// the same trees, bit for bit, on any number of threads.
/// </summary>
public sealed partial class GradientBoostingLearner : ICreditLearner
{
    private const int GradientChunk = 16_384;
    private readonly GradientBoostingOptions _o;

    /// <summary>Creates the learner with default options.</summary>
    public GradientBoostingLearner()
        : this(new GradientBoostingOptions())
    {
    }

    /// <summary>Creates the learner; the option values are validated and copied.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ConfigurationException">An option is out of range, or two options contradict each other; the message lists every problem.</exception>
    /// <exception cref="ArgumentException">A monotone constraint is not −1, 0 or +1, or <see cref="GradientBoostingOptions.UnbalancedSets"/> is combined with a <see cref="GradientBoostingOptions.ScalePositiveWeight"/> other than 1.</exception>
    public GradientBoostingLearner(GradientBoostingOptions options)
    {
        OptionsValidation.ThrowIfInvalid(new GradientBoostingOptionsValidator(), options);
        if (options.UnbalancedSets && options.ScalePositiveWeight != 1.0)
        {
            throw new ConfigurationException("UnbalancedSets and ScalePositiveWeight both reweight the defaults; set one of them.");
        }

        foreach (var (name, direction) in options.MonotoneConstraints)
        {
            if (direction is < -1 or > 1)
            {
                throw new ConfigurationException($"The monotone constraint of '{name}' is {direction}; use +1 (risk never decreases as it grows), -1 (never increases) or 0 (none).");
            }
        }

        _o = options.Snapshot();

        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in typeof(GradientBoostingOptions).GetProperties())
        {
            if (property.Name == nameof(GradientBoostingOptions.MonotoneConstraints))
            {
                continue;
            }

            parameters[property.Name] = property.GetValue(_o) switch
            {
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var v => v?.ToString() ?? "",
            };
        }

        parameters[nameof(GradientBoostingOptions.MonotoneConstraints)] =
            string.Join(",", _o.MonotoneConstraints.Where(p => p.Value != 0).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value.ToString(CultureInfo.InvariantCulture)}"));
        Parameters = parameters;
    }

    /// <inheritdoc />
    /// <value><c>gbdt</c>.</value>
    public string Name => "gbdt";

    /// <inheritdoc />
    /// <value>Missing values and categorical features: the pipeline passes both through.</value>
    public LearnerCapabilities Capabilities => LearnerCapabilities.MissingValues | LearnerCapabilities.CategoricalFeatures;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Shapes disagree, a value is infinite, a label is not 0/1, a weight is negative, or a monotone constraint names a feature that does not exist or is categorical.</exception>
    /// <exception cref="TrainingDataException">Only one class has positive weight.</exception>
    public ICreditPredictor Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ReadOnlySpan<double> weights, LearnerContext context)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(context);
        var w = LearnerInputs.CheckAndExpand(features, labels, weights, allowMissing: true, allowCategorical: true);
        var n = features.RowCount;
        var p = features.ColumnCount;
        var y = labels.ToArray();
        var monotone = ResolveMonotone(features);
        var threads = context.Threads;
        var ct = context.CancellationToken;

        // Rows that train, rows that validate (an external set, a held-out share, or none).
        var validation = context.Validation;
        if (validation is not null && validation.Features.ColumnCount != p)
        {
            throw new ArgumentException($"The validation data has {validation.Features.ColumnCount} features; the training data has {p}.", nameof(context));
        }

        var earlyStopping = _o.EarlyStoppingRound > 0;
        var holdout = earlyStopping && validation is null ? StratifiedHoldout(y, w, _o.ValidationFraction, context.Seed) : null;
        var trainRows = new List<int>(n);
        for (var i = 0; i < n; i++)
        {
            if (holdout is null || !holdout[i])
            {
                trainRows.Add(i);
            }
        }

        var eligible = trainRows.ToArray();

        // Class reweighting.
        double w0 = 0, w1 = 0;
        foreach (var i in eligible)
        {
            if (y[i] == 1)
            {
                w1 += w[i];
            }
            else
            {
                w0 += w[i];
            }
        }

        if (w0 == 0 || w1 == 0)
        {
            throw new TrainingDataException("After holding out validation rows for early stopping, the training rows have a single class; lower ValidationFraction or pass validation data.");
        }

        var positiveScale = _o.UnbalancedSets ? w0 / w1 : _o.ScalePositiveWeight;
        for (var i = 0; i < n; i++)
        {
            if (y[i] == 1)
            {
                w[i] *= positiveScale;
            }
        }

        var baseMargin = _o.BoostFromAverage ? Math.Log(w1 * positiveScale / w0) : 0.0;

        // Bins from a seeded sample of the training rows.
        var sample = SampleRows(eligible, _o.BinSampleCount, context.Seed);
        using var team = new WorkTeam(threads);
        var binning = FeatureBinning.Fit(features, sample, _o.MaximumBinCountPerFeature, _o.MinimumExampleCountPerBin, _o.UseCategoricalSplit, team);
        ct.ThrowIfCancellationRequested();
        var bins = binning.Bin(features, team);
        var validationBins = validation is null ? null : binning.Bin(validation.Features, team);

        var settings = new TreeSettings(
            _o.NumberOfLeaves,
            _o.MaximumTreeDepth,
            _o.MinimumExampleCountPerLeaf,
            _o.MinimumSumHessianPerLeaf,
            _o.L1Regularization,
            _o.L2Regularization,
            _o.MinimumSplitGain,
            _o.LearningRate,
            monotone,
            _o.MaximumCategoricalSplitPointCount,
            _o.MaximumCategoryCountForOneVsRest,
            _o.CategoricalSmoothing,
            _o.CategoricalL2Regularization,
            _o.MinimumExampleCountPerCategory);
        var grower = new TreeGrower(binning, bins, eligible.Length, settings, team);
        var splittable = Splittable(bins, eligible, _o.MinimumExampleCountPerLeaf);

        var margin = new double[n];
        Array.Fill(margin, baseMargin);
        var gradients = new double[n];
        var hessians = new double[n];
        var probability = new double[n];
        var yd = new double[n];
        for (var i = 0; i < n; i++)
        {
            yd[i] = y[i];
        }

        var bagging = _o.BaggingFrequency > 0 && _o.BaggingFraction < 1.0;
        ReadOnlyMemory<int> bag = eligible;
        ReadOnlyMemory<int> outOfBag = ReadOnlyMemory<int>.Empty;
        var bagBuffer = bagging ? new int[eligible.Length] : [];
        var outOfBagBuffer = bagging ? new int[eligible.Length] : [];
        var usable = new bool[p];
        var featureOrder = new int[p];
        var selectFeatures = _o.FeatureFraction < 1.0 ? Math.Max(1, (int)Math.Round(_o.FeatureFraction * p, MidpointRounding.AwayFromZero)) : p;

        // Validation state.
        int[]? validationRows = null;
        double[]? validationMargin = null;
        int[]? validationLabels = null;
        double[]? validationWeights = null;
        if (earlyStopping || validation is not null)
        {
            if (validation is not null)
            {
                validationMargin = new double[validation.Features.RowCount];
                validationLabels = validation.Labels;
                validationWeights = validation.Weights;
            }
            else
            {
                validationRows = Enumerable.Range(0, n).Where(i => holdout![i]).ToArray();
                validationMargin = new double[validationRows.Length];
                validationLabels = validationRows.Select(i => y[i]).ToArray();
                validationWeights = new double[validationRows.Length];
                for (var k = 0; k < validationRows.Length; k++)
                {
                    validationWeights[k] = weights.IsEmpty ? 1.0 : weights[validationRows[k]];
                }
            }

            Array.Fill(validationMargin, baseMargin);
        }

        var trees = new List<RegressionTree>();
        var bestIteration = 0;
        var bestScore = double.NaN;
        var sinceBest = 0;
        var iterations = 0;
        var scratch = validationMargin is null ? null : new double[validationMargin.Length];

        // External validation rows' margins at the best round, for the caller (LearnerValidationData.FinalMargins).
        var bestMargin = earlyStopping && validation is not null ? new double[validationMargin!.Length] : null;
        var gradientChunks = (n + GradientChunk - 1) / GradientChunk;
        Action<int> gradientStep = c => ComputeGradients(c, margin, yd, w, probability, gradients, hessians);

        for (var iteration = 0; iteration < _o.NumberOfIterations; iteration++)
        {
            ct.ThrowIfCancellationRequested();
            team.For(gradientChunks, gradientStep);

            if (bagging && iteration % _o.BaggingFrequency == 0)
            {
                var taken = DrawBag(eligible, _o.BaggingFraction, context.Seed, iteration, bagBuffer, outOfBagBuffer);
                bag = bagBuffer.AsMemory(0, taken);
                outOfBag = outOfBagBuffer.AsMemory(0, eligible.Length - taken);
            }

            ChooseFeatures(usable, featureOrder, selectFeatures, context.Seed, iteration);
            for (var j = 0; j < p; j++)
            {
                usable[j] &= splittable[j];
            }

            grower.Grow(gradients, hessians, bag.Span, usable);
            iterations++;
            if (grower.LeafCount == 1)
            {
                LogNoSplit(context.Logger, iteration);
                break;
            }

            // Training margins: in-bag rows by leaf membership, the rest by walking the tree.
            grower.AddLeafValues(margin);

            foreach (var r in outOfBag.Span)
            {
                margin[r] += grower.LeafValue[grower.LeafOf(bins, r)];
            }

            trees.Add(ToTree(grower, binning));

            if (validationMargin is not null)
            {
                var vb = validationBins ?? bins;
                for (var k = 0; k < validationMargin.Length; k++)
                {
                    var r = validationRows is null ? k : validationRows[k];
                    validationMargin[k] += grower.LeafValue[grower.LeafOf(vb, r)];
                }

                if (earlyStopping)
                {
                    var score = Score(validationMargin, validationLabels!, validationWeights!, scratch!);
                    if (double.IsNaN(bestScore) || Better(score, bestScore))
                    {
                        bestScore = score;
                        bestIteration = trees.Count;
                        sinceBest = 0;
                        if (bestMargin is not null)
                        {
                            validationMargin.CopyTo(bestMargin, 0);
                        }
                    }
                    else if (++sinceBest >= _o.EarlyStoppingRound)
                    {
                        LogEarlyStop(context.Logger, iteration + 1, bestIteration, _o.EarlyStoppingMetric, bestScore);
                        break;
                    }
                }
            }
        }

        var truncated = earlyStopping && bestIteration > 0 && bestIteration < trees.Count;
        if (truncated)
        {
            trees.RemoveRange(bestIteration, trees.Count - bestIteration);
        }

        if (validation is not null)
        {
            validation.FinalMargins = truncated ? bestMargin : validationMargin;
        }

        var summary = new GradientBoostingTrainingSummary(iterations, trees.Count, earlyStopping ? _o.EarlyStoppingMetric : null, earlyStopping ? bestScore : double.NaN);
        LogFitted(context.Logger, eligible.Length, p, trees.Count, iterations);
        return new GradientBoostingPredictor(features.RawFeatures, baseMargin, trees, summary);
    }

    private bool Better(double score, double best) =>
        _o.EarlyStoppingMetric == EarlyStoppingMetric.Auc ? score > best : score < best;

    private double Score(double[] margins, int[] labels, double[] weights, double[] scratch)
    {
        if (_o.EarlyStoppingMetric == EarlyStoppingMetric.Auc)
        {
            return ClassificationMetrics.Auc(margins, labels, weights);
        }

        TensorPrimitives.Sigmoid(margins, scratch);
        return ClassificationMetrics.LogLoss(scratch, labels, weights);
    }

    private int[] ResolveMonotone(FeatureMatrix features)
    {
        var result = new int[features.ColumnCount];
        foreach (var (name, direction) in _o.MonotoneConstraints)
        {
            if (direction == 0)
            {
                continue;
            }

            var index = -1;
            for (var j = 0; j < features.ColumnCount; j++)
            {
                if (features.Features[j].Name == name)
                {
                    index = j;
                    break;
                }
            }

            if (index < 0)
            {
                throw new ConfigurationException($"The monotone constraint names feature '{name}', which is not among the {features.ColumnCount} features ({string.Join(", ", features.Features.Take(20).Select(f => f.Name))}{(features.ColumnCount > 20 ? ", ..." : "")}).");
            }

            if (features.Features[index].Kind == FeatureKind.Categorical && _o.UseCategoricalSplit)
            {
                throw new ConfigurationException($"Feature '{name}' is categorical and UseCategoricalSplit is on; only features split by thresholds can be monotone-constrained (category sets have no order).");
            }

            result[index] = direction;
        }

        return result;
    }

    /// <summary>Gradient and hessian of the weighted log-loss at the current margins for one fixed chunk of rows (fixed chunks: the bits never depend on the thread count).</summary>
    private static void ComputeGradients(int chunk, double[] margin, double[] y, double[] w, double[] probability, double[] gradients, double[] hessians)
    {
        var start = chunk * GradientChunk;
        var length = Math.Min(GradientChunk, margin.Length - start);
        var m = margin.AsSpan(start, length);
        var p = probability.AsSpan(start, length);
        var g = gradients.AsSpan(start, length);
        var h = hessians.AsSpan(start, length);
        var wc = w.AsSpan(start, length);
        TensorPrimitives.Sigmoid(m, p);
        TensorPrimitives.Subtract(p, y.AsSpan(start, length), g);
        TensorPrimitives.Multiply(g, wc, g);
        TensorPrimitives.Subtract(1.0, p, h);
        TensorPrimitives.Multiply(h, p, h);
        TensorPrimitives.Multiply(h, wc, h);
    }

    private static RegressionTree ToTree(TreeGrower g, FeatureBinning binning)
    {
        var m = g.LeafCount - 1;
        var splits = g.Splits.AsSpan(0, m);
        var feature = new int[m];
        var threshold = new double[m];
        var defaultLeft = new bool[m];
        var gain = new double[m];
        var categories = new int[]?[m];
        for (var i = 0; i < m; i++)
        {
            ref readonly var split = ref splits[i];
            feature[i] = split.Feature;
            defaultLeft[i] = split.DefaultLeft;
            gain[i] = split.Gain;
            if (split.Categorical)
            {
                var codes = new List<int>();
                for (var b = 1; b < binning.BinCount[split.Feature]; b++)
                {
                    if (split.LeftBins.Contains(b))
                    {
                        codes.Add(b - 1);
                    }
                }

                categories[i] = [.. codes];
            }
            else
            {
                threshold[i] = binning.UpperBounds[split.Feature]![split.ThresholdBin - 1];
            }
        }

        return new RegressionTree(
            feature,
            threshold,
            defaultLeft,
            g.Left.AsSpan(0, m).ToArray(),
            g.Right.AsSpan(0, m).ToArray(),
            categories,
            gain,
            g.NodeCover.AsSpan(0, m).ToArray(),
            g.LeafValue.AsSpan(0, m + 1).ToArray(),
            g.LeafCover.AsSpan(0, m + 1).ToArray());
    }

    /// <summary>A seeded, stratified share of the rows (per class, a shuffled prefix), marked true.</summary>
    private static bool[] StratifiedHoldout(int[] y, double[] w, double fraction, int seed)
    {
        var holdout = new bool[y.Length];
        var random = DeterministicRandom.Derive(seed, 0x5EED_0001);
        for (var label = 0; label <= 1; label++)
        {
            var rows = Enumerable.Range(0, y.Length).Where(i => y[i] == label && w[i] > 0).ToArray();
            random.ShuffleInplace(rows.AsSpan());
            var take = (int)Math.Round(fraction * rows.Length, MidpointRounding.AwayFromZero);
            take = Math.Clamp(take, 1, Math.Max(1, rows.Length - 1));
            for (var k = 0; k < take; k++)
            {
                holdout[rows[k]] = true;
            }
        }

        return holdout;
    }

    private static int[] SampleRows(int[] rows, int count, int seed)
    {
        if (rows.Length <= count)
        {
            return rows;
        }

        var copy = (int[])rows.Clone();
        var random = DeterministicRandom.Derive(seed, 0x5EED_0002);
        for (var i = 0; i < count; i++)
        {
            var j = i + random.NextInt(copy.Length - i);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }

        var sample = copy.AsSpan(0, count).ToArray();
        Array.Sort(sample);
        return sample;
    }

    /// <summary>
    /// Exactly ⌊fraction·n⌉ rows drawn without replacement into <paramref name="bag"/>, the others into
    /// <paramref name="outOfBag"/>, both in ascending order (Knuth's selection sampling, algorithm S);
    /// returns the bag's size.
    /// </summary>
    private static int DrawBag(int[] rows, double fraction, int seed, int iteration, int[] bag, int[] outOfBag)
    {
        var want = Math.Max(1, (int)Math.Round(fraction * rows.Length, MidpointRounding.AwayFromZero));
        var random = DeterministicRandom.Derive(seed, 0x6A6_0000L + iteration);
        int taken = 0, left = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            if (taken < want && random.NextDouble() * (rows.Length - i) < want - taken)
            {
                bag[taken++] = rows[i];
            }
            else
            {
                outOfBag[left++] = rows[i];
            }
        }

        return taken;
    }

    /// <summary>
    /// Whether each feature can ever be split: not when the training rows outside its most common bin are fewer than
    /// <paramref name="minimumCount"/>, for then every split of every leaf (a subset of these rows) leaves a side without
    /// that bin, and so with too few rows. LightGBM filters such features when it builds its dataset
    /// (<c>feature_pre_filter</c>); leaving them out of the histograms changes no tree.
    /// </summary>
    private static bool[] Splittable(byte[][] bins, int[] rows, int minimumCount)
    {
        var result = new bool[bins.Length];
        Span<int> counts = stackalloc int[256];
        for (var j = 0; j < bins.Length; j++)
        {
            counts.Clear();
            var column = bins[j];
            foreach (var r in rows)
            {
                counts[column[r]]++;
            }

            var largest = 0;
            foreach (var c in counts)
            {
                largest = Math.Max(largest, c);
            }

            result[j] = rows.Length - largest >= minimumCount;
        }

        return result;
    }

    private static void ChooseFeatures(bool[] usable, int[] order, int count, int seed, int iteration)
    {
        if (count == usable.Length)
        {
            Array.Fill(usable, true);
            return;
        }

        for (var j = 0; j < order.Length; j++)
        {
            order[j] = j;
        }

        DeterministicRandom.Derive(seed, 0xFEA7_0000L + iteration).ShuffleInplace(order.AsSpan());
        Array.Clear(usable);
        for (var k = 0; k < count; k++)
        {
            usable[order[k]] = true;
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Gradient boosting fitted on {Rows} rows x {Features} features: {Trees} trees kept of {Iterations} rounds.")]
    private static partial void LogFitted(ILogger logger, int rows, int features, int trees, int iterations);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Early stopping after round {Round}: the best round was {Best} ({Metric} {Score:G6}).")]
    private static partial void LogEarlyStop(ILogger logger, int round, int best, EarlyStoppingMetric metric, double score);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Round {Round}: no split improves the loss; boosting stops.")]
    private static partial void LogNoSplit(ILogger logger, int round);
}
