using System.Globalization;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Drift;

/// <summary>The test that decides whether a column drifted.</summary>
public enum DriftTest
{
    /// <summary>Chosen by column type and reference size (<see cref="DriftOptions"/>).</summary>
    Auto,

    /// <summary>Two-sample Kolmogorov–Smirnov; drift when p &lt; threshold (default 0.05).</summary>
    KolmogorovSmirnov,

    /// <summary>Wasserstein-1 divided by the reference standard deviation; drift when ≥ threshold (default 0.1).</summary>
    Wasserstein,

    /// <summary>Chi-square homogeneity; drift when p &lt; threshold (default 0.05).</summary>
    ChiSquare,

    /// <summary>Jensen–Shannon distance; drift when ≥ threshold (default 0.1).</summary>
    JensenShannon,

    /// <summary>Two-proportion z-test for two-category columns; drift when p &lt; threshold (default 0.05).</summary>
    ZTest,

    /// <summary>Population stability index; drift when ≥ threshold (default 0.1).</summary>
    Psi,
}

/// <summary>A column's own test and threshold, overriding the automatic choice.</summary>
/// <param name="Test">The test.</param>
/// <param name="Threshold">The threshold, or NaN for the test's default.</param>
public sealed record ColumnDriftOptions(DriftTest Test, double Threshold = double.NaN);

/// <summary>
/// How drift is decided, with Evidently's defaults: numeric columns with a reference of at most
/// <see cref="SmallReferenceRows"/> rows by Kolmogorov–Smirnov (p &lt; 0.05), larger ones by normed Wasserstein (≥ 0.1);
/// categorical columns by chi-square (two categories: z-test) or Jensen–Shannon (≥ 0.1); the dataset drifts when the
/// share of drifted columns reaches <see cref="DriftShare"/>.
/// </summary>
public sealed class DriftOptions
{
    /// <summary>The share of drifted columns at which the dataset drifts; default 0.5.</summary>
    public double DriftShare { get; set; } = 0.5;

    /// <summary>References up to this many rows use statistical tests, larger ones distances; default 1000.</summary>
    public int SmallReferenceRows { get; set; } = 1000;

    /// <summary>PSI bins; default 10 (reference deciles).</summary>
    public int PsiBins { get; set; } = DriftStatistics.DefaultBins;

    /// <summary>Per-column overrides by column name.</summary>
    public IDictionary<string, ColumnDriftOptions> Columns { get; } = new Dictionary<string, ColumnDriftOptions>(StringComparer.Ordinal);

    /// <summary>The columns to compare; default every numeric and categorical feature column the two tables share (the model's inputs when a model is given).</summary>
    public IList<string> Include { get; } = [];

    /// <summary>Threads; −1 (default) for all processors. Results never depend on it.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>
    /// The fewest non-missing current values a column's distribution test needs; with fewer, the column's status is
    /// "insufficient data" (neither drifted nor stable, and left out of the drifted share), unless its missing share drifted
    /// or it is absent. A distance such as PSI or Wasserstein on a handful of values says little.
    /// </summary>
    /// <value>Default 30.</value>
    public int MinimumCurrentValues { get; set; } = 30;

    /// <summary>
    /// How much a column's missing share must move (in absolute terms, 0.1 = 10 percentage points), with a two-proportion
    /// z-test p-value below 0.05, for the column to drift on its missing share alone. A column with no current value at all
    /// (100% missing, a dead feed) drifts whenever the reference had values.
    /// </summary>
    /// <value>Default 0.1.</value>
    public double MissingShareChange { get; set; } = 0.1;

    /// <summary>The default threshold of a test.</summary>
    /// <param name="test">The test.</param>
    /// <returns>0.05 for p-value tests, 0.1 for distances and PSI.</returns>
    public static double DefaultThreshold(DriftTest test) => test is DriftTest.KolmogorovSmirnov or DriftTest.ChiSquare or DriftTest.ZTest ? 0.05 : 0.1;

