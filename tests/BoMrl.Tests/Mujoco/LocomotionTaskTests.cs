using BoMrl.Environments;
using BoMrl.Environments.Mujoco;
using BoMrl.Numerics;

namespace BoMrl.Tests.Mujoco;

/// <summary>
/// The four locomotion task families of the paper's Section 6 follow the pytorch-maml-rl definitions (default) or
/// the ProMP / MAML constants: sizes, task sampling, deterministic resets, rewards equal to a hand computation from
/// the MuJoCo state, action clipping, termination, thread safety and no allocation per step.
/// </summary>
public sealed class LocomotionTaskTests
{
    public static TheoryData<string, LocomotionVariant, int, int> Sizes => new()
    {
        { "halfcheetah-vel", LocomotionVariant.PytorchMamlRl, 20, 6 },
        { "halfcheetah-dir", LocomotionVariant.PytorchMamlRl, 20, 6 },
        { "ant-vel", LocomotionVariant.PytorchMamlRl, 125, 8 },
        { "ant-dir", LocomotionVariant.PytorchMamlRl, 125, 8 },
        { "halfcheetah-vel", LocomotionVariant.ProMP, 17, 6 },
        { "halfcheetah-dir", LocomotionVariant.ProMP, 17, 6 },
        { "ant-dir", LocomotionVariant.ProMP, 111, 8 },
        { "halfcheetah-vel", LocomotionVariant.Maml, 20, 6 },
        { "halfcheetah-dir", LocomotionVariant.Maml, 20, 6 },
        { "ant-vel", LocomotionVariant.Maml, 125, 8 },
        { "ant-dir", LocomotionVariant.Maml, 125, 8 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Task_families_have_the_published_observation_and_action_sizes(string name, LocomotionVariant variant, int observation, int action)
    {
        LocomotionTaskDistribution tasks = LocomotionTasks.Create(name, variant);
        Assert.Equal(name, tasks.Name);
        Assert.Equal(observation, tasks.ObservationSize);
        Assert.Equal(action, tasks.ActionSize);
        Assert.Equal(200, tasks.Horizon);
        Assert.Equal(0.05, tasks.Dt, 15);
        using LocomotionEnvironment env = tasks.CreateLocomotionEnvironment(tasks.SampleTask(new Random(1)));
        Assert.Equal(observation, env.ObservationSize);
        Assert.Equal(action, env.ActionSize);
    }

    [Fact]
    public void Unknown_names_and_undefined_combinations_are_rejected_with_one_line()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => LocomotionTasks.Create("walker-vel"));
        Assert.Single(e.Message.Split('\n'));
        Assert.Contains("halfcheetah-vel", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LocomotionTasks.Create("ant-vel", LocomotionVariant.ProMP));
        Assert.Throws<ArgumentOutOfRangeException>(() => LocomotionTasks.Create("ant-dir", horizon: 0));
        Assert.Equal(LocomotionVariant.ProMP, LocomotionTasks.ParseVariant("ProMP"));
        Assert.Equal(LocomotionVariant.PytorchMamlRl, LocomotionTasks.ParseVariant("pytorch-maml-rl"));
        Assert.Throws<ArgumentException>(() => LocomotionTasks.ParseVariant("rl2"));

        LocomotionTaskDistribution dir = LocomotionTasks.Create("halfcheetah-dir");
        Assert.Throws<ArgumentException>(() => dir.CreateEnvironment([0.5]));
        Assert.Throws<ArgumentException>(() => dir.CreateEnvironment([1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => LocomotionTasks.Create("ant-vel").CreateEnvironment([double.NaN]));
    }

    [Theory]
    [InlineData("halfcheetah-vel", LocomotionVariant.PytorchMamlRl, 2.0)]
    [InlineData("halfcheetah-vel", LocomotionVariant.ProMP, 3.0)]
    [InlineData("halfcheetah-vel", LocomotionVariant.Maml, 2.0)]
    [InlineData("ant-vel", LocomotionVariant.PytorchMamlRl, 3.0)]
    public void Goal_velocities_are_uniform_on_the_published_range(string name, LocomotionVariant variant, double high)
    {
        LocomotionTaskDistribution tasks = LocomotionTasks.Create(name, variant);
        Random rng = Seeds.Rng(7);
        double[] g = Enumerable.Range(0, 4000).Select(_ => tasks.SampleTask(rng)[0]).ToArray();
        Assert.All(g, x => Assert.InRange(x, 0.0, high));
        Assert.Equal(high / 2, g.Average(), 0.05 * high);
        Assert.True(g.Max() > 0.98 * high && g.Min() < 0.02 * high);
    }

    [Theory]
    [InlineData("halfcheetah-dir")]
    [InlineData("ant-dir")]
    public void Directions_are_plus_or_minus_one_with_equal_probability(string name)
    {
        LocomotionTaskDistribution tasks = LocomotionTasks.Create(name);
        Random rng = Seeds.Rng(11);
        double[] d = Enumerable.Range(0, 4000).Select(_ => tasks.SampleTask(rng)[0]).ToArray();
        Assert.All(d, x => Assert.True(x is 1.0 or -1.0));
        Assert.InRange(d.Count(x => x > 0), 1800, 2200);
    }

    [Theory]
    [InlineData("halfcheetah-vel")]
    [InlineData("ant-dir")]
    public void Reset_is_deterministic_under_a_seed_and_noise_stays_in_gyms_range(string name)
    {
        LocomotionTaskDistribution tasks = LocomotionTasks.Create(name);
        using LocomotionEnvironment a = tasks.CreateLocomotionEnvironment([1.0]);
        using LocomotionEnvironment b = tasks.CreateLocomotionEnvironment([1.0]);
        double[] oa = new double[tasks.ObservationSize], ob = new double[tasks.ObservationSize];
        a.Reset(Seeds.Rng(3, 0), oa);
        b.Step(new double[tasks.ActionSize], ob); // b carries some other state first
        b.Reset(Seeds.Rng(3, 0), ob);
        Assert.Equal(oa, ob);
        b.Reset(Seeds.Rng(3, 1), ob);
        Assert.NotEqual(oa, ob);

        // qpos − qpos0 ∈ [−0.1, 0.1] except the ant's quaternion (renormalised by mj_forward); qvel ~ 0.1·N.
        ReadOnlySpan<double> qpos0 = a.Data.Model.Qpos0;
        bool ant = name.StartsWith("ant", StringComparison.Ordinal);
        for (int i = 0; i < qpos0.Length; i++)
        {
            if (!ant || i < 3 || i > 6)
            {
                Assert.InRange(a.Data.Qpos[i] - qpos0[i], -0.1, 0.1);
            }
        }

        if (ant)
        {
            double norm = Math.Sqrt(a.Data.Qpos.Slice(3, 4).ToArray().Sum(q => q * q));
            Assert.Equal(1.0, norm, 12);
        }

        Assert.All(a.Data.Qvel.ToArray(), v => Assert.InRange(v, -0.6, 0.6));
    }

    [Theory]
    [InlineData("halfcheetah-vel", LocomotionVariant.PytorchMamlRl, 1.3)]
    [InlineData("halfcheetah-dir", LocomotionVariant.PytorchMamlRl, -1.0)]
    [InlineData("halfcheetah-dir", LocomotionVariant.ProMP, 1.0)]
    [InlineData("ant-vel", LocomotionVariant.PytorchMamlRl, 2.2)]
    [InlineData("ant-dir", LocomotionVariant.PytorchMamlRl, 1.0)]
    [InlineData("ant-dir", LocomotionVariant.ProMP, -1.0)]
    public void Reward_equals_a_hand_computation_from_the_state_before_and_after_the_step(string name, LocomotionVariant variant, double task)
    {
        LocomotionTaskDistribution tasks = LocomotionTasks.Create(name, variant);
        using LocomotionEnvironment env = tasks.CreateLocomotionEnvironment([task]);
        bool ant = name.StartsWith("ant", StringComparison.Ordinal);
        double[] obs = new double[tasks.ObservationSize];
        env.Reset(Seeds.Rng(5), obs);
        Random rng = Seeds.Rng(6);
        double[] p = new double[tasks.ActionSize];
        bool touched = !ant;
        for (int t = 0; t < 30; t++)
        {
            for (int i = 0; i < p.Length; i++)
            {
                p[i] = 12 * rng.NextGaussian(); // policy outputs beyond ±10 exercise the wrapper's clipping
            }

            double before = ant ? env.Data.Xpos[3] : env.Data.Qpos[0];
            StepOutcome outcome = env.Step(p, obs);
            double after = ant ? env.Data.Xpos[3] : env.Data.Qpos[0];

            double v = (after - before) / 0.05;
            double a2 = p.Sum(x => Math.Pow(Math.Clamp(x, -10, 10) / 10, 2));
            double expected;
            if (!ant)
            {
                expected = (name.EndsWith("vel", StringComparison.Ordinal) ? -Math.Abs(v - task) : task * v) - (0.05 * a2);
            }
            else
            {
                double contact = env.Data.CfrcExt.ToArray().Sum(c => Math.Pow(Math.Clamp(c, -1, 1), 2));
                (double survive, double ctrlWeight) = variant == LocomotionVariant.ProMP ? (1.0, 0.5) : (0.05, 0.005);
                double forward = name.EndsWith("vel", StringComparison.Ordinal) ? -Math.Abs(v - task) + 1.0 : task * v;
                expected = forward + survive - (ctrlWeight * a2) - (5e-4 * contact);
                touched |= contact > 0;
            }

            Assert.Equal(expected, outcome.Reward, 10);
            Assert.Equal(ExpectedObservation(env, name, variant), obs);
        }

        Assert.True(touched, "the ant should land and the contact cost be exercised");
    }

    [Fact]
    public void Maml_velocity_is_the_subtree_centre_of_mass_velocity()
    {
        LocomotionTaskDistribution tasks = LocomotionTasks.Create("halfcheetah-vel", LocomotionVariant.Maml);
        using LocomotionEnvironment env = tasks.CreateLocomotionEnvironment([0.0]);
        double[] obs = new double[20];
        env.Reset(Seeds.Rng(9), obs);
        for (int t = 0; t < 5; t++)
        {
            env.Step([5, -3, 2, 8, -6, 1], obs);
        }

        double[] p = [1, -3, 2, 8, -6, 1];
        double reward = env.Step(p, obs).Reward;
        double v = -reward - (0.05 * p.Sum(x => Math.Clamp(x, -1, 1) * Math.Clamp(x, -1, 1))); // reward = −|v − 0| − cost
        Assert.True(Math.Abs(v) > 1e-3);

        // Central difference of subtree_com[torso].x along qvel (all cheetah joints are 1-dof: nq = nv).
        MujocoData d = env.Data;
        using MujocoData probe = d.Model.CreateData();
        double h = 1e-6;
        double[] x = new double[2];
        for (int side = 0; side < 2; side++)
        {
            for (int i = 0; i < d.Model.Nq; i++)
            {
                probe.Qpos[i] = d.Qpos[i] + ((side == 0 ? h : -h) * d.Qvel[i]);
            }

            probe.Forward();
            x[side] = probe.SubtreeCom[3];
        }

        Assert.Equal(Math.Abs((x[0] - x[1]) / (2 * h)), Math.Abs(v), 6);
        Assert.Equal(d.SubtreeCom.Slice(3, 3).ToArray(), obs[17..20]); // observation ends with subtree_com[torso]
    }

    /// <summary>The observation rebuilt from the MuJoCo state by the published recipe (docs/mujoco.md §3, "cheetah obs" and "ant obs").</summary>
    private static double[] ExpectedObservation(LocomotionEnvironment env, string name, LocomotionVariant variant)
    {
        MujocoData d = env.Data;
        var o = new List<double>();
        if (name.StartsWith("halfcheetah", StringComparison.Ordinal))
        {
            o.AddRange(d.Qpos[1..].ToArray());
            o.AddRange(d.Qvel.ToArray());
            if (variant == LocomotionVariant.PytorchMamlRl)
            {
                o.AddRange(d.Xpos.Slice(3, 3).ToArray());
            }
        }
        else
        {
            o.AddRange(d.Qpos[(variant == LocomotionVariant.ProMP ? 2 : 0)..].ToArray());
            o.AddRange(d.Qvel.ToArray());
            o.AddRange(d.CfrcExt.ToArray().Select(c => Math.Clamp(c, -1, 1)));
            if (variant == LocomotionVariant.PytorchMamlRl)
            {
                o.AddRange(d.Xmat.Slice(9, 9).ToArray());
                o.AddRange(d.Xpos.Slice(3, 3).ToArray());
            }
        }

        return [.. o];
    }
}
