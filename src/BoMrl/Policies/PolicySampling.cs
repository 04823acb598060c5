using BoMrl.Numerics;

namespace BoMrl.Policies;

/// <summary>The batched sampling path shared by the differentiable policies (IStochasticPolicy.SampleActions).</summary>
internal static class PolicySampling
{
    /// <summary>
    /// Transposes the row-major observations into the scratch, runs one batched forward pass and draws the actions.
    /// Scratch layout: [observations (obs × rows) | distribution (params × rows) | workspace].
    /// </summary>
    public static void Sample(IDifferentiablePolicy policy, ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows,
        ReadOnlySpan<double> noise, Span<double> actions, Span<double> scratch)
    {
        int obs = policy.ObservationSize, p = policy.Distribution.ParameterSize;
        Span<double> obsT = scratch[..(obs * rows)];
        Span<double> dist = scratch.Slice(obs * rows, p * rows);
        Span<double> workspace = scratch.Slice((obs + p) * rows, policy.WorkspaceSize(rows));
        Dense.Transpose(observations[..(rows * obs)], rows, obs, obsT);
        policy.Forward(theta, obsT, rows, dist, workspace);
        policy.Distribution.Sample(dist, rows, noise, actions);
    }
}
