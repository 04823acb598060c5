using System.Globalization;
using System.Text;
using BoMrl.Configuration;
using BoMrl.IO;
using BoMrl.Numerics;
using BoMrl.Runs;

namespace BoMrl.Studies;

/// <summary>One method's row of a study report: its seeds' meta-tests and training curves, aggregated over seeds.</summary>
/// <param name="Method">The method (config name).</param>
/// <param name="Seeds">Seeds with a test.json.</param>
/// <param name="Returns">Mean over seeds of the return after 0..K adaptation steps.</param>
/// <param name="Stderr">Standard error over seeds, per step.</param>
/// <param name="SecondsPerIteration">Mean measured wall time of a meta-iteration over every iteration of every seed.</param>
/// <param name="Iterations">Meta-iterations per seed.</param>
/// <param name="PostReturn">Mean over seeds of the post-adaptation training return per meta-iteration.</param>
/// <param name="PostStderr">Its standard error over seeds.</param>
/// <param name="Settings">What the row's config sets that tuning varies (meta-step, λ, estimator, inner step size).</param>
/// <param name="PerSeed">Each seed's returns after 0..K adaptation steps (the rows of <paramref name="Returns"/>).</param>
/// <param name="UntrainedPerSeed">Each seed's untrained φ₀ returns, in the order of <paramref name="PerSeed"/>; null when not measured.</param>
/// <param name="Untrained">Return of the seeds' untrained φ₀ after 0..K adaptation steps (mean, standard error over seeds; only step 0
/// where a report predates the adapted steps); null when not measured.</param>
public sealed record MethodSummary(string Method, int Seeds, double[] Returns, double[] Stderr, double SecondsPerIteration,
    int Iterations, double[] PostReturn, double[] PostStderr, string Settings = "", (double[] Mean, double[] Stderr)? Untrained = null,
    IReadOnlyList<double[]>? PerSeed = null, IReadOnlyList<double[]>? UntrainedPerSeed = null)
{
    /// <summary>
    /// Paired over seeds: the mean and standard error of (trained step <paramref name="k"/> − untrained step
    /// <paramref name="k"/>); null when the untrained φ₀ was not measured at that step for every seed.
    /// </summary>
    public (double Mean, double Stderr)? MetaLearningGain(int k) =>
        PerSeed is null || UntrainedPerSeed is null || UntrainedPerSeed.Any(u => u.Length <= k) ? null
            : Statistics.Paired(PerSeed.Zip(UntrainedPerSeed, (t, u) => t[k] - u[k]));

    /// <summary>Paired over seeds: the mean and standard error of (step 1 − step 0), the gain of one adaptation step.</summary>
    public (double Mean, double Stderr)? AdaptationGain =>
        PerSeed is null || PerSeed.Any(t => t.Length < 2) ? null : Statistics.Paired(PerSeed.Select(t => t[1] - t[0]));

    /// <summary>(R₂ − R₁)/|R₁|: the relative gain of the second adaptation step over the first (NaN when K &lt; 2).</summary>
    public double RelativeGainStep2 => Returns.Length > 2 ? (Returns[2] - Returns[1]) / Math.Abs(Returns[1]) : double.NaN;
}

