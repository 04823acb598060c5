using Microsoft.Win32.SafeHandles;

namespace BoMrl.Environments.Mujoco;

/// <summary>Owns an <c>mjModel*</c>; frees it with <c>mj_deleteModel</c> once no data refers to it.</summary>
internal sealed class MujocoModelHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public MujocoModelHandle()
        : base(ownsHandle: true)
    {
    }

    internal MujocoModelHandle(nint model)
        : base(ownsHandle: true) => SetHandle(model);

    protected override bool ReleaseHandle()
    {
        MujocoNative.mj_deleteModel(handle);
        return true;
    }
}

/// <summary>
/// Owns an <c>mjData*</c>; frees it with <c>mj_deleteData</c>. Holds a reference count on the model handle so
/// the model outlives every data made from it, whatever order the two are disposed or finalised in.
/// </summary>
internal sealed class MujocoDataHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly MujocoModelHandle? _model;

    public MujocoDataHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="data"/>; the caller has already AddRef'ed <paramref name="model"/>.</summary>
    internal MujocoDataHandle(nint data, MujocoModelHandle model)
        : base(ownsHandle: true)
    {
        _model = model;
        SetHandle(data);
    }

    protected override bool ReleaseHandle()
    {
        MujocoNative.mj_deleteData(handle);
        _model?.DangerousRelease();
        return true;
    }
}
