using OnnxBn.Folding;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Loading;

/// <summary>
/// The folded model does not compute what the original computes on the verification inputs, so no session was opened.
/// The message names the output, the worst element and both values; <see cref="Verification"/> has every metric.
/// </summary>
public sealed class FoldVerificationException(string source, FoldReport fold, EquivalenceReport verification)
    : Exception($"folding {source} changed what it computes; no session was opened. {verification.FailureMessage}")
{
    /// <summary>The model's path or label.</summary>
    public string Model { get; } = source;

    /// <summary>What the fold did.</summary>
    public FoldReport Fold { get; } = fold;

    /// <summary>The failed comparison.</summary>
    public EquivalenceReport Verification { get; } = verification;
}
