using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Drift;

/// <summary>The test that decides whether a column drifted.</summary>
public enum DriftTest
{
    /// <summary>Chosen by column type and reference size (<see cref="DriftOptions"/>).</summary>
    Auto,

    /// <summary>Two-sample Kolmogorov–Smirnov; drift when p &lt; threshold (default 0.05).</summary>
    KolmogorovSmirnov,

    /// <summary>Wasserstein-1 divided by the reference standard deviation; drift when ≥ threshold (default 0.1).</summary>
    Wasserstein,

    /// <summary>Chi-square homogeneity; drift when p &lt; threshold (default 0.05).</summary>
    ChiSquare,

    /// <summary>Jensen–Shannon distance; drift when ≥ threshold (default 0.1).</summary>
    JensenShannon,

    /// <summary>Two-proportion z-test for two-category columns; drift when p &lt; threshold (default 0.05).</summary>
    ZTest,

    /// <summary>Population stability index; drift when ≥ threshold (default 0.1).</summary>
    Psi,
}

/// <summary>A column's own test and threshold, overriding the automatic choice.</summary>
/// <param name="Test">The test.</param>
/// <param name="Threshold">The threshold, or NaN for the test's default.</param>
public sealed record ColumnDriftOptions(DriftTest Test, double Threshold = double.NaN);

/// <summary>
/// How drift is decided, with Evidently's defaults: numeric columns with a reference of at most
/// <see cref="SmallReferenceRows"/> rows by Kolmogorov–Smirnov (p &lt; 0.05), larger ones by normed Wasserstein (≥ 0.1);
/// categorical columns by chi-square (two categories: z-test) or Jensen–Shannon (≥ 0.1); the dataset drifts when the
/// share of drifted columns reaches <see cref="DriftShare"/>.
/// </summary>
public sealed class DriftOptions
{
    /// <summary>The share of drifted columns at which the dataset drifts; default 0.5.</summary>
    public double DriftShare { get; set; } = 0.5;

    /// <summary>References up to this many rows use statistical tests, larger ones distances; default 1000.</summary>
    public int SmallReferenceRows { get; set; } = 1000;

    /// <summary>PSI bins; default 10 (reference deciles).</summary>
    public int PsiBins { get; set; } = DriftStatistics.DefaultBins;

    /// <summary>Per-column overrides by column name.</summary>
    public IDictionary<string, ColumnDriftOptions> Columns { get; } = new Dictionary<string, ColumnDriftOptions>(StringComparer.Ordinal);

    /// <summary>The columns to compare; default every numeric and categorical feature column the two tables share (the model's inputs when a model is given).</summary>
    public IList<string> Include { get; } = [];

    /// <summary>Threads; −1 (default) for all processors. Results never depend on it.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>The default threshold of a test.</summary>
    /// <param name="test">The test.</param>
    /// <returns>0.05 for p-value tests, 0.1 for distances and PSI.</returns>
    public static double DefaultThreshold(DriftTest test) => test is DriftTest.KolmogorovSmirnov or DriftTest.ChiSquare or DriftTest.ZTest ? 0.05 : 0.1;

