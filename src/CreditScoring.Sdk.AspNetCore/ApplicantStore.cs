using System.Data.Common;
using System.Globalization;
using System.Text;
using CreditScoring.Sdk.Tracking;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>Where the host reads applicants by id.</summary>
public sealed class ApplicantStoreOptions
{
    /// <summary>The configuration section: <c>CreditScoring:Applicants</c>.</summary>
    public const string SectionName = "CreditScoring:Applicants";

    /// <summary>The database: a SQLite file path (default <c>applicants.db</c>), a <c>postgresql://</c> URI or an Npgsql connection string.</summary>
    public string Store { get; set; } = "applicants.db";

    /// <summary>The table (or view) of applicants, one row each, a column per model input; <c>schema.table</c> in PostgreSQL; default <c>applicants</c>.</summary>
    public string Table { get; set; } = "applicants";

    /// <summary>The column that identifies an applicant (integer or text); default <c>id</c>.</summary>
    public string IdColumn { get; set; } = "id";
}

/// <summary>One condition of an applicant search: an input equal to a value, or a number at least or at most one.</summary>
/// <param name="Column">The table's column (a model input).</param>
/// <param name="Operator"><c>=</c>, <c>&gt;=</c> or <c>&lt;=</c>.</param>
/// <param name="Value">A number (<see cref="double"/>) or a text.</param>
public sealed record ApplicantFilter(string Column, string Operator, object Value);

/// <summary>
/// Reads applicants by id from a table of a SQLite or PostgreSQL database (the reference project's "enter the client id,
/// the API returns its prediction"), and finds them by conditions on their inputs. Identifiers are quoted and values are
/// parameters: nothing a caller sends becomes SQL. Values come back as numbers (<see cref="double"/>), text, or
/// <see langword="null"/> (SQL NULL: a missing value).
/// </summary>
public sealed class ApplicantStore : IDisposable
{
    private readonly SqlDatabase _database;
    private readonly string _table;
    private readonly string _id;
    private readonly bool _integerId;

    private ApplicantStore(SqlDatabase database, ApplicantStoreOptions options, IReadOnlyList<string> columns, bool integerId)
    {
        _database = database;
        _table = string.Join('.', options.Table.Split('.').Select(SqlDatabase.Quote));
        _id = SqlDatabase.Quote(options.IdColumn);
        IdColumn = options.IdColumn;
        Columns = columns;
        _integerId = integerId;
        Location = $"{database.Display} table {options.Table}";
    }

    /// <summary>Where the applicants are read: the database and table.</summary>
    public string Location { get; }

    /// <summary>The id column's name.</summary>
    public string IdColumn { get; }

