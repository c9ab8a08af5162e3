using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CreditScoring.Sdk.Tracking;

/// <summary>What a filter clause or an order key refers to.</summary>
public enum RunField
{
    /// <summary>A metric's latest value (<c>metrics.auc</c>).</summary>
    Metric,

    /// <summary>A parameter (<c>params.learner</c>).</summary>
    Param,

    /// <summary>A tag (<c>tags.stage</c>).</summary>
    Tag,

    /// <summary>An attribute of the run (<c>attributes.status</c>, <c>start_time</c>, <c>run_name</c>...).</summary>
    Attribute,

    /// <summary>A data set input (<c>datasets.name</c>, <c>digest</c>, <c>context</c>).</summary>
    Dataset,
}

/// <summary>How a clause compares.</summary>
public enum FilterComparator
{
    /// <summary><c>=</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,

    /// <summary><c>&gt;</c></summary>
    Greater,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,

    /// <summary><c>&lt;</c></summary>
    Less,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,

    /// <summary><c>LIKE</c>: SQL pattern (<c>%</c> any text, <c>_</c> one character), case-sensitive.</summary>
    Like,

    /// <summary><c>ILIKE</c>: as <c>LIKE</c>, ignoring case.</summary>
    ILike,

    /// <summary><c>IN ('a', 'b')</c></summary>
    In,

    /// <summary><c>NOT IN ('a', 'b')</c></summary>
    NotIn,
}

/// <summary>One clause of a filter: a field, a comparator and a value.</summary>
/// <param name="Field">What the clause reads.</param>
/// <param name="Key">The metric, parameter, tag, attribute or data set key (attribute aliases resolved: <c>created</c> is <c>start_time</c>).</param>
/// <param name="Comparator">How it compares.</param>
/// <param name="Number">The number compared with, for metrics and numeric attributes; otherwise NaN.</param>
/// <param name="Text">The text compared with, for the others; otherwise <see langword="null"/>.</param>
/// <param name="List">The values of <c>IN</c> and <c>NOT IN</c>; otherwise empty.</param>
public sealed record FilterClause(RunField Field, string Key, FilterComparator Comparator, double Number, string? Text, IReadOnlyList<string> List);

/// <summary>
/// A run search filter in MLflow's grammar: clauses joined by <c>and</c>, each <c>field.key comparator value</c>, for
/// example <c>metrics.auc &gt; 0.8 and params.learner = 'gbdt' and tags.stage = 'cv'</c>. Fields: <c>metrics</c>
/// (numbers; <c>= != &gt; &gt;= &lt; &lt;=</c>), <c>params</c> and <c>tags</c> (quoted text; <c>= != LIKE ILIKE</c>),
/// <c>attributes</c> (<c>run_id run_name status user_id artifact_uri</c> as text, <c>IN</c> and <c>NOT IN</c> for
/// <c>run_id</c>; <c>start_time end_time</c> as numbers; a key without a field is an attribute), <c>datasets</c>
/// (<c>name digest context</c>). Keys with other characters go in backticks or double quotes
/// (<c>metrics.`val auc`</c>). Runs without the metric, parameter or tag a clause reads do not match it, as in MLflow.
/// </summary>
public sealed partial class RunFilter
{
    private static readonly string[] StringAttributes = ["run_id", "run_name", "status", "user_id", "artifact_uri", "lifecycle_stage"];
    private static readonly string[] NumericAttributes = ["start_time", "end_time"];
    private static readonly string[] DatasetKeys = ["name", "digest", "context"];

    private RunFilter(IReadOnlyList<FilterClause> clauses)
    {
        Clauses = clauses;
    }

    /// <summary>The clauses, all of which a run must meet.</summary>
    public IReadOnlyList<FilterClause> Clauses { get; }

    /// <summary>The filter that every run meets.</summary>
    public static RunFilter All { get; } = new([]);

