using System.Text.Json;
using OnnxBn.Serving.Codecs;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Http;

/// <summary>
/// Turns exceptions into answers: anything the client caused is 400 with <c>{"error": "one-line reason"}</c>, no model
/// (loading, shutting down) is 503, and only what nobody anticipated (a bug) is 500, logged with its stack trace.
/// </summary>
internal sealed partial class ErrorResponses(RequestDelegate next, ILogger<ErrorResponses> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            LogAborted(ex.GetType().Name);
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            var (status, reason) = Classify(ex);
            if (status == StatusCodes.Status500InternalServerError)
                LogBug(ex);
            context.Response.Clear();
            await WriteAsync(context.Response, status, reason).ConfigureAwait(false);
        }
    }

    /// <summary>Writes <c>{"error": reason}</c> with <paramref name="status"/>.</summary>
    public static Task WriteAsync(HttpResponse response, int status, string reason)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (status == StatusCodes.Status503ServiceUnavailable)
            response.Headers.RetryAfter = "1";
        return response.WriteAsync(JsonSerializer.Serialize(new { error = reason }, ErrorJson.Options));
    }

    private static (int Status, string Reason) Classify(Exception ex) => ex switch
    {
        BadRequestException bad => (StatusCodes.Status400BadRequest, bad.Message),
        // Kestrel's own refusals while reading the body: over the size limit, malformed chunking, a stalled upload.
        BadHttpRequestException http => (StatusCodes.Status400BadRequest, OneLine(http.Message)),
        ModelUnavailableException unavailable => (StatusCodes.Status503ServiceUnavailable, unavailable.Message),
        // A swapped-out session disposed under a request that did not lease it cannot happen; shutdown can.
        ObjectDisposedException => (StatusCodes.Status503ServiceUnavailable, "the service is shutting down"),
        _ => (StatusCodes.Status500InternalServerError, "internal error (logged)"),
    };

    private static string OneLine(string text) =>
        string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure while answering a request")]
    private partial void LogBug(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request aborted by the client ({Exception})")]
    private partial void LogAborted(string exception);
}

/// <summary>One serializer setup for the service's small JSON answers.</summary>
internal static class ErrorJson
{
    // Reasons quote names ('input'): keep them readable instead of \u0027-escaped (the body is never HTML).
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
