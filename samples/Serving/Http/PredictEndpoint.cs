using System.Text.Json;
using Microsoft.Extensions.Options;
using OnnxBn.Serving.Codecs;
using OnnxBn.Serving.Inference;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Http;

/// <summary>
/// <c>POST /predict</c>: a JSON or binary request in, the model's outputs out in the same format (or the one the
/// Accept header names). The model is leased for the whole request, so a reload never changes it mid-answer.
/// </summary>
internal static class PredictEndpoint
{
    public static async Task HandleAsync(HttpContext context, ModelHolder holder, Predictor predictor, IOptions<ServingOptions> options)
    {
        var limits = options.Value;
        var binary = IsBinaryRequest(context.Request);
        using var lease = holder.Lease();
        var model = lease.Model;
        var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        var tensors = binary
            ? [BinaryTensorCodec.Read(context.Request.Headers, body, model.Signature, limits.MaxElements)]
            : JsonTensorReader.Read(body, model.Signature, limits.MaxElements);
        var inputs = InputValidator.InModelOrder(tensors, model.Signature, limits.MaxElements);
        var outputs = predictor.Predict(model, inputs);

        context.Response.Headers["X-Model-Generation"] = model.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (WantsBinary(context.Request, binary))
        {
            var output = BinaryTensorCodec.Choose(context.Request.Headers, outputs);
            BinaryTensorCodec.Describe(context.Response.Headers, output);
            context.Response.ContentType = BinaryTensorCodec.MediaType;
            context.Response.ContentLength = output.Data.Length;
            await context.Response.Body.WriteAsync(output.Data, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            JsonTensorWriter.Write(writer, model.Generation, outputs);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private static bool IsBinaryRequest(HttpRequest request)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            BinaryTensorCodec.MediaType or "application/octet-stream" => true,
            "application/json" => false,
            null or "" => throw new BadRequestException(
                $"no Content-Type: send application/json or {BinaryTensorCodec.MediaType}"),
            _ when mediaType.EndsWith("+json", StringComparison.Ordinal) => false,
            _ => throw new BadRequestException(
                $"Content-Type {Quote.Name(mediaType)} is not supported: send application/json or {BinaryTensorCodec.MediaType}"),
        };
    }

    /// <summary>Binary when the client accepts it explicitly, or sent binary and did not ask for JSON.</summary>
    private static bool WantsBinary(HttpRequest request, bool binaryRequest)
    {
        var accept = request.Headers.Accept.ToString();
        if (accept.Contains(BinaryTensorCodec.MediaType, StringComparison.OrdinalIgnoreCase) ||
            accept.Contains("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            return true;
        return binaryRequest && !accept.Contains("json", StringComparison.OrdinalIgnoreCase);
    }
}
