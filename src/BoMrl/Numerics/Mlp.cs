namespace BoMrl.Numerics;

/// <summary>
/// Multilayer perceptron with tanh hidden layers and a linear output layer, evaluated on whole batches.
/// Parameters live in a caller-owned flat vector, layer by layer: W_l (out × in, row-major) then b_l.
/// Inputs, activations and output gradients are feature-major (size × rows, see <see cref="Dense"/>).
/// Immutable and thread-safe: all state is passed in.
/// </summary>
public sealed class Mlp
{
    private readonly int[] _sizes;
    private readonly int[] _offsets;

    /// <summary>Creates the architecture input → hidden... → output.</summary>
    public Mlp(int inputSize, IReadOnlyList<int> hiddenSizes, int outputSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        _sizes = new int[hiddenSizes.Count + 2];
        _sizes[0] = inputSize;
        for (int i = 0; i < hiddenSizes.Count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSizes[i], nameof(hiddenSizes));
            _sizes[i + 1] = hiddenSizes[i];
        }

        _sizes[^1] = outputSize;
        _offsets = new int[Layers + 1];
        for (int l = 0; l < Layers; l++)
        {
            _offsets[l + 1] = _offsets[l] + _sizes[l + 1] * (_sizes[l] + 1);
        }
    }

    /// <summary>Number of affine layers (hidden layers + 1).</summary>
    public int Layers => _sizes.Length - 1;

    /// <summary>Input width.</summary>
    public int InputSize => _sizes[0];

    /// <summary>Output width.</summary>
    public int OutputSize => _sizes[^1];

    /// <summary>Layer widths input, hidden..., output (the export's layer shapes).</summary>
    public IReadOnlyList<int> LayerSizes => Array.AsReadOnly(_sizes);

    /// <summary>Length of this network's slice of the parameter vector.</summary>
    public int ParameterCount => _offsets[^1];

    private int MaxHidden
    {
        get
        {
            int m = 1;
            for (int l = 1; l < _sizes.Length - 1; l++)
            {
                m = Math.Max(m, _sizes[l]);
            }

            return m;
        }
    }

    /// <summary>Activation storage <see cref="Forward"/> needs for <paramref name="rows"/> rows (all layers, output last).</summary>
    public int ActivationSize(int rows)
    {
        int n = 0;
        for (int l = 1; l < _sizes.Length; l++)
        {
            n += _sizes[l] * rows;
        }

        return n;
    }

    /// <summary>Scratch <see cref="Backward"/> needs for <paramref name="rows"/> rows.</summary>
    public int BackwardScratchSize(int rows) => 2 * MaxHidden * rows;

    /// <summary>The network output (OutputSize × rows) inside the activations written by <see cref="Forward"/>.</summary>
    public ReadOnlySpan<double> Output(ReadOnlySpan<double> activations, int rows) =>
        activations.Slice(ActivationSize(rows) - OutputSize * rows, OutputSize * rows);

    /// <summary>
    /// Forward pass: writes every layer's activation (tanh for hidden layers, identity for the output) into
    /// <paramref name="activations"/>. <paramref name="input"/> is InputSize × rows.
    /// </summary>
    public void Forward(ReadOnlySpan<double> theta, ReadOnlySpan<double> input, int rows, Span<double> activations)
    {
        ReadOnlySpan<double> x = input;
        int at = 0;
        for (int l = 0; l < Layers; l++)
        {
            int nin = _sizes[l], nout = _sizes[l + 1];
            ReadOnlySpan<double> w = theta.Slice(_offsets[l], nout * nin);
            ReadOnlySpan<double> b = theta.Slice(_offsets[l] + nout * nin, nout);
            Span<double> y = activations.Slice(at, nout * rows);
            Dense.Affine(w, b, x, nin, nout, rows, y);
            if (l < Layers - 1)
            {
                PortableMath.Tanh(y, y);
            }

            x = y;
            at += nout * rows;
        }
    }

    /// <summary>
    /// Backward pass: given ∂ℓ/∂output (OutputSize × rows) for ℓ = Σ_rows ℓ_r, writes ∂ℓ/∂θ into
    /// <paramref name="gradient"/> (this network's slice, overwritten). <paramref name="activations"/> must come from
    /// <see cref="Forward"/> at the same θ and input.
    /// </summary>
    public void Backward(ReadOnlySpan<double> theta, ReadOnlySpan<double> input, int rows, ReadOnlySpan<double> activations,
        ReadOnlySpan<double> outputGradient, Span<double> gradient, Span<double> scratch)
    {
        int hidden = MaxHidden * rows;
        Span<double> bufA = scratch[..hidden];
        Span<double> bufB = scratch.Slice(hidden, hidden);
        ReadOnlySpan<double> delta = outputGradient;
        int at = ActivationSize(rows) - OutputSize * rows;
        for (int l = Layers - 1; l >= 0; l--)
        {
            int nin = _sizes[l], nout = _sizes[l + 1];
            int prevAt = at - nin * rows;
            ReadOnlySpan<double> x = l == 0 ? input : activations.Slice(prevAt, nin * rows);
            Dense.OuterSum(delta, x, nin, nout, rows,
                gradient.Slice(_offsets[l], nout * nin), gradient.Slice(_offsets[l] + nout * nin, nout));
            if (l == 0)
            {
                break;
            }

            Span<double> dx = (l % 2 == 0 ? bufA : bufB)[..(nin * rows)];
            Dense.TransposedTimes(theta.Slice(_offsets[l], nout * nin), delta, nin, nout, rows, dx);
            for (int i = 0; i < dx.Length; i++)
            {
                double a = x[i];
                dx[i] *= 1.0 - a * a; // tanh'(z) = 1 − tanh(z)²
            }

            delta = dx;
            at = prevAt;
        }
    }

    /// <summary>
    /// Glorot-uniform weights, zero biases (the initialisation of pytorch-maml-rl's policies); the output layer's
    /// weights are multiplied by <paramref name="outputScale"/> and its biases set to <paramref name="outputBias"/>.
    /// </summary>
    public void Initialize(Span<double> theta, Random rng, double outputScale = 1.0, double outputBias = 0.0)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int l = 0; l < Layers; l++)
        {
            int nin = _sizes[l], nout = _sizes[l + 1];
            double limit = Math.Sqrt(6.0 / (nin + nout)) * (l == Layers - 1 ? outputScale : 1.0);
            Span<double> w = theta.Slice(_offsets[l], nout * nin);
            for (int i = 0; i < w.Length; i++)
            {
                w[i] = (2.0 * rng.NextDouble() - 1.0) * limit;
            }

            theta.Slice(_offsets[l] + nout * nin, nout).Fill(l == Layers - 1 ? outputBias : 0.0);
        }
    }
}
