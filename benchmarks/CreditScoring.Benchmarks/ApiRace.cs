using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Interop;
using CreditScoring.Sdk.Learners.GradientBoosting;

namespace CreditScoring.Benchmarks;

/// <summary>
/// <c>race api-model DATA.csv TARGET --out DIR</c>: the model both hosts of <c>benchmarks/peer-race/api.sh</c> serve. Trains
/// the gbdt race's model (300 rounds, 31 leaves, seed 42) on the stratified 80 % of the rows and writes, in DIR: the model
/// file <c>pd.json</c> (our host), its trees exported to XGBoost JSON <c>pd.xgb.json</c> with <c>meta.json</c> (feature
/// order and threshold; the FastAPI peer), <c>body.json</c> (the first test row, the request both receive) and
/// <c>expected.json</c> (our probability of it, which both hosts must answer within 1e-6).
/// </summary>
internal static class ApiRace
{
    public static int Model(string[] args)
    {
        var output = PeerRace.Values(args, "--out").LastOrDefault();
        if (args.Length < 2 || output is null)
        {
            Console.Error.WriteLine("usage: race api-model DATA.csv TARGET --out DIR");
            return 2;
        }

        var data = CreditData.ReadCsv(args[0], o => o.Target(args[1]));
        var (train, test) = data.SplitStratified(0.2, 42);
        var model = PeerRace.GbdtPipeline().Fit(train);
        var inputs = model.Input.Columns.Select(c => c.Name).ToList();
        var features = model.Features.Features.Select(f => f.Name).ToList();
        if (!inputs.SequenceEqual(features) || model.Input.Columns.Any(c => c.Kind != ColumnKind.Numeric))
        {
            Console.Error.WriteLine("The peer scores raw numeric inputs: the model's features must be its numeric inputs, in order.");
            return 1;
        }

        Directory.CreateDirectory(output);
        model.Save(Path.Combine(output, "pd.json"));
        XGBoostModel.Export((GradientBoostingPredictor)model.Predictor, Path.Combine(output, "pd.xgb.json"));
        var threshold = model.Decision.Threshold;
        File.WriteAllText(Path.Combine(output, "meta.json"), JsonSerializer.Serialize(new { features, threshold }));

        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        var values = new double[inputs.Count];
        for (var j = 0; j < inputs.Count; j++)
        {
            var v = ((NumericColumn)test[inputs[j]]).Values[0];
            row[inputs[j]] = double.IsNaN(v) ? null : v;
        }

        File.WriteAllText(Path.Combine(output, "body.json"), JsonSerializer.Serialize(row));
        var probability = model.CreateScorer().Score(row).Probability;
        File.WriteAllText(Path.Combine(output, "expected.json"), JsonSerializer.Serialize(new { probability, threshold }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model: {inputs.Count} numeric inputs, threshold {threshold}, {train.RowCount} training rows; the request's probability {probability}"));
        return 0;
    }
}
