using System.Text;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;
using FsCheck;
using FsCheck.Fluent;

namespace CreditScoring.Sdk.Tests.Scoring;

public class ModelFileTests
{
    private static readonly Lazy<(CreditModel Model, CreditData Test)> Trained = new(() =>
    {
        var data = CreditData.ReadCsv(TestPaths.CreditData, o => o.Target("default"));
        var (train, test) = data.SplitStratified(0.2, seed: 42);
        var context = new CreditScoringContext(42, new ManualTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
        return (context.CreatePipeline().Train(t => t.LogisticRegression()).Decide(d => d.Threshold(0.3)).ExplanationSample(3).Build().Fit(train), test);
    });

    private static string SavedFile(CreditModel model)
    {
        var path = Path.Combine(TestPaths.NewTempDirectory(), "model.json");
        model.Save(path);
        return path;
    }

    [Fact]
    public void SaveLoad_RoundTrip_ScoresBitIdentical()
    {
        var (model, test) = Trained.Value;
        var loaded = CreditModel.Load(SavedFile(model));

        var before = new double[test.RowCount];
        var after = new double[test.RowCount];
        model.CreateScorer().PredictProbabilities(test, before);
        loaded.CreateScorer().PredictProbabilities(test, after);

        Assert.Equal(before.Select(BitConverter.DoubleToInt64Bits), after.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(model.Decision, loaded.Decision);
        Assert.Equal(model.Metadata with { LearnerParameters = null!, Diagnostics = null! }, loaded.Metadata with { LearnerParameters = null!, Diagnostics = null! });
        Assert.Equal(model.Metadata.Diagnostics, loaded.Metadata.Diagnostics);
        Assert.Equal(model.Metadata.LearnerParameters, loaded.Metadata.LearnerParameters);
        Assert.Equal(model.Features.Steps, loaded.Features.Steps);
        Assert.Equal(model.Input.Columns.Select(c => c.ToString()), loaded.Input.Columns.Select(c => c.ToString()));
    }

    [Fact]
    public void Save_TwiceTheSameModel_GivesTheSameBytesAndLeavesNoTemporaryFiles()
    {
        var (model, _) = Trained.Value;
        var path = SavedFile(model);
        var first = File.ReadAllBytes(path);

        model.Save(path);

        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Equal(["model.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void ModelFile_Snapshot()
    {
        var (model, _) = Trained.Value;
        using var stream = new MemoryStream();
        model.Save(stream);

        Snapshot.Verify(Snapshot.RoundNumbers(Snapshot.Scrub(Encoding.UTF8.GetString(stream.ToArray()))));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(300)]
    [InlineData(2000)]
    [InlineData(-3)]
    public void Load_TruncatedFile_SaysTruncated(int keep)
    {
        var (model, _) = Trained.Value;
        var path = SavedFile(model);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep > 0 ? keep : bytes.Length + keep)]);

        var e = Assert.Throws<ModelFormatException>(() => CreditModel.Load(path));

        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EditedFile_SaysChecksumMismatch()
    {
        var (model, _) = Trained.Value;
        var path = SavedFile(model);
        var text = File.ReadAllText(path);
        var at = text.IndexOf("\"threshold\": 0.3", StringComparison.Ordinal);
        Assert.True(at > 0);
        File.WriteAllText(path, text.Remove(at, 16).Insert(at, "\"threshold\": 0.9"));

        var e = Assert.Throws<ModelFormatException>(() => CreditModel.Load(path));

        Assert.StartsWith($"{path}: checksum mismatch: the model file was edited or damaged after it was written", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NewerFormatVersion_SaysUpgrade()
    {
        var (model, _) = Trained.Value;
        var path = SavedFile(model);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"formatVersion\": 6", "\"formatVersion\": 7", StringComparison.Ordinal));

        var e = Assert.Throws<ModelFormatException>(() => CreditModel.Load(path));

        Assert.Matches(@"the model file has format version 7 \(written by CreditScoring.Sdk [^)]+\), newer than this SDK \([^)]+\) reads \(up to 6\)\. Upgrade CreditScoring.Sdk to load it\.$", e.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Load_OlderFormatVersions_StillRead(int version)
    {
        // Version 2 files lack calibration and the decision's costs and choices, version 3 files the population profile,
        // version 4 files the training diagnostics, version 5 files the explanation background.
        var (model, _) = Trained.Value;
        var old = new CreditModel(model.Features, model.Predictor, model.Decision, model.Metadata);
        var path = SavedFile(old);
        var payload = ModelFileForge.Payload(File.ReadAllBytes(path));
        Assert.True(payload["metadata"]!.AsObject().Remove("diagnostics"));
        File.WriteAllBytes(path, ModelFileForge.Write(payload, version));

        var loaded = CreditModel.Load(path);

        Assert.Equal(model.Decision, loaded.Decision);
        Assert.Null(loaded.Calibration);
        Assert.Null(loaded.Profile);
        Assert.Empty(loaded.Metadata.Diagnostics);
        Assert.Null(loaded.Background);
        Assert.NotNull(model.Profile);
        Assert.Contains("WithBackground", Assert.Throws<ConfigurationException>(() => Sdk.Explanations.CreditModelExplanations.CreateExplainer(loaded)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotAModel_SaysSo()
    {
        var e = Assert.Throws<ModelFormatException>(() => CreditModel.Load(TestPaths.CreditData));
        Assert.Equal($"{TestPaths.CreditData}: this is not a CreditScoring model file (it is not a JSON object with a \"format\": \"creditscoring-model\" header).", e.Message);

        var json = Path.Combine(TestPaths.NewTempDirectory(), "other.json");
        File.WriteAllText(json, "{\"name\": \"something else\"}");
        Assert.StartsWith($"{json}: this is not a CreditScoring model file", Assert.Throws<ModelFormatException>(() => CreditModel.Load(json)).Message, StringComparison.Ordinal);

        var empty = Path.Combine(TestPaths.NewTempDirectory(), "empty.json");
        File.WriteAllText(empty, "");
        Assert.Equal($"{empty}: the file is empty; it is not a CreditScoring model file.", Assert.Throws<ModelFormatException>(() => CreditModel.Load(empty)).Message);
    }

    [Fact]
    public void SaveLoad_Property_RandomDataRoundTripsExactly()
    {
        Prop.ForAll(Gen.Choose(1, 10_000).ToArbitrary(), seed =>
        {
            var data = SyntheticCredit.Generate(300, seed);
            var model = new CreditScoringContext(seed).CreatePipeline().Train(t => t.LogisticRegression(o => o.L2Regularization = 1 + (seed % 7))).Build().Fit(data);
            using var stream = new MemoryStream();
            model.Save(stream);
            stream.Position = 0;
            var loaded = CreditModel.Load(stream);
            var a = model.CreateScorer().ScoreBatch(data);
            var b = loaded.CreateScorer().ScoreBatch(data);
            return a.SequenceEqual(b);
        }).QuickCheckThrowOnFailure();
    }
}
