using System.Numerics.Tensors;

namespace BoMrl.Policies;

/// <summary>Which argument of KL the policy being differentiated occupies.</summary>
public enum KlDirection
{
    /// <summary>KL(π_ref ‖ π_θ): the fixed reference first (D1 with π_ref = π_φ).</summary>
    ReferenceFirst,

    /// <summary>KL(π_θ ‖ π_ref): the policy first (D2 with π_ref = π_φ).</summary>
    PolicyFirst,
}

/// <summary>
/// Batched objectives of one differentiable policy over a <see cref="PolicyBatch"/>, each a weighted average over
/// rows Σ_r w_r f_r, with exact gradients ∇_θ by one forward and one backward pass:
/// log-probabilities, KL in both directions against fixed reference distributions, entropy, and the surrogate
/// Σ_r w_r h(π_θ/π_β)·Â_r of eq. (7) (h(x) = 2/(1 + e^{−2(x−1)}) = 1 + tanh(x − 1)) or its unclipped ratio form.
/// Holds reusable buffers (grown to the largest batch seen, never per call): one instance per thread.
/// Gradient spans may be empty to evaluate the value only.
/// </summary>
public sealed class PolicyEvaluator
{
    private double[] _workspace = [], _scratch = [], _dist = [], _distB = [], _dDist = [], _rowA = [], _rowB = [];
    private int _capacity;

    /// <summary>An evaluator for <paramref name="policy"/>.</summary>
    public PolicyEvaluator(IDifferentiablePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
    }

    /// <summary>The policy evaluated.</summary>
    public IDifferentiablePolicy Policy { get; }

    private IActionDistribution Family => Policy.Distribution;

    /// <summary>Distribution-parameter count per row × rows.</summary>
    public int DistributionLength(PolicyBatch batch) => Family.ParameterSize * batch.Rows;

    private void Ensure(int rows)
    {
        if (rows <= _capacity)
        {
            return;
        }

        _capacity = rows;
        _workspace = new double[Policy.WorkspaceSize(rows)];
        _scratch = new double[Policy.BackwardScratchSize(rows)];
        _dist = new double[Family.ParameterSize * rows];
        _distB = new double[Family.ParameterSize * rows];
        _dDist = new double[Family.ParameterSize * rows];
        _rowA = new double[rows];
        _rowB = new double[rows];
    }

