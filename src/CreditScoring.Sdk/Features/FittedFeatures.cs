using System.Buffers;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Sdk.Features;

/// <summary>
/// Fitted, immutable feature preprocessing: turns a model's raw inputs (<see cref="InputSchema"/>)
/// and, when it aggregates related tables, the applicant's related rows into the learner's features,
/// identically for a whole table and for one applicant.
/// </summary>
/// <remarks>
/// Raw inputs are a vector of doubles in <see cref="InputSchema"/> order: a numeric input is its
/// value, a categorical input its category code; NaN is missing and −1 an unknown category.
/// The working frame is the raw inputs, then every aggregation's outputs, then every step's outputs;
/// each step reads earlier columns of the frame and appends its own. The model's features are a
/// selection of that frame.
/// </remarks>
public sealed class FittedFeatures
{
    private readonly FeatureStep[] _steps;
    private readonly FittedAggregation[] _aggregations;
    private readonly int[] _selection;
    private readonly FeatureInfo[] _features;
    private readonly FeatureInfo[] _working;

    internal FittedFeatures(InputSchema input, FittedAggregation[] aggregations, FeatureStep[] steps, int[] selection)
    {
        Input = input;
        _aggregations = aggregations;
        _steps = steps;
        _selection = selection;
        var working = new List<FeatureInfo>();
        foreach (var c in input.Columns)
        {
            working.Add(c.Kind == ColumnKind.Numeric
                ? new FeatureInfo(c.Name, FeatureKind.Continuous)
                : new FeatureInfo(c.Name, FeatureKind.Categorical, c.Categories.Count, c.Categories));
        }

        foreach (var a in aggregations)
        {
            working.AddRange(a.Outputs);
        }

        AggregateWidth = working.Count - input.Count;
        foreach (var s in steps)
        {
            foreach (var source in s.Sources)
            {
                if ((uint)source >= (uint)working.Count)
                {
                    throw new ArgumentException($"A feature step reads working column {source}, which does not exist before it.");
                }
            }

            working.AddRange(s.Outputs);
        }

        _working = [.. working];
        _features = new FeatureInfo[selection.Length];
        for (var i = 0; i < selection.Length; i++)
        {
            if ((uint)selection[i] >= (uint)working.Count)
            {
                throw new ArgumentException($"Feature {i} selects working column {selection[i]}, which does not exist.");
            }

            _features[i] = working[selection[i]];
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in _features)
        {
            if (!names.Add(f.Name))
            {
                throw new ArgumentException($"Two features are named '{f.Name}'.");
            }
        }
    }

    /// <summary>The raw inputs the preprocessing reads.</summary>
    public InputSchema Input { get; }

    /// <summary>The names of the related tables the features aggregate (empty when none); batch data must carry them (<see cref="CreditData.WithRelated"/>) and a scoring row must be given each applicant's rows.</summary>
    public IReadOnlyList<string> RelatedTables => _aggregations.Select(a => a.Table).Distinct().ToArray();

    /// <summary>The features it produces, in learner order.</summary>
    public IReadOnlyList<FeatureInfo> Features => _features;

    /// <summary>One line per aggregation and step, for reports: e.g. <c>Income: missing -> median 123</c>.</summary>
    public IReadOnlyList<string> Steps => _aggregations.Select(a => a.Describe()).Concat(_steps.Select(s => s.Describe(WorkingName))).ToArray();

    /// <summary>The Weight-of-Evidence binnings the pipeline fitted, by output name (for binning tables).</summary>
    public IReadOnlyDictionary<string, WoeBinning> Binnings => _steps.OfType<WoeStep>().ToDictionary(s => s.Outputs[0].Name, s => s.Binning, StringComparer.Ordinal);

    internal IReadOnlyList<FeatureStep> StepList => _steps;

    internal IReadOnlyList<FittedAggregation> Aggregations => _aggregations;

    internal IReadOnlyList<int> Selection => _selection;

    internal int AggregateWidth { get; }

    internal int WorkingWidth => _working.Length;

