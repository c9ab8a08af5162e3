using System.Text;
using System.Text.Json;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Drift.Tests;

public class DataDriftTests
{
    /// <summary>A table of generated applicants: two numeric and two categorical columns, optionally shifted.</summary>
    internal static CreditData Applicants(int rows, int seed, double incomeShift = 0, double utilisationScale = 1, bool flipRegion = false)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var income = new double[rows];
        var utilisation = new double[rows];
        var region = new string?[rows];
        var owner = new string?[rows];
        var target = new double[rows];
        string[] regions = ["north", "south", "east", "west"];
        for (var i = 0; i < rows; i++)
        {
            income[i] = random.NextDouble() < 0.05 ? double.NaN : Math.Exp(10 + (0.5 * Normal()) + incomeShift);
            utilisation[i] = Math.Clamp((0.4 + (0.2 * Normal())) * utilisationScale, 0, 3);
            var u = random.NextDouble();
            region[i] = flipRegion ? regions[u < 0.55 ? 3 : u < 0.75 ? 2 : u < 0.9 ? 1 : 0] : regions[u < 0.4 ? 0 : u < 0.7 ? 1 : u < 0.9 ? 2 : 3];
            owner[i] = random.NextDouble() < 0.3 ? "yes" : "no";
            target[i] = random.NextDouble() < 0.1 ? 1 : 0;
        }

