using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Drift.Tests;

public class DriftStatisticsTests
{
    private const double Relative = 1e-9;

    public static TheoryData<string> SampleCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Samples.Value.EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    private static readonly Lazy<JsonElement> Samples = new(() => JsonDocument.Parse(File.ReadAllText(TestPaths.DriftFixture("drift_samples.json"))).RootElement);

    private static (double[] Reference, double[] Current, JsonElement Stats) Case(string name)
    {
        var c = Samples.Value.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        static double[] Parse(JsonElement e) => e.EnumerateArray().Select(v => v.GetString() == "nan" ? double.NaN : double.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray();
        return (Parse(c.GetProperty("reference")), Parse(c.GetProperty("current")), c.GetProperty("stats"));
    }

    private static void Close(double expected, double actual, string what)
    {
        var tolerance = Relative * Math.Max(Math.Abs(expected), 1e-300);
        Assert.True(Math.Abs(expected - actual) <= tolerance || (expected == 0 && Math.Abs(actual) < 1e-15), $"{what}: expected {expected:R}, got {actual:R} (relative {Math.Abs(expected - actual) / Math.Abs(expected):E2})");
    }

    [Theory]
    [MemberData(nameof(SampleCases))]
    public void Numeric_statistics_equal_drift_py_to_1e_9_relative(string name)
    {
        var (r, c, s) = Case(name);
        Close(s.GetProperty("psi").GetDouble(), DriftStatistics.Psi(r, c).Value, "psi");
        Close(s.GetProperty("psi_ew").GetDouble(), DriftStatistics.Psi(r, c, binning: PsiBinning.EqualWidth).Value, "psi_ew");
        Close(s.GetProperty("js").GetDouble(), DriftStatistics.JensenShannon(r, c), "js");
        Close(s.GetProperty("wasserstein").GetDouble(), DriftStatistics.Wasserstein(r, c), "wasserstein");
        Close(s.GetProperty("wasserstein_norm").GetDouble(), DriftStatistics.NormedWasserstein(r, c), "wasserstein_norm");
        var ks = DriftStatistics.KolmogorovSmirnov(r, c);
        Close(s.GetProperty("ks_stat").GetDouble(), ks.Statistic, "ks statistic");
        Close(s.GetProperty("ks_p").GetDouble(), ks.PValue, "ks p");
        Assert.Equal(s.GetProperty("ks_method").GetString() == "exact" ? KsMethod.Exact : KsMethod.Asymptotic, ks.Method);
        foreach (var (key, method) in new[] { ("ks_exact", KsMethod.Exact), ("ks_asymp", KsMethod.Asymptotic) })
        {
            if (s.TryGetProperty(key, out var expected))
            {
                var result = DriftStatistics.KolmogorovSmirnov(r, c, method);
                Close(expected[0].GetDouble(), result.Statistic, key + " statistic");
                Close(expected[1].GetDouble(), result.PValue, key + " p");
            }
        }
    }

    [Fact]
    public void Credit_data_halves_equal_drift_py_for_numeric_and_categorical_columns()
    {
        var fixture = JsonDocument.Parse(File.ReadAllText(TestPaths.DriftFixture("drift_credit.json"))).RootElement;
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var h = fixture.GetProperty("n_ref").GetInt32();
        var reference = data.SelectRows(Enumerable.Range(0, h).ToArray());
        var current = data.SelectRows(Enumerable.Range(h, data.RowCount - h).ToArray());
        foreach (var column in fixture.GetProperty("columns").EnumerateObject())
        {
            var s = column.Value;
            if (s.GetProperty("kind").GetString() == "numeric")
            {
                var r = ((NumericColumn)reference[column.Name]).Values;
                var c = ((NumericColumn)current[column.Name]).Values;
                Close(s.GetProperty("psi").GetDouble(), DriftStatistics.Psi(r, c).Value, column.Name + " psi");
                Close(s.GetProperty("ks_p").GetDouble(), DriftStatistics.KolmogorovSmirnov(r, c).PValue, column.Name + " ks p");
                Close(s.GetProperty("wasserstein_norm").GetDouble(), DriftStatistics.NormedWasserstein(r, c), column.Name + " wasserstein");
                Close(s.GetProperty("js").GetDouble(), DriftStatistics.JensenShannon(r, c), column.Name + " js");
            }
            else
            {
                var (rc, cc) = CategoryCounts((CategoricalColumn)reference[column.Name], (CategoricalColumn)current[column.Name]);
                var rs = rc.Select(v => v / reference.RowCount).ToArray();
                var cs = cc.Select(v => v / current.RowCount).ToArray();
                Close(s.GetProperty("psi").GetDouble(), DriftStatistics.PsiOfShares(rs, cs), column.Name + " psi");
                Close(s.GetProperty("js").GetDouble(), DriftStatistics.JensenShannonOfShares(rs, cs), column.Name + " js");
                var chi = DriftStatistics.ChiSquare(rc, cc);
                Close(s.GetProperty("chi2_stat").GetDouble(), chi.Statistic, column.Name + " chi2");
                Close(s.GetProperty("chi2_p").GetDouble(), chi.PValue, column.Name + " chi2 p");
                Assert.Equal(s.GetProperty("chi2_dof").GetInt32(), chi.DegreesOfFreedom);
            }
        }

        var perturbed = fixture.GetProperty("perturbed_income");
        var income = ((NumericColumn)current["Income"]).Values.ToArray().Select(v => v * 1.2).ToArray();
        var incomeRef = ((NumericColumn)reference["Income"]).Values;
        Close(perturbed.GetProperty("psi").GetDouble(), DriftStatistics.Psi(incomeRef, income).Value, "perturbed psi");
        Close(perturbed.GetProperty("ks_p").GetDouble(), DriftStatistics.KolmogorovSmirnov(incomeRef, income).PValue, "perturbed ks p");
        Assert.True(DriftStatistics.Psi(incomeRef, income).Value > DriftStatistics.Psi(incomeRef, ((NumericColumn)current["Income"]).Values).Value);
    }

    /// <summary>Counts per category over both sides' labels sorted (ordinal), missing as a category, as drift.py.</summary>
    private static (double[] Reference, double[] Current) CategoryCounts(CategoricalColumn reference, CategoricalColumn current)
    {
        string Label(CategoricalColumn c, int i) => c.Codes[i] < 0 ? "\0NA" : c.Categories[c.Codes[i]];
        var labels = Enumerable.Range(0, reference.Length).Select(i => Label(reference, i)).Concat(Enumerable.Range(0, current.Length).Select(i => Label(current, i))).Distinct().Order(StringComparer.Ordinal).ToArray();
        double[] Count(CategoricalColumn c) => labels.Select(l => (double)Enumerable.Range(0, c.Length).Count(i => Label(c, i) == l)).ToArray();
        return (Count(reference), Count(current));
    }

    [Fact]
    public void Proportions_z_test_equals_scipy()
    {
        foreach (var row in JsonDocument.Parse(File.ReadAllText(TestPaths.DriftFixture("drift_ztest.json"))).RootElement.EnumerateArray())
        {
            var z = DriftStatistics.ProportionsZTest(row.GetProperty("x1").GetDouble(), row.GetProperty("n1").GetDouble(), row.GetProperty("x2").GetDouble(), row.GetProperty("n2").GetDouble());
            Close(row.GetProperty("z").GetDouble(), z.Z, "z");
            Close(row.GetProperty("p").GetDouble(), z.PValue, "p");
        }
    }

    [Fact]
    public void Identical_data_gives_no_drift()
    {
        var random = new Random(4);
        var x = Enumerable.Range(0, 5000).Select(_ => random.NextDouble()).ToArray();
        Assert.Equal(0.0, DriftStatistics.Psi(x, x).Value, 15);
        Assert.Equal(0.0, DriftStatistics.KolmogorovSmirnov(x, x).Statistic);
        Assert.Equal(1.0, DriftStatistics.KolmogorovSmirnov(x, x).PValue);
        Assert.Equal(0.0, DriftStatistics.Wasserstein(x, x));
        Assert.Equal(0.0, DriftStatistics.JensenShannon(x, x), 15);
        Assert.Equal(0.0, DriftStatistics.ChiSquare([10, 20, 30], [10, 20, 30]).Statistic);
    }
}
