using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Benchmarks;

/// <summary>
/// <c>race tracking [--repeats 5]</c> (issue 17's figures for the embedded store): logging 100,000 metric points in
/// batches of 1,000 to a new SQLite store, and a filtered, ordered search over 10,000 runs (each with 5 metrics, 3
/// parameters and 2 tags); medians of the repeats. Prints one JSON line.
/// </summary>
internal static class TrackingRace
{
    public static int Run(string[] args)
    {
        var repeats = int.Parse(PeerRace.Values(args, "--repeats").LastOrDefault() ?? "5", CultureInfo.InvariantCulture);
        var folder = Directory.CreateTempSubdirectory("tracking-race-").FullName;
        try
        {
            var logSeconds = new List<double>();
            for (var r = 0; r < repeats; r++)
            {
                var store = SqliteTrackingStore.Open(Path.Combine(folder, $"log{r}.db"));
                var run = store.CreateRunAsync("0", new NewRun { StartTime = 0 }).GetAwaiter().GetResult();
                var watch = Stopwatch.StartNew();
                for (var b = 0; b < 100; b++)
                {
                    var batch = Enumerable.Range(0, 1000).Select(i => new Metric("loss", 1.0 / (1 + (b * 1000) + i), (b * 1000) + i, (b * 1000) + i)).ToArray();
                    store.LogBatchAsync(run.Info.RunId, batch, [], []).GetAwaiter().GetResult();
                }

                logSeconds.Add(watch.Elapsed.TotalSeconds);
            }

            var searchStore = SqliteTrackingStore.Open(Path.Combine(folder, "search.db"));
            var experiment = searchStore.CreateExperimentAsync("search").GetAwaiter().GetResult();
            var build = Stopwatch.StartNew();
            for (var i = 0; i < 10_000; i++)
            {
                var run = searchStore.CreateRunAsync(experiment, new NewRun { RunName = $"trial {i}", StartTime = i }).GetAwaiter().GetResult();
                searchStore.LogBatchAsync(
                    run.Info.RunId,
                    [new Metric("auc", 0.6 + ((i % 300) / 1000.0), i), new Metric("gini", 0.2, i), new Metric("ks", 0.3, i), new Metric("brier", 0.1, i), new Metric("logloss", 0.4, i)],
                    [new Param("learner", i % 2 == 0 ? "gbdt" : "logistic"), new Param("leaves", (i % 64).ToString(CultureInfo.InvariantCulture)), new Param("seed", "42")],
                    [new RunTag("stage", i % 3 == 0 ? "cv" : "final"), new RunTag("owner", "risk")]).GetAwaiter().GetResult();
            }

            var buildSeconds = build.Elapsed.TotalSeconds;
            var search = new RunSearch { ExperimentIds = [experiment], Filter = "metrics.auc > 0.8 and params.learner = 'gbdt' and tags.stage = 'cv'", OrderBy = ["metrics.auc desc"], MaxResults = 100 };
            var found = 0;
            searchStore.SearchRunsAsync(search).GetAwaiter().GetResult();
            var searchSeconds = PeerRace.Median(repeats, () => found = searchStore.SearchRunsAsync(search).GetAwaiter().GetResult().Runs.Count);
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["log_100k_metric_points_s"] = logSeconds.Order().ElementAt(logSeconds.Count / 2),
                ["log_runs_built_10k_s"] = buildSeconds,
                ["search_10k_runs_s"] = searchSeconds,
                ["search_found"] = found,
                ["repeats"] = repeats,
            }));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