    /// <summary>Parses a filter.</summary>
    /// <param name="filter">The filter text; empty or <see langword="null"/> for all runs.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="TrackingException">The text is not a filter; the message gives the position and what was expected.</exception>
    public static RunFilter Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return All;
        }

        var tokens = new Tokens(filter);
        var clauses = new List<FilterClause>();
        while (true)
        {
            clauses.Add(ParseClause(tokens, filter));
            if (tokens.AtEnd)
            {
                break;
            }

            var (word, at) = tokens.Word();
            if (!word.Equals("and", StringComparison.OrdinalIgnoreCase))
            {
                throw Error(filter, at, $"expected 'and' between clauses, found '{word}'" + (word.Equals("or", StringComparison.OrdinalIgnoreCase) ? " (MLflow's filter joins clauses with 'and' only)" : ""));
            }
        }

        return new RunFilter(clauses);
    }

    /// <summary>Whether a run meets every clause.</summary>
    /// <param name="run">The run.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public bool Matches(TrackedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (var clause in Clauses)
        {
            if (!Matches(clause, run))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The filter as text in the grammar it was parsed from (canonical field names, quoted values).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Join(" and ", Clauses.Select(Text));

    /// <summary>A field and key as the grammar writes them: <c>metrics.`auc`</c>.</summary>
    internal static string Identifier(RunField field, string key)
    {
        var prefix = field switch
        {
            RunField.Metric => "metrics",
            RunField.Param => "params",
            RunField.Tag => "tags",
            RunField.Dataset => "datasets",
            _ => "attributes",
        };
        return $"{prefix}.`{key}`";
    }

    private static string Text(FilterClause c)
    {
        var value = c.Comparator is FilterComparator.In or FilterComparator.NotIn ? "(" + string.Join(", ", c.List.Select(Quote)) + ")"
            : c.Text is null ? c.Number.ToString("R", CultureInfo.InvariantCulture) : Quote(c.Text);
        return $"{Identifier(c.Field, c.Key)} {Symbol(c.Comparator)} {value}";
    }

    /// <summary>A comparator as the grammar (and SQL) writes it: <c>=</c>, <c>!=</c>, <c>&gt;</c>, ..., <c>LIKE</c>, <c>ILIKE</c>, <c>IN</c>, <c>NOT IN</c>.</summary>
    /// <param name="comparator">The comparator.</param>
    /// <returns>Its text.</returns>
    public static string Symbol(FilterComparator comparator) => comparator switch
    {
        FilterComparator.Equal => "=",
        FilterComparator.NotEqual => "!=",
        FilterComparator.Greater => ">",
        FilterComparator.GreaterOrEqual => ">=",
        FilterComparator.Less => "<",
        FilterComparator.LessOrEqual => "<=",
        FilterComparator.Like => "LIKE",
        FilterComparator.ILike => "ILIKE",
        FilterComparator.In => "IN",
        _ => "NOT IN",
    };

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static FilterClause ParseClause(Tokens tokens, string filter)
    {
        var (field, key, _) = ParseIdentifier(tokens, filter);
        var (op, symbol, opAt) = ParseComparator(tokens, filter);
        var numeric = field == RunField.Metric || (field == RunField.Attribute && NumericAttributes.Contains(key));
        var allowed = field switch
        {
            RunField.Metric => [FilterComparator.Equal, FilterComparator.NotEqual, FilterComparator.Greater, FilterComparator.GreaterOrEqual, FilterComparator.Less, FilterComparator.LessOrEqual],
            RunField.Param or RunField.Tag => [FilterComparator.Equal, FilterComparator.NotEqual, FilterComparator.Like, FilterComparator.ILike],
            RunField.Attribute when numeric => [FilterComparator.Equal, FilterComparator.NotEqual, FilterComparator.Greater, FilterComparator.GreaterOrEqual, FilterComparator.Less, FilterComparator.LessOrEqual],
            RunField.Attribute when key == "run_id" => [FilterComparator.Equal, FilterComparator.NotEqual, FilterComparator.Like, FilterComparator.ILike, FilterComparator.In, FilterComparator.NotIn],
            _ when field == RunField.Dataset => [FilterComparator.Equal, FilterComparator.NotEqual, FilterComparator.Like, FilterComparator.ILike, FilterComparator.In, FilterComparator.NotIn],
            _ => new[] { FilterComparator.Equal, FilterComparator.NotEqual, FilterComparator.Like, FilterComparator.ILike },
        };
        if (!allowed.Contains(op))
        {
            throw Error(filter, opAt, $"'{symbol}' cannot compare {FieldName(field)} '{key}'; it takes {string.Join(", ", allowed.Select(Symbol))}");
        }

        if (op is FilterComparator.In or FilterComparator.NotIn)
        {
            return new FilterClause(field, key, op, double.NaN, null, ParseList(tokens, filter));
        }

        var (kind, value, valueAt) = tokens.Value();
        if (numeric)
        {
            if (kind != Tokens.Kind.Number)
            {
                throw Error(filter, valueAt, $"expected a number to compare {FieldName(field)} '{key}' with, found '{value}'");
            }

            return new FilterClause(field, key, op, double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture), null, []);
        }

        if (kind != Tokens.Kind.Text)
        {
            throw Error(filter, valueAt, $"expected a quoted text value (e.g. 'my-value') to compare {FieldName(field)} '{key}' with, found '{value}'");
        }

        return new FilterClause(field, key, op, double.NaN, value, []);
    }

    private static string FieldName(RunField field) => field switch
    {
        RunField.Metric => "metric",
        RunField.Param => "parameter",
        RunField.Tag => "tag",
        RunField.Dataset => "data set",
        _ => "attribute",
    };

    /// <summary><c>field.key</c>, or a bare attribute key; shared with <see cref="RunOrder"/>.</summary>
    internal static (RunField Field, string Key, int At) ParseIdentifier(Tokens tokens, string text)
    {
        var (prefix, at, quoted) = tokens.Name();
        if (quoted || !tokens.TryDot())
        {
            return (RunField.Attribute, Attribute(prefix, text, at), at);
        }

        var field = prefix.ToLowerInvariant() switch
        {
            "metric" or "metrics" => RunField.Metric,
            "param" or "params" or "parameter" or "parameters" => RunField.Param,
            "tag" or "tags" => RunField.Tag,
            "attribute" or "attributes" or "attr" or "run" => RunField.Attribute,
            "dataset" or "datasets" => RunField.Dataset,
            _ => throw Error(text, at, $"unknown field '{prefix}'; expected metrics, params, tags, attributes or datasets"),
        };
        var (key, keyAt, _) = tokens.Key();
        if (field == RunField.Attribute)
        {
            key = Attribute(key, text, keyAt);
        }
        else if (field == RunField.Dataset && !DatasetKeys.Contains(key))
        {
            throw Error(text, keyAt, $"unknown data set key '{key}'; expected name, digest or context");
        }

        return (field, key, keyAt);
    }

    private static string Attribute(string key, string text, int at)
    {
        var resolved = key switch
        {
            "created" or "Created" => "start_time",
            "run name" or "Run name" or "Run Name" => "run_name",
            _ => key,
        };
        if (!StringAttributes.Contains(resolved) && !NumericAttributes.Contains(resolved))
        {
            throw Error(text, at, $"unknown attribute '{key}'; expected {string.Join(", ", StringAttributes.Concat(NumericAttributes))}");
        }

        return resolved;
    }

    private static (FilterComparator Op, string Symbol, int At) ParseComparator(Tokens tokens, string filter)
    {
        var (symbol, at) = tokens.Comparator();
        return (symbol.ToUpperInvariant() switch
        {
            "=" or "==" => FilterComparator.Equal,
            "!=" or "<>" => FilterComparator.NotEqual,
            ">" => FilterComparator.Greater,
            ">=" => FilterComparator.GreaterOrEqual,
            "<" => FilterComparator.Less,
            "<=" => FilterComparator.LessOrEqual,
            "LIKE" => FilterComparator.Like,
            "ILIKE" => FilterComparator.ILike,
            "IN" => FilterComparator.In,
            "NOT IN" => FilterComparator.NotIn,
            _ => throw Error(filter, at, $"expected a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN), found '{symbol}'"),
        }, symbol, at);
    }

    private static string[] ParseList(Tokens tokens, string filter)
    {
        tokens.Expect('(', "'(' to open the list of IN");
        var values = new List<string>();
        while (true)
        {
            var (kind, value, at) = tokens.Value();
            if (kind != Tokens.Kind.Text)
            {
                throw Error(filter, at, $"expected a quoted text value in the list, found '{value}'");
            }

            values.Add(value);
            if (tokens.TryConsume(')'))
            {
                return [.. values];
            }

            tokens.Expect(',', "',' or ')' in the list of IN");
        }
    }

    private static bool Matches(FilterClause c, TrackedRun run)
    {
        switch (c.Field)
        {
            case RunField.Metric:
                return Latest(run, c.Key) is { } m && Compare(m.Value, c);
            case RunField.Param:
                return run.Params.FirstOrDefault(p => p.Key == c.Key) is { } p && Compare(p.Value, c);
            case RunField.Tag:
                return run.Tags.FirstOrDefault(t => t.Key == c.Key) is { } t && Compare(t.Value, c);
            case RunField.Dataset:
                return run.Inputs.Any(d => Compare(c.Key switch { "name" => d.Name, "digest" => d.Digest, _ => d.Context }, c));
            default:
                var info = run.Info;
                return c.Key switch
                {
                    "start_time" => Compare(info.StartTime, c),
                    "end_time" => info.EndTime is { } end && Compare(end, c),
                    "run_id" => Compare(info.RunId, c),
                    "run_name" => Compare(info.RunName, c),
                    "status" => Compare(StatusName(info.Status), c),
                    "user_id" => Compare(info.UserId, c),
                    "artifact_uri" => Compare(info.ArtifactUri, c),
                    _ => Compare(info.LifecycleStage, c),
                };
        }
    }

    /// <summary>A status as MLflow writes it: <c>RUNNING</c>, <c>FINISHED</c>...</summary>
    /// <param name="status">The status.</param>
    /// <returns>The name.</returns>
    public static string StatusName(RunStatus status) => status.ToString().ToUpperInvariant();

    /// <summary>The run's value of a metric (its latest), or <see langword="null"/>.</summary>
    internal static Metric? Latest(TrackedRun run, string key) => run.Metrics.FirstOrDefault(m => m.Key == key);

    /// <summary>A number against a clause; a NaN value meets no comparison (as SQL's NULL), in every store.</summary>
    private static bool Compare(double value, FilterClause c) => !double.IsNaN(value) && c.Comparator switch
    {
        FilterComparator.Equal => value == c.Number,
        FilterComparator.NotEqual => value != c.Number,
        FilterComparator.Greater => value > c.Number,
        FilterComparator.GreaterOrEqual => value >= c.Number,
        FilterComparator.Less => value < c.Number,
        _ => value <= c.Number,
    };

    private static bool Compare(string value, FilterClause c) => c.Comparator switch
    {
        FilterComparator.Equal => value == c.Text,
        FilterComparator.NotEqual => value != c.Text,
        FilterComparator.Like => Like(value, c.Text!, ignoreCase: false),
        FilterComparator.ILike => Like(value, c.Text!, ignoreCase: true),
        FilterComparator.In => c.List.Contains(value),
        _ => !c.List.Contains(value),
    };

    /// <summary>SQL <c>LIKE</c>: <c>%</c> any text, <c>_</c> one character, the rest literal.</summary>
    internal static bool Like(string value, string pattern, bool ignoreCase)
    {
        var regex = new StringBuilder("^");
        foreach (var ch in pattern)
        {
            regex.Append(ch switch { '%' => ".*", '_' => ".", _ => Regex.Escape(ch.ToString()) });
        }

        regex.Append('$');
        return Regex.IsMatch(value, regex.ToString(), (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    internal static TrackingException Error(string text, int at, string what) =>
        TrackingException.Invalid($"Invalid search expression '{text}' at character {at + 1}: {what}.");

    /// <summary>A cursor over filter or order text.</summary>
    internal sealed class Tokens(string text)
    {
        private int _at;

        public enum Kind
        {
            Number,
            Text,
            Other,
        }

        public bool AtEnd
        {
            get
            {
                SkipSpace();
                return _at >= text.Length;
            }
        }

        public int Position => _at;

        /// <summary>A name: letters, digits, <c>_ - /</c>, or anything between backticks or double quotes.</summary>
        public (string Name, int At, bool Quoted) Name()
        {
            SkipSpace();
            var at = _at;
            if (_at < text.Length && text[_at] is '`' or '"' or '\'')
            {
                return (Quoted(text[_at]), at, true);
            }

            while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] is '_' or '-' or '/' or ':'))
            {
                _at++;
            }

            if (_at == at)
            {
                throw Error(text, at, _at < text.Length ? $"expected a name, found '{text[_at]}'" : "expected a name, found the end");
            }

            return (text[at.._at], at, false);
        }

        /// <summary>Consumes the dot after a field; a key may itself hold dots, which stay in the key.</summary>
        public bool TryDot()
        {
            if (_at < text.Length && text[_at] == '.')
            {
                _at++;
                if (_at < text.Length && text[_at] is not ('`' or '"' or '\''))
                {
                    // The key runs to the next space or comparator, dots included (metrics.val.auc is the key val.auc).
                    var start = _at;
                    while (_at < text.Length && !char.IsWhiteSpace(text[_at]) && text[_at] is not ('=' or '!' or '<' or '>' or '(' or ')' or ','))
                    {
                        _at++;
                    }

                    _pendingKey = (text[start.._at], start);
                }

                return true;
            }

            return false;
        }

        private (string Key, int At)? _pendingKey;

        /// <summary>A word (such as <c>and</c>, <c>asc</c>).</summary>
        public (string Word, int At) Word()
        {
            SkipSpace();
            var at = _at;
            while (_at < text.Length && !char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }

            return (text[at.._at], at);
        }

        public (string Symbol, int At) Comparator()
        {
            SkipSpace();
            var at = _at;
            if (_at < text.Length && text[_at] is '=' or '!' or '<' or '>')
            {
                _at++;
                if (_at < text.Length && text[_at] is '=' or '>')
                {
                    _at++;
                }

                return (text[at.._at], at);
            }

            var (word, wordAt) = Word();
            if (word.Equals("not", StringComparison.OrdinalIgnoreCase))
            {
                var (next, _) = Word();
                return ("NOT " + next, wordAt);
            }

            return (word, wordAt);
        }

        public (Kind Kind, string Value, int At) Value()
        {
            SkipSpace();
            var at = _at;
            if (_at >= text.Length)
            {
                throw Error(text, at, "expected a value, found the end");
            }

            if (text[_at] is '\'' or '"')
            {
                return (Kind.Text, Quoted(text[_at]), at);
            }

            while (_at < text.Length && !char.IsWhiteSpace(text[_at]) && text[_at] is not (',' or ')'))
            {
                _at++;
            }

            var raw = text[at.._at];
            return (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? Kind.Number : Kind.Other, raw, at);
        }

        public void Expect(char c, string what)
        {
            if (!TryConsume(c))
            {
                throw Error(text, _at, $"expected {what}, found " + (_at < text.Length ? $"'{text[_at]}'" : "the end"));
            }
        }

        public bool TryConsume(char c)
        {
            SkipSpace();
            if (_at < text.Length && text[_at] == c)
            {
                _at++;
                return true;
            }

            return false;
        }

        /// <summary>Text between quotes; a doubled quote inside stands for one.</summary>
        private string Quoted(char quote)
        {
            var at = _at;
            _at++;
            var value = new StringBuilder();
            while (true)
            {
                if (_at >= text.Length)
                {
                    throw Error(text, at, $"the quote {quote} is never closed");
                }

                if (text[_at] == quote)
                {
                    if (_at + 1 < text.Length && text[_at + 1] == quote)
                    {
                        value.Append(quote);
                        _at += 2;
                        continue;
                    }

                    _at++;
                    return value.ToString();
                }

                value.Append(text[_at++]);
            }
        }

        private void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }

        /// <summary>The key read by <see cref="TryDot"/>, if any, else the next name.</summary>
        public (string Name, int At, bool Quoted) Key()
        {
            if (_pendingKey is { } pending)
            {
                _pendingKey = null;
                return (pending.Key, pending.At, false);
            }

            return Name();
        }
    }
}
