using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Features;

/// <summary>
/// The working frame while a feature pipeline is fitted: every column's training values, the name
/// each column is known by, and the ordered set of active columns (the model's feature candidates).
/// A transform that keeps a column's name (imputation, scaling, sentinels) replaces it; an encoder
/// replaces it under new names; a derived column is added. Using a name twice fails here, at fit time.
/// </summary>
internal sealed class FeatureFrame
{
    private readonly List<Column> _columns = [];
    private readonly Dictionary<string, int> _bound = new(StringComparer.Ordinal);
    private readonly List<string> _active = [];
    private readonly HashSet<string> _activeSet = new(StringComparer.Ordinal);
    private double[][] _values = new double[16][];

    public FeatureFrame(CreditData data, InputSchema input, double[][] raw, int seed)
    {
        Data = data;
        Input = input;
        Rows = data.RowCount;
        Labels = data.Labels.ToArray();
        Weights = data.Weights.ToArray();
        Seed = seed;
        for (var j = 0; j < input.Count; j++)
        {
            var c = input.Columns[j];
            Add(c.Kind == ColumnKind.Numeric ? new FeatureInfo(c.Name, FeatureKind.Continuous) : new FeatureInfo(c.Name, FeatureKind.Categorical, c.Categories.Count, c.Categories), raw[j], c.Kind == ColumnKind.Categorical ? c.Categories : null, complete: false, "input");
        }
    }

    public sealed record Column(FeatureInfo Info, double[] Values, IReadOnlyList<string>? Categories, bool Complete);

    public CreditData Data { get; }

    public InputSchema Input { get; }

    public int Rows { get; }

    public int[] Labels { get; }

    /// <summary>Sample weights, or empty for unit weights.</summary>
    public double[] Weights { get; }

    public int Seed { get; }

    public List<FittedAggregation> Aggregations { get; } = [];

    public List<FeatureStep> Steps { get; } = [];

    public IReadOnlyList<string> Active => _active;

    public Column this[int index] => _columns[index];

    /// <summary>Every column's training values by working index (the array may be longer than <see cref="Width"/>).</summary>
    public double[][] Values => _values;

    public int Width => _columns.Count;

