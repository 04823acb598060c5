using System.Reflection;
using System.Runtime.InteropServices;

namespace BoMrl.Environments.Mujoco;

/// <summary>
/// Source-generated P/Invoke bindings to the system's MuJoCo 2.2.2 (<c>libmujoco.so.2.2.2</c>) and the one
/// <see cref="NativeLibrary.SetDllImportResolver"/> of this assembly. Hot entry points take plain pointers
/// (the model and data lifetimes are held by <see cref="MujocoModel"/> and <see cref="MujocoData"/>).
/// </summary>
/// <remarks>
/// Library lookup order: the path in <see cref="OverrideVariable"/> if set, then <c>libmujoco.so.2.2.2</c> (the
/// only name the runtime package installs), then the default lookup of <c>mujoco</c> (finds the development
/// symlink <c>libmujoco.so</c>). The first library that loads and reports <c>mj_version() == 222</c> is kept;
/// its handle is cached because the resolver is asked once per imported function.
/// </remarks>
internal static unsafe partial class MujocoNative
{
    /// <summary>Name used in the imports; the resolver maps it to the cached handle.</summary>
    internal const string LibraryName = "mujoco";

    /// <summary>Environment variable that may name the MuJoCo shared library to load first.</summary>
    internal const string OverrideVariable = "BOMRL_MUJOCO_LIB";

    /// <summary><c>mj_version()</c> of MuJoCo 2.2.2, whose struct layouts <see cref="MujocoLayout"/> encodes.</summary>
    internal const int ExpectedVersion = 222;

    /// <summary>Versioned file name installed by the Debian package libmujoco2.2.2.</summary>
    internal const string VersionedFileName = "libmujoco.so.2.2.2";

    private static readonly Lock s_gate = new();
    private static nint s_handle;
    private static string? s_failure;
    private static string? s_lastWarning;

    static MujocoNative() => NativeLibrary.SetDllImportResolver(typeof(MujocoNative).Assembly, Resolve);

