namespace BoMrl.Environments.Mujoco;

/// <summary>
/// The project's MJCF models (<c>assets/*.xml</c>, copied next to the assemblies at build time and embedded in the
/// assembly for programs that use the library as a package) and one shared, read-only compiled instance of each per
/// process.
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

    /// <summary>
    /// Full path of a model: the <c>assets</c> folder beside the running assemblies when it holds the file (builds of this
    /// repository), else the copy of the model embedded in this assembly, written once to a per-version cache folder
    /// (<see cref="EmbeddedCopy"/>) — so a program that references the library as a package finds the models too.
    /// </summary>
    public static string PathOf(string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        string beside = Path.Combine(AppContext.BaseDirectory, "assets", fileName);
        return File.Exists(beside) ? beside
            : EmbeddedCopy(fileName, Path.Combine(Path.GetTempPath(), "bomrl-assets", typeof(MujocoAssets).Assembly.ManifestModule.ModuleVersionId.ToString("N")))
            ?? beside;
    }

    /// <summary>
    /// Writes the embedded model <paramref name="fileName"/> into <paramref name="folder"/> (atomically, unless an identical
    /// copy is there) and returns its path; null when the assembly embeds no such model.
    /// </summary>
    internal static string? EmbeddedCopy(string fileName, string folder)
    {
        using Stream? source = typeof(MujocoAssets).Assembly.GetManifestResourceStream("BoMrl.assets." + fileName);
        if (source is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        source.CopyTo(buffer);
        byte[] bytes = buffer.ToArray();
        string path = Path.Combine(folder, fileName);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            return path;
        }

        Directory.CreateDirectory(folder);
        string temp = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
