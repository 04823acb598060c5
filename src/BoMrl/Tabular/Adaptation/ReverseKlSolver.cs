namespace BoMrl.Tabular.Adaptation;

/// <summary>
/// D2 (reverse KL) within-task adaptation of the tabular softmax policy, one state at a time (eq. (1) with
/// d2²(π_φ, π, s) = KL(π(·|s) ‖ π_φ(·|s))): exponential tilting π'(a|s) ∝ π_φ(a|s) exp(Q(s,a)/λ), i.e. θ' = φ + Q/λ.
/// </summary>
public static class ReverseKlSolver
{
    /// <summary>The adapted logits of one state: θ'(a) = φ(a) + q_a/λ. <paramref name="thetaRow"/> may alias <paramref name="phiRow"/>.</summary>
    public static void Logits(ReadOnlySpan<double> phiRow, ReadOnlySpan<double> q, double lambda, Span<double> thetaRow)
    {
        for (int a = 0; a < q.Length; a++)
        {
            thetaRow[a] = phiRow[a] + q[a] / lambda;
        }
    }

    /// <summary>The adapted policy of one state: π'(a) ∝ π_φ(a) exp(q_a/λ) (the softmax of <see cref="Logits"/>, via log-sum-exp).</summary>
    public static void Solve(ReadOnlySpan<double> phiRow, ReadOnlySpan<double> q, double lambda, Span<double> piPrime)
    {
        Span<double> logits = stackalloc double[q.Length];
        Logits(phiRow, q, lambda, logits);
        TabularSoftmax.Row(logits, piPrime);
    }
}