    internal void Validate()
    {
        if (!(DriftShare > 0 && DriftShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DriftShare), DriftShare, "The drift share must be in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(SmallReferenceRows, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(PsiBins, 2);
    }
}

/// <summary>One bar pair of a column's chart: a bin or category with the reference's and the current data's share.</summary>
/// <param name="Label">The bin (e.g. <c>[0.5, 1.2)</c>) or category.</param>
/// <param name="Reference">Reference share.</param>
/// <param name="Current">Current share.</param>
public sealed record DriftBar(string Label, double Reference, double Current);

/// <summary>Whether and how one column moved.</summary>
/// <param name="Name">The column.</param>
/// <param name="Type"><c>numeric</c> or <c>categorical</c>.</param>
/// <param name="Test">The deciding test.</param>
/// <param name="Statistic">The test's statistic (KS D, normed Wasserstein, chi-square, JS distance, z or PSI).</param>
/// <param name="PValue">The p-value for KS, chi-square and z-tests; <see langword="null"/> for distances.</param>
/// <param name="Threshold">The threshold the statistic or p-value was compared with.</param>
/// <param name="Drifted">Whether the column drifted.</param>
/// <param name="Psi">PSI on reference deciles (CSI for a model input), always reported.</param>
/// <param name="ReferenceMissing">Share of missing values in the reference.</param>
/// <param name="CurrentMissing">Share of missing values in the current data.</param>
/// <param name="Bars">The chart: 20 equal-width bins (numeric) or the most frequent categories.</param>
public sealed record ColumnDrift(string Name, string Type, DriftTest Test, double Statistic, double? PValue, double Threshold, bool Drifted, double Psi, double ReferenceMissing, double CurrentMissing, IReadOnlyList<DriftBar> Bars);

/// <summary>Prediction drift: PSI of the model's scores, read with the credit convention.</summary>
/// <param name="Psi">PSI of the probabilities of default on reference deciles.</param>
/// <param name="Stability"><c>stable</c> (&lt; 0.1), <c>moderate</c> (0.1–0.25) or <c>significant</c> (&gt; 0.25).</param>
/// <param name="ReferenceMeanPd">Mean PD of the reference.</param>
/// <param name="CurrentMeanPd">Mean PD of the current data.</param>
/// <param name="Bars">Score distributions in 20 equal-width bins.</param>
public sealed record PredictionDrift(double Psi, string Stability, double ReferenceMeanPd, double CurrentMeanPd, IReadOnlyList<DriftBar> Bars)
{
    /// <summary>The credit convention's reading of a PSI.</summary>
    /// <param name="psi">The PSI.</param>
    /// <returns><c>stable</c>, <c>moderate</c> or <c>significant</c>.</returns>
    public static string Read(double psi) => psi < 0.1 ? "stable" : psi <= 0.25 ? "moderate" : "significant";
}

/// <summary>The outcome of comparing a current table with a reference.</summary>
/// <param name="ReferenceRows">Reference rows.</param>
/// <param name="CurrentRows">Current rows.</param>
/// <param name="Columns">Every compared column, drifted ones first (then by name).</param>
/// <param name="DriftShareThreshold">The share at which the dataset drifts.</param>
/// <param name="Prediction">Prediction drift when a model scored both tables; otherwise <see langword="null"/>.</param>
public sealed record DatasetDrift(int ReferenceRows, int CurrentRows, IReadOnlyList<ColumnDrift> Columns, double DriftShareThreshold, PredictionDrift? Prediction)
{
    /// <summary>Columns that drifted.</summary>
    public int DriftedCount => Columns.Count(c => c.Drifted);

    /// <summary>Drifted columns / compared columns.</summary>
    public double DriftedShare => Columns.Count == 0 ? 0 : (double)DriftedCount / Columns.Count;

    /// <summary>Whether the dataset drifted: the drifted share reached <see cref="DriftShareThreshold"/>.</summary>
    public bool IsDrifted => Columns.Count > 0 && DriftedShare >= DriftShareThreshold;

