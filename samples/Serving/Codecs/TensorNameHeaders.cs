using System.Text;

namespace OnnxBn.Serving.Codecs;

/// <summary>
/// Tensor names in the binary format's headers are UTF-8, as ONNX names are: a model's input may be called
/// <c>入力</c>. HTTP header values are bytes that Kestrel reads as ASCII by default and refuses otherwise, with an
/// empty 400 of its own; so Kestrel hands these headers over byte for byte (Latin-1 maps each byte to one char) and
/// the codec decodes them here, answering a JSON 400 when they are not UTF-8. Answers write them as UTF-8, with
/// control characters (which no header may hold) as <c>%XX</c>.
/// </summary>
internal static class TensorNameHeaders
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Kestrel's request-header decoder: these headers byte for byte, the rest as Kestrel's default.</summary>
    public static Encoding? RequestEncoding(string header) => IsNameHeader(header) ? Encoding.Latin1 : null;

    /// <summary>Kestrel's response-header encoder: the tensor name as UTF-8, the rest as Kestrel's default.</summary>
    public static Encoding? ResponseEncoding(string header) => IsNameHeader(header) ? Encoding.UTF8 : null;

    /// <summary>The name a request header carries, or null when it is absent.</summary>
    /// <exception cref="BadRequestException">The header's bytes are not UTF-8.</exception>
    public static string? Read(IHeaderDictionary headers, string header)
    {
        string? raw = headers[header];
        if (raw is null)
            return null;
        try
        {
            return StrictUtf8.GetString(Encoding.Latin1.GetBytes(raw));
        }
        catch (DecoderFallbackException)
        {
            throw new BadRequestException($"{header} is not UTF-8 text");
        }
    }

    /// <summary><paramref name="name"/> as a header value: UTF-8 text with control characters written as %XX.</summary>
    public static string Write(string name)
    {
        if (!name.Any(char.IsControl))
            return name;
        var text = new StringBuilder(name.Length + 8);
        foreach (var c in name)
            text.Append(char.IsControl(c) ? $"%{(int)c:X2}" : c);
        return text.ToString();
    }

    private static bool IsNameHeader(string header) =>
        header.Equals(BinaryTensorCodec.NameHeader, StringComparison.OrdinalIgnoreCase) ||
        header.Equals(BinaryTensorCodec.OutputHeader, StringComparison.OrdinalIgnoreCase);
}
