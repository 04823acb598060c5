using System.Runtime.InteropServices;
using System.Text;

namespace BoMrl.Environments.Mujoco;

/// <summary>MuJoCo's numerical integrators (<c>mjtIntegrator</c>).</summary>
public enum MujocoIntegrator
{
    /// <summary>Semi-implicit Euler (<c>mjINT_EULER</c>, the default).</summary>
    Euler = 0,

    /// <summary>Fourth-order Runge–Kutta (<c>mjINT_RK4</c>).</summary>
    RungeKutta4 = 1,

    /// <summary>Implicit in velocity (<c>mjINT_IMPLICIT</c>).</summary>
    Implicit = 2,
}

/// <summary>
/// A compiled MuJoCo model (<c>mjModel</c>), loaded from MJCF. Shared read-only by every
/// <see cref="MujocoData"/> made from it, on any number of threads (MuJoCo only reads a <c>const mjModel*</c>
/// while stepping). The spans it hands out view native memory and are valid until <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class MujocoModel : IDisposable
{
    private const int ErrorBufferSize = 1000;

    // mj_loadXML keeps the last parsed XML in a process-wide variable: one load at a time.
    private static readonly Lock s_loadGate = new();

    private readonly MujocoModelHandle _handle;
    private readonly byte* _model;

    private MujocoModel(MujocoModelHandle handle, string path, string? warning)
    {
        _handle = handle;
        _model = (byte*)handle.DangerousGetHandle();
        Path = path;
        LoadWarning = warning;
    }

    /// <summary>The file the model was compiled from.</summary>
    public string Path { get; }

    /// <summary>MuJoCo's warning text from compilation, or null when it compiled silently.</summary>
    public string? LoadWarning { get; }

    /// <summary>Number of generalised coordinates, dim(qpos).</summary>
    public int Nq => ReadInt(MujocoLayout.ModelNq);

    /// <summary>Number of degrees of freedom, dim(qvel).</summary>
    public int Nv => ReadInt(MujocoLayout.ModelNv);

    /// <summary>Number of actuators, dim(ctrl).</summary>
    public int Nu => ReadInt(MujocoLayout.ModelNu);

    /// <summary>Number of bodies including the world body 0.</summary>
    public int NBody => ReadInt(MujocoLayout.ModelNbody);

    /// <summary>Number of joints.</summary>
    public int NJnt => ReadInt(MujocoLayout.ModelNjnt);

    /// <summary>Number of geoms.</summary>
    public int NGeom => ReadInt(MujocoLayout.ModelNgeom);

    /// <summary>Simulation timestep <c>opt.timestep</c> in seconds.</summary>
    public double Timestep => *(double*)(_model + MujocoLayout.ModelOptTimestep);

    /// <summary>Integrator <c>opt.integrator</c>.</summary>
    public MujocoIntegrator Integrator => (MujocoIntegrator)ReadInt(MujocoLayout.ModelOptIntegrator);

    /// <summary>Default pose <c>qpos0</c> (nq).</summary>
    public ReadOnlySpan<double> Qpos0 => Array(MujocoLayout.ModelQpos0, Nq);

    /// <summary>Body masses <c>body_mass</c> (nbody).</summary>
    public ReadOnlySpan<double> BodyMass => Array(MujocoLayout.ModelBodyMass, NBody);

    /// <summary>Diagonal inertia in the body's inertial frame <c>body_inertia</c> (nbody × 3, row-major).</summary>
    public ReadOnlySpan<double> BodyInertia => Array(MujocoLayout.ModelBodyInertia, 3 * NBody);

    /// <summary>Control limits <c>actuator_ctrlrange</c> (nu × 2: lower, upper).</summary>
    public ReadOnlySpan<double> ActuatorCtrlRange => Array(MujocoLayout.ModelActuatorCtrlRange, 2 * Nu);

    /// <summary>The raw <c>mjModel*</c>; valid while this object is alive.</summary>
    internal nint Pointer => (nint)_model;

    internal MujocoModelHandle Handle => _handle;

    /// <summary>
    /// Parses and compiles an MJCF file. Throws <see cref="MujocoNotAvailableException"/> when libmujoco 2.2.2 is
    /// missing, <see cref="FileNotFoundException"/> for a missing file and <see cref="MujocoException"/> with
    /// MuJoCo's own error text when the model does not compile.
    /// </summary>
    public static MujocoModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        MujocoNative.EnsureLoaded();
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"MuJoCo model file not found: {full}", full);
        }

        byte* error = stackalloc byte[ErrorBufferSize];
        error[0] = 0;
        nint model;
        lock (s_loadGate)
        {
            model = MujocoNative.mj_loadXML(full, 0, error, ErrorBufferSize);
        }

        string message = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(error)).Trim();
        if (model == 0)
        {
            throw new MujocoException($"MuJoCo could not load {full}: {(message.Length > 0 ? message : "no error text")}");
        }

        return new MujocoModel(new MujocoModelHandle(model), full, message.Length > 0 ? message : null);
    }

    /// <summary>Id of the body called <paramref name="name"/>; throws when there is none.</summary>
    public int BodyId(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int id = MujocoNative.mj_name2id(Pointer, MujocoLayout.ObjBody, name);
        return id >= 0 ? id : throw new ArgumentException($"model {Path} has no body named '{name}'", nameof(name));
    }

    /// <summary>Allocates a fresh simulation state (<c>mj_makeData</c>) for this model, at qpos0 with zero velocity.</summary>
    public MujocoData CreateData()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return new MujocoData(this);
    }

    /// <summary>Releases the model once every data made from it has been disposed too.</summary>
    public void Dispose() => _handle.Dispose();

    private int ReadInt(int offset)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return *(int*)(_model + offset);
    }

    private ReadOnlySpan<double> Array(int pointerOffset, int length)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return new ReadOnlySpan<double>(*(double**)(_model + pointerOffset), length);
    }
}
