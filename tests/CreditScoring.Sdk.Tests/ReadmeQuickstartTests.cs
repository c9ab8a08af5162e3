using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests;

/// <summary>Tests that change the process's working directory run alone.</summary>
[CollectionDefinition(nameof(WorkingDirectoryTests), DisableParallelization = true)]
public sealed class WorkingDirectoryTests;

/// <summary>The README's C# quickstart, line for line (run in a folder holding the data file), so it cannot rot.</summary>
[Collection(nameof(WorkingDirectoryTests))]
public class ReadmeQuickstartTests
{
    [Fact]
    public void ReadmeQuickstart_RunsAndGivesTheDocumentedFigures()
    {
        var dir = TestPaths.NewTempDirectory();
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = dir;
        try
        {
            File.Copy(TestPaths.CreditData, Path.Combine(dir, "modeldata-credit-data.csv"));

            // --- README begins
            var data = CreditData.ReadCsv("modeldata-credit-data.csv", o => o.Target("default"));
            var (train, test) = data.SplitStratified(testFraction: 0.2, seed: 42);

            var context = new CreditScoringContext(seed: 42);
            var pipeline = context.CreatePipeline()
                .Train(t => t.LogisticRegression(o => o.L2Regularization = 1.0))
                .Decide(d => d.Threshold(0.3))
                .Build();

            CreditModel model = pipeline.Fit(train);
            var report = model.Evaluate(test);
            Console.WriteLine($"AUC {report.Auc:F4} (baseline {report.Baseline.Auc:F1}), KS {report.Ks:F4}, Brier {report.Brier:F4}");

            model.Save("pd-model.json");
            ICreditScorer scorer = CreditModel.Load("pd-model.json").CreateScorer();
            var applicant = scorer.CreateRow()
                .Set("Seniority", 9).Set("Home", "rent").Set("Time", 60).Set("Age", 30).Set("Marital", "married")
                .Set("Records", "no").Set("Job", "freelance").Set("Expenses", 73).Set("Income", 129)
                .Set("Assets", 0).Set("Debt", 0).Set("Amount", 800).Set("Price", 846);
            CreditScore score = scorer.Score(applicant);
            Console.WriteLine($"PD {score.Probability:0.0%} -> {score.Decision}");
            // --- README ends

            Assert.Equal(0.8541, report.Auc, 4);
            Assert.Equal(0.5547, report.Ks, 4);
            Assert.Equal(0.1335, report.Brier, 4);
            Assert.Equal(0.334, score.Probability, 3);
            Assert.Equal(CreditDecision.Decline, score.Decision);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }
}
