using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BoMrl.Configuration;
using BoMrl.IO;
using BoMrl.Numerics;

namespace BoMrl.Studies;

/// <summary>One configuration of a method's tuning grid: a name and the config keys it sets over the method's config.</summary>
public sealed record TuningPoint(string Name, JsonObject Set);

/// <summary>
/// A tuning grid: for each method the configurations to try. Every method gets the same number of configurations (the
/// same tuning budget, docs/experiments.md "Tuning protocol"); the file also states the protocol in words.
/// </summary>
public sealed record TuningGrid(string Protocol, IReadOnlyDictionary<string, IReadOnlyList<TuningPoint>> Points)
{
    /// <summary>Reads and checks a grid file: <c>{"protocol": "...", "points": {"method": [{"name": "...", "set": {...}}, ...]}}</c>.</summary>
    /// <exception cref="ConfigException">The file is not such a grid, or the methods' budgets differ.</exception>
    public static TuningGrid Load(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{path}: not valid JSON ({e.Message.Split('.')[0]})");
        }

        if (root is not JsonObject o || o["points"] is not JsonObject points || points.Count == 0)
        {
            throw new ConfigException($"{path}: a tuning grid is an object with a non-empty 'points' object (method → list of {{name, set}})");
        }

        var result = new Dictionary<string, IReadOnlyList<TuningPoint>>();
        foreach ((string method, JsonNode? list) in points)
        {
            if (list is not JsonArray array || array.Count == 0)
            {
                throw new ConfigException($"{path}: points.{method} must be a non-empty list");
            }

            var parsed = new List<TuningPoint>();
            foreach (JsonNode? p in array)
            {
                if (p is not JsonObject po || po["name"]?.GetValueKind() != JsonValueKind.String || po["set"] is not JsonObject set)
                {
                    throw new ConfigException($"{path}: each entry of points.{method} needs a string 'name' and an object 'set'");
                }

                string name = po["name"]!.GetValue<string>();
                if (name.Length == 0 || name.IndexOfAny([.. Path.GetInvalidFileNameChars(), ' ']) >= 0 || parsed.Any(q => q.Name == name))
                {
                    throw new ConfigException($"{path}: points.{method}: '{name}' is empty, repeated or not usable as a folder name");
                }

                parsed.Add(new TuningPoint(name, (JsonObject)set.DeepClone()));
            }

            result[method] = parsed;
        }

        int[] budgets = [.. result.Values.Select(l => l.Count).Distinct()];
        if (budgets.Length > 1)
        {
            throw new ConfigException($"{path}: every method must get the same number of configurations (the same tuning budget); got " +
                string.Join(", ", result.Select(kv => $"{kv.Key} {kv.Value.Count}")));
        }

        return new TuningGrid(o["protocol"]?.GetValueKind() == JsonValueKind.String ? o["protocol"]!.GetValue<string>() : "", result);
    }
}

/// <summary>One tuned configuration's meta-test over the tuning seeds.</summary>
public sealed record TuningRow(string Method, TuningPoint Point, int Seeds, double[] Returns, double[] Stderr, bool Chosen);

/// <summary>
/// A tuning study: every method × grid configuration as a <see cref="LocomotionStudy"/> at one scale on the tuning seeds
/// (never the seeds of the tables), then each method's configuration with the highest mean step-1 test return is chosen.
/// Writes DIR/&lt;env&gt;-tuning.md (every configuration's returns, the choice) and DIR/chosen/&lt;env&gt;-&lt;method&gt;.json
/// (the method's config with the chosen keys set: what configs/ ships).
/// </summary>
public sealed class TuningStudy
{
    private readonly List<(string Method, TuningPoint Point, LocomotionStudy Study)> _studies = [];

    /// <summary>Sets the grid up: one config folder and one study per method and configuration under DIR/&lt;env&gt;/&lt;method&gt;/&lt;name&gt;/.</summary>
    /// <exception cref="ConfigException">A method has no config, or a configuration sets keys the schema does not have.</exception>
    public TuningStudy(string env, LocomotionScale scale, TuningGrid grid, IReadOnlyList<long> seeds, string configDirectory,
        string outDirectory, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        Env = env;
        Grid = grid;
        OutDirectory = Path.GetFullPath(outDirectory);
        foreach ((string method, IReadOnlyList<TuningPoint> points) in grid.Points)
        {
            string baseFile = LocomotionStudy.ConfigPath(configDirectory, env, method);
            if (!File.Exists(baseFile))
            {
                throw new ConfigException($"no config {baseFile} for method '{method}'");
            }

            foreach (TuningPoint p in points)
            {
                string root = Path.Combine(OutDirectory, env, method, p.Name);
                string configs = Path.Combine(root, "config");
                Directory.CreateDirectory(configs);
                AtomicFile.WriteAllText(LocomotionStudy.ConfigPath(configs, env, method), Merged(baseFile, p));
                _studies.Add((method, p, new LocomotionStudy(env, scale, [method], seeds, configs, root, threads)));
            }
        }
    }

