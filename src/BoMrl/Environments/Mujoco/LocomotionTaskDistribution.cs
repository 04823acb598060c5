namespace BoMrl.Environments.Mujoco;

/// <summary>
/// P(Γ) of one locomotion family (paper Section 6): goal velocities g ~ U[GoalLow, GoalHigh] or directions
/// d ∈ {−1, +1} with probability ½ each. Environments share one read-only compiled model and own one
/// simulation state each. Create through <see cref="LocomotionTasks.Create"/>.
/// </summary>
public sealed class LocomotionTaskDistribution : ITaskDistribution
{
    private readonly MujocoModel _model;

    internal LocomotionTaskDistribution(LocomotionDefinition definition, MujocoModel model)
    {
        Definition = definition;
        _model = model;
        int positions = model.Nq - definition.ExcludedPositions;
        ObservationSize = positions + model.Nv
            + (definition.ObserveContactForces ? 6 * model.NBody : 0)
            + (definition.ObserveTorsoOrientation ? 9 : 0)
            + (definition.TorsoPosition == LocomotionTorsoPosition.None ? 0 : 3);
    }

    /// <summary>Every constant of this family.</summary>
    public LocomotionDefinition Definition { get; }

    /// <inheritdoc/>
    public string Name => Definition.Name;

    /// <inheritdoc/>
    public int ObservationSize { get; }

    /// <inheritdoc/>
    public int ActionSize => _model.Nu;

    /// <inheritdoc/>
    public int Horizon => Definition.Horizon;

    /// <summary>Environment time per step, timestep × frame skip (0.05 s for both robots).</summary>
    public double Dt => _model.Timestep * Definition.FrameSkip;

    /// <summary>The shared compiled model.</summary>
    public MujocoModel Model => _model;

    /// <summary>Draws [g] (goal velocity) or [d] (direction ±1).</summary>
    public double[] SampleTask(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return Definition.Objective == LocomotionObjective.GoalVelocity
            ? [Definition.GoalLow + ((Definition.GoalHigh - Definition.GoalLow) * rng.NextDouble())]
            : [rng.NextDouble() < 0.5 ? -1.0 : 1.0];
    }

    /// <summary>A task is one number: [g] or [d].</summary>
    public int TaskLength => 1;

    /// <inheritdoc cref="LocomotionDefinition.InvalidTaskReason"/>
    public string? InvalidTaskReason(ReadOnlySpan<double> task) => Definition.InvalidTaskReason(task);

    /// <summary>Creates an environment for task [g] or [d]; d must be −1 or +1, g finite.</summary>
    public IEnvironment CreateEnvironment(ReadOnlySpan<double> task) => CreateLocomotionEnvironment(task);

    /// <summary><see cref="CreateEnvironment"/> with the concrete type (which is <see cref="IDisposable"/>).</summary>
    public LocomotionEnvironment CreateLocomotionEnvironment(ReadOnlySpan<double> task) =>
        new(Definition, _model, task, ObservationSize);
}
