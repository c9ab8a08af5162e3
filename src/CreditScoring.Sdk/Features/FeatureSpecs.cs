using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Features;

/// <summary>How missing values are filled.</summary>
public enum ImputeStrategy
{
    /// <summary>The (weighted) mean of the training values.</summary>
    Mean,

    /// <summary>The (weighted) median of the training values (numpy's median with unit weights).</summary>
    Median,

    /// <summary>The most frequent training value or category (the smallest on ties).</summary>
    MostFrequent,
}

/// <summary>How numeric columns are rescaled; missing values stay missing.</summary>
public enum ScalingMethod
{
    /// <summary>(x − mean) / population standard deviation (scikit-learn's StandardScaler).</summary>
    Standard,

    /// <summary>(x − min) / (max − min), to [0, 1] on the training range (MinMaxScaler).</summary>
    MinMax,

    /// <summary>(x − median) / (75th − 25th percentile) (RobustScaler).</summary>
    Robust,
}

/// <summary>What one-hot encoding does with a category not seen in training.</summary>
public enum UnknownCategoryEncoding
{
    /// <summary>Every indicator 0 (scikit-learn's <c>handle_unknown="ignore"</c>). The default.</summary>
    AllZero,

    /// <summary>The "other" indicator (which is created even when no category is rare).</summary>
    Other,
}

/// <summary>Options of one-hot encoding.</summary>
public sealed class OneHotOptions
{
    /// <summary>The most categories that get an indicator, most frequent first (the rest are rare); 0 for no cap (the default).</summary>
    public int MaximumCategoryCount { get; set; }

    /// <summary>Categories with a smaller share of training rows are rare; default 0 (none).</summary>
    public double MinimumFrequency { get; set; }

    /// <summary>Unknown categories: default <see cref="UnknownCategoryEncoding.AllZero"/>.</summary>
    public UnknownCategoryEncoding Unknown { get; set; } = UnknownCategoryEncoding.AllZero;

    /// <summary>The label of the indicator rare categories share: default <c>(other)</c>.</summary>
    public string OtherLabel { get; set; } = "(other)";

    /// <summary>
    /// The most indicators one column may get (after <see cref="MaximumCategoryCount"/> and <see cref="MinimumFrequency"/>);
    /// a column with more is an error that names it, rather than a model with a million columns that exhausts memory. A
    /// column with that many categories is usually an id or free text: drop it, group its rare categories, or encode it by
    /// frequency or target. The automatic one-hot encoding before a learner that needs numbers uses this default.
    /// </summary>
    /// <value>Default <see cref="DefaultCategoryLimit"/> (1,000).</value>
    public int CategoryLimit { get; set; } = DefaultCategoryLimit;

    /// <summary>The default <see cref="CategoryLimit"/>: 1,000 indicators.</summary>
    public const int DefaultCategoryLimit = 1000;
}

/// <summary>Fits the steps the builder declares, on the frame.</summary>
internal static class FeatureSpecs
{
    public static void Sentinel(FeatureFrame frame, string column, double[] values, bool indicators)
    {
        var usedBy = $"{(indicators ? "Special" : "Sentinel")}('{column}')";
        var index = frame.Resolve(column, usedBy);
        RequireNumeric(frame, index, usedBy);
        var info = frame[index].Info;
        var outputs = new List<FeatureInfo> { info };
        if (indicators)
        {
            outputs.AddRange(values.Select(v => new FeatureInfo($"{column}={v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", FeatureKind.Indicator)));
        }

        frame.AddStep(new SentinelStep(index, values, indicators, [.. outputs]), usedBy, [column], complete: false);
    }

