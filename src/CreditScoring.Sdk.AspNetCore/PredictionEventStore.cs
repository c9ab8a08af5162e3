using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using CreditScoring.Sdk.Tracking;
using Npgsql;
using NpgsqlTypes;

namespace CreditScoring.Sdk.AspNetCore;

/// <summary>One scored request as the event store keeps it.</summary>
public sealed record PredictionEvent
{
    /// <summary>The event's id (a time-ordered UUID the score response gives as <c>eventId</c>); a challenger's event shares its champion's.</summary>
    public required string EventId { get; init; }

    /// <summary><c>champion</c> for the model that answered, <c>challenger</c> for the one scored beside it.</summary>
    public required string Role { get; init; }

    /// <summary>When the request was scored.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The applicant's id hashed (<see cref="PredictionEventOptions.ApplicantIdKey"/>), or <see langword="null"/> when the request named none.</summary>
    public required string? ApplicantHash { get; init; }

    /// <summary>The model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The model's version.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>The probability of default given.</summary>
    public required double Probability { get; init; }

    /// <summary><c>approve</c> or <c>decline</c>.</summary>
    public required string Decision { get; init; }

    /// <summary>The threshold the decision was taken at.</summary>
    public required double Threshold { get; init; }

    /// <summary>The applicant's inputs as scored: input name → number, text or <see langword="null"/> (missing).</summary>
    public required IReadOnlyDictionary<string, object?> Inputs { get; init; }

    /// <summary>The outcome recorded later (1 defaulted, 0 repaid), or <see langword="null"/> while none is known.</summary>
    public int? Outcome { get; init; }
}

/// <summary>An outcome that arrives after the decision: by the event's id, or by the applicant's id (its latest event).</summary>
/// <param name="EventId">The <c>eventId</c> of the score response, or <see langword="null"/> to match by <paramref name="ApplicantId"/>.</param>
/// <param name="ApplicantId">The applicant's id (hashed as the events' are), or <see langword="null"/>.</param>
/// <param name="Defaulted">1 when the applicant defaulted, 0 when they repaid.</param>
public sealed record PredictionOutcome(string? EventId, string? ApplicantId, int Defaulted);

/// <summary>An outcome recorded on its event.</summary>
/// <param name="EventId">The event's id.</param>
/// <param name="Probability">The probability the champion gave it.</param>
public sealed record OutcomeMatch(string EventId, double Probability);

/// <summary>
/// Where scored requests are kept: table <c>prediction_events</c> in SQLite (the embedded default) or PostgreSQL, one
/// row per model that scored a request (the champion's and, when one serves, the challenger's, sharing an event id),
/// with the inputs as JSON, the hashed applicant id and, once known, the outcome. A batch is written in one transaction
/// (PostgreSQL: binary COPY), so it is stored whole or not at all.
/// </summary>
public sealed class PredictionEventStore : IDisposable
{
    private const string Columns = "event_id, role, time_ms, applicant_hash, model_name, model_version, probability, decision, threshold, inputs";
    private readonly SqlDatabase _database;

    private PredictionEventStore(SqlDatabase database) => _database = database;

    /// <summary>Where the store is (a file path, or <c>postgresql://HOST:PORT/DATABASE</c>).</summary>
    public string Location => _database.Display;

