using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using BoMrl.Environments.Mujoco;

namespace BoMrl.Tests.Mujoco;

/// <summary>
/// The hard-coded mjModel / mjData offsets are those of the installed MuJoCo 2.2.2 headers (C probe compiled with
/// gcc), and values written through the bindings are the values MuJoCo's own functions read and write.
/// </summary>
public sealed class MujocoLayoutTests
{
    private static readonly Dictionary<string, long> s_expected = new()
    {
        ["mjVERSION_HEADER"] = 222,
        ["sizeof.mjtNum"] = 8,
        ["sizeof.mjModel"] = MujocoLayout.ModelSize,
        ["sizeof.mjData"] = MujocoLayout.DataSize,
        ["mjOBJ_BODY"] = MujocoLayout.ObjBody,
        ["mjINT_EULER"] = (long)MujocoIntegrator.Euler,
        ["mjINT_RK4"] = (long)MujocoIntegrator.RungeKutta4,
        ["mjWARN_BADQPOS"] = MujocoLayout.WarnBadQpos,
        ["mjWARN_BADCTRL"] = MujocoLayout.WarnBadCtrl,
        ["sizeof.mjWarningStat"] = MujocoLayout.WarningStatSize,
        ["mjWarningStat.number"] = MujocoLayout.WarningStatNumber,
        ["mjModel.nq"] = MujocoLayout.ModelNq,
        ["mjModel.nv"] = MujocoLayout.ModelNv,
        ["mjModel.nu"] = MujocoLayout.ModelNu,
        ["mjModel.nbody"] = MujocoLayout.ModelNbody,
        ["mjModel.njnt"] = MujocoLayout.ModelNjnt,
        ["mjModel.ngeom"] = MujocoLayout.ModelNgeom,
        ["mjModel.opt.timestep"] = MujocoLayout.ModelOptTimestep,
        ["mjModel.opt.integrator"] = MujocoLayout.ModelOptIntegrator,
        ["mjModel.qpos0"] = MujocoLayout.ModelQpos0,
        ["mjModel.body_mass"] = MujocoLayout.ModelBodyMass,
        ["mjModel.body_inertia"] = MujocoLayout.ModelBodyInertia,
        ["mjModel.actuator_ctrlrange"] = MujocoLayout.ModelActuatorCtrlRange,
        ["mjData.warning"] = MujocoLayout.DataWarning,
        ["mjData.ncon"] = MujocoLayout.DataNcon,
        ["mjData.time"] = MujocoLayout.DataTime,
        ["mjData.qpos"] = MujocoLayout.DataQpos,
        ["mjData.qvel"] = MujocoLayout.DataQvel,
        ["mjData.ctrl"] = MujocoLayout.DataCtrl,
        ["mjData.xpos"] = MujocoLayout.DataXpos,
        ["mjData.xmat"] = MujocoLayout.DataXmat,
        ["mjData.subtree_com"] = MujocoLayout.DataSubtreeCom,
        ["mjData.cfrc_ext"] = MujocoLayout.DataCfrcExt,
    };

