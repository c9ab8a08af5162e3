using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Features;
using CreditScoring.Sdk.Tracking;
using Parquet;
using Parquet.Schema;

namespace CreditScoring.Sdk.Batch;

/// <summary>How a job cuts its source into partitions.</summary>
public enum BatchPartitioning
{
    /// <summary>
    /// Ranges of the id (default): equal widths between the smallest and largest integer id, or, for text ids, ranges
    /// holding equal numbers of rows. A database reads each range through the id's index. For a file, ranges of rows
    /// (Parquet: of row groups).
    /// </summary>
    IdRanges,

    /// <summary>
    /// Buckets of a hash of the id (databases only): even partitions whatever the ids' spread, at the price of a scan of
    /// the source per partition.
    /// </summary>
    HashBuckets,
}

/// <summary>What a job plans from its source: the ids' type, the partitions' bounds and the rows.</summary>
internal sealed record SourcePlan(bool IntegerIds, IReadOnlyList<PartitionBounds> Partitions, long Rows, string Fingerprint);

/// <summary>
/// One partition's bounds, as stored in the job table: id ranges (lower inclusive, upper exclusive, either open when
/// <see langword="null"/>), hash buckets (bucket, bucket count) or row ranges of a file (first row, end row).
/// </summary>
internal sealed record PartitionBounds(int Index, string? Lower, string? Upper);

/// <summary>
/// Where a batch job reads applicants: a PostgreSQL or SQLite table or query (streamed; PostgreSQL through binary COPY),
/// a Parquet file (by row group), a CSV or JSON Lines file (read whole by the core's loaders), each with an id column.
/// Every model input must be a column of the source; a value that cannot be read as its input (text where a number is
/// expected, a number where a date is) makes its row rejected by id and column, never scored from a guess.
/// </summary>
public abstract class BatchSource
{
    private protected BatchSource(string idColumn, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(idColumn);
        IdColumn = idColumn;
        Description = description;
    }

    /// <summary>The column that identifies a row (its values unique and never null).</summary>
    public string IdColumn { get; }

    /// <summary>What the source is, without a password (what the job history records).</summary>
    public string Description { get; }

    /// <summary>A table or a query of a database: SQLite (a path or <c>sqlite:///PATH</c>) or PostgreSQL (<c>postgresql://</c> or an Npgsql connection string).</summary>
    /// <param name="location">The database.</param>
    /// <param name="idColumn">The id column.</param>
    /// <param name="table">The table (exactly one of <paramref name="table"/> and <paramref name="query"/>).</param>
    /// <param name="query">A SELECT whose rows are the applicants.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">Both or neither of table and query are given, or the location is not a database.</exception>
    public static BatchSource Database(string location, string idColumn, string? table = null, string? query = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        if ((table is null) == (query is null))
        {
            throw new ArgumentException("Give a database source exactly one of a table and a query.", nameof(table));
        }

        return new DatabaseSource(location, idColumn, table, query);
    }

