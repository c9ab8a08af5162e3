using System.Text;
using System.Text.RegularExpressions;

namespace CreditScoring.Sdk.Tests.Architecture;

/// <summary>One C# source file as the layer test sees it.</summary>
/// <param name="Path">The path, relative to the folder read.</param>
/// <param name="Namespace">The file-scoped namespace.</param>
/// <param name="Code">The source as read.</param>
/// <param name="Imports">The namespaces of its <c>using</c> directives.</param>
/// <param name="Identifiers">Every identifier that starts with a capital letter, outside comments and string literals.</param>
/// <param name="TopLevelTypes">The types it declares at namespace level.</param>
/// <param name="PublicTypes">Those of <paramref name="TopLevelTypes"/> that are public.</param>
internal sealed record SourceFile(string Path, string Namespace, string Code, IReadOnlyList<string> Imports, IReadOnlySet<string> Identifiers, IReadOnlyList<string> TopLevelTypes, IReadOnlyList<string> PublicTypes);

/// <summary>Reads C# sources into <see cref="SourceFile"/>s: a small lexer, enough for the SDK's code style (file-scoped namespaces).</summary>
internal static partial class SourceIndex
{
    public static IReadOnlyList<SourceFile> Read(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{System.IO.Path.DirectorySeparatorChar}bin{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => Parse(System.IO.Path.GetRelativePath(folder, p), File.ReadAllText(p)))
            .ToList();

    public static SourceFile Parse(string path, string code)
    {
        var stripped = Strip(code);
        var ns = NamespaceDeclaration().Match(stripped);
        Assert.True(ns.Success, $"{path} has no file-scoped namespace");
        var imports = UsingDirective().Matches(stripped).Select(m => m.Groups[1].Value).ToList();
        var identifiers = Identifier().Matches(stripped).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var declarations = TypeDeclaration().Matches(stripped).ToList();
        return new SourceFile(
            path,
            ns.Groups[1].Value,
            code,
            imports,
            identifiers,
            declarations.Select(m => m.Groups[2].Value).ToList(),
            declarations.Where(m => m.Groups[1].Value.Contains("public", StringComparison.Ordinal)).Select(m => m.Groups[2].Value).ToList());
    }

    /// <summary>Top-level type name to namespace, over all files.</summary>
    public static Dictionary<string, string> TypesByName(IEnumerable<SourceFile> files)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var type in file.TopLevelTypes)
            {
                types.TryAdd(type, file.Namespace);
            }
        }

        return types;
    }

    /// <summary>
    /// The code with comments and the text of string and character literals blanked (line breaks kept); the
    /// expressions in the holes of interpolated strings stay, since they are code.
    /// </summary>
    public static string Strip(string code)
    {
        var output = new StringBuilder(code.Length);
        var i = 0;
        StripCode(code, ref i, output, stopAtBrace: false);
        return output.ToString();
    }

    private static void StripCode(string s, ref int i, StringBuilder output, bool stopAtBrace)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '/' && At(s, i + 1, '/'))
            {
                while (i < s.Length && s[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(s, i + 1, '*'))
            {
                var end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                var stop = end < 0 ? s.Length : end + 2;
                Blank(s, i, stop, output);
                i = stop;
            }
            else if (c == '\'' && !IsIdentifierChar(s, i - 1))
            {
                i++;
                while (i < s.Length && s[i] != '\'')
                {
                    i += s[i] == '\\' ? 2 : 1;
                }

                i++;
                output.Append("' '");
            }
            else if (c is '"' or '$' or '@' && StringStart(s, i) is { } start)
            {
                StripString(s, ref i, output, start);
            }
            else if (stopAtBrace && c == '{')
            {
                depth++;
                output.Append(c);
                i++;
            }
            else if (stopAtBrace && c == '}')
            {
                if (depth == 0)
                {
                    return;
                }

                depth--;
                output.Append(c);
                i++;
            }
            else
            {
                output.Append(c);
                i++;
            }
        }
    }

    /// <summary>A string literal starting at i: its interpolation ($ count), verbatim flag and opening quote count.</summary>
    private static (int Dollars, bool Verbatim, int Quotes)? StringStart(string s, int i)
    {
        var j = i;
        var dollars = 0;
        var verbatim = false;
        while (j < s.Length && (s[j] == '$' || s[j] == '@'))
        {
            dollars += s[j] == '$' ? 1 : 0;
            verbatim |= s[j] == '@';
            j++;
        }

        if (j >= s.Length || s[j] != '"' || (j > i && IsIdentifierChar(s, i - 1)))
        {
            return null;
        }

        var quotes = 0;
        while (j + quotes < s.Length && s[j + quotes] == '"')
        {
            quotes++;
        }

        // "" is an empty regular string, """ opens a raw string.
        return (dollars, verbatim, quotes >= 3 ? quotes : 1);
    }

    private static void StripString(string s, ref int i, StringBuilder output, (int Dollars, bool Verbatim, int Quotes) start)
    {
        while (s[i] != '"')
        {
            i++;
        }

        i += start.Quotes;
        output.Append('"');
        var raw = start.Quotes >= 3;
        var closing = new string('"', start.Quotes);
        var open = new string('{', Math.Max(1, start.Dollars));
        while (i < s.Length)
        {
            if (!raw && !start.Verbatim && s[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (s[i] == '"')
            {
                if (!raw && start.Verbatim && At(s, i + 1, '"'))
                {
                    i += 2;
                    continue;
                }

                if (!raw || string.CompareOrdinal(s, i, closing, 0, closing.Length) == 0)
                {
                    i += raw ? closing.Length : 1;
                    output.Append('"');
                    return;
                }
            }

            if (start.Dollars > 0 && s[i] == '{')
            {
                if (start.Dollars == 1 && At(s, i + 1, '{'))
                {
                    i += 2;
                    continue;
                }

                if (string.CompareOrdinal(s, i, open, 0, open.Length) == 0)
                {
                    i += open.Length;
                    output.Append(' ');
                    StripCode(s, ref i, output, stopAtBrace: true);
                    i += 1;
                    output.Append(' ');
                    continue;
                }
            }

            output.Append(s[i] == '\n' ? '\n' : ' ');
            i++;
        }
    }

    private static void Blank(string s, int from, int to, StringBuilder output)
    {
        for (var k = from; k < to; k++)
        {
            output.Append(s[k] == '\n' ? '\n' : ' ');
        }
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    private static bool IsIdentifierChar(string s, int i) => i >= 0 && (char.IsLetterOrDigit(s[i]) || s[i] == '_');

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^using\s+(?:static\s+)?([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^((?:(?:public|internal|file|static|sealed|abstract|partial|readonly|ref|unsafe)\s+)*)(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate\s+[\w<>\[\],.?\s]+?)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();
}
