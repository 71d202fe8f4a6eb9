using System.Text.Json;

namespace OnnxBn.Serving.Codecs;

/// <summary>
/// Strings of a request body as .NET text. System.Text.Json parses invalid UTF-8 inside a string, and escapes of lone
/// surrogates (<c>"\ud800"</c>), without complaint and only fails when the string is transcoded, with an
/// <see cref="InvalidOperationException"/> that would otherwise surface as a 500.
/// </summary>
internal static class JsonText
{
    /// <summary>The value of a string element.</summary>
    /// <exception cref="BadRequestException">The string is not valid text.</exception>
    public static string Of(JsonElement value) => Transcode(value.GetString);

    /// <summary>The name of a property.</summary>
    /// <exception cref="BadRequestException">The name is not valid text.</exception>
    public static string NameOf(JsonProperty property) => Transcode(() => property.Name);

    private static string Transcode(Func<string?> read)
    {
        try
        {
            return read() ?? "";
        }
        catch (InvalidOperationException ex)
        {
            throw new BadRequestException($"the body holds a string that is not valid text (invalid UTF-8 or a lone surrogate escape): {ex.Message}");
        }
    }
}