    /// <summary>A file, by its extension: <c>.parquet</c>, <c>.csv</c>, <c>.jsonl</c> / <c>.ndjson</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="idColumn">The id column.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">The extension is none of those.</exception>
    public static BatchSource File(string path, string idColumn)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".parquet" => new ParquetSource(path, idColumn),
            ".csv" or ".jsonl" or ".ndjson" => new LoadedFileSource(path, idColumn),
            _ => throw new ArgumentException($"'{path}': a batch source file is .parquet, .csv, .jsonl or .ndjson, not '{extension}'.", nameof(path)),
        };
    }

    /// <summary>
    /// A source named by one string, as the command line takes it: <c>postgres://USER:PASSWORD@HOST:PORT/DB?table=T</c> (or
    /// <c>?query=SELECT...</c>, URL-encoded), <c>sqlite:///PATH?table=T</c>, or a file path.
    /// </summary>
    /// <param name="location">The source.</param>
    /// <param name="idColumn">The id column.</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">A database location without <c>table=</c> or <c>query=</c>, or an unknown file type.</exception>
    public static BatchSource Parse(string location, string idColumn)
    {
        var (database, table, query) = DatabaseLocation.Split(location, "source");
        return database is null ? File(location, idColumn) : Database(database, idColumn, table, query);
    }

    /// <summary>Plans the job: checks the columns, counts the rows and cuts them into partitions.</summary>
    internal abstract ValueTask<SourcePlan> PlanAsync(IReadOnlyList<InputColumn> inputs, int partitions, BatchPartitioning partitioning, CancellationToken cancellationToken);

    /// <summary>Reads one partition's rows into chunks taken from <paramref name="rent"/>.</summary>
    internal abstract IAsyncEnumerable<ChunkBuffer> ReadAsync(IReadOnlyList<InputColumn> inputs, bool integerIds, BatchPartitioning partitioning, PartitionBounds bounds, Func<CancellationToken, ValueTask<ChunkBuffer>> rent, CancellationToken cancellationToken);

    /// <summary>What a resumed job compares to refuse a changed source: a file's size and last write time; empty for a database.</summary>
    internal virtual string Fingerprint() => "";

    /// <summary>Lets go of what the source holds open between partitions (a database's connection pool).</summary>
    internal virtual void Close()
    {
    }

    /// <summary>The error for an input the source lacks.</summary>
    private protected BatchJobException MissingColumn(string column, IEnumerable<string> columns) =>
        new($"{Description}: the model's input '{column}' is not a column of the source (its columns: {string.Join(", ", columns)}). Every row would lack it, so the job does not start.");

    /// <summary>Partitions of equal row counts over <paramref name="rows"/> rows.</summary>
    private protected static PartitionBounds[] RowRanges(long rows, int partitions)
    {
        var count = (int)Math.Max(1, Math.Min(partitions, rows));
        var result = new PartitionBounds[count];
        for (var k = 0; k < count; k++)
        {
            var (start, end) = (rows * k / count, rows * (k + 1) / count);
            result[k] = new PartitionBounds(k, start.ToString(CultureInfo.InvariantCulture), end.ToString(CultureInfo.InvariantCulture));
        }

        return result;
    }

    /// <summary>A file's fingerprint for a resumed job: its size and last write time (a changed file is refused).</summary>
    private protected static string FileFingerprint(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"The source file '{path}' does not exist.", path);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{info.Length}:{info.LastWriteTimeUtc.Ticks}");
    }
}

/// <summary>Splits a database location with <c>?table=</c> or <c>?query=</c> from a file path.</summary>
internal static class DatabaseLocation
{
    /// <summary>The database and the table or query; <c>Database</c> is <see langword="null"/> for a file path.</summary>
    public static (string? Database, string? Table, string? Query) Split(string location, string role)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        var isDatabase = location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("sqlite://", StringComparison.OrdinalIgnoreCase);
        if (!isDatabase)
        {
            return (null, null, null);
        }

