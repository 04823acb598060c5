namespace BoMrl.Environments.Mujoco;

/// <summary>
/// The project's MJCF models (<c>assets/*.xml</c>, copied next to the assemblies at build time) and one shared,
/// read-only compiled instance of each per process.
/// </summary>
public static class MujocoAssets
{
    /// <summary>File name of the half-cheetah model (docs/mujoco.md §2).</summary>
    public const string HalfCheetahFile = "halfcheetah.xml";

    /// <summary>File name of the ant model (docs/mujoco.md §2).</summary>
    public const string AntFile = "ant.xml";

    private static readonly Lazy<MujocoModel> s_halfCheetah = new(() => MujocoModel.Load(PathOf(HalfCheetahFile)));
    private static readonly Lazy<MujocoModel> s_ant = new(() => MujocoModel.Load(PathOf(AntFile)));

    /// <summary>The compiled half-cheetah, loaded on first use and shared by every environment.</summary>
    public static MujocoModel HalfCheetah => s_halfCheetah.Value;

    /// <summary>The compiled ant, loaded on first use and shared by every environment.</summary>
    public static MujocoModel Ant => s_ant.Value;

    /// <summary>Full path of an asset shipped in the <c>assets</c> folder beside the running assemblies.</summary>
    public static string PathOf(string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        return Path.Combine(AppContext.BaseDirectory, "assets", fileName);
    }
}