    /// <summary>The working index of the column a name refers to now.</summary>
    public int Resolve(string name, string usedBy)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _bound.TryGetValue(name, out var index)
            ? index
            : throw new ConfigurationException($"{usedBy} refers to column '{name}', which is neither a model input nor made by an earlier step (names are case-sensitive). Available: {string.Join(", ", _bound.Keys.Take(40))}{(_bound.Count > 40 ? ", ..." : "")}.");
    }

    /// <summary>The columns a transform applies to: those named, or every active column of the given kinds when none is named.</summary>
    public IReadOnlyList<string> Targets(string[] named, string usedBy, params FeatureKind[] kinds)
    {
        if (named.Length > 0)
        {
            foreach (var n in named)
            {
                var kind = this[Resolve(n, usedBy)].Info.Kind;
                if (!kinds.Contains(kind))
                {
                    throw new ConfigurationException($"{usedBy} applies to {string.Join(" or ", kinds.Select(k => k.ToString().ToLowerInvariant()))} columns, but '{n}' is {kind.ToString().ToLowerInvariant()}.");
                }
            }

            return named;
        }

        return _active.Where(n => kinds.Contains(this[_bound[n]].Info.Kind)).ToArray();
    }

    public void AddAggregation(FittedAggregation aggregation, double[][] values)
    {
        if (Steps.Count > 0)
        {
            throw new InvalidOperationException("Aggregations are fitted before every step.");
        }

        Aggregations.Add(aggregation);
        for (var k = 0; k < values.Length; k++)
        {
            Add(aggregation.Outputs[k], values[k], null, complete: false, $"Aggregate('{aggregation.Table}')");
        }
    }

    /// <summary>
    /// Adds a fitted step with its training outputs (computed by the step unless given, as out-of-fold
    /// encodings are). Output names that equal one of <paramref name="replaces"/> take that column's place;
    /// other replaced names leave the active set.
    /// </summary>
    public void AddStep(FeatureStep step, string usedBy, string[] replaces, bool complete, double[][]? trainingOutputs = null, IReadOnlyList<string>?[]? categories = null)
    {
        if (trainingOutputs is null && step.IsIdentity)
        {
            trainingOutputs = [_values[step.Sources[0]]];
        }
        else if (trainingOutputs is null)
        {
            trainingOutputs = step.Outputs.Select(_ => new double[Rows]).ToArray();
            step.Transform(_values, Rows, trainingOutputs);
        }

        if (replaces.Length == 1 && step.Outputs.Length == 1 && step.Outputs[0].Name == replaces[0] && _activeSet.Contains(replaces[0]))
        {
            // The common case (imputation, scaling, pass-through): the output takes its source's name and place, in O(1).
            Steps.Add(step);
            _bound[replaces[0]] = _columns.Count;
            AddColumn(new Column(step.Outputs[0], trainingOutputs[0], categories?[0], complete));
            return;
        }

        var position = replaces.Length > 0 ? _active.IndexOf(replaces[0]) : -1;
        foreach (var r in replaces)
        {
            _active.Remove(r);
            _activeSet.Remove(r);
        }

        Steps.Add(step);
        for (var k = 0; k < step.Outputs.Length; k++)
        {
            var name = step.Outputs[k].Name;
            if (_bound.ContainsKey(name) && !replaces.Contains(name))
            {
                throw new ConfigurationException($"{usedBy} would create column '{name}', but a column of that name already exists; choose another name.");
            }

            _bound[name] = _columns.Count;
            AddColumn(new Column(step.Outputs[k], trainingOutputs[k], categories?[k], complete));
            if (position >= 0)
            {
                _active.Insert(position++, name);
                _activeSet.Add(name);
            }
            else
            {
                _active.Add(name);
                _activeSet.Add(name);
            }
        }
    }

    /// <summary>Removes columns from the model's candidates (they stay readable by later steps).</summary>
    public void Deactivate(string name)
    {
        _active.Remove(name);
        _activeSet.Remove(name);
    }

    private void Add(FeatureInfo info, double[] values, IReadOnlyList<string>? categories, bool complete, string usedBy)
    {
        if (_bound.ContainsKey(info.Name))
        {
            throw new ConfigurationException($"{usedBy} would create column '{info.Name}', but a column of that name already exists; choose another prefix or name.");
        }

        _bound[info.Name] = _columns.Count;
        AddColumn(new Column(info, values, categories, complete));
        _active.Add(info.Name);
        _activeSet.Add(info.Name);
    }

    private void AddColumn(Column column)
    {
        if (_columns.Count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[_columns.Count] = column.Values;
        _columns.Add(column);
    }

    /// <summary>The most features a model may have (README, "Limits").</summary>
    public const int MaximumFeatures = 50_000;

    /// <summary>
    /// Prepares the active columns for the learner (median imputation of numeric columns that may be
    /// missing when the learner cannot handle missing values; one-hot encoding of categorical columns
    /// when it cannot handle categories) and returns the fitted features and the training matrix.
    /// </summary>
    public (FittedFeatures Features, FeatureMatrix Training) Finish(LearnerCapabilities capabilities)
    {
        var selection = new List<int>();
        foreach (var name in _active.ToArray())
        {
            var index = _bound[name];
            var column = this[index];
            var isInput = index < Input.Count;
            if (column.Info.Kind == FeatureKind.Categorical)
            {
                if (capabilities.HasFlag(LearnerCapabilities.CategoricalFeatures))
                {
                    AddStep(new PassThroughStep(index, column.Info), "learner preparation", [name], complete: false);
                }
                else
                {
                    FeatureSpecs.OneHot(this, name, new OneHotOptions(), "learner preparation");
                }
            }
            else if (!column.Complete && !capabilities.HasFlag(LearnerCapabilities.MissingValues))
            {
                var fill = DefaultPreprocessing.MedianOrZero(column.Values, Weights);
                AddStep(new ImputeStep(index, fill, "median", column.Info), "learner preparation", [name], complete: true);
            }
            else if (isInput)
            {
                AddStep(new PassThroughStep(index, column.Info), "learner preparation", [name], complete: column.Complete);
            }
        }

        foreach (var name in _active)
        {
            selection.Add(_bound[name]);
        }

        if (selection.Count == 0)
        {
            throw new TrainingDataException("The feature pipeline leaves no features for the learner (every column was dropped or de-selected).");
        }

        if (selection.Count > MaximumFeatures)
        {
            throw new CreditScoringException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The feature pipeline gives {selection.Count:N0} features, more than the {MaximumFeatures:N0} a model may have. Select features first (SelectByInformationValue, SelectByVariance, SelectByCorrelation), or drop columns that are ids or free text."));
        }

        var features = new FittedFeatures(Input, [.. Aggregations], [.. Steps], [.. selection]);
        var matrix = new FeatureMatrix(features.Features.ToArray(), selection.Select(s => _columns[s].Values).ToArray(), Rows);
        return (features, matrix);
    }
}