        var question = location.IndexOf('?', StringComparison.Ordinal);
        string? table = null, query = null;
        if (question >= 0)
        {
            foreach (var pair in location[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var (key, value) = equals < 0 ? (pair, "") : (pair[..equals], Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' ')));
                switch (key)
                {
                    case "table":
                        table = value;
                        break;
                    case "query":
                        query = value;
                        break;
                    default:
                        throw new ArgumentException($"The {role} '{Redacted(location)}' has an unknown parameter '{key}'; give table=NAME{(role == "source" ? " or query=SELECT..." : "")}.", nameof(location));
                }
            }
        }

        if (table is null && query is null)
        {
            throw new ArgumentException($"The {role} '{Redacted(location)}' names no table: add ?table=NAME{(role == "source" ? " (or ?query=SELECT..., URL-encoded)" : "")}.", nameof(location));
        }

        var database = question < 0 ? location : location[..question];
        if (database.StartsWith("sqlite://", StringComparison.OrdinalIgnoreCase) && !database.StartsWith("sqlite:///", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"A SQLite {role} is sqlite:///PATH (three slashes, then the file's path), not '{database}'.", nameof(location));
        }

        return (database, table, query);
    }

    /// <summary>A location with its password hidden (a URI's, or an Npgsql connection string's, shown as host:port/database).</summary>
    public static string Redacted(string location)
    {
        if (!location.Contains("://", StringComparison.Ordinal) && location.Contains('=', StringComparison.Ordinal) && location.Contains(';', StringComparison.Ordinal))
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(location);
            return $"postgresql://{(builder.Username is { } user ? user + "@" : "")}{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database}";
        }

        var at = location.IndexOf('@', StringComparison.Ordinal);
        var scheme = location.IndexOf("://", StringComparison.Ordinal);
        var colon = scheme < 0 || at < 0 ? -1 : location.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? location[..(colon + 1)] + "***" + location[at..] : location;
    }
}

/// <summary>A PostgreSQL or SQLite table or query, streamed partition by partition.</summary>
internal sealed class DatabaseSource : BatchSource
{
    private readonly string _location;
    private readonly string _from;
    private readonly bool _table;
    private string[] _types = [];
    private SqlDatabase? _database;

    public DatabaseSource(string location, string idColumn, string? table, string? query)
        : base(idColumn, $"{DatabaseLocation.Redacted(location)} {(table is not null ? "table " + table : "query " + query)}")
    {
        _location = location;
        _from = table is not null ? QuoteTable(table) : $"({query}) AS source_rows";
        _table = table is not null;
    }

