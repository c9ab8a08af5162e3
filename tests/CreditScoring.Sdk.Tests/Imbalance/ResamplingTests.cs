using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Resampling;
using Xunit;

namespace CreditScoring.Sdk.Tests.Imbalance;

public class ResamplingTests
{
    private static readonly JsonElement Counts = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("imbalance_counts.json"))).RootElement;

    /// <summary>The fixture's rows: x0..x3 continuous, c as codes 0..2 (a, b, c), and y.</summary>
    internal static (FeatureMatrix Numeric, FeatureMatrix Mixed, int[] Labels) Synth()
    {
        var lines = File.ReadAllLines(TestPaths.Fixture("imbalance_synth.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        var x = Enumerable.Range(0, 4).Select(j => lines.Select(l => double.Parse(l[j], System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var c = lines.Select(l => (double)(l[4][0] - 'a')).ToArray();
        var y = lines.Select(l => int.Parse(l[5], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var numericInfo = Enumerable.Range(0, 4).Select(j => new FeatureInfo("x" + j, FeatureKind.Continuous)).ToArray();
        var numeric = new FeatureMatrix(numericInfo, x);
        var mixed = new FeatureMatrix([.. numericInfo, new FeatureInfo("c", FeatureKind.Categorical, 3, ["a", "b", "c"])], [.. x, c]);
        return (numeric, mixed, y);
    }

    private static void AssertCounts(string key, ResampledData result)
    {
        var expected = Counts.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(expected, new[] { result.Negatives, result.Positives });
    }

    [Fact]
    public void Class_counts_equal_imbalanced_learn_for_every_sampler_and_strategy()
    {
        var (numeric, mixed, y) = Synth();
        Assert.Equal([714, 86], Counts.GetProperty("before").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        AssertCounts("smote_auto", new Smote().Resample(numeric, y, seed: 42));
        AssertCounts("smote_ratio_0.5", new Smote(strategy: SamplingStrategy.Ratio(0.5)).Resample(numeric, y, seed: 42));
        AssertCounts("smote_counts_1_300", new Smote(strategy: SamplingStrategy.Counts(714, 300)).Resample(numeric, y, seed: 42));
        AssertCounts("smote_counts_1_300", new Smote(strategy: SamplingStrategy.Parse("1:300")).Resample(numeric, y, seed: 42));
        AssertCounts("borderline1_auto", new BorderlineSmote().Resample(numeric, y, seed: 42));
        AssertCounts("adasyn_auto", new Adasyn().Resample(numeric, y, seed: 42));
        AssertCounts("smotenc_auto", new SmoteNc().Resample(mixed, y, seed: 42));
        AssertCounts("over_ratio_0.4", new RandomOverSampler(SamplingStrategy.Ratio(0.4)).Resample(numeric, y, seed: 42));
        AssertCounts("under_auto", new RandomUnderSampler().Resample(numeric, y, seed: 42));
        AssertCounts("under_ratio_0.5", new RandomUnderSampler(SamplingStrategy.Ratio(0.5)).Resample(numeric, y, seed: 42));
        Assert.Equal(714 + 714, new BorderlineSmote(BorderlineKind.Borderline2).Resample(numeric, y, seed: 42).Labels.Length);
    }

    [Fact]
    public void Original_rows_come_first_unchanged()
    {
        var (numeric, _, y) = Synth();
        var r = new Smote().Resample(numeric, y, seed: 42);
        Assert.Equal(714 - 86, r.SyntheticRows);
        for (var j = 0; j < 4; j++)
        {
            Assert.Equal(numeric.Column(j).ToArray(), r.Features.Column(j)[..y.Length].ToArray());
        }

        Assert.Equal(y, r.Labels[..y.Length]);
        Assert.All(r.Labels[y.Length..], l => Assert.Equal(1, l));
    }

    /// <summary>Brute force: the k nearest minority neighbors' squared distances from each minority row.</summary>
    private static double KthDistance(double[][] minority, int i, int k)
    {
        var d = minority.Select((p, o) => o == i ? double.PositiveInfinity : p.Zip(minority[i], (a, b) => (a - b) * (a - b)).Sum()).OrderBy(v => v).ToArray();
        return d[k - 1];
    }

    [Theory]
    [InlineData("smote")]
    [InlineData("borderline")]
    [InlineData("adasyn")]
    public void Every_synthetic_point_lies_on_a_segment_to_one_of_its_k_nearest_minority_neighbors(string name)
    {
        var (numeric, _, y) = Synth();
        Resampler sampler = name switch { "smote" => new Smote(), "borderline" => new BorderlineSmote(), _ => new Adasyn() };
        var r = sampler.Resample(numeric, y, seed: 42);
        var minority = Enumerable.Range(0, y.Length).Where(i => y[i] == 1).Select(i => Enumerable.Range(0, 4).Select(j => numeric[i, j]).ToArray()).ToArray();
        var kth = minority.Select((_, i) => KthDistance(minority, i, 5)).ToArray();
        for (var s = y.Length; s < r.Labels.Length; s++)
        {
            var p = Enumerable.Range(0, 4).Select(j => r.Features[s, j]).ToArray();
            var found = false;
            for (var a = 0; a < minority.Length && !found; a++)
            {
                for (var b = 0; b < minority.Length && !found; b++)
                {
                    if (a == b)
                    {
                        continue;
                    }

                    var dist = minority[a].Zip(minority[b], (u, v) => (u - v) * (u - v)).Sum();
                    if (dist > kth[a] * (1 + 1e-12))
                    {
                        continue;
                    }

                    // p = a + t (b - a) with one t in [0, 1) for every coordinate.
                    var t = (p[0] - minority[a][0]) / (minority[b][0] - minority[a][0]);
                    found = t >= 0 && t < 1 && Enumerable.Range(0, 4).All(j => Math.Abs(minority[a][j] + (t * (minority[b][j] - minority[a][j])) - p[j]) <= 1e-9 * (1 + Math.Abs(p[j])));
                }
            }

            Assert.True(found, $"{name}: synthetic row {s} is on no segment between a minority row and one of its 5 nearest minority neighbors.");
        }
    }

    [Fact]
    public void Smote_nc_takes_the_most_frequent_category_among_the_neighbors()
    {
        var (_, mixed, y) = Synth();
        var r = new SmoteNc().Resample(mixed, y, seed: 42);
        var minority = Enumerable.Range(0, y.Length).Where(i => y[i] == 1).ToArray();
        var rows = minority.Select(i => Enumerable.Range(0, 5).Select(j => mixed[i, j]).ToArray()).ToArray();

        // imbalanced-learn's distance: numeric squared differences + median(std)^2 / 2 per differing category.
        var stds = Enumerable.Range(0, 4).Select(j => { var v = rows.Select(p => p[j]).ToArray(); var m = v.Average(); return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / v.Length); }).OrderBy(s => s).ToArray();
        var median = (stds[1] + stds[2]) / 2;
        double Distance(double[] a, double[] b) => Enumerable.Range(0, 4).Sum(j => (a[j] - b[j]) * (a[j] - b[j])) + (a[4] != b[4] ? median * median / 2 : 0);
        var neighbors = rows.Select((p, i) => Enumerable.Range(0, rows.Length).Where(o => o != i).OrderBy(o => Distance(p, rows[o])).ThenBy(o => o).Take(5).ToArray()).ToArray();

        var checkedRows = 0;
        for (var s = y.Length; s < r.Labels.Length; s++)
        {
            var p = Enumerable.Range(0, 5).Select(j => r.Features[s, j]).ToArray();

            // A segment is symmetric, so a point may sit on (a, b) and (b, a): one of the matching bases must vote for its category.
            var matches = new List<bool>();
            for (var a = 0; a < rows.Length; a++)
            {
                foreach (var b in neighbors[a])
                {
                    var t = (p[0] - rows[a][0]) / (rows[b][0] - rows[a][0]);
                    if (t >= 0 && t < 1 && Enumerable.Range(0, 4).All(j => Math.Abs(rows[a][j] + (t * (rows[b][j] - rows[a][j])) - p[j]) <= 1e-9 * (1 + Math.Abs(p[j]))))
                    {
                        var votes = neighbors[a].GroupBy(o => rows[o][4]).Select(g => (Category: g.Key, Count: g.Count())).ToArray();
                        var top = votes.Max(v => v.Count);
                        matches.Add(votes.Where(v => v.Count == top).Any(v => v.Category == p[4]));
                    }
                }
            }

            Assert.True(matches.Count > 0, $"SMOTE-NC row {s} is on no segment to a nearest neighbor.");
            Assert.True(matches.Contains(true), $"SMOTE-NC row {s} has category {p[4]}, which is not the most frequent among its base row's neighbors.");
            checkedRows++;
        }

        Assert.Equal(714 - 86, checkedRows);
    }

    [Fact]
    public void Smote_nc_keeps_one_hot_groups_consistent()
    {
        var (_, mixed, y) = Synth();
        var c = mixed.Column(4).ToArray();
        var columns = Enumerable.Range(0, 4).Select(j => mixed.Column(j).ToArray()).Concat(Enumerable.Range(0, 3).Select(k => c.Select(v => v == k ? 1.0 : 0.0).ToArray())).ToArray();
        var info = Enumerable.Range(0, 4).Select(j => new FeatureInfo("x" + j, FeatureKind.Continuous)).Concat(new[] { "a", "b", "c" }.Select(n => new FeatureInfo("c=" + n, FeatureKind.Indicator))).ToArray();
        var onehot = new FeatureMatrix(info, columns);
        var viaGroups = new SmoteNc().Resample(onehot, y, seed: 42, categoricalGroups: [[4, 5, 6]]);
        var viaCodes = new SmoteNc().Resample(mixed, y, seed: 42);
        for (var s = 0; s < viaGroups.Labels.Length; s++)
        {
            Assert.Equal(1.0, viaGroups.Features[s, 4] + viaGroups.Features[s, 5] + viaGroups.Features[s, 6]);

            // The same neighbors and draws: the one-hot pattern encodes the code SMOTE-NC picks on codes.
            Assert.Equal(viaCodes.Features[s, 4], viaGroups.Features[s, 5] == 1 ? 1.0 : viaGroups.Features[s, 6] == 1 ? 2.0 : 0.0);
            Assert.Equal(viaCodes.Features[s, 0], viaGroups.Features[s, 0]);
        }
    }

    [Fact]
    public void Same_seed_same_rows_on_any_thread_count_and_another_seed_differs()
    {
        var (numeric, _, y) = Synth();
        foreach (var sampler in new Resampler[] { new Smote(), new BorderlineSmote(BorderlineKind.Borderline2), new Adasyn(), new RandomOverSampler(), new RandomUnderSampler() })
        {
            var one = sampler.Resample(numeric, y, seed: 5, maxDegreeOfParallelism: 1);
            var two = sampler.Resample(numeric, y, seed: 5, maxDegreeOfParallelism: 2);
            var other = sampler.Resample(numeric, y, seed: 6);
            for (var j = 0; j < 4; j++)
            {
                Assert.Equal(one.Features.Column(j).ToArray(), two.Features.Column(j).ToArray());
            }

            Assert.NotEqual(one.Features.Column(0).ToArray(), other.Features.Column(0).ToArray());
        }
    }

    [Fact]
    public void The_k_d_tree_finds_the_same_neighbors_as_brute_force()
    {
        var random = new Random(3);
        const int n = 3000, d = 6;
        var points = new double[n * d];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = Math.Round(random.NextDouble() * 20) / 4; // many ties
        }

        var tree = new NearestNeighbors(points, n, d);
        Assert.True(tree.UsesTree);
        var idx = new int[7];
        var dist = new double[7];
        for (var q = 0; q < 200; q++)
        {
            tree.Query(points.AsSpan(q * d, d), 7, q, idx, dist);
            var brute = Enumerable.Range(0, n).Where(o => o != q).OrderBy(o => NearestNeighbors.Distance(points.AsSpan(q * d, d), points.AsSpan(o * d, d))).ThenBy(o => o).Take(7).ToArray();
            Assert.Equal(brute, idx);
        }
    }

    [Fact]
    public void Bad_input_gets_specific_errors()
    {
        var (numeric, mixed, y) = Synth();
        var withNaN = new FeatureMatrix(numeric.Features, [.. Enumerable.Range(0, 4).Select(j => j == 2 ? numeric.Column(j).ToArray().Select((v, i) => i == 17 ? double.NaN : v).ToArray() : numeric.Column(j).ToArray())]);
        Assert.Contains("'x2' is missing at row 17", Assert.Throws<ArgumentException>(() => new Smote().Resample(withNaN, y, seed: 42)).Message);
        Assert.Contains("'c' is categorical", Assert.Throws<ArgumentException>(() => new Smote().Resample(mixed, y, seed: 42)).Message);
        Assert.Contains("would remove minority rows", Assert.Throws<TrainingDataException>(() => new Smote(strategy: SamplingStrategy.Ratio(0.05)).Resample(numeric, y, seed: 42)).Message);
        Assert.Contains("only removes rows", Assert.Throws<TrainingDataException>(() => new RandomUnderSampler(SamplingStrategy.Counts(800, 86)).Resample(numeric, y, seed: 42)).Message);
        var few = Enumerable.Range(0, y.Length).Select(i => i < 3 ? 1 : 0).ToArray();
        Assert.Contains("needs at least 6 rows of class 1", Assert.Throws<TrainingDataException>(() => new Smote().Resample(numeric, few, seed: 42)).Message);
        Assert.Equal(SamplingStrategy.Counts(10, 20).ToString(), SamplingStrategy.Parse("0:10,1:20").ToString());
        Assert.Equal(0.5, SamplingStrategy.Parse("0.5").RatioValue);
        Assert.Throws<ConfigurationException>(() => SamplingStrategy.Parse("2:10"));
    }

    [Fact]
    public void A_registered_resampler_is_created_by_name_like_the_sdks_own()
    {
        ResamplerCatalog.Register("test-under-half", s => new RandomUnderSampler(s ?? SamplingStrategy.Ratio(0.5)));

        var resampler = ResamplerCatalog.Create("TEST-under-half");

        Assert.IsType<RandomUnderSampler>(resampler);
        Assert.Equal(SamplingStrategy.Ratio(0.5).ToString(), resampler.Parameters["strategy"]);
        Assert.Equal("test-under-half", ResamplerCatalog.Names[^1]);
        Assert.Equal("the resampler name 'smote' is already registered.", Assert.Throws<ConfigurationException>(() => ResamplerCatalog.Register("smote", s => new Smote(strategy: s))).Message);
        Assert.StartsWith("Unknown resampler 'knn'; use one of: smote, borderline, borderline2, smotenc, adasyn, over, under", Assert.Throws<ConfigurationException>(() => ResamplerCatalog.Create("knn")).Message, StringComparison.Ordinal);
    }
}
