using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Benchmarks;

/// <summary>
/// <c>race reasons MODEL DATA.csv [--reasons 4] [--repeats 5] [--threads 2]</c>: the batch reason codes of issue 16 —
/// loads a saved model and a table, then times, as medians over repeats after one warm-up: scoring alone
/// (<c>ScoreBatch</c>), scores with reasons (<c>ReasonsBatch</c>), and writing the scores file with the reason columns.
/// Prints one JSON line.
/// </summary>
internal static class ReasonsRace
{
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: race reasons MODEL DATA.csv [--reasons 4] [--repeats 5] [--threads 2]");
            return 2;
        }

        string Option(string name, string fallback) => PeerRace.Values(args, name).LastOrDefault() ?? fallback;
        var reasons = int.Parse(Option("--reasons", "4"), CultureInfo.InvariantCulture);
        var repeats = int.Parse(Option("--repeats", "5"), CultureInfo.InvariantCulture);
        var threads = int.Parse(Option("--threads", "2"), CultureInfo.InvariantCulture);
        var load = Stopwatch.StartNew();
        var model = CreditModel.Load(args[0]);
        var loadSeconds = load.Elapsed.TotalSeconds;
        var read = Stopwatch.StartNew();
        var data = CreditData.ReadCsv(args[1]);
        var readSeconds = read.Elapsed.TotalSeconds;
        var scoring = new ScorerOptions { MaxDegreeOfParallelism = threads };
        var scorer = model.CreateScorer(scoring);
        var explainer = model.CreateExplainer(new ExplainerOptions { TopReasons = reasons, Scoring = scoring });
        IReadOnlyList<ScoredReasons> rows = explainer.ReasonsBatch(data);
        var scoreSeconds = PeerRace.Median(repeats, () => scorer.ScoreBatch(data));
        var reasonSeconds = PeerRace.Median(repeats, () => rows = explainer.ReasonsBatch(data));
        var path = Path.Combine(Path.GetTempPath(), $"reasons-race-{Environment.ProcessId}.csv");
        var writeSeconds = PeerRace.Median(repeats, () => ExplainedScoresFile.Write(path, data, rows, reasons));
        File.Delete(path);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = Path.GetFileName(args[0]),
            ["data"] = Path.GetFileName(args[1]),
            ["rows"] = data.RowCount,
            ["threads"] = threads,
            ["load_model_s"] = loadSeconds,
            ["read_csv_s"] = readSeconds,
            ["score_s"] = scoreSeconds,
            ["score_with_reasons_s"] = reasonSeconds,
            ["write_file_s"] = writeSeconds,
        }));
        return 0;
    }
}
