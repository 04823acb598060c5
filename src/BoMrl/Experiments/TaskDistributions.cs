using BoMrl.Environments;
using BoMrl.Environments.Mujoco;
using BoMrl.Environments.Navigation;

namespace BoMrl.Experiments;

/// <summary>
/// The one place where a benchmark name from a config (<c>env.name</c>, <c>env.variant</c>) becomes an
/// <see cref="ITaskDistribution"/>. A new family is one more arm of the switch in <see cref="Create"/>.
/// </summary>
public static class TaskDistributions
{
    /// <summary>Every family name <see cref="Create"/> knows, as configs spell them.</summary>
    public static IReadOnlyList<string> Names { get; } = [Navigation2DTasks.FamilyName, .. LocomotionTasks.Names];

    /// <summary>
    /// Creates the task distribution called <paramref name="name"/>. <paramref name="variant"/> selects a published
    /// variant of the family (null: the family's default); <paramref name="horizon"/> overrides the family's episode
    /// cap (null: the family's default). Throws <see cref="ArgumentException"/> whose ParamName is "name" or "variant"
    /// when either is unknown, or the variant does not define that family (ProMP has no ant-vel).
    /// </summary>
    /// <remarks>
    /// navigation2d: variants pytorch-maml-rl (default) and maml, horizon 100. halfcheetah-vel, halfcheetah-dir,
    /// ant-vel, ant-dir: variants pytorch-maml-rl (default), promp and maml, horizon 200 (the paper's Section 6);
    /// these load libmujoco on first use and throw <see cref="MujocoNotAvailableException"/> when it is missing.
    /// </remarks>
    public static ITaskDistribution Create(string name, string? variant = null, int? horizon = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            Navigation2DTasks.FamilyName => new Navigation2DTasks(horizon ?? 100, actionMapping: NavigationVariant(variant)),
            LocomotionTasks.HalfCheetahVel or LocomotionTasks.HalfCheetahDir or LocomotionTasks.AntVel or LocomotionTasks.AntDir =>
                LocomotionTasks.Create(name, variant is null ? LocomotionVariant.PytorchMamlRl : LocomotionTasks.ParseVariant(variant),
                    horizon ?? LocomotionTasks.PaperHorizon),
            _ => throw new ArgumentException($"unknown environment '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
        };
    }

    private static NavigationActionMapping NavigationVariant(string? variant) => variant switch
    {
        null or "pytorch-maml-rl" => NavigationActionMapping.Clip,
        "maml" => NavigationActionMapping.ScaleThenClip,
        _ => throw new ArgumentException($"unknown navigation2d variant '{variant}' (known: pytorch-maml-rl, maml)", nameof(variant)),
    };
}
