namespace BoMrl.Environments.Mujoco;

/// <summary>
/// The MuJoCo locomotion task families of the paper's Section 6 (goal velocity and goal direction for the
/// half-cheetah and the ant), by config name, with the constants of pytorch-maml-rl (default), ProMP or the
/// original MAML code (docs/mujoco.md §3; each constant and its source in docs/mujoco.md).
/// </summary>
public static class LocomotionTasks
{
    /// <summary>Half-cheetah goal velocity, g ~ U[0, 2] (PMR, MAML) or U[0, 3] (ProMP).</summary>
    public const string HalfCheetahVel = "halfcheetah-vel";

    /// <summary>Half-cheetah direction, d ∈ {−1, +1}.</summary>
    public const string HalfCheetahDir = "halfcheetah-dir";

    /// <summary>Ant goal velocity, g ~ U[0, 3] (PMR, MAML; ProMP has none).</summary>
    public const string AntVel = "ant-vel";

    /// <summary>Ant direction, d ∈ {−1, +1}.</summary>
    public const string AntDir = "ant-dir";

    /// <summary>The paper's horizon for every locomotion task (Section 6; PMR and ProMP shipped 100, MAML 200).</summary>
    public const int PaperHorizon = 200;

    /// <summary>Every task family name, as configs spell them.</summary>
    public static IReadOnlyList<string> Names { get; } = [HalfCheetahVel, HalfCheetahDir, AntVel, AntDir];

    /// <summary>Creates the task distribution <paramref name="name"/> (loads the shared model on first use).</summary>
    /// <exception cref="ArgumentException">Unknown name, or a combination the variant does not define.</exception>
    /// <exception cref="MujocoNotAvailableException">libmujoco 2.2.2 is not installed.</exception>
    public static LocomotionTaskDistribution Create(string name, LocomotionVariant variant = LocomotionVariant.PytorchMamlRl, int horizon = PaperHorizon)
    {
        LocomotionDefinition definition = Definition(name, variant, horizon);
        MujocoModel model = definition.Robot == LocomotionRobot.HalfCheetah ? MujocoAssets.HalfCheetah : MujocoAssets.Ant;
        return new LocomotionTaskDistribution(definition, model);
    }

    /// <summary>
    /// Parses a variant as configs spell it: pytorch-maml-rl, promp or maml (case-insensitive). An unknown variant
    /// throws <see cref="ArgumentException"/> with ParamName "variant".
    /// </summary>
    public static LocomotionVariant ParseVariant(string variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        return variant.Trim().ToLowerInvariant() switch
        {
            "pytorch-maml-rl" or "pmr" => LocomotionVariant.PytorchMamlRl,
            "promp" => LocomotionVariant.ProMP,
            "maml" => LocomotionVariant.Maml,
            _ => throw new ArgumentException($"unknown locomotion variant '{variant}'; expected pytorch-maml-rl, promp or maml", nameof(variant)),
        };
    }

    /// <summary>All constants of task family <paramref name="name"/> under <paramref name="variant"/> (docs/mujoco.md §3).</summary>
    public static LocomotionDefinition Definition(string name, LocomotionVariant variant = LocomotionVariant.PytorchMamlRl, int horizon = PaperHorizon)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        if (!Enum.IsDefined(variant))
        {
            throw new ArgumentOutOfRangeException(nameof(variant), variant, "unknown locomotion variant");
        }