    internal void Validate()
    {
        if (!(DriftShare > 0 && DriftShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(DriftShare), DriftShare, "The drift share must be in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(SmallReferenceRows, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(PsiBins, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumCurrentValues, 1);
        if (!(MissingShareChange > 0 && MissingShareChange <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MissingShareChange), MissingShareChange, "The missing-share change must be in (0, 1].");
        }
    }
}

/// <summary>One bar pair of a column's chart: a bin or category with the reference's and the current data's share.</summary>
/// <param name="Label">The bin (e.g. <c>[0.5, 1.2)</c>) or category.</param>
/// <param name="Reference">Reference share.</param>
/// <param name="Current">Current share.</param>
public sealed record DriftBar(string Label, double Reference, double Current);

/// <summary>Whether and how one column moved.</summary>
public sealed record ColumnDrift
{
    /// <summary>The column.</summary>
    public required string Name { get; init; }

    /// <summary><c>numeric</c> or <c>categorical</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The deciding test.</summary>
    public required DriftTest Test { get; init; }

    /// <summary>The test's statistic (KS D, normed Wasserstein, chi-square, JS distance, z or PSI).</summary>
    public required double Statistic { get; init; }

    /// <summary>The p-value for KS, chi-square and z-tests; <see langword="null"/> for distances.</summary>
    public required double? PValue { get; init; }

    /// <summary>The threshold the statistic or p-value was compared with.</summary>
    public required double Threshold { get; init; }

    /// <summary>Whether the column drifted.</summary>
    public required bool Drifted { get; init; }

    /// <summary>PSI on reference deciles (CSI for a model input), always reported.</summary>
    public required double Psi { get; init; }

    /// <summary>Share of missing values in the reference.</summary>
    public required double ReferenceMissing { get; init; }

    /// <summary>Share of missing values in the current data.</summary>
    public required double CurrentMissing { get; init; }

    /// <summary>The chart: 20 equal-width bins (numeric) or the most frequent categories.</summary>
    public required IReadOnlyList<DriftBar> Bars { get; init; }

    /// <summary>Whether the column drifted on its missing share (see <see cref="DriftOptions.MissingShareChange"/>).</summary>
    public bool MissingShareDrifted { get; init; }

    /// <summary>Whether the column is absent from the current data (then it is drifted, and its statistics are NaN).</summary>
    public bool Absent { get; init; }

    /// <summary>
    /// Whether the current data had too few values for the distribution test (<see cref="DriftOptions.MinimumCurrentValues"/>):
    /// the column is then neither drifted (unless its missing share drifted) nor counted in the drifted share.
    /// </summary>
    public bool InsufficientData { get; init; }

    /// <summary>Why the column drifted or could not be tested, in words; empty for a stable column.</summary>
    public string Reason { get; init; } = string.Empty;
}

/// <summary>Prediction drift: PSI of the model's scores, read with the credit convention.</summary>
/// <param name="Psi">PSI of the probabilities of default on reference deciles.</param>
/// <param name="Stability"><c>stable</c> (&lt; 0.1), <c>moderate</c> (0.1–0.25) or <c>significant</c> (&gt; 0.25).</param>
/// <param name="ReferenceMeanPd">Mean PD of the reference.</param>
/// <param name="CurrentMeanPd">Mean PD of the current data.</param>
/// <param name="Bars">Score distributions in 20 equal-width bins.</param>
public sealed record PredictionDrift(double Psi, string Stability, double ReferenceMeanPd, double CurrentMeanPd, IReadOnlyList<DriftBar> Bars)
{
    /// <summary>The credit convention's reading of a PSI.</summary>
    /// <param name="psi">The PSI.</param>
    /// <returns><c>stable</c>, <c>moderate</c> or <c>significant</c>.</returns>
    public static string Read(double psi) => psi < 0.1 ? "stable" : psi <= 0.25 ? "moderate" : "significant";
}

/// <summary>The outcome of comparing a current table with a reference.</summary>
/// <param name="ReferenceRows">Reference rows.</param>
/// <param name="CurrentRows">Current rows.</param>
/// <param name="Columns">Every compared column, drifted ones first (then by name).</param>
/// <param name="DriftShareThreshold">The share at which the dataset drifts.</param>
/// <param name="Prediction">Prediction drift when a model scored both tables; otherwise <see langword="null"/>.</param>
public sealed record DatasetDrift(int ReferenceRows, int CurrentRows, IReadOnlyList<ColumnDrift> Columns, double DriftShareThreshold, PredictionDrift? Prediction)
{
    /// <summary>Columns that drifted.</summary>
    public int DriftedCount => Columns.Count(c => c.Drifted);

