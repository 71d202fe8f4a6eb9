using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Loading;

/// <summary>
/// Folds a model in memory as it is loaded, checks the result against the original through ONNX Runtime, and opens
/// it as the official <see cref="InferenceSession"/>: <c>using var folded = FoldOnLoad.Open("model.onnx");</c>.
/// Nothing is written to disk.
/// </summary>
/// <remarks>
/// Exceptions: <see cref="OnnxModelException"/> for a model that cannot be read (missing, not ONNX, external data
/// missing or outside the model's folder); <see cref="FoldVerificationException"/> when the folded model differs
/// (unless <see cref="FoldOnLoadOptions.AllowNotEquivalent"/>); <see cref="ModelLoadException"/> or
/// <see cref="Inputs.InputMismatchException"/> when the check itself cannot run; <see cref="OnnxRuntimeException"/>
/// when ONNX Runtime rejects the folded model or the session options. A model must fit in 2 GiB once its external
/// data is inlined, the limit of a session created from memory.
/// </remarks>
public static class FoldOnLoad
{
    /// <summary>Loads a model file (external data next to it), folds, verifies and opens it.</summary>
    public static FoldedSession Open(string modelPath, FoldOnLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        options ??= new FoldOnLoadOptions();
        return FoldAndOpen(OnnxModel.Load(modelPath, options.Load), modelPath, options);
    }

    /// <summary>
    /// Reads a model from a stream (to its end; the stream stays open), folds, verifies and opens it. External data is
    /// resolved against <see cref="FoldOnLoadOptions.BaseDirectory"/>.
    /// </summary>
    public static FoldedSession Open(Stream model, FoldOnLoadOptions? options = null, string source = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new FoldOnLoadOptions();
        return FoldAndOpen(OnnxModel.Load(model, options.BaseDirectory), source, options);
    }

    /// <summary>Folds a copy of an in-memory model (<paramref name="model"/> itself is left as it was), verifies and opens it.</summary>
    public static FoldedSession Open(OnnxModel model, FoldOnLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return FoldAndOpen(model.Clone(), model.SourcePath ?? "<memory>", options ?? new FoldOnLoadOptions());
    }

    /// <summary>Folds <paramref name="model"/> in place (it is ours alone), then checks and opens the result.</summary>
    private static FoldedSession FoldAndOpen(OnnxModel model, string source, FoldOnLoadOptions options)
    {
        // Serialized before the fold edits the graph: the reference the folded model is checked against.
        var original = options.Verify ? ModelSource.FromModel(model, source) : null;
        var fold = FoldPass.Run(model, options.Fold);
        var folded = model.ToBytes();

        EquivalenceReport? verification = null;
        if (original is not null)
        {
            verification = EquivalenceChecker.Compare(original, ModelSource.FromBytes(folded, $"{source} (folded)"),
                options.Verification);
            if (!verification.IsEquivalent && !options.AllowNotEquivalent)
                throw new FoldVerificationException(source, fold, verification);
        }
        return new FoldedSession(OpenSession(folded, options.SessionOptions), source, fold, verification);
    }

    private static InferenceSession OpenSession(byte[] model, SessionOptions? options)
    {
        if (options is not null)
            return new InferenceSession(model, options);
        using var defaults = new SessionOptions();
        return new InferenceSession(model, defaults);
    }
}
