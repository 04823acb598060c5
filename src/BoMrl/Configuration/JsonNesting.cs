using System.Text.Json;

namespace BoMrl.Configuration;

/// <summary>How deeply a JSON text nests, to tell "nested too deeply" from "not valid JSON".</summary>
internal static class JsonNesting
{
    /// <summary>The nesting limit of System.Text.Json's readers (JsonDocumentOptions.MaxDepth, JsonSerializerOptions.MaxDepth: 0 means 64).</summary>
    public const int MaxDepth = 64;

    /// <summary>The deepest nesting of <paramref name="json"/> when it is well-formed JSON at any depth, else null.</summary>
    public static int? Depth(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = int.MaxValue,
        });
        int max = 0;
        try
        {
            while (reader.Read())
            {
                max = Math.Max(max, reader.CurrentDepth + (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray ? 1 : 0));
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return max;
    }
}
