using BoMrl.Numerics;

namespace BoMrl.Environments.Mujoco;

/// <summary>
/// One half-cheetah or ant environment of one task (goal velocity g or direction d), driven as gym drives MuJoCo
/// (docs/mujoco.md §2): the action is normalised to the ctrl range, written to <c>ctrl</c>, then <c>mj_step</c> runs
/// FrameSkip times, then <c>mj_rnePostConstraint</c> fills the contact wrenches, and positions are read straight
/// after stepping. Reward and termination follow <see cref="LocomotionDefinition"/>. No allocation per step.
/// </summary>
public sealed class LocomotionEnvironment : IEnvironment, IDisposable
{
    private readonly LocomotionDefinition _def;
    private readonly MujocoData _data;
    private readonly int _torso;
    private readonly double _dt;
    private readonly double[] _ctrlLow;
    private readonly double[] _ctrlHigh;
    private readonly double[] _com = new double[3];

    internal LocomotionEnvironment(LocomotionDefinition definition, MujocoModel model, ReadOnlySpan<double> task, int observationSize)
    {
        _def = definition;
        SetTask(task); // validate before allocating native memory
        ObservationSize = observationSize;
        ActionSize = model.Nu;
        _torso = model.BodyId("torso");
        _dt = model.Timestep * definition.FrameSkip;
        _ctrlLow = new double[model.Nu];
        _ctrlHigh = new double[model.Nu];
        ReadOnlySpan<double> range = model.ActuatorCtrlRange;
        for (int i = 0; i < model.Nu; i++)
        {
            _ctrlLow[i] = range[2 * i];
            _ctrlHigh[i] = range[(2 * i) + 1];
        }

        _data = model.CreateData();
    }

    /// <summary>The task parameter: goal velocity g or direction d.</summary>
    public double Task { get; private set; }

    /// <inheritdoc/>
    public int ObservationSize { get; }

    /// <inheritdoc/>
    public int ActionSize { get; }

    /// <summary>The simulation state (for tests and diagnostics; do not step it behind the environment's back).</summary>
    internal MujocoData Data => _data;

