using BoMrl.Objectives;

namespace BoMrl.Adaptation;

/// <summary>
/// The adaptation of one task as the meta-gradient sees it: K applications of the adaptation component on the same
/// batch, θ₀ = φ, θ_{k+1} = Alg(π_{θ_k}) (BO-MRL: K = 1; MAML: K = num_steps policy-gradient steps on the training
/// batch, as pytorch-maml-rl's adapt does), with the Jacobian products of θ' = θ_K through the chain:
/// dθ'/dφ = J_{K−1}···J_0 with J_k = H_k⁻¹C_k (eq. (8); the products live with the hypergradient in Meta).
/// </summary>
public sealed class TaskAdaptation
{
    private readonly AdaptationResult[] _steps;
    private readonly double[][] _thetas;

    private TaskAdaptation(AdaptationResult[] steps, double[][] thetas)
    {
        _steps = steps;
        _thetas = thetas;
    }

    /// <summary>The adapted parameters θ'.</summary>
    public double[] ThetaPrime => _thetas[^1];

    /// <summary>The steps' outcomes (objective, final L and gradient norm).</summary>
    public IReadOnlyList<AdaptationResult> Steps => _steps;

    /// <summary>θ_1..θ_K: the outcome of each step (step k's objective is built at θ_{k−1}, θ_0 = φ; θ_K = θ').</summary>
    public IReadOnlyList<double[]> Iterates => _thetas;

    /// <summary>
    /// Runs <paramref name="steps"/> adaptations on <paramref name="batch"/> from φ (with λ replaced when given). With
    /// <paramref name="behaviourLogProbs"/> (log π_β per row) every step's ratio divides by that fixed π_β (ProMP);
    /// otherwise step k divides by π_{θ_k}.
    /// </summary>
    public static TaskAdaptation Run(SampledAdaptation adaptation, BatchObjectives evaluator, PolicyBatch batch,
        ReadOnlySpan<double> phi, int steps, ReadOnlySpan<double> behaviourLogProbs = default, double? lambda = null)
    {
        ArgumentNullException.ThrowIfNull(adaptation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var results = new AdaptationResult[steps];
        var thetas = new double[steps][];
        ReadOnlySpan<double> from = phi;
        for (int k = 0; k < steps; k++)
        {
            thetas[k] = new double[phi.Length];
            results[k] = adaptation.Adapt(evaluator, batch, from, thetas[k], behaviourLogProbs, lambda);
            from = thetas[k];
        }

        return new TaskAdaptation(results, thetas);
    }
}
