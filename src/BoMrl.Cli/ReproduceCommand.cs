using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using BoMrl.DistanceKinds;
using BoMrl.IO;
using BoMrl.Runs;
using BoMrl.Studies;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl reproduce frozenlake --out DIR</c>: the paper's six Frozen Lake configurations (high/low variance ×
/// D1/D2/D3 with the paper's λ), one run folder each, plus a markdown table of the results.
/// </summary>
internal static class ReproduceCommand
{
    public static Command Create(CliContext ctx)
    {
        var benchmark = new Argument<string>("benchmark") { Description = "What to reproduce: frozenlake (the paper's Section 6.1 study; `bomrl reproduce locomotion --env E` is the locomotion study)." };
        var q = new Option<string>("--q") { Description = "Q estimation: mc (Monte-Carlo, as the paper) or exact.", DefaultValueFactory = _ => "mc" };
        var size = new Option<int>("--size") { Description = "Grid side N ≥ 2.", DefaultValueFactory = _ => 4 };
        var seed = new Option<long>("--seed") { Description = "Root seed.", DefaultValueFactory = _ => 1 };
        var threads = FrozenLakeCommand.ThreadsOption();
        var output = new Option<string>("--out") { Description = "Folder for the six run folders, frozenlake.md and the figures.", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite a finished reproduction or another kind of folder at --out." };
        var cmd = new Command("reproduce", "Reproduces a paper experiment with its published settings.") { benchmark, q, size, seed, threads, output, force };
        cmd.Subcommands.Add(ReproduceLocomotionCommand.Create(ctx)); // `reproduce locomotion`: its own verb and file
        cmd.SetAction(parse =>
        {
            string what = parse.GetValue(benchmark)!;
            if (what != "frozenlake")
            {
                throw new UsageException($"reproduce: unknown benchmark '{what}' (frozenlake, or the subcommand locomotion)");
            }

            string qMode = FrozenLakeCommand.ParseQ(parse.GetValue(q));
            int n = parse.GetValue(size);
            FrozenLakeCommand.CheckOptions(FrozenLakeCommand.Build("high", Distance.KlForward, n, null, null));
            using RunClaim claim = FrozenLakeCommand.Claim(parse.GetValue(output)!, RunKinds.Reproduce, parse.GetValue(force));
            string dir = claim.Path;
            var clock = Stopwatch.StartNew();
            var rows = new List<FrozenLakeSummary>();
            foreach (string variance in (string[])["high", "low"])
            {
                foreach (Distance d in (Distance[])[Distance.KlForward, Distance.KlReverse, Distance.Euclidean])
                {
                    FrozenLakeExperimentConfig config = FrozenLakeCommand.Build(variance, d, n, null, null) with
                    {
                        Q = qMode,
                        Seed = parse.GetValue(seed),
                        Threads = FrozenLakeCommand.Threads(parse.GetValue(threads)),
                    };
                    ctx.Out.WriteLine($"reproduce: configuration {rows.Count + 1}/6 ({variance}, {d.ToName()}), {clock.Elapsed.TotalSeconds:F0} s so far");
                    FrozenLakeSummary s = FrozenLakeCommand.RunOne(ctx, config);
                    using (RunClaim part = FrozenLakeCommand.Claim(Path.Combine(dir, $"{variance}-{d.ToName()}"), RunKinds.FrozenLake, force: true))
                    {
                        FrozenLakeExperiment.WriteOutputs(part.Path, config, s);
                        part.Finish();
                    }
                    rows.Add(s);
                }
            }

            AtomicFile.WriteAllText(Path.Combine(dir, "frozenlake.md"), Table(rows, clock.Elapsed.TotalSeconds));
            claim.Finish();
            ctx.Out.WriteLine($"wrote {Path.Combine(dir, "frozenlake.md")} and six run folders in {clock.Elapsed.TotalSeconds:F0} s");
            return 0;
        });
        return cmd;
    }

    /// <summary>The markdown table of the six runs (one row each) and the figure links.</summary>
    internal static string Table(IReadOnlyList<FrozenLakeSummary> rows, double seconds)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Frozen Lake: the paper's six configurations");
        sb.AppendLine();
        FrozenLakeSummary first = rows[0];
        sb.AppendLine(CultureInfo.InvariantCulture, $"{first.Size}×{first.Size} grid, slippery = {first.Slippery}, γ = {first.Gamma}, Q = {first.Q}, seed {first.Seed}, " +
            $"{first.Iterations} meta-iterations, MAML fast learning rate {first.MamlStepSize}; total {seconds:F0} s.");
        sb.AppendLine();
        sb.AppendLine("| variance | D | λ | ε | A_max | A'_max | Var | bound | λ ≥ κ | TEOG no adapt | TEOG BO-MRL 1 step | TEOG MAML 1 step | BO-MRL returns 0..4 | MAML returns 0..4 | random 0..4 | optimal | FD max rel err | s |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (FrozenLakeSummary s in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.VariancePreset} | {s.Distance} | {s.Lambda} | {s.Epsilon:G3} | {s.AMax:F3} | {s.AMaxCenter:F3} | {s.Variance:G4} | {s.Bound:G4} | {(s.LambdaMeetsCondition ? "yes" : $"no (κ = {s.LambdaCondition:G3})")} | " +
                $"{s.Teog.NoAdaptation:F4} | {s.Teog.BomrlOneStep:F4} | {s.Teog.MamlOneStep:F4} | {Join(s.ReturnsByStep.Bomrl)} | {Join(s.ReturnsByStep.Maml)} | " +
                $"{Join(s.ReturnsByStep.Random)} | {s.ReturnsByStep.Optimal:F3} | {s.HypergradientCheck.MaxRelError:E1} | {s.Seconds:F0} |");
        }

        sb.AppendLine();
        foreach (FrozenLakeSummary s in rows)
        {
            string folder = $"{s.VariancePreset}-{s.Distance}";
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {s.VariancePreset}, {s.Distance}: [returns]({folder}/returns_by_step.png), [optimality gap]({folder}/optimality_gap.png), [summary]({folder}/summary.json)");
        }

        return sb.ToString();
    }

    private static string Join(double[] v) => string.Join(" ", v.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)));
}
