using OnnxBn.Serving.Codecs;

namespace OnnxBn.Serving.Http;

/// <summary>Reads a request body into memory, never more than the configured limit.</summary>
internal static class RequestBody
{
    /// <summary>The whole body.</summary>
    /// <exception cref="BadRequestException">The body is larger than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared)
        {
            if (declared > maxBytes)
                throw TooLarge(maxBytes);
            var exact = new byte[declared];
            await request.Body.ReadExactlyAsync(exact, cancellationToken).ConfigureAwait(false);
            return exact;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static BadRequestException TooLarge(long maxBytes) => new($"the request body is larger than the limit of {maxBytes} bytes");
}
