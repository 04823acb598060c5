namespace BoMrl.Numerics;

/// <summary>
/// A numerical computation failed (non-finite values, a singular system, an iteration that did not converge,
/// a Hessian that is not negative definite where a strict maximum is required). Never swallowed: the message
/// names the computation and the quantity that went wrong.
/// </summary>
public sealed class NumericalFailureException : Exception
{
    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public NumericalFailureException(string message)
        : base(message)
    {
    }

    /// <summary>A failure described by <paramref name="message"/> that wraps <paramref name="inner"/> (e.g. to name the task it happened in).</summary>
    public NumericalFailureException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
