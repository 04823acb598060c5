using BoMrl.Environments.Mujoco;
using Xunit.Abstractions;

namespace BoMrl.Tests.Mujoco;

/// <summary>
/// The project's own MJCF models compile to gym's HalfCheetah and Ant and reproduce the reference rollouts of
/// docs/mujoco.md §2's reference rollouts (MuJoCo 2.2.2 with gym's XML): dimensions, masses, inertia, integrator, qpos after 20 and 100 env
/// steps and the velocity / ‖a‖² / contact sums.
/// </summary>
public sealed class ModelReferenceTests(ITestOutputHelper output)
{
    // Spec §G values are printed with 6 decimals: a faithful model agrees to rounding (≤ 5e-7).
    private const double Tolerance = 1e-6;

    // Spec §G: qpos after 20 and 100 env steps, Σ forward velocity, Σ ‖a‖², Σ ‖clip(cfrc_ext, −1, 1)‖².
    private static readonly (double[], double[], double, double, double) HalfCheetahReference = (
        [-0.034463, -0.251442, 0.077171, 0.340339, 0.175597, -0.120520, -0.481022, -0.293646, -0.038605],
        [-0.163387, -0.076190, 0.020554, -0.067182, -0.181066, -0.184983, 0.013971, 0.094311, 0.046279],
        -3.267742, 75.156287, 576.627864);

    private static readonly (double[], double[], double, double, double) AntReference = (
        [-0.239238, -0.062178, 0.446727, 0.976058, -0.026132, -0.116652, -0.181713, -0.567538, 0.522128, -0.524289, -0.488228, 0.525107, -0.522767, 0.525020, 1.222266],
        [-0.455604, -0.492644, 0.481114, 0.830886, -0.098982, 0.045219, -0.545698, -0.524556, 0.657825, 0.525024, -0.522454, 0.476904, -1.223054, 0.117200, 0.522127],
        -9.112285, 99.703862, 567.940767);

    public static TheoryData<string> Models => new() { "halfcheetah", "ant" };

    [Fact]
    public void HalfCheetah_compiles_to_gyms_dimensions_masses_and_integrator()
    {
        MujocoModel m = MujocoAssets.HalfCheetah;
        Assert.Null(m.LoadWarning);
        Assert.Equal((9, 9, 6, 8, 9, 9), (m.Nq, m.Nv, m.Nu, m.NBody, m.NGeom, m.NJnt));
        Assert.Equal(MujocoIntegrator.Euler, m.Integrator);
        Assert.Equal(0.01, m.Timestep);
        double[] masses = [0, 6.250209, 1.543515, 1.587448, 1.095397, 1.438075, 1.200837, 0.884519]; // §A.4
        AssertClose(masses, m.BodyMass, 5e-7);
        Assert.Equal(14.0, Sum(m.BodyMass), 9); // settotalmass
        AssertClose([0.897118, 0.885655, 0.0179609], m.BodyInertia.Slice(3, 3), 5e-7);
        Assert.All(m.Qpos0.ToArray(), q => Assert.Equal(0.0, q));
        for (int u = 0; u < m.Nu; u++)
        {
            Assert.Equal((-1.0, 1.0), (m.ActuatorCtrlRange[2 * u], m.ActuatorCtrlRange[(2 * u) + 1]));
        }
    }

    [Fact]
    public void Ant_compiles_to_gyms_dimensions_masses_and_integrator()
    {
        MujocoModel m = MujocoAssets.Ant;
        Assert.Null(m.LoadWarning);
        Assert.Equal((15, 14, 8, 14, 14, 9), (m.Nq, m.Nv, m.Nu, m.NBody, m.NGeom, m.NJnt));
        Assert.Equal(MujocoIntegrator.RungeKutta4, m.Integrator);
        Assert.Equal(0.01, m.Timestep);
        Assert.Equal(0.910880, Sum(m.BodyMass), 6);
        Assert.Equal(0.327249, m.BodyMass[1], 6);
        for (int leg = 0; leg < 4; leg++)
        {
            AssertClose([0.039158, 0.039158, 0.067592], m.BodyMass.Slice(2 + (3 * leg), 3), 5e-7); // §B.4
        }

        AssertClose([0.00818123, 0.00818123, 0.00818123], m.BodyInertia.Slice(3, 3), 5e-9);
        AssertClose([0, 0, 0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], m.Qpos0, 0);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Reference_rollout_of_spec_G_is_reproduced(string model)
    {
        bool ant = model == "ant";
        MujocoModel m = ant ? MujocoAssets.Ant : MujocoAssets.HalfCheetah;
        (double[] q20, double[] q100, double velocity, double action2, double contact) = ant ? AntReference : HalfCheetahReference;

        using MujocoData d = m.CreateData();
        d.Forward();
        double dt = 5 * m.Timestep;
        double sumVelocity = 0, sumAction2 = 0, sumContact = 0;
        double[] at20 = new double[m.Nq];
        for (int t = 0; t < 100; t++)
        {
            // Cheetah: rootx; Ant: torso xpos.x read straight after stepping (docs/mujoco.md §2, xpos timing).
            double before = ant ? d.Xpos[3] : d.Qpos[0];
            for (int i = 0; i < m.Nu; i++)
            {
                double a = 0.5 * Math.Sin((0.1 * t) + i);
                d.Ctrl[i] = a;
                sumAction2 += a * a;
            }

            d.Step(5);
            d.RnePostConstraint();
            double after = ant ? d.Xpos[3] : d.Qpos[0];
            sumVelocity += (after - before) / dt;
            foreach (double c in d.CfrcExt)
            {
                double clipped = Math.Clamp(c, -1, 1);
                sumContact += clipped * clipped;
            }

            if (t == 19)
            {
                d.Qpos.CopyTo(at20);
            }
        }

        double e20 = MaxAbs(q20, at20), e100 = MaxAbs(q100, d.Qpos);
        output.WriteLine($"{model}: max |qpos - spec| after 20 steps {e20:E2}, after 100 steps {e100:E2}");
        output.WriteLine($"{model}: sums velocity {sumVelocity:F6} (spec {velocity}), |a|^2 {sumAction2:F6} (spec {action2}), contact {sumContact:F6} (spec {contact})");
        Assert.True(e20 <= Tolerance, $"qpos after 20 steps off by {e20}");
        Assert.True(e100 <= Tolerance, $"qpos after 100 steps off by {e100}");
        Assert.Equal(velocity, sumVelocity, Tolerance);
        Assert.Equal(action2, sumAction2, Tolerance);
        Assert.Equal(contact, sumContact, Tolerance);
        Assert.Equal(0, d.InstabilityWarnings);
    }

    private static double Sum(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (double v in x)
        {
            s += v;
        }

        return s;
    }

    private static double MaxAbs(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double e = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            e = Math.Max(e, Math.Abs(expected[i] - actual[i]));
        }

        return e;
    }

    private static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance)
    {
        double e = MaxAbs(expected, actual);
        Assert.True(e <= tolerance, $"max abs difference {e} > {tolerance}");
    }
}
