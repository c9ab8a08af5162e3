using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Resampling;

namespace CreditScoring.Benchmarks;

/// <summary>
/// Issue 5's races (see benchmarks/peer-race/imbalance.sh):
/// <c>race smote DATA TARGET [--drop COL]... [--repeats 5]</c> times SMOTE, Borderline-SMOTE-1 and (with categorical
/// columns) SMOTE-NC on the data prepared exactly as ../shared/peers/smote.py prepares it (numeric columns imputed with
/// their medians; categories as codes, missing its own code); <c>race threshold OOF.csv [--fn-cost 10] [--fp-cost 1]</c>
/// chooses the cost- and F1-optimal thresholds on a saved out-of-fold file (threshold.py --save-oof).
/// </summary>
internal static class ImbalanceRace
{
    public static int Smote(string[] args)
    {
        var file = args[0];
        var target = args[1];
        var drop = PeerRace.Values(args, "--drop");
        var repeats = int.Parse(PeerRace.Values(args, "--repeats").FirstOrDefault() ?? "5", CultureInfo.InvariantCulture);
        var data = CreditData.ReadCsv(file, o => o.Target(target).Drop([.. drop]));
        var numeric = data.Columns.OfType<NumericColumn>().Where(c => c.Name != target).ToArray();
        var categorical = data.Columns.OfType<CategoricalColumn>().ToArray();
        var columns = numeric.Select(c =>
        {
            var x = c.Values.ToArray();
            var fill = DefaultPreprocessing.MedianOrZero(x, default);
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = double.IsNaN(x[i]) ? fill : x[i];
            }

            return x;
        }).ToList();
        var info = numeric.Select(c => new FeatureInfo(c.Name, FeatureKind.Continuous)).ToList();
        var numericMatrix = new FeatureMatrix(info, columns);
        var labels = data.Labels.ToArray();
        var result = new Dictionary<string, object>
        {
            ["dataset"] = Path.GetFileName(file),
            ["rows"] = data.RowCount,
            ["numeric"] = numeric.Length,
            ["categorical"] = categorical.Length,
            ["threads"] = 2,
            ["repeats"] = repeats,
        };

        void Time(string tag, Resampler sampler, FeatureMatrix matrix)
        {
            ResampledData? last = null;
            var seconds = PeerRace.Median(repeats, () => last = sampler.Resample(matrix, labels, 42, default, 2));
            result[tag + "_fit_resample_s"] = Math.Round(seconds, 5);
            result[tag + "_rows_after"] = last!.Labels.Length;
            result[tag + "_class_counts_after"] = new[] { last.Negatives, last.Positives };
            Console.Error.WriteLine($"{tag} {seconds:F4}s rows {labels.Length} -> {last.Labels.Length}");
        }

        Time("smote", new Smote(), numericMatrix);
        Time("borderline", new BorderlineSmote(), numericMatrix);
        if (categorical.Length > 0)
        {
            // The peer's codes: sorted distinct labels, missing as its own last code.
            foreach (var c in categorical)
            {
                var labelsSorted = c.Categories.OrderBy(v => v, StringComparer.Ordinal).ToArray();
                var rank = labelsSorted.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => (double)p.i, StringComparer.Ordinal);
                var codes = new double[data.RowCount];
                for (var i = 0; i < codes.Length; i++)
                {
                    codes[i] = c.Codes[i] < 0 ? labelsSorted.Length : rank[c.Categories[c.Codes[i]]];
                }

                columns.Add(codes);
                info.Add(new FeatureInfo(c.Name, FeatureKind.Categorical, labelsSorted.Length + 1));
            }

            Time("smotenc", new SmoteNc(), new FeatureMatrix(info, columns));
        }

        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    public static int Threshold(string[] args)
    {
        var lines = File.ReadAllLines(args[0]);
        var header = lines[0].Split(',');
        int yColumn = Array.IndexOf(header, "y"), pColumn = Array.IndexOf(header, "prob");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        var y = rows.Select(r => int.Parse(r[yColumn], CultureInfo.InvariantCulture)).ToArray();
        var p = rows.Select(r => double.Parse(r[pColumn], CultureInfo.InvariantCulture)).ToArray();
        var fn = double.Parse(PeerRace.Values(args, "--fn-cost").FirstOrDefault() ?? "10", CultureInfo.InvariantCulture);
        var fp = double.Parse(PeerRace.Values(args, "--fp-cost").FirstOrDefault() ?? "1", CultureInfo.InvariantCulture);
        var costs = CostMatrix.Create(fn, fp).Constant(y.Length);
        ThresholdAnalysis? analysis = null;
        var seconds = PeerRace.Median(5, () => analysis = ThresholdAnalysis.Analyze(p, y, costs));
        var cost = analysis!.Choose(ThresholdObjective.MinimumCost);
        var f1 = analysis.Choose(ThresholdObjective.MaximumF1);
        var ci = analysis.Choose(ThresholdObjective.MinimumCost, 200, 42);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["n"] = y.Length,
            ["sweep_s"] = Math.Round(seconds, 5),
            ["cost_threshold"] = cost.Threshold,
            ["cost"] = cost.Cost,
            ["cost_approval_rate"] = cost.ApprovalRate,
            ["cost_bad_rate"] = cost.BadRate,
            ["cost_business_score"] = cost.BusinessScore,
            ["cost_ci"] = new[] { ci.Interval!.Lower, ci.Interval.Upper },
            ["f1_threshold"] = f1.Threshold,
            ["f1"] = f1.F1,
            ["f1_cost"] = f1.Cost,
            ["f1_approval_rate"] = f1.ApprovalRate,
            ["f1_bad_rate"] = f1.BadRate,
        }));
        return 0;
    }
}