    public static void Impute(FeatureFrame frame, string[] columns, ImputeStrategy? strategy, double constant, bool indicators)
    {
        var usedBy = $"Impute({strategy?.ToString() ?? constant.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})";
        var kinds = strategy == ImputeStrategy.MostFrequent ? new[] { FeatureKind.Continuous, FeatureKind.Categorical } : [FeatureKind.Continuous];
        foreach (var name in frame.Targets(columns, usedBy, kinds))
        {
            var index = frame.Resolve(name, usedBy);
            var column = frame[index];
            if (indicators)
            {
                frame.AddStep(new MissingIndicatorStep(index, new FeatureInfo($"{name}_MISSING", FeatureKind.Indicator)), usedBy, [], complete: true);
            }

            var values = column.Values;
            var fill = strategy switch
            {
                ImputeStrategy.Mean => WeightedMean(values, frame.Weights),
                ImputeStrategy.Median => DefaultPreprocessing.MedianOrZero(values, frame.Weights),
                ImputeStrategy.MostFrequent => MostFrequent(values, frame.Weights, column.Info.Kind == FeatureKind.Categorical),
                _ => constant,
            };
            if (double.IsNaN(fill))
            {
                fill = 0;
            }

            frame.AddStep(new ImputeStep(index, fill, strategy?.ToString().ToLowerInvariant() ?? "constant", column.Info), usedBy, [name], complete: true, categories: [column.Categories]);
        }
    }

    public static void Scale(FeatureFrame frame, string[] columns, ScalingMethod method)
    {
        var usedBy = $"Scale({method})";
        foreach (var name in frame.Targets(columns, usedBy, FeatureKind.Continuous))
        {
            var index = frame.Resolve(name, usedBy);
            var sorted = SampleStatistics.SortedPresent(frame[index].Values);
            double center, scale;
            switch (method)
            {
                case ScalingMethod.Standard:
                    var (mean, std, _) = SampleStatistics.MeanAndStd(sorted);
                    (center, scale) = (mean, std);
                    break;
                case ScalingMethod.MinMax:
                    (center, scale) = sorted.Length == 0 ? (0, 1) : (sorted[0], sorted[^1] - sorted[0]);
                    break;
                default:
                    (center, scale) = (SampleStatistics.Quantile(sorted, 0.5), SampleStatistics.Quantile(sorted, 0.75) - SampleStatistics.Quantile(sorted, 0.25));
                    break;
            }

            // As scikit-learn: a zero (or undefined) scale leaves the values unscaled.
            if (!(scale > 0))
            {
                scale = 1;
            }

            if (double.IsNaN(center))
            {
                center = 0;
            }

            frame.AddStep(new TransformStep(index, NumericTransform.Affine, [center, scale], frame[index].Info), usedBy, [name], frame[index].Complete);
        }
    }

    public static void Function(FeatureFrame frame, string[] columns, NumericTransform function, Func<double[], double[]> fit)
    {
        var usedBy = function.ToString();
        foreach (var name in frame.Targets(columns, usedBy, FeatureKind.Continuous))
        {
            var index = frame.Resolve(name, usedBy);
            var parameters = fit(SampleStatistics.SortedPresent(frame[index].Values));
            frame.AddStep(new TransformStep(index, function, parameters, frame[index].Info), usedBy, [name], complete: false);
        }
    }

    public static void Combine(FeatureFrame frame, string left, string right, CombineOperation operation, string output)
    {
        var usedBy = $"{operation}('{left}', '{right}')";
        var a = frame.Resolve(left, usedBy);
        var b = frame.Resolve(right, usedBy);
        RequireNumeric(frame, a, usedBy);
        RequireNumeric(frame, b, usedBy);
        frame.AddStep(new CombineStep(a, b, operation, new FeatureInfo(output, FeatureKind.Continuous)), usedBy, [], complete: false);
    }

    public static void Affine(FeatureFrame frame, string column, double center, double scale, string output, string usedBy)
    {
        var index = frame.Resolve(column, usedBy);
        RequireNumeric(frame, index, usedBy);
        frame.AddStep(new TransformStep(index, NumericTransform.Affine, [center, scale], new FeatureInfo(output, FeatureKind.Continuous)), usedBy, output == column ? [column] : [], complete: false);
    }

    public static void Custom(FeatureFrame frame, string function, string[] sources, string output)
    {
        var usedBy = $"Custom('{function}')";
        var indices = sources.Select(s => frame.Resolve(s, usedBy)).ToArray();
        frame.AddStep(new CustomStep(indices, function, new FeatureInfo(output, FeatureKind.Continuous)), usedBy, [], complete: false);
    }

