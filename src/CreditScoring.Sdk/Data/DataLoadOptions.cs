using System.Text;

namespace CreditScoring.Sdk.Data;

/// <summary>
/// How a loader turns a source (CSV, <see cref="System.Data.IDataReader"/>, objects) into a
/// <see cref="CreditData"/> table: column roles, type overrides, missing-value tokens and what
/// to do with bad rows. The fluent methods return the same instance, so calls can be chained:
/// <c>o =&gt; o.Target("default").Id("loan_id").Categorical("zip")</c>.
/// </summary>
public class DataLoadOptions
{
    private readonly HashSet<string> _numeric = new(StringComparer.Ordinal);
    private readonly HashSet<string> _categorical = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _dates = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ignored = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dropped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ColumnKind> _typesOf = new(StringComparer.Ordinal);

    /// <summary>
    /// The default <see cref="MissingTokens"/>: the empty field and the usual spellings of "no value" (the list pandas and R
    /// recognise, plus <c>?</c> and <c>-</c>): <c>NA</c>, <c>N/A</c>, <c>n/a</c>, <c>NULL</c>, <c>null</c>, <c>None</c>,
    /// <c>NaN</c>, <c>nan</c>, <c>#N/A</c>, <c>?</c>, <c>-</c>.
    /// </summary>
    public static IReadOnlyList<string> DefaultMissingTokens { get; } = ["", "NA", "N/A", "n/a", "NULL", "null", "None", "NaN", "nan", "#N/A", "?", "-"];

    /// <summary>The 0/1 target column (1 = default), or <see langword="null"/> for unlabelled data (scoring).</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? TargetColumn { get; set; }

    /// <summary>The target value that means default (mapped to 1) when the target holds text labels, such as <c>"bad"</c>.</summary>
    /// <value>Default <see langword="null"/>: the target must hold the numbers 0 and 1.</value>
    public string? PositiveLabel { get; set; }

    /// <summary>The target value that means no default (mapped to 0) when the target holds text labels, such as <c>"good"</c>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? NegativeLabel { get; set; }

    /// <summary>The identifier column, or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? IdColumn { get; set; }

    /// <summary>The sample-weight column (finite, non-negative numbers), or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? WeightColumn { get; set; }

    /// <summary>The application-date column used by out-of-time splits, or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? TimeColumn { get; set; }

    /// <summary>
    /// Field values that mean "missing", compared ordinally (case-sensitive) with the whole field, in every column.
    /// In numeric columns the literal <c>NaN</c> is also missing. A value that is none of these and not a number, in a
    /// column that otherwise holds numbers, stops the load with a message that lists such values (see
    /// <see cref="TypeInferenceValues"/>), so a new spelling of "missing" never turns a numeric column into categories.
    /// </summary>
    /// <value>Default <see cref="DefaultMissingTokens"/>: the empty field, <c>NA</c>, <c>N/A</c>, <c>n/a</c>, <c>NULL</c>, <c>null</c>, <c>None</c>, <c>NaN</c>, <c>nan</c>, <c>#N/A</c>, <c>?</c> and <c>-</c>.</value>
    public IList<string> MissingTokens { get; set; } = [.. DefaultMissingTokens];

    /// <summary>What to do with a row that cannot be read.</summary>
    /// <value>Default <see cref="BadRowHandling.Fail"/>.</value>
    public BadRowHandling BadRows { get; set; } = BadRowHandling.Fail;

    /// <summary>How many bad rows <see cref="DataLoadReport.Issues"/> describes in full (all are counted).</summary>
    /// <value>Default 100.</value>
    public int MaxReportedIssues { get; set; } = 100;

    /// <summary>
    /// Type inference for text sources looks at a column's first <c>TypeInferenceValues</c> non-missing values. When
    /// they all parse as numbers (invariant culture: a decimal point, no digit grouping, scientific notation allowed),
    /// the column is numeric; when none does, it is categorical. A feature column that mixes the two is an error
    /// (<see cref="DataLoadException"/>) when at least half of its values are numbers or look like numbers in another
    /// format (<c>1,290</c>, <c>12,9</c>, full-width digits): the message lists the other values with their lines and
    /// says how to declare them missing (<see cref="MissingTokens"/>) or the column <see cref="Categorical"/>; it is
    /// never silently read as categories. A feature column where text is the majority is categorical, and
    /// <see cref="DataLoadReport.Notes"/> says how many of its values were numbers. A later non-number in a numeric
    /// column is a bad row whose message suggests <see cref="Categorical"/>.
    /// </summary>
    /// <value>Default 10,000. Use <see cref="int.MaxValue"/> to look at every value (buffers the text of undecided columns).</value>
    public int TypeInferenceValues { get; set; } = 10_000;

