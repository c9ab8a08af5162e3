using System.Diagnostics;
using System.Globalization;
using CreditScoring.Sdk.Internal;

namespace CreditScoring.Sdk.Data;

/// <summary>
/// Turns records from any source into a <see cref="CreditData"/> table. One row is staged field by
/// field and committed only when every field is valid, so a bad row is either fatal or left out
/// whole (never half-written). Text sources infer column kinds; typed sources take them from the
/// values' CLR types. Explicit options override both.
/// </summary>
internal sealed class TableBuilder
{
    private const int MaxShownValueLength = 200;

    private readonly string _source;
    private readonly string _locationWord;
    private readonly DataLoadOptions _options;
    private readonly ColumnBuilder?[] _fields;
    private readonly string[] _missingTokens;
    private readonly ulong _missingTokenLengths;
    private readonly bool _longMissingToken;
    private readonly List<DataLoadIssue> _issues = [];
    private readonly List<string> _dropped = [];
    private readonly List<string> _notes = [];
    private long _location;
    private long _rowsRead;
    private long _skipped;
    private int _rows;

    /// <param name="source">Source name for messages.</param>
    /// <param name="locationWord">"line" for text files, "record" otherwise.</param>
    /// <param name="names">Column names in source order.</param>
    /// <param name="options">Load options (validated here).</param>
    /// <param name="sourceKinds">Kinds the source declares (typed sources), null entries = infer.</param>
    /// <param name="headerLocation">Where the names came from, for messages (0 = not a row).</param>
    public TableBuilder(string source, string locationWord, IReadOnlyList<string> names, DataLoadOptions options, IReadOnlyList<ColumnKind?>? sourceKinds, long headerLocation)
    {
        _source = source;
        _locationWord = locationWord;
        _options = options;
        options.Validate();
        _missingTokens = [.. options.MissingTokens];
        foreach (var token in _missingTokens)
        {
            if (token.Length < 64)
            {
                _missingTokenLengths |= 1UL << token.Length;
            }
            else
            {
                _longMissingToken = true;
            }
        }

        var seen = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i].AsSpan().IndexOfAnyInRange('\u0000', '\u001F') >= 0 || names[i].AsSpan().IndexOfAnyInRange('\u007F', '\u009F') >= 0)
            {
                throw new DataLoadException(source, headerLocation, null, Shown(names[i]),
                    $"{source}: {Where(headerLocation)}the name of column {i + 1}, '{Shown(names[i])}', holds control characters; the file does not look like CSV text (a binary file, or text in another encoding?).");
            }

            if (seen.TryGetValue(names[i], out var first))
            {
                throw new DataLoadException(source, headerLocation, names[i], names[i],
                    $"{source}: {Where(headerLocation)}duplicate column name '{names[i]}' (columns {first + 1} and {i + 1}); column names must be unique.");
            }

            seen.Add(names[i], i);
        }

        CheckNamed(options.TargetColumn, "target", seen, names);
        CheckNamed(options.IdColumn, "id", seen, names);
        CheckNamed(options.WeightColumn, "weight", seen, names);
        CheckNamed(options.TimeColumn, "time", seen, names);
        foreach (var c in options.NumericColumns)
        {
            CheckNamed(c, "Numeric(...)", seen, names);
        }

        foreach (var c in options.CategoricalColumns)
        {
            CheckNamed(c, "Categorical(...)", seen, names);
        }

        foreach (var c in options.DateColumns.Keys)
        {
            CheckNamed(c, "Date(...)", seen, names);
        }

        foreach (var c in options.IgnoredColumns)
        {
            CheckNamed(c, "Ignore(...)", seen, names);
        }

        foreach (var c in options.DroppedColumns)
        {
            CheckNamed(c, "Drop(...)", seen, names);
        }

        _fields = new ColumnBuilder?[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (options.DroppedColumns.Contains(name))
            {
                _dropped.Add(name);
                continue;
            }

            var (kind, origin) = InitialKind(name, sourceKinds is null ? null : sourceKinds[i]);
            _fields[i] = new ColumnBuilder(this, name, RoleOf(name), kind, origin);
        }
    }

    /// <summary>The number of fields a record must have.</summary>
    public int FieldCount => _fields.Length;

    /// <summary>Adds a record of text fields (CSV). <paramref name="fields"/> index into <paramref name="buffer"/>.</summary>
    public void AddTextRecord(ReadOnlySpan<char> buffer, ReadOnlySpan<Range> fields, long location)
    {
        CountRecord();
        _location = location;
        if (fields.Length != _fields.Length)
        {
            Bad(location, null, null, $"has {fields.Length} field{(fields.Length == 1 ? "" : "s")} but the header has {_fields.Length}");
            return;
        }

        for (var i = 0; i < _fields.Length; i++)
        {
            var column = _fields[i];
            if (column is null)
            {
                continue;
            }

            var text = buffer[fields[i]];
            var problem = column.StageText(text);
            if (problem is not null)
            {
                Bad(location, column.Name, text.ToString(), problem);
                return;
            }
        }

        Commit();
    }

    /// <summary>Adds a record of typed values (<see langword="null"/> or <see cref="DBNull"/> = missing).</summary>
    public void AddTypedRecord(ReadOnlySpan<object?> values, long location)
    {
        CountRecord();
        _location = location;
        for (var i = 0; i < _fields.Length; i++)
        {
            var column = _fields[i];
            if (column is null)
            {
                continue;
            }

            var value = values[i];
            var problem = column.StageValue(value);
            if (problem is not null)
            {
                Bad(location, column.Name, InvariantText.Format(value), problem);
                return;
            }
        }

        Commit();
    }

    /// <summary>Records a record that could not even be split into fields (e.g. an unterminated quote).</summary>
    public void AddMalformedRecord(long location, string problem)
    {
        CountRecord();
        Bad(location, null, null, problem);
    }

    /// <summary>Finishes the table.</summary>
    public CreditData Build()
    {
        _options.Progress?.Report(_rowsRead);
        var columns = new List<DataColumn>(_fields.Length);
        var roles = new List<ColumnRole>(_fields.Length);
        foreach (var f in _fields)
        {
            if (f is null)
            {
                continue;
            }

            columns.Add(f.Build(_rows));
            roles.Add(f.Role);
        }

        var report = new DataLoadReport(_source, _rowsRead, _rows, _skipped, _issues.ToArray(), _dropped.ToArray()) { Notes = _notes.ToArray() };
        return new CreditData([.. columns], [.. roles], report);
    }

    /// <summary>
    /// A value as messages show it: at most <see cref="MaxShownValueLength"/> characters (a 10 MB field is not echoed whole),
    /// with control and direction-changing characters written as <c>\xNN</c> or <c>\uNNNN</c> so that they never reach a
    /// terminal raw.
    /// </summary>
    internal static string Shown(ReadOnlySpan<char> value)
    {
        var cut = value.Length > MaxShownValueLength;
        var part = cut ? value[..MaxShownValueLength] : value;
        var builder = new System.Text.StringBuilder(part.Length + 8);
        foreach (var c in part)
        {
            if (c < ' ' || c is >= '\u007F' and <= '\u009F')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else if (c is >= '\u200B' and <= '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\uFEFF')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        if (cut)
        {
            builder.Append(CultureInfo.InvariantCulture, $"... ({value.Length:N0} characters in all)");
        }

        return builder.ToString();
    }

    private string Where(long location) => location > 0 ? $"{_locationWord} {location}: " : string.Empty;

    private void CountRecord()
    {
        _rowsRead++;
        if ((_rowsRead & 0xFFFF) == 0)
        {
            _options.Progress?.Report(_rowsRead);
        }
    }

    private void Commit()
    {
        foreach (var f in _fields)
        {
            f?.Commit();
        }

        _rows++;
    }

    private void Bad(long location, string? column, string? value, string problem)
    {
        var shown = value is null ? null : Shown(value);
        var message = column is null
            ? $"{_source}: {_locationWord} {location}: the record {problem}."
            : $"{_source}: {_locationWord} {location}, column '{column}': {problem}.";
        if (_options.BadRows == BadRowHandling.Fail)
        {
            throw new DataLoadException(_source, location, column, shown, message + " (Set BadRows = BadRowHandling.Skip, or --bad-rows skip on the command line, to leave such rows out and count them.)");
        }

        _skipped++;
        if (_issues.Count < _options.MaxReportedIssues)
        {
            _issues.Add(new DataLoadIssue(location, column, shown, message));
        }
    }

    private void CheckNamed(string? column, string what, Dictionary<string, int> seen, IReadOnlyList<string> names)
    {
        if (column is not null && !seen.ContainsKey(column))
        {
            var shown = names.Count <= 40 ? string.Join(", ", names) : string.Join(", ", names.Take(40)) + $", ... ({names.Count} in all)";
            throw new DataLoadException(_source, 0, column, null,
                $"{_source}: the {what} column '{column}' is not in the source (names are case-sensitive). Columns: {shown}.");
        }
    }

    private ColumnRole RoleOf(string name)
    {
        if (name == _options.TargetColumn)
        {
            return ColumnRole.Target;
        }

        if (name == _options.IdColumn)
        {
            return ColumnRole.Id;
        }

        if (name == _options.WeightColumn)
        {
            return ColumnRole.Weight;
        }

        if (name == _options.TimeColumn)
        {
            return ColumnRole.Time;
        }

        return _options.IgnoredColumns.Contains(name) ? ColumnRole.Ignored : ColumnRole.Feature;
    }

    /// <summary>The kind a column starts with (null = infer it) and where that kind comes from, for messages.</summary>
    private (ColumnKind? Kind, KindOrigin Origin) InitialKind(string name, ColumnKind? sourceKind)
    {
        if (name == _options.TargetColumn || name == _options.WeightColumn)
        {
            return (ColumnKind.Numeric, KindOrigin.Declared);
        }

        if (_options.NumericColumns.Contains(name))
        {
            return (ColumnKind.Numeric, KindOrigin.Declared);
        }

        if (_options.CategoricalColumns.Contains(name))
        {
            return (ColumnKind.Categorical, KindOrigin.Declared);
        }

        if (_options.DateColumns.ContainsKey(name))
        {
            return (ColumnKind.Date, KindOrigin.Declared);
        }

        if (_options.TypesOf.TryGetValue(name, out var schemaKind))
        {
            return (schemaKind, KindOrigin.Schema);
        }

        return (sourceKind, sourceKind is null ? KindOrigin.Inferred : KindOrigin.Source);
    }

    private bool IsMissingToken(ReadOnlySpan<char> text)
    {
        // Most fields cannot be a token by their length alone.
        if (text.Length < 64 ? ((_missingTokenLengths >> text.Length) & 1) == 0 : !_longMissingToken)
        {
            return false;
        }

        foreach (var token in _missingTokens)
        {
            if (text.SequenceEqual(token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Lists missing tokens for messages: <c>'', 'NA', 'N/A'</c>.</summary>
    private static string TokenList(string[] tokens) => tokens.Length == 0 ? "(none)" : string.Join(", ", tokens.Select(t => $"'{t}'"));

    /// <summary>What the non-numbers in an undecided column's inference window were, for the typing decision and its message.</summary>
    private sealed class TypeEvidence
    {
        private const int MaxTrackedTokens = 1000;
        private const int MaxShownTokens = 10;
        private const int MaxShownLines = 3;

        private readonly Dictionary<string, Token> _tokens = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];

        /// <summary>Non-missing values that are not numbers.</summary>
        public int Others { get; private set; }

        /// <summary>Of <see cref="Others"/>, values that look like numbers in a format this reader does not read (<c>1,290</c>, <c>１２</c>).</summary>
        public int NumberLike { get; private set; }

        /// <summary>Of <see cref="Others"/>, values that look like dates.</summary>
        public int DateLike { get; private set; }

        public string FirstToken => _order.Count > 0 ? _order[0] : string.Empty;

        public void AddOther(ReadOnlySpan<char> text, long location)
        {
            Others++;
            var date = LooksLikeDate(text);
            var reason = date ? null : NumberLikeReason(text);
            if (date)
            {
                DateLike++;
            }
            else if (reason is not null)
            {
                NumberLike++;
            }

            var lookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(text, out var token))
            {
                token.Count++;
                if (token.Lines.Count < MaxShownLines)
                {
                    token.Lines.Add(location);
                }
            }
            else if (_tokens.Count < MaxTrackedTokens)
            {
                var key = text.ToString();
                _tokens.Add(key, new Token(reason ?? InfinityReason(text)) { Count = 1, Lines = { location } });
                _order.Add(key);
            }
        }

        public DataLoadException MixedColumnError(string source, string locationWord, string column, int window, int numbers)
        {
            var shown = _order.Take(MaxShownTokens).Select(key =>
            {
                var t = _tokens[key];
                var lines = string.Join(", ", t.Lines);
                var where = t.Count == 1 ? $"{locationWord} {lines}" : $"{t.Count} times: {locationWord}s {lines}{(t.Count > t.Lines.Count ? ", ..." : "")}";
                return $"'{Shown(key)}' ({where}{(t.Reason is null ? "" : "; " + t.Reason)})";
            });
            var more = _order.Count > MaxShownTokens ? $", and {_order.Count - MaxShownTokens} other distinct value(s)" : "";
            var format = NumberLike > 0 ? " Numbers must be written in the invariant culture: a decimal point, no digit grouping, currency or percent signs (such as 1290.5)." : "";
            var message = string.Create(CultureInfo.InvariantCulture,
                $"{source}: column '{column}' holds numbers ({numbers} of its first {window} values), but {Others} {(Others == 1 ? "is not a number" : "are not numbers")}: {string.Join(", ", shown)}{more}. " +
                $"Reading the column as categories would turn every number into a category, so nothing was loaded.{format} " +
                $"If such values mean \"missing\", add them to MissingTokens (CLI --missing-tokens); if the column holds categories, declare it with Categorical(\"{column}\") (CLI --categorical {column}); " +
                $"to keep it numeric and leave those rows out, declare Numeric(\"{column}\") with BadRows = Skip (CLI --numeric {column} --bad-rows skip).");
            var first = _order[0];
            return new DataLoadException(source, _tokens[first].Lines[0], column, Shown(first), message);
        }

        /// <summary>Why a value that is not an invariant-culture number looks like one, or null when it does not.</summary>
        internal static string? NumberLikeReason(ReadOnlySpan<char> text)
        {
            int digits = 0;
            bool comma = false, grouping = false, currency = false, percent = false, nonAscii = false;
            foreach (var c in text.Trim())
            {
                if (char.IsDigit(c))
                {
                    digits++;
                    nonAscii |= c > '\u007f';
                }
                else if (c is ',' or '\u060C' or '\u066B' or '\u066C')
                {
                    comma = true;
                }
                else if (c is ' ' or '\u00A0' or '\u2009' or '\u202F' or '\'' or '_')
                {
                    grouping = true;
                }
                else if (c is '%' or '\u2030')
                {
                    percent = true;
                }
                else if (char.GetUnicodeCategory(c) == UnicodeCategory.CurrencySymbol)
                {
                    currency = true;
                }
                else if (c is >= '\uFF01' and <= '\uFF5E')
                {
                    nonAscii = true;
                }
                else if (c is not ('.' or '+' or '-' or 'e' or 'E' or '(' or ')'))
                {
                    return null;
                }
            }

            return digits == 0 ? null
                : nonAscii ? "non-ASCII digits or signs"
                : comma ? "a thousands separator or a decimal comma"
                : currency ? "a currency sign"
                : percent ? "a percent sign"
                : grouping ? "digit grouping"
                : "not a valid number";
        }

        /// <summary>Whether a value looks like a date: three groups of digits separated by '-', '/' or '.', one of them a 4-digit year at either end, optionally followed by a time.</summary>
        internal static bool LooksLikeDate(ReadOnlySpan<char> text)
        {
            var t = text.Trim();
            var end = t.IndexOfAny('T', ' ');
            if (end > 0)
            {
                t = t[..end];
            }

            Span<Range> parts = stackalloc Range[4];
            var n = t.SplitAny(parts, "-/.");
            if (n != 3)
            {
                return false;
            }

            for (var i = 0; i < 3; i++)
            {
                var part = t[parts[i]];
                if (part.Length is 0 or > 4 || part.ContainsAnyExceptInRange('0', '9'))
                {
                    return false;
                }
            }

            var first = t[parts[0]].Length;
            var middle = t[parts[1]].Length;
            var last = t[parts[2]].Length;
            return middle <= 2 && ((first == 4 && last <= 2) || (last == 4 && first <= 2));
        }

        private static string? InfinityReason(ReadOnlySpan<char> text) =>
            text.Trim().TrimStart("+-").Equals("inf", StringComparison.OrdinalIgnoreCase) ? "an infinity; inputs must be finite" : null;

        private sealed class Token(string? reason)
        {
            public string? Reason { get; } = reason;

            public int Count { get; set; }

            public List<long> Lines { get; } = [];
        }
    }

    /// <summary>Where a column's kind comes from.</summary>
    private enum KindOrigin
    {
        /// <summary>Inferred from the values (text sources).</summary>
        Inferred,

        /// <summary>Declared in the options (or implied by the target or weight role).</summary>
        Declared,

        /// <summary>Taken from another schema (<see cref="DataLoadOptions.UseTypes"/>).</summary>
        Schema,

        /// <summary>The type a typed source declares.</summary>
        Source,
    }

    /// <summary>Accumulates one column. Kind null = not decided yet (text sources infer it).</summary>
    private sealed class ColumnBuilder
    {
        private readonly TableBuilder _owner;
        private readonly KindOrigin _origin;
        private readonly string? _dateFormat;
        private readonly string? _positiveLabel;
        private readonly string? _negativeLabel;

        private readonly ChunkedBuffer<double> _numbers = new();
        private readonly ChunkedBuffer<int> _codes = new();
        private int _count;
        private Dictionary<string, int>? _lookup;
        private List<string>? _categories;

        // Undecided (text sources): every committed value's number (NaN when missing or not a number) goes to
        // _numbers, its raw text to one shared char buffer, so that either decision is cheap.
        private int[] _pendingStarts = [];
        private int[] _pendingLengths = [];
        private char[] _pendingChars = [];
        private int _pendingCharCount;
        private int _pendingNonMissing;
        private TypeEvidence? _evidence;

        private double _stagedNumber;
        private int _stagedCode;
        private string? _stagedNew;
        private bool _stagedMissing;
        private bool _stagedIsText;
        private char[] _stagedChars = new char[64];
        private int _stagedLength;

        public ColumnBuilder(TableBuilder owner, string name, ColumnRole role, ColumnKind? kind, KindOrigin origin)
        {
            _owner = owner;
            Name = name;
            Role = role;
            _origin = origin;
            _dateFormat = owner._options.DateColumns.TryGetValue(name, out var f) ? f : null;
            if (role == ColumnRole.Target)
            {
                _positiveLabel = owner._options.PositiveLabel;
                _negativeLabel = owner._options.NegativeLabel;
            }

            if (role == ColumnRole.Time && kind is null)
            {
                kind = ColumnKind.Date;
            }

            SetKind(kind);
        }

        public string Name { get; }

        public ColumnRole Role { get; }

        public ColumnKind? Kind { get; private set; }

        private bool IsTarget => Role == ColumnRole.Target;

        /// <summary>Parses one text field into the staging slot; returns a problem description or null.</summary>
        public string? StageText(ReadOnlySpan<char> text)
        {
            if (_owner.IsMissingToken(text))
            {
                return StageMissing();
            }

            if (IsTarget)
            {
                return StageTarget(text);
            }

            switch (Kind)
            {
                case ColumnKind.Numeric:
                    return StageNumber(text);
                case ColumnKind.Categorical:
                    return StageCategory(text);
                case ColumnKind.Date:
                    return StageDate(text);
                default:
                    if (FastDouble.TryParse(text, out var d))
                    {
                        if (double.IsInfinity(d))
                        {
                            return $"value '{Shown(text)}' is not a finite number";
                        }

                        if (double.IsNaN(d))
                        {
                            return StageMissing();
                        }

                        _stagedNumber = d;
                        _stagedIsText = false;
                    }
                    else
                    {
                        _stagedNumber = double.NaN;
                        _stagedIsText = true;
                    }

                    _stagedMissing = false;
                    if (text.Length > _stagedChars.Length)
                    {
                        _stagedChars = new char[Math.Max(text.Length, _stagedChars.Length * 2)];
                    }

                    text.CopyTo(_stagedChars);
                    _stagedLength = text.Length;
                    return null;
            }
        }

        /// <summary>Stages a missing value; returns a problem when the column's role forbids one.</summary>
        public string? StageMissing()
        {
            if (IsTarget)
            {
                return "the target is missing; every training row needs a target (leave the target out of the options to load unlabelled data for scoring)";
            }

            if (Role == ColumnRole.Weight)
            {
                return "the weight is missing; every row needs a finite weight >= 0";
            }

            _stagedNumber = double.NaN;
            _stagedCode = CategoricalColumn.MissingCode;
            _stagedNew = null;
            _stagedMissing = true;
            return null;
        }

        /// <summary>Stages a typed value (reader or object property).</summary>
        public string? StageValue(object? value)
        {
            if (value is null or DBNull)
            {
                return StageMissing();
            }

            if (Kind is null && !IsTarget)
            {
                var decided = KindOfClrType(value.GetType());
                if (decided is null)
                {
                    return $"values of type {value.GetType().Name} are not supported (expected a number, bool, string, enum or date); leave the column out with Drop(\"{Name}\")";
                }

                DecideTyped(decided.Value);
            }

            switch (value)
            {
                case string s:
                    return StageText(s);
                case char c:
                    return StageText(c.ToString());
                case DateTime dt:
                    return StageDateValue(DateColumn.ToDays(dt));
                case DateTimeOffset dto:
                    return StageDateValue(DateColumn.ToDays(dto.UtcDateTime));
                case DateOnly date:
                    return StageDateValue(DateColumn.ToDays(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)));
                case bool b:
                    return StageNumericValue(b ? 1.0 : 0.0, value);
                case Enum e:
                    return StageText(e.ToString());
                case byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal or Half:
                    return StageNumericValue(Convert.ToDouble(value, CultureInfo.InvariantCulture), value);
                default:
                    return $"values of type {value.GetType().Name} are not supported (expected a number, bool, string, enum or date)";
            }
        }

        public void Commit()
        {
            switch (Kind)
            {
                case ColumnKind.Numeric:
                case ColumnKind.Date:
                    _numbers.Add(_stagedNumber);
                    _count++;
                    break;
                case ColumnKind.Categorical:
                    var code = _stagedCode;
                    if (_stagedNew is not null)
                    {
                        code = _categories!.Count;
                        _categories.Add(_stagedNew);
                        _lookup!.Add(_stagedNew, code);
                        _stagedNew = null;
                    }

                    _codes.Add(code);
                    _count++;
                    break;
                default:
                    CommitPending();
                    break;
            }
        }

        public DataColumn Build(int rows)
        {
            if (Kind is null)
            {
                DecideFromEvidence();
            }

            Debug.Assert(_count == rows, "every committed row adds one value to every column");
            return Kind switch
            {
                ColumnKind.Numeric => new NumericColumn(Name, _numbers.ToArray(), validate: false),
                ColumnKind.Date => new DateColumn(Name, _numbers.ToArray()),
                _ => SortCategories(Name, _codes.ToArray(), _categories!),
            };
        }

        private static CategoricalColumn SortCategories(string name, int[] codes, List<string> categories)
        {
            var sorted = categories.ToArray();
            var firstSeenCode = new int[sorted.Length];
            for (var i = 0; i < firstSeenCode.Length; i++)
            {
                firstSeenCode[i] = i;
            }

            Array.Sort(sorted, firstSeenCode, StringComparer.Ordinal);
            var remap = new int[sorted.Length];
            for (var i = 0; i < sorted.Length; i++)
            {
                remap[firstSeenCode[i]] = i;
            }

            for (var i = 0; i < codes.Length; i++)
            {
                if (codes[i] >= 0)
                {
                    codes[i] = remap[codes[i]];
                }
            }

            return new CategoricalColumn(name, codes, sorted);
        }

        private static ColumnKind? KindOfClrType(Type t) => t switch
        {
            _ when t == typeof(string) || t == typeof(char) || t.IsEnum => ColumnKind.Categorical,
            _ when t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(DateOnly) => ColumnKind.Date,
            _ when t == typeof(bool) || t == typeof(byte) || t == typeof(sbyte) || t == typeof(short) || t == typeof(ushort)
                || t == typeof(int) || t == typeof(uint) || t == typeof(long) || t == typeof(ulong) || t == typeof(float)
                || t == typeof(double) || t == typeof(decimal) || t == typeof(Half) => ColumnKind.Numeric,
            _ => null,
        };

        private void SetKind(ColumnKind? kind)
        {
            Kind = kind;
            if (kind == ColumnKind.Categorical)
            {
                _lookup = new Dictionary<string, int>(StringComparer.Ordinal);
                _categories = [];
            }
        }

        /// <summary>Typed sources decide an undecided column from the first non-null value's type; earlier rows were all missing.</summary>
        private void DecideTyped(ColumnKind kind)
        {
            SetKind(kind);
            if (kind == ColumnKind.Categorical)
            {
                _codes.AddRepeated(CategoricalColumn.MissingCode, _count);
            }
            else
            {
                _numbers.AddRepeated(double.NaN, _count);
            }
        }

        private void CommitPending()
        {
            if (_count == _pendingStarts.Length)
            {
                Array.Resize(ref _pendingStarts, Math.Max(1024, _pendingStarts.Length * 2));
                Array.Resize(ref _pendingLengths, _pendingStarts.Length);
            }

            _numbers.Add(_stagedMissing ? double.NaN : _stagedNumber);
            _pendingStarts[_count] = _pendingCharCount;
            _pendingLengths[_count] = _stagedMissing ? -1 : _stagedLength;
            if (!_stagedMissing)
            {
                if (_pendingCharCount + _stagedLength > _pendingChars.Length)
                {
                    Array.Resize(ref _pendingChars, Math.Max(1024, Math.Max(_pendingChars.Length * 2, _pendingCharCount + _stagedLength)));
                }

                _stagedChars.AsSpan(0, _stagedLength).CopyTo(_pendingChars.AsSpan(_pendingCharCount));
                _pendingCharCount += _stagedLength;
            }

            _count++;
            if (!_stagedMissing)
            {
                _pendingNonMissing++;
                if (_stagedIsText)
                {
                    (_evidence ??= new TypeEvidence()).AddOther(_stagedChars.AsSpan(0, _stagedLength), _owner._location);
                }

                var window = _owner._options.TypeInferenceValues;
                if (_pendingNonMissing >= window || (_evidence is { } e && e.Others * 2L > window))
                {
                    DecideFromEvidence();
                }
            }
        }

        /// <summary>
        /// Decides an undecided text column from its inference window: numbers only = numeric; no numbers = categorical; a
        /// feature column mixing numbers with other values is an error when the numbers (with values that look like numbers
        /// in another format) are at least half, and categorical with a note otherwise. Never a silent retype.
        /// </summary>
        private void DecideFromEvidence()
        {
            var e = _evidence;
            if (e is null)
            {
                Decide(ColumnKind.Numeric);
                return;
            }

            var numbers = _pendingNonMissing - e.Others;
            var numeric = numbers + e.NumberLike;
            if (Role == ColumnRole.Feature && numeric > 0 && 2L * numeric >= _pendingNonMissing)
            {
                throw e.MixedColumnError(_owner._source, _owner._locationWord, Name, _pendingNonMissing, numbers);
            }

            Decide(ColumnKind.Categorical);
            if (Role != ColumnRole.Feature)
            {
                return;
            }

            if (numbers > 0)
            {
                _owner._notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Column '{Name}' was read as categories: {e.Others} of its first {_pendingNonMissing} values are text, but {numbers} {(numbers == 1 ? "is a number, which is now a category" : "are numbers, which are now categories")} too. If it is numeric, declare it with Numeric(\"{Name}\") (CLI --numeric {Name}) and its text values missing (MissingTokens, CLI --missing-tokens)."));
            }
            else if (e.DateLike == e.Others)
            {
                _owner._notes.Add($"Column '{Name}' holds dates such as '{e.FirstToken}' and was read as categories; declare it with Date(\"{Name}\") (CLI --date {Name}) and derive features from it, or Drop it.");
            }
        }

        /// <summary>
        /// Text sources decide once the inference window is full or a non-number appears. Numbers are
        /// already in <see cref="_numbers"/>; a categorical decision interns the buffered text.
        /// </summary>
        private void Decide(ColumnKind kind)
        {
            SetKind(kind);
            if (kind == ColumnKind.Categorical)
            {
                var alternate = _lookup!.GetAlternateLookup<ReadOnlySpan<char>>();
                for (var i = 0; i < _count; i++)
                {
                    if (_pendingLengths[i] < 0)
                    {
                        _codes.Add(CategoricalColumn.MissingCode);
                        continue;
                    }

                    var text = _pendingChars.AsSpan(_pendingStarts[i], _pendingLengths[i]);
                    if (!alternate.TryGetValue(text, out var code))
                    {
                        code = _categories!.Count;
                        var value = text.ToString();
                        _categories.Add(value);
                        _lookup.Add(value, code);
                    }

                    _codes.Add(code);
                }

                _numbers.Clear();
            }

            _pendingStarts = [];
            _pendingLengths = [];
            _pendingChars = [];
        }

        private string? StageTarget(ReadOnlySpan<char> text)
        {
            if (_positiveLabel is not null)
            {
                if (text.SequenceEqual(_positiveLabel))
                {
                    _stagedNumber = 1.0;
                    return null;
                }

                if (text.SequenceEqual(_negativeLabel))
                {
                    _stagedNumber = 0.0;
                    return null;
                }

                return $"target value '{Shown(text)}' is neither the positive label '{_positiveLabel}' nor the negative label '{_negativeLabel}'";
            }

            if (FastDouble.TryParse(text, out var d) && (d == 0.0 || d == 1.0))
            {
                _stagedNumber = d;
                return null;
            }

            return $"target value '{Shown(text)}' is not 0 or 1 (for text labels use Target(\"{Name}\", positiveLabel, negativeLabel))";
        }

        private string? StageNumber(ReadOnlySpan<char> text)
        {
            if (!FastDouble.TryParse(text, out var d))
            {
                var shown = Shown(text);
                return _origin switch
                {
                    KindOrigin.Schema => $"value '{shown}' is not a number ({_owner._options.TypesOfSource} reads '{Name}' as numbers; a missing value must be one of the missing tokens: {TokenList(_owner._missingTokens)})",
                    KindOrigin.Declared => $"value '{shown}' is not a number (the column is declared numeric; if it holds text, declare it with Categorical(\"{Name}\"))",
                    _ => $"value '{shown}' is not a number (the column is numeric: inferred from its first {_owner._options.TypeInferenceValues} values; if it holds text, declare it with Categorical(\"{Name}\"))",
                };
            }

            return StageParsedNumber(d, text);
        }

        /// <summary>Stages a number from text or a typed value: NaN is missing; infinities and negative weights are problems.</summary>
        private string? StageParsedNumber(double d, ReadOnlySpan<char> shown)
        {
            if (double.IsNaN(d))
            {
                return StageMissing();
            }

            if (double.IsInfinity(d))
            {
                return $"value '{Shown(shown)}' is not a finite number";
            }

            if (Role == ColumnRole.Weight && d < 0)
            {
                return $"weight '{Shown(shown)}' is negative; weights must be >= 0";
            }

            _stagedNumber = d;
            return null;
        }

        private string? StageNumericValue(double d, object original)
        {
            if (IsTarget)
            {
                if (_positiveLabel is null && d is 0.0 or 1.0)
                {
                    _stagedNumber = d;
                    return null;
                }

                return StageTarget(InvariantText.Format(original));
            }

            switch (Kind)
            {
                case ColumnKind.Numeric:
                    return StageParsedNumber(d, InvariantText.Format(original));
                case ColumnKind.Categorical:
                    return StageText(original is double or float ? d.ToString("R", CultureInfo.InvariantCulture) : InvariantText.Format(original));
                case ColumnKind.Date:
                    return $"value '{InvariantText.Format(original)}' is a number but the column is a date column";
                default:
                    return StageText(InvariantText.Format(original));
            }
        }

        private string? StageCategory(ReadOnlySpan<char> text)
        {
            var alternate = _lookup!.GetAlternateLookup<ReadOnlySpan<char>>();
            if (alternate.TryGetValue(text, out var code))
            {
                _stagedCode = code;
                _stagedNew = null;
            }
            else
            {
                _stagedCode = -2;
                _stagedNew = text.ToString();
            }

            return null;
        }

        private string? StageDate(ReadOnlySpan<char> text)
        {
            const DateTimeStyles styles = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces;
            var ok = _dateFormat is null
                ? DateTime.TryParse(text, CultureInfo.InvariantCulture, styles, out var dt)
                : DateTime.TryParseExact(text, _dateFormat, CultureInfo.InvariantCulture, styles, out dt);
            if (!ok)
            {
                return _dateFormat is null
                    ? $"value '{Shown(text)}' is not a date (expected an invariant-culture date such as 2024-01-31; give an exact format with Date(\"{Name}\", \"yyyy-MM-dd\"))"
                    : $"value '{Shown(text)}' is not a date in the format '{_dateFormat}'";
            }

            _stagedNumber = DateColumn.ToDays(dt);
            return null;
        }

        private string? StageDateValue(double days)
        {
            if (IsTarget)
            {
                return "the target holds a date; it must hold 0/1 or two labels";
            }

            switch (Kind)
            {
                case ColumnKind.Date:
                    _stagedNumber = days;
                    return null;
                case ColumnKind.Categorical:
                    return StageText(DateColumn.FromDays(days).ToString("O", CultureInfo.InvariantCulture));
                default:
                    return "the value is a date but the column is numeric";
            }
        }
    }
}
