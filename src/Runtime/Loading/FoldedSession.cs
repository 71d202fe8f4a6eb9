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
    internal FoldedSession(InferenceSession session, string source, FoldReport fold, EquivalenceReport? verification)
    {
        Session = session;
        Source = source;
        Fold = fold;
        Verification = verification;
    }

    /// <summary>The official ONNX Runtime session of the folded model, created from memory (no file was written).</summary>
    public InferenceSession Session { get; }

    /// <summary>The model's path, or a label for a stream or an in-memory model.</summary>
    public string Source { get; }

    /// <summary>Where each BatchNormalization went, or why it stayed, and the parameter counts before and after.</summary>
    public FoldReport Fold { get; }

    /// <summary>The folded model against the original through ONNX Runtime; null when verification was off.</summary>
    public EquivalenceReport? Verification { get; }

    /// <summary>Releases the session.</summary>
    public void Dispose() => Session.Dispose();
}