    internal override async ValueTask<SourcePlan> PlanAsync(IReadOnlyList<InputColumn> inputs, int partitions, BatchPartitioning partitioning, CancellationToken cancellationToken)
    {
        var database = Database();
        var connection = await database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var columns = await DescribeAsync(connection, inputs, cancellationToken).ConfigureAwait(false);
            var id = SqlDatabase.Quote(IdColumn);
            var integerType = database.IsPostgres
                ? columns[IdColumn] is "bigint" or "integer" or "smallint" or "int8" or "int4" or "int2"
                : true;
            var typeCheck = database.IsPostgres ? "0" : $"coalesce(sum(typeof({id}) <> 'integer'), 0)";
            long rows, nulls, textIds;
            string? min, max;
            var plan = $"SELECT count(*), count(*) - count({id}), {typeCheck}, min({id}), max({id}) FROM {_from}";
            if (database.IsPostgres && _table)
            {
                // A PostgreSQL table need not be scanned before the job starts: its row count is the planner's estimate
                // once it was analyzed (progress only: partitions are bounded by ids), an id column declared NOT NULL
                // holds no null, and the smallest and largest ids come from its index. Otherwise, one scan as for a query.
                await using var catalog = SqlDatabase.Command(connection, null, "SELECT c.reltuples::bigint, a.attnotnull FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.oid = @table::regclass AND a.attname = @id", ("table", _from), ("id", IdColumn));
                var reader = await catalog.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetInt64(0) >= 0 && reader.GetBoolean(1))
                    {
                        plan = $"SELECT {reader.GetInt64(0).ToString(CultureInfo.InvariantCulture)}::bigint, 0::bigint, 0, min({id}), max({id}) FROM {_from}";
                    }
                }
            }

            await using (var command = SqlDatabase.Command(connection, null, plan))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    (rows, nulls, textIds) = (reader.GetInt64(0), reader.GetInt64(1), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture));
                    (min, max) = (reader.IsDBNull(3) ? null : Convert.ToString(reader.GetValue(3), CultureInfo.InvariantCulture), reader.IsDBNull(4) ? null : Convert.ToString(reader.GetValue(4), CultureInfo.InvariantCulture));
                }
            }

            if (nulls > 0)
            {
                throw new BatchJobException($"{Description}: {nulls:N0} row(s) have no {IdColumn}; every row needs an id for its score to be found, so the job does not start.");
            }

            var integerIds = integerType && textIds == 0;
            PartitionBounds[] bounds;
            if (rows == 0)
            {
                bounds = [new PartitionBounds(0, null, null)];
            }
            else if (partitioning == BatchPartitioning.HashBuckets)
            {
                var count = (int)Math.Min(partitions, rows);
                bounds = [.. Enumerable.Range(0, count).Select(k => new PartitionBounds(k, k.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture)))];
            }
            else if (integerIds)
            {
                var (low, high) = (long.Parse(min!, CultureInfo.InvariantCulture), long.Parse(max!, CultureInfo.InvariantCulture));
                var width = (System.Numerics.BigInteger)high - low + 1;
                var count = (int)Math.Min(partitions, Math.Min(rows, (long)System.Numerics.BigInteger.Min(width, int.MaxValue)));
                bounds = new PartitionBounds[count];
                for (var k = 0; k < count; k++)
                {
                    var lower = k == 0 ? null : (low + (width * k / count)).ToString(CultureInfo.InvariantCulture);
                    var upper = k == count - 1 ? null : (low + (width * (k + 1) / count)).ToString(CultureInfo.InvariantCulture);
                    bounds[k] = new PartitionBounds(k, lower, upper);
                }
            }
            else
            {
                // Text ids: the ids at equal row offsets bound the ranges, ordered as text, as the partitions compare them (an
                // id of another type ordered by its own type could give bounds out of text order, and ranges that overlap).
                // One sort: the rows numbered in text order, the ids at the cut offsets kept.
                var count = (int)Math.Min(partitions, rows);
                var offsets = string.Join(", ", Enumerable.Range(1, count - 1).Select(k => (rows * k / count).ToString(CultureInfo.InvariantCulture)).DefaultIfEmpty("-1"));
                var cuts = new List<string>();
                await using (var command = SqlDatabase.Command(connection, null, $"SELECT cut FROM (SELECT {Text(id, database.IsPostgres)} AS cut, row_number() OVER (ORDER BY {Text(id, database.IsPostgres)}) - 1 AS n FROM {_from}) AS ranked WHERE n IN ({offsets}) ORDER BY n"))
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            var cut = reader.GetString(0);
                            if (cuts.Count == 0 || cuts[^1] != cut)
                            {
                                cuts.Add(cut);
                            }
                        }
                    }
                }

                bounds = new PartitionBounds[cuts.Count + 1];
                for (var k = 0; k <= cuts.Count; k++)
                {
                    bounds[k] = new PartitionBounds(k, k == 0 ? null : cuts[k - 1], k == cuts.Count ? null : cuts[k]);
                }
            }

            return new SourcePlan(integerIds, bounds, rows, "");
        }
    }

    internal override async IAsyncEnumerable<ChunkBuffer> ReadAsync(IReadOnlyList<InputColumn> inputs, bool integerIds, BatchPartitioning partitioning, PartitionBounds bounds, Func<CancellationToken, ValueTask<ChunkBuffer>> rent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var database = Database();
        var id = SqlDatabase.Quote(IdColumn);
        var postgres = database.IsPostgres;
        var (where, parameters) = Where(id, integerIds, partitioning, bounds, postgres);
        var connection = await database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (_types.Length != inputs.Count)
            {
                // A resumed job was not planned by this process.
                await DescribeAsync(connection, inputs, cancellationToken).ConfigureAwait(false);
            }

            var wires = inputs.Select((input, j) => Wire(input, _types[j])).ToArray();
            var columns = string.Join(", ", inputs.Select((input, j) => postgres ? $"{SqlDatabase.Quote(input.Name)}{(wires[j] == WireType.Float8 ? (_types[j] is "boolean" or "bool" ? "::int::float8" : "::float8") : "::text")}" : SqlDatabase.Quote(input.Name)));
            var select = $"SELECT {(integerIds ? (postgres ? id + "::int8" : id) : Text(id, postgres))}, {columns} FROM {_from}{where}";
            if (postgres)
            {
                // COPY takes no parameters: the bounds go in as literals (integers, or text quoted with its quotes doubled).
                foreach (var (name, value) in parameters.OrderByDescending(p => p.Item1.Length))
                {
                    select = select.Replace("@" + name, value is string s ? "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'" : Convert.ToString(value, CultureInfo.InvariantCulture), StringComparison.Ordinal);
                }

                await foreach (var chunk in PostgresCopy.ReadAsync((Npgsql.NpgsqlConnection)connection, select, wires, integerIds, rent, cancellationToken).ConfigureAwait(false))
                {
                    yield return chunk;
                }

                yield break;
            }

            if (partitioning == BatchPartitioning.HashBuckets)
            {
                ((Microsoft.Data.Sqlite.SqliteConnection)connection).CreateFunction("creditscoring_bucket", (string text, long buckets) => (long)(IdHash.Of(text) % (ulong)buckets), isDeterministic: true);
            }

            await using var command = SqlDatabase.Command(connection, null, select, parameters);
            var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var buffer = await rent(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var row = integerIds ? buffer.Add(reader.GetInt64(0)) : buffer.Add(reader.GetString(0));
                    for (var j = 0; j < inputs.Count; j++)
                    {
                        buffer.SetValue(row, j, reader.GetValue(j + 1));
                    }

                    if (buffer.Count == buffer.Capacity)
                    {
                        yield return buffer;
                        buffer = await rent(cancellationToken).ConfigureAwait(false);
                    }
                }

                yield return buffer;
            }
        }
    }

    internal override void Close()
    {
        Interlocked.Exchange(ref _database, null)?.Dispose();
    }

    /// <summary>The source's columns and their types (checking that the id and every input are among them), kept for reading.</summary>
    private async Task<Dictionary<string, string>> DescribeAsync(System.Data.Common.DbConnection connection, IReadOnlyList<InputColumn> inputs, CancellationToken cancellationToken)
    {
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = SqlDatabase.Command(connection, null, $"SELECT * FROM {_from} LIMIT 0"))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                for (var j = 0; j < reader.FieldCount; j++)
                {
                    columns[reader.GetName(j)] = reader.GetDataTypeName(j).ToLowerInvariant();
                }
            }
        }

        foreach (var name in inputs.Select(i => i.Name).Prepend(IdColumn))
        {
            if (!columns.ContainsKey(name))
            {
                throw MissingColumn(name, columns.Keys);
            }
        }

        _types = [.. inputs.Select(i => columns[i.Name])];
        return columns;
    }

    /// <summary>The database, opened once (a pool) for every partition the job reads.</summary>
    private SqlDatabase Database()
    {
        if (_database is { } open)
        {
            return open;
        }

        var database = SqlDatabase.Open(_location);
        if (Interlocked.CompareExchange(ref _database, database, null) is { } other)
        {
            database.Dispose();
            return other;
        }

        return database;
    }

    /// <summary>The partition's WHERE clause and its parameters.</summary>
    private static (string Where, (string, object?)[] Parameters) Where(string id, bool integerIds, BatchPartitioning partitioning, PartitionBounds bounds, bool postgres)
    {
        if (partitioning == BatchPartitioning.HashBuckets)
        {
            var bucket = long.Parse(bounds.Lower!, CultureInfo.InvariantCulture);
            var buckets = long.Parse(bounds.Upper!, CultureInfo.InvariantCulture);
            var hash = postgres ? $"(hashtextextended({id}::text, 0) & 9223372036854775807) % @buckets" : $"creditscoring_bucket(CAST({id} AS TEXT), @buckets)";
            return ($" WHERE {hash} = @bucket", [("bucket", bucket), ("buckets", buckets)]);
        }

        var clauses = new List<string>();
        var parameters = new List<(string, object?)>();
        var key = integerIds ? id : Text(id, postgres);
        if (bounds.Lower is not null)
        {
            clauses.Add($"{key} >= @lower");
            parameters.Add(("lower", integerIds ? long.Parse(bounds.Lower, CultureInfo.InvariantCulture) : bounds.Lower));
        }

        if (bounds.Upper is not null)
        {
            clauses.Add($"{key} < @upper");
            parameters.Add(("upper", integerIds ? long.Parse(bounds.Upper, CultureInfo.InvariantCulture) : bounds.Upper));
        }

        return (clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses), [.. parameters]);
    }

    /// <summary>An id as text, in the database's dialect.</summary>
    private static string Text(string column, bool postgres) => postgres ? $"{column}::text" : $"CAST({column} AS TEXT)";

    /// <summary>
    /// How PostgreSQL sends an input: a numeric input of a number or boolean type as float8 (converted by the server,
    /// exactly for integers up to 2^53 and as a correctly rounded parse would for numeric); anything else as text, parsed
    /// or taken as a category here (a date in ISO form).
    /// </summary>
    private static WireType Wire(InputColumn input, string type) =>
        input.Kind == Data.ColumnKind.Numeric && type is "double precision" or "float8" or "real" or "float4" or "bigint" or "int8" or "integer" or "int4" or "smallint" or "int2" or "numeric" or "boolean" or "bool"
            ? WireType.Float8
            : WireType.Text;

    /// <summary>A table name, quoted part by part (<c>schema.table</c>).</summary>
    private static string QuoteTable(string table) => string.Join('.', table.Split('.').Select(SqlDatabase.Quote));
}

