using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Resampling;

/// <summary>Rows of the data copied row-major for neighbor searches, with their original row numbers.</summary>
internal sealed class PointSet(int[] rows, double[] values, int dimensions)
{
    private NearestNeighbors? _index;
    private int[]? _positions;

    public int[] Rows { get; } = rows;

    public double[] Values { get; } = values;

    public int Dimensions { get; } = dimensions;

    public int Count => Rows.Length;

    public NearestNeighbors Index => _index ??= new NearestNeighbors(Values, Count, Dimensions);

    public ReadOnlySpan<double> Point(int i) => Values.AsSpan(i * Dimensions, Dimensions);

    /// <summary>The position of an original row in this set, or −1.</summary>
    public int PositionOf(int row, int totalRows)
    {
        if (_positions is null)
        {
            var positions = new int[totalRows];
            positions.AsSpan().Fill(-1);
            for (var i = 0; i < Rows.Length; i++)
            {
                positions[Rows[i]] = i;
            }

            _positions = positions;
        }

        return _positions[row];
    }

    public PointSet Subset(int[] positions)
    {
        var rows = new int[positions.Length];
        var values = new double[positions.Length * Dimensions];
        for (var i = 0; i < positions.Length; i++)
        {
            rows[i] = Rows[positions[i]];
            Array.Copy(Values, positions[i] * Dimensions, values, i * Dimensions, Dimensions);
        }

        return new PointSet(rows, values, Dimensions);
    }
}

/// <summary>One resampling run: the input rows, the random streams, and the rows added or removed.</summary>
internal sealed class ResamplingJob
{
    private readonly FeatureMatrix _features;
    private readonly int[] _labels;
    private readonly double[]? _weights;
    private readonly int _seed;
    private readonly ParallelOptions _parallel;
    private readonly IReadOnlyList<IReadOnlyList<int>>? _groups;
    private readonly List<double[]> _blocks = [];   // new rows, row-major, ColumnCount wide
    private readonly List<int> _newLabels = [];
    private readonly List<double> _newWeights = [];
    private readonly bool[] _removed;
    private int _removedCount;
    private PointSet? _all;

    public ResamplingJob(FeatureMatrix features, int[] labels, double[]? weights, int seed, int maxDegreeOfParallelism, IReadOnlyList<IReadOnlyList<int>>? groups)
    {
        _features = features;
        _labels = labels;
        _weights = weights;
        _seed = seed;
        _groups = groups;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        _removed = new bool[labels.Length];
    }

    public int Label(int row) => _labels[row];

    /// <summary>An independent random stream per class, so that growing one class never shifts the other's draws.</summary>
    public DeterministicRandom Random(int label) => DeterministicRandom.Derive(_seed, 0x5E3A_0000 + label);

    public PointSet AllPoints() => _all ??= Points(Enumerable.Range(0, _labels.Length).ToArray());

    public PointSet ClassPoints(int label, int minimum, string name)
    {
        var rows = ClassRows(label);
        if (rows.Length < minimum)
        {
            throw new TrainingDataException($"{name} needs at least {minimum} rows of class {label} (the neighbors plus the row itself), but the data has {rows.Length}; lower the neighbor count or use random over-sampling.");
        }

        return Points(rows);
    }

