using System.CommandLine;
using System.Globalization;
using CreditScoring.Sdk.Data;

namespace CreditScoring.Batch;

/// <summary>How the CLI reads CSV files: the options every command shares (types, missing tokens, bad rows, dialect).</summary>
/// <param name="Numeric">Columns read as numbers.</param>
/// <param name="Categorical">Columns read as categories.</param>
/// <param name="Dates">Columns read as dates, each with its exact format or null.</param>
/// <param name="MissingTokens">The missing tokens, or null for the library's defaults.</param>
/// <param name="BadRows">What to do with a bad row.</param>
/// <param name="Delimiter">The field separator.</param>
internal sealed record ReadSettings(IReadOnlyList<string> Numeric, IReadOnlyList<string> Categorical, IReadOnlyList<(string Column, string? Format)> Dates, IReadOnlyList<string>? MissingTokens, BadRowHandling BadRows, char Delimiter)
{
    /// <summary>The library's defaults (the quickstart reads with these).</summary>
    public static ReadSettings Default { get; } = new([], [], [], null, BadRowHandling.Fail, ',');

    /// <summary>Applies the dialect, missing tokens and bad-row handling and, for the main file of a command, the column types.</summary>
    public void Apply(CsvReadOptions o, bool columnTypes)
    {
        o.Delimiter = Delimiter;
        o.BadRows = BadRows;
        if (MissingTokens is not null)
        {
            o.MissingTokens = [.. MissingTokens];
        }

        if (!columnTypes)
        {
            return;
        }

        o.Numeric([.. Numeric]);
        o.Categorical([.. Categorical]);
        foreach (var (column, format) in Dates)
        {
            o.Date(column, format);
        }
    }
}

/// <summary>The reading options, created once and added to every command that reads data.</summary>
internal sealed class ReadOptionSet
{
    private readonly Option<string[]> _numeric = new("--numeric") { Description = "Read these columns as numbers whatever their values look like (comma-separated, repeatable): a value that is not a number is then a bad row.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _categorical = new("--categorical") { Description = "Read these columns as categories (comma-separated, repeatable), e.g. codes that look like numbers.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _dates = new("--date") { Description = "Read a column as dates, COLUMN or COLUMN=FORMAT such as opened=yyyy-MM-dd (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _missing = new("--missing-tokens") { Description = $"The values that mean missing, comma-separated (the empty field always does). Default: {string.Join(" ", DataLoadOptions.DefaultMissingTokens.Where(t => t.Length > 0))}." };
    private readonly Option<string> _badRows = new("--bad-rows") { Description = "What to do with a row that cannot be read: fail (stop with an error naming line, column and value) or skip (leave it out, count it and print the first ones).", DefaultValueFactory = _ => "fail" };
    private readonly Option<string> _delimiter = new("--delimiter") { Description = "The field separator: one character, or tab.", DefaultValueFactory = _ => "," };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_numeric);
        command.Options.Add(_categorical);
        command.Options.Add(_dates);
        command.Options.Add(_missing);
        command.Options.Add(_badRows);
        command.Options.Add(_delimiter);
    }

    /// <summary>Reads and checks the options' values.</summary>
    public ReadSettings Get(ParseResult p)
    {
        var badRows = p.GetValue(_badRows)!.ToLowerInvariant() switch
        {
            "fail" => BadRowHandling.Fail,
            "skip" => BadRowHandling.Skip,
            var other => throw new CliException($"--bad-rows '{other}' is not fail or skip."),
        };
        var delimiterText = p.GetValue(_delimiter)!;
        var delimiter = delimiterText switch
        {
            "tab" or "\\t" or "\t" => '\t',
            { Length: 1 } d when d[0] is not ('"' or '\r' or '\n') => d[0],
            _ => throw new CliException($"--delimiter '{delimiterText}' is not one character other than a quote or a line break (or tab)."),
        };
        var dates = Split(p.GetValue(_dates)).Select(entry =>
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            return eq < 0 ? (entry, (string?)null) : eq == 0 || eq == entry.Length - 1
                ? throw new CliException($"--date '{entry}' is not COLUMN or COLUMN=FORMAT (e.g. --date opened=yyyy-MM-dd).")
                : (entry[..eq], entry[(eq + 1)..]);
        }).ToArray();
        var missing = p.GetValue(_missing) is { } text ? text.Split(',').Prepend("").Distinct(StringComparer.Ordinal).ToArray() : null;
        return new ReadSettings(Split(p.GetValue(_numeric)), Split(p.GetValue(_categorical)), dates, missing, badRows, delimiter);
    }

    private static string[] Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();
}

/// <summary>Loads CSV files with the CLI's role and reading options, and prints what the loader decided.</summary>
internal static class Input
{
    /// <summary>Reads a command's data file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="log">Progress and notes.</param>
    /// <param name="settings">The reading options.</param>
    /// <param name="target">The target column, or null.</param>
    /// <param name="id">The id column, or null.</param>
    /// <param name="positiveLabel">The target's positive label, or null.</param>
    /// <param name="negativeLabel">The target's negative label, or null.</param>
    /// <param name="types">Column types to read with (a model's or the training data's), or null to infer them.</param>
    public static CreditData Read(string path, ProgressLog log, ReadSettings settings, string? target, string? id, string? positiveLabel, string? negativeLabel, Action<DataLoadOptions>? types = null)
    {
        CheckReadable(path, "data file");
        if ((positiveLabel is null) != (negativeLabel is null))
        {
            throw new CliException("give both --positive-label and --negative-label, or neither.");
        }

        log.Step($"Reading {path}");
        var data = CreditData.ReadCsv(path, o =>
        {
            o.Progress = log.Rows(path);
            types?.Invoke(o);
            settings.Apply(o, columnTypes: true);
            if (target is not null)
            {
                if (positiveLabel is not null)
                {
                    o.Target(target, positiveLabel, negativeLabel!);
                }
                else
                {
                    o.Target(target);
                }
            }

            if (id is not null)
            {
                o.Id(id);
            }
        });
        log.Step(string.Create(CultureInfo.InvariantCulture, $"  {data.RowCount:N0} rows x {data.Schema.Count} columns{(data.HasTarget ? $", {data.PositiveCount:N0} defaults" : "")}"));
        Explain(data, log);
        return data;
    }

    /// <summary>Reads a related table (dialect, missing tokens and bad-row handling only: its columns are its own).</summary>
    public static CreditData ReadRelated(string path, ProgressLog log, ReadSettings settings)
    {
        CheckReadable(path, "related table");
        var data = CreditData.ReadCsv(path, o => settings.Apply(o, columnTypes: false));
        Explain(data, log);
        return data;
    }

    /// <summary>Fails with a clear message when a path is not a readable file (absent, or a directory).</summary>
    public static void CheckReadable(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new CliException($"{what} '{path}' is a directory, not a file.");
        }

        if (!File.Exists(path))
        {
            throw new CliException($"{what} '{path}' does not exist.");
        }
    }

    /// <summary>Prints the loader's notes and the rows it skipped, so that no decision of the loader goes unseen.</summary>
    private static void Explain(CreditData data, ProgressLog log)
    {
        var report = data.LoadReport!;
        foreach (var note in report.Notes)
        {
            log.Note(note);
        }

        if (report.RowsSkipped > 0 && report.Issues.Count > 0)
        {
            log.Note(string.Create(CultureInfo.InvariantCulture, $"{report.Source}: {report.RowsSkipped:N0} of {report.RowsRead:N0} rows were skipped (--bad-rows skip); the first: {report.Issues[0].Message}"));
        }
    }
}