    /// <summary>Receives the number of records read so far, every 65,536 records and at the end (for progress displays on large sources).</summary>
    /// <value>Default <see langword="null"/>.</value>
    public IProgress<long>? Progress { get; set; }

    /// <summary>The name used for the source in messages, or <see langword="null"/> for the loader's default (the file path, "IDataReader", the object type).</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? SourceName { get; set; }

    internal IReadOnlySet<string> NumericColumns => _numeric;

    internal IReadOnlySet<string> CategoricalColumns => _categorical;

    internal IReadOnlyDictionary<string, string?> DateColumns => _dates;

    internal IReadOnlySet<string> IgnoredColumns => _ignored;

    internal IReadOnlySet<string> DroppedColumns => _dropped;

    internal IReadOnlyDictionary<string, ColumnKind> TypesOf => _typesOf;

    /// <summary>Where <see cref="UseTypes"/> took its kinds from, for messages (e.g. "the model").</summary>
    internal string? TypesOfSource { get; private set; }

    /// <summary>Sets a 0/1 target column (1 = default).</summary>
    /// <param name="column">The column name.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Target(string column)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        TargetColumn = column;
        PositiveLabel = null;
        NegativeLabel = null;
        return this;
    }

    /// <summary>Sets a target column holding two text labels: <paramref name="positiveLabel"/> becomes 1, <paramref name="negativeLabel"/> 0, any other value is a bad row.</summary>
    /// <param name="column">The column name.</param>
    /// <param name="positiveLabel">The label that means default, e.g. <c>"bad"</c>.</param>
    /// <param name="negativeLabel">The label that means no default, e.g. <c>"good"</c>.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Target(string column, string positiveLabel, string negativeLabel)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(positiveLabel);
        ArgumentNullException.ThrowIfNull(negativeLabel);
        if (string.Equals(positiveLabel, negativeLabel, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The positive and negative target labels are both '{positiveLabel}'; they must differ.", nameof(negativeLabel));
        }

        TargetColumn = column;
        PositiveLabel = positiveLabel;
        NegativeLabel = negativeLabel;
        return this;
    }

    /// <summary>Sets the identifier column (never a feature).</summary>
    /// <param name="column">The column name.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Id(string column)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        IdColumn = column;
        return this;
    }

    /// <summary>Sets the sample-weight column.</summary>
    /// <param name="column">The column name.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Weight(string column)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        WeightColumn = column;
        return this;
    }

    /// <summary>Sets the application-date column (read as a date unless declared <see cref="Numeric"/>; never a feature).</summary>
    /// <param name="column">The column name.</param>
    /// <param name="format">An exact <see cref="DateTime"/> format such as <c>"yyyy-MM-dd"</c>, or <see langword="null"/> for invariant-culture parsing (ISO 8601 recommended).</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Time(string column, string? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        TimeColumn = column;
        if (!_numeric.Contains(column))
        {
            _dates[column] = format;
        }

        return this;
    }

    /// <summary>Reads columns as numbers whatever inference or the source's types say.</summary>
    /// <param name="columns">The column names.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Numeric(params string[] columns) => Declare(columns, _numeric);

    /// <summary>Reads columns as categories (text) whatever inference or the source's types say; numbers become their invariant text.</summary>
    /// <param name="columns">The column names.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Categorical(params string[] columns) => Declare(columns, _categorical);

    /// <summary>Reads a column as a date.</summary>
    /// <param name="column">The column name.</param>
    /// <param name="format">An exact format, or <see langword="null"/> for invariant-culture parsing.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Date(string column, string? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        _numeric.Remove(column);
        _categorical.Remove(column);
        _dates[column] = format;
        return this;
    }

    /// <summary>
    /// Reads the named columns with the given kinds (numbers, categories or dates) instead of inferring them, so a value of the
    /// wrong type is an error naming the line, column and value; columns that are absent from the source are skipped. Other
    /// columns are inferred as usual, and <see cref="Numeric"/>, <see cref="Categorical"/> and <see cref="Date"/> still win.
    /// For a model's inputs use <c>UseTypesOf(model.Input)</c> (namespace <c>CreditScoring.Sdk.Features</c>).
    /// </summary>
    /// <param name="kinds">Column name and kind pairs.</param>
    /// <param name="description">Names where the kinds come from, in messages (e.g. "the model").</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions UseTypes(IEnumerable<KeyValuePair<string, ColumnKind>> kinds, string description)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentException.ThrowIfNullOrEmpty(description);
        foreach (var (name, kind) in kinds)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            _typesOf[name] = kind;
        }

        TypesOfSource = description;
        return this;
    }

    /// <summary>
    /// Reads the numeric, categorical and date columns of another table (e.g. the training data, for its test data) with
    /// that table's types instead of inferring them. Other columns are inferred as usual; explicit declarations still win.
    /// </summary>
    /// <param name="schema">The other table's schema.</param>
    /// <param name="description">Names the schema in messages.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions UseTypesOf(DataSchema schema, string description = "the training data")
    {
        ArgumentNullException.ThrowIfNull(schema);
        return UseTypes(
            schema.Columns.Where(c => c.Role is ColumnRole.Feature or ColumnRole.Id or ColumnRole.Ignored).Select(c => KeyValuePair.Create(c.Name, c.Kind)),
            description);
    }

    /// <summary>Keeps columns in the table but never uses them as features.</summary>
    /// <param name="columns">The column names.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Ignore(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (var c in columns)
        {
            ArgumentException.ThrowIfNullOrEmpty(c);
            _ignored.Add(c);
        }

        return this;
    }

    /// <summary>Does not load columns at all (their values are not even parsed). The load report lists them.</summary>
    /// <param name="columns">The column names.</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions Drop(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (var c in columns)
        {
            ArgumentException.ThrowIfNullOrEmpty(c);
            _dropped.Add(c);
        }

        return this;
    }

    /// <summary>Sets what to do with bad rows.</summary>
    /// <param name="handling">Fail (throw) or skip (count and report).</param>
    /// <returns>This instance.</returns>
    public DataLoadOptions OnBadRow(BadRowHandling handling)
    {
        BadRows = handling;
        return this;
    }

    private DataLoadOptions Declare(string[] columns, HashSet<string> set)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (var c in columns)
        {
            ArgumentException.ThrowIfNullOrEmpty(c);
            _numeric.Remove(c);
            _categorical.Remove(c);
            _dates.Remove(c);
            set.Add(c);
        }

        return this;
    }

    internal void Validate()
    {
        var errors = new List<string>();
        if (MaxReportedIssues < 0)
        {
            errors.Add($"MaxReportedIssues must be >= 0 (was {MaxReportedIssues}).");
        }

        if (TypeInferenceValues < 1)
        {
            errors.Add($"TypeInferenceValues must be >= 1 (was {TypeInferenceValues}).");
        }

        if (MissingTokens is null)
        {
            errors.Add("MissingTokens must not be null (use an empty list for no tokens).");
        }

        if ((PositiveLabel is null) != (NegativeLabel is null))
        {
            errors.Add("Set both PositiveLabel and NegativeLabel, or neither.");
        }

        var roles = new (string Role, string? Column)[] { ("target", TargetColumn), ("id", IdColumn), ("weight", WeightColumn), ("time", TimeColumn) };
        for (var i = 0; i < roles.Length; i++)
        {
            for (var j = i + 1; j < roles.Length; j++)
            {
                if (roles[i].Column is not null && string.Equals(roles[i].Column, roles[j].Column, StringComparison.Ordinal))
                {
                    errors.Add($"Column '{roles[i].Column}' is given two roles ({roles[i].Role} and {roles[j].Role}).");
                }
            }

            if (roles[i].Column is { } c && _dropped.Contains(c))
            {
                errors.Add($"Column '{c}' is the {roles[i].Role} column and is also dropped.");
            }
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid data load options: " + string.Join(" ", errors));
        }
    }
}

/// <summary>Options of <see cref="CreditData.ReadCsv(string, Action{CsvReadOptions}?)"/>: the <see cref="DataLoadOptions"/> plus the CSV dialect.</summary>
public sealed class CsvReadOptions : DataLoadOptions
{
    /// <summary>The field separator.</summary>
    /// <value>Default <c>','</c>.</value>
    public char Delimiter { get; set; } = ',';

    /// <summary>The quote character (RFC 4180: a quoted field may hold delimiters, line breaks and doubled quotes).</summary>
    /// <value>Default <c>'"'</c>.</value>
    public char Quote { get; set; } = '"';

    /// <summary>Whether the first record holds the column names. Without a header, columns are named <c>column_1</c>, <c>column_2</c>...</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool HasHeader { get; set; } = true;

    /// <summary>The text encoding when reading a file or stream (a byte-order mark overrides it).</summary>
    /// <value>Default UTF-8.</value>
    public Encoding Encoding { get; set; } = Encoding.UTF8;
}
