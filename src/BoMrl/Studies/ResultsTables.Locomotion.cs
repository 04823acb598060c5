using BoMrl.Configuration;
using BoMrl.Numerics;

namespace BoMrl.Studies;

/// <summary>The tables of the tuned locomotion study (results/locomotion-tuned/&lt;env&gt;/&lt;method&gt;/seed-N).</summary>
public static partial class ResultsTables
{
    /// <summary>Where the tuned study's run folders are committed, relative to results/.</summary>
    private const string Tuned = "locomotion-tuned";

    private static readonly string[] BoMrlRows = ["bomrl-kl1", "bomrl-kl2", "bomrl-l2"];
    private static readonly string[] BaselineRows = ["maml-trpo", "promp", "emaml"];

    /// <summary>The families whose tuned study is committed (all four once the campaign is done), in the study's order.</summary>
    private static string[] TunedFamilies(Reader r) => LocomotionStudy.Environments.Where(e => r.Exists($"{Tuned}/{e}")).ToArray();

    /// <summary>A family's rows: the study's default methods in their order, then any other row (the extra BO-MRL rows) by name.</summary>
    private static string[] TunedMethods(Reader r, string env)
    {
        string[] present = r.Directories($"{Tuned}/{env}");
        return LocomotionStudy.DefaultMethods.Where(present.Contains)
            .Concat(present.Where(m => !LocomotionStudy.DefaultMethods.Contains(m)).Order(StringComparer.Ordinal)).ToArray();
    }

    /// <summary>One method of the tuned study over its seeds: per-seed test returns and the same seeds' untrained φ₀.</summary>
    private sealed record TunedRow(string Method, string Settings, string Seeds, double[][] Trained, double[][] Untrained, double SecondsPerIteration)
    {
        public (double[] Mean, double[] Stderr) Returns => Statistics.Pointwise(Trained);

        public (double[] Mean, double[] Stderr) UntrainedReturns => Statistics.Pointwise(Untrained);

        /// <summary>Mean and standard error over seeds of a per-seed difference.</summary>
        public (double Mean, double Stderr) Paired(Func<int, double> perSeed) => Statistics.Paired(Enumerable.Range(0, Trained.Length).Select(perSeed));

        public (double Mean, double Stderr) MetaLearning(int k) => Paired(i => Trained[i][k] - Untrained[i][k]);

        public (double Mean, double Stderr) Adaptation => Paired(i => Trained[i][1] - Trained[i][0]);

        /// <summary>(R₂ − R₁)/|R₁| of the mean returns.</summary>
        public double GainStep2 => (Returns.Mean[2] - Returns.Mean[1]) / Math.Abs(Returns.Mean[1]);
    }

    private static TunedRow ReadTuned(Reader r, string env, string method)
    {
        string dir = $"{Tuned}/{env}/{method}";
        string[] seeds = r.Seeds(dir);
        double[][] trained = seeds.Select(s => Doubles(r.Json(s + "/test.json"), "returns_by_step")).ToArray();
        double[][] untrained = seeds.Select(s => $"{dir}/untrained-{s[(s.LastIndexOf('/') + 1)..]}.json")
            .Select(f => Doubles(r.Json(f), "returns_by_step") is { Length: >= 2 } u ? u
                : throw new InvalidDataException($"results/{f} has step 0 only; re-run the study to measure the untrained φ₀'s adapted steps"))
            .ToArray();
        string settings = MetaLearners.DescribeSettings(ConfigLoader.Load(r.Resolve(seeds[0] + "/config.json")));
        double seconds = seeds.SelectMany(s => r.Metrics(s).Column("time_total_s")).Average();
        return new TunedRow(method, settings, r.Group(seeds).Seeds, trained, untrained, seconds);
    }

    /// <summary>The row label: the paper's name of the method, and which config it comes from.</summary>
    private static string TunedLabel(string method) => method switch
    {
        "bomrl-kl2-paper" => "BO-MRL D2, paper settings",
        "maml-trpo-paper" => "MAML-TRPO, published δ",
        "maml-trpo" => "MAML-TRPO",
        "promp" => "ProMP",
        "emaml" => "E-MAML",
        _ when method.StartsWith("bomrl-", StringComparison.Ordinal) =>
            "BO-MRL " + DistanceName(method["bomrl-".Length..].Split('-')[0]) +
            (method.EndsWith("-meta-lambda", StringComparison.Ordinal) ? ", meta-learned λ from the paper's"
                : method.EndsWith("-full-terms", StringComparison.Ordinal) ? ", full eq. (8) terms" : ""),
        _ => method,
    };

    private static string Cell((double Mean, double Stderr) x, int decimals = 1) =>
        $"{x.Mean.ToString("F" + decimals, Inv)} ± {x.Stderr.ToString("F" + decimals, Inv)}";

    /// <summary>A paired difference, bold where its mean exceeds two standard errors.</summary>
    private static string Significant((double Mean, double Stderr) x) => Statistics.AboveTwoStandardErrors(x) ? $"**{Cell(x)}**" : Cell(x);