    /// <summary>"Drift is detected for 7.4% of columns (9 out of 121)."</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture, $"Drift is detected for {DriftedShare * 100:0.#}% of columns ({DriftedCount} out of {Columns.Count}).");
}

/// <summary>Compares a current population with a reference, column by column, and the model's scores.</summary>
public static class DriftDetector
{
    /// <summary>Compares two tables.</summary>
    /// <param name="reference">The reference (e.g. the training data).</param>
    /// <param name="current">The current data (e.g. last month's applications).</param>
    /// <param name="options">Tests and thresholds; default <see cref="DriftOptions"/>.</param>
    /// <param name="model">When given: its inputs are compared, and its scores on both tables give prediction drift.</param>
    /// <returns>The drift of every column and of the dataset.</returns>
    /// <exception cref="ArgumentException">A named column is missing from a table or has different kinds in the two.</exception>
    public static DatasetDrift Compare(CreditData reference, CreditData current, DriftOptions? options = null, CreditModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        options ??= new DriftOptions();
        options.Validate();
        if (reference.RowCount == 0 || current.RowCount == 0)
        {
            throw new ArgumentException($"Drift needs rows on both sides (reference {reference.RowCount}, current {current.RowCount}).");
        }

        var names = Columns(reference, current, options, model);
        var results = new ColumnDrift[names.Count];
        Parallel.For(0, names.Count, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, k =>
        {
            var name = names[k];
            options.Columns.TryGetValue(name, out var column);
            results[k] = reference[name] switch
            {
                NumericColumn r => Numeric(name, r.Values, ((NumericColumn)current[name]).Values, reference.RowCount, options, column),
                CategoricalColumn r => Categorical(name, r, (CategoricalColumn)current[name], options, column),
                _ => throw new ArgumentException($"Column '{name}' is neither numeric nor categorical."),
            };
        });

        PredictionDrift? prediction = null;
        if (model is not null)
        {
            var r = new double[reference.RowCount];
            var c = new double[current.RowCount];
            var scorer = model.CreateScorer();
            scorer.PredictProbabilities(reference, r);
            scorer.PredictProbabilities(current, c);
            prediction = Prediction(r, c, options.PsiBins);
        }

        var ordered = results.OrderByDescending(c => c.Drifted).ThenBy(c => c.Name, StringComparer.Ordinal).ToArray();
        return new DatasetDrift(reference.RowCount, current.RowCount, ordered, options.DriftShare, prediction);
    }

    /// <summary>Prediction drift of two score samples.</summary>
    /// <param name="reference">Reference probabilities.</param>
    /// <param name="current">Current probabilities.</param>
    /// <param name="bins">PSI bins; default 10.</param>
    /// <returns>The PSI, its reading and the score distributions.</returns>
    public static PredictionDrift Prediction(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, int bins = DriftStatistics.DefaultBins)
    {
        var psi = DriftStatistics.Psi(reference, current, bins).Value;
        return new PredictionDrift(psi, PredictionDrift.Read(psi), Mean(reference), Mean(current), NumericBars(Statistics.SortedPresent(reference), Statistics.SortedPresent(current)));
    }

    private static List<string> Columns(CreditData reference, CreditData current, DriftOptions options, CreditModel? model)
    {
        IEnumerable<string> wanted = options.Include.Count > 0
            ? options.Include
            : model is not null
                ? model.Input.Columns.Select(c => c.Name)
                : reference.Schema.Columns.Where(c => c.Role == ColumnRole.Feature && c.Kind is ColumnKind.Numeric or ColumnKind.Categorical && current.Schema.IndexOf(c.Name) >= 0).Select(c => c.Name);
        var names = wanted.Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            var ri = reference.Schema.IndexOf(name);
            var ci = current.Schema.IndexOf(name);
            if (ri < 0 || ci < 0)
            {
                throw new ArgumentException($"Column '{name}' is not in the {(ri < 0 ? "reference" : "current")} data.");
            }

            if (reference.Schema[ri].Kind != current.Schema[ci].Kind)
            {
                throw new ArgumentException($"Column '{name}' is {reference.Schema[ri].Kind.ToString().ToLowerInvariant()} in the reference but {current.Schema[ci].Kind.ToString().ToLowerInvariant()} in the current data.");
            }
        }

        foreach (var (name, column) in options.Columns)
        {
            if (!names.Contains(name))
            {
                throw new ArgumentException($"The drift options configure column '{name}', which is not compared (compared: {string.Join(", ", names.Take(20))}{(names.Count > 20 ? ", ..." : "")}).");
            }

            var numeric = reference.Schema[reference.Schema.IndexOf(name)].Kind == ColumnKind.Numeric;
            if (numeric && column.Test is DriftTest.ChiSquare or DriftTest.ZTest)
            {
                throw new ArgumentException($"Column '{name}' is numeric; test {column.Test} applies to categorical columns. Use KolmogorovSmirnov, Wasserstein, JensenShannon or Psi.");
            }

            if (!numeric && column.Test is DriftTest.KolmogorovSmirnov or DriftTest.Wasserstein)
            {
                throw new ArgumentException($"Column '{name}' is categorical; test {column.Test} applies to numeric columns. Use ChiSquare, ZTest, JensenShannon or Psi.");
            }
        }

