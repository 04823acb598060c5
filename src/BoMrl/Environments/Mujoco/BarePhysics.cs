using System.Diagnostics;
using BoMrl.Numerics;

namespace BoMrl.Environments.Mujoco;

/// <summary>
/// Result of <see cref="BarePhysics.Measure"/> or <see cref="BarePhysics.Replay"/>: env-steps (FrameSkip ×
/// <c>mj_step</c> each) per second of wall time.
/// </summary>
/// <param name="Environments">Number of simulation states stepped.</param>
/// <param name="EnvSteps">Env steps taken in all (over every state).</param>
/// <param name="Threads">Worker threads.</param>
/// <param name="FrameSkip"><c>mj_step</c> calls per env step.</param>
/// <param name="Seconds">Wall time of the timed loop.</param>
public sealed record BarePhysicsThroughput(int Environments, long EnvSteps, int Threads, int FrameSkip, double Seconds)
{
    /// <summary>Env steps per second, the ceiling any sampler built on these models can reach on this machine.</summary>
    public double EnvStepsPerSecond => EnvSteps / Seconds;

    /// <summary>Raw <c>mj_step</c> calls per second (comparable with <c>mujoco-testspeed</c>).</summary>
    public double MjStepsPerSecond => EnvStepsPerSecond * FrameSkip;
}

/// <summary>
/// Throughput of the bare physics: N simulation states of one model stepped (FrameSkip <c>mj_step</c> calls per env
/// step and nothing else: no policy, no observation, no reward) on T dedicated threads, each thread a contiguous
/// block of states, all released together by a barrier. Used by <c>bomrl bench sampler</c> to show how close the
/// sampler gets to the physics' own ceiling.
/// </summary>
public static class BarePhysics
{
    /// <summary>
    /// Steps <paramref name="environments"/> states from qpos0 for <paramref name="envSteps"/> env steps on
    /// <paramref name="threads"/> threads and times the loop. Controls are fixed per state (0.5·sin(i + k), actuator
    /// i, state k) so the robots move and touch the floor. One untimed env step per state warms caches first.
    /// </summary>
    public static BarePhysicsThroughput Measure(MujocoModel model, int environments, int envSteps, int threads, int frameSkip = 5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(environments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(envSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, environments);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameSkip);

        var datas = new MujocoData[environments];
        try
        {
            for (int k = 0; k < environments; k++)
            {
                datas[k] = model.CreateData();
                Span<double> ctrl = datas[k].Ctrl;
                for (int i = 0; i < ctrl.Length; i++)
                {
                    ctrl[i] = 0.5 * PortableMath.Sin(i + k);
                }

                datas[k].Step(frameSkip);
            }

            double seconds = Time(environments, threads, (from, to) =>
            {
                for (int s = 0; s < envSteps; s++)
                {
                    for (int k = from; k < to; k++)
                    {
                        datas[k].Step(frameSkip);
                    }
                }
            });
            return new BarePhysicsThroughput(environments, (long)environments * envSteps, threads, frameSkip, seconds);
        }
        finally
        {
            foreach (MujocoData? d in datas)
            {
                d?.Dispose();
            }
        }
    }

    /// <summary>
    /// Replays sampled episodes with the bare physics, so that it does exactly the physical work of the sampling loop
    /// that produced them: episode k starts from the state its environment's reset draws from
    /// <paramref name="resets"/>[k] (pass the sampler's generator of that episode and the trajectory is the sampled
    /// one), then for each of its <paramref name="lengths"/>[k] steps writes the controls of its recorded action (the
    /// environment's action mapping) and calls <c>mj_step</c> FrameSkip times. No observation, reward, contact
    /// wrenches or policy. Resets are not timed. The loop order is the lock-step sampler's: episodes are cut into
    /// balanced groups of at most <paramref name="groupSize"/>, each group is stepped from start to end in lock-step,
    /// and each thread takes a contiguous run of groups (the working set in cache is one group's states, as in the
    /// sampler).
    /// </summary>
    /// <param name="tasks">The family whose environments recorded the episodes.</param>
    /// <param name="task">Any task of the family (the physics does not depend on it).</param>
    /// <param name="resets">One reset generator per episode.</param>
    /// <param name="actions">Recorded policy outputs, episodes × <paramref name="horizon"/> × ActionSize (a trajectory batch's layout).</param>
    /// <param name="lengths">Valid steps of each episode (at most <paramref name="horizon"/>).</param>
    /// <param name="horizon">Row stride of <paramref name="actions"/>.</param>
    /// <param name="threads">Worker threads.</param>
    /// <param name="groupSize">Largest lock-step group (the sampler's MaxRowsPerBatch); at least one group per thread.</param>
    public static BarePhysicsThroughput Replay(LocomotionTaskDistribution tasks, ReadOnlySpan<double> task, IReadOnlyList<Random> resets,
        double[] actions, int[] lengths, int horizon, int threads, int groupSize)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(resets);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groupSize);
        int episodes = lengths.Length;
        int nu = tasks.ActionSize;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes, nameof(lengths));
        ArgumentOutOfRangeException.ThrowIfNotEqual(resets.Count, episodes, nameof(resets));
        ArgumentOutOfRangeException.ThrowIfNotEqual(actions.Length, episodes * horizon * nu, nameof(actions));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        int groups = (episodes + groupSize - 1) / groupSize;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, groups);
        long total = 0;
        foreach (int l in lengths)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l, nameof(lengths));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(l, horizon, nameof(lengths));
            total += l;
        }

        int frameSkip = tasks.Definition.FrameSkip;
        var envs = new LocomotionEnvironment[episodes];
        try
        {
            var observation = new double[tasks.ObservationSize];
            for (int k = 0; k < episodes; k++)
            {
                envs[k] = tasks.CreateLocomotionEnvironment(task);
                envs[k].Reset(resets[k], observation);
            }

            double seconds = Time(groups, threads, (firstGroup, endGroup) =>
            {
                for (int g = firstGroup; g < endGroup; g++)
                {
                    int from = (int)((long)g * episodes / groups), to = (int)((long)(g + 1) * episodes / groups);
                    for (int s = 0; s < horizon; s++)
                    {
                        for (int k = from; k < to; k++)
                        {
                            if (s < lengths[k])
                            {
                                envs[k].WriteControls(actions.AsSpan(((k * horizon) + s) * nu, nu));
                                envs[k].Data.Step(frameSkip);
                            }
                        }
                    }
                }
            });
            return new BarePhysicsThroughput(episodes, total, threads, frameSkip, seconds);
        }
        finally
        {
            foreach (LocomotionEnvironment? e in envs)
            {
                e?.Dispose();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="block"/>(from, to) over contiguous blocks of <paramref name="items"/> on
    /// <paramref name="threads"/> dedicated threads released together, and returns the wall time until all finish.
    /// </summary>
    private static double Time(int items, int threads, Action<int, int> block)
    {
        using var start = new Barrier(threads + 1);
        var workers = new Thread[threads];
        Exception? failure = null;
        for (int t = 0; t < threads; t++)
        {
            int from = (int)((long)items * t / threads);
            int to = (int)((long)items * (t + 1) / threads);
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    block(from, to);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            })
            { IsBackground = true, Name = $"bare-physics-{t}" };
            workers[t].Start();
        }

        start.SignalAndWait();
        long t0 = Stopwatch.GetTimestamp();
        foreach (Thread w in workers)
        {
            w.Join();
        }

        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return seconds;
    }
}
