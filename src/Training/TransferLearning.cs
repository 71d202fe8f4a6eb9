using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Training.Surgery;

namespace OnnxBn.Training;

/// <summary>
/// Transfer learning from model A to model B (Hands-On ML, chapter 11) with model A as an ONNX file: cut A before its
/// output layer, run the frozen base once through ONNX Runtime to get features, train a new head on them in C#,
/// optionally fine-tune the last dense layers of the base, and export base + head as one ONNX model.
/// </summary>
public sealed partial class TransferLearning : IDisposable
{
    private readonly FeatureExtractor _extractor;

    private TransferLearning(OnnxModel source, TransferOptions options, OnnxModel cutBase, string cutTensor,
        IReadOnlyList<LinearLayer> unfrozen, OnnxModel frozenBase, FoldReport? fold)
    {
        Source = source;
        Options = options;
        CutBase = cutBase;
        CutTensor = cutTensor;
        Unfrozen = unfrozen;
        FrozenBase = frozenBase;
        FoldReport = fold;
        _extractor = new FeatureExtractor(frozenBase);
    }

    /// <summary>Model A as given.</summary>
    public OnnxModel Source { get; }

    /// <summary>The options.</summary>
    public TransferOptions Options { get; }

    /// <summary>Model A cut at <see cref="CutTensor"/> (BN folded first when layers are unfrozen).</summary>
    public OnnxModel CutBase { get; }

    /// <summary>The tensor model A was cut at.</summary>
    public string CutTensor { get; }

    /// <summary>The base's dense layers that are fine-tuned, first to last (empty without --unfreeze).</summary>
    public IReadOnlyList<LinearLayer> Unfrozen { get; }

    /// <summary>The part of the base that stays frozen: cut at the input of the first unfrozen layer.</summary>
    public OnnxModel FrozenBase { get; }

    /// <summary>The tensor features are taken at.</summary>
    public string FeatureTensor => FrozenBase.Graph.Outputs[0].Name;

    /// <summary>What folding BatchNormalization did before unfreezing, or null when it was not needed.</summary>
    public FoldReport? FoldReport { get; }

    /// <summary>Cuts <paramref name="modelA"/>, finds the layers to unfreeze and opens an ONNX Runtime session on the frozen part.</summary>
    /// <exception cref="UnsupportedModelException">No output layer to cut before, or the layers to unfreeze are of another kind.</exception>
    /// <exception cref="OnnxModelException">The cut tensor does not exist.</exception>
    public static TransferLearning Prepare(OnnxModel modelA, TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(modelA);
        ArgumentNullException.ThrowIfNull(options);
        var model = modelA.Clone();
        FoldReport? fold = null;
        // Unfrozen layers must be plain dense layers: fold BatchNormalization, and tf2onnx's Keras BN written as
        // Mul/Add after a MatMul, into them first.
        if (options.Unfreeze > 0)
        {
            var report = FoldPass.Run(model);
            if (report.NodesAfter != report.NodesBefore)
                fold = report;
        }
        var startsWithPooling = options.Head is [{ Kind: HeadLayerKind.GlobalAveragePool }, ..];
        var cut = options.Cut is "auto" or ""
            ? (startsWithPooling ? GraphCut.PoolingInput(model) : GraphCut.OutputLayerInput(model))
            : options.Cut;
        var cutBase = GraphCut.Cut(model, cut);
        var unfrozen = LinearChain.Last(cutBase, cut, options.Unfreeze);
        var frozenBase = unfrozen.Count > 0 ? GraphCut.Cut(cutBase, unfrozen[0].Input) : cutBase;
        return new TransferLearning(modelA, options, cutBase, cut, unfrozen, frozenBase, fold);
    }

    /// <summary>
    /// The frozen base's output for the train, validation and test inputs, computed in one pass (or read from the
    /// cache). <paramref name="progress"/> gets (rows done, rows in all).
    /// </summary>
    public (LabeledData Train, LabeledData Validation, LabeledData Test) ExtractFeatures(TransferData data,
        IProgress<(int Done, int Total)>? progress = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var all = Concatenate(data.Train, data.Validation, data.Test);
        (float[] Values, int Size)? features = null;
        string? key = null;
        if (Options.CachePath is { } cache)
        {
            key = FeatureCache.Key(FrozenBase, all);
            features = FeatureCache.TryLoad(cache, key);
            log?.Invoke(features is null ? $"feature cache {cache}: computing" : $"feature cache {cache}: reused");
        }
        if (features is null)
        {
            features = _extractor.Run(all, Options.FeatureBatch,
                progress is null ? null : new SynchronousProgress(done => progress.Report((done, all.Count))));
            if (Options.CachePath is { } path)
                FeatureCache.Save(path, key!, features.Value.Values, features.Value.Size);
        }
        var (values, size) = features.Value;
        var extracted = all.WithFeatures(values, size);
        var train = Slice(extracted, 0, data.Train.Count);
        var validation = Slice(extracted, data.Train.Count, data.Validation.Count);
        var test = Slice(extracted, data.Train.Count + data.Validation.Count, data.Test.Count);
        return (train, validation, test);
    }

