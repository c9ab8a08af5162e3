using System.Globalization;
using System.Text;
using CreditScoring.Sdk.Data;
using CreditScoring.Sdk.Decisions;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Scoring;

/// <summary>Options of <see cref="ScoresFile"/>.</summary>
public sealed class ScoresFileOptions
{
    /// <summary>
    /// Whether a text cell that a spreadsheet would run as a formula (one that starts with <c>=</c>, <c>+</c>, <c>-</c>,
    /// <c>@</c>, a tab or a carriage return) is written with a leading apostrophe, as OWASP's CSV-injection rule says, so
    /// that an id such as <c>=HYPERLINK(...)</c> is shown as text. Only text ids are changed; numbers are written as they are.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool NeutralizeFormulas { get; set; } = true;
}

/// <summary>
/// The scores file: CSV (RFC 4180, UTF-8 without byte-order mark, LF line ends) with the header
/// <c>id,probability,decision,warnings</c> and one line per applicant in row order: the id (the table's id column, or the
/// 1-based row number), the probability of default (round-trip precision, empty when the model gave none), <c>approve</c>
/// or <c>decline</c>, and the score's warnings separated by <c>;</c> (empty when there are none).
/// </summary>
public static class ScoresFile
{
    /// <summary>The header line.</summary>
    public const string Header = "id,probability,decision,warnings";

    /// <summary>Writes the scores file atomically (<see cref="OutputFiles"/>): readers see the old file or the complete new one.</summary>
    /// <param name="path">The file.</param>
    /// <param name="data">The scored table (for its ids).</param>
    /// <param name="scores">One score per row.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The scores and the table differ in length.</exception>
    /// <exception cref="IOException">The target is not a regular file, or the write failed (the target is unchanged).</exception>
    public static void Write(string path, CreditData data, IReadOnlyList<CreditScore> scores, ScoresFileOptions? options = null) =>
        OutputFiles.Write(path, stream => Write(stream, data, scores, options));

    /// <summary>Writes the scores file to a stream (left open).</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="data">The scored table (for its ids).</param>
    /// <param name="scores">One score per row.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The scores and the table differ in length.</exception>
    public static void Write(Stream stream, CreditData data, IReadOnlyList<CreditScore> scores, ScoresFileOptions? options = null) =>
        Write(stream, data, scores, options, [], null);

    /// <summary>
    /// Writes the scores file with extra text columns after the standard ones (the explained scores file's reasons):
    /// <paramref name="fill"/> sets a row's <paramref name="extraHeader"/>.Length cells, which are quoted and, with
    /// <see cref="ScoresFileOptions.NeutralizeFormulas"/>, neutralized as text ids are.
    /// </summary>
    internal static void Write(Stream stream, CreditData data, IReadOnlyList<CreditScore> scores, ScoresFileOptions? options, string[] extraHeader, Action<int, string[]>? fill)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count != data.RowCount)
        {
            throw new ArgumentException($"{scores.Count} scores were given for a table of {data.RowCount} rows.", nameof(scores));
        }

        var neutralize = options?.NeutralizeFormulas ?? true;
        var ids = data.IdColumn;
        var textIds = ids is CategoricalColumn;
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write(Header);
        foreach (var name in extraHeader)
        {
            writer.Write(',');
            writer.Write(name);
        }

        writer.Write('\n');
        var extra = new string[extraHeader.Length];
        for (var i = 0; i < scores.Count; i++)
        {
            var id = ids?.FormatValue(i) ?? (ids is null ? (i + 1).ToString(CultureInfo.InvariantCulture) : string.Empty);
            writer.Write(InvariantText.CsvField(neutralize && textIds ? Neutralized(id) : id));
            writer.Write(',');
            var s = scores[i];
            if (!double.IsNaN(s.Probability))
            {
                writer.Write(s.Probability.ToString("R", CultureInfo.InvariantCulture));
            }

            writer.Write(',');
            writer.Write(s.Decision.ToText());
            writer.Write(',');
            if (s.Warnings != ScoreWarnings.None)
            {
                writer.Write(s.Warnings.ToString().Replace(", ", ";", StringComparison.Ordinal));
            }

            if (fill is not null)
            {
                fill(i, extra);
                foreach (var cell in extra)
                {
                    writer.Write(',');
                    writer.Write(InvariantText.CsvField(neutralize ? Neutralized(cell) : cell));
                }
            }

            writer.Write('\n');
        }
    }

    /// <summary>A text cell a spreadsheet shows as text: an apostrophe before a leading <c>= + - @</c>, tab or carriage return (OWASP).</summary>
    /// <param name="cell">The cell's text.</param>
    /// <returns>The cell, prefixed when needed.</returns>
    public static string Neutralized(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + cell : cell;
    }
}