        return names;
    }

    private static ColumnDrift Numeric(string name, ReadOnlySpan<double> reference, ReadOnlySpan<double> current, int referenceRows, DriftOptions options, ColumnDriftOptions? column)
    {
        var r = Statistics.SortedPresent(reference);
        var c = Statistics.SortedPresent(current);
        var test = column?.Test is null or DriftTest.Auto
            ? (referenceRows <= options.SmallReferenceRows ? DriftTest.KolmogorovSmirnov : DriftTest.Wasserstein)
            : column.Test;
        var threshold = column is not null && !double.IsNaN(column.Threshold) ? column.Threshold : DriftOptions.DefaultThreshold(test);
        var psi = r.Length == 0 || c.Length == 0 ? double.NaN : DriftStatistics.PsiOfShares(QuantileShares(reference, current, r, c, options.PsiBins));
        double statistic;
        double? p = null;
        switch (test)
        {
            case DriftTest.KolmogorovSmirnov:
                var ks = DriftStatistics.KolmogorovSmirnovSorted(r, c, KsMethod.Auto);
                statistic = ks.Statistic;
                p = ks.PValue;
                break;
            case DriftTest.Wasserstein:
                var (_, std, _) = Statistics.MeanAndStd(reference);
                statistic = DriftStatistics.WassersteinSorted(r, c) / Math.Max(std, 0.001);
                break;
            case DriftTest.JensenShannon:
                statistic = DriftStatistics.JensenShannon(reference, current, options.PsiBins);
                break;
            case DriftTest.Psi:
                statistic = psi;
                break;
            default:
                throw new ArgumentException($"Column '{name}' is numeric; test {test} applies to categorical columns. Use KolmogorovSmirnov, Wasserstein, JensenShannon or Psi.");
        }

        var drifted = Decide(statistic, p, threshold);
        return new ColumnDrift(name, "numeric", test, statistic, p, threshold, drifted, psi, 1 - ((double)r.Length / reference.Length), 1 - ((double)c.Length / current.Length), NumericBars(r, c));
    }

    private static (double[] Reference, double[] Current) QuantileShares(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, double[] r, double[] c, int bins)
    {
        var (rs, cs, _) = DriftStatistics.QuantileShares(reference, current, r, c, DriftStatistics.QuantileEdges(r, bins));
        return (rs, cs);
    }

