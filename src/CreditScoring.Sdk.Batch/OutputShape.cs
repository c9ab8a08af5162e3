using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Explanations;
using CreditScoring.Sdk.Scoring;

namespace CreditScoring.Sdk.Batch;

/// <summary>A column of the scores a job writes: its name, its PostgreSQL type and its SQLite type.</summary>
internal sealed record OutputColumn(string Name, string PostgresType, string SqliteType);

/// <summary>
/// The row a job writes for every scored applicant: <c>job_id</c>, <c>id</c> (bigint for integer ids, else text),
/// <c>probability</c>, <c>decision</c> (approve or decline), <c>model_name</c>, <c>model_version</c>, <c>warnings</c>
/// (what the scorer flagged, comma-separated, or null) and, when reasons are asked for, <c>reason_K_code</c> and
/// <c>reason_K_text</c> for K = 1..reasons.
/// </summary>
internal sealed class OutputShape
{
    public OutputShape(bool integerIds, int reasons, string modelName, string modelVersion)
    {
        (IntegerIds, Reasons, ModelName, ModelVersion) = (integerIds, reasons, modelName, modelVersion);
        var columns = new List<OutputColumn>
        {
            new("job_id", "text NOT NULL", "TEXT NOT NULL"),
            new("id", integerIds ? "bigint NOT NULL" : "text NOT NULL", integerIds ? "INTEGER NOT NULL" : "TEXT NOT NULL"),
            new("probability", "double precision", "REAL"),
            new("decision", "text NOT NULL", "TEXT NOT NULL"),
            new("model_name", "text NOT NULL", "TEXT NOT NULL"),
            new("model_version", "text NOT NULL", "TEXT NOT NULL"),
            new("warnings", "text", "TEXT"),
        };
        for (var r = 1; r <= reasons; r++)
        {
            columns.Add(new($"reason_{r}_code", "text", "TEXT"));
            columns.Add(new($"reason_{r}_text", "text", "TEXT"));
        }

        Columns = columns;
    }

    public bool IntegerIds { get; }

    public int Reasons { get; }

    public string ModelName { get; }

    public string ModelVersion { get; }

    public IReadOnlyList<OutputColumn> Columns { get; }

    /// <summary>The scorer's warnings as text (<c>OutOfRange,UnknownCategory</c>), or <see langword="null"/> for none.</summary>
    public static string? WarningsText(ScoreWarnings warnings) => warnings == ScoreWarnings.None ? null : warnings.ToString().Replace(", ", ",", StringComparison.Ordinal);
}

/// <summary>A scored chunk: <see cref="Scores"/>[k] (and <see cref="Reasons"/>[k]) belong to the chunk's row <see cref="Rows"/>[k].</summary>
internal sealed record ScoredRows(ChunkBuffer Chunk, int[] Rows, CreditScore[] Scores, IReadOnlyList<ReasonCode>[]? Reasons);
