using BoMrl.Numerics;

namespace BoMrl.Tabular;

/// <summary>
/// The tabular softmax policy of Section 5.1: π_θ(·|s) = softmax(θ(s, ·)), θ ∈ R^{|S|×|A|} stored row-major
/// (index s·|A| + a). Helpers for probabilities, log-probabilities and the softmax Jacobian
/// ∂π(a|s)/∂θ(s, b) = π(a|s)(δ_ab − π(b|s)).
/// </summary>
public static class TabularSoftmax
{
    /// <summary>Writes π(·|s) = softmax(θ(s,·)) for every state (stable: the row maximum is subtracted). May alias.</summary>
    public static void Probabilities(ReadOnlySpan<double> theta, int actions, Span<double> pi)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pi.Length, theta.Length, nameof(pi));
        for (int row = 0; row < theta.Length; row += actions)
        {
            Row(theta.Slice(row, actions), pi.Slice(row, actions));
        }
    }

    /// <summary>
    /// Softmax of one row with the maximum subtracted first (a plain softmax exponentiates the raw values,
    /// which overflows for logits above ~709). May alias.
    /// </summary>
    public static void Row(ReadOnlySpan<double> thetaRow, Span<double> piRow)
    {
        double max = FixedOrder.Max(thetaRow);
        double sum = 0;
        for (int a = 0; a < thetaRow.Length; a++)
        {
            double e = PortableMath.Exp(thetaRow[a] - max);
            piRow[a] = e;
            sum += e;
        }

        FixedOrder.Divide(piRow, sum, piRow);
    }

    /// <summary>Returns a new array with π_θ for all states.</summary>
    public static double[] Probabilities(ReadOnlySpan<double> theta, int actions)
    {
        double[] pi = new double[theta.Length];
        Probabilities(theta, actions, pi);
        foreach (double p in pi)
        {
            if (!double.IsFinite(p))
            {
                throw new Numerics.NumericalFailureException("softmax: non-finite policy parameters.");
            }
        }

        return pi;
    }

    /// <summary>log π_θ(·|s) for one row, by log-sum-exp.</summary>
    public static void LogProbabilities(ReadOnlySpan<double> thetaRow, Span<double> logPi)
    {
        double max = FixedOrder.Max(thetaRow);
        double sum = 0;
        foreach (double t in thetaRow)
        {
            sum += PortableMath.Exp(t - max);
        }

        double lse = max + PortableMath.Log(sum);
        for (int a = 0; a < thetaRow.Length; a++)
        {
            logPi[a] = thetaRow[a] - lse;
        }
    }

    /// <summary>
    /// Jacobian-vector product of one row: writes J v with J = diag(π) − ππᵀ, i.e. (J v)_a = π_a (v_a − ⟨π, v⟩).
    /// J is symmetric, so this is also Jᵀ v. May alias.
    /// </summary>
    public static void JacobianTimes(ReadOnlySpan<double> piRow, ReadOnlySpan<double> v, Span<double> dest)
    {
        double mean = FixedOrder.Dot(piRow, v);
        for (int a = 0; a < piRow.Length; a++)
        {
            dest[a] = piRow[a] * (v[a] - mean);
        }
    }
}
