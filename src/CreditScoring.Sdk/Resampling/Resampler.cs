using System.Globalization;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;
using CreditScoring.Sdk.Learners;

namespace CreditScoring.Sdk.Resampling;

/// <summary>The training rows after resampling: the original rows first, in their order, then the new ones.</summary>
/// <param name="Features">The features.</param>
/// <param name="Labels">0/1 labels, one per row.</param>
/// <param name="Weights">Weights, one per row, or empty when the input had none (a new row takes its base row's weight).</param>
/// <param name="SyntheticRows">How many rows were added (over-sampling) or removed (under-sampling, counted negative).</param>
public sealed record ResampledData(FeatureMatrix Features, int[] Labels, double[] Weights, int SyntheticRows)
{
    /// <summary>Rows of class 0 (non-default).</summary>
    public int Negatives => Labels.Length - Positives;

    /// <summary>Rows of class 1 (default).</summary>
    public int Positives => Labels.Count(l => l == 1);
}

/// <summary>
/// Rebalances training rows before a learner is fitted: the SMOTE family and random over- and under-sampling,
/// with imbalanced-learn's <c>sampling_strategy</c> semantics (<see cref="SamplingStrategy"/>). A pipeline applies
/// it only when fitting, inside each training fold of cross-validation and search, never at scoring.
/// Results depend only on the data and the seed, never on the thread count.
/// </summary>
public abstract class Resampler
{
    private protected Resampler(SamplingStrategy? strategy, bool overSampling)
    {
        Strategy = strategy ?? SamplingStrategy.Auto;
        IsOverSampler = overSampling;
    }

    /// <summary>A short name for reports and the CLI, e.g. <c>smote</c>.</summary>
    public abstract string Name { get; }

    /// <summary>How many rows of each class to leave; default <see cref="SamplingStrategy.Auto"/>.</summary>
    public SamplingStrategy Strategy { get; }

    /// <summary><see langword="true"/> when the resampler adds rows, <see langword="false"/> when it removes them.</summary>
    public bool IsOverSampler { get; }

    /// <summary>The effective settings (name → invariant text), recorded in the model's metadata.</summary>
    // The keys are recorded in model files (metadata.learnerParameters["resampler"]) and keep their first spelling
    // ("neighbours"), so that a model trained as before is byte-identical; the properties use US English.
    public virtual IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string> { ["strategy"] = Strategy.ToString() };

    /// <summary>
    /// What the resampler accepts besides complete numeric features: interpolating resamplers accept neither
    /// missing values nor category codes, so a pipeline imputes and one-hot encodes before them.
    /// </summary>
    internal virtual LearnerCapabilities Accepts => LearnerCapabilities.None;

    /// <summary>Resamples labelled rows.</summary>
    /// <param name="features">The training features (complete: no NaN; category codes only for SMOTE-NC and the random samplers).</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="weights">Weights, or empty for unit weights.</param>
    /// <param name="seed">The seed of every random choice (no default: pass the <c>CreditScoringContext</c>'s <c>Seed</c>; the pipeline does).</param>
    /// <param name="maxDegreeOfParallelism">Threads for the neighbor searches; −1 (the default) for all processors.</param>
    /// <param name="categoricalGroups">
    /// For SMOTE-NC: sets of indicator columns that together one-hot encode one categorical variable (each set is
    /// treated as one category); columns of <see cref="FeatureKind.Categorical"/> and other indicator columns are
    /// categorical on their own. Default none.
    /// </param>
    /// <returns>The resampled rows.</returns>
    /// <exception cref="ArgumentException">Lengths disagree, a label is not 0/1, a weight is negative, or a feature is missing or of a kind the resampler cannot use.</exception>
    /// <exception cref="TrainingDataException">A class is empty, too small for the neighbor count, or the strategy asks for the impossible.</exception>
    public ResampledData Resample(FeatureMatrix features, ReadOnlySpan<int> labels, int seed, ReadOnlySpan<double> weights = default, int maxDegreeOfParallelism = -1, IReadOnlyList<IReadOnlyList<int>>? categoricalGroups = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        LearnerInputs.CheckAndExpand(features, labels, weights, allowMissing: true, allowCategorical: Accepts.HasFlag(LearnerCapabilities.CategoricalFeatures), $"data to resample with {Name}");
        if (!Accepts.HasFlag(LearnerCapabilities.MissingValues))
        {
            // Category codes may be missing (SMOTE-NC treats missing as a category); numbers may not.
            for (var j = 0; j < features.ColumnCount; j++)
            {
                if (features.Features[j].Kind != FeatureKind.Categorical)
                {
                    var row = features.Column(j).IndexOf(double.NaN);
                    if (row >= 0)
                    {
                        throw new ArgumentException($"Feature '{features.Features[j].Name}' is missing at row {row}; {Name} interpolates numbers and needs them complete (impute them; a pipeline does so before resampling).", nameof(features));
                    }
                }
            }
        }
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use -1 for all processors or a positive thread count.");
        }

