using System.Runtime.CompilerServices;
using CreditScoring.Sdk.Features;
using Npgsql;
using NpgsqlTypes;

namespace CreditScoring.Sdk.Batch;

/// <summary>PostgreSQL's binary COPY, both ways: rows streamed out of a SELECT, scores streamed into a table.</summary>
internal static class PostgresCopy
{
    /// <summary>Whether COPY reads a column of this type as it is (else the source selects it as text and it is parsed).</summary>
    public static bool IsNative(string type) => Reader(type) != ValueReader.Text || type is "text" or "character varying" or "varchar" or "character" or "bpchar";

    private enum ValueReader
    {
        Double,
        Single,
        Int64,
        Int32,
        Int16,
        Decimal,
        Boolean,
        Text,
        Date,
        Timestamp,
    }

    private static ValueReader Reader(string type) => type switch
    {
        "double precision" or "float8" => ValueReader.Double,
        "real" or "float4" => ValueReader.Single,
        "bigint" or "int8" => ValueReader.Int64,
        "integer" or "int4" => ValueReader.Int32,
        "smallint" or "int2" => ValueReader.Int16,
        "numeric" => ValueReader.Decimal,
        "boolean" or "bool" => ValueReader.Boolean,
        "date" => ValueReader.Date,
        "timestamp without time zone" or "timestamp with time zone" or "timestamp" or "timestamptz" => ValueReader.Timestamp,
        _ => ValueReader.Text,
    };

    /// <summary>Streams a SELECT's rows (id first, then the inputs in order) into chunks.</summary>
    public static async IAsyncEnumerable<ChunkBuffer> ReadAsync(NpgsqlConnection connection, string select, IReadOnlyList<InputColumn> inputs, string[] types, bool integerIds, Func<CancellationToken, ValueTask<ChunkBuffer>> rent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var readers = types.Select(t => IsNative(t) ? Reader(t) : ValueReader.Text).ToArray();
        var exporter = await connection.BeginBinaryExportAsync($"COPY ({select}) TO STDOUT (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await using (exporter.ConfigureAwait(false))
        {
            var buffer = await rent(cancellationToken).ConfigureAwait(false);
            while (await exporter.StartRowAsync(cancellationToken).ConfigureAwait(false) != -1)
            {
                var row = integerIds
                    ? buffer.Add(await exporter.ReadAsync<long>(NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false))
                    : buffer.Add(await exporter.ReadAsync<string>(NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false));
                for (var j = 0; j < readers.Length; j++)
                {
                    if (exporter.IsNull)
                    {
                        await exporter.SkipAsync(cancellationToken).ConfigureAwait(false);
                        buffer.SetMissing(row, j);
                        continue;
                    }

                    switch (readers[j])
                    {
                        case ValueReader.Double:
                            buffer.SetNumber(row, j, await exporter.ReadAsync<double>(cancellationToken).ConfigureAwait(false));
                            break;
                        case ValueReader.Single:
                            buffer.SetNumber(row, j, await exporter.ReadAsync<float>(cancellationToken).ConfigureAwait(false));
                            break;
                        case ValueReader.Int64:
                            buffer.SetNumber(row, j, await exporter.ReadAsync<long>(cancellationToken).ConfigureAwait(false));
                            break;
                        case ValueReader.Int32:
                            buffer.SetNumber(row, j, await exporter.ReadAsync<int>(cancellationToken).ConfigureAwait(false));
                            break;
                        case ValueReader.Int16:
                            buffer.SetNumber(row, j, await exporter.ReadAsync<short>(cancellationToken).ConfigureAwait(false));
                            break;
                        case ValueReader.Decimal:
                            buffer.SetNumber(row, j, (double)await exporter.ReadAsync<decimal>(cancellationToken).ConfigureAwait(false));
                            break;
                        case ValueReader.Boolean:
                            buffer.SetNumber(row, j, await exporter.ReadAsync<bool>(cancellationToken).ConfigureAwait(false) ? 1 : 0);
                            break;
                        case ValueReader.Date:
                        case ValueReader.Timestamp:
                            buffer.SetDate(row, j, await exporter.ReadAsync<DateTime>(cancellationToken).ConfigureAwait(false));
                            break;
                        default:
                            buffer.SetText(row, j, await exporter.ReadAsync<string>(cancellationToken).ConfigureAwait(false));
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

    /// <summary>Starts a binary COPY of scores into a table, on a connection in a transaction.</summary>
    public static async ValueTask<NpgsqlBinaryImporter> BeginWriteAsync(NpgsqlConnection connection, string table, OutputShape shape, CancellationToken cancellationToken) =>
        await connection.BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", shape.Columns.Select(c => Tracking.SqlDatabase.Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);

    /// <summary>Writes a chunk of scores (one COPY row per scored row, the shape's columns in order).</summary>
    public static async ValueTask WriteAsync(NpgsqlBinaryImporter importer, ScoredRows scored, OutputShape shape, string jobId, CancellationToken cancellationToken)
    {
        var chunk = scored.Chunk;
        for (var k = 0; k < scored.Rows.Length; k++)
        {
            var row = scored.Rows[k];
            var score = scored.Scores[k];
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(jobId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            if (chunk.IntegerIds)
            {
                await importer.WriteAsync(chunk.LongIds[row], NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await importer.WriteAsync(chunk.TextIds[row], NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            }

            if (double.IsNaN(score.Probability))
            {
                await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await importer.WriteAsync(score.Probability, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
            }

            await importer.WriteAsync(OutputShape.DecisionText(score.Decision), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(shape.ModelName, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(shape.ModelVersion, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            if (OutputShape.WarningsText(score.Warnings) is { } warnings)
            {
                await importer.WriteAsync(warnings, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            }

            for (var r = 0; r < shape.Reasons; r++)
            {
                var reasons = scored.Reasons?[k];
                if (reasons is not null && r < reasons.Count)
                {
                    await importer.WriteAsync(reasons[r].Code, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(reasons[r].Text, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
