using BoMrl.Numerics;

namespace BoMrl.Policies;

/// <summary>How a Gaussian policy's log-standard-deviation depends on the state.</summary>
public enum LogStdMode
{
    /// <summary>State-independent free parameters, one per action dimension (pytorch-maml-rl, ProMP).</summary>
    Parameter,

    /// <summary>A second MLP head of the observation (same hidden sizes as the mean network).</summary>
    Mlp,
}

/// <summary>
/// Gaussian policy π_θ(a|s) = N(μ_θ(s), diag σ_θ(s)²) for continuous actions (docs/design.md §1; the paper's locomotion
/// policy, Appendix B): μ from a tanh MLP; log σ either free parameters or an MLP head.
/// θ layout: [mean network | log-std parameters or log-std network].
/// </summary>
public sealed class GaussianMlpPolicy : IDifferentiablePolicy
{
    private readonly Mlp _mean;
    private readonly Mlp? _logStdNet;
    private readonly DiagonalGaussian _distribution;

    /// <summary>Creates the architecture.</summary>
    /// <param name="observationSize">Observation length.</param>
    /// <param name="actionSize">Action length.</param>
    /// <param name="hiddenSizes">Hidden layer widths (tanh), e.g. [64, 64].</param>
    /// <param name="logStdMode">Free log-std parameters or an MLP head.</param>
    /// <param name="initialLogStd">log σ at initialisation (0 gives σ = 1, pytorch-maml-rl's init_std).</param>
    public GaussianMlpPolicy(int observationSize, int actionSize, IReadOnlyList<int> hiddenSizes,
        LogStdMode logStdMode = LogStdMode.Parameter, double initialLogStd = 0.0)
    {
        if (!double.IsFinite(initialLogStd))
        {
            throw new ArgumentOutOfRangeException(nameof(initialLogStd), initialLogStd, "Initial log-std must be finite.");
        }

        _mean = new Mlp(observationSize, hiddenSizes, actionSize);
        _logStdNet = logStdMode == LogStdMode.Mlp ? new Mlp(observationSize, hiddenSizes, actionSize) : null;
        _distribution = new DiagonalGaussian(actionSize);
        LogStdMode = logStdMode;
        InitialLogStd = initialLogStd;
    }

    /// <summary>How log σ depends on the state.</summary>
    public LogStdMode LogStdMode { get; }

    /// <summary>The mean network (θ's first <see cref="Mlp.ParameterCount"/> values).</summary>
    public Mlp MeanNetwork => _mean;

    /// <summary>The log-std network after the mean network's parameters (null with <see cref="LogStdMode.Parameter"/>).</summary>
    public Mlp? LogStdNetwork => _logStdNet;

    /// <summary>log σ at initialisation.</summary>
    public double InitialLogStd { get; }

    /// <inheritdoc/>
    public IActionDistribution Distribution => _distribution;

    /// <inheritdoc/>
    public int ObservationSize => _mean.InputSize;

    /// <inheritdoc/>
    public int ActionSize => _mean.OutputSize;

    /// <inheritdoc/>
    public int ParameterCount => _mean.ParameterCount + (_logStdNet?.ParameterCount ?? ActionSize);

    /// <inheritdoc/>
    public int NoisePerRow => ActionSize;

    /// <inheritdoc/>
    public int WorkspaceSize(int rows) => _mean.ActivationSize(rows) + (_logStdNet?.ActivationSize(rows) ?? 0);

    /// <inheritdoc/>
    public int BackwardScratchSize(int rows) => _mean.BackwardScratchSize(rows);

    /// <inheritdoc/>
    public int ScratchSize(int rows) => (ObservationSize + _distribution.ParameterSize) * rows + WorkspaceSize(rows);

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows, Span<double> dist,
        Span<double> workspace)
    {
        int a = ActionSize;
        int meanActs = _mean.ActivationSize(rows);
        _mean.Forward(theta[.._mean.ParameterCount], observations, rows, workspace[..meanActs]);
        _mean.Output(workspace[..meanActs], rows).CopyTo(dist[..(a * rows)]);
        ReadOnlySpan<double> rest = theta[_mean.ParameterCount..];
        if (_logStdNet is null)
        {
            for (int i = 0; i < a; i++)
            {
                dist.Slice((a + i) * rows, rows).Fill(rest[i]);
            }
        }
        else
        {
            Span<double> acts = workspace.Slice(meanActs, _logStdNet.ActivationSize(rows));
            _logStdNet.Forward(rest, observations, rows, acts);
            _logStdNet.Output(acts, rows).CopyTo(dist.Slice(a * rows, a * rows));
        }
    }

    /// <inheritdoc/>
    public void Backward(ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows, ReadOnlySpan<double> workspace,
        ReadOnlySpan<double> distGradient, Span<double> gradient, Span<double> scratch)
    {
        int a = ActionSize;
        int meanActs = _mean.ActivationSize(rows);
        _mean.Backward(theta[.._mean.ParameterCount], observations, rows, workspace[..meanActs], distGradient[..(a * rows)],
            gradient[.._mean.ParameterCount], scratch);
        Span<double> rest = gradient[_mean.ParameterCount..];
        if (_logStdNet is null)
        {
            for (int i = 0; i < a; i++)
            {
                rest[i] = FixedOrder.Sum(distGradient.Slice((a + i) * rows, rows));
            }
        }
        else
        {
            _logStdNet.Backward(theta[_mean.ParameterCount..], observations, rows,
                workspace.Slice(meanActs, _logStdNet.ActivationSize(rows)), distGradient.Slice(a * rows, a * rows), rest, scratch);
        }
    }

    /// <summary>
    /// The mean action μ_θ(s) for one <paramref name="observation"/>: the deterministic action of a trained or adapted
    /// policy θ when it is deployed (allocates; the sampler's batched path is <see cref="SampleActions"/>).
    /// </summary>
    public double[] MeanAction(ReadOnlySpan<double> theta, ReadOnlySpan<double> observation)
    {
        if (theta.Length != ParameterCount || observation.Length != ObservationSize)
        {
            throw new ArgumentException($"expected {ParameterCount} parameters and an observation of {ObservationSize} (got {theta.Length} and {observation.Length})");
        }

        var dist = new double[_distribution.ParameterSize];
        Forward(theta, observation, 1, dist, new double[WorkspaceSize(1)]);
        return dist[..ActionSize];
    }

    /// <inheritdoc/>
    public void DrawNoise(Random rng, Span<double> noise) => _distribution.DrawNoise(rng, noise);

    /// <inheritdoc/>
    public void SampleActions(ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows, ReadOnlySpan<double> noise,
        Span<double> actions, Span<double> scratch) =>
        PolicySampling.Sample(this, theta, observations, rows, noise, actions, scratch);

    /// <inheritdoc/>
    public double[] InitialParameters(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var theta = new double[ParameterCount];
        _mean.Initialize(theta.AsSpan(0, _mean.ParameterCount), rng);
        Span<double> rest = theta.AsSpan(_mean.ParameterCount);
        if (_logStdNet is null)
        {
            rest.Fill(InitialLogStd);
        }
        else
        {
            _logStdNet.Initialize(rest, rng, outputBias: InitialLogStd);
        }

        return theta;
    }
}