    /// <summary>The environment.</summary>
    public string Env { get; }

    /// <summary>The grid.</summary>
    public TuningGrid Grid { get; }

    /// <summary>The study folder.</summary>
    public string OutDirectory { get; }

    /// <summary>The method's config file with the configuration's keys set (validated by loading it).</summary>
    private static string Merged(string baseFile, TuningPoint p)
    {
        var config = (JsonObject)JsonNode.Parse(File.ReadAllText(baseFile))!;
        ConfigLoader.Merge(config, (JsonObject)p.Set.DeepClone());
        string text = config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        ConfigLoader.Parse(text); // refuses unknown keys and bad values, naming them
        return text + "\n";
    }

    /// <summary>Trains and meta-tests every configuration (each resumable; finished runs are skipped).</summary>
    public void Run(Func<TrainConfig, Meta.IMetaLearner> create, Action<string> log, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        int i = 0;
        foreach ((string method, TuningPoint p, LocomotionStudy study) in _studies)
        {
            log(string.Create(CultureInfo.InvariantCulture, $"tune: {method} {p.Name} ({++i}/{_studies.Count})"));
            study.Run(create, log, cancellation);
        }
    }

    /// <summary>Every configuration with a meta-test on at least one seed; the chosen one per method marked.</summary>
    public IReadOnlyList<TuningRow> Rows()
    {
        var rows = new List<TuningRow>();
        foreach (string method in Grid.Points.Keys)
        {
            var mine = new List<TuningRow>();
            foreach ((string m, TuningPoint p, LocomotionStudy study) in _studies.Where(s => s.Method == method))
            {
                var tests = study.Seeds.Select(s => study.Folder(new StudyRun(m, s)))
                    .Where(f => File.Exists(f.TestReportPath)).Select(f => f.ReadTestReport().ReturnsByStep).ToList();
                if (tests.Count == 0)
                {
                    continue;
                }

                (double[] mean, double[] se) = Statistics.Pointwise(tests);
                mine.Add(new TuningRow(m, p, tests.Count, mean, se, false));
            }

            TuningRow? best = mine.Where(r => r.Returns.Length > 1).OrderByDescending(r => r.Returns[1]).FirstOrDefault();
            rows.AddRange(mine.Select(r => r == best ? r with { Chosen = true } : r));
        }

        return rows;
    }

    /// <summary>Writes DIR/&lt;env&gt;-tuning.md and the chosen configs; returns the rows.</summary>
    public IReadOnlyList<TuningRow> WriteReport(string configDirectory)
    {
        IReadOnlyList<TuningRow> rows = Rows();
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# Tuning: {Env}");
        sb.AppendLine();
        if (Grid.Protocol.Length > 0)
        {
            sb.AppendLine(Grid.Protocol);
            sb.AppendLine();
        }

        sb.AppendLine("Mean test return after 0, 1, … adaptation steps over the tuning seeds (± standard error where there are two or more); the chosen");
        sb.AppendLine("configuration of each method (**bold**) has the highest mean step-1 return.");
        sb.AppendLine();
        sb.AppendLine("| method | configuration | keys set | seeds | returns by step |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (TuningRow r in rows)
        {
            string returns = string.Join(" / ", r.Returns.Select((x, k) =>
                r.Seeds > 1 ? string.Create(inv, $"{x:F1} ± {r.Stderr[k]:F1}") : string.Create(inv, $"{x:F1}")));
            string name = r.Chosen ? $"**{r.Point.Name}**" : r.Point.Name;
            sb.AppendLine(inv, $"| {r.Method} | {name} | `{r.Point.Set.ToJsonString()}` | {r.Seeds} | {returns} |");
        }

        AtomicFile.WriteAllText(Path.Combine(OutDirectory, $"{Env}-tuning.md"), sb.ToString());
        string chosen = Path.Combine(OutDirectory, "chosen");
        foreach (TuningRow r in rows.Where(r => r.Chosen))
        {
            Directory.CreateDirectory(chosen);
            AtomicFile.WriteAllText(Path.Combine(chosen, $"{Env}-{r.Method}.json"),
                Merged(LocomotionStudy.ConfigPath(configDirectory, Env, r.Method), r.Point));
        }

        return rows;
    }
}
