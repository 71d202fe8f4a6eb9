using System.Globalization;

namespace OnnxBn.Training;

/// <summary>
/// Keras' BatchNormalization on ONNX's channels-first layout: per example [C] or [C, S] (S spatial positions), each
/// channel normalized over the batch (and its positions) while training, y = γ·(x − μ)/√(σ² + ε) + β, with the
/// biased batch variance; the moving averages follow m ← momentum·m + (1 − momentum)·batch statistic and replace the
/// batch statistics at inference. Keras' defaults: momentum 0.99, ε = 1e-3, γ = 1, β = 0, moving mean 0, variance 1.
/// Model B never contains it: inference-mode BN is a per-channel affine map that the export folds into the next
/// dense layer.
/// </summary>
public sealed class BatchNormLayer : Layer
{
    private readonly Parameter[] _parameters;
    private float[] _normalized = [];
    private readonly float[] _inverseStd;

    /// <summary>BN over <paramref name="channels"/> channels of <paramref name="spatial"/> positions each.</summary>
    public BatchNormLayer(int channels, int spatial = 1, float momentum = 0.99f, float epsilon = 1e-3f, string? name = null)
        : base(name ?? "batch_normalization", checked(channels * spatial), checked(channels * spatial))
    {
        if (!(momentum is >= 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        if (!(epsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be positive.");
        Channels = channels;
        Spatial = spatial;
        Momentum = momentum;
        Epsilon = epsilon;
        Gamma = Enumerable.Repeat(1f, channels).ToArray();
        Beta = new float[channels];
        MovingMean = new float[channels];
        MovingVariance = Enumerable.Repeat(1f, channels).ToArray();
        _inverseStd = new float[channels];
        _parameters =
        [
            new Parameter(Name + ".gamma", Gamma, new float[channels]),
            new Parameter(Name + ".beta", Beta, new float[channels]),
        ];
    }

    /// <summary>C.</summary>
    public int Channels { get; }

    /// <summary>Positions per channel (1 for a vector).</summary>
    public int Spatial { get; }

    /// <summary>Weight of the old value in the moving averages.</summary>
    public float Momentum { get; }

    /// <summary>ε added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>γ (scale), trained.</summary>
    public float[] Gamma { get; }

    /// <summary>β (offset), trained.</summary>
    public float[] Beta { get; }

    /// <summary>The moving mean used at inference.</summary>
    public float[] MovingMean { get; }

    /// <summary>The moving variance used at inference.</summary>
    public float[] MovingVariance { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc />
    public override IReadOnlyList<float[]> State => [Gamma, Beta, MovingMean, MovingVariance];

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"BatchNormalization(momentum={Momentum:g}, epsilon={Epsilon:g})");

    /// <summary>The inference-mode map as y = scale·x + shift per channel, computed in float64.</summary>
    public (double[] Scale, double[] Shift) InferenceAffine()
    {
        var scale = new double[Channels];
        var shift = new double[Channels];
        for (var c = 0; c < Channels; c++)
        {
            scale[c] = Gamma[c] / Math.Sqrt((double)MovingVariance[c] + Epsilon);
            shift[c] = Beta[c] - MovingMean[c] * scale[c];
        }
        return (scale, shift);
    }

    /// <inheritdoc />
    internal override void Forward(ReadOnlySpan<float> input, int batch, Span<float> output, bool training)
    {
        if (!training)
        {
            var (scale, shift) = InferenceAffine();
            for (var b = 0; b < batch; b++)
                for (var c = 0; c < Channels; c++)
                {
                    var offset = (b * Channels + c) * Spatial;
                    for (var s = 0; s < Spatial; s++)
                        output[offset + s] = (float)(scale[c] * input[offset + s] + shift[c]);
                }
            return;
        }

        var n = batch * Inputs;
        if (_normalized.Length < n)
            _normalized = new float[n];
        var count = (double)batch * Spatial;
        for (var c = 0; c < Channels; c++)
        {
            double sum = 0, squares = 0;
            for (var b = 0; b < batch; b++)
            {
                var row = input.Slice((b * Channels + c) * Spatial, Spatial);
                foreach (var v in row)
                    sum += v;
            }
            var mean = sum / count;
            for (var b = 0; b < batch; b++)
            {
                var row = input.Slice((b * Channels + c) * Spatial, Spatial);
                foreach (var v in row)
                    squares += (v - mean) * (v - mean);
            }
            var variance = squares / count;
            var inverseStd = 1.0 / Math.Sqrt(variance + Epsilon);
            _inverseStd[c] = (float)inverseStd;
            for (var b = 0; b < batch; b++)
            {
                var offset = (b * Channels + c) * Spatial;
                for (var s = 0; s < Spatial; s++)
                {
                    var normalized = (float)((input[offset + s] - mean) * inverseStd);
                    _normalized[offset + s] = normalized;
                    output[offset + s] = Gamma[c] * normalized + Beta[c];
                }
            }
            MovingMean[c] = (float)(Momentum * MovingMean[c] + (1 - Momentum) * mean);
            MovingVariance[c] = (float)(Momentum * MovingVariance[c] + (1 - Momentum) * variance);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// With x̂ the normalized input and g = dL/dy: dγ = Σ g·x̂, dβ = Σ g, and
    /// dL/dx = γ/(m·σ) · (m·g − Σg − x̂·Σ(g·x̂)) over the m values of the channel.
    /// </remarks>
    internal override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, Span<float> outputGradient, int batch,
        Span<float> inputGradient)
    {
        var count = batch * Spatial;
        var gammaGradient = _parameters[0].Gradient;
        var betaGradient = _parameters[1].Gradient;
        for (var c = 0; c < Channels; c++)
        {
            double sumG = 0, sumGx = 0;
            for (var b = 0; b < batch; b++)
            {
                var offset = (b * Channels + c) * Spatial;
                for (var s = 0; s < Spatial; s++)
                {
                    sumG += outputGradient[offset + s];
                    sumGx += outputGradient[offset + s] * _normalized[offset + s];
                }
            }
            if (Trainable)
            {
                gammaGradient[c] += (float)sumGx;
                betaGradient[c] += (float)sumG;
            }
            if (inputGradient.IsEmpty)
                continue;
            var factor = Gamma[c] * _inverseStd[c] / (double)count;
            for (var b = 0; b < batch; b++)
            {
                var offset = (b * Channels + c) * Spatial;
                for (var s = 0; s < Spatial; s++)
                    inputGradient[offset + s] = (float)(factor * (count * outputGradient[offset + s] - sumG - _normalized[offset + s] * sumGx));
            }
        }
    }
}
