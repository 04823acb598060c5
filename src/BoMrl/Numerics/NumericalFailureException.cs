namespace BoMrl.Numerics;

/// <summary>
/// A numerical computation failed (non-finite values, a singular system, an iteration that did not converge,
/// a Hessian that is not negative definite where a strict maximum is required). Never swallowed: the message
/// names the computation and the quantity that went wrong.
/// </summary>
public sealed class NumericalFailureException(string message) : Exception(message);
