using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace OnnxBn.Serving.Models;

/// <summary>
/// Loads the model at start (the service is ready once it has been folded, verified and warmed up), then, when
/// watching, reloads it on every change of the file: a candidate replaces the live model only if it loads, folds,
/// verifies and keeps the live model's signature; otherwise the live model keeps serving and the refusal is logged,
/// counted and shown at /model.
/// </summary>
public sealed partial class ModelLifecycle(
    ModelHolder holder,
    ModelLoader loader,
    IOptions<ServingOptions> options,
    ServingMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<ModelLifecycle> logger) : BackgroundService
{
    private readonly ServingOptions _options = options.Value;
    private volatile ReloadOutcome? _lastReload;

    /// <summary>True once the first model is live.</summary>
    public bool IsReady => holder.Current is not null;

    /// <summary>What the last reload attempt did, or null before the first.</summary>
    public ReloadOutcome? LastReload => _lastReload;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: Kestrel answers /healthz (and /readyz with 503) while the model loads.
        await Task.Yield();
        using var watcher = _options.Watch
            ? new ReloadWatcher(_options.Model, TimeSpan.FromMilliseconds(_options.PollIntervalMilliseconds),
                TimeSpan.FromMilliseconds(_options.DebounceMilliseconds))
            : null;
        if (!LoadInitial())
        {
            Environment.ExitCode = 3;
            lifetime.StopApplication();
            return;
        }
        if (watcher is null)
            return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await watcher.WaitForChangeAsync(stoppingToken).ConfigureAwait(false);
                Reload();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // The server has stopped and drained its requests by now; a request still holding a lease keeps its session.
        holder.Dispose();
    }

    private bool LoadInitial()
    {
        try
        {
            var model = loader.Load(File.ReadAllBytes(_options.Model));
            holder.Swap(model);
            LogLoaded(_options.Model, model.Signature.ToString(), model.FoldSummary, model.Sha256[..12]);
            return true;
        }
        catch (Exception ex) when (ex is ModelRejectedException or IOException or UnauthorizedAccessException)
        {
            LogInitialFailure(_options.Model, ex.Message);
            return false;
        }
        catch (Exception ex)
        {
            // A bug on the load path (a fold rule, the checker) must not take the process down unexplained.
            LogLoadBug(_options.Model, ex);
            LogInitialFailure(_options.Model, $"unexpected failure while loading: {ex.Message}");
            return false;
        }
    }

    private void Reload()
    {
        if (TryReload() is not { } outcome)
            return;
        _lastReload = outcome;
        metrics.Reload(outcome.Applied);
        if (outcome.Applied)
            LogReloaded(_options.Model, outcome.Generation, outcome.Sha256 ?? "");
        else
            LogRejected(_options.Model, outcome.Reason);
    }

    /// <summary>The attempt's outcome, or null when the file holds the live model's bytes (touched, not changed).</summary>
    private ReloadOutcome? TryReload()
    {
        byte[] bytes;
        try
        {
            // Read once: what is verified is exactly what serves, whatever happens to the file afterwards.
            bytes = File.ReadAllBytes(_options.Model);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ReloadOutcome.Rejected($"cannot read the file: {ex.Message}");
        }
        if (holder.Current?.Sha256 == Convert.ToHexStringLower(SHA256.HashData(bytes)))
            return null;
        ServedModel candidate;
        try
        {
            candidate = loader.Load(bytes);
        }
        catch (ModelRejectedException ex)
        {
            return ReloadOutcome.Rejected(ex.Message);
        }
        catch (Exception ex)
        {
            // A candidate that trips a bug on the load path is refused like any other; the live model keeps serving.
            LogLoadBug(_options.Model, ex);
            return ReloadOutcome.Rejected($"unexpected failure while loading: {ex.Message}");
        }
        if (holder.Current is { } live && live.Signature.Difference(candidate.Signature) is { } difference)
        {
            candidate.Release();
            return ReloadOutcome.Rejected($"the signature changed: {difference}");
        }
        var generation = holder.Swap(candidate);
        return new ReloadOutcome(true, generation, candidate.Sha256, "applied", DateTimeOffset.UtcNow);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Path}: {Signature} ({Fold}, sha256 {Sha}…)")]
    private partial void LogLoaded(string path, string signature, string fold, string sha);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot serve {Path}: {Reason}")]
    private partial void LogInitialFailure(string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure while loading {Path}")]
    private partial void LogLoadBug(string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded {Path}: generation {Generation}, sha256 {Sha}")]
    private partial void LogReloaded(string path, long generation, string sha);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reload of {Path} rejected, the previous model keeps serving: {Reason}")]
    private partial void LogRejected(string path, string reason);
}

/// <summary>What one reload attempt did.</summary>
/// <param name="Applied">Whether the candidate replaced the live model.</param>
/// <param name="Generation">The generation it got when applied (0 otherwise).</param>
/// <param name="Sha256">SHA-256 of the applied file, or null.</param>
/// <param name="Reason">"applied", or why the candidate was refused.</param>
/// <param name="At">When the attempt ended.</param>
public sealed record ReloadOutcome(bool Applied, long Generation, string? Sha256, string Reason, DateTimeOffset At)
{
    /// <summary>A refused candidate.</summary>
    public static ReloadOutcome Rejected(string reason) => new(false, 0, null, reason, DateTimeOffset.UtcNow);
}
