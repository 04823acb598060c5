using System.Globalization;
using System.Text;
using System.Text.Json;
using BoMrl.IO;
using BoMrl.Runs;

namespace BoMrl.Studies;

/// <summary>The Frozen Lake experiment's outputs: summary.json, config.json, the CSV curves and the figures.</summary>
public static partial class FrozenLakeExperiment
{
    /// <summary>Every file <see cref="WriteOutputs"/> writes: the run-folder kind's list, which the claim (--force) also uses.</summary>
    public static IReadOnlyList<string> OutputFiles => RunKinds.Outputs(RunKinds.FrozenLake);

    /// <summary>Writes summary.json, config.json, the CSV curves and the two figures into <paramref name="dir"/>.</summary>
    public static void WriteOutputs(string dir, FrozenLakeExperimentConfig config, FrozenLakeSummary s)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(s);
        Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(s, FrozenLakeJsonContext.Default.FrozenLakeSummary) + "\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(config, FrozenLakeJsonContext.Default.FrozenLakeExperimentConfig) + "\n");
        var csv = new StringBuilder("step,bomrl,bomrl_stderr,maml,maml_stderr,random,random_stderr,optimal,optimal_bounded\n");
        for (int i = 0; i < s.ReturnsByStep.Bomrl.Length; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i},{s.ReturnsByStep.Bomrl[i]:R},{s.ReturnsByStep.BomrlStderr[i]:R},{s.ReturnsByStep.Maml[i]:R},{s.ReturnsByStep.MamlStderr[i]:R},{s.ReturnsByStep.Random[i]:R},{s.ReturnsByStep.RandomStderr[i]:R},{s.ReturnsByStep.Optimal:R},{s.ReturnsByStep.OptimalBounded:R}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(dir, "returns_by_step.csv"), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "optimality_gap.csv"), string.Create(CultureInfo.InvariantCulture,
            $"quantity,value\nno_adaptation,{s.Teog.NoAdaptation:R}\nbomrl_one_step,{s.Teog.BomrlOneStep:R}\nmaml_one_step,{s.Teog.MamlOneStep:R}\nbound,{s.Bound:R}\n"));
        var train = new StringBuilder("iteration,bomrl_post_adaptation_return,maml_post_adaptation_return\n");
        for (int i = 0; i < s.BomrlTrainingCurve.Length; i++)
        {
            train.Append(CultureInfo.InvariantCulture, $"{i},{s.BomrlTrainingCurve[i]:R},{s.MamlTrainingCurve[i]:R}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(dir, "training.csv"), train.ToString());
        WriteFigures(dir, s);
    }

    /// <summary>The two panels of Figures 1/3/4: returns vs adaptation steps, and TEOG bars against the bound.</summary>
    public static void WriteFigures(string dir, FrozenLakeSummary s)
    {
        ArgumentNullException.ThrowIfNull(s);
        string title = $"{Capitalise(s.VariancePreset)} task variance ({s.Distance}, λ = {s.Lambda.ToString(CultureInfo.InvariantCulture)})";
        double[] x = Enumerable.Range(0, s.ReturnsByStep.Bomrl.Length).Select(i => (double)i).ToArray();
        Figures.Lines(Path.Combine(dir, "returns_by_step.png"), title, "Number of policy adaptation steps", "Expected accumulated reward",
        [
            new Series("BO-MRL (ours)", x, s.ReturnsByStep.Bomrl, s.ReturnsByStep.BomrlStderr),
            new Series("Random initialization", x, s.ReturnsByStep.Random, s.ReturnsByStep.RandomStderr),
            new Series("MAML", x, s.ReturnsByStep.Maml, s.ReturnsByStep.MamlStderr),
            new Series("Optimal task-specific policies", x, x.Select(_ => s.ReturnsByStep.Optimal).ToArray()),
        ]);
        Figures.Bars(Path.Combine(dir, "optimality_gap.png"), title, "Expected optimality gap",
        [
            new Bar("No adaptation", s.Teog.NoAdaptation),
            new Bar("One-time Alg", s.Teog.BomrlOneStep),
            new Bar("One PG step (MAML)", s.Teog.MamlOneStep),
        ], s.Bound, $"Upper bound for one-time Alg ({s.Bound:G3})");
    }

    private static string Capitalise(string v) => v.Length == 0 ? v : char.ToUpperInvariant(v[0]) + v[1..];
}
