using BoMrl.Environments.Navigation;

namespace BoMrl.Environments;

/// <summary>
/// The one place where a benchmark name from a config (<c>env.name</c>, <c>env.variant</c>) becomes an
/// <see cref="ITaskDistribution"/>. A new family is one more arm of the switch in <see cref="Create"/>.
/// </summary>
public static class TaskDistributions
{
    /// <summary>
    /// Creates the task distribution called <paramref name="name"/>. <paramref name="variant"/> selects a published
    /// variant of the family (null: the family's default); <paramref name="horizon"/> overrides the family's episode
    /// cap (null: the family's default). Throws <see cref="ArgumentException"/> whose ParamName is "name" or "variant"
    /// when either is unknown.
    /// </summary>
    public static ITaskDistribution Create(string name, string? variant = null, int? horizon = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            Navigation2DTasks.FamilyName => new Navigation2DTasks(horizon ?? 100, actionMapping: NavigationVariant(variant)),
            _ => throw new ArgumentException($"unknown environment '{name}' (known: {Navigation2DTasks.FamilyName})", nameof(name)),
        };
    }

    private static NavigationActionMapping NavigationVariant(string? variant) => variant switch
    {
        null or "pytorch-maml-rl" => NavigationActionMapping.Clip,
        "maml" => NavigationActionMapping.ScaleThenClip,
        _ => throw new ArgumentException($"unknown navigation2d variant '{variant}' (known: pytorch-maml-rl, maml)", nameof(variant)),
    };
}
