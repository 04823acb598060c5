namespace BoMrl.Numerics;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) minimising a function from its gradients; used for the inner problem (7)
/// (Appendix B: 50 iterations from θ = φ) and as a meta-optimiser. Bias-corrected moments; no allocation per step.
/// </summary>
public sealed class Adam
{
    private readonly double[] _m, _v;
    private long _t;

    /// <summary>Creates an optimiser for <paramref name="n"/> parameters.</summary>
    public Adam(int n, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        CheckPositive(learningRate, nameof(learningRate));
        CheckPositive(epsilon, nameof(epsilon));
        if (!(beta1 >= 0 && beta1 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must lie in [0, 1).");
        }

        if (!(beta2 >= 0 && beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must lie in [0, 1).");
        }

        _m = new double[n];
        _v = new double[n];
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Step size α.</summary>
    public double LearningRate { get; }

    /// <summary>First-moment decay β1.</summary>
    public double Beta1 { get; }

    /// <summary>Second-moment decay β2.</summary>
    public double Beta2 { get; }

    /// <summary>ε in the denominator.</summary>
    public double Epsilon { get; }

    /// <summary>Steps taken since the last reset.</summary>
    public long Steps => _t;

    /// <summary>Clears the moments and the step count.</summary>
    public void Reset()
    {
        Array.Clear(_m);
        Array.Clear(_v);
        _t = 0;
    }

    /// <summary>θ ← θ − α·m̂/(√v̂ + ε) for the gradient of the function being minimised.</summary>
    public void Step(Span<double> theta, ReadOnlySpan<double> gradient)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(theta.Length, _m.Length, nameof(theta));
        ArgumentOutOfRangeException.ThrowIfNotEqual(gradient.Length, _m.Length, nameof(gradient));
        _t++;
        double c1 = 1.0 - PortableMath.Pow(Beta1, _t), c2 = 1.0 - PortableMath.Pow(Beta2, _t);
        double stepSize = LearningRate * Math.Sqrt(c2) / c1;
        double epsHat = Epsilon * Math.Sqrt(c2); // ε applied to the bias-corrected v̂, folded into one step size
        for (int i = 0; i < theta.Length; i++)
        {
            double g = gradient[i];
            _m[i] = Beta1 * _m[i] + (1 - Beta1) * g;
            _v[i] = Beta2 * _v[i] + (1 - Beta2) * g * g;
            theta[i] -= stepSize * _m[i] / (Math.Sqrt(_v[i]) + epsHat);
        }
    }

    /// <summary>The optimiser state [t, m..., v...] for checkpoints.</summary>
    public double[] GetState()
    {
        var s = new double[1 + 2 * _m.Length];
        s[0] = _t;
        _m.CopyTo(s, 1);
        _v.CopyTo(s, 1 + _m.Length);
        return s;
    }

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState(ReadOnlySpan<double> state)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(state.Length, 1 + 2 * _m.Length, nameof(state));
        _t = (long)state[0];
        state.Slice(1, _m.Length).CopyTo(_m);
        state.Slice(1 + _m.Length, _v.Length).CopyTo(_v);
    }

    private static void CheckPositive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be finite and positive.");
        }
    }
}
