using System.Data;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace CreditScoring.Sdk.Data;

/// <summary>
/// An immutable columnar table of credit applications: numeric columns as <see cref="double"/>
/// (NaN = missing), categorical columns dictionary-encoded, date columns, and the roles that say
/// which column is the target, the id, the weight and the application date. Load one with
/// <see cref="ReadCsv(string, Action{CsvReadOptions}?)"/>, <see cref="FromDataReader"/>,
/// <see cref="FromObjects{T}"/> or <see cref="FromColumns"/>.
/// </summary>
public sealed partial class CreditData
{
    private readonly DataColumn[] _columns;
    private readonly int[]? _labels;
    private readonly double[]? _weights;
    private string? _fingerprint;
    private Dictionary<string, CreditData> _related = new(StringComparer.Ordinal);

    internal CreditData(DataColumn[] columns, ColumnRole[] roles, DataLoadReport? loadReport)
    {
        if (columns.Length != roles.Length)
        {
            throw new ArgumentException("One role per column is required.");
        }

        var rows = columns.Length == 0 ? 0 : columns[0].Length;
        var schema = new ColumnSchema[columns.Length];
        int target = -1, id = -1, weight = -1, time = -1;
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i].Length != rows)
            {
                throw new ArgumentException($"Column '{columns[i].Name}' has {columns[i].Length} rows but column '{columns[0].Name}' has {rows}; all columns must have the same length.");
            }

            schema[i] = new ColumnSchema(columns[i].Name, columns[i].Kind, roles[i]);
            switch (roles[i])
            {
                case ColumnRole.Target: Single(ref target, i, "target", columns); break;
                case ColumnRole.Id: Single(ref id, i, "id", columns); break;
                case ColumnRole.Weight: Single(ref weight, i, "weight", columns); break;
                case ColumnRole.Time: Single(ref time, i, "time", columns); break;
                default: break;
            }
        }

        Schema = new DataSchema(schema);
        _columns = columns;
        RowCount = rows;
        LoadReport = loadReport;

        if (target >= 0)
        {
            if (columns[target] is not NumericColumn t)
            {
                throw new TrainingDataException($"The target column '{columns[target].Name}' is {columns[target].Kind}; it must be numeric with values 0 and 1 (or be loaded with Target(name, positiveLabel, negativeLabel)).");
            }

            _labels = new int[rows];
            var v = t.Values;
            for (var r = 0; r < rows; r++)
            {
                _labels[r] = v[r] switch
                {
                    0.0 => 0,
                    1.0 => 1,
                    _ => throw new TrainingDataException($"The target column '{t.Name}' has the value {t.FormatValue(r) ?? "(missing)"} in row {r}; a target must be 0 or 1."),
                };
            }
        }

        if (weight >= 0)
        {
            if (columns[weight] is not NumericColumn w)
            {
                throw new TrainingDataException($"The weight column '{columns[weight].Name}' is {columns[weight].Kind}; it must be numeric.");
            }

            for (var r = 0; r < rows; r++)
            {
                if (!(w[r] >= 0) || double.IsInfinity(w[r]))
                {
                    throw new TrainingDataException($"The weight column '{w.Name}' has the value {w.FormatValue(r) ?? "(missing)"} in row {r}; weights must be finite and >= 0.");
                }
            }

            _weights = w.RawValues;
        }

        if (time >= 0 && columns[time].Kind == ColumnKind.Categorical)
        {
            throw new TrainingDataException($"The time column '{columns[time].Name}' is categorical; it must be a date or a number.");
        }

        TargetIndex = target;
        IdIndex = id;
        WeightIndex = weight;
        TimeIndex = time;
    }

    /// <summary>The columns' names, kinds and roles.</summary>
    public DataSchema Schema { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The columns in table order.</summary>
    public IReadOnlyList<DataColumn> Columns => _columns;

    /// <summary>What the loader read, kept and skipped; <see langword="null"/> for tables not read from a source (splits, <see cref="FromColumns"/>).</summary>
    public DataLoadReport? LoadReport { get; }

    /// <summary>Whether the table has a target column.</summary>
    public bool HasTarget => _labels is not null;

    /// <summary>Whether the table has a weight column.</summary>
    public bool HasWeights => _weights is not null;

    /// <summary>The target column (0/1 values), or <see langword="null"/>.</summary>
    public NumericColumn? TargetColumn => TargetIndex >= 0 ? (NumericColumn)_columns[TargetIndex] : null;

    /// <summary>The id column, or <see langword="null"/>.</summary>
    public DataColumn? IdColumn => IdIndex >= 0 ? _columns[IdIndex] : null;

    /// <summary>The weight column, or <see langword="null"/>.</summary>
    public NumericColumn? WeightColumn => WeightIndex >= 0 ? (NumericColumn)_columns[WeightIndex] : null;

    /// <summary>The time column, or <see langword="null"/>.</summary>
    public DataColumn? TimeColumn => TimeIndex >= 0 ? _columns[TimeIndex] : null;

    /// <summary>The target as 0/1 labels (1 = default).</summary>
    /// <exception cref="TrainingDataException">The table has no target.</exception>
    public ReadOnlySpan<int> Labels => _labels ?? throw NoTarget();

    /// <summary>The sample weights, or an empty span when the table has no weight column (every row then weighs 1).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>The number of rows with target 1.</summary>
    /// <exception cref="TrainingDataException">The table has no target.</exception>
    public int PositiveCount
    {
        get
        {
            var labels = Labels;
            var n = 0;
            foreach (var y in labels)
            {
                n += y;
            }

            return n;
        }
    }

    /// <summary>The default rate: the weight of rows with target 1 over the total weight (the row share without weights).</summary>
    /// <exception cref="TrainingDataException">The table has no target.</exception>
    public double DefaultRate
    {
        get
        {
            var labels = Labels;
            var weights = _weights;
            double positive = 0, total = 0;
            for (var i = 0; i < labels.Length; i++)
            {
                var w = weights is null ? 1.0 : weights[i];
                positive += w * labels[i];
                total += w;
            }

            return positive / total;
        }
    }

    /// <summary>
    /// A SHA-256 fingerprint (lower-case hex) of the schema and every value, so that a model can
    /// record exactly which data it was trained on. Equal tables have equal fingerprints.
    /// </summary>
    public string Fingerprint => _fingerprint ??= ComputeFingerprint();

    internal int TargetIndex { get; }

    internal int IdIndex { get; }

    internal int WeightIndex { get; }

    internal int TimeIndex { get; }

    /// <summary>A column by position.</summary>
    /// <param name="index">Zero-based position.</param>
    public DataColumn this[int index] => _columns[index];

    /// <summary>A column by name.</summary>
    /// <param name="name">The column name (ordinal, case-sensitive).</param>
    /// <exception cref="KeyNotFoundException">No such column; the message lists the columns.</exception>
    public DataColumn this[string name] => _columns[IndexOrThrow(name)];

    /// <summary>Builds a table from columns; roles come from <paramref name="configure"/> (target, id, weight, time, ignored).</summary>
    /// <param name="columns">The columns, all of the same length, with unique names.</param>
    /// <param name="configure">Sets roles. Type overrides and <see cref="DataLoadOptions.Drop"/> do not apply to ready-made columns.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">Lengths differ or names repeat.</exception>
    /// <exception cref="ConfigurationException">A role names a missing column, or two columns have one role.</exception>
    /// <exception cref="TrainingDataException">The target is not 0/1, or a weight or time value is unusable.</exception>
    public static CreditData FromColumns(IEnumerable<DataColumn> columns, Action<DataLoadOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var list = columns.ToArray();
        var options = new DataLoadOptions();
        configure?.Invoke(options);
        options.Validate();
        var names = new HashSet<string>(list.Select(c => c.Name), StringComparer.Ordinal);
        foreach (var (role, name) in new[] { ("target", options.TargetColumn), ("id", options.IdColumn), ("weight", options.WeightColumn), ("time", options.TimeColumn) })
        {
            if (name is not null && !names.Contains(name))
            {
                throw new ConfigurationException($"The {role} column '{name}' is not among the columns: {string.Join(", ", names)}.");
            }
        }

        for (var i = 0; i < list.Length; i++)
        {
            if (list[i].Name == options.TargetColumn && options.PositiveLabel is not null)
            {
                list[i] = MapLabels(list[i], options.PositiveLabel, options.NegativeLabel!);
            }
        }

        var roles = list.Select(c =>
            c.Name == options.TargetColumn ? ColumnRole.Target :
            c.Name == options.IdColumn ? ColumnRole.Id :
            c.Name == options.WeightColumn ? ColumnRole.Weight :
            c.Name == options.TimeColumn ? ColumnRole.Time :
            options.IgnoredColumns.Contains(c.Name) ? ColumnRole.Ignored : ColumnRole.Feature).ToArray();
        return new CreditData(list, roles, null);
    }

    /// <summary>Reads a CSV file (RFC 4180), streaming it record by record.</summary>
    /// <param name="path">The file.</param>
    /// <param name="configure">Roles, types, missing tokens, bad-row handling and the CSV dialect.</param>
    /// <returns>The table; <see cref="LoadReport"/> says what was read and skipped.</returns>
    /// <exception cref="DataLoadException">The file is empty, a column name repeats, a role names a missing column, or a bad row was met with <see cref="BadRowHandling.Fail"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CreditData ReadCsv(string path, Action<CsvReadOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new CsvReadOptions();
        configure?.Invoke(options);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new StreamReader(stream, options.Encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return ReadCsv(reader, options, options.SourceName ?? path);
    }

    /// <summary>Reads CSV text from a stream (which is left open).</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="configure">Roles, types, missing tokens, bad-row handling and the CSV dialect.</param>
    /// <returns>The table.</returns>
    /// <exception cref="DataLoadException">As for <see cref="ReadCsv(string, Action{CsvReadOptions}?)"/>.</exception>
    public static CreditData ReadCsv(Stream stream, Action<CsvReadOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var options = new CsvReadOptions();
        configure?.Invoke(options);
        using var reader = new StreamReader(stream, options.Encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        return ReadCsv(reader, options, options.SourceName ?? "stream");
    }

    /// <summary>Reads CSV text from a <see cref="TextReader"/> (which is left open).</summary>
    /// <param name="reader">The text.</param>
    /// <param name="configure">Roles, types, missing tokens, bad-row handling and the CSV dialect.</param>
    /// <returns>The table.</returns>
    /// <exception cref="DataLoadException">As for <see cref="ReadCsv(string, Action{CsvReadOptions}?)"/>.</exception>
    public static CreditData ReadCsv(TextReader reader, Action<CsvReadOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var options = new CsvReadOptions();
        configure?.Invoke(options);
        return ReadCsv(reader, options, options.SourceName ?? "text");
    }

    /// <summary>
    /// Reads every record of an ADO.NET data reader (any provider: SQL Server, PostgreSQL, SQLite...).
    /// Kinds follow the values' types: numbers and booleans are numeric, strings and enums categorical,
    /// <see cref="DateTime"/>/<see cref="DateTimeOffset"/>/<see cref="DateOnly"/> dates; <see cref="DBNull"/> is missing.
    /// </summary>
    /// <param name="reader">The reader, positioned before its first record; it is read to the end and not closed.</param>
    /// <param name="configure">Roles, type overrides, missing tokens and bad-row handling.</param>
    /// <returns>The table.</returns>
    /// <exception cref="DataLoadException">A role names a missing column, a name repeats, or a bad record was met with <see cref="BadRowHandling.Fail"/>.</exception>
    public static CreditData FromDataReader(IDataReader reader, Action<DataLoadOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var options = new DataLoadOptions();
        configure?.Invoke(options);
        var source = options.SourceName ?? "IDataReader";
        var names = new string[reader.FieldCount];
        var kinds = new ColumnKind?[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.GetName(i);
            kinds[i] = KindOfFieldType(reader.GetFieldType(i));
        }

        var builder = new TableBuilder(source, "record", names, options, kinds, 0);
        var values = new object[names.Length];
        long record = 0;
        while (reader.Read())
        {
            record++;
            reader.GetValues(values);
            builder.AddTypedRecord(values, record);
        }

        return builder.Build();
    }

    /// <summary>
    /// Builds a table from objects: one column per public readable instance property of
    /// <typeparamref name="T"/> (numbers, <see cref="bool"/>, strings, enums, dates and their nullable forms; <see langword="null"/> is missing).
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="items">The objects, one per row.</param>
    /// <param name="configure">Roles, type overrides, missing tokens and bad-row handling. Drop properties of unsupported types with <see cref="DataLoadOptions.Drop"/>.</param>
    /// <returns>The table.</returns>
    /// <exception cref="DataLoadException">A role names a missing property, a property type is unsupported, or a bad object was met with <see cref="BadRowHandling.Fail"/>.</exception>
    public static CreditData FromObjects<T>(IEnumerable<T> items, Action<DataLoadOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var options = new DataLoadOptions();
        configure?.Invoke(options);
        var source = options.SourceName ?? typeof(T).Name;
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
        if (properties.Length == 0)
        {
            throw new DataLoadException(source, 0, null, null, $"{source}: type {typeof(T).FullName} has no public readable properties to load.");
        }

        var names = properties.Select(p => p.Name).ToArray();
        var kinds = new ColumnKind?[properties.Length];
        for (var i = 0; i < properties.Length; i++)
        {
            var type = Nullable.GetUnderlyingType(properties[i].PropertyType) ?? properties[i].PropertyType;
            kinds[i] = KindOfFieldType(type);
            if (kinds[i] is null && type != typeof(object) && !options.DroppedColumns.Contains(names[i]))
            {
                throw new DataLoadException(source, 0, names[i], null,
                    $"{source}: property '{names[i]}' has type {type.Name}, which cannot be a column (expected a number, bool, string, enum or date); leave it out with Drop(\"{names[i]}\").");
            }
        }

        var builder = new TableBuilder(source, "record", names, options, kinds, 0);
        var values = new object?[properties.Length];
        long record = 0;
        foreach (var item in items)
        {
            record++;
            if (item is null)
            {
                builder.AddMalformedRecord(record, "is null");
                continue;
            }

            for (var i = 0; i < properties.Length; i++)
            {
                values[i] = options.DroppedColumns.Contains(names[i]) ? null : properties[i].GetValue(item);
            }

            builder.AddTypedRecord(values, record);
        }

        return builder.Build();
    }

    /// <summary>A table with the given rows, in the given order.</summary>
    /// <param name="rows">Zero-based row indices (may repeat).</param>
    /// <returns>The new table (its <see cref="LoadReport"/> is <see langword="null"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public CreditData SelectRows(ReadOnlySpan<int> rows)
    {
        foreach (var r in rows)
        {
            if ((uint)r >= (uint)RowCount)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row index {r} is outside the table's {RowCount} rows.");
            }
        }

        var columns = new DataColumn[_columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = _columns[i].SelectRows(rows);
        }

        return new CreditData(columns, RolesArray(), null) { _related = _related };
    }

    /// <summary>A table whose column <paramref name="column"/> has its rows in another order (the others unchanged): permutation importance shuffles one input this way.</summary>
    internal CreditData WithColumnRowsFrom(string column, ReadOnlySpan<int> rows)
    {
        var index = IndexOrThrow(column);
        var columns = (DataColumn[])_columns.Clone();
        columns[index] = _columns[index].SelectRows(rows);
        return new CreditData(columns, RolesArray(), null) { _related = _related };
    }

    /// <summary>A table whose column <paramref name="column"/> has a new role (other roles stay).</summary>
    /// <param name="column">The column.</param>
    /// <param name="role">The new role. A column that becomes the target must hold 0/1; a previous holder of a single role (target, id, weight, time) becomes a feature.</param>
    /// <returns>The new table.</returns>
    public CreditData WithRole(string column, ColumnRole role)
    {
        var index = IndexOrThrow(column);
        var roles = RolesArray();
        if (role is ColumnRole.Target or ColumnRole.Id or ColumnRole.Weight or ColumnRole.Time)
        {
            for (var i = 0; i < roles.Length; i++)
            {
                if (roles[i] == role)
                {
                    roles[i] = ColumnRole.Feature;
                }
            }
        }

        roles[index] = role;
        return new CreditData(_columns, roles, LoadReport) { _related = _related };
    }

    /// <summary>
    /// The related (side) tables attached with <see cref="WithRelated"/>, by name: for example the
    /// credit-bureau records of each applicant, which a feature pipeline aggregates per applicant key.
    /// Row selections and splits of this table keep them (aggregation looks rows up by key).
    /// </summary>
    public IReadOnlyDictionary<string, CreditData> Related => _related;

    /// <summary>
    /// A table with a related (side) table attached under <paramref name="name"/>, for aggregations
    /// such as <c>f.Aggregate("bureau", "SK_ID_CURR", ...)</c>. This table is not copied.
    /// </summary>
    /// <param name="name">The name aggregations refer to, e.g. <c>bureau</c>; replaces a table of the same name.</param>
    /// <param name="table">The side table: many rows per key.</param>
    /// <returns>The new table.</returns>
    public CreditData WithRelated(string name, CreditData table)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(table);
        var related = new Dictionary<string, CreditData>(_related, StringComparer.Ordinal) { [name] = table };
        return new CreditData(_columns, RolesArray(), LoadReport) { _related = related };
    }

    /// <summary>The first rows as text, for display.</summary>
    /// <param name="rows">How many rows.</param>
    /// <returns>A small CSV-like preview.</returns>
    public string Preview(int rows = 5)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', Schema.Columns.Select(c => c.Name)).Append('\n');
        for (var r = 0; r < Math.Min(rows, RowCount); r++)
        {
            sb.AppendJoin(',', _columns.Select(c => c.FormatValue(r) ?? string.Empty)).Append('\n');
        }

        return sb.ToString();
    }

    internal ColumnRole[] RolesArray() => Schema.Columns.Select(c => c.Role).ToArray();

    private int IndexOrThrow(string name)
    {
        var i = Schema.IndexOf(name);
        return i >= 0 ? i : throw new KeyNotFoundException($"There is no column '{name}' (names are case-sensitive). Columns: {string.Join(", ", Schema.Columns.Select(c => c.Name))}.");
    }

    internal static TrainingDataException NoTarget() =>
        new("The data has no target column; load it with a target, e.g. CreditData.ReadCsv(path, o => o.Target(\"default\")).");

    private static CreditData ReadCsv(TextReader text, CsvReadOptions options, string source)
    {
        var records = new CsvRecordReader(text, options.Delimiter, options.Quote);
        var first = records.Read();
        if (records.LooksBinary)
        {
            throw new DataLoadException(source, 0, null, null,
                $"{source}: the file is not CSV text: it holds NUL characters, as binary files (a spreadsheet, a compressed file) and UTF-16 text without a byte-order mark do. Save the data as CSV in UTF-8 (or in UTF-16 with a byte-order mark).");
        }

        if (first == CsvRecordReader.Outcome.EndOfFile)
        {
            throw new DataLoadException(source, 0, null, null, $"{source}: the file is empty; expected {(options.HasHeader ? "a header row and data rows" : "data rows")}.");
        }

        if (first != CsvRecordReader.Outcome.Record)
        {
            var problem = first == CsvRecordReader.Outcome.UnterminatedQuote ? "a quoted field is never closed" : records.Problem;
            throw new DataLoadException(source, records.RecordLine, null, null, $"{source}: line {records.RecordLine}: the {(options.HasHeader ? "header" : "first record")} cannot be read: {problem}.");
        }

        var fieldCount = records.Fields.Length;
        var names = new string[fieldCount];
        for (var i = 0; i < fieldCount; i++)
        {
            var name = options.HasHeader ? records.Buffer[records.Fields[i]].ToString() : string.Empty;
            names[i] = name.Length == 0 ? "column_" + (i + 1).ToString(CultureInfo.InvariantCulture) : name;
        }

        var builder = new TableBuilder(source, "line", names, options, null, options.HasHeader ? records.RecordLine : 0);
        if (!options.HasHeader)
        {
            builder.AddTextRecord(records.Buffer, records.Fields, records.RecordLine);
        }

        while (true)
        {
            var outcome = records.Read();
            if (outcome == CsvRecordReader.Outcome.EndOfFile)
            {
                break;
            }

            switch (outcome)
            {
                case CsvRecordReader.Outcome.Record:
                    builder.AddTextRecord(records.Buffer, records.Fields, records.RecordLine);
                    break;
                case CsvRecordReader.Outcome.UnterminatedQuote:
                    builder.AddMalformedRecord(records.RecordLine, "has a quoted field that is never closed (unterminated quote; the rest of the file was read as one field)");
                    break;
                default:
                    builder.AddMalformedRecord(records.RecordLine, records.Problem);
                    break;
            }
        }

        var data = builder.Build();
        if (data.LoadReport!.RowsRead == 0)
        {
            throw new DataLoadException(source, 0, null, null, $"{source}: the file has a header but no data rows.");
        }

        return data;
    }

    private static ColumnKind? KindOfFieldType(Type? type)
    {
        if (type is null)
        {
            return null;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type == typeof(char) || type.IsEnum || type == typeof(Guid))
        {
            return ColumnKind.Categorical;
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly))
        {
            return ColumnKind.Date;
        }

        return type == typeof(bool) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(short) || type == typeof(ushort)
            || type == typeof(int) || type == typeof(uint) || type == typeof(long) || type == typeof(ulong) || type == typeof(float)
            || type == typeof(double) || type == typeof(decimal) || type == typeof(Half)
            ? ColumnKind.Numeric
            : null;
    }

    private static NumericColumn MapLabels(DataColumn column, string positive, string negative)
    {
        if (column is not CategoricalColumn c)
        {
            throw new TrainingDataException($"The target column '{column.Name}' is {column.Kind}; text labels ('{positive}'/'{negative}') need a categorical column.");
        }

        var values = new double[c.Length];
        for (var r = 0; r < values.Length; r++)
        {
            var v = c[r];
            values[r] = v == positive ? 1.0 : v == negative ? 0.0
                : throw new TrainingDataException($"The target column '{c.Name}' has the value '{v ?? "(missing)"}' in row {r}; expected '{positive}' or '{negative}'.");
        }

        return new NumericColumn(c.Name, values, validate: false);
    }

    private static void Single(ref int slot, int index, string role, DataColumn[] columns)
    {
        if (slot >= 0)
        {
            throw new ConfigurationException($"Both '{columns[slot].Name}' and '{columns[index].Name}' have the {role} role; a table has at most one {role} column.");
        }

        slot = index;
    }

    private string ComputeFingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[8];
        BitConverter.TryWriteBytes(header, RowCount);
        hash.AppendData(header[..4]);
        for (var i = 0; i < _columns.Length; i++)
        {
            var s = Schema[i];
            hash.AppendData(Encoding.UTF8.GetBytes($"{s.Name}\u0001{s.Kind}\u0001{s.Role}\u0002"));
            switch (_columns[i])
            {
                case NumericColumn n:
                    hash.AppendData(MemoryMarshal.AsBytes(n.Values));
                    break;
                case DateColumn d:
                    hash.AppendData(MemoryMarshal.AsBytes(d.DaysSinceEpoch));
                    break;
                case CategoricalColumn c:
                    foreach (var category in c.Categories)
                    {
                        hash.AppendData(Encoding.UTF8.GetBytes(category + "\u0003"));
                    }

                    hash.AppendData(MemoryMarshal.AsBytes(c.Codes));
                    break;
                default:
                    throw new InvalidOperationException($"Unknown column type {_columns[i].GetType().Name}.");
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
