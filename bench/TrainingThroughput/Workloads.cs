using OnnxBn.Runtime;
using OnnxBn.Runtime.Data;
using OnnxBn.Training;

namespace OnnxBn.Benchmarks.Training;

/// <summary>
/// The three training workloads, defined once for both sides (torch_training.py builds the same shapes, batch size,
/// optimizer and epochs): features are precomputed in both, so only the training loop is timed.
/// </summary>
internal sealed record Workload(string Name, string Description, int Examples, int Epochs, Func<Network> Network, Func<LabeledData> Data,
    TrainingOptions Options)
{
    public static IReadOnlyList<Workload> All { get; } =
    [
        new("frozen_dense1", "frozen base: Dense(1, sigmoid) head on 50 features, SGD lr 1e-2, batch 32",
            12_000, 16, () => Head(50, 2, "", 1), () => Synthetic(12_000, 50, 2, 1), new TrainingOptions { Epochs = 16, BatchSize = 32, LearningRate = 1e-2f }),
        new("finetune_mlp_a", "fine-tune the whole task-A MLP 784-300-100-50-50-50-8 (ReLU), Adam lr 1e-3, batch 32",
            12_000, 2, () => Head(784, 8, "dense(300, relu), dense(100, relu), dense(50, relu), dense(50, relu), dense(50, relu)", 2),
            () => Synthetic(12_000, 784, 8, 2), new TrainingOptions { Epochs = 2, BatchSize = 32, LearningRate = 1e-3f, Optimizer = OptimizerKind.Adam }),
        new("notebook_head_conv", "notebook head on a conv base's [64, 7, 7] features: gap, dropout(0.7), dense(128, relu, l2=0.01), Dense(1), Adam, batch 32",
            12_000, 4, () => Head(64 * 49, 2, "gap, dropout(0.7), dense(128, relu, l2=0.01)", 3, [64, 49]),
            () => Synthetic(12_000, 64 * 49, 2, 3, group: 49), new TrainingOptions { Epochs = 4, BatchSize = 32, LearningRate = 1e-3f, Optimizer = OptimizerKind.Adam }),
    ];

    private static Network Head(int inputs, int classes, string head, ulong seed, int[]? shape = null) =>
        new(HeadFactory.CreateLayers(shape ?? [inputs], classes, HeadSpec.Parse(head), WeightInitializer.GlorotUniform, seed),
            HeadFactory.LossFor(classes));

    /// <summary>
    /// Non-negative features (like ReLU outputs) whose class shifts some of them: feature j when (j / group) mod
    /// classes is the label, so with group = positions per channel a whole channel carries the class (gap keeps it).
    /// </summary>
    private static LabeledData Synthetic(int count, int size, int classes, ulong seed, int group = 1)
    {
        var random = new SeededRandom(seed);
        var features = new float[count * size];
        var labels = new int[count];
        for (var n = 0; n < count; n++)
        {
            labels[n] = random.NextInt(classes);
            for (var j = 0; j < size; j++)
                features[n * size + j] = MathF.Max(0f, (float)random.NextGaussian() + (j / group % classes == labels[n] ? 0.5f : 0f));
        }
        return new LabeledData(features, labels, size);
    }
}
