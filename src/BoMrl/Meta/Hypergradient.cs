using BoMrl.Adaptation;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>
/// Settings of the implicit-function solves H·x = u, H = −∇²_θL(θ', φ), by conjugate gradient.
/// </summary>
/// <param name="CgIterations">Iteration cap.</param>
/// <param name="Damping">δ in (H + δI): guards against a nearly singular or slightly indefinite H when Adam stopped short of the maximum.</param>
/// <param name="Tolerance">Relative residual at which CG stops early.</param>
/// <param name="CurvatureSubsample">H·v products use every k-th row of the batch (1 = all); C and g' always use all rows.</param>
/// <param name="CentralDifferences">
/// H·v by central differences (~10 digits, two gradient evaluations) instead of forward differences (~8 digits, one
/// evaluation). The forward form is ample for a stochastic meta-gradient; the central one is for exactness checks.
/// </param>
/// <param name="DampingIncreases">
/// How many times a solve may be repeated with δ multiplied by <see cref="DampingFactor"/> when it shows that H is not
/// positive semi-definite at θ' (Levenberg–Marquardt; docs/design.md §4c); 0 keeps the first solve. Only with δ &gt; 0.
/// </param>
public sealed record HypergradientOptions(int CgIterations = 20, double Damping = 0.01, double Tolerance = 1e-10, int CurvatureSubsample = 1,
    bool CentralDifferences = false, int DampingIncreases = 6)
{
    /// <summary>The factor by which δ grows at each repeated solve.</summary>
    public const double DampingFactor = 4.0;

    /// <summary>Throws when a setting is out of range or not finite.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CgIterations);
        if (!double.IsFinite(Damping) || Damping < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Damping), Damping, "Damping must be finite and non-negative.");
        }

        if (!double.IsFinite(Tolerance) || Tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be finite and non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CurvatureSubsample);
        ArgumentOutOfRangeException.ThrowIfNegative(DampingIncreases);
    }
}

/// <summary>
/// Outcome of one implicit-function solve (H + δI)x = u: the CG outcome of the solve kept, the damping δ it used, and
/// whether H showed itself too far from positive semi-definite in any attempt (non-positive curvature of H + δI, or
/// an iterate outside the ball ‖x‖ ≤ 2‖u‖/δ, which proves λ_min(H) &lt; −δ/2).
/// </summary>
public readonly record struct ImplicitSolve(CgResult Cg, double Damping, bool Indefinite);

/// <summary>
/// Eq. (8): the hypergradient ∇_φJ_τ = (dθ'/dφ)ᵀg' = Cᵀ(H + δI)⁻¹g' by the implicit function theorem at
/// ∇_θL(θ', φ) = 0 (Proposition 2), with H = −∇²_θL and C = ∂(∇_θL)/∂φ from the <see cref="InnerObjective"/> and g'
/// the policy gradient at θ' on the post-adaptation batch; for D1/D2 and the h-surrogate, Cᵀx = −λ∇_φ[xᵀ∇_θD̂²(π_φ, π_θ)]|θ'
/// exactly as eq. (8) writes it. Through a chain of K adaptations (<see cref="TaskAdaptation"/>) dθ'/dφ = J_{K−1}···J_0
/// with J_k = H_k⁻¹C_k. For MAML's configuration (first-order surrogate, D3, no damping) H = 2λI and this is MAML's
/// meta-gradient (I + α∇²_φ ĝ-objective)g'. The one home of eq. (8); one instance per thread's scratch (owns CG buffers).
/// </summary>
public sealed class Hypergradient
{
    private readonly ConjugateGradient _cg;
    private readonly double[] _x;

    /// <summary>A solver for <paramref name="parameterCount"/> parameters.</summary>
    public Hypergradient(int parameterCount, HypergradientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _cg = new ConjugateGradient(parameterCount);
        _x = new double[parameterCount];
    }

    /// <summary>CG settings.</summary>
    public HypergradientOptions Options { get; }

    /// <summary>
    /// result = (dθ'/dφ)ᵀ·u = Cᵀ(H + δI)⁻¹u. With u = g' this is the hypergradient (8). Returns the solve's outcome
    /// (residual, iterations, damping used, indefiniteness).
    /// </summary>
    public ImplicitSolve TransposeProduct(InnerObjective objective, BatchObjectives evaluator, ReadOnlySpan<double> thetaPrime,
        ReadOnlySpan<double> u, Span<double> result) => TransposeProduct(objective, evaluator, thetaPrime, u, result, []);

    /// <summary>Eq. (8)'s result = Cᵀx, and x = (H + δI)⁻¹u itself into <paramref name="solution"/> (unless empty).</summary>
    public ImplicitSolve TransposeProduct(InnerObjective objective, BatchObjectives evaluator, ReadOnlySpan<double> thetaPrime,
        ReadOnlySpan<double> u, Span<double> result, Span<double> solution)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ImplicitSolve solve = Solve(Curvature(objective, evaluator, thetaPrime), u, _x);
        objective.MixedTransposeProduct(evaluator, thetaPrime, _x, result);
        if (!solution.IsEmpty)
        {
            _x.CopyTo(solution);
        }

