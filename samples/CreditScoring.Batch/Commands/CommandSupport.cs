using System.Globalization;
using System.Text;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Batch.Commands;

/// <summary>What several commands do the same way: load a model (checking its signature), read keys, attach related tables.</summary>
internal static class CommandSupport
{
    public static CreditModel LoadModel(string path, ProgressLog log, string? verifyKeyPath, string? store) => LoadNamedModel(path, log, verifyKeyPath, store).Model;

    /// <summary>
    /// As <see cref="LoadModel"/>, with the model's name and version as batch jobs write them: a registry model's name and
    /// version, or a file's name (without extension) and the first 12 hex digits of its SHA-256.
    /// </summary>
    public static (CreditModel Model, string Name, string Version) LoadNamedModel(string path, ProgressLog log, string? verifyKeyPath, string? store)
    {
        if (ModelUri.IsModelUri(path))
        {
            if (verifyKeyPath is not null)
            {
                throw new CliException("--verify-key checks a model file's signature; a registry model (models:/...) is verified by the SHA-256 recorded at registration instead. Give one or the other.");
            }

            using var registry = OpenStore(store);
            log.Step($"Loading {path} from {registry}");
            var version = ModelUri.Parse(path).ResolveAsync(registry).GetAwaiter().GetResult();
            var registered = CreditModel.Load(new ModelUri(version.Name, version.Version, null).ToString(), registry); // the version found above, even if an alias moves meanwhile
            log.Step($"  version {version.Version} of {version.Name}, sha256 {version.Sha256} verified");
            return (registered, version.Name, version.Version.ToString(CultureInfo.InvariantCulture));
        }

        Input.CheckReadable(path, "model file");
        log.Step($"Loading model {path}");
        var name = Path.GetFileNameWithoutExtension(path);
        var fileVersion = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))[..12];
        if (verifyKeyPath is null)
        {
            return (CreditModel.Load(path), name, fileVersion);
        }

        using var key = ReadKey(verifyKeyPath, "--verify-key");
        var model = CreditModel.Load(path, key);
        log.Step($"  signature by key {key.Id} ({key.Algorithm}) verified");
        return (model, name, fileVersion);
    }

    /// <summary>The tracker <c>--track [STORE]</c> and <c>--experiment</c> ask for, or <see langword="null"/> without <c>--track</c>; the caller disposes its store.</summary>
    public static ExperimentTracker? Tracker(System.CommandLine.ParseResult p, Commands.SharedOptions shared) =>
        p.GetResult(shared.Track) is null ? null : new ExperimentTracker(OpenStore(p.GetValue(shared.Track)), p.GetValue(shared.Experiment)!);

    /// <summary>Logs an evaluation to a run: the figures as <c>test_*</c> metrics, the rows as an input, the JSON report as the artifact <c>report.json</c>, and the run's description.</summary>
    public static void LogEvaluation(ITrackingStore store, string runId, CreditScoring.Sdk.Evaluation.EvaluationReport evaluation, CreditData data, string dataName, CreditScoring.Sdk.Reporting.ReportContent report, string? description)
    {
        if (!string.IsNullOrEmpty(description))
        {
            store.LogBatchAsync(runId, [], [], [new RunTag("mlflow.note.content", description)]).GetAwaiter().GetResult();
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Metric[] metrics =
        [
            new("test_auc", evaluation.Auc, now), new("test_gini", evaluation.Gini, now), new("test_ks", evaluation.Ks, now), new("test_brier", evaluation.Brier, now),
            new("test_log_loss", evaluation.LogLoss, now), new("test_approval_rate", evaluation.Confusion.ApprovalRate, now), new("test_bad_rate_among_approved", evaluation.Confusion.BadRateAmongApproved, now),
        ];
        store.LogBatchAsync(runId, [.. metrics.Where(m => !double.IsNaN(m.Value))], [], [], CancellationToken.None).GetAwaiter().GetResult();
        var digest = data.Fingerprint[..Math.Min(data.Fingerprint.Length, TrackingRules.MaxDatasetDigestLength)];
        store.LogInputsAsync(runId, [new DatasetInput(Path.GetFileName(dataName), digest, "test", data.RowCount, data.PositiveCount)]).GetAwaiter().GetResult();
        CreditScoring.Sdk.Reporting.ReportJson.LogAsync(store, runId, report).GetAwaiter().GetResult();
    }

    /// <summary>Opens the tracking store <c>--store</c> names (default: $CREDITSCORING_TRACKING_URI, else mlruns.db).</summary>
    public static IModelRegistry OpenStore(string? location) => TrackingStores.Open(location);

    public static ModelSigningKey ReadKey(string path, string option)
    {
        Input.CheckReadable(path, $"{option} key file");
        try
        {
            return ModelSigningKey.FromFile(path);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{option} {path}: {e.Message}");
        }
    }

    /// <summary>Attaches the <c>--related NAME=FILE</c> tables.</summary>
    public static CreditData WithRelated(CreditData data, string[] related, ProgressLog log, ReadSettings reading)
    {
        foreach (var entry in related)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == entry.Length - 1)
            {
                throw new CliException($"--related '{entry}' is not NAME=FILE (e.g. --related bureau=bureau.csv).");
            }

            var path = entry[(eq + 1)..];
            log.Step($"Loading related table {entry[..eq]} from {path}");
            data = data.WithRelated(entry[..eq], Input.ReadRelated(path, log, reading));
        }

        return data;
    }

    /// <summary>
    /// Reads applicants for a saved model (<c>score</c>, <c>explain</c>): with the model's input types, the related tables
    /// attached, and labelled by <paramref name="id"/> or, when the file has it, the model's training id column.
    /// </summary>
    public static CreditData ReadApplicants(string path, CreditModel model, string? id, string[] related, ProgressLog log, ReadSettings reading)
    {
        var data = WithRelated(Input.Read(path, log, reading, null, id, null, null, o => o.UseTypesOf(model.Input)), related, log, reading);
        return id is null && model.Metadata.IdColumn is { } trainingId && data.Schema.IndexOf(trainingId) >= 0 ? data.WithRole(trainingId, ColumnRole.Id) : data;
    }

    /// <summary>Waits for a store call: the commands are synchronous.</summary>
    public static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    /// <summary>Waits for a store call.</summary>
    public static void Wait(Task task) => task.GetAwaiter().GetResult();

    /// <summary>A time in milliseconds since the Unix epoch, as UTC <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
    public static string Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes a table as CSV (header row, fields quoted when they hold a comma, quote or line break).</summary>
    public static void WriteCsv(Stream stream, CreditData data)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write(string.Join(',', data.Schema.Columns.Select(c => Csv(c.Name))) + "\n");
        for (var r = 0; r < data.RowCount; r++)
        {
            writer.Write(string.Join(',', data.Columns.Select(c => Csv(c.FormatValue(r) ?? string.Empty))) + "\n");
        }
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
