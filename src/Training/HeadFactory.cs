using OnnxBn.Runtime;
namespace OnnxBn.Training;

/// <summary>Builds the new head of a transferred model: optional hidden dense layers, then the output layer.</summary>
public static class HeadFactory
{
    /// <summary>
    /// Dense(hidden[0], activation) → … → Dense(1) with sigmoid/binary cross-entropy for two classes, or Dense(k) with
    /// softmax/cross-entropy for k &gt; 2. Weights from <paramref name="initializer"/> with <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than two classes, or a hidden width below one.</exception>
    public static Network Create(int inputSize, int classes, IReadOnlyList<int> hidden, Activation activation,
        WeightInitializer initializer, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least two classes.");
        var random = new SeededRandom(seed);
        var layers = new List<DenseLayer>();
        var width = inputSize;
        for (var i = 0; i < hidden.Count; i++)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden[i]);
            var layer = new DenseLayer(width, hidden[i], activation, name: $"head_hidden_{i}");
            layer.Initialize(initializer, random);
            layers.Add(layer);
            width = hidden[i];
        }
        var output = new DenseLayer(width, classes == 2 ? 1 : classes, Activation.Identity, name: "head_output");
        output.Initialize(initializer, random);
        layers.Add(output);
        return new Network(layers, classes == 2 ? HeadLoss.BinaryCrossEntropy : HeadLoss.SoftmaxCrossEntropy);
    }
}
