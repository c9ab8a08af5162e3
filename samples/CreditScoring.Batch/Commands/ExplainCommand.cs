using System.CommandLine;
using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Batch.Commands;

/// <summary><c>explain</c>: why a saved model scored one applicant as it did: reasons, contributions, and where the applicant stands.</summary>
internal static class ExplainCommand
{
    public static Command Create(SharedOptions shared)
    {
        var modelOption = new Option<string>("--model") { Description = "The model file, or a registry model: models:/NAME@ALIAS, models:/NAME/VERSION (from --store).", Required = true };
        var dataOption = new Option<string>("--data") { Description = "CSV file with the model's input columns.", Required = true };
        var idOption = new Option<string?>("--id") { Description = "The applicant's id (in --id-column, by default the model's training id column)." };
        var idColumnOption = new Option<string?>("--id-column") { Description = "The id column --id looks in. Default: the model's training id column." };
        var rowOption = new Option<int?>("--row") { Description = "The applicant's 1-based row in the file (the first data line is row 1)." };
        var topOption = new Option<int>("--top") { Description = "Reasons to give.", DefaultValueFactory = _ => 4 };
        var reasonsOption = new Option<string?>("--reasons") { Description = "Reason code table (JSON or CSV: input,code,text[,textWhenHigh,textWhenLow,textWhenMissing,exclude])." };
        var methodOption = new Option<string>("--method") { Description = "path-dependent (the trees' own conditional expectation) or interventional (against the model's background sample).", DefaultValueFactory = _ => "path-dependent" };
        var jsonOption = new Option<string?>("--json") { Description = "Write the explanation as JSON (schema creditscoring-explanation/1) to this file." };
        var htmlOption = new Option<string?>("--html") { Description = "Write the explanation as a self-contained HTML page: the decision and reasons, a waterfall of the contributions, and the applicant against all clients and clients with a similar score." };
        var relatedOption = SharedOptions.Related();
        var command = new Command("explain", "Explain one applicant's score: the reasons, each input's contribution, and where the applicant stands in the training population.")
        {
            modelOption, dataOption, idOption, idColumnOption, rowOption, topOption, reasonsOption, methodOption, jsonOption, htmlOption, relatedOption,
        };
        shared.Reading.AddTo(command);
        command.Options.Add(shared.VerifyKey);
        command.Options.Add(shared.Store);
        command.SetAction(p => BatchCli.Guarded(shared.Error, () =>
        {
            var (id, row) = (p.GetValue(idOption), p.GetValue(rowOption));
            if ((id is null) == (row is null))
            {
                throw new CliException("Give the applicant with --id VALUE or with --row N (one of them).");
            }

            var top = p.GetValue(topOption);
            if (top < 0)
            {
                throw new CliException($"--top {top} must be 0 or more.");
            }

            var options = new ExplainerOptions
            {
                TopReasons = top,
                Method = MethodOf(p.GetValue(methodOption)!),
                ReasonCodes = p.GetValue(reasonsOption) is { } table ? ReasonCodeTable.Load(table) : null,
            };
            var log = new ProgressLog(shared.Error);
            using var outputs = new OutputFiles();
            var jsonFile = p.GetValue(jsonOption) is { } jsonPath ? outputs.Create(jsonPath) : null;
            var htmlFile = p.GetValue(htmlOption) is { } htmlPath ? outputs.Create(htmlPath) : null;
            var model = CommandSupport.LoadModel(p.GetValue(modelOption)!, log, p.GetValue(shared.VerifyKey), p.GetValue(shared.Store));
            var data = CommandSupport.ReadApplicants(p.GetValue(dataOption)!, model, p.GetValue(idColumnOption), p.GetValue(relatedOption) ?? [], log, shared.Reading.Get(p));
            var idColumn = data.IdColumn?.Name;

            if (id is not null && idColumn is null)
            {
                throw new CliException($"--id needs an id column: {(model.Metadata.IdColumn is { } known ? $"the file has no column '{known}' (the model's training id)" : "the model was trained without one")}; name it with --id-column, or use --row.");
            }

            var index = id is null ? RowIndex(row!.Value, data.RowCount) : IdIndex(data, idColumn!, id);
            var applicant = data.SelectRows([index]);
            var explanation = model.CreateExplainer(options).ExplainBatch(applicant)[0];
            var shownId = id ?? data.IdColumn?.FormatValue(index);
            if (jsonFile is not null)
            {
                jsonFile.Write(System.Text.Encoding.UTF8.GetBytes(ExplanationJson.Write(explanation, shownId)));
            }

            if (htmlFile is not null)
            {
                htmlFile.Write(System.Text.Encoding.UTF8.GetBytes(ExplanationHtml.Write(explanation, shownId ?? $"Row {row}")));
            }

            outputs.Commit();
            Print(shared.Output, explanation, shownId ?? $"row {row}", model);
            return 0;
        }));
        return command;
    }

    private static ContributionMethod MethodOf(string text) => text.ToLowerInvariant() switch
    {
        "path-dependent" => ContributionMethod.PathDependent,
        "interventional" => ContributionMethod.Interventional,
        _ => throw new CliException($"--method '{text}' is not path-dependent or interventional."),
    };

    private static int RowIndex(int row, int rows) =>
        row >= 1 && row <= rows ? row - 1 : throw new CliException($"--row {row} is outside the file's {rows:N0} rows (1 to {rows:N0}).");

    private static int IdIndex(CreditData data, string column, string id)
    {
        var ids = data.IdColumn ?? throw new CliException($"The file has no id column '{column}'.");
        var found = -1;
        for (var i = 0; i < data.RowCount; i++)
        {
            if (ids.FormatValue(i) == id)
            {
                if (found >= 0)
                {
                    throw new CliException($"Id '{id}' is on rows {found + 1} and {i + 1} of column '{column}'; ids must be unique (use --row).");
                }

                found = i;
            }
        }

        return found >= 0 ? found : throw new CliException($"No row has '{id}' in column '{column}'.");
    }

    private static void Print(TextWriter output, Explanation e, string who, CreditModel model)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{who}: {e.Decision.ToText()} (probability of default {e.Probability:F4}, threshold {e.Threshold:F4}; {model.Metadata.Learner}, {ExplanationJson.MethodName(e.Method)} contributions)"));
        if (e.Reasons.Count > 0)
        {
            output.WriteLine("Reasons:");
            foreach (var r in e.Reasons)
            {
                output.WriteLine(string.Create(c, $"  {r.Rank}. [{r.Code}] {r.Text}"));
            }
        }
        else
        {
            output.WriteLine("Reasons: none (no input raised the risk above the population's).");
        }

        output.WriteLine(string.Create(c, $"Contributions to the log-odds, from the population's {e.BaseValue:F4} to this applicant's {e.Margin:F4}:"));
        var width = Math.Max(5, e.Inputs.Max(i => i.Name.Length));
        output.WriteLine($"  {"input".PadRight(width)}  {"value",12}  {"contribution",12}  {"percentile",10}  {"similar",8}  {"median",10}  middle 80%");
        foreach (var i in e.Inputs.OrderByDescending(i => Math.Abs(i.Contribution)).ThenBy(i => i.Name, StringComparer.Ordinal))
        {
            var p = i.Population;
            var similar = i.AmongSimilar is { } s ? Percent(double.IsNaN(s.CategoryShare) ? s.Percentile : s.CategoryShare) : "";
            var standing = p is null ? "" : !double.IsNaN(p.CategoryShare)
                ? string.Create(c, $"{Percent(p.CategoryShare),10}  {similar,8}  {"",10}  share of clients in this category")
                : string.Create(c, $"{Percent(p.Percentile),10}  {similar,8}  {Number(p.Median),10}  {Number(p.Low)} to {Number(p.High)}");
            var name = i.IsDerived ? $"{i.Name} ({string.Join(", ", i.Sources)})" : i.Name;
            output.WriteLine(string.Create(c, $"  {name.PadRight(width)}  {i.Value ?? "(missing)",12}  {i.Contribution,12:+0.0000;-0.0000;0}  {standing}").TrimEnd());
        }

        if (e.SimilarClients is { } band)
        {
            output.WriteLine(string.Create(c, $"percentile: share of all training clients at or below the value (for a category, in it); similar: the same among the {band.Rows:N0} clients with a similar score (probability of default {(double.IsInfinity(band.LowScore) ? "up to" : $"above {band.LowScore:F4} and up to")} {(double.IsInfinity(band.HighScore) ? "1" : band.HighScore.ToString("F4", c))})."));
        }
    }

    private static string Percent(double share) => double.IsNaN(share) ? "" : share.ToString("P0", CultureInfo.InvariantCulture);

    private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("G6", CultureInfo.InvariantCulture);
}