/// <summary>A stable 64-bit hash of an id's text (FNV-1a over UTF-8), for hash buckets where the database has none.</summary>
internal static class IdHash
{
    public static ulong Of(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}

/// <summary>A CSV or JSON Lines file, read once whole by the core's loaders, then cut into row ranges.</summary>
internal sealed class LoadedFileSource(string path, string idColumn) : BatchSource(idColumn, Path.GetFullPath(path))
{
    internal override string Fingerprint() => FileFingerprint(path);

    private CreditData? _data;

    private CreditData Load(IReadOnlyList<InputColumn> inputs)
    {
        if (_data is not null)
        {
            return _data;
        }

        var csv = Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase);

        // The id is read as text, so that no id is rounded; CSV inputs as text too, parsed here, so that a bad value
        // rejects its row by id instead of stopping the load.
        _data = csv
            ? CreditData.ReadCsv(path, o =>
            {
                o.Categorical(IdColumn);
                foreach (var input in inputs)
                {
                    o.Categorical(input.Name);
                }
            })
            : CreditData.ReadJsonLines(path, o => o.Categorical(IdColumn));
        return _data;
    }

    internal override ValueTask<SourcePlan> PlanAsync(IReadOnlyList<InputColumn> inputs, int partitions, BatchPartitioning partitioning, CancellationToken cancellationToken)
    {
        if (partitioning == BatchPartitioning.HashBuckets)
        {
            throw new BatchJobException($"{Description}: hash buckets partition a database; a file is cut into ranges of rows (use id ranges).");
        }

        var fingerprint = Fingerprint();
        var data = Load(inputs);
        var names = data.Columns.Select(c => c.Name).ToArray();
        foreach (var name in inputs.Select(i => i.Name).Prepend(IdColumn))
        {
            if (!names.Contains(name, StringComparer.Ordinal))
            {
                throw MissingColumn(name, names);
            }
        }

        var ids = (CategoricalColumn)data[IdColumn];
        var integer = true;
        for (var i = 0; i < data.RowCount && integer; i++)
        {
            var text = ids[i] ?? throw new BatchJobException($"{Description}: row {i + 1:N0} has no {IdColumn}; every row needs an id for its score to be found, so the job does not start.");
            integer = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value.ToString(CultureInfo.InvariantCulture) == text;
        }

        return ValueTask.FromResult(new SourcePlan(integer, RowRanges(data.RowCount, partitions), data.RowCount, fingerprint));
    }

