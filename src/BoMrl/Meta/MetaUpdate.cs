namespace BoMrl.Meta;

/// <summary>How the meta-parameters φ move given the averaged meta-gradient (DESIGN §4d).</summary>
public enum MetaUpdateMethod
{
    /// <summary>A TRPO step (Algorithm 2; MAML-TRPO).</summary>
    Trpo,

    /// <summary>φ ← φ + α·ĝ (Algorithm 1).</summary>
    Sgd,

    /// <summary>Adam ascent on φ.</summary>
    Adam,
}

/// <summary>Settings of the meta-update: the method, TRPO's settings and the step size of SGD/Adam.</summary>
/// <param name="Method">trpo, sgd or adam.</param>
/// <param name="Trpo">Trust region, CG and line search (used by <see cref="MetaUpdateMethod.Trpo"/>).</param>
/// <param name="LearningRate">α of SGD / Adam.</param>
public sealed record MetaUpdateOptions(MetaUpdateMethod Method, TrpoOptions Trpo, double LearningRate = 0.01)
{
    /// <summary>Parses trpo / sgd / adam.</summary>
    public static bool TryParseMethod(string? text, out MetaUpdateMethod method)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "trpo": method = MetaUpdateMethod.Trpo; return true;
            case "sgd": method = MetaUpdateMethod.Sgd; return true;
            case "adam": method = MetaUpdateMethod.Adam; return true;
            default: method = default; return false;
        }
    }

    /// <summary>Throws when a setting is out of range or not finite.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Method))
        {
            throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown meta-update method.");
        }

        ArgumentNullException.ThrowIfNull(Trpo);
        Trpo.Validate();
        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be finite and positive.");
        }
    }
}
