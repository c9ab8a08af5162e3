using System.Diagnostics.Metrics;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Hosting;
using CreditScoring.Sdk.Scoring;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CreditScoring.Sdk.Tests.Hosting;

public class AddCreditScoringTests
{
    private static readonly Lazy<(string Path, CreditModel Model, CreditData Data)> Saved = new(() =>
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(data);
        var path = Path.Combine(TestPaths.NewTempDirectory(), "pd.json");
        model.Save(path);
        return (path, model, data);
    });

    private static async Task<IHost> StartAsync(Action<IServiceCollection> register)
    {
        var builder = Host.CreateApplicationBuilder();
        register(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    [Fact]
    public void Options_Defaults()
    {
        var o = new CreditScoringOptions();
        Assert.Null(o.ModelPath);
        Assert.Equal(UnknownCategoryHandling.Ignore, o.UnknownCategory);
        Assert.Equal("CreditScoring", CreditScoringOptions.SectionName);
    }

    [Fact]
    public async Task AddCreditScoring_ValidPath_ServesTheModelsScores()
    {
        var (path, model, data) = Saved.Value;
        using var host = await StartAsync(s => s.AddCreditScoring(o => o.ModelPath = path));

        var scorer = host.Services.GetRequiredService<ICreditScorer>();

        Assert.Same(scorer, host.Services.GetRequiredService<ICreditScorer>());
        Assert.Equal(model.CreateScorer().ScoreBatch(data), scorer.ScoreBatch(data));
    }

    [Fact]
    public async Task AddCreditScoring_NoPath_FailsAtStart()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(s => s.AddCreditScoring()));
        Assert.Equal("ModelPath: The CreditScoringOptions.ModelPath field is required.", e.Message);
    }

    [Fact]
    public async Task AddCreditScoring_MissingFile_FailsAtStartNamingIt()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(s => s.AddCreditScoring(o => o.ModelPath = "/nowhere/pd.json")));
        Assert.StartsWith("ModelPath: the model file '/nowhere/pd.json' does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCreditScoring_EditedFile_FailsAtStartWithChecksumMessage()
    {
        var (path, _, _) = Saved.Value;
        var edited = Path.Combine(TestPaths.NewTempDirectory(), "edited.json");
        File.WriteAllText(edited, File.ReadAllText(path).Replace("\"seed\": 42", "\"seed\": 43", StringComparison.Ordinal));

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(s => s.AddCreditScoring(o => o.ModelPath = edited)));

        Assert.StartsWith($"ModelPath: {edited}: checksum mismatch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCreditScoring_ConfigurationSection_Binds()
    {
        var (path, _, _) = Saved.Value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CreditScoring:ModelPath"] = path,
            ["CreditScoring:UnknownCategory"] = "Throw",
        }).Build();

        using var host = await StartAsync(s => s.AddCreditScoring(configuration.GetSection(CreditScoringOptions.SectionName)));

        var options = host.Services.GetRequiredService<IOptions<CreditScoringOptions>>().Value;
        Assert.Equal(UnknownCategoryHandling.Throw, options.UnknownCategory);
        var scorer = host.Services.GetRequiredService<ICreditScorer>();
        var values = scorer.Input.Columns.ToDictionary(c => c.Name, c => c.Name == "Home" ? (object?)"castle" : null);
        Assert.Throws<ScoringInputException>(() => scorer.Score(values));
    }

    [Fact]
    public void AddCreditScoring_Twice_RegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddCreditScoring(o => o.ModelPath = "a");
        services.AddCreditScoring(o => o.ModelPath = "b");

        Assert.Single(services, d => d.ServiceType == typeof(ICreditScorer));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<CreditScoringOptions>) && d.ImplementationType == typeof(CreditScoringOptionsFileValidator));
    }

    [Fact]
    public async Task Scorer_CountsScoresAndRejectionsOnTheCreditScoringMeter()
    {
        var (path, _, data) = Saved.Value;
        using var host = await StartAsync(s => s.AddCreditScoring(o => o.ModelPath = path));
        var scorer = host.Services.GetRequiredService<ICreditScorer>();
        long scored = 0, rejected = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CreditScoringMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "creditscoring.scores")
            {
                Interlocked.Add(ref scored, value);
            }
            else if (instrument.Name == "creditscoring.score_errors")
            {
                Interlocked.Add(ref rejected, value);
            }
        });
        listener.Start();

        scorer.ScoreBatch(data);
        Assert.Throws<ScoringInputException>(() => scorer.Score(new Dictionary<string, object?>()));

        Assert.Equal(data.RowCount, Interlocked.Read(ref scored));
        Assert.Equal(1, Interlocked.Read(ref rejected));
    }

    [Fact]
    public async Task TheScorerFromTheContainer_AllocatesNothingPerRow_WhileItsMetersAreListenedTo()
    {
        var (path, _, _) = Saved.Value;
        using var host = await StartAsync(s => s.AddCreditScoring(o => o.ModelPath = path));
        var scorer = host.Services.GetRequiredService<ICreditScorer>();
        long scored = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CreditScoringMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => scored += value);
        listener.Start();
        var row = scorer.CreateRow()
            .Set("Seniority", 9).Set("Home", "rent").Set("Time", 60).Set("Age", 30).Set("Marital", "married")
            .Set("Records", "no").Set("Job", "freelance").Set("Expenses", 73).Set("Income", 129)
            .Set("Assets", 0).Set("Debt", 0).Set("Amount", 800).Set("Price", 846);

        Assert.Equal(0, Allocations.OfScoring(scorer, row));
        Assert.Equal(10_100, scored);
    }

    [Fact]
    public async Task TheHost_LoadsTheModelFileOnce_AtStart()
    {
        var (path, model, data) = Saved.Value;
        var copy = Path.Combine(TestPaths.NewTempDirectory(), "pd.json");
        File.Copy(path, copy);
        using var host = await StartAsync(s => s.AddCreditScoring(o => o.ModelPath = copy));

        // The validation at start loaded it; the scorer takes that model rather than reading the file again.
        File.Delete(copy);
        var scorer = host.Services.GetRequiredService<ICreditScorer>();

        Assert.Equal(model.CreateScorer().ScoreBatch(data), scorer.ScoreBatch(data));
    }
}