    internal override async IAsyncEnumerable<ChunkBuffer> ReadAsync(IReadOnlyList<InputColumn> inputs, bool integerIds, BatchPartitioning partitioning, PartitionBounds bounds, Func<CancellationToken, ValueTask<ChunkBuffer>> rent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var data = Load(inputs);
        var ids = (CategoricalColumn)data[IdColumn];
        var columns = inputs.Select(i => data[i.Name]).ToArray();
        var (start, end) = (int.Parse(bounds.Lower!, CultureInfo.InvariantCulture), int.Parse(bounds.Upper!, CultureInfo.InvariantCulture));
        var buffer = await rent(cancellationToken).ConfigureAwait(false);
        for (var i = start; i < end; i++)
        {
            var row = buffer.Add(ids[i]!);
            for (var j = 0; j < columns.Length; j++)
            {
                switch (columns[j])
                {
                    case NumericColumn n:
                        buffer.SetNumber(row, j, n[i]);
                        break;
                    case CategoricalColumn c when c[i] is { } text:
                        buffer.SetText(row, j, text);
                        break;
                    case DateColumn d when d[i] is { } date:
                        buffer.SetDate(row, j, date);
                        break;
                    default:
                        buffer.SetMissing(row, j);
                        break;
                }
            }

            if (buffer.Count == buffer.Capacity)
            {
                yield return buffer;
                buffer = await rent(cancellationToken).ConfigureAwait(false);
            }
        }

        yield return buffer;
    }
}