    /// <summary>
    /// Loads libmujoco (once per process) and returns its handle; throws <see cref="MujocoNotAvailableException"/>
    /// with the install hint when no MuJoCo 2.2.2 can be loaded. Every public entry point calls this before
    /// its first native call, so the exception reaches the caller unwrapped.
    /// </summary>
    internal static nint EnsureLoaded()
    {
        lock (s_gate)
        {
            if (s_handle == 0 && s_failure is null)
            {
                Load();
            }

            return s_failure is null ? s_handle : throw new MujocoNotAvailableException(s_failure);
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == LibraryName ? EnsureLoaded() : 0;

    private static void Load()
    {
        var candidates = new List<(string Label, Func<nint> Open)>();
        string? overridePath = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            // An explicit library is used or refused, never silently replaced by the system's.
            s_failure = OpenOverride(overridePath, out nint chosen);
            if (s_failure is null)
            {
                s_handle = chosen;
                InstallHandlers(chosen);
            }

            return;
        }

        candidates.Add((VersionedFileName, () => NativeLibrary.TryLoad(VersionedFileName, out nint h) ? h : 0));
        candidates.Add(("default lookup of libmujoco", () =>
            NativeLibrary.TryLoad(LibraryName, typeof(MujocoNative).Assembly, null, out nint h) ? h : 0));

        s_failure = OpenFirst(candidates, out nint handle);
        if (s_failure is null)
        {
            s_handle = handle;
            InstallHandlers(handle);
        }
    }

    /// <summary>
    /// Opens the library <see cref="OverrideVariable"/> names; null on success, else one sentence naming the path and
    /// why it cannot be used: no such file, not a loadable library (the loader's reason), no mj_version, wrong version.
    /// </summary>
    internal static string? OpenOverride(string path, out nint handle)
    {
        handle = 0;
        string why;
        if (!File.Exists(path))
        {
            why = "no such file";
        }
        else
        {
            nint h = 0;
            try
            {
                h = NativeLibrary.Load(path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                // The loader's own reason ("invalid ELF header") ends its long message, after "PATH: ".
                string message = e.Message.ReplaceLineEndings(" ").Trim();
                int at = message.LastIndexOf(path + ": ", StringComparison.Ordinal);
                why = $"not a loadable shared library ({(at >= 0 ? message[(at + path.Length + 2)..] : message)})";
                return Refused(path, why);
            }

            if (!NativeLibrary.TryGetExport(h, "mj_version", out nint versionFn))
            {
                why = "not MuJoCo (no mj_version export)";
            }
            else if (((delegate* unmanaged<int>)versionFn)() is int version && version != ExpectedVersion)
            {
                why = $"MuJoCo version {version}, need {ExpectedVersion}";
            }
            else
            {
                handle = h;
                return null;
            }

            NativeLibrary.Free(h);
        }

        return Refused(path, why);
    }

    private static string Refused(string path, string why) =>
        $"{OverrideVariable}={path} cannot be used: {why}; point it at libmujoco.so.2.2.2 or unset it to use the system's (apt-get install libmujoco2.2.2).";

    /// <summary>
    /// Opens the candidates in order and keeps the first that exports <c>mj_version</c> returning 222 (others are
    /// freed). Returns null on success, else the one-sentence failure message naming the apt package.
    /// </summary>
    internal static string? OpenFirst(IReadOnlyList<(string Label, Func<nint> Open)> candidates, out nint handle)
    {
        var tried = new List<string>();
        foreach ((string label, Func<nint> open) in candidates)
        {
            nint h = open();
            if (h == 0)
            {
                tried.Add(label + ": not found");
                continue;
            }

            if (!NativeLibrary.TryGetExport(h, "mj_version", out nint versionFn))
            {
                tried.Add(label + ": no mj_version export");
                NativeLibrary.Free(h);
                continue;
            }

            int version = ((delegate* unmanaged<int>)versionFn)();
            if (version != ExpectedVersion)
            {
                tried.Add($"{label}: version {version}, need {ExpectedVersion}");
                NativeLibrary.Free(h);
                continue;
            }

            handle = h;
            return null;
        }

        handle = 0;
        return "MuJoCo 2.2.2 could not be loaded (tried " + string.Join("; ", tried)
            + "): install it with `apt-get install libmujoco2.2.2` or set " + OverrideVariable + " to the library's path.";
    }

    /// <summary>The text of MuJoCo's most recent runtime warning (bad qacc, too many contacts, ...), or null.</summary>
    internal static string? LastWarning => Volatile.Read(ref s_lastWarning);

    /// <summary>
    /// Replaces MuJoCo's default message handlers. The default warning handler appends to MUJOCO_LOG.TXT in the
    /// working directory and prints on stdout (which would litter run folders and CLI output); ours keeps the text
    /// for the exception the caller raises after seeing a warning counter move (<see cref="MujocoData.InstabilityWarnings"/>).
    /// The default error handler prints, waits for Enter on stdin and exits; a fatal MuJoCo error cannot be
    /// unwound through native frames, so ours ends the process at once with MuJoCo's message.
    /// </summary>
    private static void InstallHandlers(nint library)
    {
        if (NativeLibrary.TryGetExport(library, "mju_user_warning", out nint warningSlot))
        {
            *(delegate* unmanaged<byte*, void>*)warningSlot = &OnWarning;
        }

        if (NativeLibrary.TryGetExport(library, "mju_user_error", out nint errorSlot))
        {
            *(delegate* unmanaged<byte*, void>*)errorSlot = &OnError;
        }
    }

    [UnmanagedCallersOnly]
    private static void OnWarning(byte* message) =>
        Volatile.Write(ref s_lastWarning, Marshal.PtrToStringUTF8((nint)message) ?? "");

    [UnmanagedCallersOnly]
    private static void OnError(byte* message) =>
        Environment.FailFast("MuJoCo fatal error: " + (Marshal.PtrToStringUTF8((nint)message) ?? ""));

    /// <summary><c>int mj_version(void)</c>: 222 for MuJoCo 2.2.2.</summary>
    [LibraryImport(LibraryName)]
    internal static partial int mj_version();

    /// <summary><c>mjModel* mj_loadXML(const char* filename, const mjVFS* vfs, char* error, int error_sz)</c>. Not thread-safe (global parser state).</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint mj_loadXML(string filename, nint vfs, byte* error, int errorSize);

    /// <summary><c>void mj_deleteModel(mjModel* m)</c>.</summary>
    [LibraryImport(LibraryName)]
    internal static partial void mj_deleteModel(nint m);

    /// <summary><c>mjData* mj_makeData(const mjModel* m)</c>.</summary>
    [LibraryImport(LibraryName)]
    internal static partial nint mj_makeData(nint m);

    /// <summary><c>void mj_deleteData(mjData* d)</c>.</summary>
    [LibraryImport(LibraryName)]
    internal static partial void mj_deleteData(nint d);

    /// <summary><c>void mj_step(const mjModel* m, mjData* d)</c>: one integrator step of <c>opt.timestep</c>.</summary>
    [LibraryImport(LibraryName)]
    internal static partial void mj_step(nint m, nint d);

    /// <summary><c>void mj_forward(const mjModel* m, mjData* d)</c>: forward dynamics without integration.</summary>
    [LibraryImport(LibraryName)]
    internal static partial void mj_forward(nint m, nint d);

    /// <summary><c>void mj_resetData(const mjModel* m, mjData* d)</c>: qpos = qpos0, everything else zero.</summary>
    [LibraryImport(LibraryName)]
    internal static partial void mj_resetData(nint m, nint d);

    /// <summary><c>void mj_rnePostConstraint(const mjModel* m, mjData* d)</c>: fills cacc, cfrc_int, cfrc_ext.</summary>
    [LibraryImport(LibraryName)]
    internal static partial void mj_rnePostConstraint(nint m, nint d);

    /// <summary><c>int mj_name2id(const mjModel* m, int type, const char* name)</c>; −1 when absent.</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mj_name2id(nint m, int type, string name);

    /// <summary><c>void mj_jacSubtreeCom(const mjModel* m, mjData* d, mjtNum* jacp, int body)</c>: 3 × nv Jacobian of a subtree's centre of mass.</summary>
    [LibraryImport(LibraryName)]
    internal static partial void mj_jacSubtreeCom(nint m, nint d, double* jacp, int body);
}
