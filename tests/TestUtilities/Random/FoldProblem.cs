using OnnxBn.Folding;

namespace OnnxBn.TestUtilities.Random;

/// <summary>The linear op a generated problem folds into (or out of).</summary>
public enum LinearKind
{
    Conv,
    ConvTranspose,
    Gemm,
    MatMul,
    /// <summary>MatMul followed by an Add of a constant bias (PyTorch/tf2onnx Dense).</summary>
    MatMulAdd,
}

/// <summary>Where the BN sits relative to the linear op.</summary>
public enum BnPosition
{
    /// <summary>Linear → BN: backward folding into the producer.</summary>
    After,
    /// <summary>BN → Linear: forward folding into the consumer.</summary>
    Before,
}

/// <summary>How each per-channel affine op is spelled.</summary>
public enum AffineForm
{
    BatchNormalization,
    /// <summary>tf2onnx's Keras BN on rank &lt; 4: Mul by a constant then Add a constant.</summary>
    MulAdd,
}

/// <summary>The shape of Gemm's C input.</summary>
public enum GemmC
{
    None,
    Scalar,
    /// <summary>[N]</summary>
    Vector,
    /// <summary>[1, N]</summary>
    Row,
    /// <summary>[M, N]</summary>
    Full,
}

/// <summary>What sits between the BN and its input on the way to or from the linear op.</summary>
public enum Reshaping
{
    None,
    Flatten,
    /// <summary>Reshape to [0, -1], the same as Flatten(axis=1).</summary>
    Reshape,
    /// <summary>
    /// PyTorch's <c>x.view(x.size(0), -1)</c>: Reshape to a shape computed at run time from Shape(x) → Gather →
    /// [Unsqueeze] → Concat with -1 or K, in one of the forms the exporter writes (drawn per problem).
    /// </summary>
    DynamicView,
}

/// <summary>
/// One generated folding problem: a linear op (with every attribute that matters for folding), BN(s) before or
/// after it, and what the issue's spec says the fold pass must do with them. <see cref="FoldProblemBuilder"/> turns
/// it into a model and inputs; <see cref="ToString"/> is the reproduction recipe printed on failure.
/// </summary>
public sealed record FoldProblem
{
    /// <summary>The seed everything (structure, weights, inputs) was drawn from.</summary>
    public required int Seed { get; init; }

    /// <summary>The family that generated it (for messages).</summary>
    public required string Family { get; init; }

    public required LinearKind Kind { get; init; }

    public required BnPosition Position { get; init; }

    public OnnxDataType ElementType { get; init; } = OnnxDataType.Float;

    public AffineForm Affine { get; init; } = AffineForm.BatchNormalization;

    /// <summary>How many affine ops in a row (a BN→BN chain when &gt; 1).</summary>
    public int AffineCount { get; init; } = 1;

    /// <summary>Batch size N (Conv) or rows M (Gemm/MatMul).</summary>
    public long Batch { get; init; } = 1;

    /// <summary>Input channels (Conv) or features K (Gemm/MatMul).</summary>
    public long InChannels { get; init; }

    /// <summary>Output channels (Conv) or features N (Gemm/MatMul).</summary>
    public long OutChannels { get; init; }

    /// <summary>Conv: input spatial dims (1-D/2-D/3-D). Forward Gemm after Flatten: the [H, W] the BN sees.</summary>
    public long[] Spatial { get; init; } = [];

    public long[] Kernel { get; init; } = [];

    public long Group { get; init; } = 1;

    public string AutoPad { get; init; } = "NOTSET";

    /// <summary>Begin pads then end pads (ONNX order); all zero when empty.</summary>
    public long[] Pads { get; init; } = [];

    public long[] Strides { get; init; } = [];

    public long[] Dilations { get; init; } = [];

    public long[] OutputPadding { get; init; } = [];

    /// <summary>Conv/ConvTranspose bias, or MatMul+Add's Add.</summary>
    public bool Bias { get; init; }

    public bool TransB { get; init; }

    public float Alpha { get; init; } = 1f;

    public float Beta { get; init; } = 1f;

    public GemmC C { get; init; } = GemmC.None;

    /// <summary>MatMul over a rank-3 input [Batch, T, K]: BN then normalizes T, which is not the feature axis.</summary>
    public long MatMulLeadingDim { get; init; }

    /// <summary>An activation right after the input (forward) or after the last BN (backward); null for none.</summary>
    public string? Activation { get; init; }

    /// <summary>An activation between the linear op and the BN: no rule may fold across it.</summary>
    public string? ActivationBetween { get; init; }

    public Reshaping Reshaping { get; init; }

    /// <summary>How many affine ops the spec requires to be folded (given every rule of the issue exists).</summary>
    public required int MustFold { get; init; }

    /// <summary>True when folding any affine op would be wrong (padded forward Conv, activation in between, ...).</summary>
    public bool MustKeepAll => MustFold == 0;

    /// <summary>The op type that marks one affine op (to count how many the pass removed).</summary>
    public string AffineMarker => Affine == AffineForm.BatchNormalization ? "BatchNormalization" : "Mul";

    public override string ToString()
    {
        var parts = new List<string> { $"seed={Seed}", Family, Kind.ToString(), $"BN {Position} x{AffineCount} ({Affine})", ElementType.ToString() };
        parts.Add($"batch={Batch} in={InChannels} out={OutChannels}");
        if (Spatial.Length > 0) parts.Add($"spatial=[{string.Join(",", Spatial)}]");
        if (Kind is LinearKind.Conv or LinearKind.ConvTranspose)
            parts.Add($"kernel=[{string.Join(",", Kernel)}] group={Group} auto_pad={AutoPad} pads=[{string.Join(",", Pads)}] strides=[{string.Join(",", Strides)}] dilations=[{string.Join(",", Dilations)}] output_padding=[{string.Join(",", OutputPadding)}]");
        if (Kind == LinearKind.Gemm) parts.Add($"transB={TransB} alpha={Alpha} beta={Beta} C={C}");
        if (MatMulLeadingDim > 0) parts.Add($"matmul rank 3 (T={MatMulLeadingDim})");
        parts.Add($"bias={Bias}");
        if (Activation is not null) parts.Add($"activation={Activation}");
        if (ActivationBetween is not null) parts.Add($"activation between={ActivationBetween}");
        if (Reshaping != Reshaping.None) parts.Add(Reshaping.ToString());
        parts.Add($"must fold={MustFold}");
        return string.Join("; ", parts);
    }
}
