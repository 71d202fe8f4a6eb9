using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Loading;

namespace OnnxBn.Serving.Models;

/// <summary>
/// A folded, verified model ready to run, with a reference count: the <see cref="ModelHolder"/> owns one reference
/// while the model is live and each request owns one while it runs, so a swapped-out session is disposed only when
/// its last in-flight request has finished.
/// </summary>
public sealed class ServedModel
{
    private int _references = 1;

    private readonly FoldedSession _folded;

    internal ServedModel(FoldedSession folded, ModelSignature signature, string sha256, string foldSummary)
    {
        _folded = folded;
        Signature = signature;
        Sha256 = sha256;
        FoldSummary = foldSummary;
    }

    /// <summary>The official ONNX Runtime session of the folded model (use it only while holding a lease).</summary>
    public InferenceSession Session => _folded.Session;

    /// <summary>Inputs and outputs, as requests see them.</summary>
    public ModelSignature Signature { get; }

    /// <summary>SHA-256 of the file bytes the model was loaded from (lower-case hex).</summary>
    public string Sha256 { get; }

    /// <summary>What folding did ("3 folded, 0 kept").</summary>
    public string FoldSummary { get; }

    /// <summary>1 for the model loaded at start, then one more for every reload that was applied.</summary>
    public long Generation { get; internal set; }

    /// <summary>Takes a reference; false when the model is already released (the caller must look again).</summary>
    internal bool TryAddReference()
    {
        for (var seen = Volatile.Read(ref _references); seen > 0; seen = Volatile.Read(ref _references))
        {
            if (Interlocked.CompareExchange(ref _references, seen + 1, seen) == seen)
                return true;
        }
        return false;
    }

    /// <summary>Drops a reference; the last one disposes the session.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
            _folded.Dispose();
    }

    /// <summary>Whether the session was disposed (every reference released).</summary>
    internal bool IsReleased => Volatile.Read(ref _references) == 0;
}

/// <summary>A request's hold on a <see cref="ServedModel"/>; disposing it releases the reference.</summary>
public sealed class ModelLease : IDisposable
{
    private ServedModel? _model;

    internal ModelLease(ServedModel model) => _model = model;

    /// <summary>The model, alive until this lease is disposed.</summary>
    public ServedModel Model => _model ?? throw new ObjectDisposedException(nameof(ModelLease));

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _model, null)?.Release();
}
