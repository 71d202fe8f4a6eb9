using System.Globalization;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Training.Surgery;

namespace OnnxBn.Training;

/// <summary>Model B: export of base + trained head, and its check through ONNX Runtime.</summary>
public sealed partial class TransferLearning
{
    /// <summary>
    /// Model B as one ONNX model: the cut base with the fine-tuned weights written back, then the head (Gemm layers and
    /// Sigmoid or Softmax) ending in <see cref="TransferOptions.OutputName"/>. Opset, IR version and metadata of model A
    /// are kept; doc_string and <c>onnxbn.transfer.*</c> metadata record the data, epochs and final metrics.
    /// </summary>
    public OnnxModel Export(Network network, TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(history);
        var updates = Unfrozen.Select((layer, i) => network.Layers[i] is DenseLayer dense
            ? new LayerUpdate(layer, (float[])dense.Weights.Clone(), dense.HasBias ? (float[])dense.Bias.Clone() : null)
            : throw new InvalidOperationException($"Layer {i} of the network is not the dense layer {layer.Name}.")).ToList();
        var headLayers = network.Layers.Skip(Unfrozen.Count).ToArray();
        var outputOp = network.Loss == HeadLoss.BinaryCrossEntropy ? "Sigmoid" : "Softmax";
        var modelB = ModelAssembly.Build(CutBase, updates, HeadExport.ToOps(headLayers), outputOp, Options.OutputName);

        var frozenEpochs = history.Epochs.Count(e => e.Phase == "frozen");
        var fineTuneEpochs = history.Epochs.Count(e => e.Phase == "fine-tune");
        var last = history.Last;
        var metadata = new Dictionary<string, string>
        {
            ["onnxbn.transfer.base"] = Path.GetFileName(Source.SourcePath ?? "<in-memory model>"),
            ["onnxbn.transfer.cut"] = CutTensor,
            ["onnxbn.transfer.features"] = FeatureTensor,
            ["onnxbn.transfer.unfrozen_layers"] = string.Join(",", Unfrozen.Select(l => l.Name)),
            ["onnxbn.transfer.head"] = string.Join(" -> ", headLayers.Select(l => l.Describe())) + " -> " + outputOp,
            ["onnxbn.transfer.data"] = Options.DataDescription,
            ["onnxbn.transfer.epochs"] = frozenEpochs.ToString(CultureInfo.InvariantCulture),
            ["onnxbn.transfer.fine_tune_epochs"] = fineTuneEpochs.ToString(CultureInfo.InvariantCulture),
        };
        if (last is not null)
        {
            metadata["onnxbn.transfer.loss"] = F(last.Loss);
            metadata["onnxbn.transfer.accuracy"] = F(last.Accuracy);
            metadata["onnxbn.transfer.val_loss"] = F(last.ValidationLoss);
            metadata["onnxbn.transfer.val_accuracy"] = F(last.ValidationAccuracy);
        }
        metadata["onnxbn.transfer.base_producer"] = (Source.ProducerName + " " + Source.ProducerVersion).Trim();
        foreach (var (key, value) in metadata)
            modelB.SetMetadata(key, value);
        modelB.DocString = $"Model B made by onnxbn transfer from {metadata["onnxbn.transfer.base"]} cut at '{CutTensor}'" +
            (Unfrozen.Count > 0 ? $", last {Unfrozen.Count} dense layer(s) fine-tuned" : "") +
            $"; head {metadata["onnxbn.transfer.head"]}; data: {Options.DataDescription}; " +
            $"{frozenEpochs} frozen + {fineTuneEpochs} fine-tuning epochs" +
            (last is null ? "." : FormattableString.Invariant($"; final loss {last.Loss:0.0000}, accuracy {last.Accuracy:0.0000}, val_loss {last.ValidationLoss:0.0000}, val_accuracy {last.ValidationAccuracy:0.0000}."));
        // Model B is onnxbn's work now; model A's producer stays in the metadata. The copy has no source path, so the
        // callers that save it check themselves that they do not overwrite model A.
        return OnnxModel.FromBytes(ProducerStamp.Apply(modelB.ToBytes(), ProducerName, ProducerVersion));
    }

    /// <summary>The producer_name model B carries.</summary>
    public const string ProducerName = "onnxbn";

    /// <summary>The producer_version model B carries: this assembly's informational version.</summary>
    public static string ProducerVersion { get; } =
        typeof(TransferLearning).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0";

    /// <summary>
    /// Runs <paramref name="modelB"/> through ONNX Runtime on the raw test inputs and compares its probabilities and
    /// predicted classes with the training loop's on the same examples' features.
    /// </summary>
    public static TestEvaluation Evaluate(OnnxModel modelB, Network network, LabeledData rawTest, LabeledData testFeatures, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(modelB);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(rawTest);
        ArgumentNullException.ThrowIfNull(testFeatures);
        using var runner = new FeatureExtractor(modelB);
        var (runtime, size) = runner.Run(rawTest, batchSize);
        var trainer = network.Predict(testFeatures);
        if (size != network.OutputSize)
            throw new InvalidOperationException($"Model B gives {size} values per example; the network gives {network.OutputSize}.");
        var (loss, accuracy) = network.Evaluate(testFeatures);
        var classes = network.PredictClasses(testFeatures);
        int correct = 0, identical = 0;
        double maxDifference = 0;
        for (var i = 0; i < rawTest.Count; i++)
        {
            var row = runtime.AsSpan(i * size, size);
            var predicted = size == 1 ? (row[0] >= 0.5f ? 1 : 0) : System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(row);
            if (predicted == rawTest.Labels[i])
                correct++;
            if (predicted == classes[i])
                identical++;
            for (var k = 0; k < size; k++)
                maxDifference = Math.Max(maxDifference, Math.Abs(row[k] - trainer[i * size + k]));
        }
        return new TestEvaluation(rawTest.Count, loss, accuracy, rawTest.Count == 0 ? double.NaN : (double)correct / rawTest.Count,
            identical, maxDifference);
    }

    private static string F(double value) => double.IsNaN(value) ? "" : value.ToString("0.######", CultureInfo.InvariantCulture);
}
