using BenchmarkDotNet.Attributes;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Resampling;

namespace CreditScoring.Benchmarks;

/// <summary>
/// Resampling and threshold choice on give-me-some-credit.csv (150,000 × 10, median-imputed as
/// ../shared/peers/smote.py does): SMOTE and Borderline-SMOTE-1 with the default strategy (minority grown to the
/// majority, 130,000 new rows), and the exact threshold sweep with a 200-replicate bootstrap interval on 150,000 scores.
/// </summary>
[MemoryDiagnoser]
public class ImbalanceBenchmarks
{
    private FeatureMatrix _features = null!;
    private int[] _labels = [];
    private double[] _scores = [];
    private RowCosts _costs = null!;

    [GlobalSetup]
    public void Setup()
    {
        var data = BenchmarkData.LoadGiveMeSomeCredit();
        var numeric = data.Columns.OfType<NumericColumn>().Where(c => c.Name != "SeriousDlqin2yrs").ToArray();
        var columns = numeric.Select(c =>
        {
            var x = c.Values.ToArray();
            var fill = DefaultPreprocessing.MedianOrZero(x, default);
            return x.Select(v => double.IsNaN(v) ? fill : v).ToArray();
        }).ToArray();
        _features = new FeatureMatrix(numeric.Select(c => new FeatureInfo(c.Name, FeatureKind.Continuous)).ToArray(), columns);
        _labels = data.Labels.ToArray();

        // Scores with the data's ranking signal: a logistic of the standardised past-due counts plus noise.
        var random = new Random(1);
        _scores = _labels.Select(y => 1 / (1 + Math.Exp(-((1.3 * y) + (random.NextDouble() * 2) - 3.5)))).ToArray();
        _costs = CostMatrix.Create(10, 1).Constant(_labels.Length);
    }

    /// <summary>SMOTE, k = 5, two threads.</summary>
    [Benchmark]
    public ResampledData Smote() => new Smote().Resample(_features, _labels, 42, default, 2);

    /// <summary>Borderline-SMOTE-1, k = 5, m = 10, two threads.</summary>
    [Benchmark]
    public ResampledData BorderlineSmote() => new BorderlineSmote().Resample(_features, _labels, 42, default, 2);

    /// <summary>The exact sweep and the cost-optimal choice.</summary>
    [Benchmark]
    public ThresholdChoice CostOptimalThreshold() => ThresholdAnalysis.Analyze(_scores, _labels, _costs).Choose(ThresholdObjective.MinimumCost);

    /// <summary>The same with a 200-replicate bootstrap interval.</summary>
    [Benchmark]
    public ThresholdChoice CostOptimalThresholdWithInterval() => ThresholdAnalysis.Analyze(_scores, _labels, _costs).Choose(ThresholdObjective.MinimumCost, 200, 42);
}