    /// <summary>The table's columns, as the database names them.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Opens the store and checks that the table and its id column exist.</summary>
    /// <param name="options">The database, table and id column.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The store, holding a connection pool until disposed.</returns>
    /// <exception cref="InvalidOperationException">The table or the id column does not exist; the message names them.</exception>
    public static async Task<ApplicantStore> OpenAsync(ApplicantStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Table, "CreditScoring:Applicants:Table");
        ArgumentException.ThrowIfNullOrEmpty(options.IdColumn, "CreditScoring:Applicants:IdColumn");
        var database = SqlDatabase.Open(options.Store);
        try
        {
            var table = string.Join('.', options.Table.Split('.').Select(SqlDatabase.Quote));
            var connection = await database.ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var probe = SqlDatabase.Command(connection, null, $"SELECT * FROM {table} LIMIT 1");
                DbDataReader reader;
                try
                {
                    reader = await probe.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DbException e)
                {
                    throw new InvalidOperationException($"The applicant table '{options.Table}' cannot be read in {database.Display}: {e.Message}", e);
                }

                await using (reader.ConfigureAwait(false))
                {
                    var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
                    var id = columns.FindIndex(c => string.Equals(c, options.IdColumn, StringComparison.Ordinal));
                    if (id < 0)
                    {
                        throw new InvalidOperationException($"The applicant table '{options.Table}' in {database.Display} has no id column '{options.IdColumn}'; its columns are {string.Join(", ", columns)}.");
                    }

                    // SQLite gives a column's type from its first row's value; an empty table is read by text ids.
                    var type = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || database.IsPostgres ? reader.GetFieldType(id) : typeof(string);
                    var integer = type == typeof(long) || type == typeof(int) || type == typeof(short);
                    return new ApplicantStore(database, options, columns, integer);
                }
            }
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Reads one applicant.</summary>
    /// <param name="id">The applicant's id (a whole number when the id column is an integer).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The applicant's columns (the id's included) → values, or <see langword="null"/> when no row has the id.</returns>
    /// <exception cref="InvalidOperationException">Two rows have the id.</exception>
    public async Task<IReadOnlyDictionary<string, object?>?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!TryId(id, out var key))
        {
            return null;
        }

        var rows = await QueryAsync($"SELECT * FROM {_table} WHERE {_id} = @id LIMIT 2", [("@id", key)], cancellationToken).ConfigureAwait(false);
        return rows.Count switch
        {
            0 => null,
            1 => rows[0],
            _ => throw new InvalidOperationException($"Two applicants have {IdColumn} = {id} in {Location}; an id must name one applicant."),
        };
    }

    /// <summary>Finds applicants whose inputs meet every condition, by id order.</summary>
    /// <param name="filters">The conditions (columns of the table).</param>
    /// <param name="limit">The most applicants returned (1 to 1,000).</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The applicants, as <see cref="FindAsync"/> gives them.</returns>
    /// <exception cref="ArgumentException">A condition names a column the table does not have, or an unknown operator.</exception>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> SearchAsync(IReadOnlyList<ApplicantFilter> filters, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1000);
        var sql = new StringBuilder($"SELECT * FROM {_table}");
        var parameters = new List<(string, object?)>();
        for (var i = 0; i < filters.Count; i++)
        {
            var f = filters[i];
            var column = Columns.FirstOrDefault(c => string.Equals(c, f.Column, StringComparison.Ordinal)) ?? throw new ArgumentException($"The applicant table has no column '{f.Column}'.", nameof(filters));
            if (f.Operator is not ("=" or ">=" or "<="))
            {
                throw new ArgumentException($"Unknown operator '{f.Operator}': use =, >= or <=.", nameof(filters));
            }

            sql.Append(i == 0 ? " WHERE " : " AND ").Append(SqlDatabase.Quote(column)).Append(' ').Append(f.Operator).Append(CultureInfo.InvariantCulture, $" @p{i}");
            parameters.Add(($"@p{i}", f.Value));
        }

        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY {_id} LIMIT {limit}");
        return await QueryAsync(sql.ToString(), [.. parameters], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the store answers (for the readiness check).</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that throws when the store does not answer.</returns>
    public async Task PingAsync(CancellationToken cancellationToken = default) =>
        await QueryAsync($"SELECT * FROM {_table} LIMIT 0", [], cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public void Dispose() => _database.Dispose();

    private bool TryId(string id, out object key)
    {
        if (_integerId)
        {
            var parsed = long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number);
            key = number;
            return parsed;
        }

        key = id;
        return true;
    }

    private async Task<List<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        var connection = await _database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = SqlDatabase.Command(connection, null, sql, parameters);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var row = new Dictionary<string, object?>(reader.FieldCount, StringComparer.Ordinal);
                    for (var j = 0; j < reader.FieldCount; j++)
                    {
                        row[reader.GetName(j)] = reader.IsDBNull(j) ? null : reader.GetValue(j) switch
                        {
                            string s => s,
                            double d => d,
                            float f => (double)f,
                            long l => (double)l,
                            int n => (double)n,
                            short n => (double)n,
                            decimal m => (double)m,
                            bool b => b ? 1.0 : 0.0,
                            var other => Convert.ToString(other, CultureInfo.InvariantCulture),
                        };
                    }

                    rows.Add(row);
                }
            }
        }

        return rows;
    }
}
