/* Prints the byte offsets (and struct sizes) of the mjModel / mjData fields that the C# bindings read,
   as compiled by the system's MuJoCo headers. MujocoLayoutTests compiles and runs this and compares each
   line with the constants in BoMrl.Environments.Mujoco.MujocoLayout. One "name value" pair per line. */
#include <stddef.h>
#include <stdio.h>
#include <mujoco/mujoco.h>

#define M(f) printf("mjModel.%s %zu\n", #f, offsetof(mjModel, f))
#define D(f) printf("mjData.%s %zu\n", #f, offsetof(mjData, f))

int main(void) {
  printf("mjVERSION_HEADER %d\n", mjVERSION_HEADER);
  printf("sizeof.mjtNum %zu\n", sizeof(mjtNum));
  printf("sizeof.mjModel %zu\n", sizeof(mjModel));
  printf("sizeof.mjData %zu\n", sizeof(mjData));
  printf("mjOBJ_BODY %d\n", (int)mjOBJ_BODY);
  printf("mjINT_EULER %d\n", (int)mjINT_EULER);
  printf("mjINT_RK4 %d\n", (int)mjINT_RK4);
  printf("mjWARN_BADQPOS %d\n", (int)mjWARN_BADQPOS);
  printf("mjWARN_BADCTRL %d\n", (int)mjWARN_BADCTRL);
  printf("sizeof.mjWarningStat %zu\n", sizeof(mjWarningStat));
  printf("mjWarningStat.number %zu\n", offsetof(mjWarningStat, number));
  M(nq); M(nv); M(nu); M(nbody); M(njnt); M(ngeom);
  M(opt.timestep); M(opt.integrator);
  M(qpos0); M(body_mass); M(body_inertia); M(actuator_ctrlrange);
  D(warning); D(ncon); D(time);
  D(qpos); D(qvel); D(ctrl); D(xpos); D(xmat); D(subtree_com); D(cfrc_ext);
  return 0;
}