    public static void OneHot(FeatureFrame frame, string column, OneHotOptions options, string usedBy)
    {
        var index = frame.Resolve(column, usedBy);
        var (categories, counts, missing, total) = CategoryCounts(frame, index, usedBy);
        var order = Enumerable.Range(0, categories.Count).Where(k => counts[k] > 0).OrderByDescending(k => counts[k]).ThenBy(k => k).ToList();
        var kept = order.Where((k, rank) => (options.MaximumCategoryCount <= 0 || rank < options.MaximumCategoryCount) && counts[k] >= options.MinimumFrequency * total).Order().ToList();
        if (options.CategoryLimit > 0 && kept.Count > options.CategoryLimit)
        {
            throw new CreditScoringException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{usedBy}: column '{column}' has {kept.Count:N0} categories to one-hot encode, more than the limit of {options.CategoryLimit:N0} indicators per column (OneHotOptions.CategoryLimit). " +
                $"A column with this many values is usually an id or free text: drop it (DataLoadOptions.Drop, or Id(\"{column}\") if it is the id), group rare categories (OneHotOptions.MaximumCategoryCount or MinimumFrequency), or encode it by frequency or target (FrequencyEncode, TargetEncode)."));
        }

        var rare = order.Count > kept.Count;
        var outputs = kept.Select(k => new FeatureInfo($"{column}={categories[k]}", FeatureKind.Indicator)).ToList();
        var map = Enumerable.Repeat(-1, categories.Count).ToArray();
        for (var o = 0; o < kept.Count; o++)
        {
            map[kept[o]] = o;
        }

        var other = -1;
        if (rare || options.Unknown == UnknownCategoryEncoding.Other)
        {
            other = outputs.Count;
            outputs.Add(new FeatureInfo($"{column}={options.OtherLabel}", FeatureKind.Indicator));
            for (var k = 0; k < map.Length; k++)
            {
                if (map[k] < 0 && counts[k] > 0)
                {
                    map[k] = other;
                }
            }
        }

        var missingIndex = -1;
        if (missing > 0)
        {
            missingIndex = outputs.Count;
            outputs.Add(new FeatureInfo($"{column}={DefaultPreprocessing.MissingCategoryLabel}", FeatureKind.Indicator));
        }

        var unknown = options.Unknown == UnknownCategoryEncoding.Other ? other : -1;
        frame.AddStep(new OneHotStep(index, map, missingIndex, unknown, [.. outputs]), usedBy, [column], complete: true);
    }

    public static void Ordinal(FeatureFrame frame, string column, IReadOnlyList<string>? order)
    {
        var usedBy = $"Ordinal('{column}')";
        var index = frame.Resolve(column, usedBy);
        var (categories, _, _, _) = CategoryCounts(frame, index, usedBy);
        var values = new double[categories.Count];
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = order is null ? k : order.ToList().IndexOf(categories[k]) is var p and >= 0 ? p
                : throw new ConfigurationException($"{usedBy}: the order does not list category '{categories[k]}' (it lists {string.Join(", ", order)}).");
        }

        frame.AddStep(new CategoryMapStep(index, values, double.NaN, double.NaN, "ordinal", new FeatureInfo(column, FeatureKind.Continuous)), usedBy, [column], complete: false);
    }

    public static void Frequency(FeatureFrame frame, string column)
    {
        var usedBy = $"FrequencyEncode('{column}')";
        var index = frame.Resolve(column, usedBy);
        var (_, counts, missing, total) = CategoryCounts(frame, index, usedBy);
        var values = counts.Select(c => c / total).ToArray();
        frame.AddStep(new CategoryMapStep(index, values, missing / total, 0.0, "frequency", new FeatureInfo($"{column}_FREQ", FeatureKind.Continuous)), usedBy, [column], complete: true);
    }

    /// <summary>
    /// Target (mean) encoding with additive smoothing: (Σ w·y + m·prior) / (Σ w + m) per category, prior the
    /// training default rate; missing is a category of its own, unknown categories get the prior. Training
    /// rows get out-of-fold values (stratified folds, seeded) so that a row's own label never encodes it.
    /// </summary>
    public static void Target(FeatureFrame frame, string column, double smoothing, int folds)
    {
        var usedBy = $"TargetEncode('{column}')";
        var index = frame.Resolve(column, usedBy);
        var (categories, _, _, _) = CategoryCounts(frame, index, usedBy);
        var codes = frame[index].Values;
        var labels = frame.Labels;
        var weights = frame.Weights;
        var k = categories.Count;

        (double[] Values, double Missing, double Prior) Encode(Func<int, bool> include)
        {
            var sum = new double[k + 1];
            var weight = new double[k + 1];
            double totalY = 0, totalW = 0;
            for (var i = 0; i < codes.Length; i++)
            {
                if (!include(i))
                {
                    continue;
                }

                var w = weights.Length == 0 ? 1.0 : weights[i];
                var slot = double.IsNaN(codes[i]) || codes[i] < 0 ? k : (int)codes[i];
                sum[slot] += w * labels[i];
                weight[slot] += w;
                totalY += w * labels[i];
                totalW += w;
            }

            var prior = totalW > 0 ? totalY / totalW : 0;
            var values = new double[k + 1];
            for (var c = 0; c <= k; c++)
            {
                values[c] = (sum[c] + (smoothing * prior)) / (weight[c] + smoothing);
            }

            return (values[..k], values[k], prior);
        }

        var full = Encode(_ => true);
        var assignment = Splitter.StratifiedFolds(labels, folds, frame.Seed);
        var training = new double[codes.Length];
        for (var f = 0; f < folds; f++)
        {
            var fold = f;
            var (values, missing, prior) = Encode(i => assignment[i] != fold);
            for (var i = 0; i < codes.Length; i++)
            {
                if (assignment[i] == fold)
                {
                    var x = codes[i];
                    training[i] = double.IsNaN(x) ? missing : x >= 0 && x < k ? values[(int)x] : prior;
                }
            }
        }

        frame.AddStep(
            new CategoryMapStep(index, full.Values, full.Missing, full.Prior, $"target (smoothing {smoothing.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {folds}-fold out-of-fold in training)", new FeatureInfo($"{column}_TE", FeatureKind.Continuous)),
            usedBy,
            [column],
            complete: true,
            trainingOutputs: [training]);
    }

    public static void Woe(FeatureFrame frame, string[] columns, WoeBinningOptions options)
    {
        const string usedBy = "WoE";
        foreach (var name in frame.Targets(columns, usedBy, FeatureKind.Continuous, FeatureKind.Categorical))
        {
            var index = frame.Resolve(name, usedBy);
            var binning = Bin(frame, index, name, options);
            frame.AddStep(new WoeStep(index, binning, new FeatureInfo($"{name}_WOE", FeatureKind.Continuous)), usedBy, [name], complete: true);
        }
    }

    public static WoeBinning Bin(FeatureFrame frame, int index, string name, WoeBinningOptions options)
    {
        var column = frame[index];
        return WoeBinner.Fit(name, column.Values, frame.Labels, frame.Weights, column.Info.Kind == FeatureKind.Categorical ? CategoryNames(column) : null, options);
    }

    public static void SelectByInformationValue(FeatureFrame frame, double minimum, WoeBinningOptions options)
    {
        foreach (var name in frame.Active.ToArray())
        {
            var index = frame.Resolve(name, "SelectByInformationValue");
            if (frame[index].Info.Kind == FeatureKind.Indicator && !frame[index].Values.Any(v => v != frame[index].Values[0]))
            {
                frame.Deactivate(name);
                continue;
            }

            if (Bin(frame, index, name, options).InformationValue < minimum)
            {
                frame.Deactivate(name);
            }
        }
    }

    public static void SelectByVariance(FeatureFrame frame, double minimum)
    {
        foreach (var name in frame.Active.ToArray())
        {
            var column = frame[frame.Resolve(name, "SelectByVariance")];
            if (column.Info.Kind == FeatureKind.Categorical)
            {
                if (column.Values.Where(v => !double.IsNaN(v) && v >= 0).Distinct().Count() <= 1 && minimum >= 0)
                {
                    frame.Deactivate(name);
                }

                continue;
            }

            var (_, std, _) = SampleStatistics.MeanAndStd(column.Values);
            if (!(std * std > minimum))
            {
                frame.Deactivate(name);
            }
        }
    }

    /// <summary>Keeps, in order, each numeric column whose |Pearson correlation| (over rows where both are present) with every kept column is at most <paramref name="maximum"/>.</summary>
    public static void SelectByCorrelation(FeatureFrame frame, double maximum)
    {
        var kept = new List<double[]>();
        foreach (var name in frame.Active.ToArray())
        {
            var column = frame[frame.Resolve(name, "SelectByCorrelation")];
            if (column.Info.Kind == FeatureKind.Categorical)
            {
                continue;
            }

            if (kept.Any(k => Math.Abs(Correlation(k, column.Values)) > maximum))
            {
                frame.Deactivate(name);
            }
            else
            {
                kept.Add(column.Values);
            }
        }
    }

    internal static double Correlation(double[] a, double[] b)
    {
        double sa = 0, sb = 0;
        var n = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!double.IsNaN(a[i]) && !double.IsNaN(b[i]))
            {
                sa += a[i];
                sb += b[i];
                n++;
            }
        }

        if (n < 2)
        {
            return 0;
        }

        double ma = sa / n, mb = sb / n, saa = 0, sbb = 0, sab = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (!double.IsNaN(a[i]) && !double.IsNaN(b[i]))
            {
                double da = a[i] - ma, db = b[i] - mb;
                saa += da * da;
                sbb += db * db;
                sab += da * db;
            }
        }

        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : 0;
    }

    private static (IReadOnlyList<string> Categories, double[] Counts, double Missing, double Total) CategoryCounts(FeatureFrame frame, int index, string usedBy)
    {
        var column = frame[index];
        if (column.Info.Kind != FeatureKind.Categorical)
        {
            throw new ConfigurationException($"{usedBy} encodes categorical columns, but '{column.Info.Name}' is {column.Info.Kind.ToString().ToLowerInvariant()}.");
        }

        var categories = CategoryNames(column);
        var counts = new double[categories.Count];
        double missing = 0, total = 0;
        for (var i = 0; i < column.Values.Length; i++)
        {
            var w = frame.Weights.Length == 0 ? 1.0 : frame.Weights[i];
            var x = column.Values[i];
            if (double.IsNaN(x) || x < 0)
            {
                missing += w;
            }
            else
            {
                counts[(int)x] += w;
            }

            total += w;
        }

        return (categories, counts, missing, total);
    }

    private static IReadOnlyList<string> CategoryNames(FeatureFrame.Column column) =>
        column.Categories ?? Enumerable.Range(0, column.Info.CategoryCount).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static void RequireNumeric(FeatureFrame frame, int index, string usedBy)
    {
        if (frame[index].Info.Kind == FeatureKind.Categorical)
        {
            throw new ConfigurationException($"{usedBy} needs a numeric column, but '{frame[index].Info.Name}' is categorical.");
        }
    }

    private static double WeightedMean(double[] values, double[] weights)
    {
        double sum = 0, total = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var w = weights.Length == 0 ? 1.0 : weights[i];
            if (!double.IsNaN(values[i]) && w > 0)
            {
                sum += w * values[i];
                total += w;
            }
        }

        return total > 0 ? sum / total : double.NaN;
    }

    private static double MostFrequent(double[] values, double[] weights, bool categorical)
    {
        var counts = new SortedDictionary<double, double>();
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (double.IsNaN(v) || (categorical && v < 0))
            {
                continue;
            }

            counts[v] = counts.GetValueOrDefault(v) + (weights.Length == 0 ? 1.0 : weights[i]);
        }

        var best = double.NaN;
        var bestCount = 0.0;
        foreach (var (v, c) in counts)
        {
            if (c > bestCount)
            {
                (best, bestCount) = (v, c);
            }
        }

        return best;
    }
}
