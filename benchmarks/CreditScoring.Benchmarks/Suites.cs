using System.Globalization;
using BenchmarkDotNet.Attributes;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Evaluation;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners;
using CreditScoring.Sdk.Learners.Linear;

namespace CreditScoring.Benchmarks;

/// <summary>CSV load of give-me-some-credit.csv (150,000 x 11) against a naive line-split-and-parse baseline.</summary>
[MemoryDiagnoser]
public class CsvLoadBenchmarks
{
    private string _path = string.Empty;

    [GlobalSetup]
    public void Setup() => _path = BenchmarkData.GiveMeSomeCredit();

    [Benchmark(Baseline = true, Description = "naive: File.ReadLines + Split + double.Parse")]
    public double NaiveSplitAndParse()
    {
        var sum = 0.0;
        foreach (var line in File.ReadLines(_path).Skip(1))
        {
            foreach (var field in line.Split(','))
            {
                if (field.Length > 0)
                {
                    sum += double.Parse(field, NumberStyles.Float, CultureInfo.InvariantCulture);
                }
            }
        }

        return sum;
    }

    [Benchmark(Description = "CreditData.ReadCsv (typed, validated)")]
    public int ReadCsv() => CreditData.ReadCsv(_path, o => o.Target("SeriousDlqin2yrs")).RowCount;
}

/// <summary>Exact AUC over 1,000,000 scores with ties, against a comparison-sort reference.</summary>
[MemoryDiagnoser]
public class AucBenchmarks
{
    private double[] _scores = [];
    private int[] _labels = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _labels = new int[1_000_000];
        _scores = new double[_labels.Length];
        for (var i = 0; i < _labels.Length; i++)
        {
            _labels[i] = rng.NextDouble() < 0.07 ? 1 : 0;
            _scores[i] = Math.Round(Math.Clamp(0.07 + (0.1 * _labels[i]) + (0.08 * (rng.NextDouble() - 0.5)), 0, 1), 5);
        }
    }

    [Benchmark(Baseline = true, Description = "reference: Array.Sort(keys, labels) + tie groups")]
    public double SortReference()
    {
        var keys = (double[])_scores.Clone();
        var labels = (int[])_labels.Clone();
        Array.Sort(keys, labels);
        double positives = 0, negatives = 0, area = 0, negativesBelow = 0;
        var i = 0;
        while (i < keys.Length)
        {
            double p = 0, n = 0;
            var s = keys[i];
            do
            {
                if (labels[i] == 1)
                {
                    p++;
                }
                else
                {
                    n++;
                }

                i++;
            }
            while (i < keys.Length && keys[i] == s);

            area += p * (negativesBelow + (0.5 * n));
            negativesBelow += n;
            positives += p;
            negatives += n;
        }

        return area / (positives * negatives);
    }

    [Benchmark(Description = "ClassificationMetrics.Auc (radix sort)")]
    public double Auc() => ClassificationMetrics.Auc(_scores, _labels);
}

/// <summary>Logistic regression on give-me-some-credit (150,000 rows, 10 features, median-imputed, standardised in the model).</summary>
[MemoryDiagnoser]
public class LogisticFitBenchmarks
{
    private CreditData _data = null!;
    private FeatureMatrix _matrix = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = BenchmarkData.LoadGiveMeSomeCredit();
        var model = new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(_data);
        _matrix = model.Features.Transform(_data);
    }

    [Benchmark(Baseline = true, Description = "Newton fit, 1 thread")]
    public ICreditPredictor FitOneThread() => new LogisticRegressionLearner().Fit(_matrix, _data.Labels, default, new LearnerContext(42, maxDegreeOfParallelism: 1));

    [Benchmark(Description = "Newton fit, all threads")]
    public ICreditPredictor FitAllThreads() => new LogisticRegressionLearner().Fit(_matrix, _data.Labels, default, new LearnerContext(42));

    [Benchmark(Description = "pipeline fit (impute + one-hot + standardise + Newton)")]
    public object PipelineFit() => new CreditScoringContext().CreatePipeline().Train(t => t.LogisticRegression()).Build().Fit(_data);
}
