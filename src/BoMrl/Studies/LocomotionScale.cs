
namespace BoMrl.Studies;

/// <summary>
/// The data budget every method of a locomotion study shares (paper, Appendix B, at <see cref="Paper"/>): tasks per
/// meta-iteration, episodes per adaptation step, horizon, meta-iterations, and the meta-test (steps, tasks, seed).
/// </summary>
public sealed record LocomotionScale(string Name, int MetaBatchSize, int EpisodesPerTask, int Horizon, int Iterations,
    int TestSteps = 3, int TestTasks = 40, long TestSeed = 1000)
{
    /// <summary>The scale names the CLI accepts (tiny is for tests).</summary>
    public static IReadOnlyList<string> Names { get; } = ["quick", "long", "paper", "tiny"];

    /// <summary>
    /// Appendix B: H 200, 20 rollouts per adaptation step (40 for ant-dir), meta-batch 40, 500 meta-iterations; the
    /// meta-test of Figure 2 on 40 tasks after up to 3 steps.
    /// </summary>
    public static LocomotionScale Paper(string env) => new("paper", 40, env == "ant-dir" ? 40 : 20, 200, 500);

    /// <summary>
    /// The reduced protocol (docs/experiments.md, "Locomotion study"), H 200 kept and the same 40-task meta-test:
    /// half-cheetah 10 tasks × 10 episodes, 30 meta-iterations (measured: 6 methods × 3 seeds ≈ 2.8 h on 2 busy
    /// cores); ant, whose steps cost ≈ 4× the cheetah's, 10 tasks × 5 episodes, 15 iterations (estimated).
    /// </summary>
    public static LocomotionScale Quick(string env) =>
        env.StartsWith("ant", StringComparison.Ordinal) ? new("quick", 10, 5, 200, 15) : new("quick", 10, 10, 200, 30);

    /// <summary>
    /// <see cref="Quick"/>'s data per meta-iteration and meta-test, for 100 meta-iterations: whether a ranking at quick
    /// scale holds with more training (about 3.3× a quick run's cost on half-cheetah).
    /// </summary>
    public static LocomotionScale Long(string env) => Quick(env) with { Name = "long", Iterations = 100 };

    /// <summary>A seconds-long scale for tests: 2 tasks, 2 episodes of 10 steps, 2 iterations, 2 test tasks.</summary>
    public static LocomotionScale Tiny(string env) => new("tiny", 2, 2, 10, 2, TestTasks: 2);

    /// <summary>The scale called <paramref name="name"/> for <paramref name="env"/>; null when unknown.</summary>
    public static LocomotionScale? Named(string name, string env) => name switch
    {
        "paper" => Paper(env),
        "quick" => Quick(env),
        "long" => Long(env),
        "tiny" => Tiny(env),
        _ => null,
    };

    /// <summary>Environment steps one meta-iteration samples at most: a pre- and a post-adaptation batch per task.</summary>
    public long StepsPerIteration => 2L * MetaBatchSize * EpisodesPerTask * Horizon;
}

/// <summary>One run of a study: a method (config name) and a training seed.</summary>
public sealed record StudyRun(string Method, long Seed);
