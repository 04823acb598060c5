using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace BoMrl.Meta;

/// <summary>
/// The exact text form of the records that cross the executor seam (a cluster's steps and replies, docs/distributed.md):
/// System.Text.Json with a double[] written as the base64 of its little-endian IEEE 754 bytes (≈ 10.7 characters a
/// double, bit-exact, NaN payloads and −0 included) and a single double shortest-round-trip (NaN/±∞ by name), so every
/// double decodes to the same bits; a field declared by a <see cref="TaskRecord"/> base carries its runtime type's full name ("$type"), resolved
/// only among the loaded subtypes of that base, so any learner's records travel without a registry.
/// </summary>
public static class TaskCodec
{
    private static readonly ConcurrentDictionary<Type, Type[]> Subtypes = new();

    private static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { Polymorphic } },
        Converters = { new DoubleArrayAsBytes() },
    };

    /// <summary>Encodes <paramref name="value"/> as declared by <paramref name="declared"/>.</summary>
    public static string Encode(object? value, Type declared) => JsonSerializer.Serialize(value, declared, Options);

    /// <summary>Encodes <paramref name="value"/> as a <typeparamref name="T"/>.</summary>
    public static string Encode<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Decodes a value encoded as a <typeparamref name="T"/>; throws a <see cref="JsonException"/> on a malformed one.</summary>
    public static T Decode<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;

    private static void Polymorphic(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !typeof(TaskRecord).IsAssignableFrom(info.Type))
        {
            return;
        }

        Type[] derived = Subtypes.GetOrAdd(info.Type, Find);
        if (derived.Length == 0)
        {
            return;
        }

        var options = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "$type",
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
        };
        foreach (Type t in derived)
        {
            options.DerivedTypes.Add(new JsonDerivedType(t, t.FullName!));
        }

        info.PolymorphismOptions = options;
    }

    /// <summary>The concrete subtypes of <paramref name="root"/> among the loaded assemblies, by full name.</summary>
    private static Type[] Find(Type root)
    {
        var found = new List<Type>();
        foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (a.IsDynamic || (a != root.Assembly && a != typeof(TaskRecord).Assembly
                && !a.GetReferencedAssemblies().Any(n => n.Name == typeof(TaskRecord).Assembly.GetName().Name)))
            {
                continue;
            }

            Type?[] types;
            try
            {
                types = a.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = e.Types;
            }

            found.AddRange(types.Where(t => t is { IsAbstract: false, ContainsGenericParameters: false, FullName: not null }
                && t != root && root.IsAssignableFrom(t))!);
        }

        return [.. found.OrderBy(t => t.FullName, StringComparer.Ordinal)];
    }

    /// <summary>A double[] as the base64 of its little-endian bytes: exact and about a third of the decimal form's size.</summary>
    private sealed class DoubleArrayAsBytes : JsonConverter<double[]>
    {
        public override double[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            byte[] bytes = reader.GetBytesFromBase64();
            if (bytes.Length % sizeof(double) != 0)
            {
                throw new JsonException($"a double array of {bytes.Length} bytes (not a multiple of 8)");
            }

            var values = new double[bytes.Length / sizeof(double)];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)));
            }

            return values;
        }

        public override void Write(Utf8JsonWriter writer, double[] value, JsonSerializerOptions options)
        {
            var bytes = new byte[value.Length * sizeof(double)];
            for (int i = 0; i < value.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)), value[i]);
            }

            writer.WriteBase64StringValue(bytes);
        }
    }
}
