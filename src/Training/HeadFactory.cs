using OnnxBn.Runtime;
namespace OnnxBn.Training;

/// <summary>
/// Builds the new head of a transferred model from its layers as written (<see cref="HeadSpec"/>), then the output
/// layer: Dense(1) with sigmoid/binary cross-entropy for two classes, Dense(k) with softmax/cross-entropy for k &gt; 2.
/// Shapes are tracked per example in ONNX's channels-first layout ([C, H, W] or [F]) so that <c>gap</c> and
/// <c>batchnorm</c> know their channels.
/// </summary>
public static class HeadFactory
{
    /// <summary>
    /// Dense(hidden[0], activation) → … → output layer, weights from <paramref name="initializer"/> with
    /// <paramref name="seed"/> (the <c>--hidden</c> shorthand on vector features).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than two classes, or a hidden width below one.</exception>
    public static Network Create(int inputSize, int classes, IReadOnlyList<int> hidden, Activation activation,
        WeightInitializer initializer, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        foreach (var width in hidden)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        var layers = CreateLayers([inputSize], classes, HeadSpec.FromHidden(hidden, activation), initializer, seed);
        return new Network(layers, LossFor(classes));
    }

    /// <summary>The loss for <paramref name="classes"/> classes.</summary>
    public static HeadLoss LossFor(int classes) => classes == 2 ? HeadLoss.BinaryCrossEntropy : HeadLoss.SoftmaxCrossEntropy;

    /// <summary>
    /// The head's layers for features of per-example shape <paramref name="featureShape"/>, ending with the output
    /// layer. Weights are drawn in layer order from one generator seeded with <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than two classes.</exception>
    /// <exception cref="HeadSpecException">A layer does not fit its input: gap on a vector, dense on a feature map.</exception>
    public static IReadOnlyList<Layer> CreateLayers(IReadOnlyList<int> featureShape, int classes, IReadOnlyList<HeadLayer> spec,
        WeightInitializer initializer, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(featureShape);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(initializer);
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least two classes.");
        var random = new SeededRandom(seed);
        var layers = new List<Layer>();
        var shape = featureShape.ToArray();
        int dense = 0, index = 0;
        foreach (var layer in spec)
        {
            var size = shape.Aggregate(1, (a, b) => checked(a * b));
            switch (layer.Kind)
            {
                case HeadLayerKind.GlobalAveragePool:
                    if (shape.Length < 2)
                        throw new HeadSpecException($"gap needs a feature map [C, H, W]; the features here are a vector of {size} (cut the base before its pooling, or drop gap).");
                    layers.Add(new GlobalAveragePoolLayer(shape[0], size / shape[0], $"head_gap_{index}"));
                    shape = [shape[0]];
                    break;
                case HeadLayerKind.Flatten:
                    layers.Add(new FlattenLayer(size, $"head_flatten_{index}"));
                    shape = [size];
                    break;
                case HeadLayerKind.Dropout:
                    layers.Add(new DropoutLayer(size, layer.Rate, $"head_dropout_{index}"));
                    break;
                case HeadLayerKind.BatchNorm:
                    layers.Add(new BatchNormLayer(shape[0], size / shape[0], layer.Momentum, layer.Epsilon, $"head_batchnorm_{index}"));
                    break;
                case HeadLayerKind.Dense:
                    RequireVector(shape, $"dense({layer.Units})");
                    var hidden = new DenseLayer(size, layer.Units, layer.Activation, name: $"head_hidden_{dense++}") { L2 = layer.L2, L1 = layer.L1 };
                    hidden.Initialize(initializer, random);
                    layers.Add(hidden);
                    shape = [layer.Units];
                    break;
            }
            index++;
        }
        RequireVector(shape, "the output layer");
        var output = new DenseLayer(shape[0], classes == 2 ? 1 : classes, Activation.Identity, name: "head_output");
        output.Initialize(initializer, random);
        layers.Add(output);
        return layers;
    }

    private static void RequireVector(int[] shape, string what)
    {
        if (shape.Length != 1)
            throw new HeadSpecException($"{what} needs a vector, but the features here are a [{string.Join(", ", shape)}] map: add gap or flatten before it.");
    }
}