/// <summary>
/// The outputs of a <see cref="LocomotionStudy"/>: DIR/&lt;env&gt;.md (per method: return after 0..3 steps, mean ±
/// standard error over seeds; relative gain of step 2 over step 1; seconds per iteration; environment steps),
/// DIR/&lt;env&gt;-adaptation.png (return vs adaptation step, the paper's Figure 2) and DIR/&lt;env&gt;-training.png
/// (post-adaptation return vs meta-iteration, Figure 5).
/// </summary>
public static class LocomotionReport
{
    /// <summary>Aggregates the study's run folders (runs without test.json are left out) and writes the three files.</summary>
    public static IReadOnlyList<MethodSummary> Write(LocomotionStudy study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var rows = study.Methods.Select(m => Summarise(study, m)).OfType<MethodSummary>().ToList();
        string root = study.OutDirectory;
        Directory.CreateDirectory(root);
        AtomicFile.WriteAllText(Path.Combine(root, $"{study.Env}.md"), Markdown(study, rows));
        MetaTestReport.Plot(Path.Combine(root, $"{study.Env}-adaptation.png"),
            $"{study.Env}: return after adaptation ({study.Scale.TestTasks} test tasks, ± s.e. over seeds)",
            rows.Select(r => new Series(r.Method, Steps(r.Returns.Length), r.Returns, r.Stderr)).ToList());
        Figures.Lines(Path.Combine(root, $"{study.Env}-training.png"), $"{study.Env}: post-adaptation return during meta-training",
            "meta-iteration", "post-adaptation return (± s.e. over seeds)",
            rows.Select(r => new Series(r.Method, Steps(r.PostReturn.Length), r.PostReturn, r.PostStderr)).ToList());
        return rows;
    }

    /// <summary>One method over its seeds; null when no seed has been tested yet.</summary>
    private static MethodSummary? Summarise(LocomotionStudy study, string method)
    {
        var tests = new List<double[]>();
        var curves = new List<double[]>();
        var untrained = new List<double[]>();
        string settings = "";
        double seconds = 0;
        int timed = 0;
        foreach (long seed in study.Seeds)
        {
            RunFolder folder = study.Folder(new StudyRun(method, seed));
            // The checkpoint's rows, or metrics.csv where a folder keeps no checkpoint (results/ commits none).
            IReadOnlyList<MetricsRow>? metrics = folder.HasCheckpoint ? folder.ReadCheckpoint()?.Metrics
                : File.Exists(folder.MetricsPath) ? MetricsRow.ParseCsv(File.ReadAllText(folder.MetricsPath)) : null;
            if (metrics is null || !File.Exists(folder.TestReportPath))
            {
                continue;
            }

            tests.Add(folder.ReadTestReport().ReturnsByStep);
            settings = File.Exists(folder.ConfigPath) ? MetaLearners.DescribeSettings(folder.ReadConfig()) : settings;
            string untrainedPath = study.UntrainedReportPath(new StudyRun(method, seed));
            if (File.Exists(untrainedPath))
            {
                untrained.Add(MetaTestReport.Read(untrainedPath).ReturnsByStep);
            }

            curves.Add(metrics.Select(m => m.PostReturn).ToArray());
            seconds += metrics.Sum(m => m.TimeTotal);
            timed += metrics.Count;
        }

        if (tests.Count == 0)
        {
            return null;
        }

        (double[] mean, double[] se) = Statistics.Pointwise(tests);
        (double[] post, double[] postSe) = Statistics.Pointwise(curves);
        return new MethodSummary(method, tests.Count, mean, se, timed == 0 ? double.NaN : seconds / timed,
            curves.Min(c => c.Length), post, postSe, settings,
            untrained.Count == tests.Count ? Statistics.Pointwise(ShortestCommon(untrained)) : null,
            tests, untrained.Count == tests.Count ? untrained : null);
    }

    /// <summary>Every seed's returns cut to the steps all of them have (reports from older builds have step 0 only).</summary>
    private static List<double[]> ShortestCommon(List<double[]> perSeed)
    {
        int n = perSeed.Min(x => x.Length);
        return perSeed.Select(x => x[..n]).ToList();
    }

