using System.Text.Json;

namespace BoMrl.Tests.Export;

/// <summary>A reader of the exported JSON layout (docs/library.md), written from the documentation, not from the exporter.</summary>
public static class ExportedJson
{
    /// <summary>Parses an exported JSON document (docs/library.md's layout) back to φ in the library's parameter order.</summary>
    public static double[] Phi(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        Assert.Equal("bomrl-policy", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var phi = new List<double>();
        string kind = root.GetProperty("kind").GetString()!;
        string[] nets = kind == "categorical" ? ["logits"] : root.GetProperty("log_std").TryGetProperty("layers", out _) ? ["mean", "log_std"] : ["mean"];
        foreach (string net in nets)
        {
            foreach (JsonElement layer in root.GetProperty(net).GetProperty("layers").EnumerateArray())
            {
                int nin = layer.GetProperty("in").GetInt32(), nout = layer.GetProperty("out").GetInt32();
                JsonElement[] rows = layer.GetProperty("weight").EnumerateArray().ToArray();
                Assert.Equal(nout, rows.Length);
                foreach (JsonElement row in rows)
                {
                    Assert.Equal(nin, row.GetArrayLength());
                    phi.AddRange(row.EnumerateArray().Select(v => v.GetDouble()));
                }

                Assert.Equal(nout, layer.GetProperty("bias").GetArrayLength());
                phi.AddRange(layer.GetProperty("bias").EnumerateArray().Select(v => v.GetDouble()));
            }
        }

        if (kind == "gaussian" && nets.Length == 1)
        {
            Assert.Equal("parameter", root.GetProperty("log_std").GetProperty("kind").GetString());
            phi.AddRange(root.GetProperty("log_std").GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        }

        return [.. phi];
    }

    /// <summary>y = W·x + b per layer (W: "out" rows of "in" values), tanh after every layer whose "activation" is "tanh".</summary>
    public static double[] Evaluate(JsonElement net, double[] obs, int obsSize)
    {
        var y = new List<double>();
        for (int r = 0; r < obs.Length / obsSize; r++)
        {
            double[] x = obs.AsSpan(r * obsSize, obsSize).ToArray();
            foreach (JsonElement layer in net.GetProperty("layers").EnumerateArray())
            {
                double[][] w = layer.GetProperty("weight").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
                double[] b = layer.GetProperty("bias").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                bool tanh = layer.GetProperty("activation").GetString() == "tanh";
                x = w.Select((row, o) => row.Zip(x, (wi, xi) => wi * xi).Sum() + b[o]).Select(z => tanh ? Math.Tanh(z) : z).ToArray();
            }

            y.AddRange(x);
        }

        return [.. y];
    }
}