    /// <summary>Columns with enough data to be judged: the drifted ones and those whose test could run.</summary>
    public int TestedCount => Columns.Count(c => c.Drifted || !c.InsufficientData);

    /// <summary>Drifted columns / columns judged (<see cref="TestedCount"/>).</summary>
    public double DriftedShare => TestedCount == 0 ? 0 : (double)DriftedCount / TestedCount;

    /// <summary>Whether the dataset drifted: the drifted share reached <see cref="DriftShareThreshold"/>.</summary>
    public bool IsDrifted => TestedCount > 0 && DriftedShare >= DriftShareThreshold;

    /// <summary>Whether no column could be judged (too few current values in each): the verdict is "insufficient data".</summary>
    public bool IsInsufficient => TestedCount == 0;

    /// <summary>What the comparison could not do, one sentence each (such as prediction drift without a model input); empty when nothing.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>"Drift is detected for 7.4% of columns (9 out of 121)." (with the columns that had too few values, if any).</summary>
    public string Summary
    {
        get
        {
            var insufficient = Columns.Count - TestedCount;
            var tail = insufficient > 0 ? string.Create(CultureInfo.InvariantCulture, $" {insufficient} column(s) had too few current values to test.") : "";
            return IsInsufficient
                ? string.Create(CultureInfo.InvariantCulture, $"Insufficient data: no column had enough current values to test ({CurrentRows} current rows).")
                : string.Create(CultureInfo.InvariantCulture, $"Drift is detected for {DriftedShare * 100:0.#}% of columns ({DriftedCount} out of {TestedCount}).{tail}");
        }
    }

    /// <summary>The dataset's verdict in words: "Dataset drift detected.", "No dataset drift." or "Insufficient data to judge drift.".</summary>
    public string Verdict => IsInsufficient ? "Insufficient data to judge drift." : IsDrifted ? "Dataset drift detected." : "No dataset drift.";
}

/// <summary>Compares a current population with a reference, column by column, and the model's scores.</summary>
public static class DriftDetector
{
    /// <summary>Compares two tables.</summary>
    /// <param name="reference">The reference (e.g. the training data).</param>
    /// <param name="current">The current data (e.g. last month's applications).</param>
    /// <param name="options">Tests and thresholds; default <see cref="DriftOptions"/>.</param>
    /// <param name="model">When given: its inputs are compared, and its scores on both tables give prediction drift.</param>
    /// <returns>The drift of every column and of the dataset.</returns>
    /// <exception cref="ArgumentException">A named column is missing from a table or has different kinds in the two.</exception>
    public static DatasetDrift Compare(CreditData reference, CreditData current, DriftOptions? options = null, CreditModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        options ??= new DriftOptions();
        options.Validate();
        if (reference.RowCount == 0 || current.RowCount == 0)
        {
            throw new ArgumentException($"Drift needs rows on both sides (reference {reference.RowCount}, current {current.RowCount}).");
        }

        var names = Columns(name => reference.Schema.IndexOf(name) is var i and >= 0 ? reference.Schema[i].Kind : null, reference.Schema.Columns.Where(c => c.Role == ColumnRole.Feature).Select(c => c.Name), current, options, model, "reference");
        double[]? referenceScores = null;
        if (model is not null)
        {
            referenceScores = new double[reference.RowCount];
            model.CreateScorer().PredictProbabilities(reference, referenceScores);
        }

        return Run(names, reference.RowCount, name => reference[name] switch
        {
            NumericColumn r => new TableNumericReference(r.Values),
            CategoricalColumn r => CategoricalReference.FromColumn(r),
            _ => throw new ArgumentException($"Column '{name}' is neither numeric nor categorical."),
        }, current, options, model, referenceScores);
    }

