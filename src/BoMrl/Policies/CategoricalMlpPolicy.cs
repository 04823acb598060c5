using BoMrl.Numerics;

namespace BoMrl.Policies;

/// <summary>
/// Softmax policy with function approximation, π_θ(·|s) ∝ exp(f_θ(s, ·)) (docs/design.md §1), with f_θ a tanh MLP
/// producing one logit per action. Actions are stored as their index.
/// </summary>
public sealed class CategoricalMlpPolicy : IDifferentiablePolicy
{
    private readonly Mlp _logits;
    private readonly Categorical _distribution;

    /// <summary>Creates the architecture.</summary>
    public CategoricalMlpPolicy(int observationSize, int actionCount, IReadOnlyList<int> hiddenSizes)
    {
        _logits = new Mlp(observationSize, hiddenSizes, actionCount);
        _distribution = new Categorical(actionCount);
    }

    /// <inheritdoc/>
    public IActionDistribution Distribution => _distribution;

    /// <summary>The logits network (all of θ).</summary>
    public Mlp LogitNetwork => _logits;

    /// <summary>Number of actions.</summary>
    public int ActionCount => _distribution.ActionCount;

    /// <inheritdoc/>
    public int ObservationSize => _logits.InputSize;

    /// <inheritdoc/>
    public int ActionSize => 1;

    /// <inheritdoc/>
    public int ParameterCount => _logits.ParameterCount;

    /// <inheritdoc/>
    public int NoisePerRow => 1;

    /// <inheritdoc/>
    public int WorkspaceSize(int rows) => _logits.ActivationSize(rows);

    /// <inheritdoc/>
    public int BackwardScratchSize(int rows) => _logits.BackwardScratchSize(rows);

    /// <inheritdoc/>
    public int ScratchSize(int rows) => (ObservationSize + ActionCount) * rows + WorkspaceSize(rows);

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows, Span<double> dist,
        Span<double> workspace)
    {
        _logits.Forward(theta, observations, rows, workspace);
        _logits.Output(workspace, rows).CopyTo(dist);
    }

    /// <inheritdoc/>
    public void Backward(ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows, ReadOnlySpan<double> workspace,
        ReadOnlySpan<double> distGradient, Span<double> gradient, Span<double> scratch) =>
        _logits.Backward(theta, observations, rows, workspace, distGradient, gradient, scratch);

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
        _logits.Initialize(theta, rng);
        return theta;
    }
}
