using System.Globalization;

namespace BoMrl.Environments.Mujoco;

/// <summary>Which published code base's constants a locomotion task family follows (docs/mujoco.md §3).</summary>
public enum LocomotionVariant
{
    /// <summary>tristandeleu/pytorch-maml-rl (source key PMR): the default, what most PyTorch reproductions report.</summary>
    PytorchMamlRl = 0,

    /// <summary>jonasrothfuss/ProMP (source key PROMP): 17/111-dim observations, ProMP's task ranges and weights.</summary>
    ProMP = 1,

    /// <summary>cbfinn/maml_rl, the original MAML code (source key MAML): its task, reward and reset constants on gym's models.</summary>
    Maml = 2,
}

/// <summary>The simulated robot.</summary>
public enum LocomotionRobot
{
    /// <summary>Planar half-cheetah, <c>assets/halfcheetah.xml</c> (docs/mujoco.md §2).</summary>
    HalfCheetah,

    /// <summary>Quadruped ant, <c>assets/ant.xml</c> (docs/mujoco.md §2).</summary>
    Ant,
}

/// <summary>What the task parameter means.</summary>
public enum LocomotionObjective
{
    /// <summary>Task = goal forward velocity g; forward term −|v − g| (+ a constant bonus for the ant).</summary>
    GoalVelocity,

    /// <summary>Task = direction d ∈ {−1, +1}; forward term d·v.</summary>
    Direction,
}

/// <summary>How the forward velocity v of the reward is measured.</summary>
public enum LocomotionVelocity
{
    /// <summary>(qpos[0] after − before) / dt: the cheetah's root slide joint (gym, PMR, ProMP).</summary>
    RootSlideX,

    /// <summary>(xpos_torso.x after − before) / dt with xpos read straight after stepping (gym Ant, PMR, ProMP).</summary>
    TorsoFrameX,

    /// <summary>Instantaneous x velocity of the torso subtree's centre of mass after <c>mj_forward</c> (rllab / MAML).</summary>
    SubtreeComX,
}

/// <summary>Which 3-vector ends the observation (if any).</summary>
public enum LocomotionTorsoPosition
{
    /// <summary>Nothing appended.</summary>
    None,

    /// <summary>World position of the torso body frame, <c>xpos[torso]</c> (gym's <c>get_body_com</c>; PMR).</summary>
    BodyFrame,

    /// <summary>Centre of mass of the torso subtree, <c>subtree_com[torso]</c> (rllab's <c>get_body_com</c>; MAML).</summary>
    SubtreeCom,
}

/// <summary>Initial-state noise added to qpos0 and zero velocity at reset.</summary>
public enum LocomotionResetNoise
{
    /// <summary>gym: qpos += U(−0.1, 0.1) per coordinate (the ant's quaternion included), qvel += 0.1·N(0, 1).</summary>
    Gym,

    /// <summary>rllab: qpos += 0.01·N(0, 1), qvel += 0.1·N(0, 1).</summary>
    Rllab,
}

/// <summary>
/// Every constant of one locomotion task family: robot, task sampling, observation, reward, termination, reset
/// and action scaling. Built by <see cref="LocomotionTasks.Definition"/> from docs/mujoco.md §2–§3; docs/mujoco.md lists each
/// value with its source. Reward per env step (env action a, velocity v, clipped contact wrench c):
/// <c>forward + SurviveReward − CtrlCostWeight·‖a‖² − ContactCostWeight·Σ clip(c, −1, 1)²</c>, where forward is
/// <c>−|v − g| + VelocityBonus</c> (goal velocity) or <c>d·v</c> (direction).
/// </summary>
public sealed record LocomotionDefinition
{
    /// <summary>Config name: halfcheetah-vel, halfcheetah-dir, ant-vel or ant-dir.</summary>
    public required string Name { get; init; }

    /// <summary>The code base whose constants these are.</summary>
    public required LocomotionVariant Variant { get; init; }

    /// <summary>Simulated robot.</summary>
    public required LocomotionRobot Robot { get; init; }

    /// <summary>Goal velocity or direction.</summary>
    public required LocomotionObjective Objective { get; init; }

