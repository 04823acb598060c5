using System.Text.Json.Serialization;

namespace BoMrl.Configuration;

/// <summary>
/// JSON options of <see cref="TrainConfig"/>: the same conventions as the run files' source-generated JSON (Runs.RunFilesJson), but
/// reflection-based, because the source generator sets init-only properties through a constructor-like path that
/// replaces missing keys by default(T) instead of the properties' initialisers (the config's defaults).
/// </summary>
internal static class ConfigJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<TrainConfig> TrainConfig { get; } =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<TrainConfig>)Options.GetTypeInfo(typeof(TrainConfig));
}
