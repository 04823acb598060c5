using System.Diagnostics;

namespace BoMrl.Environments.Mujoco;

/// <summary>Result of <see cref="BarePhysics.Measure"/>: env-steps (FrameSkip × <c>mj_step</c> each) per second of wall time.</summary>
/// <param name="Environments">Number of simulation states stepped.</param>
/// <param name="EnvStepsPerEnvironment">Env steps taken by each state.</param>
/// <param name="Threads">Worker threads.</param>
/// <param name="FrameSkip"><c>mj_step</c> calls per env step.</param>
/// <param name="Seconds">Wall time of the timed loop.</param>
public sealed record BarePhysicsThroughput(int Environments, int EnvStepsPerEnvironment, int Threads, int FrameSkip, double Seconds)
{
    /// <summary>Total env steps taken.</summary>
    public long EnvSteps => (long)Environments * EnvStepsPerEnvironment;

    /// <summary>Env steps per second, the ceiling any sampler built on these models can reach on this machine.</summary>
    public double EnvStepsPerSecond => EnvSteps / Seconds;

    /// <summary>Raw <c>mj_step</c> calls per second (comparable with <c>mujoco-testspeed</c>).</summary>
    public double MjStepsPerSecond => EnvStepsPerSecond * FrameSkip;
}

/// <summary>
/// Throughput of the bare physics: N simulation states of one model stepped for S env steps (FrameSkip
/// <c>mj_step</c> calls each and nothing else: no policy, no observation, no reward) split over T threads. Used
/// by <c>bomrl bench sampler</c> to show how close the sampler gets to the physics' own ceiling.
/// </summary>
public static class BarePhysics
{
    /// <summary>
    /// Steps <paramref name="environments"/> states for <paramref name="envSteps"/> env steps on
    /// <paramref name="threads"/> dedicated threads (contiguous blocks of states per thread) and times the loop.
    /// Controls are fixed per state (0.5·sin(i + k), actuator i, state k) so the robots move and touch the floor.
    /// One untimed env step per state warms caches first.
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
                    ctrl[i] = 0.5 * Math.Sin(i + k);
                }

                datas[k].Step(frameSkip);
            }

            using var start = new Barrier(threads + 1);
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                int from = (int)((long)environments * t / threads);
                int to = (int)((long)environments * (t + 1) / threads);
                workers[t] = new Thread(() =>
                {
                    start.SignalAndWait();
                    for (int s = 0; s < envSteps; s++)
                    {
                        for (int k = from; k < to; k++)
                        {
                            datas[k].Step(frameSkip);
                        }
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
            return new BarePhysicsThroughput(environments, envSteps, threads, frameSkip, seconds);
        }
        finally
        {
            foreach (MujocoData? d in datas)
            {
                d?.Dispose();
            }
        }
    }
}
