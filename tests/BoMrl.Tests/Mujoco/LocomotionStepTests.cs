using BoMrl.Environments;
using BoMrl.Environments.Mujoco;
using BoMrl.Numerics;

namespace BoMrl.Tests.Mujoco;

/// <summary>
/// What a locomotion step does beyond its reward: Ant's termination, control clipping, no allocation per step, identical
/// results on parallel threads, bare-physics throughput.
/// </summary>
public sealed class LocomotionStepTests
{
    [Fact]
    public void Ant_terminates_outside_the_healthy_height_range()
    {
        foreach (LocomotionVariant variant in new[] { LocomotionVariant.PytorchMamlRl, LocomotionVariant.ProMP })
        {
            LocomotionTaskDistribution tasks = LocomotionTasks.Create("ant-dir", variant);
            Assert.Equal(variant == LocomotionVariant.ProMP ? 0.0 : 0.2, tasks.Definition.HealthyZLow);
            using LocomotionEnvironment env = tasks.CreateLocomotionEnvironment([1.0]);
            double[] obs = new double[tasks.ObservationSize];
            double[] zero = new double[tasks.ActionSize];
            env.Reset(Seeds.Rng(1), obs);
            Assert.False(env.Step(zero, obs).Terminated);
            env.Data.Qpos[2] = 1.6; // thrown above the healthy range: still above 1.0 after 0.05 s of free fall
            Assert.True(env.Step(zero, obs).Terminated);
        }

        LocomotionTaskDistribution cheetah = LocomotionTasks.Create("halfcheetah-dir");
        using LocomotionEnvironment c = cheetah.CreateLocomotionEnvironment([1.0]);
        double[] o = new double[cheetah.ObservationSize];
        c.Reset(Seeds.Rng(1), o);
        c.Data.Qpos[1] = 3.0;
        Assert.False(c.Step(new double[6], o).Terminated); // the cheetah never terminates
    }

    [Fact]
    public void Controls_are_clipped_by_the_wrapper_and_by_MuJoCos_ctrlrange()
    {
        // MuJoCo clamps ctrl to ctrlrange (ctrllimited): ctrl 5 moves the cheetah exactly as ctrl 1.
        using MujocoData x = MujocoAssets.HalfCheetah.CreateData();
        using MujocoData y = MujocoAssets.HalfCheetah.CreateData();
        x.Ctrl.Fill(5.0);
        y.Ctrl.Fill(1.0);
        for (int i = 0; i < 10; i++)
        {
            x.Step(5);
            y.Step(5);
        }

        Assert.Equal(y.Qpos.ToArray(), x.Qpos.ToArray());

        // The action wrapper clips the policy output to ±10 and maps it to ±1: p = 50 acts and costs as p = 10.
        LocomotionTaskDistribution tasks = LocomotionTasks.Create("halfcheetah-vel");
        using LocomotionEnvironment a = tasks.CreateLocomotionEnvironment([1.0]);
        using LocomotionEnvironment b = tasks.CreateLocomotionEnvironment([1.0]);
        double[] oa = new double[20], ob = new double[20];
        a.Reset(Seeds.Rng(2), oa);
        b.Reset(Seeds.Rng(2), ob);
        double[] big = [50, -50, 50, -50, 50, -50], edge = [10, -10, 10, -10, 10, -10];
        StepOutcome ra = a.Step(big, oa), rb = b.Step(edge, ob);
        Assert.Equal(rb, ra);
        Assert.Equal(ob, oa);
        Assert.Equal([1.0, -1.0, 1.0, -1.0, 1.0, -1.0], a.Data.Ctrl.ToArray());
        Assert.Throws<ArgumentException>(() => a.Step([double.NaN, 0, 0, 0, 0, 0], oa));

        // The original MAML code uses scale 1: p = 0.5 is already the env action.
        LocomotionTaskDistribution maml = LocomotionTasks.Create("halfcheetah-vel", LocomotionVariant.Maml);
        using LocomotionEnvironment m = maml.CreateLocomotionEnvironment([1.0]);
        m.Reset(Seeds.Rng(2), oa);
        m.Step([0.5, 3, -3, 0, 0, 0], oa);
        Assert.Equal([0.5, 1.0, -1.0, 0, 0, 0], m.Data.Ctrl.ToArray());
    }
    [Theory]
    [InlineData("halfcheetah-vel", LocomotionVariant.PytorchMamlRl)]
    [InlineData("ant-vel", LocomotionVariant.PytorchMamlRl)]
    [InlineData("ant-dir", LocomotionVariant.Maml)]
    public void Stepping_allocates_nothing(string name, LocomotionVariant variant)
    {
        LocomotionTaskDistribution tasks = LocomotionTasks.Create(name, variant);
        using LocomotionEnvironment env = tasks.CreateLocomotionEnvironment([1.0]);
        double[] obs = new double[tasks.ObservationSize];
        double[] action = new double[tasks.ActionSize];
        action.AsSpan().Fill(3.0);
        Random rng = Seeds.Rng(4);
        env.Reset(rng, obs);
        env.Step(action, obs); // first-use scratch (subtree Jacobian) and JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < 50; t++)
        {
            env.Step(action, obs);
        }

        env.Reset(rng, obs);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Environments_sharing_one_model_give_identical_results_on_parallel_threads()
    {
        LocomotionTaskDistribution tasks = LocomotionTasks.Create("ant-dir");
        const int envs = 6, steps = 40;
        double[][] Run(bool parallel)
        {
            var results = new double[envs][];
            void One(int k)
            {
                using LocomotionEnvironment env = tasks.CreateLocomotionEnvironment([k % 2 == 0 ? 1.0 : -1.0]);
                double[] obs = new double[tasks.ObservationSize];
                double[] a = new double[tasks.ActionSize];
                Random rng = Seeds.Rng(21, k);
                env.Reset(rng, obs);
                double total = 0;
                for (int t = 0; t < steps; t++)
                {
                    for (int i = 0; i < a.Length; i++)
                    {
                        a[i] = 10 * Math.Sin((0.3 * t) + i + k);
                    }

                    total += env.Step(a, obs).Reward;
                }

                results[k] = [.. obs, total];
            }

            if (parallel)
            {
                Parallel.For(0, envs, new ParallelOptions { MaxDegreeOfParallelism = 3 }, One);
            }
            else
            {
                for (int k = 0; k < envs; k++)
                {
                    One(k);
                }
            }

            return results;
        }

        double[][] sequential = Run(false), parallel = Run(true);
        for (int k = 0; k < envs; k++)
        {
            Assert.Equal(sequential[k], parallel[k]);
        }
    }

    [Fact]
    public void Bare_physics_throughput_is_measured_over_threads()
    {
        BarePhysicsThroughput r = BarePhysics.Measure(MujocoAssets.HalfCheetah, environments: 4, envSteps: 20, threads: 2);
        Assert.Equal(80, r.EnvSteps);
        Assert.True(r.Seconds > 0 && double.IsFinite(r.EnvStepsPerSecond) && r.EnvStepsPerSecond > 0);
        Assert.Equal(5 * r.EnvStepsPerSecond, r.MjStepsPerSecond, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => BarePhysics.Measure(MujocoAssets.HalfCheetah, 2, 1, 3));
    }
}
