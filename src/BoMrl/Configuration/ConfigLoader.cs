using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace BoMrl.Configuration;

/// <summary>
/// Reads and writes <see cref="TrainConfig"/> as JSON (System.Text.Json, snake_case keys,
/// comments and trailing commas allowed). Every failure is a one-line <see cref="ConfigException"/> naming the full
/// key path: unknown keys anywhere ("unknown config key 'sampler.horizn'"), duplicate keys, values of the wrong type,
/// values out of range, missing required keys.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Loads, validates and resolves the config file at <paramref name="path"/>; error messages start with the path.</summary>
    public static TrainConfig Load(string path) => Load(path, null);

    /// <summary>
    /// Loads the config file at <paramref name="path"/> with <paramref name="overrides"/> merged into its JSON before the
    /// key check and validation (<see cref="Merge"/>), so an override obeys the same rules as the file: an unknown key is
    /// rejected with its path, a bad value names its key.
    /// </summary>
    public static TrainConfig Load(string path, JsonObject? overrides)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new ConfigException($"cannot read config {path}: it is a folder; name a JSON file such as configs/navigation2d-bomrl-kl1.json");
        }

        if (!File.Exists(path))
        {
            throw new ConfigException($"cannot read config {path}: no such file");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path)).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException e)
        {
            throw new ConfigException($"{path}: config is not UTF-8 text (an invalid byte at offset {e.Index}); save it as UTF-8");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ConfigException($"cannot read config {path}: {BoMrl.IO.FileSystemErrors.Describe(e)}");
        }

        try
        {
            return Parse(overrides is null ? text : Merged(text, overrides), Path.GetDirectoryName(Path.GetFullPath(path)));
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"{path}: {e.Message}");
        }
    }

    /// <summary>
    /// Merges <paramref name="patch"/> into <paramref name="target"/> in place: objects merge key by key, recursively;
    /// any other value (number, string, array, null) replaces the target's. The patch is not modified.
    /// </summary>
    public static void Merge(JsonObject target, JsonObject patch)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(patch);
        foreach ((string key, JsonNode? value) in patch)
        {
            if (value is JsonObject sub && target[key] is JsonObject existing)
            {
                Merge(existing, sub);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>Whether the config schema has the dotted key <paramref name="key"/> (e.g. "algorithm.weighting").</summary>
    public static bool HasKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        JsonTypeInfo info = ConfigJson.TrainConfig;
        foreach (string name in key.Split('.'))
        {
            JsonPropertyInfo? prop = info.Kind == JsonTypeInfoKind.Object ? Find(info, name) : null;
            if (prop is null)
            {
                return false;
            }

            info = info.Options.GetTypeInfo(prop.PropertyType);
        }

        return true;
    }

    /// <summary>The JSON text of a config file with <paramref name="overrides"/> merged in.</summary>
    private static string Merged(string text, JsonObject overrides)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException e)
        {
            throw new ConfigException(Describe(e, text));
        }

        if (node is not JsonObject root)
        {
            throw new ConfigException("a config must be a JSON object");
        }

        try
        {
            Merge(root, overrides);
        }
        catch (ArgumentException)
        {
            // JsonObject refuses a file with a repeated key when it materialises it.
            throw new ConfigException("the config repeats a key");
        }

        return root.ToJsonString();
    }

    /// <summary>Parses, validates and resolves a config from JSON text (a relative <c>env.assembly</c>: from the current folder).</summary>
    public static TrainConfig Parse(string json) => Parse(json, null);

    /// <summary>Parses, validates and resolves a config whose relative <c>env.assembly</c> lies under <paramref name="baseDirectory"/>.</summary>
    private static TrainConfig Parse(string json, string? baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonTypeInfo<TrainConfig> info = ConfigJson.TrainConfig;
        try
        {
            using (JsonDocument doc = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            }))
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ConfigException("a config must be a JSON object");
                }

                CheckKeys(doc.RootElement, info, string.Empty);
            }

            TrainConfig? config = JsonSerializer.Deserialize(json, info);
            config = config ?? throw new ConfigException("a config must be a JSON object");
            return (baseDirectory is null ? config : config with { Env = config.Env.WithAssemblyFrom(baseDirectory) }).Resolve();
        }
        catch (JsonException e)
        {
            throw new ConfigException(Describe(e, json));
        }
    }

    /// <summary>The config as indented snake_case JSON (the run folder's config.json).</summary>
    public static string ToJson(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return JsonSerializer.Serialize(config, ConfigJson.TrainConfig) + "\n";
    }

    /// <summary>
    /// Rejects keys that no property of the target type takes, and duplicate keys, recursively; errors name the
    /// full dotted path.
    /// </summary>
    private static void CheckKeys(JsonElement element, JsonTypeInfo info, string prefix)
    {
        if (info.Kind != JsonTypeInfoKind.Object || element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty p in element.EnumerateObject())
        {
            string key = prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}";
            if (!seen.Add(p.Name))
            {
                throw new ConfigException($"duplicate config key '{key}'");
            }

            JsonPropertyInfo? prop = Find(info, p.Name)
                ?? throw new ConfigException($"unknown config key '{key}'");
            CheckKeys(p.Value, info.Options.GetTypeInfo(prop.PropertyType), key);
        }
    }

    private static JsonPropertyInfo? Find(JsonTypeInfo info, string name)
    {
        foreach (JsonPropertyInfo p in info.Properties)
        {
            if (p.Name == name)
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>
    /// Turns a deserialisation error into "config key 'a.b' ..." using the error's JSON path; valid JSON nested deeper
    /// than the reader's limit is called that, not "not valid JSON".
    /// </summary>
    private static string Describe(JsonException e, string json)
    {
        if (JsonNesting.Depth(json) is int depth && depth > JsonNesting.MaxDepth)
        {
            return $"config is nested {depth} levels deep; the limit is {JsonNesting.MaxDepth}";
        }

        if (e.Path is null or "$")
        {
            return e.LineNumber is long line
                ? $"config is not valid JSON (line {line + 1}, byte {e.BytePositionInLine + 1})"
                : "config is not valid JSON";
        }

        string key = e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
        string? expected = ExpectedType(key);
        return expected is null
            ? $"config key '{key}' has an invalid value"
            : $"config key '{key}' must be {expected}";
    }

    /// <summary>What the key at a dotted path expects, in words (null when the path does not lead to a property).</summary>
    private static string? ExpectedType(string key)
    {
        JsonTypeInfo info = ConfigJson.TrainConfig;
        bool element = false;
        Type? type = null;
        foreach (string raw in key.Split('.'))
        {
            int bracket = raw.IndexOf('[', StringComparison.Ordinal);
            string name = bracket < 0 ? raw : raw[..bracket];
            element = bracket >= 0;
            JsonPropertyInfo? prop = Find(info, name);
            if (prop is null)
            {
                return null;
            }

            type = prop.PropertyType;
            info = info.Options.GetTypeInfo(type);
        }

        if (type is null)
        {
            return null;
        }

        if (element && type.IsArray)
        {
            type = type.GetElementType();
        }

        Type t = Nullable.GetUnderlyingType(type!) ?? type!;
        return t switch
        {
            _ when t == typeof(int) => "an integer",
            _ when t == typeof(long) => "an integer",
            _ when t == typeof(double) => "a number",
            _ when t == typeof(bool) => "true or false",
            _ when t == typeof(string) => "a string",
            _ when t == typeof(int[]) => "a list of integers",
            _ => "an object",
        };
    }
}