    /// <summary>
    /// The <paramref name="k"/> nearest points of <paramref name="reference"/> to each point of
    /// <paramref name="queries"/> (positions in <paramref name="reference"/>, row after row), skipping the
    /// query's own row when it is in the reference.
    /// </summary>
    public int[] Neighbors(PointSet queries, PointSet reference, int k, bool excludeSelf)
    {
        var result = new int[queries.Count * k];
        var index = reference.Index;
        var total = _labels.Length;
        _ = reference.PositionOf(0, total); // build the lookup before the parallel loop
        Parallel.For(0, queries.Count, _parallel, () => (new int[k], new double[k]), (i, _, scratch) =>
        {
            var exclude = excludeSelf ? reference.PositionOf(queries.Rows[i], total) : -1;
            index.Query(queries.Point(i), k, exclude, scratch.Item1, scratch.Item2);
            scratch.Item1.CopyTo(result, i * k);
            return scratch;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// SMOTE's draws for <paramref name="count"/> new rows: a base row and one of its <paramref name="k"/> neighbors
    /// uniformly (one draw over bases × k, as imbalanced-learn), then a step uniform in [0, <paramref name="stepScale"/>).
    /// </summary>
    public static (int[] Bases, int[] Partners, double[] Steps) Draw(DeterministicRandom random, int count, int baseCount, int[] neighbors, int k, double stepScale = 1.0)
    {
        var bases = new int[count];
        var partners = new int[count];
        var steps = new double[count];
        for (var s = 0; s < count; s++)
        {
            var pick = random.NextInt(baseCount * k);
            bases[s] = pick / k;
            partners[s] = neighbors[pick];
            steps[s] = stepScale * random.NextDouble();
        }

        return (bases, partners, steps);
    }

    /// <summary>Adds rows base + step × (partner − base), each with its base row's weight.</summary>
    public void Interpolate(PointSet baseSet, int[] bases, PointSet partnerSet, int[] partners, double[] steps, int label)
    {
        var d = _features.ColumnCount;
        var block = new double[bases.Length * d];
        Parallel.For(0, (bases.Length + 4095) / 4096, _parallel, chunk =>
        {
            var end = Math.Min(bases.Length, (chunk + 1) * 4096);
            for (var s = chunk * 4096; s < end; s++)
            {
                var a = baseSet.Point(bases[s]);
                var b = partnerSet.Point(partners[s]);
                var o = block.AsSpan(s * d, d);
                for (var j = 0; j < d; j++)
                {
                    o[j] = a[j] + (steps[s] * (b[j] - a[j]));
                }
            }
        });
        _blocks.Add(block);
        AddLabels(baseSet, bases, label);
    }

    /// <summary>Random over-sampling: duplicates rows drawn with replacement.</summary>
    public void Duplicate(int label, int count)
    {
        var rows = ClassRows(label);
        if (rows.Length == 0)
        {
            throw new TrainingDataException($"Random over-sampling cannot grow class {label}: it has no rows.");
        }

        var random = Random(label);
        var picks = new int[count];
        for (var s = 0; s < count; s++)
        {
            picks[s] = rows[random.NextInt(rows.Length)];
        }

        var d = _features.ColumnCount;
        var block = new double[count * d];
        for (var j = 0; j < d; j++)
        {
            var x = _features.Column(j);
            for (var s = 0; s < count; s++)
            {
                block[(s * d) + j] = x[picks[s]];
            }
        }

        _blocks.Add(block);
        foreach (var r in picks)
        {
            _newLabels.Add(label);
            _newWeights.Add(_weights is null ? 1.0 : _weights[r]);
        }
    }

    /// <summary>Random under-sampling: keeps <paramref name="keep"/> rows of the class drawn without replacement.</summary>
    public void Keep(int label, int keep)
    {
        var rows = ClassRows(label);
        var random = Random(label);
        random.ShuffleInplace(rows.AsSpan());
        for (var i = keep; i < rows.Length; i++)
        {
            _removed[rows[i]] = true;
            _removedCount++;
        }
    }

    /// <summary>SMOTE-NC: neighbors by numeric distance plus a penalty per differing category; categories by neighbor vote.</summary>
    public void GrowMixed(int label, int count, int k, string name)
    {
        var rows = ClassRows(label);
        if (rows.Length < k + 1)
        {
            throw new TrainingDataException($"{name} needs at least {k + 1} rows of class {label} (the neighbors plus the row itself), but the data has {rows.Length}; lower the neighbor count or use random over-sampling.");
        }

        var (continuous, groups) = Layout();
        var n = rows.Length;
        var d = continuous.Length;
        var g = groups.Length;
        var values = new double[n * d];
        var codes = new int[n * g];
        for (var c = 0; c < d; c++)
        {
            var x = _features.Column(continuous[c]);
            for (var i = 0; i < n; i++)
            {
                values[(i * d) + c] = x[rows[i]];
            }
        }

        for (var q = 0; q < g; q++)
        {
            for (var i = 0; i < n; i++)
            {
                codes[(i * g) + q] = Code(groups[q], rows[i]);
            }
        }

        var penalty = MismatchPenalty(values, n, d);
        var neighbors = new int[n * k];
        Parallel.For(0, n, _parallel, () => (new int[k], new double[k]), (i, _, scratch) =>
        {
            var (idx, dist) = scratch;
            idx.AsSpan().Fill(-1);
            dist.AsSpan().Fill(double.PositiveInfinity);
            var p = values.AsSpan(i * d, d);
            var pc = codes.AsSpan(i * g, g);
            for (var o = 0; o < n; o++)
            {
                if (o == i)
                {
                    continue;
                }

                var dd = NearestNeighbors.Distance(p, values.AsSpan(o * d, d));
                var oc = codes.AsSpan(o * g, g);
                var mismatches = 0;
                for (var q = 0; q < g; q++)
                {
                    mismatches += pc[q] != oc[q] ? 1 : 0;
                }

                NearestNeighbors.Offer(dd + (penalty * mismatches), o, k, idx, dist);
            }

            idx.CopyTo(neighbors, i * k);
            return scratch;
        }, _ => { });

        var random = Random(label);
        var (bases, partners, steps) = Draw(random, count, n, neighbors, k);

        // Numeric columns: interpolation. Categorical groups: the most frequent value among the base row's neighbors.
        var width = _features.ColumnCount;
        var block = new double[count * width];
        for (var c = 0; c < d; c++)
        {
            for (var s = 0; s < count; s++)
            {
                var a = values[(bases[s] * d) + c];
                block[(s * width) + continuous[c]] = a + (steps[s] * (values[(partners[s] * d) + c] - a));
            }
        }

        var chosen = new int[count * g]; // the neighbor (position) whose category each new row copies
        var votes = new Dictionary<int, int>();
        var ties = new List<int>();
        for (var s = 0; s < count; s++)
        {
            var b = bases[s];
            for (var q = 0; q < g; q++)
            {
                votes.Clear();
                var best = 0;
                for (var t = 0; t < k; t++)
                {
                    var code = codes[(neighbors[(b * k) + t] * g) + q];
                    var v = votes.TryGetValue(code, out var have) ? have + 1 : 1;
                    votes[code] = v;
                    best = Math.Max(best, v);
                }

                ties.Clear();
                for (var t = 0; t < k; t++)
                {
                    var code = codes[(neighbors[(b * k) + t] * g) + q];
                    if (votes[code] == best && !ties.Contains(code))
                    {
                        ties.Add(code);
                    }
                }

                var winner = ties.Count == 1 ? ties[0] : ties[random.NextInt(ties.Count)];
                var from = -1;
                for (var t = 0; t < k && from < 0; t++)
                {
                    if (codes[(neighbors[(b * k) + t] * g) + q] == winner)
                    {
                        from = neighbors[(b * k) + t];
                    }
                }

                chosen[(s * g) + q] = from;
            }
        }

        for (var q = 0; q < g; q++)
        {
            foreach (var column in groups[q])
            {
                var x = _features.Column(column);
                for (var s = 0; s < count; s++)
                {
                    block[(s * width) + column] = x[rows[chosen[(s * g) + q]]];
                }
            }
        }

        _blocks.Add(block);

        foreach (var b in bases)
        {
            _newLabels.Add(label);
            _newWeights.Add(_weights is null ? 1.0 : _weights[rows[b]]);
        }
    }

    public ResampledData Result()
    {
        var kept = _labels.Length - _removedCount;
        var total = kept + _newLabels.Count;
        var d = _features.ColumnCount;
        var columns = new double[d][];
        Parallel.For(0, d, _parallel, j =>
        {
            var x = _features.Column(j);
            var c = new double[total];
            var p = 0;
            if (_removedCount == 0)
            {
                x.CopyTo(c);
                p = x.Length;
            }
            else
            {
                for (var i = 0; i < x.Length; i++)
                {
                    if (!_removed[i])
                    {
                        c[p++] = x[i];
                    }
                }
            }

            foreach (var block in _blocks)
            {
                for (var s = j; s < block.Length; s += d)
                {
                    c[p++] = block[s];
                }
            }

            columns[j] = c;
        });

        var labels = new int[total];
        var weights = _weights is null ? [] : new double[total];
        var r = 0;
        for (var i = 0; i < _labels.Length; i++)
        {
            if (!_removed[i])
            {
                labels[r] = _labels[i];
                if (_weights is not null)
                {
                    weights[r] = _weights[i];
                }

                r++;
            }
        }

        _newLabels.CopyTo(labels, r);
        if (_weights is not null)
        {
            _newWeights.CopyTo(weights, r);
        }

        return new ResampledData(new FeatureMatrix(_features.RawFeatures, columns, total), labels, weights, _newLabels.Count - _removedCount);
    }

    /// <summary>The median over numeric features of the class's population standard deviation, squared and halved (imbalanced-learn's one-hot scale of median/2 on two columns); 1 when it is 0.</summary>
    internal static double MismatchPenalty(double[] values, int n, int d)
    {
        if (d == 0)
        {
            return 1.0;
        }

        var stds = new double[d];
        for (var c = 0; c < d; c++)
        {
            double mean = 0;
            for (var i = 0; i < n; i++)
            {
                mean += values[(i * d) + c];
            }

            mean /= n;
            double ss = 0;
            for (var i = 0; i < n; i++)
            {
                var e = values[(i * d) + c] - mean;
                ss += e * e;
            }

            stds[c] = Math.Sqrt(ss / n);
        }

        Array.Sort(stds);
        var median = d % 2 == 1 ? stds[d / 2] : (stds[(d / 2) - 1] + stds[d / 2]) / 2;
        return median > 0 ? median * median / 2 : 1.0;
    }

    /// <summary>Which columns SMOTE-NC interpolates and which it treats as categorical groups.</summary>
    internal (int[] Continuous, int[][] Groups) Layout()
    {
        var inGroup = new bool[_features.ColumnCount];
        var groups = new List<int[]>();
        foreach (var group in _groups ?? [])
        {
            var members = group.ToArray();
            foreach (var c in members)
            {
                if (c < 0 || c >= inGroup.Length || inGroup[c])
                {
                    throw new ArgumentException($"Categorical group [{string.Join(", ", members)}] names column {c}, which is out of range or already in a group.");
                }

                inGroup[c] = true;
            }

            groups.Add(members);
        }

        var continuous = new List<int>();
        for (var j = 0; j < inGroup.Length; j++)
        {
            if (inGroup[j])
            {
                continue;
            }

            if (_features.Features[j].Kind == FeatureKind.Continuous)
            {
                continuous.Add(j);
            }
            else
            {
                groups.Add([j]);
            }
        }

        return ([.. continuous], [.. groups]);
    }

    private int Code(int[] group, int row)
    {
        if (group.Length == 1)
        {
            var v = _features.Column(group[0])[row];
            return double.IsNaN(v) ? -1 : (int)v;
        }

        for (var t = 0; t < group.Length; t++)
        {
            if (_features.Column(group[t])[row] != 0)
            {
                return t;
            }
        }

        return -1;
    }

    private int[] ClassRows(int label)
    {
        var rows = new List<int>();
        for (var i = 0; i < _labels.Length; i++)
        {
            if (_labels[i] == label)
            {
                rows.Add(i);
            }
        }

        return [.. rows];
    }

    private PointSet Points(int[] rows)
    {
        var d = _features.ColumnCount;
        var values = new double[rows.Length * d];
        for (var j = 0; j < d; j++)
        {
            var x = _features.Column(j);
            for (var i = 0; i < rows.Length; i++)
            {
                values[(i * d) + j] = x[rows[i]];
            }
        }

        return new PointSet(rows, values, d);
    }

    private void AddLabels(PointSet baseSet, int[] bases, int label)
    {
        foreach (var b in bases)
        {
            _newLabels.Add(label);
            _newWeights.Add(_weights is null ? 1.0 : _weights[baseSet.Rows[b]]);
        }
    }
}
