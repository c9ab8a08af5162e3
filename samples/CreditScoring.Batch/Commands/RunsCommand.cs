using System.CommandLine;
using System.Globalization;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Batch.Commands;

/// <summary><c>runs list|show|compare</c>: the runs a tracking store holds.</summary>
internal static class RunsCommand
{
    /// <summary>The metric a run's line shows, the first it has: what the run is judged by.</summary>
    private static readonly string[] Headline = ["test_auc", "validation_auc", "oof_auc", "cv_auc_mean", "best_oof_auc", "auc", "training_auc"];

    public static Command Create(SharedOptions shared) =>
        new("runs", "The runs of a tracking store: list and search them, show one, compare two or more (metrics side by side, parameter differences).")
        {
            List(shared), Show(shared), Compare(shared),
        };

    private static Command List(SharedOptions shared)
    {
        var filter = new Option<string?>("--filter") { Description = "MLflow's filter, e.g. \"metrics.test_auc > 0.8 and params.learner = 'gbdt'\"." };
        var orderBy = new Option<string[]>("--order-by") { Description = "MLflow's ordering (repeatable), e.g. \"metrics.test_auc desc\". Default: newest first.", AllowMultipleArgumentsPerToken = false };
        var max = new Option<int>("--max") { Description = "The most runs to list.", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List an experiment's runs, filtered and ordered with MLflow's grammar.") { shared.Experiment, filter, orderBy, max, shared.Store };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            using var store = CommandSupport.OpenStore(p.GetValue(shared.Store));
            var experiment = CommandSupport.Wait(store.FindExperimentAsync(p.GetValue(shared.Experiment)!))
                ?? throw new CliException($"no experiment '{p.GetValue(shared.Experiment)}' in {store}; the experiments are: {string.Join(", ", CommandSupport.Wait(store.ListExperimentsAsync()).Select(e => e.Name))}.");
            var page = CommandSupport.Wait(store.SearchRunsAsync(new RunSearch { ExperimentIds = [experiment.ExperimentId], Filter = p.GetValue(filter), OrderBy = p.GetValue(orderBy) ?? [], MaxResults = p.GetValue(max) }));
            var o = shared.Output;
            if (page.Runs.Count == 0)
            {
                o.WriteLine($"No runs in experiment '{experiment.Name}'{(p.GetValue(filter) is { } f ? $" match {f}" : "")}.");
                return 0;
            }

            o.WriteLine($"{"run",-32}  {"name",-24}  {"status",-8}  {"started (UTC)",-19}  {"user",-10}  headline");
            foreach (var r in page.Runs)
            {
                var headline = Headline.Select(k => r.Metrics.FirstOrDefault(m => m.Key == k)).FirstOrDefault(m => m is not null);
                var parent = r.Tags.Any(t => t.Key == "mlflow.parentRunId") ? "  (child)" : "";
                o.WriteLine($"{r.Info.RunId,-32}  {Clip(r.Info.RunName, 24),-24}  {RunFilter.StatusName(r.Info.Status),-8}  {CommandSupport.Time(r.Info.StartTime),-19}  {Clip(r.Info.UserId, 10),-10}  {(headline is null ? "-" : $"{headline.Key}={Number(headline.Value)}")}{parent}");
            }

            if (page.NextPageToken is not null)
            {
                o.WriteLine($"(more runs: raise --max above {p.GetValue(max)})");
            }

            return 0;
        }));
        return command;
    }

    private static Command Show(SharedOptions shared)
    {
        var run = new Argument<string>("run") { Description = "The run's id." };
        var command = new Command("show", "Show a run: its status and times, parameters, latest metrics, tags, inputs, artifacts and child runs.") { run, shared.Store };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            using var store = CommandSupport.OpenStore(p.GetValue(shared.Store));
            var r = CommandSupport.Wait(store.GetRunAsync(p.GetValue(run)!));
            var o = shared.Output;
            var info = r.Info;
            o.WriteLine($"run {info.RunId}: {info.RunName}");
            o.WriteLine($"  experiment {info.ExperimentId}, {RunFilter.StatusName(info.Status)}, by {info.UserId}, started {CommandSupport.Time(info.StartTime)}{(info.EndTime is { } end ? $", ended {CommandSupport.Time(end)} ({(end - info.StartTime) / 1000.0:F1} s)" : "")}");
            o.WriteLine("parameters:");
            foreach (var x in r.Params)
            {
                o.WriteLine($"  {x.Key} = {x.Value}");
            }

            o.WriteLine("metrics (latest):");
            foreach (var m in r.Metrics)
            {
                o.WriteLine($"  {m.Key} = {Number(m.Value)}{(m.Step != 0 ? $" (step {m.Step})" : "")}");
            }

            o.WriteLine("tags:");
            foreach (var t in r.Tags)
            {
                o.WriteLine($"  {t.Key} = {t.Value}");
            }

            o.WriteLine("inputs:");
            foreach (var d in r.Inputs)
            {
                o.WriteLine($"  {d.Context}: {d.Name} ({d.Rows:N0} rows, {d.Positives:N0} positives, digest {d.Digest})");
            }

            o.WriteLine("artifacts:");
            WriteArtifacts(o, store, info.RunId, null, "  ");
            var children = CommandSupport.Wait(store.SearchRunsAsync(new RunSearch { ExperimentIds = [info.ExperimentId], Filter = $"tags.mlflow.parentRunId = '{info.RunId}'", OrderBy = ["attributes.start_time"] })).Runs;
            if (children.Count > 0)
            {
                o.WriteLine($"child runs ({children.Count}):");
                foreach (var c in children)
                {
                    o.WriteLine($"  {c.Info.RunId}  {c.Info.RunName}  {RunFilter.StatusName(c.Info.Status)}");
                }
            }

            return 0;
        }));
        return command;
    }

    private static Command Compare(SharedOptions shared)
    {
        var runs = new Argument<string[]>("runs") { Description = "Two or more run ids.", Arity = ArgumentArity.OneOrMore };
        var html = new Option<string?>("--html") { Description = "Also write the comparison as a self-contained HTML page here." };
        var command = new Command("compare", "Compare runs: every metric side by side, and the parameters that differ.") { runs, html, shared.Store };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            var ids = p.GetValue(runs) ?? [];
            if (ids.Length < 2)
            {
                throw new CliException($"compare needs two or more run ids (got {ids.Length}).");
            }

            using var store = CommandSupport.OpenStore(p.GetValue(shared.Store));
            var comparison = RunComparison.Of([.. ids.Select(id => CommandSupport.Wait(store.GetRunAsync(id)))]);
            comparison.WriteText(shared.Output);
            if (p.GetValue(html) is { } path)
            {
                using var outputs = new CreditScoring.Sdk.Data.OutputFiles();
                comparison.WriteHtml(outputs.Create(path));
                outputs.Commit();
                shared.Output.WriteLine($"Comparison written to {path}");
            }

            return 0;
        }));
        return command;
    }

    private static void WriteArtifacts(TextWriter output, ITrackingStore store, string runId, string? folder, string indent)
    {
        foreach (var a in CommandSupport.Wait(store.ListArtifactsAsync(runId, folder)))
        {
            output.WriteLine(a.IsDirectory ? $"{indent}{a.Path}/" : $"{indent}{a.Path} ({a.Size:N0} bytes)");
            if (a.IsDirectory)
            {
                WriteArtifacts(output, store, runId, a.Path, indent + "  ");
            }
        }
    }

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