    /// <summary>
    /// Compares a table with a <see cref="PopulationProfile"/> (e.g. <see cref="CreditModel.Profile"/>, saved at fit time), so
    /// that monitoring needs no copy of the training data. PSI, chi-square, z and Jensen–Shannon are exact; KS and the
    /// normed Wasserstein distance compare the current values with the profile's piecewise-linear distribution (201
    /// quantiles), the KS p-value asymptotic with the reference's true size. Prediction drift uses the profile's scores.
    /// </summary>
    /// <param name="reference">The reference profile.</param>
    /// <param name="current">The current data.</param>
    /// <param name="options">Tests and thresholds (<see cref="DriftOptions.PsiBins"/> must be 10, the profile's).</param>
    /// <param name="model">When given (normally the model the profile came from): its inputs are compared and its scores on the current data give prediction drift.</param>
    /// <returns>The drift of every column and of the dataset.</returns>
    public static DatasetDrift Compare(PopulationProfile reference, CreditData current, DriftOptions? options = null, CreditModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        options ??= new DriftOptions();
        options.Validate();
        if (current.RowCount == 0)
        {
            throw new ArgumentException("Drift needs current rows.");
        }

        if (options.PsiBins != PopulationProfile.PsiBins)
        {
            throw new ArgumentException($"The population profile holds {PopulationProfile.PsiBins} PSI bins; set DriftOptions.PsiBins to {PopulationProfile.PsiBins} or compare with a reference table.");
        }

        var names = Columns(name => reference.Contains(name) ? reference[name].Kind : null, reference.Columns.Select(c => c.Name), current, options, model, "reference profile");
        if (model is not null && reference.Scores is null)
        {
            throw new ArgumentException("The population profile holds no scores, so prediction drift cannot be computed; compare without the model or with a reference table.");
        }

        return Run(names, reference.Rows, name => reference[name] is { Kind: ColumnKind.Numeric } p ? new ProfileNumericReference(p) : CategoricalReference.FromProfile(reference[name]), current, options, model, null, reference.Scores);
    }

    private static DatasetDrift Run(List<string> names, int referenceRows, Func<string, object> referenceColumn, CreditData current, DriftOptions options, CreditModel? model, double[]? referenceScores, ProfiledColumn? referenceScoreProfile = null)
    {
        var results = new ColumnDrift[names.Count];
        try
        {
            Parallel.For(0, names.Count, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, k =>
            {
                var name = names[k];
                options.Columns.TryGetValue(name, out var column);
                var reference = referenceColumn(name);
                results[k] = current.Schema.IndexOf(name) < 0
                    ? Absent(name, reference)
                    : Judge(reference switch
                    {
                        NumericReference r => Numeric(name, r, ((NumericColumn)current[name]).Values, options, column),
                        CategoricalReference r => Categorical(name, r, (CategoricalColumn)current[name], options, column),
                        _ => throw new ArgumentException($"Column '{name}' is neither numeric nor categorical."),
                    }, referenceRows, current.RowCount, options);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions[0] is ArgumentException)
        {
            // A bad column is the caller's error: surface it as itself, not wrapped by the parallel loop.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            throw;
        }

        PredictionDrift? prediction = null;
        var notes = new List<string>();
        var absentInputs = model?.Input.Columns.Where(c => current.Schema.IndexOf(c.Name) < 0).Select(c => c.Name).ToArray() ?? [];
        if (model is not null && absentInputs.Length > 0)
        {
            notes.Add($"Prediction drift was not computed: the current data lacks the model input(s) {string.Join(", ", absentInputs)}.");
        }
        else if (model is not null)
        {
            var c = new double[current.RowCount];
            model.CreateScorer().PredictProbabilities(current, c);
            prediction = referenceScores is not null
                ? Prediction(referenceScores, c, options.PsiBins)
                : Prediction(referenceScoreProfile!, c);
            if (current.RowCount < options.MinimumCurrentValues)
            {
                prediction = prediction with { Stability = "insufficient data" };
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"Prediction drift is on {current.RowCount} current score(s), fewer than {options.MinimumCurrentValues}: its PSI says little."));
            }
        }

        var ordered = results.OrderByDescending(c => c.Drifted).ThenBy(c => c.InsufficientData).ThenBy(c => c.Name, StringComparer.Ordinal).ToArray();
        return new DatasetDrift(referenceRows, current.RowCount, ordered, options.DriftShare, prediction) { Notes = notes };
    }

