using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Tests;

/// <summary>Saving and reloading models in memory, and their batch probabilities, for round-trip tests.</summary>
public static class ModelRoundTrip
{
    /// <summary>Saves the model to memory and loads it back.</summary>
    public static CreditModel SaveAndLoad(CreditModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        return CreditModel.Load(stream);
    }

    /// <summary>The model's probabilities for every row.</summary>
    public static double[] Probabilities(CreditModel model, CreditData data)
    {
        var p = new double[data.RowCount];
        model.CreateScorer().PredictProbabilities(data, p);
        return p;
    }
}
