
namespace BoMrl.Numerics;

/// <summary>y = A·v for a symmetric linear operator (a Hessian- or Fisher-vector product). Must not alias.</summary>
public delegate void LinearOperator(ReadOnlySpan<double> v, Span<double> result);

/// <summary>
/// Outcome of a conjugate-gradient solve: iterations used, final residual ‖b − (A + δI)x‖ (recursive estimate) and
/// its ratio to ‖b‖, whether the relative tolerance was met, and whether a direction of non-positive curvature
/// pᵀ(A + δI)p ≤ 0 stopped the iteration (the operator is not positive definite there; docs/design.md §4c).
/// </summary>
public readonly record struct CgResult(int Iterations, double Residual, double RelativeResidual, bool Converged,
    bool NegativeCurvature);

/// <summary>
/// Conjugate gradient for (A + δI)x = b with A symmetric (Hestenes–Stiefel; TRPO's and the hypergradient's solver).
/// Damping δ ≥ 0 regularises nearly singular or slightly indefinite operators. Stops after the iteration cap, when
/// ‖r‖ ≤ tolerance·‖b‖, or at non-positive curvature, in which case it keeps the iterate reached so far (or, at the
/// first iteration, returns x = b, the identity-metric direction) and reports it. Buffers are allocated once per size.
/// </summary>
public sealed class ConjugateGradient
{
    private readonly double[] _r, _p, _ap;

    /// <summary>A solver for systems of dimension <paramref name="n"/>.</summary>
    public ConjugateGradient(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        _r = new double[n];
        _p = new double[n];
        _ap = new double[n];
    }

    /// <summary>System dimension.</summary>
    public int Dimension => _r.Length;

    /// <summary>Solves (A + δI)x = b starting from x = 0; writes x.</summary>
    public CgResult Solve(LinearOperator a, ReadOnlySpan<double> b, Span<double> x, int maxIterations, double damping = 0.0,
        double tolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfNotEqual(b.Length, Dimension, nameof(b));
        ArgumentOutOfRangeException.ThrowIfNotEqual(x.Length, Dimension, nameof(x));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        if (!double.IsFinite(damping) || damping < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(damping), damping, "Damping must be finite and non-negative.");
        }

        if (!double.IsFinite(tolerance) || tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "Tolerance must be finite and non-negative.");
        }

        x.Clear();
        b.CopyTo(_r);
        b.CopyTo(_p);
        double bNorm = FixedOrder.Norm(b);
        if (!double.IsFinite(bNorm))
        {
            throw new NumericalFailureException("Conjugate gradient: the right-hand side is not finite.");
        }

        if (bNorm == 0)
        {
            return new CgResult(0, 0, 0, true, false);
        }

        double rr = bNorm * bNorm;
        int it = 0;
        bool negative = false;
        while (it < maxIterations && Math.Sqrt(rr) > tolerance * bNorm)
        {
            a(_p, _ap);
            if (damping != 0)
            {
                FixedOrder.MultiplyAdd(_p, damping, _ap, _ap);
            }

            double pap = FixedOrder.Dot(_p, _ap);
            if (!double.IsFinite(pap))
            {
                throw new NumericalFailureException("Conjugate gradient: the operator returned a non-finite product.");
            }

            if (pap <= 0)
            {
                negative = true;
                if (it == 0)
                {
                    b.CopyTo(x);
                }

                break;
            }

            double alpha = rr / pap;
            FixedOrder.MultiplyAdd(_p, alpha, x, x);
            FixedOrder.MultiplyAdd(_ap, -alpha, _r, _r);
            double rrNew = FixedOrder.Dot(_r, _r);
            double beta = rrNew / rr;
            rr = rrNew;
            FixedOrder.MultiplyAdd(_p, beta, _r, _p);
            it++;
        }

        double residual = Math.Sqrt(rr);
        return new CgResult(it, residual, residual / bNorm, residual <= tolerance * bNorm, negative);
    }
}