        return solve;
    }

    /// <summary>result = (dθ'/dφ)·v = (H + δI)⁻¹C·v (forward mode; MAML-TRPO's KL Hessian through the adaptation).</summary>
    public ImplicitSolve Product(InnerObjective objective, BatchObjectives evaluator, ReadOnlySpan<double> thetaPrime,
        ReadOnlySpan<double> v, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var cv = new double[v.Length];
        objective.MixedProduct(evaluator, thetaPrime, v, cv);
        return Solve(Curvature(objective, evaluator, thetaPrime), cv, result);
    }

    /// <summary>
    /// Eq. (8) for one task: result = (dθ'/dφ)ᵀg' with g' = ∇_θ Σ w Â log π_θ at θ' on the post-adaptation rows (the
    /// gradient of Σ w ratio·Â at ratio = 1). Returns the worst CG outcome of the chain.
    /// </summary>
    public CgSummary Compute(BatchObjectives objectives, TaskAdaptation adaptation, PolicyBatch postRows, Span<double> result) =>
        Compute(objectives, adaptation, postRows, result, []);

    /// <summary>
    /// Eq. (8) for one task, and into <paramref name="solution"/> (unless empty) the x of the chain's first step,
    /// x = (H + δI)⁻¹g' for a one-step adaptation, from which that step's other products with Cᵀ or ∂(∇_θL) follow.
    /// </summary>
    public CgSummary Compute(BatchObjectives objectives, TaskAdaptation adaptation, PolicyBatch postRows, Span<double> result,
        Span<double> solution)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(adaptation);
        var gPrime = new double[result.Length];
        objectives.PolicyGradientObjective(adaptation.ThetaPrime, postRows, gPrime);
        return TransposeJacobianProduct(adaptation, objectives, gPrime, result, solution);
    }

    /// <summary>result = (dθ'/dφ)ᵀu, backwards through the adaptation chain. Returns the worst CG outcome of the chain.</summary>
    public CgSummary TransposeJacobianProduct(TaskAdaptation adaptation, BatchObjectives objectives, ReadOnlySpan<double> u,
        Span<double> result) => TransposeJacobianProduct(adaptation, objectives, u, result, []);

    /// <summary>Eq. (8)'s (dθ'/dφ)ᵀu through the chain, and the x of its first step (the last solve) into <paramref name="solution"/> (unless empty).</summary>
    public CgSummary TransposeJacobianProduct(TaskAdaptation adaptation, BatchObjectives objectives, ReadOnlySpan<double> u,
        Span<double> result, Span<double> solution)
    {
        ArgumentNullException.ThrowIfNull(adaptation);
        double[] v = u.ToArray();
        var summary = default(CgSummary);
        for (int k = adaptation.Steps.Count - 1; k >= 0; k--)
        {
            summary = summary.With(TransposeProduct(adaptation.Steps[k].Objective, objectives, adaptation.Iterates[k], v, result, k == 0 ? solution : []));
            result.CopyTo(v);
        }

        return summary;
    }

    /// <summary>result = (dθ'/dφ)·v, forwards through the adaptation chain (MAML-TRPO's KL Hessian through the adaptation).</summary>
    public CgSummary JacobianProduct(TaskAdaptation adaptation, BatchObjectives objectives, ReadOnlySpan<double> v, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(adaptation);
        double[] w = v.ToArray();
        var summary = default(CgSummary);
        for (int k = 0; k < adaptation.Steps.Count; k++)
        {
            summary = summary.With(Product(adaptation.Steps[k].Objective, objectives, adaptation.Iterates[k], w, result));
            result.CopyTo(w);
        }

        return summary;
    }

    /// <summary>
    /// (H + δI)x = b by CG, raising δ (×<see cref="HypergradientOptions.DampingFactor"/>, at most
    /// <see cref="HypergradientOptions.DampingIncreases"/> times) while H shows itself too far from positive
    /// semi-definite: a direction of non-positive curvature of H + δI, or an iterate with ‖x‖ &gt; 2‖b‖/δ. For a
    /// positive definite H + δI the CG iterates grow monotonically in norm towards the solution, whose norm is at most
    /// ‖b‖/(λ_min(H) + δ); so leaving that ball proves λ_min(H) &lt; −δ/2, while a slightly indefinite H is accepted.
    /// Without such a guard one task whose θ' sits near a saddle of (7) returns an x orders of magnitude larger than
    /// the others and alone sets the direction of the task-averaged meta-gradient. If the last attempt still fails,
    /// x is pulled back into the ball.
    /// </summary>
    internal ImplicitSolve Solve(LinearOperator h, ReadOnlySpan<double> b, Span<double> x)
    {
        double damping = Options.Damping;
        double bNorm = FixedOrder.Norm(b);
        bool indefinite = false;
        for (int attempt = 0; ; attempt++)
        {
            CgResult cg = _cg.Solve(h, b, x, Options.CgIterations, damping, Options.Tolerance);
            if (damping == 0)
            {
                return new ImplicitSolve(cg, damping, cg.NegativeCurvature);
            }

            double bound = 2.0 * bNorm / damping, xNorm = FixedOrder.Norm(x);
            bool failed = cg.NegativeCurvature || xNorm > bound;
            indefinite |= failed;
            if (!failed)
            {
                return new ImplicitSolve(cg, damping, indefinite);
            }

            if (attempt == Options.DampingIncreases)
            {
                if (xNorm > bound)
                {
                    FixedOrder.Multiply(x, bound / xNorm, x);
                }

                return new ImplicitSolve(cg, damping, indefinite);
            }

            damping *= HypergradientOptions.DampingFactor;
        }
    }

    private LinearOperator Curvature(InnerObjective objective, BatchObjectives evaluator, ReadOnlySpan<double> thetaPrime)
    {
        InnerObjective h = objective.ForCurvature(evaluator, Options.CurvatureSubsample);
        if (!Options.CentralDifferences)
        {
            return h.CurvatureOperator(evaluator, thetaPrime);
        }

        double[] theta = thetaPrime.ToArray();
        return (v, hv) => h.NegativeHessianProduct(evaluator, theta, v, hv);
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
