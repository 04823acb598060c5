using BoMrl.Distances;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Adaptation;

/// <summary>
/// The within-task objective of eq. (7) on one fixed batch B collected by π_φ (to be maximised over θ):
/// L(θ, φ) = S(θ) − λ·D̂²(π_φ, π_θ), with S the h-clipped or plain importance-sampled surrogate, or the first-order
/// model ĝ(φ)ᵀ(θ − φ), and D̂² the batch average of d²(π_φ, π_θ, s) (D1, D2) or ‖θ − φ‖² (D3).
/// <para>
/// What depends on φ (docs/design.md §4c, eq. (8)): the batch, Â and the behaviour probabilities π_φ(a|s) in the ratio are
/// data (their φ-dependence is what eq. (8) drops); the distance depends on φ through its first argument; the
/// first-order model depends on φ through ĝ(φ), which is how MAML differentiates through its inner step.
/// </para>
/// Besides L and ∇_θL this class provides the three curvature products the hypergradient needs:
/// H·v with H = −∇²_θL, C·v and Cᵀ·x with C = ∂(∇_θL)/∂φ (the implicit-function derivative is dθ'/dφ = H⁻¹C).
/// All are central differences of exact gradients (<see cref="HessianVector"/>). One instance per task; not
/// thread-safe (it owns n-sized scratch); the <see cref="BatchObjectives"/> passed in does the batched passes.
/// </summary>
public sealed partial class InnerObjective
{
    private readonly double[] _phi;
    private readonly IDistance _distance;
    private readonly DistanceAnchor _anchor;
    private readonly double[] _logBehaviour = [];
    private readonly double[] _gHat = [];
    private readonly double[] _tmp2, _differenceScratch;
    private readonly bool _behaviourIsPhi;

    /// <summary>Prepares L(·, φ) on <paramref name="batch"/>: caches π_φ's distributions, log-probabilities and ĝ(φ) as needed.</summary>
    /// <param name="evaluator">Batched policy passes.</param>
    /// <param name="batch">The batch B collected by π_φ, advantages filled.</param>
    /// <param name="options">Distance, surrogate, λ.</param>
    /// <param name="phi">The meta-parameters φ.</param>
    /// <param name="behaviourLogProbs">
    /// log π_β(a|s) per row for the ratio surrogates; empty (the default) means π_φ's, i.e. the batch was collected by π_φ.
    /// Given explicitly, it stays fixed data when φ moves (what eq. (8) assumes).
    /// </param>
    public InnerObjective(BatchObjectives evaluator, PolicyBatch batch, AdaptationOptions options, ReadOnlySpan<double> phi,
        ReadOnlySpan<double> behaviourLogProbs = default)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = evaluator.Policy.ParameterCount;
        ArgumentOutOfRangeException.ThrowIfNotEqual(phi.Length, n, nameof(phi));
        Batch = batch;
        Options = options;
        _phi = phi.ToArray();
        _tmp2 = new double[n];
        _differenceScratch = new double[2 * n];
        _distance = options.Distance.Implementation();
        _anchor = _distance.Anchor(evaluator, batch, phi); // D1/D2: π_φ's recorded pass

