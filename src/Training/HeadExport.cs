using OnnxBn.Training.Surgery;

namespace OnnxBn.Training;

/// <summary>
/// Turns a trained head into the operations model B runs at inference, as Keras' inference graph computes them:
/// dropout is the identity and disappears; each BatchNormalization, in inference mode the per-channel affine map
/// y = s·x + t (s = γ/√(moving var + ε), t = β − moving mean·s), is carried forward through dropout, Flatten and
/// global average pooling (both commute with a per-channel affine map) and folded into the next dense layer:
/// <code>
///   W'[o, i] = W[o, i]·s[i]        b'[o] = b[o] + Σᵢ W[o, i]·t[i]
/// </code>
/// computed in float64. There always is a next dense layer: the output layer.
/// </summary>
public static class HeadExport
{
    /// <summary>The inference operations of <paramref name="layers"/> (the head, after any unfrozen base layers).</summary>
    /// <exception cref="InvalidOperationException">A BatchNormalization is not followed by a dense layer.</exception>
    public static IReadOnlyList<HeadOp> ToOps(IEnumerable<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var ops = new List<HeadOp>();
        // The affine map not yet folded, per value of the current per-example tensor (channel-major), or null.
        (double[] Scale, double[] Shift)? pending = null;
        foreach (var layer in layers)
        {
            switch (layer)
            {
                case DropoutLayer:
                    break;
                case FlattenLayer:
                    ops.Add(new FlattenOp(layer.Name));
                    break;
                case BatchNormLayer bn:
                    pending = Compose(pending, Expand(bn.InferenceAffine(), bn.Spatial));
                    break;
                case GlobalAveragePoolLayer pool:
                    ops.Add(new GlobalAveragePoolOp(layer.Name));
                    if (pending is { } map)
                        pending = PerChannel(map, pool.Channels, pool.Spatial);
                    break;
                case DenseLayer dense:
                    ops.Add(Fold(dense, pending));
                    pending = null;
                    break;
                default:
                    throw new InvalidOperationException($"Layer {layer.Name} ({layer.GetType().Name}) cannot be exported.");
            }
        }
        if (pending is not null)
            throw new InvalidOperationException("A BatchNormalization at the end of the head has no dense layer to fold into.");
        return ops;
    }

    private static DenseSpec Fold(DenseLayer dense, (double[] Scale, double[] Shift)? pending)
    {
        var weights = (float[])dense.Weights.Clone();
        var bias = (float[])dense.Bias.Clone();
        if (pending is { } map)
        {
            for (var o = 0; o < dense.Outputs; o++)
            {
                double shifted = dense.Bias[o];
                for (var i = 0; i < dense.Inputs; i++)
                {
                    var w = (double)dense.Weights[o * dense.Inputs + i];
                    weights[o * dense.Inputs + i] = (float)(w * map.Scale[i]);
                    shifted += w * map.Shift[i];
                }
                bias[o] = (float)shifted;
            }
        }
        var activation = dense.Activation;
        return new DenseSpec(dense.Name, dense.Inputs, dense.Outputs, weights, bias, activation.OnnxOp, activation.Alpha, activation.Gamma);
    }

    private static (double[] Scale, double[] Shift) Expand((double[] Scale, double[] Shift) perChannel, int spatial)
    {
        var channels = perChannel.Scale.Length;
        var scale = new double[channels * spatial];
        var shift = new double[channels * spatial];
        for (var c = 0; c < channels; c++)
        {
            Array.Fill(scale, perChannel.Scale[c], c * spatial, spatial);
            Array.Fill(shift, perChannel.Shift[c], c * spatial, spatial);
        }
        return (scale, shift);
    }

    /// <summary>second ∘ first: y = s₂(s₁x + t₁) + t₂.</summary>
    private static (double[] Scale, double[] Shift) Compose((double[] Scale, double[] Shift)? first, (double[] Scale, double[] Shift) second)
    {
        if (first is not { } f)
            return second;
        var scale = new double[second.Scale.Length];
        var shift = new double[second.Scale.Length];
        for (var i = 0; i < scale.Length; i++)
        {
            scale[i] = second.Scale[i] * f.Scale[i];
            shift[i] = second.Scale[i] * f.Shift[i] + second.Shift[i];
        }
        return (scale, shift);
    }

    /// <summary>Average pooling commutes with an affine map that is the same over each channel's positions.</summary>
    private static (double[] Scale, double[] Shift) PerChannel((double[] Scale, double[] Shift) map, int channels, int spatial)
    {
        var scale = new double[channels];
        var shift = new double[channels];
        for (var c = 0; c < channels; c++)
        {
            scale[c] = map.Scale[c * spatial];
            shift[c] = map.Shift[c * spatial];
            for (var s = 1; s < spatial; s++)
                if (map.Scale[c * spatial + s] != scale[c] || map.Shift[c * spatial + s] != shift[c])
                    throw new InvalidOperationException("A per-value affine map cannot be moved through global average pooling.");
        }
        return (scale, shift);
    }
}
