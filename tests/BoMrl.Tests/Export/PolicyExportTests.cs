using System.Text.Json;
using BoMrl.Export;
using BoMrl.Numerics;
using BoMrl.Policies;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace BoMrl.Tests.Export;

/// <summary>
/// Exported policies against the library's forward pass: the ONNX model run in ONNX Runtime (float64: within 1e-12 per
/// output, relative to max(1, |y|); float32: within twice a first-order rounding-error bound computed per output and
/// within 1e-6 per layer relative to max(1, |y|)), and the
/// JSON document read back (bit-identical parameters, hence forward pass) and evaluated by its documented meaning.
/// </summary>
public sealed class PolicyExportTests(ITestOutputHelper output)
{
    private const int Rows = 257;

    /// <summary>Case name → policy.</summary>
    public static IDifferentiablePolicy Policy(string name) => name switch
    {
        "gaussian parameter log-std" => new GaussianMlpPolicy(2, 2, [64, 64]),
        "gaussian log-std network" => new GaussianMlpPolicy(5, 3, [32, 16], LogStdMode.Mlp, -0.5),
        "gaussian linear" => new GaussianMlpPolicy(3, 2, []),
        "categorical" => new CategoricalMlpPolicy(4, 5, [64, 64]),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Initial parameters plus N(0, 0.3²) noise, so biases and log-stds are not all equal.</summary>
    public static double[] Phi(IDifferentiablePolicy policy, int seed)
    {
        var rng = new Random(seed);
        double[] phi = policy.InitialParameters(rng);
        for (int i = 0; i < phi.Length; i++)
        {
            phi[i] += 0.3 * Gaussian(rng);
        }

        return phi;
    }

    /// <summary>Random observations, row-major [rows, observation_size], uniform on [-3, 3].</summary>
    public static double[] Observations(int size, int seed)
    {
        var rng = new Random(seed);
        var x = new double[Rows * size];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = 6 * rng.NextDouble() - 3;
        }

        return x;
    }

    /// <summary>The library's forward pass on row-major observations: (distribution parameters' first block, the second block or null), row-major.</summary>
    public static (double[] First, double[]? Second) Library(IDifferentiablePolicy policy, double[] phi, double[] obs)
    {
        int n = policy.ObservationSize, rows = obs.Length / n;
        int width = policy is CategoricalMlpPolicy c ? c.ActionCount : policy.ActionSize;
        var featureMajor = new double[obs.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < n; i++)
            {
                featureMajor[i * rows + r] = obs[r * n + i];
            }
        }

