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
            var kinds = new ColumnKind?[fields.Count];
            for (var j = 0; j < fields.Count; j++)
            {
                if (fields[j] is not DataField field || field.IsArray)
                {
                    throw new DataLoadException($"{source}: column '{fields[j].Name}' is a nested {fields[j].SchemaType.ToString().ToLowerInvariant()}; only flat columns of numbers, booleans, text and dates can be read.");
                }

                names[j] = field.Name;
                kinds[j] = KindOf(Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType);
            }

            var builder = new TableBuilder(source, "row", names, options, kinds, 0);
            var values = new object?[names.Length];
            long row = 0;
            foreach (var record in read.Data)
            {
                row++;
                for (var j = 0; j < names.Length; j++)
                {
                    values[j] = record.TryGetValue(names[j], out var value) ? value switch
                    {
                        ReadOnlyMemory<char> text => text.ToString(), // how the untyped reader gives strings
                        _ => value,
                    } : null;
                }

                builder.AddTypedRecord(values, row);
            }

            return builder.Build();
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

    private static ColumnKind? KindOf(Type type) =>
        type == typeof(string) ? ColumnKind.Categorical
        : type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) ? ColumnKind.Date
        : type == typeof(bool) || type.IsPrimitive || type == typeof(decimal) ? ColumnKind.Numeric
        : null;
}
