using CreditScoring.Sdk.Data;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace CreditScoring.Sdk.Batch;

/// <summary>
/// Parquet in and out (Parquet.Net, fully managed), column types kept: a number column (any integer or floating type,
/// and <see cref="bool"/> as 0/1) is read as numeric, a string column as categorical, a date or timestamp column as a date;
/// a null is a missing value. Written back, numeric columns are nullable doubles, categorical columns nullable strings
/// and date columns nullable timestamps, so a file written by <see cref="WriteParquetAsync"/> reads back as the same table.
/// </summary>
public static class ParquetData
{
    /// <summary>Reads a Parquet file into a table.</summary>
    /// <param name="path">The file.</param>
    /// <param name="configure">Roles, type overrides, missing tokens (for text values) and bad-row handling.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The table; its <see cref="CreditData.LoadReport"/> says what was read and skipped.</returns>
    /// <exception cref="DataLoadException">A column is nested (a list, map or struct), a role names a missing column, or a bad row was met with <see cref="BadRowHandling.Fail"/>.</exception>
    public static async Task<CreditData> ReadParquetAsync(string path, Action<DataLoadOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = new DataLoadOptions();
        configure?.Invoke(options);
        var source = options.SourceName ?? path;
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            var read = await ParquetSerializer.DeserializeUntypedAsync(stream, new ParquetOptions(), null, cancellationToken).ConfigureAwait(false);
            var fields = read.Schema.Fields;
            var names = new string[fields.Count];
            var types = new Type[fields.Count];
            for (var j = 0; j < fields.Count; j++)
            {
                if (fields[j] is not DataField field || field.IsArray)
                {
                    throw new DataLoadException($"{source}: column '{fields[j].Name}' is a nested {fields[j].SchemaType.ToString().ToLowerInvariant()}; only flat columns of numbers, booleans, text and dates can be read.");
                }

                names[j] = field.Name;
                types[j] = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
            }

            // Through the core's public loader, as any ADO.NET source: the same kinds, roles, checks and report.
            using var reader = new RowReader(names, types, read.Data);
            return CreditData.FromDataReader(reader, o =>
            {
                configure?.Invoke(o);
                o.SourceName ??= path;
            });
        }
    }

    /// <summary>Writes a table to a Parquet file (written beside it and renamed over it, so a failed write leaves no half file).</summary>
    /// <param name="data">The table.</param>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public static async Task WriteParquetAsync(this CreditData data, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var columns = data.Columns;
        var fields = columns.Select(c => (Field)(c.Kind switch
        {
            ColumnKind.Numeric => new DataField<double?>(c.Name),
            ColumnKind.Categorical => new DataField<string>(c.Name, true),
            _ => new DataField<DateTime?>(c.Name),
        })).ToArray();
        var rows = new List<IDictionary<string, object?>>(data.RowCount);
        for (var i = 0; i < data.RowCount; i++)
        {
            var record = new Dictionary<string, object?>(columns.Count, StringComparer.Ordinal);
            foreach (var c in columns)
            {
                record[c.Name] = c switch
                {
                    NumericColumn n => n.IsMissing(i) ? null : n[i],
                    CategoricalColumn k => k[i],
                    DateColumn d => d[i],
                    _ => null,
                };
            }

            rows.Add(record);
        }

        var full = Path.GetFullPath(path);
        var temporary = full + ".partial";
        try
        {
            var stream = File.Create(temporary);
            await using (stream.ConfigureAwait(false))
            {
                await ParquetSerializer.SerializeUntypedAsync(rows, new ParquetSchema(fields), stream, null, null, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The file's rows as a forward-only data reader (strings as <see cref="string"/>, nulls as <see cref="DBNull"/>).</summary>
    private sealed class RowReader(string[] names, Type[] types, IEnumerable<Dictionary<string, object>> rows) : System.Data.Common.DbDataReader
    {
        private readonly IEnumerator<Dictionary<string, object>> _rows = rows.GetEnumerator();

        public override int FieldCount => names.Length;

        public override int RecordsAffected => -1;

        public override bool HasRows => true;

        public override bool IsClosed => false;

        public override int Depth => 0;

        public override object this[int ordinal] => GetValue(ordinal);

        public override object this[string name] => GetValue(GetOrdinal(name));

        public override string GetName(int ordinal) => names[ordinal];

        public override Type GetFieldType(int ordinal) => types[ordinal];

        public override string GetDataTypeName(int ordinal) => types[ordinal].Name;

        public override int GetOrdinal(string name) => Array.IndexOf(names, name) is var j and >= 0 ? j : throw new ArgumentOutOfRangeException(nameof(name), name, "The file has no such column.");

        public override bool Read() => _rows.MoveNext();

        public override bool NextResult() => false;

        public override object GetValue(int ordinal) =>
            _rows.Current.TryGetValue(names[ordinal], out var value) ? value switch
            {
                null => DBNull.Value,
                ReadOnlyMemory<char> text => text.ToString(), // how the untyped reader gives strings
                _ => value,
            } : DBNull.Value;

        public override int GetValues(object[] values)
        {
            var n = Math.Min(values.Length, names.Length);
            for (var j = 0; j < n; j++)
            {
                values[j] = GetValue(j);
            }

            return n;
        }

        public override bool IsDBNull(int ordinal) => GetValue(ordinal) is DBNull;

        public override bool GetBoolean(int ordinal) => (bool)GetValue(ordinal);

        public override byte GetByte(int ordinal) => Convert.ToByte(GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

        public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException("Parquet byte-array columns are not read.");

        public override char GetChar(int ordinal) => GetString(ordinal)[0];

        public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => throw new NotSupportedException("Read text with GetString.");

        public override DateTime GetDateTime(int ordinal) => (DateTime)GetValue(ordinal);

        public override decimal GetDecimal(int ordinal) => Convert.ToDecimal(GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

        public override double GetDouble(int ordinal) => Convert.ToDouble(GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

        public override float GetFloat(int ordinal) => Convert.ToSingle(GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

        public override Guid GetGuid(int ordinal) => (Guid)GetValue(ordinal);

        public override short GetInt16(int ordinal) => Convert.ToInt16(GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

        public override int GetInt32(int ordinal) => Convert.ToInt32(GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

        public override long GetInt64(int ordinal) => Convert.ToInt64(GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

        public override string GetString(int ordinal) => (string)GetValue(ordinal);

        public override System.Collections.IEnumerator GetEnumerator() => new System.Data.Common.DbEnumerator(this);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _rows.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
