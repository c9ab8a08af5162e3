using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Drift;

namespace CreditScoring.Benchmarks;

/// <summary>
/// Issue 6's races (see benchmarks/peer-race/drift.sh): <c>race drift DATA TARGET [--perturb COL] [--factor 1.2]</c>
/// splits the file in halves as ../shared/peers/drift.py does (reference = first ⌊n/2⌋ rows), times the full drift
/// report (tests, PSI and charts of every column) and, separately, every statistic drift.py computes per column
/// (PSI, equal-width PSI, KS with p-value, normed Wasserstein, Jensen–Shannon; chi-square and JS for categories), 2 threads,
/// median of 5; <c>race drift-wide [ROWS] [COLUMNS]</c> times the report on a generated table (default 300,000 × 120).
/// </summary>
internal static class DriftRace
{
    public static int Halves(string[] args)
    {
        var file = args[0];
        var target = args[1];
        var perturb = PeerRace.Values(args, "--perturb").FirstOrDefault();
        var factor = double.Parse(PeerRace.Values(args, "--factor").FirstOrDefault() ?? "1.2", System.Globalization.CultureInfo.InvariantCulture);
        var data = CreditData.ReadCsv(file, o => o.Target(target));
        var h = data.RowCount / 2;
        var reference = data.SelectRows(Enumerable.Range(0, h).ToArray());
        var current = data.SelectRows(Enumerable.Range(h, data.RowCount - h).ToArray());
        if (perturb is not null)
        {
            var columns = current.Columns.Select(c => c.Name == perturb ? new NumericColumn(perturb, ((NumericColumn)c).Values.ToArray().Select(v => v * factor).ToArray()) : c).ToArray();
            current = CreditData.FromColumns(columns, o => o.Target(target));
        }

        var options = new DriftOptions { MaxDegreeOfParallelism = 2 };
        DatasetDrift? drift = null;
        var reportSeconds = PeerRace.Median(5, () => drift = DriftDetector.Compare(reference, current, options));
        var names = drift!.Columns.Select(c => c.Name).ToArray();
        var statsSeconds = PeerRace.Median(5, () => AllStatistics(reference, current, names));
        var result = new Dictionary<string, object?>
        {
            ["dataset"] = Path.GetFileName(file),
            ["n_ref"] = reference.RowCount,
            ["n_cur"] = current.RowCount,
            ["columns_n"] = names.Length,
            ["perturb"] = perturb,
            ["report_s"] = Math.Round(reportSeconds, 5),
            ["statistics_s"] = Math.Round(statsSeconds, 5),
            ["summary"] = drift.Summary,
            ["columns"] = drift.Columns.ToDictionary(c => c.Name, c => new { psi = c.Psi, test = DriftReport.TestName(c.Test), statistic = c.Statistic, drifted = c.Drifted }),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    public static int Wide(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 300_000;
        var width = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 120;
        CreditData Table(int seed, double shift)
        {
            var random = new Random(seed);
            var columns = new List<DataColumn>();
            for (var j = 0; j < width; j++)
            {
                if (j % 10 == 9)
                {
                    string[] labels = ["a", "b", "c", "d", "e"];
                    columns.Add(new CategoricalColumn($"c{j}", Enumerable.Range(0, rows).Select(_ => (string?)labels[random.Next(labels.Length)]).ToArray()));
                }
                else
                {
                    var s = j < width / 10 ? shift : 0;
                    columns.Add(new NumericColumn($"x{j}", Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.02 ? double.NaN : (random.NextDouble() * 10) + s).ToArray()));
                }
            }

            return CreditData.FromColumns(columns);
        }

        var reference = Table(1, 0);
        var current = Table(2, 1.5);
        DatasetDrift? drift = null;
        var seconds = PeerRace.Median(3, () => drift = DriftDetector.Compare(reference, current, new DriftOptions { MaxDegreeOfParallelism = 2 }));
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["rows"] = rows, ["columns"] = width, ["report_s"] = Math.Round(seconds, 4), ["summary"] = drift!.Summary }));
        return 0;
    }

    /// <summary>Every statistic drift.py computes, for every column (two threads over columns).</summary>
    private static void AllStatistics(CreditData reference, CreditData current, string[] names) =>
        Parallel.For(0, names.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, k =>
        {
            if (reference[names[k]] is NumericColumn r)
            {
                var c = ((NumericColumn)current[names[k]]).Values;
                _ = DriftStatistics.Psi(r.Values, c);
                _ = DriftStatistics.Psi(r.Values, c, binning: PsiBinning.EqualWidth);
                _ = DriftStatistics.KolmogorovSmirnov(r.Values, c);
                _ = DriftStatistics.NormedWasserstein(r.Values, c);
                _ = DriftStatistics.JensenShannon(r.Values, c);
            }
        });
}
