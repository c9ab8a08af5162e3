namespace CreditScoring.Sdk.Data;

/// <summary>
/// Streaming RFC 4180 tokenizer: records end at LF, CRLF or CR; a field that starts with the
/// quote character may hold delimiters, line breaks and doubled quotes; a quote inside an
/// unquoted field is kept literally; blank lines are skipped. Fields of the current record are
/// ranges into <see cref="Buffer"/>, valid until the next call to <see cref="Read"/>.
/// </summary>
internal sealed class CsvRecordReader
{
    private readonly TextReader _reader;
    private readonly char _delimiter;
    private readonly char _quote;
    private readonly char[] _input = new char[1 << 16];
    private char[] _row = new char[1024];
    private Range[] _fields = new Range[64];
    private int _pos;
    private int _len;
    private int _rowLength;
    private int _fieldCount;
    private long _line = 1;

    public CsvRecordReader(TextReader reader, char delimiter, char quote)
    {
        if (delimiter == quote || delimiter is '\r' or '\n' || quote is '\r' or '\n')
        {
            throw new ArgumentException($"The delimiter ('{delimiter}') and the quote ('{quote}') must differ and must not be line breaks.");
        }

        _reader = reader;
        _delimiter = delimiter;
        _quote = quote;
    }

    public enum Outcome
    {
        Record,
        EndOfFile,

        /// <summary>A quoted field was still open at the end of the input; the reader is at the end.</summary>
        UnterminatedQuote,

        /// <summary>Something other than a delimiter or line break followed a closing quote; the rest of the line was skipped.</summary>
        Malformed,
    }

    /// <summary>Whether the first block read held a NUL character: binary data, or UTF-16 text without a byte-order mark.</summary>
    public bool LooksBinary { get; private set; }

    /// <summary>The 1-based line on which the current record starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>For <see cref="Outcome.Malformed"/>: what was wrong.</summary>
    public string Problem { get; private set; } = string.Empty;

    public ReadOnlySpan<char> Buffer => _row.AsSpan(0, _rowLength);

    public ReadOnlySpan<Range> Fields => _fields.AsSpan(0, _fieldCount);

    public Outcome Read()
    {
        _rowLength = 0;
        _fieldCount = 0;
        while (true)
        {
            if (!Fill())
            {
                return Outcome.EndOfFile;
            }

            var c = _input[_pos];
            if (c == '\n')
            {
                _pos++;
                _line++;
            }
            else if (c == '\r')
            {
                ConsumeLineBreak();
            }
            else
            {
                break;
            }
        }

        RecordLine = _line;
        while (true)
        {
            var start = _rowLength;
            if (Fill() && _input[_pos] == _quote)
            {
                _pos++;
                if (!ReadQuoted())
                {
                    return Outcome.UnterminatedQuote;
                }

                if (!Fill())
                {
                    AddField(start);
                    return Outcome.Record;
                }

                var after = _input[_pos];
                if (after == _delimiter)
                {
                    _pos++;
                    AddField(start);
                    continue;
                }

                if (after is '\n' or '\r')
                {
                    AddField(start);
                    ConsumeLineBreak();
                    return Outcome.Record;
                }

                Problem = $"has the character '{TableBuilder.Shown([after])}' right after the closing quote of field {_fieldCount + 1} (expected the delimiter '{TableBuilder.Shown([_delimiter])}' or the end of the line)";
                SkipRestOfLine();
                return Outcome.Malformed;
            }

            // Unquoted field: up to the next delimiter or line break.
            while (true)
            {
                if (!Fill())
                {
                    AddField(start);
                    return Outcome.Record;
                }

                var span = _input.AsSpan(_pos, _len - _pos);
                var k = span.IndexOfAny(_delimiter, '\n', '\r');
                if (k < 0)
                {
                    Append(span);
                    _pos = _len;
                    continue;
                }

                Append(span[..k]);
                _pos += k;
                if (_input[_pos] == _delimiter)
                {
                    _pos++;
                    AddField(start);
                    break;
                }

                AddField(start);
                ConsumeLineBreak();
                return Outcome.Record;
            }
        }
    }

    /// <summary>Reads a quoted field's content after its opening quote, up to and including the closing quote.</summary>
    private bool ReadQuoted()
    {
        while (true)
        {
            if (!Fill())
            {
                return false;
            }

            var span = _input.AsSpan(_pos, _len - _pos);
            var q = span.IndexOfAny(_quote, '\n');
            if (q < 0)
            {
                Append(span);
                _pos = _len;
                continue;
            }

            Append(span[..q]);
            _pos += q;
            if (_input[_pos] == '\n')
            {
                Append('\n');
                _line++;
                _pos++;
                continue;
            }

            _pos++;
            if (Fill() && _input[_pos] == _quote)
            {
                Append(_quote);
                _pos++;
                continue;
            }

            return true;
        }
    }

    private void SkipRestOfLine()
    {
        while (Fill())
        {
            var c = _input[_pos];
            if (c is '\n' or '\r')
            {
                ConsumeLineBreak();
                return;
            }

            _pos++;
        }
    }

    private void ConsumeLineBreak()
    {
        if (_input[_pos] == '\r')
        {
            _pos++;
            if (Fill() && _input[_pos] == '\n')
            {
                _pos++;
            }
        }
        else
        {
            _pos++;
        }

        _line++;
    }

    private bool Fill()
    {
        if (_pos < _len)
        {
            return true;
        }

        var first = _line == 1 && _len == 0 && _pos == 0;
        _len = _reader.Read(_input, 0, _input.Length);
        _pos = 0;
        if (first && _input.AsSpan(0, _len).Contains('\0'))
        {
            LooksBinary = true;
        }

        return _len > 0;
    }

    private void Append(ReadOnlySpan<char> chars)
    {
        if (_rowLength + chars.Length > _row.Length)
        {
            Array.Resize(ref _row, Math.Max(_row.Length * 2, _rowLength + chars.Length));
        }

        chars.CopyTo(_row.AsSpan(_rowLength));
        _rowLength += chars.Length;
    }

    private void Append(char c)
    {
        if (_rowLength == _row.Length)
        {
            Array.Resize(ref _row, _row.Length * 2);
        }

        _row[_rowLength++] = c;
    }

    private void AddField(int start)
    {
        if (_fieldCount == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
        }

        _fields[_fieldCount++] = new Range(start, _rowLength);
    }
}
