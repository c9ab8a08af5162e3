using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Benchmarks;

/// <summary>
/// <c>race treeshap DATA.csv TARGET --test-rows PEER.test_pred.csv --export DIR [--rows 10000] [--repeats 3]</c>: trains
/// the gbdt race's model (300 rounds, 31 leaves) on the peer's training rows, exports it to XGBoost JSON
/// (<c>DIR/ours.xgb.json</c>) so that <c>../shared/peers/treeshap.py --model</c> explains the very same trees, and times
/// our exact path-dependent TreeSHAP as treeshap.py times XGBoost's <c>pred_contribs</c>: a batch of the first
/// <c>--rows</c> test rows on 2 threads (median of repeats; <c>ExplainMargins</c> on each half of the rows), and one row
/// at a time (<c>ExplainMargin</c>, median over 100 rows). Also times the
/// model-level explainer (inputs, reasons, standing) on the same batch. Writes our contributions of the first 100 rows
/// to <c>DIR/ours.contribs.csv</c> for the comparison. Prints one JSON line.
/// </summary>
internal static class ExplainRace
{
    public static int TreeShap(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: race treeshap DATA.csv TARGET --test-rows FILE --export DIR [--rows 10000] [--repeats 3]");
            return 2;
        }

        string Option(string name, string fallback) => PeerRace.Values(args, name).LastOrDefault() ?? fallback;
        var rowsWanted = int.Parse(Option("--rows", "10000"), CultureInfo.InvariantCulture);
        var repeats = int.Parse(Option("--repeats", "3"), CultureInfo.InvariantCulture);
        var export = Option("--export", "treeshap-export");
        var data = CreditData.ReadCsv(args[0], o => o.Target(args[1]));
        var testRows = PeerRace.Values(args, "--test-rows").LastOrDefault();
        if (testRows is null)
        {
            Console.Error.WriteLine("--test-rows PEER.test_pred.csv is required (gbdt.py --save-model writes it), so that both explain the same rows");
            return 2;
        }

        var (train, test) = PeerRace.SplitByRows(data, testRows);
        var model = PeerRace.GbdtPipeline().Fit(train);
        var gb = (GradientBoostingPredictor)model.Predictor;
        Directory.CreateDirectory(export);
        XGBoostModel.Export(gb, Path.Combine(export, "ours.xgb.json"));

        var n = Math.Min(rowsWanted, test.RowCount);
        var batch = test.SelectRows(Enumerable.Range(0, n).ToArray());
        var matrix = model.Features.Transform(batch);
        var p = matrix.ColumnCount;
        var rows = new double[n][];
        for (var i = 0; i < n; i++)
        {
            rows[i] = new double[p];
            matrix.CopyRow(i, rows[i]);
        }

        // Batch: every row, 2 threads, as pred_contribs with nthread=2: the batch API on each half of the rows.
        var halves = new[] { Enumerable.Range(0, n / 2).ToArray(), Enumerable.Range(n / 2, n - (n / 2)).ToArray() }
            .Select(h => (Matrix: model.Features.Transform(batch.SelectRows(h)), Output: new double[h.Length * p])).ToArray();
        var batchSeconds = PeerRace.Median(repeats, () =>
            Parallel.ForEach(halves, new ParallelOptions { MaxDegreeOfParallelism = 2 }, h => gb.ExplainMargins(h.Matrix, h.Output)));

        // One row at a time, one thread, median over 100 rows after a warm-up.
        var single = Math.Min(100, n);
        var phi = new double[p];
        for (var i = 0; i < 20; i++)
        {
            gb.ExplainMargin(rows[i % single], phi);
        }

        var latency = new double[single];
        for (var i = 0; i < single; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            gb.ExplainMargin(rows[i], phi);
            latency[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds * 1e6;
        }

        Array.Sort(latency);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < single; i++)
        {
            gb.ExplainMargin(rows[i], phi);
        }

        var bytesPerRow = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)single;

        var explainer = model.CreateExplainer(new ExplainerOptions { Scoring = new ScorerOptions { MaxDegreeOfParallelism = 2 } });
        var explainerSeconds = PeerRace.Median(repeats, () => explainer.ExplainBatch(batch));

        using (var csv = new StreamWriter(Path.Combine(export, "ours.contribs.csv")))
        {
            csv.WriteLine(string.Join(",", gb.Features.Select(f => f.Name).Append("bias")));
            for (var i = 0; i < Math.Min(100, n); i++)
            {
                var bias = gb.ExplainMargin(rows[i], phi);
                csv.WriteLine(string.Join(",", phi.Append(bias).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            }
        }

        var depths = gb.Trees.SelectMany(t => t.LeafDepths()).ToArray();
        var (tabulated, onTheFly) = gb.LeafShapTables is { } tables ? tables.LeafCounts : (0, 0);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["dataset"] = Path.GetFileName(args[0]),
            ["n_train"] = train.RowCount,
            ["shap_rows"] = n,
            ["repeats"] = repeats,
            ["cs_trees"] = gb.Trees.Count,
            ["cs_mean_leaf_depth"] = depths.Average(),
            ["cs_max_leaf_depth"] = depths.Max(),
            ["cs_leaves_tabulated"] = tabulated,
            ["cs_leaves_on_the_fly"] = onTheFly,
            ["cs_shap_batch_s"] = batchSeconds,
            ["cs_shap_batch_us_per_row"] = batchSeconds / n * 1e6,
            ["cs_shap_row_us_median"] = latency[single / 2],
            ["cs_shap_row_bytes"] = bytesPerRow,
            ["cs_explainer_batch_s"] = explainerSeconds,
        }));
        return 0;
    }
}