/// <summary>A Parquet file, read row group by row group (a partition is a range of row groups), column types kept.</summary>
internal sealed class ParquetSource(string path, string idColumn) : BatchSource(idColumn, Path.GetFullPath(path))
{
    internal override string Fingerprint() => FileFingerprint(path);

    internal override async ValueTask<SourcePlan> PlanAsync(IReadOnlyList<InputColumn> inputs, int partitions, BatchPartitioning partitioning, CancellationToken cancellationToken)
    {
        if (partitioning == BatchPartitioning.HashBuckets)
        {
            throw new BatchJobException($"{Description}: hash buckets partition a database; a Parquet file is cut into ranges of row groups (use id ranges).");
        }

        var fingerprint = Fingerprint();
        var reader = await ParquetReader.CreateAsync(path, null, cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var name in inputs.Select(i => i.Name).Prepend(IdColumn))
        {
            if (!fields.TryGetValue(name, out var field))
            {
                throw MissingColumn(name, fields.Keys);
            }

            if (field.IsArray || field.Path.Length > 1)
            {
                throw new BatchJobException($"{Description}: column '{name}' is nested (a list, map or struct); only flat columns of numbers, booleans, text and dates can be read.");
            }
        }

        var idType = Nullable.GetUnderlyingType(fields[IdColumn].ClrType) ?? fields[IdColumn].ClrType;
        var integerIds = idType == typeof(long) || idType == typeof(int) || idType == typeof(short) || idType == typeof(uint) || idType == typeof(ushort);
        var rows = 0L;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            rows += group.RowCount;
        }

