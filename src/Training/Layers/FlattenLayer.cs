namespace OnnxBn.Training;

/// <summary>
/// Keras' Flatten. Examples are already stored as flat rows, so this is the identity on values; it marks where a
/// multi-dimensional feature map becomes a vector (exported as ONNX Flatten(axis=1)).
/// </summary>
public sealed class FlattenLayer(int size, string? name = null) : Layer(name ?? "flatten", size, size)
{
    /// <inheritdoc />
    public override string Describe() => "Flatten";

    /// <inheritdoc />
    internal override void Forward(ReadOnlySpan<float> input, int batch, Span<float> output, bool training) =>
        input[..(batch * Inputs)].CopyTo(output);

    /// <inheritdoc />
    internal override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, Span<float> outputGradient, int batch,
        Span<float> inputGradient)
    {
        if (!inputGradient.IsEmpty)
            outputGradient[..(batch * Inputs)].CopyTo(inputGradient);
    }
}
