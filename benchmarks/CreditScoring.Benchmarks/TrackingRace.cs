using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Benchmarks;

/// <summary>
/// <c>race tracking [--repeats 5] [--fit DATA.csv TARGET]</c> (issue 17's figures for the embedded store): logging
/// 100,000 metric points in batches of 1,000 to a new SQLite store, and a filtered, ordered search over 10,000 runs (each
/// with 5 metrics, 3 parameters and 2 tags); with <c>--fit</c>, the gbdt race's fit on a 80 % stratified split, untracked
/// and autologged, with the rest as validation rows and without, interleaved; medians of the repeats. Prints one JSON line.
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
            var fit = PeerRace.Values(args, "--fit").ToArray();
            double untracked = double.NaN, tracked = double.NaN, untrackedNoValidation = double.NaN, trackedNoValidation = double.NaN, paired = double.NaN, pairedNoValidation = double.NaN;
            if (fit.Length > 0)
            {
                var data = CreditScoring.Sdk.Data.CreditData.ReadCsv(fit[0], o => o.Target(args[Array.IndexOf(args, fit[0]) + 1]));
                var (train, validation) = data.SplitStratified(0.2, 42);
                var pipeline = PeerRace.GbdtPipeline();
                var tracker = new ExperimentTracker(SqliteTrackingStore.Open(Path.Combine(folder, "fits.db")), "fits");
                pipeline.Fit(train, validation, tracker); // warm-up
                var plain = new List<double>();
                var logged = new List<double>();
                var plainNoValidation = new List<double>();
                var loggedNoValidation = new List<double>();
                for (var r = 0; r < repeats; r++)
                {
                    var watch = Stopwatch.StartNew();
                    pipeline.Fit(train, validation, (ExperimentTracker?)null);
                    plain.Add(watch.Elapsed.TotalSeconds);
                    watch.Restart();
                    pipeline.Fit(train, validation, tracker);
                    logged.Add(watch.Elapsed.TotalSeconds);
                    watch.Restart();
                    pipeline.Fit(train, null, (ExperimentTracker?)null);
                    plainNoValidation.Add(watch.Elapsed.TotalSeconds);
                    watch.Restart();
                    pipeline.Fit(train, null, tracker);
                    loggedNoValidation.Add(watch.Elapsed.TotalSeconds);
                }

                untracked = plain.Order().ElementAt(plain.Count / 2);
                tracked = logged.Order().ElementAt(logged.Count / 2);
                untrackedNoValidation = plainNoValidation.Order().ElementAt(plain.Count / 2);
                trackedNoValidation = loggedNoValidation.Order().ElementAt(plain.Count / 2);

                // Each repeat's fits ran back to back: the median of the pairs' ratios is steadier on a noisy machine than the ratio of medians.
                paired = logged.Zip(plain, (l, p) => (l / p) - 1).Order().ElementAt(plain.Count / 2);
                pairedNoValidation = loggedNoValidation.Zip(plainNoValidation, (l, p) => (l / p) - 1).Order().ElementAt(plain.Count / 2);
            }

            var figures = new Dictionary<string, object>
            {
                ["log_100k_metric_points_s"] = logSeconds.Order().ElementAt(logSeconds.Count / 2),
                ["log_runs_built_10k_s"] = buildSeconds,
                ["search_10k_runs_s"] = searchSeconds,
                ["search_found"] = found,
                ["repeats"] = repeats,
            };
            if (fit.Length > 0)
            {
                figures["fit_untracked_s"] = untracked;
                figures["fit_autologged_s"] = tracked;
                figures["autolog_overhead"] = (tracked / untracked) - 1;
                figures["autolog_overhead_paired"] = paired;
                figures["autolog_overhead_no_validation_paired"] = pairedNoValidation;
                figures["fit_untracked_no_validation_s"] = untrackedNoValidation;
                figures["fit_autologged_no_validation_s"] = trackedNoValidation;
                figures["autolog_overhead_no_validation"] = (trackedNoValidation / untrackedNoValidation) - 1;
            }

            Console.WriteLine(JsonSerializer.Serialize(figures));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
