using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Drift.Tests;

public class ProfileDriftTests
{
    private static CreditModel Train(CreditData data) => new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);

    [Theory]
    [InlineData(3_000)]
    [InlineData(60_000)]
    public void Every_score_band_profiles_its_rows_as_they_would_be_profiled_alone(int rows)
    {
        // The bands read their sorted values off one sort of each column; each must equal the profile of its own rows.
        var data = DataDriftTests.Applicants(rows, 7);
        var random = new Random(3);
        var scores = Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.02 ? double.NaN : random.NextDouble()).ToArray();
        var profile = PopulationProfile.Build(data, ["income", "utilisation", "region"], scores, maxDegreeOfParallelism: 2);

        Assert.Equal(10, profile.ScoreBands.Count);
        Assert.Equal(scores.Count(s => !double.IsNaN(s)), profile.ScoreBands.Sum(b => b.Rows));
        foreach (var band in profile.ScoreBands)
        {
            var members = Enumerable.Range(0, rows).Where(r => !double.IsNaN(scores[r]) && (scores[r] > band.Low || (double.IsNegativeInfinity(band.Low) && scores[r] <= band.High)) && scores[r] <= band.High).ToArray();
            Assert.Equal(members.Length, band.Rows);
            foreach (var name in new[] { "income", "utilisation" })
            {
                var values = ((NumericColumn)data[name]).Values.ToArray();
                var alone = PopulationProfile.Numeric(name, members.Select(r => values[r]).ToArray());
                var inBand = band.Columns.Single(c => c.Name == name);
                Assert.Equal(alone.Missing, inBand.Missing);
                Assert.Equal(alone.Mean, inBand.Mean);
                Assert.Equal(alone.StandardDeviation, inBand.StandardDeviation);
                Assert.Equal(alone.Quantiles[0], inBand.Quantiles[0]);
                Assert.Equal(alone.Quantiles[^1], inBand.Quantiles[^1]);
                Assert.Equal(alone.DecileEdges, inBand.DecileEdges);
                Assert.Equal(alone.DecileCounts, inBand.DecileCounts);
            }
        }
    }

    [Fact]
    public void The_model_saves_its_training_population_and_it_round_trips()
    {
        var reference = DataDriftTests.Applicants(3000, 1);
        var model = Train(reference);
        var profile = model.Profile!;
        Assert.Equal(3000, profile.Rows);
        Assert.Equal(["income", "utilisation", "region", "owner"], profile.Columns.Select(c => c.Name));
        var income = profile["income"];
        var values = ((NumericColumn)reference["income"]).Values.ToArray();
        var present = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        Assert.Equal(values.Length - present.Length, income.Missing);
        Assert.Equal(present[0], income.Quantiles[0]);
        Assert.Equal(present[^1], income.Quantiles[^1]);
        Assert.Equal(201, income.Quantiles.Count);
        Assert.Equal(present.Length, income.DecileCounts.Sum());
        Assert.Equal(reference.Labels.Length, profile.Scores!.Rows);

        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = CreditModel.Load(stream).Profile!;
        Assert.Equal(profile.Rows, loaded.Rows);
        Assert.Equal(income.Quantiles, loaded["income"].Quantiles);
        Assert.Equal(profile["region"].CategoryCounts, loaded["region"].CategoryCounts);
        Assert.Equal(profile.Scores.DecileEdges, loaded.Scores!.DecileEdges);
    }

    [Fact]
    public void A_profile_built_on_several_threads_equals_the_one_built_on_one()
    {
        var data = DataDriftTests.Applicants(5000, 3);
        var scores = Enumerable.Range(0, data.RowCount).Select(i => (i * 7919 % 1000) / 1000.0).ToArray();
        string[] columns = ["income", "utilisation", "region", "owner"];
        var one = PopulationProfile.Build(data, columns, scores);
        var three = PopulationProfile.Build(data, columns, scores, maxDegreeOfParallelism: 3);

        Assert.Equal(columns, three.Columns.Select(c => c.Name));
        foreach (var (a, b) in one.Columns.Append(one.Scores!).Zip(three.Columns.Append(three.Scores!)))
        {
            Assert.Equal(a.Name, b.Name);
            Assert.Equal(a.Missing, b.Missing);
            Assert.Equal(a.Quantiles, b.Quantiles);
            Assert.Equal(a.DecileEdges, b.DecileEdges);
            Assert.Equal(a.DecileCounts, b.DecileCounts);
            Assert.Equal(a.CategoryCounts, b.CategoryCounts);
        }

        Assert.Equal(0.999, three.Scores!.Quantiles[^1]);
        Assert.Equal(0, PopulationProfile.Build(data, columns).Scores?.Rows ?? 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => PopulationProfile.Build(data, columns, scores, maxDegreeOfParallelism: 0));
        Assert.Contains("nope", Assert.Throws<KeyNotFoundException>(() => PopulationProfile.Build(data, ["income", "nope"], scores, 2)).Message);
        Assert.Equal("There are 4999 scores for 5000 rows: give one score per row, or none. (Parameter 'scores')", Assert.Throws<ArgumentException>(() => PopulationProfile.Build(data, columns, scores.AsSpan(1))).Message);
    }

    [Fact]
    public void Drift_against_the_profile_agrees_with_drift_against_the_table()
    {
        var reference = DataDriftTests.Applicants(6000, 1);
        var model = Train(reference);
        var current = DataDriftTests.Applicants(4000, 2, incomeShift: 0.3, flipRegion: true);
        var table = DriftDetector.Compare(reference, current, model: model);
        var profiled = DriftDetector.Compare(model.Profile!, current, model: model);

        Assert.Equal(table.Columns.Select(c => (c.Name, c.Drifted, c.Test)), profiled.Columns.Select(c => (c.Name, c.Drifted, c.Test)));
        foreach (var (t, p) in table.Columns.Zip(profiled.Columns))
        {
            Assert.Equal(t.Psi, p.Psi, 12);                          // exact: same deciles, same counts
            if (t.Type == "categorical")
            {
                Assert.Equal(t.Statistic, p.Statistic, 12);          // Jensen-Shannon on exact counts
            }
            else
            {
                Assert.Equal(t.Statistic, p.Statistic, 0.02 * t.Statistic + 0.002); // Wasserstein through 201 quantiles
            }
        }

        Assert.Equal(table.Prediction!.Psi, profiled.Prediction!.Psi, 12);
        Assert.Equal(table.Prediction.ReferenceMeanPd, profiled.Prediction.ReferenceMeanPd, 12);
        Assert.Equal(table.Summary, profiled.Summary);
    }

    [Fact]
    public void Small_profiled_references_use_ks_against_the_profile_distribution()
    {
        var reference = DataDriftTests.Applicants(800, 1);
        var model = Train(reference);
        var current = DataDriftTests.Applicants(700, 2, utilisationScale: 1.3);
        var table = DriftDetector.Compare(reference, current, model: model).Columns.ToDictionary(c => c.Name);
        var profiled = DriftDetector.Compare(model.Profile!, current, model: model).Columns.ToDictionary(c => c.Name);
        Assert.Equal(DriftTest.KolmogorovSmirnov, profiled["utilisation"].Test);
        Assert.Equal(table["utilisation"].Statistic, profiled["utilisation"].Statistic, 0.01);
        Assert.True(profiled["utilisation"].Drifted);
        Assert.False(profiled["income"].Drifted);
        Assert.Equal(table["region"].Statistic, profiled["region"].Statistic, 12); // chi-square on exact counts

        var options = new DriftOptions { PsiBins = 20 };
        Assert.StartsWith("The population profile holds 10 PSI bins", Assert.Throws<ArgumentException>(() => DriftDetector.Compare(model.Profile!, current, options)).Message);
    }
}
