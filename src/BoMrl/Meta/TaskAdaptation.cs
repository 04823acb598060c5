using BoMrl.Adaptation;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>
/// The adaptation of one task as the meta-gradient sees it: K applications of the adaptation component on the same
/// batch, θ₀ = φ, θ_{k+1} = Alg(π_{θ_k}) (BO-MRL: K = 1; MAML: K = num_steps policy-gradient steps on the training
/// batch, as pytorch-maml-rl's adapt does), with the Jacobian products of θ' = θ_K through the chain:
/// dθ'/dφ = J_{K−1}···J_0 with J_k = H_k⁻¹C_k (<see cref="ImplicitDifferentiation"/>).
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

    /// <summary>Runs <paramref name="steps"/> adaptations on <paramref name="batch"/> from φ.</summary>
    public static TaskAdaptation Run(SampledAdaptation adaptation, BatchObjectives evaluator, PolicyBatch batch,
        ReadOnlySpan<double> phi, int steps)
    {
        ArgumentNullException.ThrowIfNull(adaptation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var results = new AdaptationResult[steps];
        var thetas = new double[steps][];
        ReadOnlySpan<double> from = phi;
        for (int k = 0; k < steps; k++)
        {
            thetas[k] = new double[phi.Length];
            results[k] = adaptation.Adapt(evaluator, batch, from, thetas[k]);
            from = thetas[k];
        }

        return new TaskAdaptation(results, thetas);
    }

    /// <summary>
    /// result = (dθ'/dφ)ᵀu, backwards through the chain. With u = g' (the policy gradient at θ') this is the task's
    /// hypergradient (eq. (8)). Returns the worst CG outcome of the chain.
    /// </summary>
    public CgSummary TransposeJacobianProduct(ImplicitDifferentiation solver, BatchObjectives evaluator, ReadOnlySpan<double> u,
        Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(solver);
        double[] v = u.ToArray();
        var summary = default(CgSummary);
        for (int k = _steps.Length - 1; k >= 0; k--)
        {
            summary = summary.With(solver.TransposeProduct(_steps[k].Objective, evaluator, _thetas[k], v, result));
            result.CopyTo(v);
        }

        return summary;
    }

    /// <summary>result = (dθ'/dφ)·v, forwards through the chain.</summary>
    public CgSummary JacobianProduct(ImplicitDifferentiation solver, BatchObjectives evaluator, ReadOnlySpan<double> v,
        Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(solver);
        double[] w = v.ToArray();
        var summary = default(CgSummary);
        for (int k = 0; k < _steps.Length; k++)
        {
            summary = summary.With(solver.Product(_steps[k].Objective, evaluator, _thetas[k], w, result));
            result.CopyTo(w);
        }

        return summary;
    }
}

/// <summary>
/// The worst of several implicit-function solves: largest relative residual, whether any met an H that is not positive
/// semi-definite, total CG iterations, number of solves, and the largest damping any of them needed.
/// </summary>
public readonly record struct CgSummary(double WorstRelativeResidual, bool NegativeCurvature, int Iterations, int Solves,
    double MaxDamping = 0)
{
    /// <summary>Adds one solve.</summary>
    public CgSummary With(ImplicitSolve r) => new(Math.Max(WorstRelativeResidual, r.Cg.RelativeResidual),
        NegativeCurvature || r.Indefinite, Iterations + r.Cg.Iterations, Solves + 1, Math.Max(MaxDamping, r.Damping));

    /// <summary>Combines two summaries.</summary>
    public CgSummary With(CgSummary s) => new(Math.Max(WorstRelativeResidual, s.WorstRelativeResidual),
        NegativeCurvature || s.NegativeCurvature, Iterations + s.Iterations, Solves + s.Solves, Math.Max(MaxDamping, s.MaxDamping));
}