        var positives = 0;
        foreach (var l in labels)
        {
            positives += l;
        }

        var negatives = labels.Length - positives;
        var (wantNeg, wantPos) = Strategy.Targets(negatives, positives, IsOverSampler);
        var job = new ResamplingJob(features, labels.ToArray(), weights.IsEmpty ? null : weights.ToArray(), seed, maxDegreeOfParallelism, categoricalGroups);
        if (IsOverSampler)
        {
            if (wantNeg > negatives)
            {
                Grow(job, 0, wantNeg - negatives);
            }

            if (wantPos > positives)
            {
                Grow(job, 1, wantPos - positives);
            }
        }
        else
        {
            if (wantNeg < negatives)
            {
                job.Keep(0, wantNeg);
            }

            if (wantPos < positives)
            {
                job.Keep(1, wantPos);
            }
        }

        return job.Result();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}({string.Join(", ", Parameters.Select(p => $"{p.Key}={p.Value}"))})";

    /// <summary>Adds <paramref name="count"/> rows of class <paramref name="label"/>.</summary>
    private protected virtual void Grow(ResamplingJob job, int label, int count) => throw new NotSupportedException($"{Name} does not over-sample.");

    private protected static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// SMOTE (Chawla, Bowyer, Hall and Kegelmeyer, "SMOTE: Synthetic Minority Over-sampling Technique", JAIR 16, 2002):
/// each new row lies on the segment between a row of the class and one of its <see cref="Neighbors"/> nearest
/// neighbors of the same class, at a uniform random position, as imbalanced-learn's <c>SMOTE</c>.
/// </summary>
public sealed class Smote : Resampler
{
    /// <summary>Creates SMOTE.</summary>
    /// <param name="neighbors">Nearest neighbors of the same class to interpolate towards; default 5 (imbalanced-learn's <c>k_neighbors</c>).</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    public Smote(int neighbors = 5, SamplingStrategy? strategy = null)
        : base(strategy, overSampling: true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbors, 1);
        Neighbors = neighbors;
    }

    /// <summary>The neighbor count.</summary>
    public int Neighbors { get; }

    /// <inheritdoc />
    public override string Name => "smote";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string> { ["strategy"] = Strategy.ToString(), ["neighbours"] = Neighbors.ToString(CultureInfo.InvariantCulture) };

    private protected override void Grow(ResamplingJob job, int label, int count)
    {
        var cls = job.ClassPoints(label, Neighbors + 1, Name);
        var neighbors = job.Neighbors(cls, cls, Neighbors, excludeSelf: true);
        var (bases, partners, steps) = ResamplingJob.Draw(job.Random(label), count, cls.Count, neighbors, Neighbors);
        job.Interpolate(cls, bases, cls, partners, steps, label);
    }
}

/// <summary>The Borderline-SMOTE variant.</summary>
public enum BorderlineKind
{
    /// <summary>Borderline-SMOTE1: interpolate only towards neighbors of the same class.</summary>
    Borderline1 = 1,

    /// <summary>Borderline-SMOTE2: also towards neighbors of the other class, at most half-way.</summary>
    Borderline2 = 2,
}

