namespace OnnxBn.Training.Surgery;

/// <summary>How a linear layer is written in the graph (decides how new weights are written back).</summary>
public enum LinearForm
{
    /// <summary>Gemm(x, B, C) with alpha, beta and transB.</summary>
    Gemm,
    /// <summary>MatMul(x, W) with W [in, out], optionally followed by Add(·, b).</summary>
    MatMul,
}

/// <summary>
/// A dense layer found in a graph: y = act(x·Wᵀ + b) with <see cref="Weights"/> as <see cref="Outputs"/> rows of
/// <see cref="Inputs"/> (Gemm's alpha and beta already applied), the activation that follows it (an ONNX op name, or
/// null), and the graph values and nodes it spans.
/// </summary>
public sealed record LinearLayer(
    string Name,
    LinearForm Form,
    string Input,
    string Output,
    int Inputs,
    int Outputs,
    float[] Weights,
    float[]? Bias,
    string? ActivationOp,
    float ActivationAlpha,
    float ActivationGamma)
{
    /// <summary>The value the Gemm or MatMul node writes (identifies the node: values have one producer).</summary>
    public required string LinearOutput { get; init; }

    /// <summary>The value the bias Add writes, for <see cref="LinearForm.MatMul"/> with a bias; else null.</summary>
    public string? BiasOutput { get; init; }
}
