using BoMrl.Numerics;

namespace BoMrl.Meta;

/// <summary>How the meta-parameters φ move given the averaged meta-gradient (docs/design.md §4d).</summary>
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

/// <summary>
/// What a learner tells the meta-update about its meta-objective around φ_old: the curvature operator of TRPO's
/// trust region (built only when TRPO asks for it), the line search's (improvement, KL) at a trial φ, and the KL of an
/// applied step (reported by SGD/Adam).
/// </summary>
/// <param name="Curvature">Builds v ↦ F·v, the Fisher of the learner's KL around φ_old.</param>
/// <param name="LineSearch">The change of the meta-objective and the KL at a trial φ.</param>
/// <param name="Kl">The KL between π at φ_old and π at a new φ.</param>
public sealed record MetaObjective(Func<LinearOperator> Curvature, TrpoCandidate LineSearch, Func<double[], double> Kl);

/// <summary>Outcome of a meta-update: KL between the old and the new meta-policy (0 when TRPO rejected the step), acceptance, and TRPO's CG outcome.</summary>
public readonly record struct MetaStep(double Kl, bool Accepted, double CgRelativeResidual, bool NegativeCurvature);

/// <summary>
/// The meta-update of Algorithm 2, line 7: moves φ along the task-averaged meta-gradient. Each optimiser owns the
/// state a checkpoint must hold to continue exactly. Not thread-safe.
/// </summary>
public interface IMetaOptimizer
{
    /// <summary>Moves <paramref name="phi"/> in place along the ascent direction <paramref name="gradient"/>.</summary>
    MetaStep Step(double[] phi, double[] gradient, MetaObjective objective);

    /// <summary>The optimiser's checkpoint state (empty when it has none).</summary>
    double[] GetState();

    /// <summary>Restores a state returned by <see cref="GetState"/>.</summary>
    void SetState(double[] state);
}

/// <summary>The meta-optimiser configured by <see cref="MetaUpdateOptions"/>.</summary>
public static class MetaOptimizer
{
    /// <summary>TRPO, SGD or Adam for <paramref name="parameterCount"/> meta-parameters.</summary>
    public static IMetaOptimizer Create(MetaUpdateOptions options, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Method switch
        {
            MetaUpdateMethod.Trpo => new TrpoStep(parameterCount, options.Trpo),
            MetaUpdateMethod.Sgd => new SgdStep(options.LearningRate),
            _ => new AdamStep(parameterCount, options.LearningRate),
        };
    }

    /// <summary>Rejects a non-empty state for an optimiser without one.</summary>
    internal static void ExpectNoState(double[] state)
    {
        if (state is { Length: > 0 })
        {
            throw new ArgumentException("The checkpoint holds optimiser state but the meta-update has none.", nameof(state));
        }
    }
}

/// <summary>A TRPO step (Algorithm 2; MAML-TRPO): natural direction by CG on the learner's curvature, line search on its objective.</summary>
public sealed class TrpoStep(int parameterCount, TrpoOptions options) : IMetaOptimizer
{
    private readonly Trpo _trpo = new(parameterCount, options);

    /// <inheritdoc/>
    public MetaStep Step(double[] phi, double[] gradient, MetaObjective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        TrpoResult r = _trpo.Step(phi, gradient, objective.Curvature(), objective.LineSearch);
        // A rejected step leaves φ unchanged: the KL of the applied update is then 0.
        return new MetaStep(r.Accepted ? r.Kl : 0.0, r.Accepted, r.Cg.RelativeResidual, r.Cg.NegativeCurvature);
    }

    /// <inheritdoc/>
    public double[] GetState() => [];

    /// <inheritdoc/>
    public void SetState(double[] state) => MetaOptimizer.ExpectNoState(state);
}

/// <summary>φ ← φ + α·ĝ (Algorithm 1's meta-update).</summary>
public sealed class SgdStep(double learningRate) : IMetaOptimizer
{
    /// <inheritdoc/>
    public MetaStep Step(double[] phi, double[] gradient, MetaObjective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        FixedOrder.MultiplyAdd(gradient, learningRate, phi, phi);
        return new MetaStep(objective.Kl(phi), true, 0, false);
    }

    /// <inheritdoc/>
    public double[] GetState() => [];

    /// <inheritdoc/>
    public void SetState(double[] state) => MetaOptimizer.ExpectNoState(state);
}

/// <summary>Adam ascent on φ; its moments are checkpointed.</summary>
public sealed class AdamStep(int parameterCount, double learningRate) : IMetaOptimizer
{
    private readonly Adam _adam = new(parameterCount, learningRate);

    /// <inheritdoc/>
    public MetaStep Step(double[] phi, double[] gradient, MetaObjective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        double[] negative = new double[gradient.Length];
        FixedOrder.Negate(gradient, negative); // Adam minimises −J
        _adam.Step(phi, negative);
        return new MetaStep(objective.Kl(phi), true, 0, false);
    }

    /// <inheritdoc/>
    public double[] GetState() => _adam.GetState();

    /// <inheritdoc/>
    public void SetState(double[] state) => _adam.SetState(state ?? []);
}