/// <summary>
/// Borderline-SMOTE (Han, Wang and Mao, "Borderline-SMOTE: A New Over-Sampling Method in Imbalanced Data Sets
/// Learning", ICIC 2005): only rows "in danger" (at least half, but not all, of their <see cref="DangerNeighbors"/>
/// nearest neighbors in the whole data belong to the other class) are interpolated, as imbalanced-learn's
/// <c>BorderlineSMOTE</c>. In <see cref="BorderlineKind.Borderline2"/> a Beta(10, 10) share of the new rows goes
/// towards one of the <see cref="Neighbors"/> nearest rows of the other class with a step in [0, 0.5), so that new
/// rows stay nearer the class (the paper's rule); unlike imbalanced-learn 0.10, the count made is exactly the
/// strategy's.
/// </summary>
public sealed class BorderlineSmote : Resampler
{
    /// <summary>Creates Borderline-SMOTE.</summary>
    /// <param name="kind">Default <see cref="BorderlineKind.Borderline1"/>.</param>
    /// <param name="neighbors">Neighbors to interpolate towards; default 5 (<c>k_neighbors</c>).</param>
    /// <param name="dangerNeighbors">Neighbors in the whole data that decide "danger"; default 10 (<c>m_neighbors</c>).</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    public BorderlineSmote(BorderlineKind kind = BorderlineKind.Borderline1, int neighbors = 5, int dangerNeighbors = 10, SamplingStrategy? strategy = null)
        : base(strategy, overSampling: true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbors, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dangerNeighbors, 1);
        if (kind is not (BorderlineKind.Borderline1 or BorderlineKind.Borderline2))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Borderline1 or Borderline2.");
        }

        Kind = kind;
        Neighbors = neighbors;
        DangerNeighbors = dangerNeighbors;
    }

    /// <summary>The variant.</summary>
    public BorderlineKind Kind { get; }

    /// <summary>Neighbors to interpolate towards.</summary>
    public int Neighbors { get; }

    /// <summary>Neighbors that decide danger.</summary>
    public int DangerNeighbors { get; }

    /// <inheritdoc />
    public override string Name => Kind == BorderlineKind.Borderline1 ? "borderline" : "borderline2";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["strategy"] = Strategy.ToString(),
        ["neighbours"] = Neighbors.ToString(CultureInfo.InvariantCulture),
        ["dangerNeighbours"] = DangerNeighbors.ToString(CultureInfo.InvariantCulture),
    };

    private protected override void Grow(ResamplingJob job, int label, int count)
    {
        var cls = job.ClassPoints(label, Neighbors + 1, Name);
        var all = job.AllPoints();
        var m = Math.Min(DangerNeighbors, all.Count - 1);
        var around = job.Neighbors(cls, all, m, excludeSelf: true);
        var danger = new List<int>();
        for (var i = 0; i < cls.Count; i++)
        {
            var other = 0;
            for (var t = 0; t < m; t++)
            {
                other += job.Label(all.Rows[around[(i * m) + t]]) != label ? 1 : 0;
            }

            if (other * 2 >= m && other < m)
            {
                danger.Add(i);
            }
        }

        if (danger.Count == 0)
        {
            return; // as imbalanced-learn: no row in danger, nothing to add
        }

        var dangerPoints = cls.Subset([.. danger]);
        var same = job.Neighbors(dangerPoints, cls, Neighbors, excludeSelf: true);
        var random = job.Random(label);
        var towardsOther = 0;
        int[]? otherNeighbors = null;
        PointSet? others = null;
        if (Kind == BorderlineKind.Borderline2)
        {
            towardsOther = Math.Min(count, (int)(Beta(random, 10, 10) * count));
            others = job.ClassPoints(1 - label, 1, Name);
            otherNeighbors = job.Neighbors(dangerPoints, others, Math.Min(Neighbors, others.Count), excludeSelf: false);
        }

        var (bases, partners, steps) = ResamplingJob.Draw(random, count - towardsOther, dangerPoints.Count, same, Neighbors);
        job.Interpolate(dangerPoints, bases, cls, partners, steps, label);
        if (towardsOther > 0)
        {
            (bases, partners, steps) = ResamplingJob.Draw(random, towardsOther, dangerPoints.Count, otherNeighbors!, Math.Min(Neighbors, others!.Count), stepScale: 0.5);
            job.Interpolate(dangerPoints, bases, others, partners, steps, label);
        }
    }

    /// <summary>Beta(a, b) for integer shapes, as the ratio of two Gamma(a), Gamma(b) sums of exponentials.</summary>
    private static double Beta(DeterministicRandom random, int a, int b)
    {
        static double Gamma(DeterministicRandom r, int shape)
        {
            var sum = 0.0;
            for (var i = 0; i < shape; i++)
            {
                sum -= Math.Log(1.0 - r.NextDouble());
            }

            return sum;
        }

        var x = Gamma(random, a);
        return x / (x + Gamma(random, b));
    }
}

/// <summary>
/// SMOTE-NC (Chawla et al. 2002, section 6.1) for mixed numeric and categorical features, as imbalanced-learn's
/// <c>SMOTENC</c>: neighbors by Euclidean distance on the numeric features plus, per differing categorical
/// variable, the squared median of the class's numeric standard deviations halved (imbalanced-learn's one-hot
/// columns scaled by median/2); numeric values interpolated; each categorical variable takes the most frequent
/// value among the base row's neighbors (ties broken at random). Category codes, one-hot groups and 0/1
/// indicators are categorical; missing (NaN) is a category of its own.
/// </summary>
public sealed class SmoteNc : Resampler
{
    /// <summary>Creates SMOTE-NC.</summary>
    /// <param name="neighbors">Default 5.</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    public SmoteNc(int neighbors = 5, SamplingStrategy? strategy = null)
        : base(strategy, overSampling: true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbors, 1);
        Neighbors = neighbors;
    }

    /// <summary>The neighbor count.</summary>
    public int Neighbors { get; }

    /// <inheritdoc />
    public override string Name => "smotenc";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string> { ["strategy"] = Strategy.ToString(), ["neighbours"] = Neighbors.ToString(CultureInfo.InvariantCulture) };

    internal override LearnerCapabilities Accepts => LearnerCapabilities.CategoricalFeatures;

    private protected override void Grow(ResamplingJob job, int label, int count) => job.GrowMixed(label, count, Neighbors, Name);
}

