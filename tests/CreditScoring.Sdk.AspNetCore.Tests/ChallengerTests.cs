using System.Collections.Concurrent;
using System.Net;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Scoring;
using Microsoft.Data.Sqlite;

namespace CreditScoring.Sdk.AspNetCore.Tests;

/// <summary>A challenger scores beside the champion: the answer is the champion's, both are recorded and compared; a broken challenger is refused and the champion serves alone.</summary>
public sealed class ChallengerTests(TrainedModel trained) : IClassFixture<TrainedModel>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cs-challenger-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task EveryRequest_IsAnsweredByTheChampion_AndRecordedForBoth()
    {
        var challengerPath = Path.Combine(_folder, "gbdt-challenger.json");
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        new CreditScoringContext(seed: 9).CreatePipeline().Train(t => t.GradientBoosting(o => o.NumberOfIterations = 40)).Build().Fit(data).Save(challengerPath);
        var challenger = CreditModel.Load(challengerPath).CreateScorer();
        var champion = trained.Model.CreateScorer();
        var store = Path.Combine(_folder, "events.db");
        var applicants = trained.Rows.Skip(100).Take(40).ToList();

        List<string> ids;
        await using (var host = await EventsHost.StartAsync(trained.ModelPath, s => s.AddCreditScoringEvents(o => o.Store = store), serving: o => o.ChallengerPath = challengerPath))
        {
            var (status, body) = await host.PostAsync("/v1/score/batch", new { applicants });
            Assert.Equal(HttpStatusCode.OK, status);
            var results = body["results"]!.AsArray();
            Assert.Equal(applicants.Select(a => champion.Score(a).Probability), results.Select(r => r!["probability"]!.GetValue<double>()));
            ids = [.. results.Select(r => r!["eventId"]!.GetValue<string>())];

            var model = (await host.GetAsync("/v1/model")).Body;
            Assert.Equal("gbdt-challenger", model["challenger"]!["name"]!.GetValue<string>());

            var monitoring = await host.WaitAsync(m => m["events"]!["written"]!.GetValue<long>() == 80);
            var comparison = monitoring["challenger"]!;
            var pairs = applicants.Select(a => (Champion: champion.Score(a), Challenger: challenger.Score(a))).ToList();
            Assert.Equal(40, comparison["requests"]!.GetValue<long>());
            Assert.Equal(0, comparison["failed"]!.GetValue<long>());
            Assert.Equal(pairs.Count(p => p.Champion.Decision != p.Challenger.Decision), comparison["disagreements"]!.GetValue<long>());
            Assert.Equal(pairs.Average(p => Math.Abs(p.Champion.Probability - p.Challenger.Probability)), comparison["meanAbsoluteDifference"]!.GetValue<double>(), 12);
            Assert.Equal(pairs.Max(p => Math.Abs(p.Champion.Probability - p.Challenger.Probability)), comparison["maxAbsoluteDifference"]!.GetValue<double>(), 15);
        }

        using var events = await PredictionEventStore.OpenAsync(store);
        var written = await events.ReadAsync();
        for (var i = 0; i < applicants.Count; i++)
        {
            var champ = Assert.Single(written, e => e.EventId == ids[i] && e.Role == "champion");
            var chall = Assert.Single(written, e => e.EventId == ids[i] && e.Role == "challenger");
            Assert.Equal(champion.Score(applicants[i]).Probability, champ.Probability);
            Assert.Equal(challenger.Score(applicants[i]).Probability, chall.Probability);
            Assert.Equal(challenger.Score(applicants[i]).Decision == CreditDecision.Decline ? "decline" : "approve", chall.Decision);
            Assert.Equal("gbdt-challenger", chall.ModelName);
        }
    }

    [Fact]
    public async Task ABrokenChallenger_IsRefusedAndLogged_AndTheChampionServesAlone()
    {
        var challengerPath = Path.Combine(_folder, "broken.json");
        await File.WriteAllTextAsync(challengerPath, "{\"not\": \"a model\"}");
        var logs = new ConcurrentQueue<string>();
        await using var host = await EventsHost.StartAsync(trained.ModelPath, _ => { }, logs, o => o.ChallengerPath = challengerPath);

        var (status, body) = await host.PostAsync("/v1/score", trained.Rows[0]);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(trained.Model.CreateScorer().Score(trained.Rows[0]).Probability, body["probability"]!.GetValue<double>());
        Assert.Null((await host.GetAsync("/v1/model")).Body["challenger"]);
        Assert.Contains(logs, line => line.Contains("[Error]", StringComparison.Ordinal) && line.Contains("challenger", StringComparison.Ordinal) && line.Contains("broken.json", StringComparison.Ordinal));
    }
}