        if (options.Surrogate == SurrogateKind.FirstOrder)
        {
            _gHat = new double[n];
            evaluator.PolicyGradientObjective(phi, batch, _gHat);
        }
        else
        {
            _logBehaviour = new double[batch.Rows];
            if (behaviourLogProbs.IsEmpty)
            {
                _behaviourIsPhi = true;
                evaluator.LogProbs(phi, batch, _logBehaviour);
            }
            else
            {
                ArgumentOutOfRangeException.ThrowIfNotEqual(behaviourLogProbs.Length, batch.Rows, nameof(behaviourLogProbs));
                behaviourLogProbs.CopyTo(_logBehaviour);
            }

            if (options.Surrogate == SurrogateKind.FirstOrderRatio)
            {
                _gHat = new double[n];
                evaluator.RatioSurrogate(phi, batch, _logBehaviour, clipped: false, _gHat);
            }
        }
    }

    /// <summary>The batch B.</summary>
    public PolicyBatch Batch { get; }

    /// <summary>Distance, surrogate, λ.</summary>
    public AdaptationOptions Options { get; }

    /// <summary>The meta-parameters φ the objective is built at.</summary>
    public ReadOnlySpan<double> Phi => _phi;

    /// <summary>π_φ's distribution parameters on the batch rows (KL distances only; empty for D3).</summary>
    public ReadOnlySpan<double> PhiDistributions => _anchor.PhiDistributions;

    /// <summary>ĝ(φ) = ∇_φ 1/|B| Σ log π_φ(a|s)·Â (first-order), or ∇_φ 1/|B| Σ (π_φ/π_β)·Â (first-order-ratio); empty otherwise.</summary>
    public ReadOnlySpan<double> PolicyGradientAtPhi => _gHat;

    private double Lambda => Options.Lambda;

    /// <summary>L(θ, φ).</summary>
    public double Value(BatchObjectives evaluator, ReadOnlySpan<double> theta) => Evaluate(evaluator, theta, []);

    /// <summary>L(θ, φ) and ∇_θL(θ, φ) (written into <paramref name="gradient"/>).</summary>
    public double Gradient(BatchObjectives evaluator, ReadOnlySpan<double> theta, Span<double> gradient) =>
        Evaluate(evaluator, theta, gradient);

    private double Evaluate(BatchObjectives ev, ReadOnlySpan<double> theta, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(ev);
        bool wantGradient = !gradient.IsEmpty;
        bool linear = Options.IsLinearModel;
        bool network = !linear || _distance.OnPolicyPass;
        double value = 0;
        if (network)
        {
            // One forward and one backward pass for the surrogate and the KL together.
            ev.Begin(theta, Batch, wantGradient);
            if (!linear)
            {
                value += ev.AddRatioSurrogate(_logBehaviour, Options.Surrogate == SurrogateKind.HClipped);
            }

            value += _distance.AddToPass(ev, _anchor, -Lambda);
            if (wantGradient)
            {
                ev.End(theta, gradient);
            }
        }
        else if (wantGradient)
        {
            gradient.Clear();
        }

        // Parameter-space terms: the first-order model ĝᵀ(θ − φ) and D3 = ‖θ − φ‖².
        if (linear)
        {
            for (int i = 0; i < _phi.Length; i++)
            {
                double d = theta[i] - _phi[i];
                value += _gHat[i] * d;
                if (wantGradient)
                {
                    gradient[i] += _gHat[i];
                }
            }
        }

        return value + _distance.AddInParameterSpace(_anchor, theta, -Lambda, gradient);
    }

    /// <summary>D̂²(π_φ, π_θ) and ∇_θD̂² (= −∂(∇_θL)/∂λ: what dθ'/dλ = −H⁻¹∇_θD̂² needs).</summary>
    public double DistanceGradient(BatchObjectives evaluator, ReadOnlySpan<double> theta, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        return _distance.Value(evaluator, _anchor, theta, gradient);
    }

    /// <summary>
    /// The part of Cᵀx that eq. (8) drops for the ratio surrogates: ∇_φ[xᵀ∇_θS] through the behaviour probabilities
    /// π_φ(a|s) in the ratio ρ = π_θ/π_φ. With ∇_θS = Σ_r w_r Â_r k(ℓ_r) ∇_θ log π_θ(a_r|s_r), ℓ = log ρ, k = h'(ρ)ρ
    /// (or ρ), and ∂ℓ/∂ log π_φ = −1: result += Σ_r c_r ∇_φ log π_φ(a_r|s_r) with c_r = −w_r Â_r k'(ℓ_r)·xᵀ∇_θ log π_θ(a_r|s_r),
    /// k'(ℓ) = ρ(1 − t²)(1 − 2tρ) for h (t = tanh(ρ − 1)) and ρ for the plain ratio; the directional derivatives of
    /// log π_θ along x by central differences. Nothing is added when the behaviour probabilities were given as data
    /// or the surrogate is first-order.
    /// </summary>
    public void AddBehaviourTransposeProduct(BatchObjectives evaluator, ReadOnlySpan<double> theta, ReadOnlySpan<double> x, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        if (!_behaviourIsPhi || Options.Surrogate == SurrogateKind.FirstOrder)
        {
            return;
        }

        int rows = Batch.Rows, n = theta.Length;
        double xNorm = FixedOrder.Norm(x);
        if (xNorm == 0)
        {
            return;
        }

        double eps = HessianVector.Step(theta) / xNorm; // θ ± eps·x moves by the central-difference step
        var plus = new double[n];
        var minus = new double[n];
        FixedOrder.MultiplyAdd(x, eps, theta, plus);
        FixedOrder.MultiplyAdd(x, -eps, theta, minus);
        var lp = new double[rows];
        var lm = new double[rows];
        var l0 = new double[rows];
        evaluator.LogProbs(plus, Batch, lp);
        evaluator.LogProbs(minus, Batch, lm);
        evaluator.LogProbs(theta, Batch, l0);
        var c = new double[rows];
        bool clipped = Options.Surrogate == SurrogateKind.HClipped;
        for (int r = 0; r < rows; r++)
        {
            double logRatio = l0[r] - _logBehaviour[r], jv = (lp[r] - lm[r]) / (2 * eps);
            double kPrime;
            if (clipped)
            {
                double rho = PortableMath.Exp(Math.Min(logRatio, 40.0)), t = PortableMath.Tanh(rho - 1.0);
                kPrime = rho * (1 - t * t) * (1 - 2 * t * rho);
            }
            else
            {
                kPrime = PortableMath.Exp(logRatio);
            }

            c[r] = -Batch.Weights[r] * Batch.Advantages[r] * kPrime * jv;
        }

        var g = new double[n];
        evaluator.WeightedLogProb(_phi, Batch, c, g);
        FixedOrder.Add(result, g, result);
    }
}
