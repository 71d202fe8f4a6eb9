using System.Globalization;
using OnnxBn.Runtime;

namespace OnnxBn.Training;

/// <summary>
/// Keras' Dropout: while training, each value is zeroed with probability <see cref="Rate"/> and the others are scaled
/// by 1/(1 − rate) ("inverted" dropout), so inference is the identity and the layer is left out of the exported model.
/// The mask is drawn from a generator reseeded per epoch, so training (and a resumed run) is reproducible.
/// </summary>
public sealed class DropoutLayer : Layer
{
    private float[] _mask = [];
    private SeededRandom _random = new(0);

    /// <summary>Dropout over <paramref name="size"/> values per example.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not in [0, 1).</exception>
    public DropoutLayer(int size, float rate, string? name = null)
        : base(name ?? "dropout", size, size)
    {
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        Rate = rate;
    }

    /// <summary>The fraction of values dropped while training.</summary>
    public float Rate { get; }

    /// <summary>Tests set this to replay the last mask (finite differences need the same function twice).</summary>
    internal bool ReuseMask { get; set; }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Dropout({Rate:g})");

    /// <inheritdoc />
    internal override void Reseed(ulong seed) => _random = new SeededRandom(seed);

    /// <inheritdoc />
    internal override void Forward(ReadOnlySpan<float> input, int batch, Span<float> output, bool training)
    {
        var n = batch * Inputs;
        if (!training || Rate == 0f)
        {
            input[..n].CopyTo(output);
            return;
        }
        if (!ReuseMask || _mask.Length < n)
        {
            if (_mask.Length < n)
                _mask = new float[n];
            var keep = 1f / (1f - Rate);
            for (var i = 0; i < n; i++)
                _mask[i] = _random.NextSingle() >= Rate ? keep : 0f;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(input[..n], _mask.AsSpan(0, n), output[..n]);
    }

    /// <inheritdoc />
    internal override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, Span<float> outputGradient, int batch,
        Span<float> inputGradient)
    {
        if (inputGradient.IsEmpty)
            return;
        var n = batch * Inputs;
        if (Rate == 0f)
            outputGradient[..n].CopyTo(inputGradient);
        else
            System.Numerics.Tensors.TensorPrimitives.Multiply(outputGradient[..n], _mask.AsSpan(0, n), inputGradient[..n]);
    }
}
