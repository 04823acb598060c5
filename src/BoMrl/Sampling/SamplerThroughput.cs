using System.Diagnostics;

namespace BoMrl.Sampling;

/// <summary>
/// Result of <see cref="SamplerThroughput.Measure"/>: env steps of the full sampling loop (environment physics,
/// observation, reward, batched policy forward and action sampling) per second of wall time.
/// </summary>
/// <param name="EnvSteps">Valid steps collected (episodes that terminate early count only their steps).</param>
/// <param name="Threads">Worker threads of the sampler.</param>
/// <param name="Seconds">Wall time of the call.</param>
public sealed record SamplerThroughput(long EnvSteps, int Threads, double Seconds)
{
    /// <summary>Env steps per second, comparable with <c>BarePhysicsThroughput.EnvStepsPerSecond</c>.</summary>
    public double EnvStepsPerSecond => EnvSteps / Seconds;

    /// <summary>
    /// Times one <see cref="LockstepSampler.SampleInto"/> call (resets included: one per episode) and counts the valid
    /// steps it collected. Warm the sampler up with one untimed call first (JIT, environment pool, first touch of the
    /// batches).
    /// </summary>
    public static SamplerThroughput Measure(LockstepSampler sampler, IReadOnlyList<double[]> tasks, IReadOnlyList<double[]> thetas,
        IReadOnlyList<TrajectoryBatch> batches, long seed, long stream)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentNullException.ThrowIfNull(batches);
        long t0 = Stopwatch.GetTimestamp();
        sampler.SampleInto(tasks, thetas, seed, stream, batches);
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        long steps = 0;
        foreach (TrajectoryBatch b in batches)
        {
            steps += b.ValidSteps;
        }

        return new SamplerThroughput(steps, sampler.Threads, seconds);
    }
}