    [Fact]
    public void Layout_constants_match_offsetof_in_the_installed_MuJoCo_headers()
    {
        Assert.True(File.Exists("/usr/include/mujoco/mujoco.h"),
            "MuJoCo headers missing: install them with `apt-get install libmujoco-dev` (scripts/install-deps.sh does).");
        string source = Path.Combine(AppContext.BaseDirectory, "Mujoco", "layout_probe.c");
        string dir = Directory.CreateTempSubdirectory("bomrl-layout-").FullName;
        try
        {
            string exe = Path.Combine(dir, "probe");
            (int rc, string output) = Run("gcc", $"-o \"{exe}\" \"{source}\"");
            Assert.True(rc == 0, $"gcc failed to compile the layout probe (is gcc installed?):\n{output}");
            (rc, output) = Run(exe, "");
            Assert.Equal(0, rc);

            var seen = new HashSet<string>();
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = line.Split(' ');
                Assert.True(s_expected.TryGetValue(parts[0], out long expected), $"probe printed an unchecked field: {line}");
                Assert.True(expected == long.Parse(parts[1], CultureInfo.InvariantCulture),
                    $"{parts[0]}: header says {parts[1]}, MujocoLayout has {expected}");
                seen.Add(parts[0]);
            }

            Assert.Equal(s_expected.Count, seen.Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Library_reports_version_222()
    {
        MujocoNative.EnsureLoaded();
        Assert.Equal(222, MujocoNative.mj_version());
    }

    [Fact]
    public void Loader_names_the_apt_package_in_one_sentence_when_no_MuJoCo_222_loads()
    {
        string? failure = MujocoNative.OpenFirst(
            [
                ("nowhere", () => NativeLibrary.TryLoad("/nonexistent/libmujoco.so", out nint h) ? h : 0),
                ("libm", () => NativeLibrary.TryLoad("libm.so.6", out nint h) ? h : 0),
            ],
            out nint handle);
        Assert.Equal(0, handle);
        Assert.NotNull(failure);
        Assert.Single(failure.Split('\n'));
        Assert.Contains("apt-get install libmujoco2.2.2", failure, StringComparison.Ordinal);
        Assert.Contains("nowhere: not found", failure, StringComparison.Ordinal);
        Assert.Contains("libm: no mj_version export", failure, StringComparison.Ordinal);

        failure = MujocoNative.OpenFirst([("versioned", () => NativeLibrary.TryLoad(MujocoNative.VersionedFileName, out nint h) ? h : 0)], out handle);
        Assert.Null(failure);
        Assert.NotEqual(0, handle);
        NativeLibrary.Free(handle); // drops only this extra reference
    }

    [Fact]
    public void Values_written_through_the_bindings_are_what_MuJoCo_reads_and_writes()
    {
        MujocoModel model = MujocoAssets.HalfCheetah;
        Assert.Equal(0.01, model.Timestep);
        Assert.Equal(MujocoIntegrator.Euler, model.Integrator);
        using MujocoData data = model.CreateData();

        // qpos -> mj_forward -> xpos: the planar torso frame sits at (rootx, 0, 0.7 + rootz).
        data.Qpos[0] = 0.3;
        data.Qpos[1] = -0.2;
        data.Forward();
        int torso = model.BodyId("torso");
        Assert.Equal(1, torso);
        Assert.Equal(0.3, data.Xpos[3 * torso], 12);
        Assert.Equal(0.0, data.Xpos[(3 * torso) + 1], 12);
        Assert.Equal(0.5, data.Xpos[(3 * torso) + 2], 12);
        Assert.Equal(1.0, data.Xmat[(9 * torso) + 4], 12); // rotation about y only: yy entry is 1
        // The subtree COM of the world is the mass-weighted mean of body COMs, below the torso frame here.
        Assert.True(data.SubtreeCom[2] < 0.5);

        // qvel -> mj_step (Euler) -> time and qpos advance by timestep × qvel (no contact, springs at rest).
        data.Reset();
        Assert.Equal(0.0, data.Qpos[0]);
        data.Qvel[0] = 1.0;
        data.Step();
        Assert.Equal(0.01, data.Time, 15);
        Assert.Equal(0.01, data.Qpos[0], 12);

        // ctrl on actuator 0 (bthigh, gear 120) accelerates joint 3 positively and no other hinge directly.
        data.Reset();
        data.Ctrl[0] = 1.0;
        data.Step();
        Assert.True(data.Qvel[3] > 0.1, $"qvel[3] = {data.Qvel[3]}");
        data.Reset();
        Assert.Equal(0.0, data.Ctrl[0]);
        Assert.Equal(0, data.InstabilityWarnings);

        // A NaN in qpos is flagged by MuJoCo (warning counter), which then resets the state by itself; the
        // warning text reaches our handler instead of MUJOCO_LOG.TXT in the working directory.
        File.Delete("MUJOCO_LOG.TXT");
        data.Qpos[2] = double.NaN;
        data.Step();
        Assert.True(data.InstabilityWarnings > 0);
        Assert.True(double.IsFinite(data.Qpos[2]));
        Assert.Contains("QPOS", MujocoNative.LastWarning, StringComparison.Ordinal);
        Assert.False(File.Exists("MUJOCO_LOG.TXT"));
    }

    [Fact]
    public void Contact_forces_are_filled_only_by_rnePostConstraint()
    {
        MujocoModel model = MujocoAssets.HalfCheetah;
        using MujocoData data = model.CreateData();
        for (int i = 0; i < 40; i++)
        {
            data.Step(5); // falls onto the floor
        }

        Assert.True(data.ContactCount > 0);
        Assert.All(data.CfrcExt.ToArray(), c => Assert.Equal(0.0, c));
        data.RnePostConstraint();

        // At rest the vertical contact forces (component 5 of each body row) carry the weight m·g = 14 × 9.81.
        double vertical = 0;
        for (int b = 0; b < model.NBody; b++)
        {
            vertical += data.CfrcExt[(6 * b) + 5];
        }

        Assert.Equal(14 * 9.81, vertical, 0);
    }

    [Fact]
    public void Loading_a_broken_model_surfaces_MuJoCos_error_text()
    {
        string dir = Directory.CreateTempSubdirectory("bomrl-mjcf-").FullName;
        try
        {
            string path = Path.Combine(dir, "broken.xml");
            File.WriteAllText(path, "<mujoco><worldbody><geom type=\"sphere\" size=\"0.1\" bogus=\"1\"/></worldbody></mujoco>");
            MujocoException e = Assert.Throws<MujocoException>(() => MujocoModel.Load(path));
            Assert.Contains("bogus", e.Message, StringComparison.Ordinal);
            Assert.Throws<FileNotFoundException>(() => MujocoModel.Load(Path.Combine(dir, "absent.xml")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Data_keeps_its_model_alive_and_disposal_is_checked()
    {
        var model = MujocoModel.Load(MujocoAssets.PathOf(MujocoAssets.HalfCheetahFile));
        MujocoData data = model.CreateData();
        model.Dispose(); // the data still holds a reference: the native model is freed only after the data
        data.Step(5);
        Assert.True(double.IsFinite(data.Qpos[1]));
        data.Dispose();
        Assert.Throws<ObjectDisposedException>(() => data.Qpos[0]);
    }

    private static (int ExitCode, string Output) Run(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