    /// <summary>Forward pass: the distribution parameters of π_θ on every row (ParameterSize × rows) into <paramref name="dist"/>.</summary>
    public void Distributions(ReadOnlySpan<double> theta, PolicyBatch batch, Span<double> dist)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Ensure(batch.Rows);
        Policy.Forward(theta, batch.Observations, batch.Rows, dist, _workspace);
    }

    /// <summary>logp[r] = log π_θ(a_r|s_r).</summary>
    public void LogProbs(ReadOnlySpan<double> theta, PolicyBatch batch, Span<double> logp)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Ensure(batch.Rows);
        Span<double> dist = _dist.AsSpan(0, DistributionLength(batch));
        Policy.Forward(theta, batch.Observations, batch.Rows, dist, _workspace);
        Family.LogProb(dist, batch.Actions, batch.Rows, logp);
    }

    /// <summary>Σ_r c_r log π_θ(a_r|s_r) and its gradient. With c = w·Â it is the policy-gradient (REINFORCE) objective.</summary>
    public double WeightedLogProb(ReadOnlySpan<double> theta, PolicyBatch batch, ReadOnlySpan<double> coef, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.Rows;
        Ensure(n);
        Span<double> dist = _dist.AsSpan(0, DistributionLength(batch));
        Policy.Forward(theta, batch.Observations, n, dist, _workspace);
        Span<double> logp = _rowA.AsSpan(0, n);
        Family.LogProb(dist, batch.Actions, n, logp);
        double value = TensorPrimitives.Dot(coef[..n], logp);
        if (!gradient.IsEmpty)
        {
            Span<double> dDist = _dDist.AsSpan(0, dist.Length);
            dDist.Clear();
            Family.AddLogProbGradient(dist, batch.Actions, n, coef, dDist);
            Policy.Backward(theta, batch.Observations, n, _workspace, dDist, gradient, _scratch);
        }

        return value;
    }

    /// <summary>Policy-gradient objective Σ_r w_r Â_r log π_θ(a_r|s_r) and its gradient ĝ (pytorch-maml-rl's reinforce loss, negated).</summary>
    public double PolicyGradientObjective(ReadOnlySpan<double> theta, PolicyBatch batch, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.Rows;
        Ensure(n);
        Span<double> coef = _rowB.AsSpan(0, n);
        TensorPrimitives.Multiply(batch.Weights, batch.Advantages, coef);
        return WeightedLogProb(theta, batch, coef, gradient);
    }

    /// <summary>
    /// Σ_r w_r KL between π_θ(·|s_r) and the fixed reference distributions <paramref name="reference"/>
    /// (ParameterSize × rows), in the given direction, and its gradient with respect to θ.
    /// </summary>
    public double MeanKl(ReadOnlySpan<double> theta, PolicyBatch batch, ReadOnlySpan<double> reference, KlDirection direction,
        Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.Rows;
        Ensure(n);
        Span<double> dist = _dist.AsSpan(0, DistributionLength(batch));
        Policy.Forward(theta, batch.Observations, n, dist, _workspace);
        bool first = direction == KlDirection.PolicyFirst;
        ReadOnlySpan<double> p = first ? dist : reference, q = first ? reference : dist;
        Span<double> kl = _rowA.AsSpan(0, n);
        Family.Kl(p, q, n, kl);
        double value = TensorPrimitives.Dot(batch.Weights, kl);
        if (!gradient.IsEmpty)
        {
            Span<double> dDist = _dDist.AsSpan(0, dist.Length);
            dDist.Clear();
            if (first)
            {
                Family.AddKlGradient(p, q, n, batch.Weights, dDist, []);
            }
            else
            {
                Family.AddKlGradient(p, q, n, batch.Weights, [], dDist);
            }

            Policy.Backward(theta, batch.Observations, n, _workspace, dDist, gradient, _scratch);
        }

        return value;
    }

    /// <summary>Σ_r w_r H(π_θ(·|s_r)) and its gradient.</summary>
    public double MeanEntropy(ReadOnlySpan<double> theta, PolicyBatch batch, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.Rows;
        Ensure(n);
        Span<double> dist = _dist.AsSpan(0, DistributionLength(batch));
        Policy.Forward(theta, batch.Observations, n, dist, _workspace);
        Span<double> h = _rowA.AsSpan(0, n);
        Family.Entropy(dist, n, h);
        double value = TensorPrimitives.Dot(batch.Weights, h);
        if (!gradient.IsEmpty)
        {
            Span<double> dDist = _dDist.AsSpan(0, dist.Length);
            dDist.Clear();
            Family.AddEntropyGradient(dist, n, batch.Weights, dDist);
            Policy.Backward(theta, batch.Observations, n, _workspace, dDist, gradient, _scratch);
        }

        return value;
    }

    /// <summary>
    /// Importance-weighted surrogate Σ_r w_r·t(ρ_r)·Â_r with ρ_r = π_θ(a_r|s_r)/π_β(a_r|s_r) (log π_β given per row),
    /// t = h (eq. (7), <paramref name="clipped"/>) or the identity (the plain ratio of eq. (2) / TRPO), and its gradient.
    /// </summary>
    public double Surrogate(ReadOnlySpan<double> theta, PolicyBatch batch, ReadOnlySpan<double> logBehaviour, bool clipped,
        Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.Rows;
        Ensure(n);
        Span<double> dist = _dist.AsSpan(0, DistributionLength(batch));
        Policy.Forward(theta, batch.Observations, n, dist, _workspace);
        Span<double> logp = _rowA.AsSpan(0, n);
        Family.LogProb(dist, batch.Actions, n, logp);
        Span<double> coef = _rowB.AsSpan(0, n);
        double value = 0;
        for (int r = 0; r < n; r++)
        {
            double wa = batch.Weights[r] * batch.Advantages[r];
            double logRatio = logp[r] - logBehaviour[r];
            if (clipped)
            {
                // h saturates: beyond log ρ = 40, h(ρ) = 2 and h'(ρ)·ρ = 0 exactly in float64; clamping avoids ∞·0.
                double rho = Math.Exp(Math.Min(logRatio, 40.0));
                double t = Math.Tanh(rho - 1.0);
                value += wa * (1.0 + t);
                coef[r] = wa * (1.0 - t * t) * rho; // d h(ρ)/d log π = h'(ρ)·ρ
            }
            else
            {
                double rho = Math.Exp(logRatio);
                value += wa * rho;
                coef[r] = wa * rho;
            }
        }

        if (!double.IsFinite(value))
        {
            throw new ArithmeticException("Surrogate objective is not finite (importance ratio overflow).");
        }

        if (!gradient.IsEmpty)
        {
            Span<double> dDist = _dDist.AsSpan(0, dist.Length);
            dDist.Clear();
            Family.AddLogProbGradient(dist, batch.Actions, n, coef, dDist);
            Policy.Backward(theta, batch.Observations, n, _workspace, dDist, gradient, _scratch);
        }

        return value;
    }

    /// <summary>
    /// Σ_r w_r KL(p_r ‖ q_r) where p and q are π_a and π_b of the two parameter vectors, with the gradients with
    /// respect to either (empty spans skip them). Used for mixed second derivatives ∇_φ∇_θ D².
    /// </summary>
    public double MeanKlBetween(ReadOnlySpan<double> thetaP, ReadOnlySpan<double> thetaQ, PolicyBatch batch, Span<double> gradP,
        Span<double> gradQ)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.Rows, len = DistributionLength(batch);
        Ensure(n);
        Span<double> p = _distB.AsSpan(0, len);
        Span<double> q = _dist.AsSpan(0, len);
        Policy.Forward(thetaP, batch.Observations, n, p, _workspace);
        Policy.Forward(thetaQ, batch.Observations, n, q, _workspace);
        Span<double> kl = _rowA.AsSpan(0, n);
        Family.Kl(p, q, n, kl);
        double value = TensorPrimitives.Dot(batch.Weights, kl);
        Span<double> dDist = _dDist.AsSpan(0, len);
        if (!gradQ.IsEmpty)
        {
            dDist.Clear();
            Family.AddKlGradient(p, q, n, batch.Weights, [], dDist);
            Policy.Backward(thetaQ, batch.Observations, n, _workspace, dDist, gradQ, _scratch); // workspace holds θ_Q's pass
        }

        if (!gradP.IsEmpty)
        {
            dDist.Clear();
            Family.AddKlGradient(p, q, n, batch.Weights, dDist, []);
            Policy.Forward(thetaP, batch.Observations, n, p, _workspace);
            Policy.Backward(thetaP, batch.Observations, n, _workspace, dDist, gradP, _scratch);
        }

        return value;
    }
}
