using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Drift;

namespace CreditScoring.Batch.Commands;

/// <summary><c>drift</c>: a current population against a reference (a file, or the population a model saved).</summary>
internal static class DriftCommand
{
    public static Command Create(SharedOptions shared)
    {
        var referenceOption = new Option<string?>("--reference") { Description = "The reference CSV (e.g. the training data). Without it, the training population the --model saved is the reference." };
        var currentOption = new Option<string>("--current") { Description = "The current CSV (e.g. recent applications).", Required = true };
        var modelOption = new Option<string?>("--model") { Description = "A model file (or models:/NAME@ALIAS from --store): its inputs are compared and its scores on both files give prediction drift (PSI)." };
        var targetOption = new Option<string?>("--target") { Description = "A target column to leave out of the comparison." };
        var htmlOption = new Option<string?>("--html") { Description = "Write the self-contained HTML report here." };
        var jsonOption = new Option<string?>("--json") { Description = "Write the JSON report (schema creditscoring-drift/1) here." };
        var shareOption = new Option<double>("--drift-share") { Description = "The share of drifted columns at which the dataset drifts.", DefaultValueFactory = _ => 0.5 };
        var testsOption = new Option<string[]>("--test") { Description = "A column's own test, COLUMN=TEST[:THRESHOLD] (repeatable); TEST is ks, wasserstein, chi2, z, jensen_shannon or psi, e.g. --test Income=psi:0.2.", AllowMultipleArgumentsPerToken = false };
        var command = new Command("drift", "Compare a current population with a reference: drift per column (KS, Wasserstein, chi-square, Jensen-Shannon, PSI), dataset drift and, with a model, prediction drift.")
        {
            referenceOption, currentOption, modelOption, targetOption, htmlOption, jsonOption, shareOption, testsOption,
        };
        shared.Reading.AddTo(command);
        command.Options.Add(shared.VerifyKey);
        command.Options.Add(shared.Store);
        command.SetAction(p => BatchCli.Guarded(shared.Error, () => Run(
            shared.Output, shared.Error, shared.Reading.Get(p), p.GetValue(referenceOption), p.GetValue(currentOption)!, p.GetValue(modelOption), p.GetValue(targetOption),
            p.GetValue(htmlOption), p.GetValue(jsonOption), p.GetValue(shareOption), p.GetValue(testsOption) ?? [], p.GetValue(shared.VerifyKey), p.GetValue(shared.Store))));
        return command;
    }

    private static int Run(TextWriter output, TextWriter error, ReadSettings reading, string? referencePath, string currentPath, string? modelPath, string? target, string? htmlPath, string? jsonPath, double share, string[] tests, string? verifyKey, string? store)
    {
        var log = new ProgressLog(error);
        using var outputs = new OutputFiles();
        var htmlFile = htmlPath is null ? null : outputs.Create(htmlPath);
        var jsonFile = jsonPath is null ? null : outputs.Create(jsonPath);
        var options = new DriftOptions { DriftShare = share };
        foreach (var entry in tests)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var spec = eq > 0 ? entry[(eq + 1)..] : "";
            var colon = spec.IndexOf(':', StringComparison.Ordinal);
            var testName = colon >= 0 ? spec[..colon] : spec;
            var threshold = double.NaN;
            if (eq <= 0 || (colon >= 0 && !double.TryParse(spec[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out threshold)))
            {
                throw new CliException($"--test '{entry}' is not COLUMN=TEST[:THRESHOLD] (e.g. --test Income=psi:0.2).");
            }

            var test = Enum.GetValues<DriftTest>().Where(t => t != DriftTest.Auto).FirstOrDefault(t => string.Equals(DriftReport.TestName(t), testName.Trim(), StringComparison.OrdinalIgnoreCase));
            if (test == DriftTest.Auto)
            {
                throw new CliException($"--test '{entry}': unknown test '{testName}'; use ks, wasserstein, chi2, z, jensen_shannon or psi.");
            }

            options.Columns[entry[..eq].Trim()] = new ColumnDriftOptions(test, threshold);
        }

        var model = modelPath is null ? null : CommandSupport.LoadModel(modelPath, log, verifyKey, store);
        if (referencePath is null && model?.Profile is null)
        {
            throw new CliException(model is null
                ? "give --reference, or a --model whose saved training population is the reference."
                : $"the model {modelPath} saved no training population (an imported model); give --reference.");
        }

        Action<DataLoadOptions>? modelTypes = model is null ? null : o => o.UseTypesOf(model.Input);
        var reference = referencePath is null ? null : Input.Read(referencePath, log, reading, target, null, null, null, modelTypes);
        var current = Input.Read(currentPath, log, reading, target, null, null, null, reference is null ? modelTypes : o => o.UseTypesOf(reference.Schema, "the reference data"));
        log.Step(reference is null ? "Comparing with the model's training population" : "Comparing");
        var clock = Stopwatch.StartNew();
        var result = reference is null ? DriftDetector.Compare(model!.Profile!, current, options, model) : DriftDetector.Compare(reference, current, options, model);
        log.Step(string.Create(CultureInfo.InvariantCulture, $"  {result.Columns.Count} columns in {clock.Elapsed.TotalSeconds:F3} s"));
        output.WriteLine(result.Summary + " " + result.Verdict);
        foreach (var note in result.Notes)
        {
            log.Note(note);
        }

        output.WriteLine($"  {"column",-36} {"type",-11} {"test",-14} {"statistic",10} {"p-value",10} {"threshold",9} {"PSI",8}  drift");
        foreach (var c in result.Columns)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c.Name,-36} {c.Type,-11} {DriftReport.TestName(c.Test),-14} {c.Statistic,10:G4} {(c.PValue is { } p ? p.ToString("G4", CultureInfo.InvariantCulture) : ""),10} {c.Threshold,9:G3} {c.Psi,8:F4}  {(c.Drifted ? "DRIFT" : c.InsufficientData ? "insufficient data" : "")}{(c.Reason.Length > 0 ? " (" + c.Reason + ")" : "")}"));
        }

        if (result.Prediction is { } prediction)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Prediction drift: PSI {prediction.Psi:F4} ({prediction.Stability}); mean PD {prediction.ReferenceMeanPd:P2} -> {prediction.CurrentMeanPd:P2}"));
        }

        if (htmlFile is not null)
        {
            htmlFile.Write(Encoding.UTF8.GetBytes(DriftReport.ToHtml(result, $"Data drift: {Path.GetFileName(currentPath)} against {(referencePath is null ? "the training population of " + Path.GetFileName(modelPath) : Path.GetFileName(referencePath))}")));
        }

        if (jsonFile is not null)
        {
            DriftReport.WriteJson(result, jsonFile);
        }

        outputs.Commit();
        if (htmlPath is not null)
        {
            output.WriteLine($"HTML report written to {htmlPath}");
        }

        if (jsonPath is not null)
        {
            output.WriteLine($"JSON report written to {jsonPath}");
        }

        return 0;
    }
}
