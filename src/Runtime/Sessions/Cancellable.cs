using Microsoft.ML.OnnxRuntime;

namespace OnnxBn.Runtime.Sessions;

/// <summary>
/// Runs ONNX Runtime with a <see cref="CancellationToken"/>: cancelling sets <see cref="RunOptions.Terminate"/>, which
/// ONNX Runtime checks between nodes, and the failure it then reports becomes an <see cref="OperationCanceledException"/>.
/// </summary>
public static class Cancellable
{
    /// <summary>Runs <paramref name="run"/> with fresh run options that <paramref name="cancellationToken"/> terminates.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before or during the run.</exception>
    public static T Run<T>(CancellationToken cancellationToken, Func<RunOptions, T> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        if (!cancellationToken.CanBeCanceled)
            return run(runOptions);
        // Declared after the options, so disposed first: Dispose waits for a running callback, so the callback
        // never touches disposed options.
        using var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
        try
        {
            return run(runOptions);
        }
        catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The run was cancelled.", ex, cancellationToken);
        }
    }
}
