// Over 300 lines on purpose: every results table of README.md and docs/results.md is rendered here, so one check
// covers them all against the files under results/.

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BoMrl.Numerics;

namespace BoMrl.Studies;

/// <summary>
/// The one source of the result tables in README.md and docs/results.md: every table is rendered from the run files
/// under <c>results/</c> (test.json, metrics.csv, config.json, summary.json) and lives in a document between
/// <c>&lt;!-- results:NAME --&gt;</c> and <c>&lt;!-- /results:NAME --&gt;</c>. <see cref="Apply"/> rewrites those blocks,
/// <see cref="Check"/> lists the blocks whose committed text differs from what the files give (<c>bomrl results
/// [--check]</c>). Rendering is deterministic: invariant culture, fixed decimals, rows in a fixed order.
/// </summary>
public static partial class ResultsTables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The documents, relative to the repository root, whose marked blocks are generated.</summary>
    public static IReadOnlyList<string> Documents { get; } = ["README.md", "docs/results.md"];

    [GeneratedRegex(@"<!-- results:([a-z0-9-]+) -->\n(.*?)<!-- /results:([a-z0-9-]+) -->", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"<!-- /?results:([a-z0-9-]*) -->")]
    private static partial Regex Marker();

    /// <summary>Every table, by name, rendered from the files under <paramref name="resultsRoot"/> (the results/ folder).</summary>
    public static IReadOnlyDictionary<string, string> Render(string resultsRoot)
    {
        ArgumentNullException.ThrowIfNull(resultsRoot);
        var r = new Reader(resultsRoot);
        var tables = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["headline"] = Headline(r),
            ["frozenlake-paper"] = FrozenLakePaper(r),
            ["frozenlake-returns"] = FrozenLakeReturns(r),
            ["frozenlake-lambda"] = FrozenLakeLambda(r),
            ["navigation-100"] = Navigation(r, Navigation100),
            ["navigation-5"] = Navigation(r, Navigation5),
            ["halfcheetah-dir"] = Locomotion(r, "halfcheetah-dir", 2),
            ["halfcheetah-vel"] = Locomotion(r, "halfcheetah-vel", 1),
            ["halfcheetah-vel-probe"] = Probe(r),
        };
        foreach (string env in TunedFamilies(r))
        {
            tables[$"tuned-{env}"] = TunedLocomotion(r, env);
        }

        if (TunedFamilies(r).Length > 0)
        {
            tables["locomotion-criteria"] = LocomotionCriteria(r);
            tables["locomotion-claims"] = LocomotionClaims(r);
        }

        return tables;
    }

    /// <summary>
    /// <paramref name="document"/> with every marked block replaced by its table. Throws <see cref="InvalidDataException"/>
    /// on a marker without its partner or a name no table has.
    /// </summary>
    public static string Apply(string document, IReadOnlyDictionary<string, string> tables)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(tables);
        string text = document.ReplaceLineEndings("\n");
        Validate(text, tables);
        return Block().Replace(text, m => Wrap(m.Groups[1].Value, tables[m.Groups[1].Value]));
    }

    /// <summary>
    /// One line per block of <paramref name="document"/> whose text differs from its table (naming the table and the
    /// first differing line), and per malformed or unknown marker; empty when the document agrees with the files.
    /// </summary>
    public static IReadOnlyList<string> Check(string documentName, string document, IReadOnlyDictionary<string, string> tables)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(tables);
        string text = document.ReplaceLineEndings("\n");
        try
        {
            Validate(text, tables);
        }
        catch (InvalidDataException e)
        {
            return [$"{documentName}: {e.Message}"];
        }

        var problems = new List<string>();
        foreach (Match m in Block().Matches(text))
        {
            string name = m.Groups[1].Value;
            string committed = m.Groups[2].Value;
            string expected = tables[name];
            if (committed != expected)
            {
                problems.Add($"{documentName}: table '{name}' disagrees with results/ ({FirstDifference(committed, expected)}); " +
                    "run 'bomrl results' to regenerate it");
            }
        }

        return problems;
    }

    /// <summary>The names of the tables marked in <paramref name="document"/>, in order.</summary>
    public static IReadOnlyList<string> Marked(string document) =>
        Block().Matches(document.ReplaceLineEndings("\n")).Select(m => m.Groups[1].Value).ToList();

    private static string Wrap(string name, string table) => $"<!-- results:{name} -->\n{table}<!-- /results:{name} -->";

    private static void Validate(string text, IReadOnlyDictionary<string, string> tables)
    {
        int inBlocks = 0;
        foreach (Match m in Block().Matches(text))
        {
            if (m.Groups[1].Value != m.Groups[3].Value)
            {
                throw new InvalidDataException($"marker 'results:{m.Groups[1].Value}' is closed by '/results:{m.Groups[3].Value}'");
            }

            if (!tables.ContainsKey(m.Groups[1].Value))
            {
                throw new InvalidDataException($"no table is named '{m.Groups[1].Value}' (known: {string.Join(", ", tables.Keys)})");
            }

            inBlocks += 2;
        }

        int markers = Marker().Matches(text).Count;
        if (markers != inBlocks)
        {
            throw new InvalidDataException("a results marker has no partner (each table needs '<!-- results:NAME -->' on its own line " +
                "and '<!-- /results:NAME -->' after it)");
        }
    }

    private static string FirstDifference(string committed, string expected)
    {
        string[] a = committed.Split('\n');
        string[] b = expected.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "(nothing)";
            string y = i < b.Length ? b[i] : "(nothing)";
            if (x != y)
            {
                return $"line {i + 1} of the table: committed '{x}', files give '{y}'";
            }
        }

        return "whitespace";
    }

    // ----- tables -----

    private static readonly (string Variance, string Distance)[] FrozenLakeConfigs =
        [("high", "kl1"), ("high", "kl2"), ("high", "l2"), ("low", "kl1"), ("low", "kl2"), ("low", "l2")];

    private static string DistanceName(string d) => d switch
    {
        "kl1" => "D1",
        "kl2" => "D2",
        "l2" => "D3",
        _ => d,
    };

    private static string Headline(Reader r)
    {
        var t = new Table("study", "method", "seeds", "before adaptation", "after 1 step", "after 3 steps");
        const string fl = "frozenlake-lambda/paper-high-kl1/summary.json";
        JsonElement returns = r.Json(fl).GetProperty("returns_by_step");
        string flStudy = "Frozen Lake 4×4, high variance";
        t.Add(flStudy, $"BO-MRL D1, λ {F(r.Json(fl).GetProperty("lambda").GetDouble())}", "1",
            Steps(Doubles(returns, "bomrl"), Doubles(returns, "bomrl_stderr"), 3, 0, 1, 3));
        t.Add(flStudy, "MAML, one policy-gradient step per adaptation", "1",
            Steps(Doubles(returns, "maml"), Doubles(returns, "maml_stderr"), 3, 0, 1, 3));
        foreach (NavGroup n in Navigation100.Where(g => g.Headline is not null))
        {
            Group g = r.Group(n.Runs.Select(s => $"navigation-lambda/runs100/{s}").ToArray());
            string lambda = F(r.Json($"navigation-lambda/runs100/{n.Runs[0]}/config.json").GetProperty("algorithm").GetProperty("lambda").GetDouble());
            t.Add("2D navigation, 100 meta-iterations", n.Headline!.Replace("{λ}", lambda, StringComparison.Ordinal), g.Seeds, Steps(g.Mean, g.Stderr, 1, 0, 1, 3));
        }

        foreach ((string env, string name) in new[] { ("halfcheetah-dir", "Half-Cheetah direction"), ("halfcheetah-vel", "Half-Cheetah velocity"),
            ("ant-dir", "Ant direction"), ("ant-vel", "Ant velocity") }.Where(f => TunedFamilies(r).Contains(f.Item1)))
        {
            TunedHeadline(r, t, env, name);
        }

        foreach ((string env, string name, int decimals) in new[] { ("halfcheetah-dir", "Half-Cheetah direction", 2), ("halfcheetah-vel", "Half-Cheetah velocity", 1) }
            .Where(f => !TunedFamilies(r).Contains(f.Item1)))
        {
            foreach (string method in new[] { "bomrl-kl2", "maml-trpo", "promp" })
            {
                Group g = r.Group(r.Seeds($"locomotion-quick/{env}/{method}"));
                t.Add($"{name}, quick scale", MethodLabel(r, env, method), g.Seeds, Steps(g.Mean, g.Stderr, decimals, 0, 1, 3));
            }
        }

        return t.ToString();
    }

    private static string FrozenLakePaper(Reader r)
    {
        var t = new Table("variance", "distance", "λ", "TEOG no adaptation", "TEOG BO-MRL, one adaptation",
            "TEOG MAML, one step", "bound (Thms 3–4)", "λ the bound's proof needs", "hypergradient vs finite differences");
        foreach ((string v, string d) in FrozenLakeConfigs)
        {
            JsonElement s = r.Json($"frozenlake-lambda/paper-{v}-{d}/summary.json");
            JsonElement teog = s.GetProperty("teog");
            t.Add(v, DistanceName(d), F(s.GetProperty("lambda").GetDouble()), F4(teog, "no_adaptation"), F4(teog, "bomrl_one_step"),
                F4(teog, "maml_one_step"), Sci(s.GetProperty("bound").GetDouble()), Sci(s.GetProperty("lambda_condition").GetDouble()),
                Sci(s.GetProperty("hypergradient_check").GetProperty("max_rel_error").GetDouble()));
        }

        return t.ToString();
    }

    private static string FrozenLakeReturns(Reader r)
    {
        var t = new Table("variance", "distance", "BO-MRL, after 0 / 1 / 2 / 3 / 4 adaptations", "MAML, after 0 / 1 / 2 / 3 / 4 steps",
            "random initialisation, after 0 / 1 / 2 / 3 / 4 steps", "optimal policies");
        foreach ((string v, string d) in FrozenLakeConfigs)
        {
            JsonElement s = r.Json($"frozenlake-lambda/paper-{v}-{d}/summary.json").GetProperty("returns_by_step");
            t.Add(v, DistanceName(d), Series(Doubles(s, "bomrl")), Series(Doubles(s, "maml")), Series(Doubles(s, "random")),
                s.GetProperty("optimal").GetDouble().ToString("F3", Inv));
        }

        return t.ToString();
    }

    private static string FrozenLakeLambda(Reader r)
    {
        var t = new Table("variance", "distance", "paper's λ", "learned λ (final)", "TEOG BO-MRL, one adaptation: paper's λ",
            "learned λ", "change", "BO-MRL return after 0 / 1 / 2 / 3 / 4 adaptations, learned λ");
        foreach ((string v, string d) in FrozenLakeConfigs)
        {
            JsonElement p = r.Json($"frozenlake-lambda/paper-{v}-{d}/summary.json");
            JsonElement l = r.Json($"frozenlake-lambda/learned-{v}-{d}/summary.json");
            double a = p.GetProperty("teog").GetProperty("bomrl_one_step").GetDouble();
            double b = l.GetProperty("teog").GetProperty("bomrl_one_step").GetDouble();
            t.Add(v, DistanceName(d), F(p.GetProperty("lambda").GetDouble()), l.GetProperty("learned_lambda").GetDouble().ToString("G3", Inv),
                a.ToString("F4", Inv), b.ToString("F4", Inv), ((b - a) / a * 100).ToString("+0;-0", Inv) + " %",
                Series(Doubles(l.GetProperty("returns_by_step"), "bomrl")));
        }

        return t.ToString();
    }

    private sealed record NavGroup(string Label, string[] Runs, string? Headline = null)
    {
        public void Deconstruct(out string label, out string[] runs) => (label, runs) = (Label, Runs);
    }

    private static readonly NavGroup[] Navigation100 =
    [
        new("BO-MRL D2, fixed λ (shipped inner solve)", ["shipped-kl2-fixed-s1", "shipped-kl2-fixed-s2", "shipped-kl2-fixed-s3"], "BO-MRL D2, fixed λ {λ}"),
        new("BO-MRL D2, meta-learned λ (shipped inner solve)", ["shipped-kl2-meta-s1", "shipped-kl2-meta-s2", "shipped-kl2-meta-s3"], "BO-MRL D2, meta-learned λ"),
        new("BO-MRL D2, meta-learned λ + full terms (shipped inner solve)", ["shipped-kl2-meta-full-s1", "shipped-kl2-meta-full-s2", "shipped-kl2-meta-full-s3"]),
        new("MAML-TRPO", ["maml-s1", "maml-s2", "maml-s3"], "MAML-TRPO"),
        new("BO-MRL D2, fixed λ (earlier inner solve)", ["recorded-kl2-fixed-s1", "recorded-kl2-fixed-s2"]),
        new("BO-MRL D2, meta-learned λ (earlier inner solve)", ["recorded-kl2-meta-s1", "recorded-kl2-meta-s2"]),
        new("BO-MRL D2, meta-learned λ + full terms (earlier inner solve)", ["recorded-kl2-meta-full-s1", "recorded-kl2-meta-full-s2"]),
    ];

    private static readonly NavGroup[] Navigation5 =
    [
        new("BO-MRL D2, fixed λ (earlier inner solve)", ["c-kl2-recorded-s1", "c-kl2-recorded-s2", "c-kl2-recorded-s3"]),
        new("BO-MRL D2, fixed λ (maximiser inner solve)", ["c-kl2-fixed-s1", "c-kl2-fixed-s2", "c-kl2-fixed-s3"]),
        new("BO-MRL D2, meta-learned λ (maximiser inner solve)", ["c-kl2-meta-s1", "c-kl2-meta-s2", "c-kl2-meta-s3"]),
        new("BO-MRL D2, meta-learned λ + full terms (maximiser inner solve)", ["c-kl2-meta-full-s1", "c-kl2-meta-full-s2", "c-kl2-meta-full-s3"]),
        new("MAML-TRPO", ["c-maml-s1", "c-maml-s2", "c-maml-s3"]),
    ];

    private static string Navigation(Reader r, NavGroup[] groups)
    {
        string folder = ReferenceEquals(groups, Navigation100) ? "runs100" : "runs";
        var t = new Table("run", "seeds", "step 0", "step 1", "step 2", "step 3", "λ in the last iteration, per seed",
            "iterations with δ ≤ 1", "s / iteration");
        foreach ((string label, string[] runs) in groups)
        {
            string[] dirs = runs.Select(s => $"navigation-lambda/{folder}/{s}").ToArray();
            Group g = r.Group(dirs);
            JsonElement alg = r.Json(dirs[0] + "/config.json").GetProperty("algorithm");
            bool bomrl = alg.GetProperty("name").GetString() == "bomrl";
            bool meta = alg.TryGetProperty("lambda_learning", out JsonElement ll) && ll.GetString() == "meta";
            Csv[] csvs = dirs.Select(r.Metrics).ToArray();
            string lambdas = meta ? string.Join(", ", csvs.Select(c => c.Column("lambda")[^1].ToString("F3", Inv))) : "–";
            string damping = "–";
            if (bomrl)
            {
                double[] all = csvs.SelectMany(c => c.Column("hypergradient_damping")).ToArray();
                damping = $"{all.Count(x => x <= 1)}/{all.Length}";
            }

            double[] times = csvs.SelectMany(c => c.Column("time_total_s")).ToArray();
            var cells = new List<string> { label, g.Seeds };
            cells.AddRange(Steps(g.Mean, g.Stderr, 1, 0, 1, 2, 3));
            cells.Add(lambdas);
            cells.Add(damping);
            cells.Add(times.Average().ToString("F1", Inv));
            t.Add([.. cells]);
        }

        return t.ToString();
    }

    private static readonly string[] LocomotionMethods = ["bomrl-kl1", "bomrl-kl2", "bomrl-l2", "maml-trpo", "promp", "emaml", "maml-trpo-per-episode"];

    private static string MethodLabel(Reader r, string env, string method)
    {
        if (!method.StartsWith("bomrl-", StringComparison.Ordinal))
        {
            return method switch
            {
                "maml-trpo" => "MAML-TRPO",
                "promp" => "ProMP",
                "emaml" => "E-MAML",
                "maml-trpo-per-episode" => "MAML-TRPO, per-episode weighting",
                _ => method,
            };
        }

        JsonElement alg = r.Json(r.Seeds($"locomotion-quick/{env}/{method}")[0] + "/config.json").GetProperty("algorithm");
        return $"BO-MRL {DistanceName(method["bomrl-".Length..])}, λ {F(alg.GetProperty("lambda").GetDouble())}";
    }

    private static string Locomotion(Reader r, string env, int decimals)
    {
        var t = new Table("method", "seeds", "step 0", "step 1", "step 2", "step 3", "s / iteration");
        foreach (string method in LocomotionMethods)
        {
            string[] dirs = r.Seeds($"locomotion-quick/{env}/{method}");
            Group g = r.Group(dirs);
            double[] times = dirs.SelectMany(d => r.Metrics(d).Column("time_total_s")).ToArray();
            var cells = new List<string> { MethodLabel(r, env, method), g.Seeds };
            cells.AddRange(Steps(g.Mean, g.Stderr, decimals, 0, 1, 2, 3));
            cells.Add(times.Average().ToString("F1", Inv));
            t.Add([.. cells]);
        }

        return t.ToString();
    }

    private static string Probe(Reader r)
    {
        var t = new Table("run (seed 1)", "Q estimate", "step 0", "step 1", "step 2", "step 3");
        foreach ((string dir, string q) in new[]
        {
            ("locomotion-quick/halfcheetah-vel/bomrl-kl2/seed-1", "centred Monte-Carlo Q (the study's config)"),
            ("locomotion-quick/halfcheetah-vel-probe-bomrl-kl2-gae/seed-1", "standardised GAE advantages (probe)"),
        })
        {
            Group g = r.Group([dir]);
            var cells = new List<string> { MethodLabel(r, "halfcheetah-vel", "bomrl-kl2"), q };
            cells.AddRange(Steps(g.Mean, g.Stderr, 1, 0, 1, 2, 3));
            t.Add([.. cells]);
        }

        return t.ToString();
    }

    // ----- formatting -----

    private static string F(double x) => x.ToString("0.###", Inv);

    private static string F4(JsonElement e, string name) => e.GetProperty(name).GetDouble().ToString("F4", Inv);

    /// <summary>Two significant digits, e.g. 5.4e3, 1.2e-9.</summary>
    private static string Sci(double x) => x.ToString("0.0e0", Inv);

    private static string Series(double[] xs) => string.Join(" / ", xs.Select(x => x.ToString("F3", Inv)));

    private static string[] Steps(double[] mean, double[] se, int decimals, params int[] steps) =>
        steps.Select(k => $"{mean[k].ToString("F" + decimals, Inv)} ± {se[k].ToString("F" + decimals, Inv)}").ToArray();

    private static double[] Doubles(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetDouble()).ToArray();

    private sealed class Table(params string[] header)
    {
        private readonly List<string[]> _rows = [];

        public void Add(params string[] cells)
        {
            if (cells.Length != header.Length)
            {
                throw new InvalidOperationException($"a row of {cells.Length} cells in a table of {header.Length} columns");
            }

            _rows.Add(cells);
        }

        public void Add(string a, string b, string c, string[] rest) => Add([a, b, c, .. rest]);

        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.Append("| ").Append(string.Join(" | ", header)).Append(" |\n");
            sb.Append('|').Append(string.Concat(Enumerable.Repeat("---|", header.Length))).Append('\n');
            foreach (string[] row in _rows)
            {
                sb.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
            }

            return sb.ToString();
        }
    }

    /// <summary>A run group's meta-test: mean and s.e. over seeds, or, for one run, its own mean and s.e. over test tasks.</summary>
    private sealed record Group(string Seeds, double[] Mean, double[] Stderr);

    private sealed record Csv(string[] Header, double[][] Rows)
    {
        public double[] Column(string name)
        {
            int i = Array.IndexOf(Header, name);
            if (i < 0)
            {
                throw new InvalidDataException($"metrics.csv has no column '{name}'");
            }

            return Rows.Select(r => r[i]).ToArray();
        }
    }

    private sealed class Reader(string root)
    {
        private readonly Dictionary<string, JsonElement> _json = new(StringComparer.Ordinal);

        private string Full(string relative)
        {
            string path = Path.Combine(root, relative);
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new InvalidDataException($"results/{relative} is missing");
            }

            return path;
        }

        /// <summary>Whether results/<paramref name="relative"/> exists (file or folder).</summary>
        public bool Exists(string relative) => File.Exists(Path.Combine(root, relative)) || Directory.Exists(Path.Combine(root, relative));

        /// <summary>The full path of results/<paramref name="relative"/>, which must exist.</summary>
        public string Resolve(string relative) => Full(relative);

        /// <summary>The names of the folders in results/<paramref name="relative"/>, in ordinal order.</summary>
        public string[] Directories(string relative) =>
            Directory.GetDirectories(Full(relative)).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();

        public JsonElement Json(string relative)
        {
            if (!_json.TryGetValue(relative, out JsonElement e))
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Full(relative)));
                e = doc.RootElement.Clone();
                _json[relative] = e;
            }

            return e;
        }

        public Csv Metrics(string runDir)
        {
            string[] lines = File.ReadAllLines(Full(runDir + "/metrics.csv")).Where(l => l.Length > 0).ToArray();
            string[] header = lines[0].Split(',');
            double[][] rows = lines.Skip(1).Select(l => l.Split(',').Select(x => double.Parse(x, NumberStyles.Float, Inv)).ToArray()).ToArray();
            return new Csv(header, rows);
        }

        /// <summary>The training seed in a run folder's name: <c>seed-N</c> or <c>NAME-sN</c> (test.json holds the test seed).</summary>
        private static string SeedOf(string runDir)
        {
            string name = runDir[(runDir.LastIndexOf('/') + 1)..];
            return name.StartsWith("seed-", StringComparison.Ordinal) ? name["seed-".Length..] : name[(name.LastIndexOf("-s", StringComparison.Ordinal) + 2)..];
        }

        /// <summary>The seed-N folders of a method, in seed order.</summary>
        public string[] Seeds(string methodDir) =>
            Directory.GetDirectories(Full(methodDir), "seed-*")
                .Select(Path.GetFileName)
                .OrderBy(n => int.Parse(n!["seed-".Length..], Inv))
                .Select(n => $"{methodDir}/{n}")
                .ToArray();

        public Group Group(string[] runDirs)
        {
            var returns = runDirs.Select(d => Doubles(Json(d + "/test.json"), "returns_by_step")).ToArray();
            if (runDirs.Length == 1)
            {
                return new Group("1", returns[0], Doubles(Json(runDirs[0] + "/test.json"), "stderr_by_step"));
            }

            (double[] mean, double[] se) = Statistics.Pointwise(returns);
            string seeds = string.Join(",", runDirs.Select(SeedOf));
            return new Group(seeds, mean, se);
        }
    }
}