    /// <summary>One family of the tuned study: every row's settings, untrained φ₀, returns by step and iteration time.</summary>
    private static string TunedLocomotion(Reader r, string env)
    {
        var t = new Table("method", "settings", "seeds", "untrained step 0", "untrained step 1", "step 0", "step 1", "step 2", "step 3",
            "gain step 2 vs 1", "s / iteration");
        foreach (string method in TunedMethods(r, env))
        {
            TunedRow row = ReadTuned(r, env, method);
            (double[] m, double[] se) = row.Returns;
            (double[] um, double[] use) = row.UntrainedReturns;
            t.Add([TunedLabel(method), row.Settings, row.Seeds, Cell((um[0], use[0])), Cell((um[1], use[1])),
                .. Enumerable.Range(0, 4).Select(k => Cell((m[k], se[k]))),
                $"{(row.GainStep2 * 100).ToString("F1", Inv)} %", row.SecondsPerIteration.ToString("F1", Inv)]);
        }

        return t.ToString();
    }

    /// <summary>
    /// Whether each BO-MRL row meta-learns and adapts, paired over seeds. Meta-learns: on velocity tasks the trained
    /// step-0 return above the untrained φ₀'s; on direction tasks (a fixed policy's forward reward averages to zero over
    /// ±1) the trained step-1 return above the untrained φ₀'s after the same adaptation. Adapts: step 1 above step 0.
    /// </summary>
    private static string LocomotionCriteria(Reader r)
    {
        var t = new Table("family", "method", "seeds", "step 0 − untrained step 0", "step 1 − untrained step 1", "step 1 − step 0",
            "meta-learns", "adapts");
        foreach (string env in TunedFamilies(r))
        {
            bool direction = env.EndsWith("-dir", StringComparison.Ordinal);
            foreach (string method in TunedMethods(r, env).Where(m => m.StartsWith("bomrl-", StringComparison.Ordinal)))
            {
                TunedRow row = ReadTuned(r, env, method);
                (double Mean, double Stderr) meta = row.MetaLearning(direction ? 1 : 0);
                t.Add(env, TunedLabel(method), row.Seeds, Significant(row.MetaLearning(0)), Significant(row.MetaLearning(1)),
                    Significant(row.Adaptation), Statistics.AboveTwoStandardErrors(meta) ? "yes" : "no",
                    Statistics.AboveTwoStandardErrors(row.Adaptation) ? "yes" : "no");
            }
        }

        return t.ToString();
    }

    /// <summary>
    /// The paper's claims (Section 6.2) against the tuned study: the best BO-MRL row and the best baseline by mean step-1
    /// return (each the best of its three tuned rows), their difference (± the two s.e. combined), and the second
    /// adaptation step's relative gain of each.
    /// </summary>
    private static string LocomotionClaims(Reader r)
    {
        var t = new Table("family", "best BO-MRL (step 1)", "best baseline (step 1)", "BO-MRL − baseline, step 1", "relative",
            "gain step 2 vs 1, BO-MRL", "gain step 2 vs 1, baseline");
        foreach (string env in TunedFamilies(r))
        {
            TunedRow Best(string[] methods) =>
                methods.Select(m => ReadTuned(r, env, m)).OrderByDescending(x => x.Returns.Mean[1]).First();
            TunedRow b = Best(BoMrlRows), c = Best(BaselineRows);
            double diff = b.Returns.Mean[1] - c.Returns.Mean[1];
            double se = Math.Sqrt(b.Returns.Stderr[1] * b.Returns.Stderr[1] + c.Returns.Stderr[1] * c.Returns.Stderr[1]);
            t.Add(env, $"{TunedLabel(b.Method)}: {Cell((b.Returns.Mean[1], b.Returns.Stderr[1]))}",
                $"{TunedLabel(c.Method)}: {Cell((c.Returns.Mean[1], c.Returns.Stderr[1]))}", Cell((diff, se)),
                $"{(diff / Math.Abs(c.Returns.Mean[1]) * 100).ToString("F1", Inv)} %",
                $"{(b.GainStep2 * 100).ToString("F1", Inv)} %", $"{(c.GainStep2 * 100).ToString("F1", Inv)} %");
        }

        return t.ToString();
    }

    /// <summary>The headline rows of one tuned family: the best BO-MRL row and the best baseline by mean step-1 return.</summary>
    private static void TunedHeadline(Reader r, Table t, string env, string name)
    {
        foreach (string[] methods in new[] { BoMrlRows, BaselineRows })
        {
            TunedRow row = methods.Select(m => ReadTuned(r, env, m)).OrderByDescending(x => x.Returns.Mean[1]).First();
            (double[] m, double[] se) = row.Returns;
            t.Add($"{name}, quick scale, tuned", $"{TunedLabel(row.Method)} ({row.Settings})", row.Seeds,
                Steps(m, se, 1, 0, 1, 3));
        }
    }
}
