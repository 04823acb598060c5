using System.Buffers.Binary;
using Google.Protobuf;

namespace BoMrl.Export;

/// <summary>
/// The few ONNX protobuf messages the exporter writes, encoded by hand with <see cref="CodedOutputStream"/>. Every field
/// number below is the one of onnx.proto in the ONNX project (github.com/onnx/onnx, onnx/onnx.proto); docs/library.md
/// lists them. Fields are written in increasing number order, as protoc does.
/// </summary>
internal static class OnnxProto
{
    /// <summary>TensorProto.DataType FLOAT (onnx.proto).</summary>
    public const int ElemFloat = 1;

    /// <summary>TensorProto.DataType INT64 (onnx.proto).</summary>
    public const int ElemInt64 = 7;

    /// <summary>TensorProto.DataType DOUBLE (onnx.proto).</summary>
    public const int ElemDouble = 11;

    /// <summary>ModelProto: ir_version=1, producer_name=2, producer_version=3, domain=4, model_version=5, doc_string=6, graph=7, opset_import=8.</summary>
    public static byte[] Model(long irVersion, string producer, string producerVersion, string docString, byte[] graph, long opset) =>
        Message(o =>
        {
            Int(o, 1, irVersion);
            Text(o, 2, producer);
            Text(o, 3, producerVersion);
            Int(o, 5, 1);
            Text(o, 6, docString);
            Bytes(o, 7, graph);
            Bytes(o, 8, OperatorSet(string.Empty, opset));
        });

    /// <summary>OperatorSetIdProto: domain=1, version=2 (the default domain "" is ai.onnx).</summary>
    public static byte[] OperatorSet(string domain, long version) => Message(o =>
    {
        Text(o, 1, domain);
        Int(o, 2, version);
    });

    /// <summary>GraphProto: node=1, name=2, initializer=5, doc_string=10, input=11, output=12.</summary>
    public static byte[] Graph(string name, IEnumerable<byte[]> nodes, IEnumerable<byte[]> initializers, IEnumerable<byte[]> inputs,
        IEnumerable<byte[]> outputs, string docString) => Message(o =>
    {
        foreach (byte[] n in nodes)
        {
            Bytes(o, 1, n);
        }

        Text(o, 2, name);
        foreach (byte[] t in initializers)
        {
            Bytes(o, 5, t);
        }

        Text(o, 10, docString);
        foreach (byte[] i in inputs)
        {
            Bytes(o, 11, i);
        }

        foreach (byte[] v in outputs)
        {
            Bytes(o, 12, v);
        }
    });

    /// <summary>NodeProto: input=1 (repeated), output=2 (repeated), name=3, op_type=4 (default domain: field 7 left out).</summary>
    public static byte[] Node(string opType, string name, string[] inputs, string[] outputs) => Message(o =>
    {
        foreach (string i in inputs)
        {
            Text(o, 1, i);
        }

        foreach (string v in outputs)
        {
            Text(o, 2, v);
        }

        Text(o, 3, name);
        Text(o, 4, opType);
    });

    /// <summary>
    /// TensorProto: dims=1 (repeated int64), data_type=2, name=8, raw_data=9 (little-endian values, as onnx.proto
    /// requires); float32 tensors hold each value rounded to nearest.
    /// </summary>
    public static byte[] Tensor(string name, long[] dims, ReadOnlySpan<double> values, int elemType)
    {
        byte[] raw = elemType == ElemDouble ? new byte[values.Length * 8] : new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            if (elemType == ElemDouble)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(8 * i), values[i]);
            }
            else
            {
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), (float)values[i]);
            }
        }

        return Message(o =>
        {
            foreach (long d in dims)
            {
                Int(o, 1, d);
            }

            Int(o, 2, elemType);
            Text(o, 8, name);
            Bytes(o, 9, raw);
        });
    }

    /// <summary>
    /// ValueInfoProto{name=1, type=2} of a tensor: TypeProto{tensor_type=1}, TypeProto.Tensor{elem_type=1, shape=2},
    /// TensorShapeProto{dim=1}, Dimension{dim_value=1, dim_param=2}; a null dimension name is a fixed size, a string
    /// dimension a symbolic one (e.g. "batch").
    /// </summary>
    public static byte[] TensorValue(string name, int elemType, params object[] dims)
    {
        byte[] shape = Message(o =>
        {
            foreach (object d in dims)
            {
                Bytes(o, 1, Message(x =>
                {
                    if (d is string param)
                    {
                        Text(x, 2, param);
                    }
                    else
                    {
                        Int(x, 1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
                    }
                }));
            }
        });
        byte[] tensorType = Message(o =>
        {
            Int(o, 1, elemType);
            Bytes(o, 2, shape);
        });
        byte[] type = Message(o => Bytes(o, 1, tensorType));
        return Message(o =>
        {
            Text(o, 1, name);
            Bytes(o, 2, type);
        });
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var o = new CodedOutputStream(stream);
        write(o);
        o.Flush();
        return stream.ToArray();
    }

    private static void Int(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    private static void Text(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    private static void Bytes(CodedOutputStream o, int field, byte[] value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(value));
    }
}
