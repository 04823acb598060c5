using System.CommandLine;
using BoMrl.IO;
using BoMrl.Studies;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl results [--root DIR] [--check]</c>: renders every result table of README.md and docs/results.md from the
/// files under DIR/results/ (<see cref="ResultsTables"/>) into the blocks between <c>&lt;!-- results:NAME --&gt;</c> and
/// <c>&lt;!-- /results:NAME --&gt;</c>; with <c>--check</c>, writes nothing and exits 1 when a committed table disagrees
/// with its files (one line per table on stderr).
/// </summary>
internal static class ResultsCommand
{
    public static Command Create(CliContext ctx)
    {
        var root = new Option<string>("--root")
        {
            Description = "Repository root holding results/, README.md and docs/results.md",
            DefaultValueFactory = _ => ".",
        };
        var check = new Option<bool>("--check") { Description = "Write nothing; exit 1 if a committed table disagrees with results/" };
        var cmd = new Command("results", "Regenerate the result tables of README.md and docs/results.md from results/ (or check them).") { root, check };
        cmd.SetAction(p => Run(ctx, p.GetValue(root)!, p.GetValue(check)));
        return cmd;
    }

    private static int Run(CliContext ctx, string root, bool check)
    {
        string results = Path.Combine(root, "results");
        if (!Directory.Exists(results))
        {
            throw new UsageException($"{results} is not a folder (--root names the repository root)");
        }

        IReadOnlyDictionary<string, string> tables;
        try
        {
            tables = ResultsTables.Render(results);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or FormatException or KeyNotFoundException)
        {
            throw new UsageException(RunSupport.OneLine(e.Message));
        }

        int drift = 0;
        foreach (string doc in ResultsTables.Documents)
        {
            string path = Path.Combine(root, doc);
            if (!File.Exists(path))
            {
                throw new UsageException($"{path} is missing");
            }

            string text = File.ReadAllText(path);
            if (check)
            {
                IReadOnlyList<string> problems = ResultsTables.Check(doc, text, tables);
                foreach (string p in problems)
                {
                    ctx.Error.WriteLine($"bomrl: {p}");
                }

                drift += problems.Count;
                if (problems.Count == 0)
                {
                    ctx.Out.WriteLine($"{doc}: {ResultsTables.Marked(text).Count} tables agree with results/");
                }

                continue;
            }

            string updated;
            try
            {
                updated = ResultsTables.Apply(text, tables);
            }
            catch (InvalidDataException e)
            {
                throw new UsageException($"{doc}: {e.Message}");
            }

            if (updated != text.ReplaceLineEndings("\n"))
            {
                AtomicFile.WriteAllText(path, updated);
            }

            ctx.Out.WriteLine($"{doc}: {ResultsTables.Marked(updated).Count} tables written from results/");
        }

        return drift == 0 ? 0 : Program.FailureExitCode;
    }
}