        return new SourcePlan(integerIds, RowRanges(reader.RowGroupCount, partitions), rows, fingerprint);
    }

    internal override async IAsyncEnumerable<ChunkBuffer> ReadAsync(IReadOnlyList<InputColumn> inputs, bool integerIds, BatchPartitioning partitioning, PartitionBounds bounds, Func<CancellationToken, ValueTask<ChunkBuffer>> rent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = await ParquetReader.CreateAsync(path, null, cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
        var (first, end) = (int.Parse(bounds.Lower!, CultureInfo.InvariantCulture), int.Parse(bounds.Upper!, CultureInfo.InvariantCulture));
        for (var g = first; g < end; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = checked((int)group.RowCount);
            var ids = await ParquetColumns.ReadAsync(group, fields[IdColumn], count, cancellationToken).ConfigureAwait(false);
            var values = new Array[inputs.Count];
            for (var j = 0; j < inputs.Count; j++)
            {
                values[j] = await ParquetColumns.ReadAsync(group, fields[inputs[j].Name], count, cancellationToken).ConfigureAwait(false);
            }

            for (var offset = 0; offset < count;)
            {
                var buffer = await rent(cancellationToken).ConfigureAwait(false);
                var take = Math.Min(buffer.Capacity, count - offset);
                for (var i = offset; i < offset + take; i++)
                {
                    var id = ids.GetValue(i) ?? throw new BatchJobException($"{Description}: row {i + 1:N0} of row group {g} has no {IdColumn}; every row needs an id for its score to be found.");
                    var row = integerIds ? buffer.Add(Convert.ToInt64(id, CultureInfo.InvariantCulture)) : buffer.Add(Convert.ToString(id, CultureInfo.InvariantCulture)!);
                    for (var j = 0; j < values.Length; j++)
                    {
                        if (values[j] is double?[] numbers)
                        {
                            if (numbers[i] is { } number)
                            {
                                buffer.SetNumber(row, j, number);
                            }
                            else
                            {
                                buffer.SetMissing(row, j);
                            }
                        }
                        else
                        {
                            buffer.SetValue(row, j, values[j].GetValue(i));
                        }
                    }
                }

                offset += take;
                yield return buffer;
            }
        }
    }
}

/// <summary>Reading one Parquet column of a row group, whatever its type: numbers as nullable doubles, others as objects.</summary>
internal static class ParquetColumns
{
    public static async ValueTask<Array> ReadAsync(ParquetRowGroupReader group, DataField field, int count, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var strings = new string?[count];
            await group.ReadAsync(field, strings.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            return strings;
        }

        if (type == typeof(double))
        {
            return await Numbers<double>(group, field, count, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(float))
        {
            return await Numbers<float>(group, field, count, v => v, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(long))
        {
            return await Values<long>(group, field, count, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(int))
        {
            return await Values<int>(group, field, count, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(short))
        {
            return await Values<short>(group, field, count, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(bool))
        {
            return await Values<bool>(group, field, count, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(decimal))
        {
            return await Values<decimal>(group, field, count, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(DateTime))
        {
            return await Values<DateTime>(group, field, count, cancellationToken).ConfigureAwait(false);
        }

        if (type == typeof(DateOnly))
        {
            return await Values<DateOnly>(group, field, count, cancellationToken).ConfigureAwait(false);
        }

        throw new BatchJobException($"Parquet column '{field.Name}' holds {type.Name} values; only numbers, booleans, text and dates can be read.");
    }

    private static async ValueTask<double?[]> Numbers<T>(ParquetRowGroupReader group, DataField field, int count, Func<T, double> convert, CancellationToken cancellationToken)
        where T : struct
    {
        var values = await Values<T>(group, field, count, cancellationToken).ConfigureAwait(false);
        var result = new double?[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = values[i] is { } v ? convert(v) : null;
        }

        return result;
    }

    private static async ValueTask<T?[]> Values<T>(ParquetRowGroupReader group, DataField field, int count, CancellationToken cancellationToken)
        where T : struct
    {
        var result = new T?[count];
        if (field.IsNullable)
        {
            await group.ReadAsync(field, result.AsMemory(), null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var plain = new T[count];
            await group.ReadAsync(field, plain.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                result[i] = plain[i];
            }
        }

        return result;
    }
}
