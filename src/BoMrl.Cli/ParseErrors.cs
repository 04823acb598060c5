using System.CommandLine;
using System.CommandLine.Parsing;

namespace BoMrl.Cli;

/// <summary>
/// Turns System.CommandLine's parse errors into one plain sentence: an unknown or missing verb lists the verbs, a
/// value of the wrong type says what the option expects ("--iterations expects an integer, got 'abc'").
/// </summary>
internal static class ParseErrors
{
    /// <summary>The one-line description of the first parse error of <paramref name="parse"/>.</summary>
    public static string Describe(RootCommand root, IReadOnlyList<string> args, ParseResult parse)
    {
        string verbs = string.Join(", ", root.Subcommands.Select(c => c.Name));
        if (args.Count == 0)
        {
            return $"no verb given; the verbs are {verbs} (bomrl --help explains them)";
        }

        if (!args[0].StartsWith('-') && root.Subcommands.All(c => c.Name != args[0]))
        {
            return $"unknown verb '{args[0]}'; the verbs are {verbs}";
        }

        foreach (ParseError error in parse.Errors)
        {
            if (TypeError(error) is string typed)
            {
                return typed;
            }
        }

        // A word after a true/false option that is neither: System.CommandLine reports it as an unmatched token.
        Command command = parse.CommandResult.Command;
        for (int i = 1; i + 1 < args.Count; i++)
        {
            if (command.Options.FirstOrDefault(o => o.Name == args[i]) is { } flag && flag.ValueType == typeof(bool)
                && !bool.TryParse(args[i + 1], out _) && !args[i + 1].StartsWith('-') && parse.UnmatchedTokens.Contains(args[i + 1]))
            {
                return $"{flag.Name} expects true or false, got '{args[i + 1]}'";
            }
        }

        string verb = parse.CommandResult.Command is RootCommand ? "bomrl" : $"bomrl {parse.CommandResult.Command.Name}";
        return $"{RunSupport.OneLine(parse.Errors[0].Message)} ({verb} --help lists the options)";
    }

    /// <summary>
    /// "--out is empty; give a folder" when an option or argument of the invoked verb was given an empty string (no verb
    /// takes one: every string option names a path, an address or a choice); null when none was.
    /// </summary>
    public static string? EmptyValue(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        string verb = parse.CommandResult.Command.Name;
        foreach (SymbolResult child in parse.CommandResult.Children)
        {
            (string? name, IReadOnlyList<Token> tokens) = child switch
            {
                OptionResult o => (o.Option.Name, o.Tokens),
                ArgumentResult a => (a.Argument.Name, a.Tokens),
                _ => (null, (IReadOnlyList<Token>)[]),
            };
            if (name is not null && tokens.Any(t => t.Value.Length == 0))
            {
                string what = name switch
                {
                    "--out" when verb == "compare" => "a .png file to write",
                    "--out" when verb == "export" => "a file to write (.onnx or .json)",
                    "--out" or "--run" or "--runs" or "--configs" => "a folder",
                    "--config" => "a JSON config file (configs/*.json)",
                    "--tls" => "the cluster's certificate file (.pfx)",
                    "--cluster" => "redis://HOST:PORT",
                    "benchmark" => "frozenlake (or the subcommand locomotion)",
                    _ => "a value (bomrl " + verb + " --help lists them)",
                };
                return $"{name} is empty; give {what}";
            }
        }

        return null;
    }

    /// <summary>"--x expects an integer, got 'abc'" when the error is a value that does not convert to the option's type.</summary>
    private static string? TypeError(ParseError error)
    {
        OptionResult? option = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
        if (option is null || option.Tokens.Count != 1)
        {
            return null;
        }

        Type type = Nullable.GetUnderlyingType(option.Option.ValueType) ?? option.Option.ValueType;
        string? expected = type switch
        {
            _ when type == typeof(int) || type == typeof(long) => "an integer",
            _ when type == typeof(double) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ => null,
        };
        return expected is null ? null : $"{option.Option.Name} expects {expected}, got '{option.Tokens[0].Value}'";
    }
}