        var dist = new double[policy.Distribution.ParameterSize * rows];
        policy.Forward(phi, featureMajor, rows, dist, new double[policy.WorkspaceSize(rows)]);
        double[] Block(int b)
        {
            var y = new double[rows * width];
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < width; j++)
                {
                    y[r * width + j] = dist[(b * width + j) * rows + r];
                }
            }

            return y;
        }

        return (Block(0), policy is GaussianMlpPolicy ? Block(1) : null);
    }

    /// <summary>Runs an exported model in ONNX Runtime: every output by name, as double.</summary>
    public static Dictionary<string, double[]> RunOnnx(byte[] model, double[] obs, int obsSize, bool float32)
    {
        using var session = new InferenceSession(model);
        int rows = obs.Length / obsSize;
        NamedOnnxValue input = float32
            ? NamedOnnxValue.CreateFromTensor("observation", new DenseTensor<float>(obs.Select(v => (float)v).ToArray(), [rows, obsSize]))
            : NamedOnnxValue.CreateFromTensor("observation", new DenseTensor<double>(obs, [rows, obsSize]));
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([input]);
        return results.ToDictionary(r => r.Name, r => float32 ? r.AsTensor<float>().Select(v => (double)v).ToArray() : r.AsTensor<double>().ToArray());
    }

    [Theory]
    [InlineData("gaussian parameter log-std")]
    [InlineData("gaussian log-std network")]
    [InlineData("gaussian linear")]
    [InlineData("categorical")]
    public void Float64_onnx_in_onnx_runtime_matches_the_forward_pass_within_1e_12(string name)
    {
        IDifferentiablePolicy policy = Policy(name);
        double[] phi = Phi(policy, 11);
        double[] obs = Observations(policy.ObservationSize, 12);
        (double[] first, double[]? second) = Library(policy, phi, obs);
        Dictionary<string, double[]> onnx = RunOnnx(PolicyExport.ToOnnx(policy, phi), obs, policy.ObservationSize, float32: false);
        double worst = 0;
        foreach ((string output, double[] expected) in Outputs(policy, phi, first, second))
        {
            double[] actual = onnx[output];
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                double diff = Math.Abs(actual[i] - expected[i]);
                worst = Math.Max(worst, diff);
                Assert.True(diff <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"{name}: {output}[{i}] = {actual[i]:R}, library {expected[i]:R}");
            }
        }

        Assert.Equal(policy is CategoricalMlpPolicy ? 1 : 2, onnx.Count);
        output.WriteLine($"{name}: float64 max |ONNX Runtime − library| = {worst:E2}");
    }

    [Theory]
    [InlineData("gaussian parameter log-std")]
    [InlineData("gaussian log-std network")]
    [InlineData("gaussian linear")]
    [InlineData("categorical")]
    public void Float32_onnx_in_onnx_runtime_matches_the_forward_pass_within_its_rounding_error_bound(string name)
    {
        IDifferentiablePolicy policy = Policy(name);
        double[] phi = Phi(policy, 21);
        double[] obs = Observations(policy.ObservationSize, 22);
        (double[] first, double[]? second) = Library(policy, phi, obs);
        Dictionary<string, double[]> onnx = RunOnnx(PolicyExport.ToOnnx(policy, phi, ExportPrecision.Float32), obs, policy.ObservationSize, float32: true);
        double worstRatio = 0, worst = 0, worstRelative = 0;
        foreach ((string output, double[] expected) in Outputs(policy, phi, first, second))
        {
            double[] bound = output == "log_std" && policy is GaussianMlpPolicy { LogStdNetwork: null }
                ? expected.Select(v => Float32Unit * Math.Abs(v)).ToArray()
                : ErrorBound(Network(policy, output), NetworkPhi(policy, phi, output), obs);
            double[] actual = onnx[output];
            int layers = output == "log_std" && policy is GaussianMlpPolicy { LogStdNetwork: null } ? 1 : Network(policy, output).Layers;
            for (int i = 0; i < expected.Length; i++)
            {
                double diff = Math.Abs(actual[i] - expected[i]);
                worst = Math.Max(worst, diff);
                worstRatio = Math.Max(worstRatio, diff / (2 * bound[i]));
                Assert.True(diff <= 2 * bound[i], $"{name}: {output}[{i}] = {actual[i]:R}, library {expected[i]:R}, bound {bound[i]:E2}");
                // The worst case above adds every rounding with one sign; rounding errors of random sign grow like
                // √n·u per width-n layer (≈ 5e-7 at n = 64), so also: within 1e-6 per layer of max(1, |y|).
                worstRelative = Math.Max(worstRelative, diff / Math.Max(1, Math.Abs(expected[i])));
                Assert.True(diff <= 1e-6 * layers * Math.Max(1, Math.Abs(expected[i])), $"{name}: {output}[{i}] = {actual[i]:R}, library {expected[i]:R}");
            }
        }

        output.WriteLine($"{name}: float32 max |ONNX Runtime − library| = {worst:E2}, largest difference / bound tolerance = {worstRatio:E1}, largest difference / max(1, |y|) = {worstRelative:E1}");
    }

    /// <summary>Unit roundoff of float32, 2⁻²⁴.</summary>
    private const double Float32Unit = 1.0 / (1 << 24);

    /// <summary>
    /// First-order bound on |float32 network − exact network| per output, row-major: the input and every weight and bias
    /// rounded to float32 (relative u each), a dot product of n terms plus a bias accumulated in float32 (γ ≈ (n + 1)u of
    /// Σ|w||x| + |b|), an earlier layer's error carried by Σ|w|·e, and tanh within 4 ulps (Lipschitz 1).
    /// </summary>
    private static double[] ErrorBound(Mlp net, double[] theta, double[] obs)
    {
        int n0 = net.InputSize, rows = obs.Length / n0, outSize = net.OutputSize;
        var bound = new double[rows * outSize];
        for (int r = 0; r < rows; r++)
        {
            double[] x = obs.AsSpan(r * n0, n0).ToArray();
            double[] e = x.Select(v => Float32Unit * Math.Abs(v)).ToArray();
            int at = 0;
            for (int l = 0; l < net.Layers; l++)
            {
                int nin = net.LayerSizes[l], nout = net.LayerSizes[l + 1];
                var y = new double[nout];
                var ey = new double[nout];
                for (int o = 0; o < nout; o++)
                {
                    double z = theta[at + nout * nin + o], magnitude = Math.Abs(z), carried = 0;
                    for (int i = 0; i < nin; i++)
                    {
                        double w = theta[at + o * nin + i];
                        z += w * x[i];
                        magnitude += Math.Abs(w * x[i]);
                        carried += Math.Abs(w) * e[i];
                    }

                    double ez = carried + (nin + 3) * Float32Unit * magnitude;
                    bool last = l == net.Layers - 1;
                    y[o] = last ? z : Math.Tanh(z);
                    ey[o] = last ? ez : ez + 4 * Float32Unit;
                }

                at += nout * (nin + 1);
                x = y;
                e = ey;
            }

            e.CopyTo(bound, r * outSize);
        }

        return bound;
    }

    /// <summary>Each graph output's name with the library's values for it, row-major (a log-std vector once, not per row).</summary>
    private static IEnumerable<(string Output, double[] Values)> Outputs(IDifferentiablePolicy policy, double[] phi, double[] first, double[]? second)
    {
        if (policy is CategoricalMlpPolicy)
        {
            yield return ("logits", first);
            yield break;
        }

        var g = (GaussianMlpPolicy)policy;
        yield return ("mean", first);
        yield return ("log_std", g.LogStdNetwork is null ? phi[g.MeanNetwork.ParameterCount..] : second!);
    }

    private static Mlp Network(IDifferentiablePolicy policy, string output) => policy switch
    {
        CategoricalMlpPolicy c => c.LogitNetwork,
        GaussianMlpPolicy g => output == "mean" ? g.MeanNetwork : g.LogStdNetwork!,
        _ => throw new ArgumentException(output),
    };

    private static double[] NetworkPhi(IDifferentiablePolicy policy, double[] phi, string output) =>
        policy is GaussianMlpPolicy g && output == "log_std" ? phi[g.MeanNetwork.ParameterCount..] : phi[..Network(policy, output).ParameterCount];

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void Onnx_and_json_refuse_a_phi_of_another_length()
    {
        IDifferentiablePolicy policy = Policy("categorical");
        Assert.Throws<ArgumentException>(() => PolicyExport.ToOnnx(policy, new double[3]));
        Assert.Throws<ArgumentException>(() => PolicyExport.ToJson(policy, new double[policy.ParameterCount + 1]));
    }

    [Theory]
    [InlineData("gaussian parameter log-std")]
    [InlineData("gaussian log-std network")]
    [InlineData("gaussian linear")]
    [InlineData("categorical")]
    public void Json_read_back_gives_the_same_phi_and_bit_identical_forward_pass(string name)
    {
        IDifferentiablePolicy policy = Policy(name);
        double[] phi = Phi(policy, 31);
        double[] obs = Observations(policy.ObservationSize, 32);
        double[] back = ExportedJson.Phi(PolicyExport.ToJson(policy, phi));
        Assert.Equal(phi.Select(BitConverter.DoubleToInt64Bits), back.Select(BitConverter.DoubleToInt64Bits));
        (double[] first, double[]? second) = Library(policy, phi, obs);
        (double[] first2, double[]? second2) = Library(policy, back, obs);
        Assert.Equal(first, first2);
        Assert.Equal(second, second2);
    }

    [Theory]
    [InlineData("gaussian parameter log-std")]
    [InlineData("gaussian log-std network")]
    [InlineData("categorical")]
    public void Json_evaluated_by_its_documented_meaning_matches_the_forward_pass(string name)
    {
        IDifferentiablePolicy policy = Policy(name);
        double[] phi = Phi(policy, 41);
        double[] obs = Observations(policy.ObservationSize, 42);
        using JsonDocument doc = JsonDocument.Parse(PolicyExport.ToJson(policy, phi));
        (double[] first, double[]? second) = Library(policy, phi, obs);
        string head = policy is CategoricalMlpPolicy ? "logits" : "mean";
        AssertClose(first, ExportedJson.Evaluate(doc.RootElement.GetProperty(head), obs, policy.ObservationSize));
        if (policy is GaussianMlpPolicy { LogStdNetwork: not null })
        {
            AssertClose(second!, ExportedJson.Evaluate(doc.RootElement.GetProperty("log_std"), obs, policy.ObservationSize));
        }
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"[{i}] {actual[i]:R} vs {expected[i]:R}");
        }
    }
}