    /// <summary>Transforms a table (which must hold every input column, and the related tables the features aggregate) into features.</summary>
    /// <param name="data">The data.</param>
    /// <param name="unknownCategories">What to do with categories not seen in training.</param>
    /// <returns>The features.</returns>
    /// <exception cref="ScoringInputException">An input column or related table is missing or has the wrong kind, or an unknown category meets <see cref="UnknownCategoryHandling.Throw"/>.</exception>
    public FeatureMatrix Transform(CreditData data, UnknownCategoryHandling unknownCategories = UnknownCategoryHandling.Ignore)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Transform(Prefix(data, InputBinder.Bind(Input, data, unknownCategories)), data.RowCount);
    }

    /// <summary>The raw inputs followed by the aggregates of the related tables.</summary>
    internal double[][] Prefix(CreditData data, double[][] raw)
    {
        if (_aggregations.Length == 0)
        {
            return raw;
        }

        return [.. raw, .. FittedAggregation.TransformAll(_aggregations, data)];
    }

    /// <summary>Transforms the working-frame prefix (raw inputs and aggregates) of a table.</summary>
    internal FeatureMatrix Transform(double[][] prefix, int rows)
    {
        var working = new double[_working.Length][];
        Array.Copy(prefix, working, prefix.Length);
        var next = prefix.Length;
        foreach (var step in _steps)
        {
            if (step.IsIdentity)
            {
                working[next++] = working[step.Sources[0]];
                continue;
            }

            var outputs = new double[step.Outputs.Length][];
            for (var k = 0; k < outputs.Length; k++)
            {
                outputs[k] = new double[rows];
            }

            step.Transform(working, rows, outputs);
            outputs.CopyTo(working, next);
            next += outputs.Length;
        }

        var columns = new double[_selection.Length][];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = working[_selection[i]];
        }

        return new FeatureMatrix(_features, columns, rows);
    }

    /// <summary>Transforms one applicant's raw inputs and aggregates into features, allocating nothing.</summary>
    internal void TransformRow(ReadOnlySpan<double> raw, ReadOnlySpan<double> aggregates, Span<double> features)
    {
        double[]? rented = null;
        var working = _working.Length <= 512 ? stackalloc double[512] : (rented = ArrayPool<double>.Shared.Rent(_working.Length));
        try
        {
            TransformRow(raw, aggregates, features, working);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>As <see cref="TransformRow(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double})"/>, keeping the whole working frame (<see cref="WorkingWidth"/> values) in <paramref name="working"/>.</summary>
    internal void TransformRow(ReadOnlySpan<double> raw, ReadOnlySpan<double> aggregates, Span<double> features, Span<double> working)
    {
        raw.CopyTo(working);
        aggregates.CopyTo(working[raw.Length..]);
        var next = raw.Length + aggregates.Length;
        foreach (var step in _steps)
        {
            var width = step.Outputs.Length;
            step.TransformRow(working, working.Slice(next, width));
            next += width;
        }

        for (var i = 0; i < _selection.Length; i++)
        {
            features[i] = working[_selection[i]];
        }
    }

    /// <summary>
    /// Where each working-frame column comes from, for rolling explanations up to the applicant: an input's own column, and
    /// every column a chain of one-source steps makes from it (imputation, indicators, one-hot, WoE, transforms), originate
    /// in that input; an aggregate, and a step output made from columns of different origins (a ratio of two inputs, a
    /// custom feature), is an origin of its own (a derived characteristic), whose sources are the inputs (or related tables)
    /// behind it.
    /// </summary>
    /// <returns>Per working column, the working column of its origin; and per origin column, its sources' names.</returns>
    internal (int[] Origin, Dictionary<int, string[]> Sources) Origins()
    {
        var origin = new int[_working.Length];
        var sources = new Dictionary<int, string[]>();
        for (var j = 0; j < Input.Count; j++)
        {
            origin[j] = j;
            sources[j] = [Input.Columns[j].Name];
        }

        var next = Input.Count;
        foreach (var a in _aggregations)
        {
            foreach (var _ in a.Outputs)
            {
                origin[next] = next;
                sources[next] = [a.Table];
                next++;
            }
        }

        foreach (var step in _steps)
        {
            var first = origin[step.Sources[0]];
            var shared = step.Sources.All(s => origin[s] == first);
            for (var k = 0; k < step.Outputs.Length; k++, next++)
            {
                origin[next] = shared ? first : next;
                if (!shared)
                {
                    sources[next] = [.. step.Sources.SelectMany(s => sources[origin[s]]).Distinct(StringComparer.Ordinal)];
                }
            }
        }

        return (origin, sources);
    }

    /// <summary>The inputs and derived characteristics the model's features roll up to (see <see cref="Origins"/>), plus every input.</summary>
    internal HashSet<string> CharacteristicNames()
    {
        var (origin, _) = Origins();
        var names = new HashSet<string>(Input.Columns.Select(c => c.Name), StringComparer.Ordinal);
        foreach (var s in _selection)
        {
            names.Add(WorkingName(origin[s]));
        }

        return names;
    }

    /// <summary>The name of a working-frame column (raw input, aggregate or step output), for step descriptions.</summary>
    internal string WorkingName(int index) => _working[index].Name;

    /// <summary>
    /// The model features that together one-hot encode one categorical input (the outputs of one one-hot step that
    /// reach the model), as feature positions: what SMOTE-NC treats as one categorical variable.
    /// </summary>
    internal IReadOnlyList<IReadOnlyList<int>> OneHotGroups()
    {
        var position = new Dictionary<int, int>();
        for (var i = 0; i < _selection.Length; i++)
        {
            position[_selection[i]] = i;
        }

        var groups = new List<IReadOnlyList<int>>();
        var next = Input.Count + AggregateWidth;
        foreach (var step in _steps)
        {
            if (step is OneHotStep)
            {
                var members = new List<int>();
                for (var k = 0; k < step.Outputs.Length; k++)
                {
                    if (position.TryGetValue(next + k, out var p))
                    {
                        members.Add(p);
                    }
                }

                if (members.Count > 1)
                {
                    groups.Add(members);
                }
            }

            next += step.Outputs.Length;
        }

        return groups;
    }
}
