using System.Globalization;
using CreditScoring.Sdk.Tracking;

// Usage: STORE EXPERIMENT WRITER RUNS METRICS BATCH
//   logs RUNS runs named WRITER-i, each with METRICS metrics (m0.. at step 0, value i * 1000 + k) in batches of BATCH,
//   finished; prints "logged i" after each run and "done" at the end. RUNS = 0 logs until killed.
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: STORE EXPERIMENT WRITER RUNS METRICS BATCH");
    return 2;
}

var (location, experiment, writer) = (args[0], args[1], args[2]);
var (runs, metrics, batch) = (int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture));
using var store = TrackingStores.Open(location);
var tracker = new ExperimentTracker(store, experiment, writer);
for (var i = 0; runs == 0 || i < runs; i++)
{
    var run = await tracker.StartRunAsync($"{writer}-{i}");
    for (var k = 0; k < metrics; k += batch)
    {
        var values = Enumerable.Range(k, Math.Min(batch, metrics - k)).Select(m => new Metric($"m{m}", (i * 1000) + m, 1_700_000_000_000 + i, 0)).ToArray();
        await store.LogBatchAsync(run.Info.RunId, values, [], []);
    }

    await store.UpdateRunAsync(run.Info.RunId, RunStatus.Finished, 1_700_000_000_000 + i);
    Console.WriteLine($"logged {i}");
}

Console.WriteLine("done");
return 0;
