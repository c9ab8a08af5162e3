using System.Globalization;
using System.Runtime.InteropServices;
using CreditScoring.Sdk.Batch;
using CreditScoring.Sdk.Scoring;
using Spectre.Console;

namespace CreditScoring.Batch.Commands;

/// <summary>
/// <c>score --input SOURCE --output SINK</c>: a batch job (the Batch package) over databases and files, partitioned and
/// resumable. The first Ctrl+C (or SIGTERM) stops at the next partition boundary; the job is left to resume with the same
/// command. Progress on stderr: a live bar on a terminal, a line every few seconds otherwise.
/// </summary>
internal static class ScoreJob
{
    /// <summary>The job's options as the command line gives them.</summary>
    public sealed record Arguments(
        string Input,
        string Output,
        string? IdColumn,
        int Partitions,
        BatchPartitioning Partitioning,
        int Reasons,
        RejectHandling Rejects,
        string? JobDatabase,
        string? JobName,
        string? Worker,
        TimeSpan Lease,
        int ParallelPartitions,
        int ChunkRows,
        ScorerOptions Scoring);

    public static int Run(SharedOptions shared, (CreditModel Model, string Name, string Version) model, Arguments arguments)
    {
        var id = arguments.IdColumn ?? model.Model.Metadata.IdColumn ?? "id";
        var source = BatchSource.Parse(arguments.Input, id);
        var sink = BatchSink.Parse(arguments.Output);
        var options = new BatchJobOptions
        {
            Model = model.Model,
            ModelName = model.Name,
            ModelVersion = model.Version,
            Input = source,
            Output = sink,
            JobDatabase = arguments.JobDatabase,
            Partitions = arguments.Partitions,
            Partitioning = arguments.Partitioning,
            Reasons = arguments.Reasons,
            Rejects = arguments.Rejects,
            Scoring = arguments.Scoring,
            ParallelPartitions = arguments.ParallelPartitions,
            ChunkRows = arguments.ChunkRows,
            JobId = arguments.JobName,
            WorkerId = arguments.Worker,
            Lease = arguments.Lease,
        };

        using var stop = new CancellationTokenSource();
        var stopping = 0;
        void Stop()
        {
            if (Interlocked.Exchange(ref stopping, 1) == 0)
            {
                shared.Error.WriteLine("note: stopping at the end of the partition in progress (Ctrl+C again to abort now; the job resumes with the same command).");
                stop.Cancel();
            }
        }

        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (Volatile.Read(ref stopping) == 0)
            {
                e.Cancel = true;
                Stop();
            }
        };
        Console.CancelKeyPress += onCancel;
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            // The first SIGTERM stops at the partition boundary; a second ends the process as SIGTERM does.
            context.Cancel = Volatile.Read(ref stopping) == 0;
            Stop();
        });
        try
        {
            var result = Interactive(shared)
                ? RunWithBar(shared, options, stop.Token)
                : BatchScoringJob.RunAsync(options, new LineProgress(shared.Error), stop.Token).GetAwaiter().GetResult();
            Summarize(shared, result, sink);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static bool Interactive(SharedOptions shared) => ReferenceEquals(shared.Error, Console.Error) && !Console.IsErrorRedirected;

    private static BatchJobResult RunWithBar(SharedOptions shared, BatchJobOptions options, CancellationToken stop)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(shared.Error) });
        BatchJobResult? result = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("scoring", maxValue: 1);
                var progress = new Progress(p =>
                {
                    task.MaxValue = Math.Max(1, p.RowsTotal);
                    task.Value = p.RowsDone;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"job {p.JobId}: {p.RowsDone:N0} of {p.RowsTotal:N0} rows, {p.RowsPerSecond:N0} rows/s");
                });
                result = BatchScoringJob.RunAsync(options, progress, stop).GetAwaiter().GetResult();
                task.Value = task.MaxValue;
            });
        return result!;
    }

    private static void Summarize(SharedOptions shared, BatchJobResult result, BatchSink sink)
    {
        var job = result.Job;
        var c = CultureInfo.InvariantCulture;
        var state = job.Status switch
        {
            "succeeded" => string.Create(c, $"{job.Rows:N0} rows scored, {job.Rejected:N0} rejected{(job.Rejected > 0 ? " (see jobs show " + job.JobId + ")" : "")}, in {job.Partitions} partitions; written to {sink.Description}"),
            "stopped" => string.Create(c, $"stopped with {job.Rows:N0} of {job.PlannedRows:N0} rows written; run the same command to resume"),
            _ => string.Create(c, $"{job.Status}: {job.Rows:N0} of {job.PlannedRows:N0} rows written so far by every worker"),
        };
        shared.Output.WriteLine(string.Create(c, $"Job {job.JobId} ({(result.Resumed ? "resumed" : "new")}): {state}."));
        var rate = result.TotalSeconds > 0 ? result.RowsWritten / result.TotalSeconds : 0;
        shared.Output.WriteLine(string.Create(c, $"This worker: {result.PartitionsWritten} partitions, {result.RowsWritten:N0} rows in {result.TotalSeconds:F1} s ({rate:N0} rows/s; reading {result.ReadSeconds:F1} s, scoring {result.ScoreSeconds:F1} s, writing {result.WriteSeconds:F1} s, overlapped)."));
    }

    /// <summary>Progress as a line on stderr at most every five seconds (for logs and pipes).</summary>
    private sealed class LineProgress(TextWriter error) : IProgress<BatchProgress>
    {
        private long _last = -1;

        public void Report(BatchProgress value)
        {
            var now = Environment.TickCount64;
            if (_last >= 0 && now - _last < 5_000)
            {
                return;
            }

            _last = now;
            var left = value.Remaining is { } r ? $", {r:hh\\:mm\\:ss} left" : "";
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"job {value.JobId}: {value.RowsDone:N0} of {value.RowsTotal:N0} rows ({(value.RowsTotal == 0 ? 100 : 100.0 * value.RowsDone / value.RowsTotal):F0}%), {value.PartitionsDone} of {value.PartitionsTotal} partitions, {value.RowsPerSecond:N0} rows/s{left}"));
        }
    }

    private sealed class Progress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
