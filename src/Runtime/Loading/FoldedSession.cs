using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Loading;

/// <summary>
/// A folded model opened as the official <see cref="InferenceSession"/>, with the fold report and, when verified, the
/// comparison against the original. Disposing it disposes the session.
/// </summary>
public sealed class FoldedSession : IDisposable
{
    private readonly InferenceSession _session;
    private int _disposed;

    internal FoldedSession(InferenceSession session, string source, FoldReport fold, EquivalenceReport? verification)
    {
        _session = session;
        Source = source;
        Fold = fold;
        Verification = verification;
    }

    /// <summary>The official ONNX Runtime session of the folded model, created from memory (no file was written).</summary>
    /// <exception cref="ObjectDisposedException">This folded session was disposed (the official session crashes the
    /// process when used after disposal, so it is not handed out any more).</exception>
    public InferenceSession Session
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _session;
        }
    }

    /// <summary>The model's path, or a label for a stream or an in-memory model.</summary>
    public string Source { get; }

    /// <summary>Where each BatchNormalization went, or why it stayed, and the parameter counts before and after.</summary>
    public FoldReport Fold { get; }

    /// <summary>The folded model against the original through ONNX Runtime; null when verification was off.</summary>
    public EquivalenceReport? Verification { get; }

    /// <summary>Releases the session; disposing twice is harmless.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _session.Dispose();
    }
}
