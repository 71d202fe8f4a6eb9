namespace OnnxBn.Folding;

/// <summary>Which directions the fold pass may fold a BatchNormalization in.</summary>
public enum FoldDirections
{
    /// <summary>Into the producing linear op first, else into the consuming ones.</summary>
    Both,
    /// <summary>Only into the linear op that produces the BN's input (what ONNX Runtime and onnxoptimizer do).</summary>
    BackwardOnly,
    /// <summary>Only into the linear ops that consume the BN's output.</summary>
    ForwardOnly,
}

/// <summary>Options of <see cref="FoldPass"/>.</summary>
public sealed record FoldOptions
{
    /// <summary>
    /// Where a BN may be folded: into its producer, its consumers, or both (the default, backward tried first).
    /// </summary>
    public FoldDirections Directions { get; init; } = FoldDirections.Both;

    /// <summary>Rewrite each BN that cannot be folded as one Mul and one Add with precomputed s and t.</summary>
    public bool LowerUnfolded { get; init; }

    /// <summary>
    /// Before folding, treat initializers that are also graph inputs as constants and remove them from the inputs
    /// (<see cref="Graph.FreezeInitializerInputs"/>; the IR version is raised to 4, the first that allows
    /// initializers outside the inputs). Off by default for IR 4 and later: such an input is a default the caller may
    /// override. Models of IR version 1–3 are always frozen: that IR required every initializer to be an input, and
    /// ONNX Runtime runs them as constants (<see cref="FoldReport.FreezeReason"/> says so).
    /// </summary>
    public bool FreezeInitializerInputs { get; init; }
}
