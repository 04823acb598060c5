
namespace BoMrl.Tabular.Meta;

/// <summary>MAML's exact hypergradient through one policy-gradient step, the baseline Figure 1 compares with.</summary>
public static partial class TabularHypergradient
{
    /// <summary>
    /// MAML's exact meta-gradient (Appendix H) for θ' = φ + α ∇_φ J(π_φ): ∇_φ J(π_θ') = (I + α ∇²J(π_φ)) ∇_θ J(π_θ'),
    /// with the exact Hessian-vector product (all of ν, Q and π depend on φ). Needs exact Q at φ.
    /// </summary>
    public static void PolicyGradientStepExact(PolicyEvaluation atPhi, PolicyEvaluation atPrime, double stepSize, Span<double> gradient)
    {
        Check(atPhi, atPrime, stepSize, gradient);
        double[] g = new double[gradient.Length];
        atPrime.PolicyGradient(g);
        atPhi.PolicyGradientHvp(g, gradient);
        for (int i = 0; i < g.Length; i++)
        {
            gradient[i] = g[i] + stepSize * gradient[i];
        }
    }

    /// <summary>
    /// MAML's meta-gradient as MAML computes it: the inner gradient is the REINFORCE surrogate
    /// (1/(1−γ)) Σ_s ν(s) Σ_a π_old(a|s) ∇_φ log π_φ(a|s) Q(s,a) with the samples — ν, π_old and Q — treated as data,
    /// so its Jacobian is block-diagonal, −ν(s) V(s) (diag π − ππᵀ)/(1−γ), and the ∇_φ Q and ∇_φ ν terms are missing.
    /// </summary>
    public static void PolicyGradientStepAsComputed(PolicyEvaluation atPhi, PolicyEvaluation atPrime, double stepSize, Span<double> gradient)
    {
        Check(atPhi, atPrime, stepSize, gradient);
        int na = atPhi.Mdp.ActionCount;
        double k = 1.0 / (1 - atPhi.Mdp.Gamma);
        double[] g = new double[gradient.Length];
        atPrime.PolicyGradient(g);
        Span<double> jg = stackalloc double[na];
        for (int s = 0; s < atPhi.Mdp.StateCount; s++)
        {
            TabularSoftmax.JacobianTimes(atPhi.Pi.AsSpan(s * na, na), g.AsSpan(s * na, na), jg);
            double scale = -stepSize * k * atPhi.Nu[s] * atPhi.V[s];
            for (int a = 0; a < na; a++)
            {
                gradient[s * na + a] = g[s * na + a] + scale * jg[a];
            }
        }
    }
}