    /// <summary>
    /// Retargets to task [g] (finite goal velocity) or [d] (direction, −1 or +1). The simulation state is kept
    /// (<see cref="Reset"/> rebuilds all of it), so a sampler reuses one <c>mjData</c> for many episodes and tasks.
    /// </summary>
    public void SetTask(ReadOnlySpan<double> task)
    {
        if (task.Length != 1)
        {
            throw new ArgumentException($"{_def.Name} tasks have one parameter, got {task.Length}", nameof(task));
        }

        double value = task[0];
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"{_def.Name} task parameter must be finite, got {value}", nameof(task));
        }

        if (_def.Objective == LocomotionObjective.Direction && value is not (1.0 or -1.0))
        {
            throw new ArgumentException($"{_def.Name} direction must be -1 or +1, got {value}", nameof(task));
        }

        Task = value;
    }

    /// <summary>
    /// <c>mj_resetData</c> (which clears every array of the state, warm starts and warning counters included), then qpos = qpos0 + noise and qvel = noise (gym: U(−0.1, 0.1) per qpos coordinate then
    /// 0.1·N(0, 1) per qvel coordinate; rllab: 0.01·N then 0.1·N), <c>mj_forward</c> (which renormalises the ant's
    /// quaternion), and the contact wrenches of that state when they are observed; writes the first observation.
    /// </summary>
    public void Reset(Random rng, Span<double> observation)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNotEqual(observation.Length, ObservationSize, nameof(observation));
        _data.Reset();
        Span<double> qpos = _data.Qpos;
        Span<double> qvel = _data.Qvel;
        ReadOnlySpan<double> qpos0 = _data.Model.Qpos0;
        for (int i = 0; i < qpos.Length; i++)
        {
            qpos[i] = qpos0[i] + (_def.ResetNoise == LocomotionResetNoise.Gym ? (0.2 * rng.NextDouble()) - 0.1 : 0.01 * rng.NextGaussian());
        }

        for (int i = 0; i < qvel.Length; i++)
        {
            qvel[i] = 0.1 * rng.NextGaussian();
        }

        _data.Forward();
        if (_def.UsesContactForces)
        {
            _data.RnePostConstraint();
        }

        ThrowIfUnstable();
        WriteObservation(observation);
    }

    /// <summary>
    /// Maps the policy output p to the env action a (clip to ±ActionScale, map linearly onto [lb, ub], clip),
    /// advances FrameSkip substeps and returns the reward of <see cref="LocomotionDefinition"/> computed from a.
    /// </summary>
    public StepOutcome Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(action.Length, ActionSize, nameof(action));
        ArgumentOutOfRangeException.ThrowIfNotEqual(observation.Length, ObservationSize, nameof(observation));
        double ctrlCost = WriteControls(action);
        double before = _def.Velocity switch
        {
            LocomotionVelocity.RootSlideX => _data.Qpos[0],
            LocomotionVelocity.TorsoFrameX => _data.Xpos[3 * _torso],
            _ => 0,
        };

        _data.Step(_def.FrameSkip);
        if (_def.ForwardAfterStep)
        {
            _data.Forward();
        }

        if (_def.UsesContactForces)
        {
            _data.RnePostConstraint();
        }

        ThrowIfUnstable();
        double v;
        switch (_def.Velocity)
        {
            case LocomotionVelocity.RootSlideX:
                v = (_data.Qpos[0] - before) / _dt;
                break;
            case LocomotionVelocity.TorsoFrameX:
                v = (_data.Xpos[3 * _torso] - before) / _dt;
                break;
            default:
                _data.SubtreeComVelocity(_torso, _com);
                v = _com[0];
                break;
        }

        double forward = _def.Objective == LocomotionObjective.GoalVelocity
            ? -Math.Abs(v - Task) + _def.VelocityBonus
            : Task * v;
        double contactCost = _def.ContactCostWeight == 0 ? 0 : ClippedContactSquares(_data.CfrcExt);
        double reward = forward + _def.SurviveReward - (_def.CtrlCostWeight * ctrlCost) - (_def.ContactCostWeight * contactCost);

        WriteObservation(observation);
        return new StepOutcome(reward, _def.TerminatesWhenUnhealthy && !IsHealthy());
    }

    /// <summary>Frees the simulation state.</summary>
    public void Dispose() => _data.Dispose();

    /// <summary>
    /// Writes the env action a = clip(lb + (clip(p, −s, s) + s)(ub − lb)/(2s), lb, ub) of policy output p into
    /// <c>ctrl</c> and returns ‖a‖² (the control cost before its weight). Rejects non-finite p.
    /// </summary>
    internal double WriteControls(ReadOnlySpan<double> action)
    {
        double s = _def.ActionScale;
        Span<double> ctrl = _data.Ctrl;
        double ctrlCost = 0;
        for (int i = 0; i < action.Length; i++)
        {
            double p = action[i];
            if (!double.IsFinite(p))
            {
                throw new ArgumentException($"action[{i}] is not finite ({p})", nameof(action));
            }

            double lb = _ctrlLow[i], ub = _ctrlHigh[i];
            double a = Math.Clamp(lb + ((Math.Clamp(p, -s, s) + s) * (ub - lb) / (2 * s)), lb, ub);
            ctrl[i] = a;
            ctrlCost += a * a;
        }

        return ctrlCost;
    }

    /// <summary>Σ clip(c, −1, 1)² over every component of every body's wrench.</summary>
    internal static double ClippedContactSquares(ReadOnlySpan<double> cfrcExt)
    {
        double sum = 0;
        foreach (double c in cfrcExt)
        {
            double clipped = Math.Clamp(c, -1.0, 1.0);
            sum += clipped * clipped;
        }

        return sum;
    }

    /// <summary>gym's <c>is_healthy</c>: every qpos/qvel entry finite and qpos[2] within the healthy range.</summary>
    private bool IsHealthy()
    {
        ReadOnlySpan<double> qpos = _data.Qpos;
        ReadOnlySpan<double> qvel = _data.Qvel;
        foreach (double q in qpos)
        {
            if (!double.IsFinite(q))
            {
                return false;
            }
        }

        foreach (double q in qvel)
        {
            if (!double.IsFinite(q))
            {
                return false;
            }
        }

        return qpos[2] >= _def.HealthyZLow && qpos[2] <= _def.HealthyZHigh;
    }

    private void WriteObservation(Span<double> observation)
    {
        int k = 0;
        ReadOnlySpan<double> qpos = _data.Qpos[_def.ExcludedPositions..];
        qpos.CopyTo(observation);
        k += qpos.Length;
        ReadOnlySpan<double> qvel = _data.Qvel;
        qvel.CopyTo(observation[k..]);
        k += qvel.Length;
        if (_def.ObserveContactForces)
        {
            foreach (double c in _data.CfrcExt)
            {
                observation[k++] = Math.Clamp(c, -1.0, 1.0);
            }
        }

        if (_def.ObserveTorsoOrientation)
        {
            _data.Xmat.Slice(9 * _torso, 9).CopyTo(observation[k..]);
            k += 9;
        }

        if (_def.TorsoPosition != LocomotionTorsoPosition.None)
        {
            ReadOnlySpan<double> source = _def.TorsoPosition == LocomotionTorsoPosition.BodyFrame ? _data.Xpos : _data.SubtreeCom;
            source.Slice(3 * _torso, 3).CopyTo(observation[k..]);
        }
    }

    /// <summary>MuJoCo resets a blown-up state by itself; report it instead of continuing from qpos0.</summary>
    private void ThrowIfUnstable()
    {
        if (_data.InstabilityWarnings != 0)
        {
            throw new MujocoException(
                $"{_def.Name}: the MuJoCo simulation became unstable at t = {_data.Time:F2} s ({MujocoNative.LastWarning ?? "bad number in the state"})");
        }
    }
}