    private static ColumnDrift Categorical(string name, CategoricalColumn reference, CategoricalColumn current, DriftOptions options, ColumnDriftOptions? column)
    {
        // Counts by label over both sides' categories (missing is a category of its own).
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var rc = new List<double>();
        var cc = new List<double>();
        void Count(CategoricalColumn col, List<double> counts, List<double> other)
        {
            var byCode = new double[col.Categories.Count + 1];
            foreach (var code in col.Codes)
            {
                byCode[code < 0 ? col.Categories.Count : code]++;
            }

            for (var k = 0; k < byCode.Length; k++)
            {
                if (byCode[k] == 0)
                {
                    continue;
                }

                var label = k == col.Categories.Count ? "\0missing" : col.Categories[k];
                if (!labels.TryGetValue(label, out var index))
                {
                    index = labels.Count;
                    labels[label] = index;
                    counts.Add(0);
                    other.Add(0);
                }

                counts[index] += byCode[k];
            }
        }

        Count(reference, rc, cc);
        Count(current, cc, rc);
        var rs = rc.Select(v => v / reference.Length).ToArray();
        var cs = cc.Select(v => v / current.Length).ToArray();
        var psi = DriftStatistics.PsiOfShares(rs, cs);
        var test = column?.Test is null or DriftTest.Auto
            ? (reference.Length <= options.SmallReferenceRows ? (labels.Count == 2 ? DriftTest.ZTest : DriftTest.ChiSquare) : DriftTest.JensenShannon)
            : column.Test;
        var threshold = column is not null && !double.IsNaN(column.Threshold) ? column.Threshold : DriftOptions.DefaultThreshold(test);
        double statistic;
        double? p = null;
        switch (test)
        {
            case DriftTest.ChiSquare:
                var chi = DriftStatistics.ChiSquare([.. rc], [.. cc]);
                (statistic, p) = (chi.Statistic, chi.PValue);
                break;
            case DriftTest.ZTest:
                if (labels.Count > 2)
                {
                    throw new ArgumentException($"Column '{name}' has {labels.Count} categories; the z-test compares two. Use ChiSquare, JensenShannon or Psi.");
                }

                var z = labels.Count < 2 ? new ZTestResult(0, 1) : DriftStatistics.ProportionsZTest(rc[0], reference.Length, cc[0], current.Length);
                (statistic, p) = (z.Z, z.PValue);
                break;
            case DriftTest.JensenShannon:
                statistic = DriftStatistics.JensenShannonOfShares(rs, cs);
                break;
            case DriftTest.Psi:
                statistic = psi;
                break;
            default:
                throw new ArgumentException($"Column '{name}' is categorical; test {test} applies to numeric columns. Use ChiSquare, ZTest, JensenShannon or Psi.");
        }

        var bars = labels.OrderByDescending(l => rc[l.Value] + cc[l.Value]).ThenBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => new DriftBar(l.Key == "\0missing" ? "(missing)" : l.Key, rs[l.Value], cs[l.Value])).ToList();
        if (bars.Count > 20)
        {
            var rest = bars.Skip(19).ToArray();
            bars = [.. bars.Take(19), new DriftBar($"(other {rest.Length})", rest.Sum(b => b.Reference), rest.Sum(b => b.Current))];
        }

        var rm = labels.TryGetValue("\0missing", out var mi) ? rs[mi] : 0;
        var cm = labels.TryGetValue("\0missing", out mi) ? cs[mi] : 0;
        return new ColumnDrift(name, "categorical", test, statistic, p, threshold, Decide(statistic, p, threshold), psi, rm, cm, bars);
    }

    private static bool Decide(double statistic, double? p, double threshold) =>
        p is { } pv ? pv < threshold : statistic >= threshold;

    /// <summary>
    /// 20 equal-width bins between the 1st and 99th percentiles of either side (so that a few outliers do not squeeze the
    /// chart into one bar), the first and last bins open-ended; shares of each side's non-missing values.
    /// </summary>
    private static List<DriftBar> NumericBars(double[] r, double[] c)
    {
        if (r.Length == 0 && c.Length == 0)
        {
            return [];
        }

        const int bins = 20;
        double Low(double[] v) => v.Length > 0 ? Statistics.Quantile(v, 0.01) : double.PositiveInfinity;
        double High(double[] v) => v.Length > 0 ? Statistics.Quantile(v, 0.99) : double.NegativeInfinity;
        var lo = Math.Min(Low(r), Low(c));
        var hi = Math.Max(High(r), High(c));
        var width = hi > lo ? (hi - lo) / bins : 1;
        double[] Shares(double[] values)
        {
            var counts = new double[bins];
            foreach (var v in values)
            {
                counts[Math.Clamp((int)Math.Floor((v - lo) / width), 0, bins - 1)]++;
            }

            for (var i = 0; i < bins; i++)
            {
                counts[i] = values.Length == 0 ? 0 : counts[i] / values.Length;
            }

            return counts;
        }

        var rs = Shares(r);
        var cs = Shares(c);
        var ci = CultureInfo.InvariantCulture;
        string Label(int i) => i == 0 ? string.Create(ci, $"< {lo + width:G4}")
            : i == bins - 1 ? string.Create(ci, $">= {lo + (i * width):G4}")
            : string.Create(ci, $"[{lo + (i * width):G4}, {lo + ((i + 1) * width):G4})");
        return Enumerable.Range(0, bins).Select(i => new DriftBar(Label(i), rs[i], cs[i])).ToList();
    }

    private static double Mean(ReadOnlySpan<double> values) => Statistics.MeanAndStd(values).Mean;
}