    /// <summary>A compared column the current data does not have: drifted, with the reason.</summary>
    private static ColumnDrift Absent(string name, object reference) => new()
    {
        Name = name,
        Type = reference is NumericReference ? "numeric" : "categorical",
        Test = DriftTest.Auto,
        Statistic = double.NaN,
        PValue = null,
        Threshold = double.NaN,
        Drifted = true,
        Psi = double.NaN,
        ReferenceMissing = reference is NumericReference n ? n.MissingShare : ((CategoricalReference)reference).MissingShare,
        CurrentMissing = double.NaN,
        Bars = [],
        Absent = true,
        Reason = "absent from the current data",
    };

    /// <summary>
    /// Adds the missing-share test and the minimum-data rule to a column's distribution test: a column with too few current
    /// values is "insufficient data" rather than drifted or stable; a column whose missing share moved (or whose current values
    /// are all missing) drifts whatever its distribution test said.
    /// </summary>
    private static ColumnDrift Judge(ColumnDrift c, int referenceRows, int currentRows, DriftOptions options)
    {
        var present = (int)Math.Round((1 - c.CurrentMissing) * currentRows);
        var referencePresent = (int)Math.Round((1 - c.ReferenceMissing) * referenceRows);
        var dead = present == 0 && referencePresent > 0;
        var change = c.CurrentMissing - c.ReferenceMissing;
        var missingDrift = dead || (Math.Abs(change) >= options.MissingShareChange
            && DriftStatistics.ProportionsZTest(referenceRows - referencePresent, referenceRows, currentRows - present, currentRows).PValue < 0.05);
        var insufficient = present < options.MinimumCurrentValues;
        var reasons = new List<string>();
        if (missingDrift)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"missing share {100 * c.ReferenceMissing:0.0}% -> {100 * c.CurrentMissing:0.0}%{(dead ? " (no current values: is the feed dead?)" : "")}"));
        }

        var distributionDrift = c.Drifted && !insufficient;
        if (distributionDrift)
        {
            reasons.Add(c.PValue is { } p
                ? string.Create(CultureInfo.InvariantCulture, $"{DriftReport.TestName(c.Test)} p-value {p:G3} < {c.Threshold:G3}")
                : string.Create(CultureInfo.InvariantCulture, $"{DriftReport.TestName(c.Test)} {c.Statistic:G3} >= {c.Threshold:G3}"));
        }

        if (insufficient && !missingDrift)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"insufficient data: {present} current value(s), at least {options.MinimumCurrentValues} needed"));
        }

        return c with
        {
            Drifted = distributionDrift || missingDrift,
            MissingShareDrifted = missingDrift,
            InsufficientData = insufficient,
            Reason = string.Join("; ", reasons),
        };
    }

    /// <summary>Prediction drift of two score samples.</summary>
    /// <param name="reference">Reference probabilities.</param>
    /// <param name="current">Current probabilities.</param>
    /// <param name="bins">PSI bins; default 10.</param>
    /// <returns>The PSI, its reading and the score distributions.</returns>
    public static PredictionDrift Prediction(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, int bins = DriftStatistics.DefaultBins) =>
        Prediction(new TableNumericReference(reference), current, bins, Mean(reference));

    /// <summary>Prediction drift of scores against a profile of the reference scores (<see cref="PopulationProfile.Scores"/>).</summary>
    /// <param name="reference">The reference scores' profile.</param>
    /// <param name="current">Current probabilities.</param>
    /// <returns>The PSI on the profile's deciles, its reading and the score distributions.</returns>
    public static PredictionDrift Prediction(ProfiledColumn reference, ReadOnlySpan<double> current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Prediction(new ProfileNumericReference(reference), current, PopulationProfile.PsiBins, reference.Mean);
    }

    private static PredictionDrift Prediction(NumericReference reference, ReadOnlySpan<double> current, int bins, double referenceMean)
    {
        var c = SampleStatistics.SortedPresent(current);
        var psi = Psi(reference, current, c, bins);
        return new PredictionDrift(psi, PredictionDrift.Read(psi), referenceMean, Mean(current), NumericBars(reference, c));
    }

    /// <summary>PSI of current values on the reference's bins.</summary>
    private static double Psi(NumericReference reference, ReadOnlySpan<double> current, double[] c, int bins) =>
        DriftStatistics.QuantileShares(reference, current, c, bins) is { } shares ? DriftStatistics.PsiOfShares(shares.Reference, shares.Current) : double.NaN;

    private static List<string> Columns(Func<string, ColumnKind?> referenceKind, IEnumerable<string> shared, CreditData current, DriftOptions options, CreditModel? model, string referenceName)
    {
        IEnumerable<string> wanted = options.Include.Count > 0
            ? options.Include
            : model is not null
                ? model.Input.Columns.Select(c => c.Name)
                : shared.Where(n => referenceKind(n) is ColumnKind.Numeric or ColumnKind.Categorical);
        var names = wanted.Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            var kind = referenceKind(name);
            var ci = current.Schema.IndexOf(name);
            if (kind is null)
            {
                throw new ArgumentException($"Column '{name}' is not in the {referenceName}.");
            }

            if (ci >= 0 && kind != current.Schema[ci].Kind)
            {
                throw new ArgumentException($"Column '{name}' is {kind.Value.ToString().ToLowerInvariant()} in the {referenceName} but {current.Schema[ci].Kind.ToString().ToLowerInvariant()} in the current data.");
            }
        }

        foreach (var (name, column) in options.Columns)
        {
            if (!names.Contains(name))
            {
                throw new ArgumentException($"The drift options configure column '{name}', which is not compared (compared: {string.Join(", ", names.Take(20))}{(names.Count > 20 ? ", ..." : "")}).");
            }

            var numeric = referenceKind(name) == ColumnKind.Numeric;
            if (numeric && column.Test is DriftTest.ChiSquare or DriftTest.ZTest)
            {
                throw new ArgumentException($"Column '{name}' is numeric; test {column.Test} applies to categorical columns. Use KolmogorovSmirnov, Wasserstein, JensenShannon or Psi.");
            }

            if (!numeric && column.Test is DriftTest.KolmogorovSmirnov or DriftTest.Wasserstein)
            {
                throw new ArgumentException($"Column '{name}' is categorical; test {column.Test} applies to numeric columns. Use ChiSquare, ZTest, JensenShannon or Psi.");
            }
        }

        return names;
    }

    private static ColumnDrift Numeric(string name, NumericReference reference, ReadOnlySpan<double> current, DriftOptions options, ColumnDriftOptions? column)
    {
        var c = SampleStatistics.SortedPresent(current);
        var test = column?.Test is null or DriftTest.Auto
            ? (reference.Rows <= options.SmallReferenceRows ? DriftTest.KolmogorovSmirnov : DriftTest.Wasserstein)
            : column.Test;
        var threshold = column is not null && !double.IsNaN(column.Threshold) ? column.Threshold : DriftOptions.DefaultThreshold(test);
        var psi = Psi(reference, current, c, options.PsiBins);
        double statistic;
        double? p = null;
        switch (test)
        {
            case DriftTest.KolmogorovSmirnov:
                var ks = reference.Ks(c);
                statistic = ks.Statistic;
                p = ks.PValue;
                break;
            case DriftTest.Wasserstein:
                statistic = reference.NormedWasserstein(c);
                break;
            case DriftTest.JensenShannon:
                statistic = JensenShannon(reference, current, c, options.PsiBins);
                break;
            case DriftTest.Psi:
                statistic = psi;
                break;
            default:
                throw new ArgumentException($"Column '{name}' is numeric; test {test} applies to categorical columns. Use KolmogorovSmirnov, Wasserstein, JensenShannon or Psi.");
        }

        var drifted = Decide(statistic, p, threshold);
        return new ColumnDrift
        {
            Name = name,
            Type = "numeric",
            Test = test,
            Statistic = statistic,
            PValue = p,
            Threshold = threshold,
            Drifted = drifted,
            Psi = psi,
            ReferenceMissing = reference.MissingShare,
            CurrentMissing = 1 - ((double)c.Length / current.Length),
            Bars = NumericBars(reference, c),
        };
    }

    /// <summary>Jensen–Shannon distance on PSI's bins (missing bin included), without the epsilon.</summary>
    private static double JensenShannon(NumericReference reference, ReadOnlySpan<double> current, double[] c, int bins) =>
        DriftStatistics.QuantileShares(reference, current, c, bins) is { } shares ? DriftStatistics.JensenShannonOfShares(shares.Reference, shares.Current) : double.NaN;

    private static ColumnDrift Categorical(string name, CategoricalReference reference, CategoricalColumn current, DriftOptions options, ColumnDriftOptions? column)
    {
        // Counts by label over both sides' categories (missing is a category of its own).
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var rc = new List<double>();
        var cc = new List<double>();
        void Add(IReadOnlyDictionary<string, double> counts, List<double> mine, List<double> other)
        {
            foreach (var (label, count) in counts)
            {
                if (!labels.TryGetValue(label, out var index))
                {
                    index = labels.Count;
                    labels[label] = index;
                    mine.Add(0);
                    other.Add(0);
                }

                mine[index] += count;
            }
        }

        Add(reference.Counts, rc, cc);
        Add(CategoricalReference.LabelCounts(current), cc, rc);
        var rs = rc.Select(v => v / reference.Rows).ToArray();
        var cs = cc.Select(v => v / current.Length).ToArray();
        var psi = DriftStatistics.PsiOfShares(rs, cs);
        var test = column?.Test is null or DriftTest.Auto
            ? (reference.Rows <= options.SmallReferenceRows ? (labels.Count == 2 ? DriftTest.ZTest : DriftTest.ChiSquare) : DriftTest.JensenShannon)
            : column.Test;
        var threshold = column is not null && !double.IsNaN(column.Threshold) ? column.Threshold : DriftOptions.DefaultThreshold(test);
        double statistic;
        double? p = null;
        switch (test)
        {
            case DriftTest.ChiSquare:
                var chi = DriftStatistics.ChiSquare([.. rc], [.. cc]);
                (statistic, p) = (chi.Statistic, chi.PValue);
                break;
            case DriftTest.ZTest:
                if (labels.Count > 2)
                {
                    throw new ArgumentException($"Column '{name}' has {labels.Count} categories; the z-test compares two. Use ChiSquare, JensenShannon or Psi.");
                }

                var z = labels.Count < 2 ? new ZTestResult(0, 1) : DriftStatistics.ProportionsZTest(rc[0], reference.Rows, cc[0], current.Length);
                (statistic, p) = (z.Z, z.PValue);
                break;
            case DriftTest.JensenShannon:
                statistic = DriftStatistics.JensenShannonOfShares(rs, cs);
                break;
            case DriftTest.Psi:
                statistic = psi;
                break;
            default:
                throw new ArgumentException($"Column '{name}' is categorical; test {test} applies to numeric columns. Use ChiSquare, ZTest, JensenShannon or Psi.");
        }

        var bars = labels.OrderByDescending(l => rc[l.Value] + cc[l.Value]).ThenBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => new DriftBar(l.Key == CategoricalReference.MissingLabel ? "(missing)" : l.Key, rs[l.Value], cs[l.Value])).ToList();
        if (bars.Count > 20)
        {
            var rest = bars.Skip(19).ToArray();
            bars = [.. bars.Take(19), new DriftBar($"(other {rest.Length})", rest.Sum(b => b.Reference), rest.Sum(b => b.Current))];
        }

        var rm = labels.TryGetValue(CategoricalReference.MissingLabel, out var mi) ? rs[mi] : 0;
        var cm = labels.TryGetValue(CategoricalReference.MissingLabel, out mi) ? cs[mi] : 0;
        return new ColumnDrift
        {
            Name = name,
            Type = "categorical",
            Test = test,
            Statistic = statistic,
            PValue = p,
            Threshold = threshold,
            Drifted = Decide(statistic, p, threshold),
            Psi = psi,
            ReferenceMissing = rm,
            CurrentMissing = cm,
            Bars = bars,
        };
    }

    private static bool Decide(double statistic, double? p, double threshold) =>
        p is { } pv ? pv < threshold : statistic >= threshold;

    /// <summary>
    /// 20 equal-width bins between the 1st and 99th percentiles of either side (so that a few outliers do not squeeze the
    /// chart into one bar), the first and last bins open-ended; shares of each side's non-missing values.
    /// </summary>
    private static List<DriftBar> NumericBars(NumericReference reference, double[] c)
    {
        if (reference.Present == 0 && c.Length == 0)
        {
            return [];
        }

        const int bins = 20;
        var lo = Math.Min(reference.Present > 0 ? reference.Quantile(0.01) : double.PositiveInfinity, c.Length > 0 ? SampleStatistics.Quantile(c, 0.01) : double.PositiveInfinity);
        var hi = Math.Max(reference.Present > 0 ? reference.Quantile(0.99) : double.NegativeInfinity, c.Length > 0 ? SampleStatistics.Quantile(c, 0.99) : double.NegativeInfinity);
        var width = hi > lo ? (hi - lo) / bins : 1;
        var cs = new double[bins];
        foreach (var v in c)
        {
            cs[Math.Clamp((int)Math.Floor((v - lo) / width), 0, bins - 1)]++;
        }

        var rs = new double[bins];
        var previous = 0.0;
        for (var i = 0; i < bins; i++)
        {
            // The reference's share below each inner edge, from its distribution function.
            var below = i == bins - 1 || reference.Present == 0 ? 1.0 : reference.Cdf(double.BitDecrement(lo + ((i + 1) * width)));
            rs[i] = reference.Present == 0 ? 0 : below - previous;
            previous = below;
            cs[i] = c.Length == 0 ? 0 : cs[i] / c.Length;
        }

        var ci = CultureInfo.InvariantCulture;
        string Label(int i) => i == 0 ? string.Create(ci, $"< {lo + width:G4}")
            : i == bins - 1 ? string.Create(ci, $">= {lo + (i * width):G4}")
            : string.Create(ci, $"[{lo + (i * width):G4}, {lo + ((i + 1) * width):G4})");
        return Enumerable.Range(0, bins).Select(i => new DriftBar(Label(i), rs[i], cs[i])).ToList();
    }

    private static double Mean(ReadOnlySpan<double> values) => SampleStatistics.MeanAndStd(values).Mean;
}
