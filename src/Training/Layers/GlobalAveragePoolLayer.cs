namespace OnnxBn.Training;

/// <summary>
/// Keras' GlobalAveragePooling2D on ONNX's channels-first layout: [C, H, W] per example (any number of spatial
/// positions S = H·W) becomes [C], the mean of each channel. Exported as GlobalAveragePool followed by Flatten.
/// </summary>
public sealed class GlobalAveragePoolLayer : Layer
{
    /// <summary>Pools <paramref name="channels"/> channels of <paramref name="spatial"/> positions each.</summary>
    public GlobalAveragePoolLayer(int channels, int spatial, string? name = null)
        : base(name ?? "global_average_pooling", checked(channels * spatial), channels)
    {
        Channels = channels;
        Spatial = spatial;
    }

    /// <summary>C.</summary>
    public int Channels { get; }

    /// <summary>S = H·W, the positions averaged per channel.</summary>
    public int Spatial { get; }

    /// <inheritdoc />
    public override string Describe() => "GlobalAveragePooling";

    /// <inheritdoc />
    internal override void Forward(ReadOnlySpan<float> input, int batch, Span<float> output, bool training)
    {
        var scale = 1f / Spatial;
        for (var r = 0; r < batch * Channels; r++)
            output[r] = System.Numerics.Tensors.TensorPrimitives.Sum(input.Slice(r * Spatial, Spatial)) * scale;
    }

    /// <inheritdoc />
    internal override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, Span<float> outputGradient, int batch,
        Span<float> inputGradient)
    {
        if (inputGradient.IsEmpty)
            return;
        var scale = 1f / Spatial;
        for (var r = 0; r < batch * Channels; r++)
            inputGradient.Slice(r * Spatial, Spatial).Fill(outputGradient[r] * scale);
    }
}
