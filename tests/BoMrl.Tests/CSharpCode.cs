using System.Text;
using System.Text.RegularExpressions;

namespace BoMrl.Tests;

/// <summary>
/// A small C# lexer for <see cref="ArchitectureScan"/>: what of a file is code. Comments go (their crefs stay, since the
/// compiler binds them), string and char literals go (regular, verbatim, raw; interpolation holes of non-raw strings stay).
/// </summary>
internal static partial class CSharpCode
{
    [GeneratedRegex(@"cref=""([^""]+)""")]
    private static partial Regex Cref();

    /// <summary>The code of a C# file: comments and string/char literals removed (interpolation holes kept), crefs kept.</summary>
    public static string Strip(string text)
    {
        var code = new StringBuilder(text.Length);
        int i = 0;
        Scan(text, ref i, code, inHole: false);
        return code.ToString();
    }

    private static void Scan(string t, ref int i, StringBuilder code, bool inHole)
    {
        int depth = 0;
        while (i < t.Length)
        {
            char c = t[i];
            char next = i + 1 < t.Length ? t[i + 1] : '\0';
            if (c == '/' && (next == '/' || next == '*'))
            {
                int end = next == '/' ? t.IndexOf('\n', i) : t.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? t.Length : next == '/' ? end : end + 2;
                foreach (Match m in Cref().Matches(t[i..end]))
                {
                    code.Append(' ').Append(m.Groups[1].Value).Append(' ');
                }

                code.Append('\n');
                i = end;
            }
            else if (c == '\'')
            {
                i += next == '\\' ? 3 : 2;
                while (i < t.Length && t[i] != '\'' && t[i] != '\n')
                {
                    i++;
                }

                i++;
                code.Append(" '' ");
            }
            else if (c is '"' or '$' or '@' && StringStart(t, i) is (int quote, bool verbatim, int dollars))
            {
                SkipString(t, ref i, quote, verbatim, dollars, code);
                code.Append(" \"\" ");
            }
            else if (inHole && c == '{')
            {
                depth++;
                code.Append(c);
                i++;
            }
            else if (inHole && c == '}' && depth-- == 0)
            {
                return;
            }
            else
            {
                code.Append(c);
                i++;
            }
        }
    }

    /// <summary>At a string's start ($, @ or " at <paramref name="i"/>): where its first quote is, whether verbatim, how many $.</summary>
    private static (int Quote, bool Verbatim, int Dollars)? StringStart(string t, int i)
    {
        if (i > 0 && (char.IsLetterOrDigit(t[i - 1]) || t[i - 1] == '_') && t[i] != '"')
        {
            return null;
        }

        int j = i, dollars = 0;
        bool verbatim = false;
        while (j < t.Length && t[j] is '$' or '@')
        {
            dollars += t[j] == '$' ? 1 : 0;
            verbatim |= t[j] == '@';
            j++;
        }

        return j < t.Length && t[j] == '"' ? (j, verbatim, dollars) : null;
    }

    private static void SkipString(string t, ref int i, int quote, bool verbatim, int dollars, StringBuilder code)
    {
        int quotes = 0;
        while (quote + quotes < t.Length && t[quote + quotes] == '"')
        {
            quotes++;
        }

        if (quotes >= 3)
        {
            // A raw string literal: ends at the same number of quotes (its interpolation holes are not scanned).
            int end = t.IndexOf(new string('"', quotes), quote + quotes, StringComparison.Ordinal);
            i = end < 0 ? t.Length : end + quotes;
            return;
        }

        i = quote + 1;
        while (i < t.Length)
        {
            char c = t[i];
            if (c == '"' && verbatim && i + 1 < t.Length && t[i + 1] == '"')
            {
                i += 2;
            }
            else if (c == '"' || (c == '\n' && !verbatim))
            {
                i++;
                return;
            }
            else if (c == '\\' && !verbatim)
            {
                i += 2;
            }
            else if (dollars > 0 && c == '{' && i + 1 < t.Length && t[i + 1] == '{')
            {
                i += 2;
            }
            else if (dollars > 0 && c == '{')
            {
                i++;
                code.Append(' ');
                Scan(t, ref i, code, inHole: true);
                code.Append(' ');
                i++;
            }
            else
            {
                i++;
            }
        }
    }
}
