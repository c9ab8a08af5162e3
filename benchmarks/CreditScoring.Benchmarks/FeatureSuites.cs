using BenchmarkDotNet.Attributes;
using CreditScoring.Sdk.Training;
using CreditScoring.Sdk;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Benchmarks;

/// <summary>
/// The Home Credit feature pipeline of <c>benchmarks/features/home-credit.json</c> (120 inputs, two related
/// tables aggregated, about 250 features) on home-credit-sample.csv from ../shared/data: fitting and
/// transforming the whole table, one applicant's row transform (raw inputs and aggregates to features,
/// allocation-free) and aggregating one applicant's related rows at scoring time.
/// </summary>
[MemoryDiagnoser]
public class FeaturePipelineBenchmarks
{
    private CreditPipeline _pipeline = null!;
    private CreditData _data = null!;
    private FittedFeatures _features = null!;
    private double[][] _raw = [];
    private double[][] _aggregates = [];
    private double[] _output = [];
    private ScoringRow _row = null!;
    private IReadOnlyList<IReadOnlyDictionary<string, object?>> _bureauRows = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var dir = Path.GetDirectoryName(BenchmarkData.SharedData("home-credit-sample.csv"));
        if (string.IsNullOrEmpty(dir))
        {
            throw new InvalidOperationException("FeaturePipelineBenchmarks need ../shared/data/home-credit-sample*.csv (Kaggle files are never committed).");
        }

        var pipelineFile = Path.Combine(RepositoryRoot(), "benchmarks", "features", "home-credit.json");
        var bureau = CreditData.ReadCsv(Path.Combine(dir, "home-credit-sample-bureau.csv"));
        _data = CreditData.ReadCsv(Path.Combine(dir, "home-credit-sample.csv"), o => o.Target("TARGET").Id("SK_ID_CURR"))
            .WithRelated("bureau", bureau)
            .WithRelated("previous", CreditData.ReadCsv(Path.Combine(dir, "home-credit-sample-previous-application.csv")));
        _pipeline = new CreditScoringContext(42, maxDegreeOfParallelism: 2).CreatePipeline()
            .Features(f => FeaturePipelineJson.ApplyFile(f, pipelineFile)).Train(t => t.LogisticRegression()).Build();
        _features = _pipeline.FitFeatures(_data);
        var prefix = _features.Prefix(_data, InputBinder.Bind(_features.Input, _data, UnknownCategoryHandling.Ignore));
        _raw = Rows(prefix[.._features.Input.Count], _data.RowCount);
        _aggregates = Rows(prefix[_features.Input.Count..], _data.RowCount);
        _output = new double[_features.Features.Count];

        var model = _pipeline.Fit(_data);
        _row = model.CreateScorer().CreateRow();
        var first = ((NumericColumn)_data["SK_ID_CURR"])[0];
        var ids = (NumericColumn)bureau["SK_ID_CURR"];
        _bureauRows = Enumerable.Range(0, bureau.RowCount).Where(r => ids[r] == first)
            .Select(r => (IReadOnlyDictionary<string, object?>)bureau.Schema.Columns.ToDictionary(c => c.Name, c => bureau[c.Name] is NumericColumn n ? (object?)n[r] : bureau[c.Name].FormatValue(r)))
            .ToArray();
    }

    [Benchmark(Description = "fit + transform the whole table (5,000 rows, 2 related tables)")]
    public FeatureMatrix FitAndTransform() => _pipeline.FitFeatures(_data).Transform(_data);

    [Benchmark(Description = "one applicant: raw inputs + aggregates -> features")]
    public double SingleRowTransform()
    {
        _features.TransformRow(_raw[_next], _aggregates[_next], _output);
        _next = (_next + 1) % _raw.Length;
        return _output[0];
    }

    [Benchmark(Description = "one applicant: aggregate their bureau rows (SetRelated)")]
    public ScoringRow AggregateOneApplicant() => _row.SetRelated("bureau", _bureauRows);

    private static double[][] Rows(double[][] columns, int rows) =>
        Enumerable.Range(0, rows).Select(i => columns.Select(c => c[i]).ToArray()).ToArray();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CreditScoring.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
