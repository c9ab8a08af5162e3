using System.CommandLine;
using System.Globalization;
using CreditScoring.Sdk.Batch;

namespace CreditScoring.Batch.Commands;

/// <summary><c>jobs list</c> and <c>jobs show JOB</c>: the batch job history of a job database.</summary>
internal static class JobsCommand
{
    public static Command Create(SharedOptions shared)
    {
        var jobs = new Option<string>("--jobs") { Description = "The job database: a database output's (postgres://...?table=T or its database, sqlite:///PATH) or a file output's (creditscoring-jobs.db beside it).", DefaultValueFactory = _ => "creditscoring-jobs.db" };
        var limit = new Option<int>("--limit") { Description = "How many jobs at most, newest first.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List batch jobs, newest first: id, status, model and version, rows, rejects, start and end, input and output.") { jobs, limit };
        list.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            var found = BatchScoringJob.ListJobsAsync(p.GetValue(jobs)!, p.GetValue(limit)).GetAwaiter().GetResult();
            if (found.Count == 0)
            {
                shared.Output.WriteLine("No batch jobs.");
                return 0;
            }

            var rows = found.Select(j => new[] { j.JobId, j.Status, j.ModelName, j.ModelVersion, N(j.Rows), N(j.Rejected), Time(j.Started), j.Ended is { } e ? Time(e) : "", j.Input + " -> " + j.Output }).ToList();
            Report.Table(shared.Output, ["job", "status", "model", "version", "rows", "rejected", "started", "ended", "input -> output"], rows);
            return 0;
        }));

        var jobId = new Argument<string>("job") { Description = "The job's id (from jobs list, or the score command's output)." };
        var showJobs = new Option<string>("--jobs") { Description = jobs.Description, DefaultValueFactory = _ => "creditscoring-jobs.db" };
        var show = new Command("show", "Show a batch job: its history entry, every partition (bounds, status, worker, rows, error) and its first rejects.") { jobId, showJobs };
        show.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            var id = p.GetValue(jobId)!;
            var found = BatchScoringJob.ShowJobAsync(p.GetValue(showJobs)!, id).GetAwaiter().GetResult() ?? throw new CliException($"There is no job '{id}' in {p.GetValue(showJobs)}.");
            var (job, partitions, rejects) = found;
            var o = shared.Output;
            o.WriteLine($"job       {job.JobId}");
            o.WriteLine($"status    {job.Status}{(job.Error is null ? "" : ": " + job.Error)}");
            o.WriteLine($"model     {job.ModelName} version {job.ModelVersion}");
            o.WriteLine($"input     {job.Input}");
            o.WriteLine($"output    {job.Output}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows      {N(job.Rows)} written, {N(job.Rejected)} rejected, {N(job.PlannedRows)} planned"));
            o.WriteLine($"started   {Time(job.Started)}");
            o.WriteLine($"ended     {(job.Ended is { } e ? Time(e) : "")}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"partitions {job.Partitions} by {(job.Partitioning == BatchPartitioning.HashBuckets ? "hash buckets" : "ranges")}, reasons {job.Reasons}, rejects {job.Rejects.ToString().ToLowerInvariant()}"));
            o.WriteLine();
            Report.Table(o, ["partition", "from", "to", "status", "worker", "attempts", "rows", "rejected", "error"],
                [.. partitions.Select(p => new[] { p.Partition.ToString(CultureInfo.InvariantCulture), p.LowerBound ?? "", p.UpperBound ?? "", p.Status, p.Worker ?? "", p.Attempts.ToString(CultureInfo.InvariantCulture), N(p.Rows), N(p.Rejected), p.Error ?? "" })]);
            if (rejects.Count > 0)
            {
                o.WriteLine();
                Report.Table(o, ["rejected id", "column", "reason"], [.. rejects.Select(r => new[] { r.Id, r.Column ?? "", r.Reason })]);
            }

            return 0;
        }));

        return new Command("jobs", "The batch job history: list jobs, show one with its partitions and rejects.") { list, show };
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset value) => CommandSupport.Time(value.ToUnixTimeMilliseconds());
}
