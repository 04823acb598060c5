using System.Globalization;
using BoMrl.Configuration;
using BoMrl.Environments;
using BoMrl.Meta;
using BoMrl.Numerics;
using BoMrl.Runs;

namespace BoMrl.Cli;

/// <summary>
/// What <c>bomrl export --adapt-to TASK-SPEC [--seed s] [--adapt-steps K]</c> asks for: one task of the run's family
/// (its parameter vector as comma-separated invariant-culture numbers), to which φ is adapted with the run's own method
/// (<see cref="PerTaskMetaLearner.AdaptTo"/>, K steps, seed s; default seed: the run's config seed) before export.
/// </summary>
internal sealed record ExportAdaptation(double[] Task, long? Seed, int Steps)
{
    /// <summary>The adaptation the options ask for, or null without --adapt-to; --seed or --adapt-steps alone, or K &lt; 1, are usage errors.</summary>
    public static ExportAdaptation? FromOptions(string? spec, long? seed, int? steps)
    {
        if (spec is null)
        {
            return seed is not null ? throw new UsageException("--seed applies only with --adapt-to (the seed of the adaptation's episodes)")
                : steps is not null ? throw new UsageException("--adapt-steps applies only with --adapt-to")
                : null;
        }

        if (steps is int k && k < 1)
        {
            throw new UsageException($"--adapt-steps must be 1 or more (got {k})");
        }

        return new ExportAdaptation(ParseTask(spec), seed, steps ?? 1);
    }

    /// <summary>A TASK-SPEC as numbers: comma-separated, invariant culture ("0.3,-0.2"); anything else is a usage error.</summary>
    public static double[] ParseTask(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec))
        {
            throw new UsageException("--adapt-to is empty; give the task's numbers, comma-separated (e.g. 0.3,-0.2)");
        }

        string[] parts = spec.Split(',');
        var task = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out task[i]))
            {
                throw new UsageException($"--adapt-to expects comma-separated numbers (e.g. 0.3,-0.2); '{parts[i].Trim()}' in '{spec}' is not a number");
            }
        }

        return task;
    }

    /// <summary>Checks the task against the family of <paramref name="config"/> (length, finiteness, the family's own rules).</summary>
    public void CheckFamily(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ITaskDistribution family;
        try
        {
            TrainConfig c = config.Resolve();
            family = c.Env.CreateTasks(c.Sampler.Horizon);
        }
        catch (ConfigException e)
        {
            throw new UsageException(e.Message);
        }

        using IDisposable? owned = family as IDisposable;
        if (family.InvalidTaskReason(Task) is { } reason)
        {
            throw new UsageException($"--adapt-to: {reason}");
        }
    }

    /// <summary>
    /// θ′: the run's φ (<paramref name="checkpoint"/>) after <see cref="Steps"/> adaptation steps on <see cref="Task"/>
    /// with the run's own learner, seed <see cref="Seed"/> or the config's; exactly what
    /// <see cref="TrainedRun.Load"/> then <see cref="PerTaskMetaLearner.AdaptTo"/> give.
    /// </summary>
    public double[] Adapt(CliContext ctx, TrainConfig config, Checkpoint checkpoint, RunFolder folder)
    {
        IMetaLearner learner = RunSupport.CreateLearner(ctx, config);
        using IDisposable? owned = learner as IDisposable; // a learner that pools native environments frees them
        if (learner is not PerTaskMetaLearner perTask)
        {
            throw new UsageException($"--adapt-to: {learner.Algorithm} has no per-task adaptation to export; export its φ without --adapt-to");
        }

        RunSupport.SetState(learner, checkpoint, folder);
        double[] theta = perTask.AdaptTo([Task], Steps, Seed ?? config.Seed).Thetas[Steps][0];
        if (theta.Any(v => !double.IsFinite(v)))
        {
            throw new NumericalFailureException($"the parameters after {Steps} adaptation steps are not finite");
        }

        return theta;
    }

    /// <summary>How the export line describes the adaptation ("adapted to task 0.3,-0.2 in 1 step, seed 3").</summary>
    public string Describe(long configSeed) => string.Create(CultureInfo.InvariantCulture,
        $"adapted to task {string.Join(",", Task.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))} in {Steps} {(Steps == 1 ? "step" : "steps")}, seed {Seed ?? configSeed}");
}
