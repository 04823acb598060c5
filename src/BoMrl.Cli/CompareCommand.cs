using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BoMrl.IO;
using BoMrl.Runs;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl compare --runs DIR... --out F.png</c>: overlays the meta-test curves (test.json) of several runs; with
/// <c>--metric COLUMN</c>, a metrics.csv column against the meta-iteration instead (e.g. <c>lambda</c>, <c>post_return</c>).
/// </summary>
internal static class CompareCommand
{
    public static Command Create(CliContext ctx)
    {
        var runs = new Option<string[]>("--runs")
        {
            Description = "Run folders that hold a test.json (from bomrl test), or a metrics.csv with --metric",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var metric = new Option<string?>("--metric")
        {
            Description = "Overlay this metrics.csv column (lambda, post_return, hypergradient_damping, ...) against the meta-iteration instead",
        };
        var cmd = new Command("compare", "Overlay the meta-test curves (or a metrics.csv column) of several runs in one PNG.") { runs, output, metric };
        cmd.SetAction(p => p.GetValue(metric) is { } column
            ? RunMetric(ctx, p.GetValue(runs)!, column, p.GetValue(output)!)
            : Run(ctx, p.GetValue(runs)!, p.GetValue(output)!));
        return cmd;
    }

    private static int Run(CliContext ctx, string[] runs, string output)
    {
        CheckArguments(runs, output);

        var series = new List<Series>();
        var environments = new List<string>();
        var taskCounts = new List<int>();
        ctx.Out.WriteLine("run  algorithm  return by adaptation step (± s.e.)");
        foreach (string dir in runs)
        {
            var folder = new RunFolder(dir);
            using RunLock? reading = Readable(folder);
            if (!File.Exists(folder.TestReportPath))
            {
                throw new UsageException($"{folder.Path} has no test.json; run 'bomrl test --run {dir}' first");
            }

            MetaTestReport r;
            try
            {
                r = folder.ReadTestReport();
            }
            catch (InvalidDataException e)
            {
                throw new UsageException(RunSupport.OneLine(e.Message));
            }

            string name = Path.GetFileName(folder.Path.TrimEnd(Path.DirectorySeparatorChar));
            series.Add(r.ToSeries($"{r.Algorithm} ({name})"));
            environments.Add(Environment(folder));
            taskCounts.Add(r.Tasks);
            ctx.Out.WriteLine($"{name}  {r.Algorithm}  " + string.Join("  ", r.ReturnsByStep.Select((x, i) =>
                string.Create(CultureInfo.InvariantCulture, $"{x:F2}±{(r.StderrByStep is { } se ? se[i].ToString("F2", CultureInfo.InvariantCulture) : "n/a")}"))));
        }

        // Curves of different task families or test-set sizes are not comparable: say so once, still draw them.
        var differences = new List<string>();
        if (environments.Distinct().Count() > 1)
        {
            differences.Add($"environment ({string.Join(", ", environments.Distinct())})");
        }

        if (taskCounts.Distinct().Count() > 1)
        {
            differences.Add($"test task count ({string.Join(", ", taskCounts.Distinct())})");
        }

        if (differences.Count > 0)
        {
            ctx.Error.WriteLine($"bomrl: warning: the runs differ in {string.Join(" and ", differences)}; their curves are not directly comparable");
        }

        string full = Path.GetFullPath(output);
        RunSupport.Writing(full, () => MetaTestReport.Plot(full, "Meta-test: return vs adaptation steps", series));
        ctx.Out.WriteLine($"wrote {full}");
        return 0;
    }

    /// <summary>One series per run: the metrics.csv column <paramref name="column"/> against the iteration column.</summary>
    private static int RunMetric(CliContext ctx, string[] runs, string column, string output)
    {
        CheckArguments(runs, output);
        var series = new List<Series>();
        foreach (string dir in runs)
        {
            var folder = new RunFolder(dir);
            using RunLock? reading = Readable(folder);
            if (!File.Exists(folder.MetricsPath))
            {
                throw new UsageException($"{folder.Path} has no metrics.csv; run 'bomrl train --out {dir}' first");
            }

            string[] lines = File.ReadAllLines(folder.MetricsPath).Where(l => l.Length > 0).ToArray();
            string[] names = lines.Length > 0 ? lines[0].Split(',') : [];
            int j = Array.IndexOf(names, column), i = Array.IndexOf(names, "iteration");
            if (j < 0 || i < 0)
            {
                throw new UsageException($"{folder.MetricsPath} has no column '{column}' (columns: {string.Join(", ", names)})");
            }

            string[][] rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
            if (rows.Select((r, k) => (r, k)).FirstOrDefault(p => p.r.Length != names.Length) is { r: { } torn } bad)
            {
                // A half-written or hand-edited line: its last number may be cut short, so nothing of it is drawn.
                throw new UsageException($"{folder.MetricsPath}: line {bad.k + 2} has {torn.Length} of {names.Length} columns (cut short?); " +
                    $"'bomrl train --out {RunSupport.ShellQuote(dir)} --resume' rewrites metrics.csv from the checkpoint");
            }

            double Cell(string[] row, int k) =>
                row.Length > k && double.TryParse(row[k], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new UsageException($"{folder.MetricsPath}: '{string.Join(',', row)}' has no number in column {names[k]}");
            string name = Path.GetFileName(folder.Path.TrimEnd(Path.DirectorySeparatorChar));
            series.Add(new Series(name, rows.Select(r => Cell(r, i)).ToArray(), rows.Select(r => Cell(r, j)).ToArray()));
            ctx.Out.WriteLine($"{name}  {rows.Length} iterations  {column} last {(rows.Length > 0 ? series[^1].Y[^1].ToString("G6", CultureInfo.InvariantCulture) : "n/a")}");
        }

        string full = Path.GetFullPath(output);
        RunSupport.Writing(full, () => Figures.Lines(full, $"Meta-training: {column}", "meta-iteration", column, series));
        ctx.Out.WriteLine($"wrote {full}");
        return 0;
    }

    /// <summary>
    /// Refuses, in one line, a folder a writer (train, test) holds now; else a shared hold on the folder's lock while it
    /// is read (null for folders no bomrl writer has locked), so a writer cannot start under the reader and the reader
    /// never sees a half-finished run.
    /// </summary>
    private static RunLock? Readable(RunFolder folder) => RunLock.TryShared(folder.Path, "compare it when that has finished");

    private static void CheckArguments(string[] runs, string output)
    {
        if (runs.Length == 0)
        {
            throw new UsageException("--runs needs at least one run folder");
        }

        if (!string.Equals(Path.GetExtension(output), ".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--out must name a .png file (got {output})");
        }

        foreach (string dir in runs)
        {
            string full = Path.GetFullPath(dir);
            if (!Directory.Exists(full))
            {
                throw new UsageException(File.Exists(full) ? $"--runs: {full} is a file, not a run folder" : $"--runs: {full} does not exist");
            }
        }
    }

    /// <summary>The task family of a run ("navigation2d"), read from config.json; "unknown" without a readable one.</summary>
    private static string Environment(RunFolder folder)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(folder.ConfigPath));
            return doc.RootElement.TryGetProperty("env", out JsonElement env) && env.TryGetProperty("name", out JsonElement name)
                ? $"{name.GetString()}{(env.TryGetProperty("variant", out JsonElement v) ? $" ({v.GetString()})" : string.Empty)}"
                : "unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return "unknown";
        }
    }
}
