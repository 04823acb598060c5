namespace BoMrl.Policies;

/// <summary>
/// A stochastic policy π_θ whose parameters are one flat vector θ, evaluated in batches by the sampler.
/// Stateless apart from its architecture: θ and all scratch space are passed in, so one instance is
/// shared by every worker thread.
/// </summary>
public interface IStochasticPolicy
{
    /// <summary>Observation length.</summary>
    int ObservationSize { get; }

    /// <summary>Action length as stored in a batch (a categorical policy stores its index as one double).</summary>
    int ActionSize { get; }

    /// <summary>Length of the flat parameter vector θ.</summary>
    int ParameterCount { get; }

    /// <summary>Random numbers one action sample consumes (Gaussian: ActionSize standard normals; categorical: one uniform).</summary>
    int NoisePerRow { get; }

    /// <summary>Scratch length <see cref="SampleActions"/> needs for <paramref name="rows"/> rows.</summary>
    int ScratchSize(int rows);

    /// <summary>Draws the noise of one row from <paramref name="rng"/> into <paramref name="noise"/> (length NoisePerRow).</summary>
    void DrawNoise(Random rng, Span<double> noise);

    /// <summary>
    /// Batched sampling: for each row r, writes a ~ π_θ(·|o_r) into actions[r·ActionSize ..] computed from the
    /// row's noise (reparameterised: Gaussian a = μ + σ·ξ). Row-major inputs and outputs; spans must not alias.
    /// Thread-safe when each thread passes its own <paramref name="scratch"/>.
    /// </summary>
    void SampleActions(ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows,
        ReadOnlySpan<double> noise, Span<double> actions, Span<double> scratch);

    /// <summary>Initial parameters (seeded): the meta-policy φ₀.</summary>
    double[] InitialParameters(Random rng);
}
