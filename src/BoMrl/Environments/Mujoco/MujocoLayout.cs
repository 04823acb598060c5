namespace BoMrl.Environments.Mujoco;

/// <summary>
/// Byte offsets of the <c>mjModel</c> / <c>mjData</c> fields the bindings read, for the x86-64 (LP64) build of
/// MuJoCo 2.2.2 (<c>/usr/include/mujoco/mjmodel.h</c>, <c>mjdata.h</c>, <c>mjtNum</c> = double). Only the fields
/// used are listed. <c>MujocoLayoutTests</c> compiles a C probe against the installed headers and checks every
/// constant with <c>offsetof</c>; the loader refuses any library whose <c>mj_version()</c> is not 222.
/// </summary>
/// <remarks>
/// Derivation (all pointers 8 bytes, int 4):
/// <list type="bullet">
/// <item>mjModel starts with 58 ints (nq … nnames = 49 construction sizes, then nM, nD, nemax, njmax, nconmax,
/// nstack, nuserdata, nsensordata, nbuffer), so <c>opt</c> begins at 58 × 4 = 232 (8-aligned).</item>
/// <item>mjOption: 25 doubles (timestep, apirate, impratio, tolerance, noslip_tolerance, mpr_tolerance,
/// gravity[3], wind[3], magnetic[3], density, viscosity, o_margin, o_solref[2], o_solimp[5]) then 10 ints:
/// integrator at 232 + 200 = 432; sizeof(mjOption) = 240.</item>
/// <item>opt (240) + vis (mjVisual, 560) + stat (mjStatistic, 7 doubles = 56) end at 1088 = <c>buffer</c>;
/// then one pointer per array in header order: qpos0 1096, qpos_spring 1104, body_parentid 1112, …
/// (16 more body pointers) body_mass 1240, body_subtreemass 1248, body_inertia 1256; actuator_ctrlrange is
/// pointer number 213 after <c>buffer</c>: 1088 + 213 × 8 = 2792.</item>
/// <item>mjData: nstack, nbuffer, pstack, maxuse_stack, maxuse_con, maxuse_efc (6 ints = 24), then
/// warning[8] (8 × 8 bytes), timer[13] (13 × 16), solver[1000] (1000 × 40), solver_iter, solver_nnz,
/// solver_fwdinv[2], ne, nf, nefc, ncon (40332), time (40336), energy[2], buffer (40360), stack, then qpos
/// 40376, qvel 40384, act, qacc_warmstart, ctrl 40408, … xpos 40480, xquat, xmat 40496, …, subtree_com
/// 40600, …, the last field cfrc_ext 41168 (sizeof(mjData) = 41176).</item>
/// </list>
/// </remarks>
internal static class MujocoLayout
{
    // ---- mjModel: sizes (int)
    internal const int ModelNq = 0;
    internal const int ModelNv = 4;
    internal const int ModelNu = 8;
    internal const int ModelNbody = 16;
    internal const int ModelNjnt = 20;
    internal const int ModelNgeom = 24;

    // ---- mjModel.opt
    internal const int ModelOptTimestep = 232;
    internal const int ModelOptIntegrator = 432;

    // ---- mjModel array pointers
    internal const int ModelQpos0 = 1096;
    internal const int ModelBodyMass = 1240;
    internal const int ModelBodyInertia = 1256;
    internal const int ModelActuatorCtrlRange = 2792;
    internal const int ModelSize = 3280;

    // ---- mjData scalars
    internal const int DataWarning = 24;
    internal const int WarningStatSize = 8;
    internal const int WarningStatNumber = 4;
    internal const int DataNcon = 40332;
    internal const int DataTime = 40336;

    // ---- mjData array pointers
    internal const int DataQpos = 40376;
    internal const int DataQvel = 40384;
    internal const int DataCtrl = 40408;
    internal const int DataXpos = 40480;
    internal const int DataXmat = 40496;
    internal const int DataSubtreeCom = 40600;
    internal const int DataCfrcExt = 41168;
    internal const int DataSize = 41176;

    // ---- enum values
    internal const int ObjBody = 1;
    internal const int WarnBadQpos = 4;
    internal const int WarnBadCtrl = 7;
}