    /// <summary>Lower end of the goal-velocity distribution U[low, high] (goal-velocity tasks only).</summary>
    public double GoalLow { get; init; }

    /// <summary>Upper end of the goal-velocity distribution U[low, high] (goal-velocity tasks only).</summary>
    public double GoalHigh { get; init; }

    /// <summary>
    /// Normalisation scale s of the action wrapper: the policy output p is clipped to [−s, s] and mapped linearly
    /// onto the actuator ctrlrange [lb, ub] (then clipped), i.e. a = p / s for ranges ±1. PMR and ProMP use 10, rllab 1.
    /// </summary>
    public required double ActionScale { get; init; }

    /// <summary>Weight of ‖a‖² in the reward, a the env-space action.</summary>
    public required double CtrlCostWeight { get; init; }

    /// <summary>Weight of Σ clip(cfrc_ext, −1, 1)² over all bodies (ant only; 0 for the cheetah).</summary>
    public double ContactCostWeight { get; init; }

    /// <summary>Constant added every step (ant "survive" reward).</summary>
    public double SurviveReward { get; init; }

    /// <summary>Constant added to −|v − g| in goal-velocity tasks (ant: 1.0).</summary>
    public double VelocityBonus { get; init; }

    /// <summary>Whether the episode ends when the state is non-finite or qpos[2] leaves [HealthyZLow, HealthyZHigh] (ant).</summary>
    public bool TerminatesWhenUnhealthy { get; init; }

    /// <summary>Lowest healthy torso height qpos[2].</summary>
    public double HealthyZLow { get; init; }

    /// <summary>Highest healthy torso height qpos[2].</summary>
    public double HealthyZHigh { get; init; }

    /// <summary>How v is measured.</summary>
    public required LocomotionVelocity Velocity { get; init; }

    /// <summary>Number of leading qpos entries left out of the observation (cheetah: rootx; gym ant: x, y).</summary>
    public required int ExcludedPositions { get; init; }

    /// <summary>Whether clip(cfrc_ext, −1, 1) of every body (nbody × 6) is observed.</summary>
    public bool ObserveContactForces { get; init; }

    /// <summary>Whether the torso's rotation matrix <c>xmat</c> (9, row-major) is observed.</summary>
    public bool ObserveTorsoOrientation { get; init; }

    /// <summary>Which torso position (if any) ends the observation.</summary>
    public required LocomotionTorsoPosition TorsoPosition { get; init; }

    /// <summary>Reset noise model.</summary>
    public required LocomotionResetNoise ResetNoise { get; init; }

    /// <summary>
    /// Whether <c>mj_forward</c> runs after the frame-skip steps so that every quantity read is consistent with the
    /// new qpos (rllab's <c>forward_dynamics</c>); gym reads the state the last substep left.
    /// </summary>
    public bool ForwardAfterStep { get; init; }

    /// <summary><c>mj_step</c> calls per env step (5 for gym's models: dt = 0.05 s).</summary>
    public int FrameSkip { get; init; } = 5;

    /// <summary>Episode length cap of the distribution.</summary>
    public required int Horizon { get; init; }

    /// <summary>Whether <c>mj_rnePostConstraint</c> (contact wrenches) is needed.</summary>
    public bool UsesContactForces => ObserveContactForces || ContactCostWeight != 0;

    /// <summary>
    /// Why <paramref name="task"/> is not a task of this family, or null when it is: one finite number, a goal velocity
    /// (outside [GoalLow, GoalHigh] allowed: extrapolation) or a direction, −1 or +1 only.
    /// </summary>
    public string? InvalidTaskReason(ReadOnlySpan<double> task)
    {
        bool velocity = Objective == LocomotionObjective.GoalVelocity;
        string what = $"a {Name} task ({(velocity ? "a goal velocity" : "a direction")})";
        if (ITaskDistribution.LengthOrFiniteReason(task, 1, what) is { } reason)
        {
            return reason;
        }

        return velocity || task[0] is 1.0 or -1.0 ? null
            : string.Create(CultureInfo.InvariantCulture, $"{what} is -1 or 1, got {task[0]}");
    }
}