        return CreditData.FromColumns(
            [new NumericColumn("income", income), new NumericColumn("utilisation", utilisation), new CategoricalColumn("region", region), new CategoricalColumn("owner", owner), new NumericColumn("target", target)],
            o => o.Target("target"));
    }

    [Fact]
    public void Identical_data_gives_no_drift()
    {
        var data = Applicants(3000, 1);
        var drift = DriftDetector.Compare(data, data);
        Assert.False(drift.IsDrifted);
        Assert.Equal(0, drift.DriftedCount);
        Assert.Equal(4, drift.Columns.Count);
        Assert.All(drift.Columns, c => Assert.Equal(0.0, c.Psi, 12));
        Assert.Equal("Drift is detected for 0% of columns (0 out of 4).", drift.Summary);
    }

    [Fact]
    public void A_shifted_column_is_detected_and_untouched_ones_are_not()
    {
        var drift = DriftDetector.Compare(Applicants(5000, 1), Applicants(5000, 2, incomeShift: 0.3));
        var byName = drift.Columns.ToDictionary(c => c.Name);
        Assert.True(byName["income"].Drifted);
        Assert.False(byName["utilisation"].Drifted);
        Assert.False(byName["region"].Drifted);
        Assert.False(byName["owner"].Drifted);
        Assert.Equal("income", drift.Columns[0].Name);
        Assert.Equal(0.25, drift.DriftedShare);
        Assert.False(drift.IsDrifted);
        Assert.Equal("Drift is detected for 25% of columns (1 out of 4).", drift.Summary);

        var two = DriftDetector.Compare(Applicants(5000, 1), Applicants(5000, 2, incomeShift: 0.3, flipRegion: true));
        Assert.True(two.IsDrifted);
        Assert.Equal(0.5, two.DriftedShare);
    }

    [Fact]
    public void Tests_are_chosen_by_type_and_reference_size()
    {
        var small = DriftDetector.Compare(Applicants(1000, 1), Applicants(800, 2)).Columns.ToDictionary(c => c.Name);
        Assert.Equal(DriftTest.KolmogorovSmirnov, small["income"].Test);
        Assert.Equal(DriftTest.ChiSquare, small["region"].Test);
        Assert.Equal(DriftTest.ZTest, small["owner"].Test);
        Assert.Equal(0.05, small["income"].Threshold);
        Assert.NotNull(small["income"].PValue);

        var large = DriftDetector.Compare(Applicants(1001, 1), Applicants(800, 2)).Columns.ToDictionary(c => c.Name);
        Assert.Equal(DriftTest.Wasserstein, large["income"].Test);
        Assert.Equal(DriftTest.JensenShannon, large["region"].Test);
        Assert.Equal(DriftTest.JensenShannon, large["owner"].Test);
        Assert.Equal(0.1, large["income"].Threshold);
        Assert.Null(large["income"].PValue);

        // The decision uses the statistics exactly as DriftStatistics computes them.
        var reference = Applicants(1500, 1);
        var current = Applicants(1500, 2, utilisationScale: 1.15);
        var u = DriftDetector.Compare(reference, current).Columns.Single(c => c.Name == "utilisation");
        var expected = DriftStatistics.NormedWasserstein(((NumericColumn)reference["utilisation"]).Values, ((NumericColumn)current["utilisation"]).Values);
        Assert.Equal(expected, u.Statistic, 12);
        Assert.Equal(expected >= 0.1, u.Drifted);
        Assert.Equal(DriftStatistics.Psi(((NumericColumn)reference["utilisation"]).Values, ((NumericColumn)current["utilisation"]).Values).Value, u.Psi, 12);
    }

    [Fact]
    public void Per_column_overrides_and_drift_share_apply()
    {
        var options = new DriftOptions { DriftShare = 0.25 };
        options.Columns["utilisation"] = new ColumnDriftOptions(DriftTest.Psi, 0.0001);
        options.Columns["region"] = new ColumnDriftOptions(DriftTest.Psi);
        var drift = DriftDetector.Compare(Applicants(3000, 1), Applicants(3000, 2), options);
        var u = drift.Columns.Single(c => c.Name == "utilisation");
        Assert.Equal(DriftTest.Psi, u.Test);
        Assert.Equal(0.0001, u.Threshold);
        Assert.True(u.Drifted);
        Assert.Equal(0.1, drift.Columns.Single(c => c.Name == "region").Threshold);
        Assert.True(drift.IsDrifted);

        var bad = new DriftOptions();
        bad.Columns["region"] = new ColumnDriftOptions(DriftTest.KolmogorovSmirnov);
        Assert.Equal("Column 'region' is categorical; test KolmogorovSmirnov applies to numeric columns. Use ChiSquare, ZTest, JensenShannon or Psi.", Assert.Throws<ArgumentException>(() => DriftDetector.Compare(Applicants(100, 1), Applicants(100, 2), bad)).Message);
        var unknown = new DriftOptions();
        unknown.Columns["age"] = new ColumnDriftOptions(DriftTest.Psi);
        Assert.StartsWith("The drift options configure column 'age', which is not compared", Assert.Throws<ArgumentException>(() => DriftDetector.Compare(Applicants(100, 1), Applicants(100, 2), unknown)).Message);
    }

    [Fact]
    public void Prediction_drift_reads_psi_with_the_credit_convention()
    {
        Assert.Equal("stable", PredictionDrift.Read(0.05));
        Assert.Equal("moderate", PredictionDrift.Read(0.1));
        Assert.Equal("moderate", PredictionDrift.Read(0.25));
        Assert.Equal("significant", PredictionDrift.Read(0.2501));

        var reference = Applicants(4000, 1);
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(reference);
        var same = DriftDetector.Compare(reference, Applicants(4000, 2), model: model);
        Assert.Equal("stable", same.Prediction!.Stability);
        var p = new double[reference.RowCount];
        model.CreateScorer().PredictProbabilities(reference, p);
        Assert.Equal(p.Average(), same.Prediction.ReferenceMeanPd, 12);
        Assert.Equal(["income", "owner", "region", "utilisation"], same.Columns.Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Json_report_has_the_documented_schema()
    {
        var drift = DriftDetector.Compare(Applicants(1200, 1), Applicants(900, 2, incomeShift: 0.3));
        using var stream = new MemoryStream();
        DriftReport.WriteJson(drift, stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("creditscoring-drift/1", json.GetProperty("schema").GetString());
        Assert.False(json.GetProperty("datasetDrift").GetBoolean());
        Assert.Equal(0.25, json.GetProperty("driftedShare").GetDouble());
        var income = json.GetProperty("columns")[0];
        Assert.Equal("income", income.GetProperty("name").GetString());
        Assert.Equal("wasserstein", income.GetProperty("test").GetString());
        Assert.False(income.TryGetProperty("pValue", out _));
        Assert.True(income.GetProperty("drifted").GetBoolean());
        Snapshot.Verify(Snapshot.RoundNumbers(text, 6));
    }

    [Fact]
    public void Html_report_is_self_contained_with_a_chart_per_column()
    {
        var drift = DriftDetector.Compare(Applicants(1200, 1), Applicants(900, 2, incomeShift: 0.3));
        var html = DriftReport.ToHtml(drift);
        Assert.Contains("Drift is detected for 25% of columns (1 out of 4).", html, StringComparison.Ordinal);
        foreach (var c in drift.Columns)
        {
            Assert.Contains($"<div class=\"column\" data-column=\"{c.Name}\">", html, StringComparison.Ordinal);
        }

        Assert.Equal(drift.Columns.Count, html.Split("<svg class=\"chart\"").Length - 1);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
    }
}
