using System.Diagnostics;

namespace OnnxBn.Serving.Http;

/// <summary>Counts every /predict answer by status code and records how long it took.</summary>
internal sealed class RequestMetrics(RequestDelegate next, ServingMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            metrics.Request(context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }
}
