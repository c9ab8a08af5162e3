using BenchmarkDotNet.Attributes;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Learners.GradientBoosting;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Benchmarks;

/// <summary>
/// Explaining the gbdt race's model (give-me-some-credit, 300 trees, 31 leaves): exact path-dependent TreeSHAP of one row
/// (<see cref="GradientBoostingPredictor.ExplainMargin(ReadOnlySpan{double}, Span{double})"/>, allocation-free), and the
/// model-level explainer (inputs, reasons, standing) over 1,000 rows on 2 threads. The peer race against XGBoost's
/// pred_contribs on the same trees is benchmarks/peer-race/treeshap.sh.
/// </summary>
[MemoryDiagnoser]
public class ExplanationBenchmarks
{
    private GradientBoostingPredictor _predictor = null!;
    private CreditExplainer _explainer = null!;
    private FeatureMatrix _rows = null!;
    private CreditData _batch = null!;
    private FeatureMatrix _batchRows = null!;
    private double[] _batchContributions = [];
    private double[] _row = [];
    private double[] _contributions = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var (model, test) = BenchmarkData.GiveMeSomeCreditGbdt();
        _predictor = (GradientBoostingPredictor)model.Predictor;
        _rows = model.Features.Transform(test);
        _row = new double[_rows.ColumnCount];
        _contributions = new double[_rows.ColumnCount];
        _batch = test.SelectRows(Enumerable.Range(0, 1000).ToArray());
        _batchRows = model.Features.Transform(_batch);
        _batchContributions = new double[_batchRows.RowCount * _batchRows.ColumnCount];
        _explainer = model.CreateExplainer(new ExplainerOptions { Scoring = new ScorerOptions { MaxDegreeOfParallelism = 2 } });
        _predictor.ExplainMargin(_row, _contributions);
    }

    [Benchmark(Description = "TreeSHAP of one row (ExplainMargin), cycling through the test rows")]
    public double OneRow()
    {
        _rows.CopyRow(_next, _row);
        _next = (_next + 1) % _rows.RowCount;
        return _predictor.ExplainMargin(_row, _contributions);
    }

    [Benchmark(Description = "TreeSHAP of 1,000 rows (ExplainMargins, eight rows at a time), one thread", OperationsPerInvoke = 1000)]
    public double Rows() => _predictor.ExplainMargins(_batchRows, _batchContributions);

    [Benchmark(Description = "explainer over 1,000 rows (ExplainBatch), 2 threads", OperationsPerInvoke = 1000)]
    public IReadOnlyList<Explanation> Batch() => _explainer.ExplainBatch(_batch);

    [Benchmark(Description = "scores and 4 reasons of 1,000 rows (ReasonsBatch), 2 threads", OperationsPerInvoke = 1000)]
    public IReadOnlyList<ScoredReasons> Reasons() => _explainer.ReasonsBatch(_batch);
}
