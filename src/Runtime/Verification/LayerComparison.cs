using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// One intermediate tensor compared between the two models: where each model computes it, the fold that rewrote the
/// candidate's node, the error statistics over every run, and with the float64 reference, which part of the error
/// is the fold's and which is ONNX Runtime's rounding.
/// </summary>
public sealed class LayerComparison
{
    /// <summary>Position in the original's topological order among the compared tensors (0 = first).</summary>
    public required int Index { get; init; }

    /// <summary>The tensor's name in the original.</summary>
    public required string Tensor { get; init; }

    /// <summary>The tensor's name in the candidate (equal to <see cref="Tensor"/> when matched by name).</summary>
    public required string CandidateTensor { get; init; }

    /// <summary>How the pair was found.</summary>
    public LayerMatch MatchedBy { get; init; }

    /// <summary>The original node that writes the tensor (its name, or <c>OpType(output)</c> when unnamed).</summary>
    public required string OriginalNode { get; init; }

    /// <summary>The op type of <see cref="OriginalNode"/>.</summary>
    public required string OriginalOp { get; init; }

    /// <summary>The candidate node that writes the tensor.</summary>
    public required string CandidateNode { get; init; }

    /// <summary>The op type of <see cref="CandidateNode"/>.</summary>
    public required string CandidateOp { get; init; }

    /// <summary>The folds that rewrote <see cref="CandidateNode"/> (empty when none did).</summary>
    public IReadOnlyList<BnFate> Folds { get; init; } = [];

    /// <summary>The folds as one line ("bn1 folded backward into conv1"), or null when no fold touched the node.</summary>
    public string? FoldDescription => Folds.Count == 0 ? null : string.Join("; ", Folds.Select(f => $"{f.Node} {f.Description}"));

    /// <summary>The comparison of the two models' values, over every run.</summary>
    public required OutputComparison Comparison { get; init; }

    /// <summary>The errors against the float64 reference, when it ran.</summary>
    public ReferenceErrors? Reference { get; init; }

    /// <summary>For a tensor written by a folded node: the observed difference against the predicted rounding bound.</summary>
    public RoundingCheck? Rounding { get; init; }

    /// <summary>True when the values agree within tolerance (by the chosen statistic).</summary>
    public bool Passed => Comparison.Passed;
}

/// <summary>
/// A tensor's largest errors against the float64 reference evaluation of the original, over every run: they tell
/// the fold's own error (exact arithmetic on the folded weights) from ONNX Runtime's float32 rounding.
/// </summary>
/// <param name="OriginalRounding">max |ORT(original) − float64(original)|: the runtime's rounding of the unfolded model.</param>
/// <param name="FoldError">max |float64(candidate) − float64(original)|: what the fold changed, with no runtime rounding at all.</param>
/// <param name="CandidateError">max |ORT(candidate) − float64(original)|: the candidate's total error.</param>
public sealed record ReferenceErrors(double OriginalRounding, double FoldError, double CandidateError);

/// <summary>
/// The difference at a folded node's output against the rounding a correct fold can cause there
/// (<see cref="RoundingBound"/>): within it the difference is expected float rounding, beyond it the fold is suspect.
/// </summary>
/// <param name="Observed">max |ORT(candidate) − ORT(original)| at the tensor.</param>
/// <param name="Bound">The predicted worst-case difference of a correct fold on these inputs.</param>
public sealed record RoundingCheck(double Observed, double Bound)
{
    /// <summary>True when the observed difference is within the bound.</summary>
    public bool WithinBound => Observed <= Bound;

    /// <summary><c>within expected rounding</c> or <c>suspect</c>.</summary>
    public string Verdict => WithinBound ? "within expected rounding" : "suspect";
}