    /// <summary>
    /// The network the loop trains: the unfrozen base layers (frozen for now, weights copied from the base) followed by
    /// a freshly initialized head.
    /// </summary>
    public Network CreateNetwork(int featureSize)
    {
        var layers = new List<Layer>();
        foreach (var source in Unfrozen)
        {
            var layer = new DenseLayer(source.Inputs, source.Outputs, ActivationOf(source), source.Bias is not null, source.Name) { Trainable = false };
            source.Weights.CopyTo(layer.Weights, 0);
            source.Bias?.CopyTo(layer.Bias, 0);
            layers.Add(layer);
        }
        if (layers.Count > 0 && layers[0].Inputs != featureSize)
            throw new InvalidOperationException($"The first unfrozen layer takes {layers[0].Inputs} inputs but the features have {featureSize}.");
        var shape = layers.Count > 0 ? [layers[^1].Outputs] : FeatureShape(featureSize);
        var spec = Options.Head ?? HeadSpec.FromHidden(Options.Hidden, Options.HiddenActivation);
        // The --hidden shorthand flattens a feature map implicitly (as model B always did); a written head says where.
        if (Options.Head is null && shape.Count > 1)
            spec = [new HeadLayer(HeadLayerKind.Flatten), .. spec];
        layers.AddRange(HeadFactory.CreateLayers(shape, Options.Classes, spec, Options.Initializer, Options.Seed));
        return new Network(layers, HeadFactory.LossFor(Options.Classes));
    }

    /// <summary>
    /// The per-example shape of the features: as model A declares the cut tensor ([C, H, W] for a feature map, [F]
    /// for a vector); else [C, positions] when a Conv made it (see <see cref="FeatureChannels"/>); else
    /// [<paramref name="featureSize"/>].
    /// </summary>
    public IReadOnlyList<int> FeatureShape(int featureSize)
    {
        var declared = FrozenBase.Graph.Outputs[0].Shape;
        if (declared is { Count: >= 2 } && declared.Skip(1).All(d => d.Value is > 0))
        {
            var dims = declared.Skip(1).Select(d => (int)d.Value!.Value).ToArray();
            if (dims.Aggregate(1L, (a, b) => a * b) == featureSize)
                return dims;
        }
        if (FeatureChannels.Of(FrozenBase, FeatureTensor) is { } channels && channels > 0 && featureSize % channels == 0 && featureSize > channels)
            return [channels, featureSize / channels];
        return [featureSize];
    }

    /// <summary>The activations after the first <paramref name="count"/> layers of <paramref name="network"/> for every row.</summary>
    internal static LabeledData ForwardPrefix(Network network, int count, LabeledData data)
    {
        var current = data;
        foreach (var layer in network.Layers.Take(count))
        {
            var a = new float[current.Count * layer.Outputs];
            layer.Forward(current.Features, current.Count, a, training: false);
            current = current.WithFeatures(a, layer.Outputs);
        }
        return current;
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _extractor.Dispose();

    internal static Activation ActivationOf(LinearLayer layer) => layer.ActivationOp switch
    {
        null => Activation.Identity,
        "Relu" => Activation.Relu,
        "LeakyRelu" => Activation.LeakyRelu(layer.ActivationAlpha),
        "Elu" => Activation.Elu(layer.ActivationAlpha),
        "Selu" => Activation.Selu(layer.ActivationAlpha, layer.ActivationGamma),
        "Sigmoid" => Activation.Sigmoid,
        "Tanh" => Activation.Tanh,
        _ => throw new NotSupportedException($"Activation {layer.ActivationOp} of layer {layer.Name}."),
    };

    private static LabeledData Concatenate(params LabeledData[] parts)
    {
        var size = parts[0].FeatureSize;
        if (parts.Any(p => p.Count > 0 && p.FeatureSize != size))
            throw new ArgumentException("Train, validation and test inputs have different feature sizes.");
        var features = new float[parts.Sum(p => p.Features.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.Features.CopyTo(features, offset);
            offset += part.Features.Length;
        }
        return new LabeledData(features, parts.SelectMany(p => p.Labels).ToArray(), size);
    }

    private static LabeledData Slice(LabeledData data, int start, int count) =>
        data.Select(Enumerable.Range(start, count).ToArray());

    /// <summary>Reports on the calling thread (System.Progress posts to the thread pool and would reorder lines).</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
