using BenchmarkDotNet.Attributes;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Drift;

namespace CreditScoring.Benchmarks;

/// <summary>
/// Drift on give-me-some-credit.csv split in halves (75,000 / 75,000, 10 columns, as ../shared/peers/drift.py splits it):
/// the full report against the table, against the model's saved population profile, and one exact KS p-value
/// (5,000 against 4,000 values).
/// </summary>
[MemoryDiagnoser]
public class DriftBenchmarks
{
    private CreditData _reference = null!;
    private CreditData _current = null!;
    private Sdk.Scoring.PopulationProfile _profile = null!;
    private double[] _a = [];
    private double[] _b = [];

    [GlobalSetup]
    public void Setup()
    {
        var data = BenchmarkData.LoadGiveMeSomeCredit();
        var h = data.RowCount / 2;
        _reference = data.SelectRows(Enumerable.Range(0, h).ToArray());
        _current = data.SelectRows(Enumerable.Range(h, data.RowCount - h).ToArray());
        _profile = Sdk.Scoring.PopulationProfile.Build(_reference, _reference.Schema.Columns.Where(c => c.Role == ColumnRole.Feature).Select(c => c.Name));
        var random = new Random(7);
        _a = Enumerable.Range(0, 5000).Select(_ => random.NextDouble()).ToArray();
        _b = Enumerable.Range(0, 4000).Select(_ => random.NextDouble() + 0.02).ToArray();
    }

    /// <summary>The full report against the reference table, two threads.</summary>
    [Benchmark]
    public DatasetDrift ReportAgainstTable() => DriftDetector.Compare(_reference, _current, new DriftOptions { MaxDegreeOfParallelism = 2 });

    /// <summary>The full report against the population profile, two threads.</summary>
    [Benchmark]
    public DatasetDrift ReportAgainstProfile() => DriftDetector.Compare(_profile, _current, new DriftOptions { MaxDegreeOfParallelism = 2 });

    /// <summary>An exact two-sample KS test (lattice-path recursion).</summary>
    [Benchmark]
    public KsResult ExactKs() => DriftStatistics.KolmogorovSmirnov(_a, _b, KsMethod.Exact);
}
