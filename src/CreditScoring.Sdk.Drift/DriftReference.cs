using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Drift;

/// <summary>What drift needs to know of a numeric reference column: a table's values or a profile's summary.</summary>
internal abstract class NumericReference
{
    /// <summary>All rows, missing included.</summary>
    public abstract int Rows { get; }

    /// <summary>Non-missing values.</summary>
    public abstract int Present { get; }

    public double MissingShare => Rows == 0 ? 0 : 1 - ((double)Present / Rows);

    /// <summary>PSI's bin edges (reference deciles, or <paramref name="bins"/>-quantiles).</summary>
    public abstract double[] Edges(int bins);

    /// <summary>Non-missing values per bin of <see cref="Edges"/>.</summary>
    public abstract double[] Counts(double[] edges);

    public abstract KsResult Ks(double[] current);

    public abstract double NormedWasserstein(double[] current);

    /// <summary>Share of the non-missing values at or below x.</summary>
    public abstract double Cdf(double x);

    /// <summary>The value below which a share u of the non-missing values lies.</summary>
    public abstract double Quantile(double u);
}

/// <summary>A reference column held as its values.</summary>
internal sealed class TableNumericReference(ReadOnlySpan<double> values) : NumericReference
{
    private readonly double[] _sorted = SampleStatistics.SortedPresent(values);
    private readonly int _rows = values.Length;
    private readonly double _std = SampleStatistics.MeanAndStd(values).StandardDeviation;

    public override int Rows => _rows;

    public override int Present => _sorted.Length;

    public override double[] Edges(int bins) => SampleStatistics.QuantileEdges(_sorted, bins);

    public override double[] Counts(double[] edges)
    {
        var counts = new double[edges.Length + 1];
        SampleStatistics.CountBins(_sorted, edges, counts);
        return counts;
    }

    public override KsResult Ks(double[] current) => DriftStatistics.KolmogorovSmirnovSorted(_sorted, current, KsMethod.Auto);

    public override double NormedWasserstein(double[] current) => DriftStatistics.WassersteinSorted(_sorted, current) / Math.Max(_std, 0.001);

    public override double Cdf(double x)
    {
        var i = Array.BinarySearch(_sorted, x);
        if (i < 0)
        {
            return (double)~i / _sorted.Length;
        }

        while (i + 1 < _sorted.Length && _sorted[i + 1] == x)
        {
            i++;
        }

        return (double)(i + 1) / _sorted.Length;
    }

    public override double Quantile(double u) => SampleStatistics.Quantile(_sorted, u);
}

/// <summary>
/// A reference column held as a <see cref="ProfiledColumn"/>: PSI is exact on its deciles; KS and Wasserstein compare the
/// current values with the profile's piecewise-linear distribution (201 quantiles), with the reference's true size for
/// the KS p-value (asymptotic).
/// </summary>
internal sealed class ProfileNumericReference(ProfiledColumn profile) : NumericReference
{
    private const int WassersteinGrid = 4000;

    public override int Rows => profile.Rows;

    public override int Present => profile.Rows - profile.Missing;

    public override double[] Edges(int bins) => bins == PopulationProfile.PsiBins
        ? [.. profile.DecileEdges]
        : throw new ArgumentException($"The population profile holds {PopulationProfile.PsiBins} PSI bins; set DriftOptions.PsiBins to {PopulationProfile.PsiBins} or compare with a reference table.");

    public override double[] Counts(double[] edges) => [.. profile.DecileCounts.Select(c => (double)c)];

    public override KsResult Ks(double[] current)
    {
        if (Present == 0 || current.Length == 0)
        {
            return new KsResult(double.NaN, double.NaN, KsMethod.Asymptotic);
        }

        var d = 0.0;
        for (var i = 0; i < current.Length; i++)
        {
            if (i + 1 < current.Length && current[i + 1] == current[i])
            {
                continue;
            }

            var f = Cdf(current[i]);
            var first = i;
            while (first > 0 && current[first - 1] == current[i])
            {
                first--;
            }

            d = Math.Max(d, Math.Max(Math.Abs(((double)(i + 1) / current.Length) - f), Math.Abs(((double)first / current.Length) - f)));
        }

        double m = Math.Max(Present, current.Length), n = Math.Min(Present, current.Length);
        var en = m * n / (m + n);
        return new KsResult(d, KolmogorovSmirnovDistribution.Survival((int)Math.Round(en, MidpointRounding.ToEven), d), KsMethod.Asymptotic);
    }

    public override double NormedWasserstein(double[] current)
    {
        if (Present == 0 || current.Length == 0)
        {
            return double.NaN;
        }

        // ∫₀¹ |Q_ref(u) − Q_cur(u)| du by the midpoint rule.
        var sum = 0.0;
        for (var k = 0; k < WassersteinGrid; k++)
        {
            var u = (k + 0.5) / WassersteinGrid;
            var c = current[Math.Min((int)(u * current.Length), current.Length - 1)];
            sum += Math.Abs(profile.Quantile(u) - c);
        }

        return sum / WassersteinGrid / Math.Max(profile.StandardDeviation, 0.001);
    }

    public override double Cdf(double x) => profile.Cdf(x);

    public override double Quantile(double u) => profile.Quantile(u);
}

/// <summary>A categorical reference column: rows per label (missing under <see cref="MissingLabel"/>).</summary>
internal sealed record CategoricalReference(int Rows, IReadOnlyDictionary<string, double> Counts)
{
    public const string MissingLabel = "\0missing";

    public double MissingShare => Rows == 0 ? 0 : Counts.GetValueOrDefault(MissingLabel) / Rows;

    public static CategoricalReference FromColumn(CategoricalColumn column) => new(column.Length, LabelCounts(column));

    public static CategoricalReference FromProfile(ProfiledColumn profile)
    {
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var k = 0; k < profile.Categories.Count; k++)
        {
            if (profile.CategoryCounts[k] > 0)
            {
                counts[profile.Categories[k]] = profile.CategoryCounts[k];
            }
        }

        if (profile.Missing > 0)
        {
            counts[MissingLabel] = profile.Missing;
        }

        return new CategoricalReference(profile.Rows, counts);
    }

    public static Dictionary<string, double> LabelCounts(CategoricalColumn column)
    {
        var byCode = new double[column.Categories.Count + 1];
        foreach (var code in column.Codes)
        {
            byCode[code < 0 ? column.Categories.Count : code]++;
        }

        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var k = 0; k < byCode.Length; k++)
        {
            if (byCode[k] > 0)
            {
                counts[k == column.Categories.Count ? MissingLabel : column.Categories[k]] = byCode[k];
            }
        }

        return counts;
    }
}
