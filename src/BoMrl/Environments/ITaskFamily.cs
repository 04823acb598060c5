namespace BoMrl.Environments;

/// <summary>
/// A named task family a program adds to the library without editing it: register an instance with
/// <c>TaskDistributions.Register</c>, or name the assembly that defines it in a config (<c>env.assembly</c>), where
/// every public class implementing this interface with a public parameterless constructor is registered.
/// </summary>
public interface ITaskFamily
{
    /// <summary>The family's name as configs spell it (<c>env.name</c>); must not be a built-in family's.</summary>
    string Name { get; }

    /// <summary>
    /// Creates the task distribution. <paramref name="variant"/> is the config's <c>env.variant</c>;
    /// <paramref name="horizon"/> the config's <c>sampler.horizon</c> (null: the family's own episode cap).
    /// Throw <see cref="ArgumentException"/> with ParamName "variant" for a variant the family does not define.
    /// </summary>
    ITaskDistribution Create(string? variant, int? horizon);
}
