namespace CreditScoring.Sdk.Data;

/// <summary>One row a loader could not read.</summary>
/// <param name="Location">Where: the 1-based line of a CSV file where the record starts, or the 1-based record number of other sources.</param>
/// <param name="Column">The column, or <see langword="null"/> when the problem is the row itself (a ragged row).</param>
/// <param name="Value">The offending value, or <see langword="null"/>.</param>
/// <param name="Message">The full message: source, location, column, value and what was expected.</param>
public sealed record DataLoadIssue(long Location, string? Column, string? Value, string Message);

/// <summary>What a loader read, kept and left out.</summary>
/// <param name="Source">The source name (file path, "IDataReader", object type).</param>
/// <param name="RowsRead">Data rows (records) seen in the source.</param>
/// <param name="RowsLoaded">Rows in the table.</param>
/// <param name="RowsSkipped">Bad rows left out (only with <see cref="BadRowHandling.Skip"/>).</param>
/// <param name="Issues">The first <see cref="DataLoadOptions.MaxReportedIssues"/> bad rows, in source order.</param>
/// <param name="DroppedColumns">Columns present in the source and not loaded because <see cref="DataLoadOptions.Drop"/> named them.</param>
public sealed record DataLoadReport(
    string Source,
    long RowsRead,
    int RowsLoaded,
    long RowsSkipped,
    IReadOnlyList<DataLoadIssue> Issues,
    IReadOnlyList<string> DroppedColumns)
{
    /// <summary>
    /// Decisions the loader took that a user should know of, one sentence each: a column read as categories although some of
    /// its values are numbers, a column of dates read as categories. Empty when there were none.
    /// </summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>A one-line summary, such as <c>"data.csv: 150000 rows read, 149998 loaded, 2 skipped"</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Source}: {RowsRead} rows read, {RowsLoaded} loaded, {RowsSkipped} skipped";
}

/// <summary>A source could not be read: the message names the source, the line or record, the column and the value.</summary>
public sealed class DataLoadException : CreditScoringException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public DataLoadException(string message)
        : base(message)
    {
        SourceName = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DataLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        SourceName = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public DataLoadException()
    {
        SourceName = string.Empty;
    }

    internal DataLoadException(string source, long location, string? column, string? value, string message)
        : base(message)
    {
        SourceName = source;
        Location = location;
        Column = column;
        Value = value;
    }

    /// <summary>The source name.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line (CSV) or record number, or 0 when the problem is not in a row.</summary>
    public long Location { get; }

    /// <summary>The column, or <see langword="null"/>.</summary>
    public string? Column { get; }

    /// <summary>The offending value, or <see langword="null"/>.</summary>
    public string? Value { get; }
}
