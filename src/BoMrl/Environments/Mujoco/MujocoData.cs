using BoMrl.Numerics;
namespace BoMrl.Environments.Mujoco;

/// <summary>
/// One simulation state (<c>mjData</c>) of a <see cref="MujocoModel"/>: one per environment, used by one thread at
/// a time. Spans view native memory (no copies, no allocation) and are valid until <see cref="Dispose"/>.
/// </summary>
public sealed unsafe class MujocoData : IDisposable
{
    private readonly MujocoDataHandle _handle;
    private readonly nint _m;
    private readonly byte* _d;
    private readonly int _nq;
    private readonly int _nv;
    private readonly int _nu;
    private readonly int _nbody;
    private readonly double* _qpos;
    private readonly double* _qvel;
    private readonly double* _ctrl;
    private readonly double* _xpos;
    private readonly double* _xmat;
    private readonly double* _subtreeCom;
    private readonly double* _cfrcExt;
    private double[]? _jacobian; // 3 × nv scratch for SubtreeComVelocity, made on first use

    internal MujocoData(MujocoModel model)
    {
        Model = model;
        _m = model.Pointer;
        _nq = model.Nq;
        _nv = model.Nv;
        _nu = model.Nu;
        _nbody = model.NBody;

        // The data must not outlive the model: take a reference on the model handle first.
        bool added = false;
        model.Handle.DangerousAddRef(ref added);
        nint d = MujocoNative.mj_makeData(_m);
        if (d == 0)
        {
            model.Handle.DangerousRelease();
            throw new MujocoException($"mj_makeData failed for {model.Path}");
        }

        _handle = new MujocoDataHandle(d, model.Handle);
        _d = (byte*)d;

        // Array pointers point into mjData's buffer and never move after mj_makeData.
        _qpos = Pointer(MujocoLayout.DataQpos);
        _qvel = Pointer(MujocoLayout.DataQvel);
        _ctrl = Pointer(MujocoLayout.DataCtrl);
        _xpos = Pointer(MujocoLayout.DataXpos);
        _xmat = Pointer(MujocoLayout.DataXmat);
        _subtreeCom = Pointer(MujocoLayout.DataSubtreeCom);
        _cfrcExt = Pointer(MujocoLayout.DataCfrcExt);
    }

    /// <summary>The model this state belongs to.</summary>
    public MujocoModel Model { get; }

    /// <summary>Generalised positions <c>qpos</c> (nq); writable.</summary>
    public Span<double> Qpos => new(Live(_qpos), _nq);

    /// <summary>Generalised velocities <c>qvel</c> (nv); writable.</summary>
    public Span<double> Qvel => new(Live(_qvel), _nv);

    /// <summary>Controls <c>ctrl</c> (nu); writable. MuJoCo clamps them to <c>ctrlrange</c> when computing forces.</summary>
    public Span<double> Ctrl => new(Live(_ctrl), _nu);

    /// <summary>World positions of the body frames <c>xpos</c> (nbody × 3), as the last computation left them.</summary>
    public ReadOnlySpan<double> Xpos => new(Live(_xpos), 3 * _nbody);

    /// <summary>World orientations of the body frames <c>xmat</c> (nbody × 9, row-major 3 × 3 each).</summary>
    public ReadOnlySpan<double> Xmat => new(Live(_xmat), 9 * _nbody);

    /// <summary>Centre of mass of each body's subtree <c>subtree_com</c> (nbody × 3).</summary>
    public ReadOnlySpan<double> SubtreeCom => new(Live(_subtreeCom), 3 * _nbody);

    /// <summary>
    /// External (contact) wrench on each body <c>cfrc_ext</c> (nbody × 6: torque x, y, z then force x, y, z), filled
    /// only by <see cref="RnePostConstraint"/>; zero otherwise.
    /// </summary>
    public ReadOnlySpan<double> CfrcExt => new(Live(_cfrcExt), 6 * _nbody);

    /// <summary>Simulation time <c>time</c> in seconds.</summary>
    public double Time => *(double*)(Live(_d) + MujocoLayout.DataTime);

    /// <summary>Number of contacts found by the last collision detection (<c>ncon</c>).</summary>
    public int ContactCount => *(int*)(Live(_d) + MujocoLayout.DataNcon);

    /// <summary>
    /// How many times MuJoCo has flagged a bad number in qpos, qvel, qacc or ctrl since the last reset. MuJoCo
    /// resets the state by itself when that happens, so callers compare this count before and after stepping to
    /// detect a simulation that blew up instead of silently continuing from qpos0.
    /// </summary>
    public int InstabilityWarnings
    {
        get
        {
            byte* d = Live(_d);
            int total = 0;
            for (int w = MujocoLayout.WarnBadQpos; w <= MujocoLayout.WarnBadCtrl; w++)
            {
                total += *(int*)(d + MujocoLayout.DataWarning + (w * MujocoLayout.WarningStatSize) + MujocoLayout.WarningStatNumber);
            }

            return total;
        }
    }

    /// <summary>Advances the simulation by one <c>opt.timestep</c> (<c>mj_step</c>).</summary>
    public void Step()
    {
        MujocoNative.mj_step(_m, (nint)Live(_d));
        GC.KeepAlive(this);
    }

    /// <summary>Calls <c>mj_step</c> <paramref name="count"/> times (gym's frame skip).</summary>
    public void Step(int count)
    {
        nint d = (nint)Live(_d);
        for (int i = 0; i < count; i++)
        {
            MujocoNative.mj_step(_m, d);
        }

        GC.KeepAlive(this);
    }

    /// <summary>Recomputes every derived quantity from the current state without integrating (<c>mj_forward</c>).</summary>
    public void Forward()
    {
        MujocoNative.mj_forward(_m, (nint)Live(_d));
        GC.KeepAlive(this);
    }

    /// <summary>Resets to qpos0, zero velocity, zero control, time 0 (<c>mj_resetData</c>).</summary>
    public void Reset()
    {
        MujocoNative.mj_resetData(_m, (nint)Live(_d));
        GC.KeepAlive(this);
    }

    /// <summary>Computes <c>cacc</c>, <c>cfrc_int</c> and <c>cfrc_ext</c> from the last step (<c>mj_rnePostConstraint</c>).</summary>
    public void RnePostConstraint()
    {
        MujocoNative.mj_rnePostConstraint(_m, (nint)Live(_d));
        GC.KeepAlive(this);
    }

    /// <summary>
    /// Writes the linear velocity of the centre of mass of <paramref name="body"/>'s subtree (3 values) as
    /// J·qvel with J from <c>mj_jacSubtreeCom</c>; uses the kinematics of the last <see cref="Forward"/>.
    /// </summary>
    public void SubtreeComVelocity(int body, Span<double> velocity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(body);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(body, _nbody);
        ArgumentOutOfRangeException.ThrowIfLessThan(velocity.Length, 3, nameof(velocity));
        _jacobian ??= new double[3 * _nv];
        fixed (double* jac = _jacobian)
        {
            MujocoNative.mj_jacSubtreeCom(_m, (nint)Live(_d), jac, body);
        }

        GC.KeepAlive(this);
        ReadOnlySpan<double> qvel = Qvel;
        for (int r = 0; r < 3; r++)
        {
            velocity[r] = FixedOrder.Dot(_jacobian.AsSpan(r * _nv, _nv), qvel);
        }
    }

    /// <summary>Frees the native state (the model stays alive while other data use it).</summary>
    public void Dispose() => _handle.Dispose();

    private double* Pointer(int offset) => *(double**)(_d + offset);

    private T* Live<T>(T* pointer)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return pointer;
    }
}
