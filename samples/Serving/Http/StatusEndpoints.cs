using OnnxBn.Folding;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Http;

/// <summary><c>GET /healthz</c> (the process answers), <c>/readyz</c> (a model is live and warm) and <c>/model</c>.</summary>
internal static class StatusEndpoints
{
    public static IResult Health() => Results.Json(new { status = "alive" });

    public static IResult Ready(ModelLifecycle lifecycle, ModelHolder holder, IHostApplicationLifetime lifetime)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            return Results.Json(new { status = "stopping" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        return lifecycle.IsReady && holder.Current is { } model
            ? Results.Json(new { status = "ready", generation = model.Generation })
            : Results.Json(new { status = "loading" }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public static IResult Model(ModelHolder holder, ModelLifecycle lifecycle)
    {
        if (holder.Current is not { } model)
            return Results.Json(new { error = "the model is not loaded yet" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        return Results.Json(new
        {
            generation = model.Generation,
            sha256 = model.Sha256,
            fold = model.FoldSummary,
            inputs = model.Signature.Inputs.Select(Port),
            outputs = model.Signature.Outputs.Select(Port),
            lastReload = lifecycle.LastReload is { } reload
                ? new { applied = reload.Applied, reason = reload.Reason, at = reload.At }
                : null,
        });
    }

    private static object Port(OnnxBn.Runtime.Sessions.SessionPort port) =>
        new { name = port.Name, type = port.ElementType.DisplayName(), shape = port.ShapeText };
}