/// <summary>
/// ADASYN (He, Bai, Garcia and Li, "ADASYN: Adaptive Synthetic Sampling Approach for Imbalanced Learning",
/// IJCNN 2008), as imbalanced-learn's <c>ADASYN</c>: each row of the class gets new rows in proportion to the share
/// of the other class among its <see cref="Neighbors"/> nearest neighbors in the whole data (rounded half to even,
/// so the total may differ slightly from the strategy's), interpolated towards neighbors of its own class.
/// </summary>
public sealed class Adasyn : Resampler
{
    /// <summary>Creates ADASYN.</summary>
    /// <param name="neighbors">Default 5 (imbalanced-learn's <c>n_neighbors</c>).</param>
    /// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
    public Adasyn(int neighbors = 5, SamplingStrategy? strategy = null)
        : base(strategy, overSampling: true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbors, 1);
        Neighbors = neighbors;
    }

    /// <summary>The neighbor count.</summary>
    public int Neighbors { get; }

    /// <inheritdoc />
    public override string Name => "adasyn";

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string> { ["strategy"] = Strategy.ToString(), ["neighbours"] = Neighbors.ToString(CultureInfo.InvariantCulture) };

    private protected override void Grow(ResamplingJob job, int label, int count)
    {
        var cls = job.ClassPoints(label, Neighbors + 1, Name);
        var all = job.AllPoints();
        var around = job.Neighbors(cls, all, Neighbors, excludeSelf: true);
        var ratio = new double[cls.Count];
        var total = 0.0;
        for (var i = 0; i < cls.Count; i++)
        {
            var other = 0;
            for (var t = 0; t < Neighbors; t++)
            {
                other += job.Label(all.Rows[around[(i * Neighbors) + t]]) != label ? 1 : 0;
            }

            ratio[i] = (double)other / Neighbors;
            total += ratio[i];
        }

        if (total == 0)
        {
            throw new TrainingDataException($"ADASYN: no row of class {label} has a neighbor of the other class among its {Neighbors} nearest, so it cannot weigh them; use SMOTE instead.");
        }

        var per = new int[cls.Count];
        var made = 0;
        for (var i = 0; i < cls.Count; i++)
        {
            per[i] = (int)Math.Round(ratio[i] / total * count, MidpointRounding.ToEven);
            made += per[i];
        }

        if (made == 0)
        {
            throw new TrainingDataException($"ADASYN: the strategy asks for {count} new rows, which round to none over {cls.Count} rows.");
        }

        var same = job.Neighbors(cls, cls, Neighbors, excludeSelf: true);
        var random = job.Random(label);
        var bases = new int[made];
        var partners = new int[made];
        var steps = new double[made];
        var s = 0;
        for (var i = 0; i < cls.Count; i++)
        {
            for (var r = 0; r < per[i]; r++)
            {
                bases[s++] = i;
            }
        }

        for (s = 0; s < made; s++)
        {
            partners[s] = same[(bases[s] * Neighbors) + random.NextInt(Neighbors)];
        }

        for (s = 0; s < made; s++)
        {
            steps[s] = random.NextDouble();
        }

        job.Interpolate(cls, bases, cls, partners, steps, label);
    }
}

/// <summary>Random over-sampling: rows of the class drawn uniformly with replacement and duplicated, as imbalanced-learn's <c>RandomOverSampler</c>.</summary>
/// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/>.</param>
public sealed class RandomOverSampler(SamplingStrategy? strategy = null) : Resampler(strategy, overSampling: true)
{
    /// <inheritdoc />
    public override string Name => "over";

    internal override LearnerCapabilities Accepts => LearnerCapabilities.CategoricalFeatures | LearnerCapabilities.MissingValues;

    private protected override void Grow(ResamplingJob job, int label, int count) => job.Duplicate(label, count);
}

/// <summary>Random under-sampling: rows of the class kept uniformly without replacement, as imbalanced-learn's <c>RandomUnderSampler</c>.</summary>
/// <param name="strategy">Default <see cref="SamplingStrategy.Auto"/> (the majority shrunk to the minority's count).</param>
public sealed class RandomUnderSampler(SamplingStrategy? strategy = null) : Resampler(strategy, overSampling: false)
{
    /// <inheritdoc />
    public override string Name => "under";

    internal override LearnerCapabilities Accepts => LearnerCapabilities.CategoricalFeatures | LearnerCapabilities.MissingValues;
}