    /// <summary>Opens the store, creating its table and indexes on first use.</summary>
    /// <param name="location">A SQLite file path (or <c>sqlite:///PATH</c>), a <c>postgresql://</c> URI or an Npgsql connection string.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The store, holding a connection pool until disposed.</returns>
    /// <exception cref="ArgumentException">The location is not a SQL database's.</exception>
    public static async Task<PredictionEventStore> OpenAsync(string location, CancellationToken cancellationToken = default)
    {
        var database = SqlDatabase.Open(location);
        try
        {
            var (integer, real, text) = database.IsPostgres ? ("BIGINT", "DOUBLE PRECISION", "TEXT") : ("INTEGER", "REAL", "TEXT");
            var connection = await database.ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var lockSql = database.IsPostgres ? "SELECT pg_advisory_xact_lock(738215540913);" : "";
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    using var create = SqlDatabase.Command(connection, transaction, $"""
                        {lockSql}
                        CREATE TABLE IF NOT EXISTS prediction_events (
                            event_id {text} NOT NULL, role {text} NOT NULL, time_ms {integer} NOT NULL, applicant_hash {text},
                            model_name {text} NOT NULL, model_version {text} NOT NULL, probability {real} NOT NULL, decision {text} NOT NULL,
                            threshold {real} NOT NULL, inputs {text} NOT NULL, outcome {integer}, outcome_ms {integer},
                            PRIMARY KEY (event_id, role));
                        CREATE INDEX IF NOT EXISTS prediction_events_time ON prediction_events (time_ms);
                        CREATE INDEX IF NOT EXISTS prediction_events_applicant ON prediction_events (applicant_hash, time_ms);
                        """);
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return new PredictionEventStore(database);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Writes events in one transaction: all of them or, when it fails, none.</summary>
    /// <param name="events">The events.</param>
    /// <param name="cancellationToken">Cancels the write (nothing is kept).</param>
    /// <returns>A task that completes when the events are committed.</returns>
    public async Task WriteAsync(IReadOnlyList<PredictionEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var connection = await _database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (connection is NpgsqlConnection postgres)
            {
                // Binary COPY is one statement: it commits whole or not at all.
                using var text = new JsonBuffer();
                var copy = await postgres.BeginBinaryImportAsync($"COPY prediction_events ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                await using (copy.ConfigureAwait(false))
                {
                    foreach (var e in events)
                    {
                        await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(e.EventId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(e.Role, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(e.Time.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                        if (e.ApplicantHash is null)
                        {
                            await copy.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            await copy.WriteAsync(e.ApplicantHash, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        }

                        await copy.WriteAsync(e.ModelName, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(e.ModelVersion, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(e.Probability, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(e.Decision, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(e.Threshold, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(text.Write(e.Inputs), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    }

                    await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            // SQLite: one prepared INSERT per event. (Multi-row INSERTs measured twice as slow here: Microsoft.Data.Sqlite
            // binds parameters by name, a cost that grows with the statement's parameter count.)
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                using var json = new JsonBuffer();
                using var insert = SqlDatabase.Command(connection, transaction, $"INSERT INTO prediction_events ({Columns}) VALUES (@id, @role, @time, @applicant, @name, @version, @probability, @decision, @threshold, @inputs)",
                    ("@id", ""), ("@role", ""), ("@time", 0L), ("@applicant", null), ("@name", ""), ("@version", ""), ("@probability", 0.0), ("@decision", ""), ("@threshold", 0.0), ("@inputs", ""));
                var p = insert.Parameters;
                foreach (var e in events)
                {
                    p[0].Value = e.EventId;
                    p[1].Value = e.Role;
                    p[2].Value = e.Time.ToUnixTimeMilliseconds();
                    p[3].Value = (object?)e.ApplicantHash ?? DBNull.Value;
                    p[4].Value = e.ModelName;
                    p[5].Value = e.ModelVersion;
                    p[6].Value = e.Probability;
                    p[7].Value = e.Decision;
                    p[8].Value = e.Threshold;
                    p[9].Value = json.Write(e.Inputs);
                    insert.ExecuteNonQuery();
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Records outcomes in one transaction: each on every row of its event (champion and challenger), matched by event id,
    /// or by applicant hash to that applicant's latest event.
    /// </summary>
    /// <param name="outcomes">The outcomes, with the applicant ids already hashed (<see cref="PredictionRecorder.HashApplicantId"/>).</param>
    /// <param name="time">When the outcomes were recorded.</param>
    /// <param name="cancellationToken">Cancels the write (nothing is kept).</param>
    /// <returns>For each outcome in order, the event it was recorded on and the champion's probability, or <see langword="null"/> when no event matched.</returns>
    public async Task<IReadOnlyList<OutcomeMatch?>> RecordOutcomesAsync(IReadOnlyList<PredictionOutcome> outcomes, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var matched = new OutcomeMatch?[outcomes.Count];
        var connection = await _database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                for (var i = 0; i < outcomes.Count; i++)
                {
                    var o = outcomes[i];
                    var id = o.EventId;
                    if (id is null && o.ApplicantId is not null)
                    {
                        using var latest = SqlDatabase.Command(connection, transaction, "SELECT event_id FROM prediction_events WHERE applicant_hash = @applicant ORDER BY time_ms DESC, event_id DESC LIMIT 1", ("@applicant", o.ApplicantId));
                        id = await latest.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
                    }

                    if (id is null)
                    {
                        continue;
                    }

                    // One statement marks the event's rows (champion and challenger) and gives back the champion's score.
                    using var update = SqlDatabase.Command(connection, transaction, "UPDATE prediction_events SET outcome = @outcome, outcome_ms = @time WHERE event_id = @id RETURNING role, probability", ("@outcome", (long)o.Defaulted), ("@time", time.ToUnixTimeMilliseconds()), ("@id", id));
                    using var rows = await update.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (rows.GetString(0) == "champion" && !rows.IsDBNull(1))
                        {
                            matched[i] = new OutcomeMatch(id, rows.GetDouble(1));
                        }
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return matched;
    }

    /// <summary>Reads events, oldest first.</summary>
    /// <param name="since">The earliest time, or <see langword="null"/> for all.</param>
    /// <param name="role">Only this role (<c>champion</c>, <c>challenger</c>), or <see langword="null"/> for both.</param>
    /// <param name="limit">The most events read; default 10,000.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events.</returns>
    public async Task<IReadOnlyList<PredictionEvent>> ReadAsync(DateTimeOffset? since = null, string? role = null, int limit = 10_000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var events = new List<PredictionEvent>();
        var connection = await _database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var select = SqlDatabase.Command(connection, null, $"SELECT {Columns}, outcome FROM prediction_events WHERE time_ms >= @since AND (@role IS NULL OR role = @role) ORDER BY time_ms, event_id, role LIMIT @limit",
                ("@since", since?.ToUnixTimeMilliseconds() ?? long.MinValue), ("@role", role), ("@limit", (long)limit));
            if (connection is NpgsqlConnection)
            {
                // PostgreSQL cannot infer the type of a parameter only compared with NULL.
                ((NpgsqlParameter)select.Parameters[1]).NpgsqlDbType = NpgsqlDbType.Text;
            }

            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    events.Add(new PredictionEvent
                    {
                        EventId = reader.GetString(0),
                        Role = reader.GetString(1),
                        Time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                        ApplicantHash = reader.IsDBNull(3) ? null : reader.GetString(3),
                        ModelName = reader.GetString(4),
                        ModelVersion = reader.GetString(5),
                        Probability = reader.GetDouble(6),
                        Decision = reader.GetString(7),
                        Threshold = reader.GetDouble(8),
                        Inputs = ParseInputs(reader.GetString(9)),
                        Outcome = reader.IsDBNull(10) ? null : (int)reader.GetInt64(10),
                    });
                }
            }
        }

        return events;
    }

    /// <summary>Whether the store answers (for the readiness check).</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the store answered; it throws when it did not.</returns>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        var connection = await _database.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var select = SqlDatabase.Command(connection, null, "SELECT COUNT(*) FROM (SELECT 1 FROM prediction_events LIMIT 1) AS t");
            await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _database.Dispose();

    /// <summary>The inputs as a JSON object: numbers in their shortest round-trip form, text as text, missing as null.</summary>
    internal static string InputsJson(IReadOnlyDictionary<string, object?> inputs)
    {
        using var json = new JsonBuffer();
        return json.Write(inputs);
    }

    /// <summary>Writes inputs as JSON, reusing one buffer and writer (one per batch: not thread-safe).</summary>
    private sealed class JsonBuffer : IDisposable
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(512);
        private readonly Utf8JsonWriter _writer;

        public JsonBuffer() => _writer = new Utf8JsonWriter(_buffer);

        public string Write(IReadOnlyDictionary<string, object?> inputs)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            Inputs(_writer, inputs);
            _writer.Flush();
            return System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }

        public void Dispose() => _writer.Dispose();
    }

    private static void Inputs(Utf8JsonWriter writer, IReadOnlyDictionary<string, object?> inputs)
    {
        {
            writer.WriteStartObject();
            foreach (var (name, value) in inputs)
            {
                switch (value)
                {
                    case null:
                        writer.WriteNull(name);
                        break;
                    case double d when double.IsFinite(d):
                        writer.WriteNumber(name, d);
                        break;
                    case double:
                        writer.WriteNull(name); // NaN is a missing value
                        break;
                    case string s:
                        writer.WriteString(name, s);
                        break;
                    default:
                        writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                        break;
                }
            }

            writer.WriteEndObject();
        }
    }

    private static Dictionary<string, object?> ParseInputs(string json)
    {
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            inputs[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.Number => property.Value.GetDouble(),
                JsonValueKind.String => property.Value.GetString(),
                _ => null,
            };
        }

        return inputs;
    }
}
