using System.Globalization;
using System.Text.Json;
using BoMrl.Numerics;
using BoMrl.Policies;

namespace BoMrl.Export;

/// <summary>The number type of an exported ONNX model's tensors.</summary>
public enum ExportPrecision
{
    /// <summary>tensor(double): the library's own precision (ONNX Runtime's CPU MatMul, Add and Tanh take it).</summary>
    Float64,

    /// <summary>tensor(float): every weight, input and output rounded to float32.</summary>
    Float32,
}

/// <summary>
/// Writes a trained MLP policy (Gaussian or categorical) with its parameters φ as a JSON document or as an ONNX model;
/// both layouts are described in docs/library.md.
/// </summary>
public static class PolicyExport
{
    /// <summary>The ONNX operator set the graphs use (MatMul, Add, Tanh, Identity as of opset 13).</summary>
    public const int OnnxOpset = 13;

    /// <summary>The ONNX IR version written (IR 7 is the one of opset 13, ONNX 1.8).</summary>
    public const int OnnxIrVersion = 7;

    /// <summary>The JSON layout's version ("version" key).</summary>
    public const int JsonVersion = 1;

    /// <summary>The policy as the JSON layout of docs/library.md (indented UTF-8; numbers round-trip exactly).</summary>
    public static string ToJson(IDifferentiablePolicy policy, ReadOnlySpan<double> phi)
    {
        IReadOnlyList<(string Name, Mlp Net, int Offset)> nets = Networks(policy, phi.Length);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", "bomrl-policy");
            w.WriteNumber("version", JsonVersion);
            w.WriteString("kind", policy is CategoricalMlpPolicy ? "categorical" : "gaussian");
            w.WriteNumber("observation_size", policy.ObservationSize);
            if (policy is CategoricalMlpPolicy c)
            {
                w.WriteNumber("action_count", c.ActionCount);
            }
            else
            {
                w.WriteNumber("action_size", policy.ActionSize);
            }

            w.WriteString("hidden_activation", "tanh");
            w.WriteString("output_activation", "identity");
            foreach ((string name, Mlp net, int offset) in nets)
            {
                w.WritePropertyName(name);
                w.WriteStartObject();
                WriteLayers(w, net, phi[offset..(offset + net.ParameterCount)]);
                w.WriteEndObject();
            }

            if (policy is GaussianMlpPolicy { LogStdNetwork: null } g)
            {
                w.WritePropertyName("log_std");
                w.WriteStartObject();
                w.WriteString("kind", "parameter");
                w.WriteStartArray("values");
                foreach (double v in phi[g.MeanNetwork.ParameterCount..])
                {
                    w.WriteNumberValue(v);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>
    /// The policy as an ONNX model: input "observation" [batch, observation_size]; outputs "mean" [batch, action_size]
    /// and "log_std" ([action_size] for a log-std parameter vector, [batch, action_size] for a log-std network), or
    /// "logits" [batch, action_count] for a categorical policy.
    /// </summary>
    public static byte[] ToOnnx(IDifferentiablePolicy policy, ReadOnlySpan<double> phi, ExportPrecision precision = ExportPrecision.Float64)
    {
        IReadOnlyList<(string Name, Mlp Net, int Offset)> nets = Networks(policy, phi.Length);
        int elem = precision == ExportPrecision.Float64 ? OnnxProto.ElemDouble : OnnxProto.ElemFloat;
        var nodes = new List<byte[]>();
        var initializers = new List<byte[]>();
        var outputs = new List<byte[]>();
        foreach ((string name, Mlp net, int offset) in nets)
        {
            ReadOnlySpan<double> theta = phi[offset..(offset + net.ParameterCount)];
            string x = "observation";
            int at = 0;
            for (int l = 0; l < net.Layers; l++)
            {
                int nin = net.LayerSizes[l], nout = net.LayerSizes[l + 1];
                // MatMul takes x [batch, in] · Wᵀ [in, out]: the initializer holds W (out × in, row-major) transposed.
                var wt = new double[nin * nout];
                for (int o = 0; o < nout; o++)
                {
                    for (int i = 0; i < nin; i++)
                    {
                        wt[i * nout + o] = theta[at + o * nin + i];
                    }
                }

                string p = $"{name}/{l}";
                initializers.Add(OnnxProto.Tensor($"{p}/weight_t", [nin, nout], wt, elem));
                initializers.Add(OnnxProto.Tensor($"{p}/bias", [nout], theta.Slice(at + nout * nin, nout), elem));
                at += nout * (nin + 1);
                bool last = l == net.Layers - 1;
                nodes.Add(OnnxProto.Node("MatMul", $"{p}/matmul", [x, $"{p}/weight_t"], [$"{p}/matmul_out"]));
                string affine = last ? name : $"{p}/affine";
                nodes.Add(OnnxProto.Node("Add", $"{p}/add", [$"{p}/matmul_out", $"{p}/bias"], [affine]));
                if (!last)
                {
                    nodes.Add(OnnxProto.Node("Tanh", $"{p}/tanh", [affine], [$"{p}/hidden"]));
                    x = $"{p}/hidden";
                }
            }

            outputs.Add(OnnxProto.TensorValue(name, elem, "batch", net.OutputSize));
        }

        if (policy is GaussianMlpPolicy { LogStdNetwork: null } g)
        {
            // A state-independent log σ: an initializer passed through Identity to the graph output "log_std".
            initializers.Add(OnnxProto.Tensor("log_std/value", [g.ActionSize], phi[g.MeanNetwork.ParameterCount..], elem));
            nodes.Add(OnnxProto.Node("Identity", "log_std/identity", ["log_std/value"], ["log_std"]));
            outputs.Add(OnnxProto.TensorValue("log_std", elem, g.ActionSize));
        }

        string kind = policy is CategoricalMlpPolicy ? "categorical" : "gaussian";
        string doc = string.Create(CultureInfo.InvariantCulture,
            $"BO-MRL {kind} MLP policy: {policy.ObservationSize} observations, tanh hidden layers, identity output (docs/library.md)");
        byte[] graph = OnnxProto.Graph("bomrl_policy", nodes, initializers,
            [OnnxProto.TensorValue("observation", elem, "batch", policy.ObservationSize)], outputs, doc);
        string version = typeof(PolicyExport).Assembly.GetName().Version?.ToString() ?? "0";
        return OnnxProto.Model(OnnxIrVersion, "bomrl", version, doc, graph, OnnxOpset);
    }

    /// <summary>The policy's networks with their graph/JSON names and offsets in φ, after checking φ's length.</summary>
    private static IReadOnlyList<(string Name, Mlp Net, int Offset)> Networks(IDifferentiablePolicy policy, int phiLength)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (phiLength != policy.ParameterCount)
        {
            throw new ArgumentException($"phi has {phiLength} values but the policy has {policy.ParameterCount} parameters", nameof(phiLength));
        }

        return policy switch
        {
            GaussianMlpPolicy { LogStdNetwork: { } s } g => [("mean", g.MeanNetwork, 0), ("log_std", s, g.MeanNetwork.ParameterCount)],
            GaussianMlpPolicy g => [("mean", g.MeanNetwork, 0)],
            CategoricalMlpPolicy c => [("logits", c.LogitNetwork, 0)],
            _ => throw new ArgumentException($"only Gaussian and categorical MLP policies can be exported, not {policy.GetType().Name}", nameof(policy)),
        };
    }

    /// <summary>"layers": [{ "in", "out", "weight" (out rows of in values), "bias" (out values) }, ...] in input-to-output order.</summary>
    private static void WriteLayers(Utf8JsonWriter w, Mlp net, ReadOnlySpan<double> theta)
    {
        w.WriteStartArray("layers");
        int at = 0;
        for (int l = 0; l < net.Layers; l++)
        {
            int nin = net.LayerSizes[l], nout = net.LayerSizes[l + 1];
            w.WriteStartObject();
            w.WriteNumber("in", nin);
            w.WriteNumber("out", nout);
            w.WriteString("activation", l == net.Layers - 1 ? "identity" : "tanh");
            w.WriteStartArray("weight");
            for (int o = 0; o < nout; o++)
            {
                w.WriteStartArray();
                foreach (double v in theta.Slice(at + o * nin, nin))
                {
                    w.WriteNumberValue(v);
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteStartArray("bias");
            foreach (double v in theta.Slice(at + nout * nin, nout))
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            at += nout * (nin + 1);
        }

        w.WriteEndArray();
    }
}
