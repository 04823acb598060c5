// Over 300 lines on purpose: every batch objective shares one forward/backward-pass protocol (Begin, Add…, End) and its
// buffers; splitting the terms across files would split that protocol.

using BoMrl.Numerics;
using BoMrl.Policies;

namespace BoMrl.Objectives;

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
/// rows Σ_r w_r f_r, with exact gradients ∇_θ: log-probabilities, KL in both directions against fixed reference
/// distributions, entropy, and the surrogate Σ_r w_r h(π_θ/π_β)·Â_r of eq. (7) (h(x) = 2/(1 + e^{−2(x−1)}) =
/// 1 + tanh(x − 1)) or its unclipped ratio form.
/// <para>
/// Sums of terms share one forward and one backward pass: <see cref="Begin"/> runs the forward pass, the Add… terms
/// accumulate their values and (scaled) gradients with respect to the distribution parameters, and <see cref="End"/>
/// backpropagates once. The one-term methods (<see cref="MeanKl"/>, <see cref="RatioSurrogate"/>, ...) wrap that.
/// </para>
/// Holds reusable buffers (grown to the largest batch seen, never per call): one instance per thread.
/// Gradient spans may be empty to evaluate the value only.
/// </summary>
public sealed class BatchObjectives
{
    private double[] _workspace = [], _scratch = [], _dist = [], _distB = [], _dDist = [], _rowA = [], _rowB = [];
    private int _capacity;
    private PolicyBatch? _batch;
    private bool _withGradient;

    /// <summary>An evaluator for <paramref name="policy"/>.</summary>
    public BatchObjectives(IDifferentiablePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
    }

    /// <summary>The policy evaluated.</summary>
    public IDifferentiablePolicy Policy { get; }

    private IActionDistribution Family => Policy.Distribution;