    private static double[] Steps(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    /// <summary>The untrained φ₀'s return at adaptation step <paramref name="k"/> as a table cell ("–" when not measured).</summary>
    private static string Untrained(MethodSummary r, int k) =>
        r.Untrained is { } u && u.Mean.Length > k ? string.Create(CultureInfo.InvariantCulture, $"{u.Mean[k]:F2} ± {u.Stderr[k]:F2}") : "–";

    /// <summary>A paired difference as a table cell, bold when above 2 standard errors ("–" when not measured).</summary>
    private static string Gain((double Mean, double Stderr)? g) => g switch
    {
        null => "–",
        var (m, se) when Statistics.AboveTwoStandardErrors((m, se)) => string.Create(CultureInfo.InvariantCulture, $"**{m:F2} ± {se:F2}**"),
        var (m, se) => string.Create(CultureInfo.InvariantCulture, $"{m:F2} ± {se:F2}"),
    };

    /// <summary>The markdown report.</summary>
    internal static string Markdown(LocomotionStudy study, IReadOnlyList<MethodSummary> rows)
    {
        LocomotionScale s = study.Scale;
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"# {study.Env}: locomotion study ({s.Name} scale)");
        sb.AppendLine();
        sb.AppendLine(inv, $"Equal data for every method: {s.MetaBatchSize} tasks per meta-iteration, {s.EpisodesPerTask} episodes per " +
            $"adaptation step, horizon {s.Horizon}, {s.Iterations} meta-iterations; seeds {string.Join(", ", study.Seeds)}. Meta-test: " +
            $"{s.TestSteps} adaptation steps on the same {s.TestTasks} test tasks (seed {s.TestSeed}) for every run. " +
            $"Returns: mean ± standard error over seeds of each seed's mean over test tasks.");
        sb.AppendLine();
        var header = new StringBuilder("| method | settings | seeds | untrained step 0 | untrained step 1 |");
        var rule = new StringBuilder("|---|---|---|---|---|");
        for (int k = 0; k <= s.TestSteps; k++)
        {
            header.Append(inv, $" step {k} |");
            rule.Append("---|");
        }

        sb.AppendLine(header.Append(" gain step 2 vs 1 | s / iteration | env steps / iteration | env steps in total |").ToString());
        sb.AppendLine(rule.Append("---|---|---|---|").ToString());
        foreach (MethodSummary r in rows)
        {
            sb.Append(inv, $"| {r.Method} | {r.Settings} | {r.Seeds} | {Untrained(r, 0)} | {Untrained(r, 1)} |");
            for (int k = 0; k < r.Returns.Length; k++)
            {
                sb.Append(inv, $" {r.Returns[k]:F2} ± {r.Stderr[k]:F2} |");
            }

            sb.AppendLine(inv, $" {r.RelativeGainStep2 * 100:F2} % | {r.SecondsPerIteration:F1} | {s.StepsPerIteration:N0} | {s.StepsPerIteration * r.Iterations:N0} |");
        }

        sb.AppendLine();
        sb.AppendLine("Untrained step 0 and 1: the same meta-test of each seed's initial policy φ₀ (no meta-update), the reference for " +
            "\"meta-learned\": a trained step-0 return above untrained step 0 where one policy can serve every task (velocity " +
            "targets); on direction tasks (±1) a fixed policy's forward reward averages to zero over the tasks, so there the " +
            "trained step 1 is compared with untrained step 1 (the same adaptation from φ₀).");
        sb.AppendLine("Environment steps per iteration count the pre- and post-adaptation batches of every task at full horizon (an upper " +
            "bound where episodes terminate early); meta-test episodes are not counted.");
        sb.AppendLine();
        sb.AppendLine("Meta-learning and adaptation, paired over seeds (mean ± standard error of each seed's difference; **bold** where " +
            "the mean exceeds 2 standard errors):");
        sb.AppendLine();
        sb.AppendLine("| method | step 0 − untrained step 0 | step 1 − untrained step 1 | step 1 − step 0 |");
        sb.AppendLine("|---|---|---|---|");
        foreach (MethodSummary r in rows)
        {
            sb.AppendLine(inv, $"| {r.Method} | {Gain(r.MetaLearningGain(0))} | {Gain(r.MetaLearningGain(1))} | {Gain(r.AdaptationGain)} |");
        }

        sb.AppendLine();
        sb.AppendLine(inv, $"![return vs adaptation step]({study.Env}-adaptation.png)");
        sb.AppendLine(inv, $"![post-adaptation return vs meta-iteration]({study.Env}-training.png)");
        return sb.ToString();
    }
}