        string key = name.Trim().ToLowerInvariant();
        return key switch
        {
            HalfCheetahVel or HalfCheetahDir => HalfCheetah(key, variant, horizon),
            AntVel or AntDir => Ant(key, variant, horizon),
            _ => throw new ArgumentException($"unknown locomotion task '{name}'; expected one of {string.Join(", ", Names)}", nameof(name)),
        };
    }

    // Spec §A.8/§A.9/§C.2/§C.3. Control cost 0.05‖a‖², no termination, velocity from rootx.
    private static LocomotionDefinition HalfCheetah(string name, LocomotionVariant variant, int horizon)
    {
        bool vel = name == HalfCheetahVel;
        var common = new LocomotionDefinition
        {
            Name = name,
            Variant = variant,
            Robot = LocomotionRobot.HalfCheetah,
            Objective = vel ? LocomotionObjective.GoalVelocity : LocomotionObjective.Direction,
            ActionScale = 10,
            CtrlCostWeight = 0.05,
            Velocity = LocomotionVelocity.RootSlideX,
            ExcludedPositions = 1,
            TorsoPosition = LocomotionTorsoPosition.BodyFrame,
            ResetNoise = LocomotionResetNoise.Gym,
            Horizon = horizon,
        };

        return variant switch
        {
            // PMR: obs qpos[1:] + qvel + torso xpos (20); g ~ U[0, 2]; action scale 10.
            LocomotionVariant.PytorchMamlRl => common with { GoalHigh = vel ? 2 : 0 },
            // ProMP: gym's 17-dim observation; g ~ U[0, 3].
            LocomotionVariant.ProMP => common with { GoalHigh = vel ? 3 : 0, TorsoPosition = LocomotionTorsoPosition.None },
            // MAML (rllab): subtree-COM velocity and position, action scale 1, rllab reset noise; g ~ U[0, 2].
            _ => common with
            {
                GoalHigh = vel ? 2 : 0,
                ActionScale = 1,
                Velocity = LocomotionVelocity.SubtreeComX,
                TorsoPosition = LocomotionTorsoPosition.SubtreeCom,
                ResetNoise = LocomotionResetNoise.Rllab,
                ForwardAfterStep = true,
            },
        };
    }

    // Spec §B.7/§B.8/§C.4/§C.5. Velocity from torso xpos; contact cost 5e-4 Σ clip(cfrc_ext)²; healthy z range.
    private static LocomotionDefinition Ant(string name, LocomotionVariant variant, int horizon)
    {
        bool vel = name == AntVel;
        var common = new LocomotionDefinition
        {
            Name = name,
            Variant = variant,
            Robot = LocomotionRobot.Ant,
            Objective = vel ? LocomotionObjective.GoalVelocity : LocomotionObjective.Direction,
            GoalHigh = vel ? 3 : 0,
            ActionScale = 10,
            CtrlCostWeight = 0.005,
            ContactCostWeight = 5e-4,
            SurviveReward = 0.05,
            VelocityBonus = vel ? 1.0 : 0,
            TerminatesWhenUnhealthy = true,
            HealthyZLow = 0.2,
            HealthyZHigh = 1.0,
            Velocity = LocomotionVelocity.TorsoFrameX,
            ExcludedPositions = 0,
            ObserveContactForces = true,
            ObserveTorsoOrientation = true,
            TorsoPosition = LocomotionTorsoPosition.BodyFrame,
            ResetNoise = LocomotionResetNoise.Gym,
            Horizon = horizon,
        };

        return variant switch
        {
            // PMR: obs qpos + qvel + clip(cfrc_ext) + torso xmat + torso xpos (125).
            LocomotionVariant.PytorchMamlRl => common,
            // ProMP AntRandDirec: gym v2 observation (111), survive 1.0, ctrl 0.5‖a‖², healthy z in [0, 1].
            LocomotionVariant.ProMP when !vel => common with
            {
                CtrlCostWeight = 0.5,
                SurviveReward = 1.0,
                HealthyZLow = 0.0,
                ExcludedPositions = 2,
                ObserveTorsoOrientation = false,
                TorsoPosition = LocomotionTorsoPosition.None,
            },
            LocomotionVariant.ProMP => throw new ArgumentException(
                "ProMP defines no ant goal-velocity task (only ant-dir); use variant pytorch-maml-rl or maml for ant-vel", nameof(variant)),
            // MAML (rllab): subtree-COM velocity and position, action scale 1 (ctrl cost on a/150 with rllab's
            // ±150 range equals 0.005‖a‖² on gym's ±1 range), rllab reset noise.
            _ => common with
            {
                ActionScale = 1,
                Velocity = LocomotionVelocity.SubtreeComX,
                TorsoPosition = LocomotionTorsoPosition.SubtreeCom,
                ResetNoise = LocomotionResetNoise.Rllab,
                ForwardAfterStep = true,
            },
        };
    }
}
