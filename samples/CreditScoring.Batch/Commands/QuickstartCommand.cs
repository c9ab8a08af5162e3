using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Reporting;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Batch.Commands;

/// <summary><c>quickstart</c> (also what runs with no arguments): train, evaluate and score on the bundled data.</summary>
internal static class QuickstartCommand
{
    public const string DefaultOutputDirectory = "quickstart-output";

    public static Command Create(SharedOptions shared)
    {
        var outputDir = new Option<string>("--output-dir") { Description = "Where the quickstart writes its model and scores.", DefaultValueFactory = _ => DefaultOutputDirectory };
        var command = new Command("quickstart", "Train, evaluate and score on the bundled modeldata-credit-data.csv (what runs with no arguments).") { outputDir };
        command.SetAction(p => BatchCli.Guarded(shared.Error, () => Run(shared.Output, shared.Error, p.GetValue(outputDir)!)));
        return command;
    }

    public static int Run(TextWriter output, TextWriter error, string outputDir)
    {
        var dataPath = FindQuickstartData();
        Directory.CreateDirectory(outputDir);
        var modelPath = Path.Combine(outputDir, "model.json");
        var scoresPath = Path.Combine(outputDir, "scores.csv");
        var reportPath = Path.Combine(outputDir, "report.json");
        var testPath = Path.Combine(outputDir, "test.csv");

        output.WriteLine("CreditScoring.Sdk quickstart: logistic regression on modeldata-credit-data.csv (4,454 loans, 28% defaults, MIT licence)");
        output.WriteLine();
        var log = new ProgressLog(error);
        var data = Input.Read(dataPath, log, ReadSettings.Default, "default", null, null, null);
        var (train, test) = data.SplitStratified(0.2, CreditScoringContext.DefaultSeed);
        OutputFiles.Write(testPath, stream => CommandSupport.WriteCsv(stream, test));

        var clock = Stopwatch.StartNew();
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(train);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1. Trained on {train.RowCount:N0} rows ({model.Input.Count} inputs -> {model.Features.Features.Count} features) in {clock.Elapsed.TotalSeconds:F3} s"));
        model.Save(modelPath);

        var evaluation = model.Evaluate(test);
        output.WriteLine("2. Evaluated on the held-out 20% (stratified, seed 42):");
        Report.Print(output, evaluation);
        OutputFiles.Write(reportPath, stream => ReportJson.Write(stream, new ReportContent
        {
            Command = "quickstart",
            Model = model,
            Evaluation = evaluation,
            Context = [new("model", modelPath), new("data", dataPath), new("testFraction", 0.2), new("trainRows", train.RowCount)],
        }));

        var loaded = CreditModel.Load(modelPath);
        var scores = loaded.CreateScorer().ScoreBatch(test);
        ScoresFile.Write(scoresPath, test, scores);
        output.WriteLine($"3. Saved {modelPath}, loaded it back and scored the test rows into {scoresPath}:");
        output.WriteLine("     row  probability  decision");
        for (var i = 0; i < Math.Min(5, scores.Count); i++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {i + 1,6}  {scores[i].Probability,11:F4}  {scores[i].Decision.ToText()}"));
        }

        output.WriteLine();
        output.WriteLine("Next, the same with the CLI:");
        output.WriteLine($"  dotnet run --project samples/CreditScoring.Batch -- evaluate --model {modelPath} --data {testPath}");
        output.WriteLine($"  dotnet run --project samples/CreditScoring.Batch -- score --model {modelPath} --data {testPath} --output {scoresPath}");
        output.WriteLine($"Full report: {reportPath}");
        return 0;
    }

    private static string FindQuickstartData()
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "data", "modeldata-credit-data.csv"),
            Path.Combine("samples", "data", "modeldata-credit-data.csv"),
        };
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new CliException($"the bundled data modeldata-credit-data.csv was not found (looked in {string.Join(" and ", candidates)}).");
    }
}