    /// <summary>Distribution-parameter count per row × rows.</summary>
    public int DistributionLength(PolicyBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Family.ParameterSize * batch.Rows;
    }

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
        _batch = null;
        Policy.Forward(theta, batch.Observations, batch.Rows, dist, _workspace);
    }

    /// <summary>
    /// Forward pass into caller-owned storage: distribution parameters into <paramref name="dist"/> and activations into
    /// <paramref name="workspace"/> (length Policy.WorkspaceSize(rows)), so that <see cref="BackwardRecorded"/> can later
    /// backpropagate through this pass without recomputing it.
    /// </summary>
    public void Record(ReadOnlySpan<double> theta, PolicyBatch batch, Span<double> dist, Span<double> workspace)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Policy.Forward(theta, batch.Observations, batch.Rows, dist, workspace);
    }

    /// <summary>∇_θ Σ_r g_r·dist_r through a pass kept by <see cref="Record"/> at the same θ (g = <paramref name="distGradient"/>).</summary>
    public void BackwardRecorded(ReadOnlySpan<double> theta, PolicyBatch batch, ReadOnlySpan<double> workspace,
        ReadOnlySpan<double> distGradient, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Ensure(batch.Rows);
        Policy.Backward(theta, batch.Observations, batch.Rows, workspace, distGradient, gradient, _scratch);
    }

    /// <summary>logp[r] = log π_θ(a_r|s_r).</summary>
    public void LogProbs(ReadOnlySpan<double> theta, PolicyBatch batch, Span<double> logp)
    {
        Begin(theta, batch, withGradient: false);
        Family.LogProb(CurrentDist, batch.Actions, batch.Rows, logp);
    }

    /// <summary>
    /// Starts a sum of terms at θ on <paramref name="batch"/>: one forward pass; the gradient accumulator is cleared
    /// when <paramref name="withGradient"/>.
    /// </summary>
    public void Begin(ReadOnlySpan<double> theta, PolicyBatch batch, bool withGradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Ensure(batch.Rows);
        _batch = batch;
        _withGradient = withGradient;
        Policy.Forward(theta, batch.Observations, batch.Rows, CurrentDist, _workspace);
        if (withGradient)
        {
            _dDist.AsSpan(0, DistributionLength(batch)).Clear();
        }
    }

    /// <summary>Backpropagates the accumulated terms: writes ∇_θ of their sum (θ must be the one given to <see cref="Begin"/>).</summary>
    public void End(ReadOnlySpan<double> theta, Span<double> gradient)
    {
        PolicyBatch batch = _batch ?? throw new InvalidOperationException("End without Begin.");
        if (!_withGradient)
        {
            throw new InvalidOperationException("Begin was called without a gradient.");
        }

        Policy.Backward(theta, batch.Observations, batch.Rows, _workspace, _dDist.AsSpan(0, DistributionLength(batch)), gradient, _scratch);
        _batch = null;
    }

    private Span<double> CurrentDist => _dist.AsSpan(0, Family.ParameterSize * (_batch?.Rows ?? 0));

    private Span<double> CurrentGradient => _withGradient ? _dDist.AsSpan(0, CurrentDist.Length) : [];

    private PolicyBatch Current => _batch ?? throw new InvalidOperationException("Add a term between Begin and End.");

    /// <summary>Term Σ_r c_r log π_θ(a_r|s_r) (times <paramref name="scale"/> in the gradient and the returned value).</summary>
    public double AddWeightedLogProb(ReadOnlySpan<double> coef, double scale = 1.0)
    {
        PolicyBatch batch = Current;
        int n = batch.Rows;
        Span<double> logp = _rowA.AsSpan(0, n);
        Family.LogProb(CurrentDist, batch.Actions, n, logp);
        double value = FixedOrder.Dot(coef[..n], logp);
        if (_withGradient)
        {
            Span<double> c = _rowA.AsSpan(0, n);
            FixedOrder.Multiply(coef[..n], scale, c);
            Family.AddLogProbGradient(CurrentDist, batch.Actions, n, c, CurrentGradient);
        }

        return scale * value;
    }

    /// <summary>Term Σ_r w_r KL against the fixed <paramref name="reference"/> distributions (ParameterSize × rows), times scale.</summary>
    public double AddKl(ReadOnlySpan<double> reference, KlDirection direction, double scale = 1.0)
    {
        PolicyBatch batch = Current;
        int n = batch.Rows;
        ReadOnlySpan<double> dist = CurrentDist;
        bool first = direction == KlDirection.PolicyFirst;
        ReadOnlySpan<double> p = first ? dist : reference, q = first ? reference : dist;
        Span<double> kl = _rowA.AsSpan(0, n);
        Family.Kl(p, q, n, kl);
        double value = FixedOrder.Dot(batch.Weights, kl);
        if (_withGradient)
        {
            Span<double> c = _rowA.AsSpan(0, n);
            FixedOrder.Multiply(batch.Weights, scale, c);
            if (first)
            {
                Family.AddKlGradient(p, q, n, c, CurrentGradient, []);
            }
            else
            {
                Family.AddKlGradient(p, q, n, c, [], CurrentGradient);
            }
        }

        return scale * value;
    }

    /// <summary>Term Σ_r w_r H(π_θ(·|s_r)), times scale.</summary>
    public double AddEntropy(double scale = 1.0)
    {
        PolicyBatch batch = Current;
        int n = batch.Rows;
        Span<double> h = _rowA.AsSpan(0, n);
        Family.Entropy(CurrentDist, n, h);
        double value = FixedOrder.Dot(batch.Weights, h);
        if (_withGradient)
        {
            Span<double> c = _rowA.AsSpan(0, n);
            FixedOrder.Multiply(batch.Weights, scale, c);
            Family.AddEntropyGradient(CurrentDist, n, c, CurrentGradient);
        }

        return scale * value;
    }

    /// <summary>
    /// Term Σ_r w_r·t(ρ_r)·Â_r with ρ_r = π_θ(a_r|s_r)/π_β(a_r|s_r) (log π_β per row), t = h (eq. (7), clipped) or the
    /// identity (the ratio of eq. (2) / TRPO), times scale.
    /// </summary>
    public double AddRatioSurrogate(ReadOnlySpan<double> logBehaviour, bool clipped, double scale = 1.0)
    {
        PolicyBatch batch = Current;
        int n = batch.Rows;
        Span<double> logp = _rowA.AsSpan(0, n);
        Family.LogProb(CurrentDist, batch.Actions, n, logp);
        Span<double> coef = _rowB.AsSpan(0, n);
        double value = 0;
        for (int r = 0; r < n; r++)
        {
            double wa = batch.Weights[r] * batch.Advantages[r];
            double logRatio = logp[r] - logBehaviour[r];
            if (clipped)
            {
                // h saturates: beyond log ρ = 40, h(ρ) = 2 and h'(ρ)·ρ = 0 exactly in float64; clamping avoids ∞·0.
                double rho = PortableMath.Exp(Math.Min(logRatio, 40.0));
                double t = PortableMath.Tanh(rho - 1.0);
                value += wa * (1.0 + t);
                coef[r] = scale * wa * (1.0 - t * t) * rho; // d h(ρ)/d log π = h'(ρ)·ρ
            }
            else
            {
                double rho = PortableMath.Exp(logRatio);
                value += wa * rho;
                coef[r] = scale * wa * rho;
            }
        }

        if (!double.IsFinite(value))
        {
            throw new NumericalFailureException("Surrogate objective is not finite (importance ratio overflow).");
        }

        if (_withGradient)
        {
            Family.AddLogProbGradient(CurrentDist, batch.Actions, n, coef, CurrentGradient);
        }

        return scale * value;
    }

    /// <summary>
    /// Term Σ_r w_r·min(ρ_r·Â_r, clip(ρ_r, 1 − ε, 1 + ε)·Â_r) with ρ_r = π_θ(a_r|s_r)/π_β(a_r|s_r) (PPO's clipped
    /// objective, ProMP's outer objective), times scale. Rows where the clipped side is the smaller one contribute no
    /// gradient; at a tie the unclipped side's gradient is taken.
    /// </summary>
    public double AddProximalSurrogate(ReadOnlySpan<double> logBehaviour, double epsilon, double scale = 1.0)
    {
        PolicyBatch batch = Current;
        int n = batch.Rows;
        Span<double> logp = _rowA.AsSpan(0, n);
        Family.LogProb(CurrentDist, batch.Actions, n, logp);
        Span<double> coef = _rowB.AsSpan(0, n);
        double value = 0;
        for (int r = 0; r < n; r++)
        {
            double w = batch.Weights[r], adv = batch.Advantages[r];
            double rho = PortableMath.Exp(logp[r] - logBehaviour[r]);
            double plain = rho * adv, clipped = Math.Clamp(rho, 1.0 - epsilon, 1.0 + epsilon) * adv;
            bool active = plain <= clipped;
            value += w * (active ? plain : clipped);
            coef[r] = active ? scale * w * plain : 0.0; // d(ρÂ)/d log π = ρÂ
        }

        if (!double.IsFinite(value))
        {
            throw new NumericalFailureException("Clipped surrogate objective is not finite (importance ratio overflow).");
        }

        if (_withGradient)
        {
            Family.AddLogProbGradient(CurrentDist, batch.Actions, n, coef, CurrentGradient);
        }

        return scale * value;
    }

    private double Single(ReadOnlySpan<double> theta, PolicyBatch batch, Span<double> gradient, Func<BatchObjectives, double> term)
    {
        Begin(theta, batch, !gradient.IsEmpty);
        return Finish(theta, gradient, term(this));
    }

    /// <summary>Closes a pass opened by <see cref="Begin"/>: the backward pass into <paramref name="gradient"/> when one is asked for; returns <paramref name="value"/>.</summary>
    private double Finish(ReadOnlySpan<double> theta, Span<double> gradient, double value)
    {
        if (!gradient.IsEmpty)
        {
            End(theta, gradient);
        }

        return value;
    }

    /// <summary>Σ_r c_r log π_θ(a_r|s_r) and its gradient.</summary>
    public double WeightedLogProb(ReadOnlySpan<double> theta, PolicyBatch batch, ReadOnlySpan<double> coef, Span<double> gradient)
    {
        double[] c = coef.ToArray();
        return Single(theta, batch, gradient, e => e.AddWeightedLogProb(c));
    }

    /// <summary>Policy-gradient objective Σ_r w_r Â_r log π_θ(a_r|s_r) and its gradient ĝ (pytorch-maml-rl's reinforce loss, negated).</summary>
    public double PolicyGradientObjective(ReadOnlySpan<double> theta, PolicyBatch batch, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Begin(theta, batch, !gradient.IsEmpty);
        Span<double> coef = _rowB.AsSpan(0, batch.Rows);
        FixedOrder.Multiply(batch.Weights, batch.Advantages, coef);
        return Finish(theta, gradient, AddWeightedLogProb(coef));
    }

    /// <summary>Σ_r w_r KL between π_θ(·|s_r) and fixed reference distributions, in the given direction, and its gradient.</summary>
    public double MeanKl(ReadOnlySpan<double> theta, PolicyBatch batch, ReadOnlySpan<double> reference, KlDirection direction,
        Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Begin(theta, batch, !gradient.IsEmpty);
        return Finish(theta, gradient, AddKl(reference, direction));
    }

    /// <summary>Σ_r w_r H(π_θ(·|s_r)) and its gradient.</summary>
    public double MeanEntropy(ReadOnlySpan<double> theta, PolicyBatch batch, Span<double> gradient) =>
        Single(theta, batch, gradient, e => e.AddEntropy());

    /// <summary>The surrogate Σ_r w_r·t(ρ_r)·Â_r (see <see cref="AddRatioSurrogate"/>) and its gradient.</summary>
    public double RatioSurrogate(ReadOnlySpan<double> theta, PolicyBatch batch, ReadOnlySpan<double> logBehaviour, bool clipped,
        Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Begin(theta, batch, !gradient.IsEmpty);
        return Finish(theta, gradient, AddRatioSurrogate(logBehaviour, clipped));
    }

    /// <summary>The clipped surrogate Σ_r w_r·min(ρ_r·Â_r, clip(ρ_r, 1 ± ε)·Â_r) (see <see cref="AddProximalSurrogate"/>) and its gradient.</summary>
    public double ProximalSurrogate(ReadOnlySpan<double> theta, PolicyBatch batch, ReadOnlySpan<double> logBehaviour, double epsilon,
        Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Begin(theta, batch, !gradient.IsEmpty);
        return Finish(theta, gradient, AddProximalSurrogate(logBehaviour, epsilon));
    }

    /// <summary>
    /// Σ_r w_r KL(p_r ‖ q_r) where p and q are π of the two parameter vectors, with the gradients with respect to
    /// either (empty spans skip them). Used for mixed second derivatives ∇_φ∇_θ D².
    /// </summary>
    public double MeanKlBetween(ReadOnlySpan<double> thetaP, ReadOnlySpan<double> thetaQ, PolicyBatch batch, Span<double> gradP,
        Span<double> gradQ)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.Rows, len = DistributionLength(batch);
        Ensure(n);
        _batch = null;
        Span<double> p = _distB.AsSpan(0, len);
        Span<double> q = _dist.AsSpan(0, len);
        Policy.Forward(thetaP, batch.Observations, n, p, _workspace);
        Policy.Forward(thetaQ, batch.Observations, n, q, _workspace);
        Span<double> kl = _rowA.AsSpan(0, n);
        Family.Kl(p, q, n, kl);
        double value = FixedOrder.Dot(batch.Weights, kl);
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
