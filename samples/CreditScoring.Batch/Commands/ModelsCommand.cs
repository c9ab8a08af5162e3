using System.CommandLine;
using System.Globalization;
using CreditScoring.Sdk.Scoring;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Batch.Commands;

/// <summary><c>models register|list|show|promote|audit</c>: the model registry of a tracking store.</summary>
internal static class ModelsCommand
{
    public static Command Create(SharedOptions shared)
    {
        var command = new Command("models", "The model registry: register a model file as a version, promote a version with an alias (champion, challenger), list and show models, read the audit log.")
        {
            Register(shared), List(shared), Show(shared), Promote(shared), Audit(shared),
        };
        return command;
    }

    private static Command Register(SharedOptions shared)
    {
        var name = new Option<string>("--name") { Description = "The registered model (created on first registration), e.g. pd-model.", Required = true };
        var run = new Option<string?>("--run") { Description = "The run whose model to register (a tracked train's run id); with --path, the artifact (default: model)." };
        var path = new Option<string>("--path") { Description = "With --run: the model file or a folder holding model.json, under the run's artifacts.", DefaultValueFactory = _ => "model" };
        var file = new Option<string?>("--file") { Description = "A model file to register instead: it is stored as the artifact of a new run named after it in the experiment 'registry', then registered." };
        var description = new Option<string>("--description") { Description = "The version's description.", DefaultValueFactory = _ => "" };
        var command = new Command("register", "Register a model as the next version of a registered model, recording its file's SHA-256, data fingerprint and SDK version.") { name, run, path, file, description, shared.Store };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            var (model, runId, filePath) = (p.GetValue(name)!, p.GetValue(run), p.GetValue(file));
            if ((runId is null) == (filePath is null))
            {
                throw new CliException("give either --run RUN (a tracked run's model) or --file MODEL.json.");
            }

            using var store = CommandSupport.OpenStore(p.GetValue(shared.Store));
            var source = runId is null ? CommandSupport.Wait(UploadAsync(store, filePath!)) : $"runs:/{runId}/{p.GetValue(path)!.Trim('/')}";
            if (!CommandSupport.Wait(store.ListRegisteredModelsAsync()).Any(m => m.Name == model))
            {
                CommandSupport.Wait(store.CreateRegisteredModelAsync(model));
            }

            var version = CommandSupport.Wait(store.CreateModelVersionAsync(new NewModelVersion { Name = model, Source = source, Description = p.GetValue(description)! }));
            shared.Output.WriteLine($"Registered {model} version {version.Version} from {source}");
            shared.Output.WriteLine($"  file {version.ArtifactPath} of run {version.RunId}, sha256 {version.Sha256}");
            shared.Output.WriteLine($"  data fingerprint {version.DataFingerprint ?? "(not a CreditScoring model)"}, SDK {version.SdkVersion ?? "?"}");
            shared.Output.WriteLine($"Load it as models:/{model}/{version.Version}; promote it with: models promote --name {model} --version {version.Version} --alias champion");
            return 0;
        }));
        return command;
    }

    /// <summary>A local model file stored as the artifact of a new run, so that the registry links it to a run like any other; its source.</summary>
    private static async Task<string> UploadAsync(IModelRegistry store, string file)
    {
        Input.CheckReadable(file, "model file");
        _ = CreditModel.Load(file); // a model file, whole and unedited, or the command stops here
        var tracker = new ExperimentTracker(store, "registry");
        var run = await tracker.StartRunAsync("register " + Path.GetFileName(file), [new RunTag("creditscoring.uploaded_from", Path.GetFullPath(file))]).ConfigureAwait(false);
        await using (var content = File.OpenRead(file))
        {
            await store.LogArtifactAsync(run.Info.RunId, "model/model.json", content).ConfigureAwait(false);
        }

        await store.UpdateRunAsync(run.Info.RunId, RunStatus.Finished, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ConfigureAwait(false);
        return $"runs:/{run.Info.RunId}/model";
    }

    private static Command List(SharedOptions shared)
    {
        var command = new Command("list", "List the registered models with their newest version and aliases.") { shared.Store };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            using var store = CommandSupport.OpenStore(p.GetValue(shared.Store));
            var models = CommandSupport.Wait(store.ListRegisteredModelsAsync());
            if (models.Count == 0)
            {
                shared.Output.WriteLine("No registered models.");
                return 0;
            }

            shared.Output.WriteLine($"{"name",-24} {"latest",6}  {"updated (UTC)",-19}  aliases");
            foreach (var m in models)
            {
                shared.Output.WriteLine($"{m.Name,-24} {m.LatestVersion?.ToString(CultureInfo.InvariantCulture) ?? "-",6}  {CommandSupport.Time(m.LastUpdatedTime),-19}  {Aliases(m.Aliases)}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Show(SharedOptions shared)
    {
        var name = new Option<string>("--name") { Description = "The registered model.", Required = true };
        var command = new Command("show", "Show a registered model: its versions (run, SHA-256, data fingerprint, SDK, aliases) and its audit log.") { name, shared.Store };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            using var store = CommandSupport.OpenStore(p.GetValue(shared.Store));
            var model = CommandSupport.Wait(store.GetRegisteredModelAsync(p.GetValue(name)!));
            var o = shared.Output;
            o.WriteLine($"{model.Name}{(model.Description.Length > 0 ? ": " + model.Description : "")}");
            o.WriteLine($"  aliases: {Aliases(model.Aliases)}");
            foreach (var tag in model.Tags)
            {
                o.WriteLine($"  tag {tag.Key} = {tag.Value}");
            }

            o.WriteLine($"{"version",7}  {"registered (UTC)",-19}  {"by",-12} {"run",-32}  {"sha256",-12}  {"data",-12}  {"sdk",-8}  aliases");
            foreach (var v in CommandSupport.Wait(store.ListModelVersionsAsync(model.Name)))
            {
                o.WriteLine($"{v.Version,7}  {CommandSupport.Time(v.CreationTime),-19}  {v.UserId,-12} {v.RunId ?? "-",-32}  {Short(v.Sha256),-12}  {Short(v.DataFingerprint),-12}  {v.SdkVersion ?? "-",-8}  {string.Join(", ", v.Aliases)}".TrimEnd());
            }

            o.WriteLine("audit log:");
            WriteAudit(o, CommandSupport.Wait(store.GetAuditLogAsync(model.Name)));
            return 0;
        }));
        return command;
    }

    private static Command Promote(SharedOptions shared)
    {
        var name = new Option<string>("--name") { Description = "The registered model.", Required = true };
        var version = new Option<long>("--version") { Description = "The version to promote.", Required = true };
        var alias = new Option<string>("--alias") { Description = "The alias it takes (moved from the version that held it).", DefaultValueFactory = _ => "champion" };
        var command = new Command("promote", "Point an alias (default champion) at a version; the alias leaves the version that held it, and the audit log records both.") { name, version, alias, shared.Store };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            using var store = CommandSupport.OpenStore(p.GetValue(shared.Store));
            var (model, number, aliasName) = (p.GetValue(name)!, p.GetValue(version), p.GetValue(alias)!);
            CommandSupport.Wait(store.SetAliasAsync(model, aliasName, number));
            var promotion = CommandSupport.Wait(store.GetAuditLogAsync(model))[^1];
            shared.Output.WriteLine($"{model}@{aliasName}: {(promotion.FromVersion is { } from ? $"version {from} -> " : "")}version {number}");
            return 0;
        }));
        return command;
    }

    private static Command Audit(SharedOptions shared)
    {
        var name = new Option<string?>("--name") { Description = "Only this registered model's entries." };
        var command = new Command("audit", "Print the registry's append-only audit log: who did what, when, from which version to which.") { name, shared.Store };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            using var store = CommandSupport.OpenStore(p.GetValue(shared.Store));
            WriteAudit(shared.Output, CommandSupport.Wait(store.GetAuditLogAsync(p.GetValue(name))));
            return 0;
        }));
        return command;
    }

    private static void WriteAudit(TextWriter output, IReadOnlyList<RegistryEvent> log)
    {
        foreach (var e in log)
        {
            output.WriteLine($"{e.Sequence,5}  {CommandSupport.Time(e.Timestamp)}  {e.UserId,-12} {e.Action,-16} {e.Name}{(e.Version is { } v ? " v" + v.ToString(CultureInfo.InvariantCulture) : "")}  {e.Detail}".TrimEnd());
        }
    }

    private static string Aliases(IReadOnlyList<ModelAlias> aliases) =>
        aliases.Count == 0 ? "-" : string.Join(", ", aliases.Select(a => $"{a.Alias} -> {a.Version}"));

    private static string Short(string? hex) => hex is null ? "-" : hex[..Math.Min(12, hex.Length)];
}
