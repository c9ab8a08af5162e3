namespace CreditScoring.Sdk.Data;

/// <summary>How a column's values are stored.</summary>
public enum ColumnKind
{
    /// <summary>Numbers as <see cref="double"/>; a missing value is <see cref="double.NaN"/>.</summary>
    Numeric,

    /// <summary>Text values, dictionary-encoded: an <see cref="int"/> code per row into a sorted category list; missing is code -1.</summary>
    Categorical,

    /// <summary>Dates and times, stored as fractional days since 1970-01-01T00:00:00 (UTC, or unspecified kind taken as UTC); missing is <see cref="double.NaN"/>.</summary>
    Date,
}

/// <summary>What a column is for.</summary>
public enum ColumnRole
{
    /// <summary>An input of the model (the default for every column not given another role).</summary>
    Feature,

    /// <summary>The 0/1 outcome, 1 = default (bad).</summary>
    Target,

    /// <summary>An identifier, carried through scoring but never used as a feature.</summary>
    Id,

    /// <summary>A non-negative sample weight.</summary>
    Weight,

    /// <summary>The application date, used for out-of-time splits and never as a feature.</summary>
    Time,

    /// <summary>Read and kept, but neither a feature nor any other role.</summary>
    Ignored,
}

/// <summary>What a loader does with a row it cannot read (a ragged row, text in a numeric column, a bad target value...).</summary>
public enum BadRowHandling
{
    /// <summary>Throw a <see cref="DataLoadException"/> that names the source, line, column and value (the default).</summary>
    Fail,

    /// <summary>Leave the row out, count it and describe it in <see cref="DataLoadReport"/>.</summary>
    Skip,
}
