using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Loading;

/// <summary>
/// How <see cref="FoldOnLoad"/> folds, checks and opens a model. The defaults fold every BN that folds exactly and
/// verify the folded model against the original on <see cref="RandomInputSource.DefaultSamples"/> seeded random
/// samples (seed 0) with the tolerances of <see cref="EquivalenceOptions"/>, throwing
/// <see cref="FoldVerificationException"/> when they differ.
/// </summary>
public sealed record FoldOnLoadOptions
{
    /// <summary>What to fold (directions, lowering of BNs that stay, freezing initializers that are inputs).</summary>
    public FoldOptions Fold { get; init; } = new();

    /// <summary>Runs the original and the folded model through ONNX Runtime and compares them before opening the session.</summary>
    public bool Verify { get; init; } = true;

    /// <summary>
    /// Inputs, tolerances, top-1 agreement and ONNX Runtime settings of the check (graph optimizations disabled by
    /// default, so ONNX Runtime's own fusions cannot hide a difference). <see cref="EquivalenceOptions.Inputs"/> null
    /// means <see cref="RandomInputSource"/> with its defaults; <see cref="GivenInputSource"/> feeds your own tensors.
    /// </summary>
    public EquivalenceOptions Verification { get; init; } = new();

    /// <summary>
    /// Returns the session with the failed report in <see cref="FoldedSession.Verification"/> instead of throwing
    /// <see cref="FoldVerificationException"/> when the folded model is not equivalent.
    /// </summary>
    public bool AllowNotEquivalent { get; init; }

    /// <summary>
    /// The official options of the returned session (execution providers, threads, optimization level); null gives
    /// ONNX Runtime's defaults. The caller keeps ownership: it is not disposed here.
    /// </summary>
    public SessionOptions? SessionOptions { get; init; }

    /// <summary>How a model file's external data is read (only regular files inside the model's folder, by default).</summary>
    public ModelLoadOptions Load { get; init; } = new();

    /// <summary>
    /// Where the external data of a model read from a stream lives (a model file's data is found next to it); null
    /// when the model keeps every tensor inline.
    /// </summary>
    public string? BaseDirectory { get; init; }
}
