using System.CommandLine;
using System.Globalization;
using BoMrl.Configuration;
using BoMrl.Studies;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl diagnose estimator --config F [--seed s] [--tasks n] [--episodes n]</c>: for the config's task family, two
/// independent batches per task at the initial policy, and for each advantage estimator (plain and centred
/// Monte-Carlo Q̂, Q̂ minus the linear baseline, GAE with the config's λ; none standardised) the std of the weights
/// handed to eq. (7), the share of their variance explained by the per-time-step mean, and the cosine between the two
/// batches' policy gradients (mean ± s.e. over tasks). See <see cref="EstimatorDiagnosis"/> and docs/meta-learning.md.
/// </summary>
internal static class DiagnoseCommand
{
    public static Command Create(CliContext ctx)
    {
        var config = new Option<string>("--config") { Description = "Train config (JSON) whose env, policy and sampler are diagnosed", Required = true };
        var seed = new Option<long?>("--seed") { Description = "Root seed of the tasks, φ₀ and the batches (default: the config's seed)" };
        var tasks = new Option<int?>("--tasks") { Description = "Tasks, two batches each (default: the config's meta_batch_size)" };
        var episodes = new Option<int?>("--episodes") { Description = "Episodes per batch (default: the config's episodes_per_task)" };
        var estimator = new Command("estimator", "Time profile of each estimator's weights and batch-to-batch agreement of its policy gradient.")
        {
            config, seed, tasks, episodes,
        };
        estimator.SetAction(p => RunEstimator(ctx, p.GetValue(config)!, p.GetValue(seed), p.GetValue(tasks), p.GetValue(episodes)));
        return new Command("diagnose", "Diagnostics of a config's estimators at the initial policy.") { estimator };
    }

    private static int RunEstimator(CliContext ctx, string configPath, long? seedArg, int? tasksArg, int? episodesArg)
    {
        if (tasksArg is int m && m <= 0)
        {
            throw new UsageException($"--tasks must be positive (got {m})");
        }

        if (episodesArg is int e && e <= 0)
        {
            throw new UsageException($"--episodes must be positive (got {e})");
        }

        TrainConfig config = RunSupport.LoadConfig(configPath);
        if (episodesArg is int episodes)
        {
            config = config with { Sampler = config.Sampler with { EpisodesPerTask = episodes } };
        }

        TrainConfig resolved = config.Resolve();
        long seed = seedArg ?? resolved.Seed;
        int tasks = tasksArg ?? resolved.Sampler.MetaBatchSize;
        IReadOnlyList<EstimatorDiagnosisRow> rows = EstimatorDiagnosis.Run(resolved, seed, tasks, cancellation: ctx.Cancellation);
        TextWriter o = ctx.Out;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"diagnose estimator: {resolved.Env.Name} ({resolved.Env.Variant}), seed {seed}, initial policy, {tasks} task(s) x 2 batches x {resolved.Sampler.EpisodesPerTask} episodes x {resolved.Sampler.Horizon} steps, gamma {resolved.Sampler.Gamma:R}; weights not standardised"));
        foreach (string line in EstimatorDiagnosis.Table(rows))
        {
            o.WriteLine(line);
        }

        return 0;
    }
}
