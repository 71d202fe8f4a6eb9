using OnnxBn.Folding;
namespace OnnxBn.Training.Surgery;

/// <summary>One inference-time operation of a head as model B writes it (dropout and BatchNormalization are gone by then).</summary>
public abstract record HeadOp(string Name);

/// <summary>A dense layer of the new head: W as <see cref="Outputs"/> rows of <see cref="Inputs"/>, bias, activation op (null for none).</summary>
public sealed record DenseSpec(string Name, int Inputs, int Outputs, float[] Weights, float[] Bias, string? ActivationOp,
    float ActivationAlpha = 0f, float ActivationGamma = 0f) : HeadOp(Name);

/// <summary>GlobalAveragePool over the spatial axes of [N, C, ...] followed by Flatten: [N, C].</summary>
public sealed record GlobalAveragePoolOp(string Name) : HeadOp(Name);

/// <summary>Flatten(axis = 1).</summary>
public sealed record FlattenOp(string Name) : HeadOp(Name);

/// <summary>New weights for a layer found by <see cref="LinearChain"/> (same [out, in] layout, alpha/beta included).</summary>
public sealed record LayerUpdate(LinearLayer Layer, float[] Weights, float[]? Bias);

/// <summary>
/// Assembles model B: the cut base (with fine-tuned layers written back) followed by the new head:
/// <code>
///   base → [GlobalAveragePool → Flatten | Flatten] → Gemm(transB=1) → act → … → Gemm(transB=1) → Sigmoid | Softmax(axis=1) → output
/// </code>
/// A Flatten is added in front of the first Gemm whenever its input is not known to be [N, features].
/// New weights go into fresh initializers (a weight may be shared, so none is edited in place). The output is
/// declared float [batch, units] with the base input's batch dimension.
/// </summary>
public static class ModelAssembly
{
    /// <summary>Builds model B from <paramref name="cutBase"/> (one output, as <see cref="GraphCut.Cut"/> leaves it).</summary>
    /// <param name="cutBase">The base, cut at the features; not modified.</param>
    /// <param name="updates">Fine-tuned layers of the base to write back (may be empty).</param>
    /// <param name="head">The head's layers, first to last; the last has no activation (logits).</param>
    /// <param name="outputOp">"Sigmoid" or "Softmax".</param>
    /// <param name="outputName">The name of the probabilities output.</param>
    /// <exception cref="ArgumentException">The head is empty or ends in an activation, or the output op is unknown.</exception>
    public static OnnxModel Build(OnnxModel cutBase, IReadOnlyList<LayerUpdate> updates, IReadOnlyList<HeadOp> head,
        string outputOp, string outputName = "probability")
    {
        ArgumentNullException.ThrowIfNull(cutBase);
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(head);
        if (head.Count == 0 || head[^1] is not DenseSpec { ActivationOp: null } last)
            throw new ArgumentException("The head needs at least one layer and its last layer must emit logits.", nameof(head));
        if (outputOp is not ("Sigmoid" or "Softmax"))
            throw new ArgumentException($"Output op must be Sigmoid or Softmax, not {outputOp}.", nameof(outputOp));
        if (cutBase.Graph.Outputs.Count != 1)
            throw new ArgumentException($"The base must have exactly one output (it has {cutBase.Graph.Outputs.Count}).", nameof(cutBase));

        var model = cutBase.Clone();
        var graph = model.Graph;
        foreach (var update in updates)
            WriteBack(graph, update);

        var features = graph.Outputs[0];
        var x = features.Name;
        var flat = features.Rank == 2;
        foreach (var op in head)
        {
            switch (op)
            {
                case GlobalAveragePoolOp pool:
                    var pooled = graph.UniqueName(pool.Name + "_output");
                    graph.AddNode("GlobalAveragePool", [x], [pooled], graph.UniqueName(pool.Name));
                    x = AddFlatten(graph, pooled, pool.Name + "_flatten");
                    flat = true;
                    break;
                case FlattenOp flatten:
                    x = AddFlatten(graph, x, flatten.Name);
                    flat = true;
                    break;
                case DenseSpec dense:
                    if (!flat)
                        x = AddFlatten(graph, x, "head_flatten");
                    flat = true;
                    x = AddDense(graph, dense, x, op == head[^1]);
                    break;
                default:
                    throw new ArgumentException($"Unknown head operation {op.GetType().Name}.", nameof(head));
            }
        }

        var output = graph.UniqueName(outputName);
        var node = graph.AddNode(outputOp, [x], [output], graph.UniqueName("head_" + outputOp.ToLowerInvariant()));
        if (outputOp == "Softmax")
            node.SetInt("axis", 1);

        graph.SetOutput(ValueInfo.Tensor(output, OnnxDataType.Float, [BatchDimension(graph), new Dimension(last.Outputs, null)]));
        // Fine-tuned layers now read new initializers: the weights they replace are dropped, and so is value_info of
        // anything that no longer exists.
        graph.RemoveDeadInitializers();
        graph.RemoveStaleValueInfo();
        graph.CheckInvariants();
        return model;
    }

    private static string AddFlatten(Graph graph, string input, string name)
    {
        var output = graph.UniqueName(name + "_output");
        graph.AddNode("Flatten", [input], [output], graph.UniqueName(name)).SetInt("axis", 1);
        return output;
    }

    private static string AddDense(Graph graph, DenseSpec layer, string input, bool isLast)
    {
        if (layer.Weights.Length != layer.Inputs * layer.Outputs || layer.Bias.Length != layer.Outputs)
            throw new ArgumentException($"Head layer {layer.Name}: weights or bias do not match {layer.Outputs}×{layer.Inputs}.", nameof(layer));
        var weight = graph.UniqueName(layer.Name + ".weight");
        var bias = graph.UniqueName(layer.Name + ".bias");
        graph.SetInitializer(TensorData.Create(weight, [layer.Outputs, layer.Inputs], layer.Weights.AsSpan()));
        graph.SetInitializer(TensorData.Create(bias, [layer.Outputs], layer.Bias.AsSpan()));
        var linear = graph.UniqueName(isLast ? "logits" : layer.Name + "_linear");
        graph.AddNode("Gemm", [input, weight, bias], [linear], graph.UniqueName(layer.Name)).SetInt("transB", 1);
        if (layer.ActivationOp is null)
            return linear;
        var activated = graph.UniqueName(layer.Name + "_" + layer.ActivationOp.ToLowerInvariant());
        var act = graph.AddNode(layer.ActivationOp, [linear], [activated], graph.UniqueName(layer.Name + "_" + layer.ActivationOp));
        if (layer.ActivationOp is "LeakyRelu" or "Elu" or "Selu")
            act.SetFloat("alpha", layer.ActivationAlpha);
        if (layer.ActivationOp is "Selu")
            act.SetFloat("gamma", layer.ActivationGamma);
        return activated;
    }

    /// <summary>Points the layer's nodes at new initializers holding the fine-tuned weights in the node's own layout.</summary>
    private static void WriteBack(Graph graph, LayerUpdate update)
    {
        var layer = update.Layer;
        var node = graph.Producer(layer.LinearOutput)
            ?? throw new ArgumentException($"Layer {layer.Name} is not in the base graph.", nameof(update));
        int inputs = layer.Inputs, outputs = layer.Outputs;
        if (layer.Form == LinearForm.Gemm)
        {
            var transB = node.GetInt("transB", 0) != 0;
            var alpha = node.GetFloat("alpha", 1f);
            var w = new float[inputs * outputs];
            for (var o = 0; o < outputs; o++)
                for (var i = 0; i < inputs; i++)
                    w[transB ? o * inputs + i : i * outputs + o] = update.Weights[o * inputs + i] / alpha;
            long[] dims = transB ? [outputs, inputs] : [inputs, outputs];
            var name = graph.UniqueName(node.Input(1) + "_finetuned");
            graph.SetInitializer(TensorData.Create(name, dims, w.AsSpan()));
            graph.SetNodeInput(node, 1, name);
            if (update.Bias is { } gemmBias)
            {
                var beta = node.GetFloat("beta", 1f);
                if (beta == 0f || node.Input(2).Length == 0)
                {
                    beta = 1f;
                    node.SetFloat("beta", 1f);
                }
                var biasName = graph.UniqueName((node.Input(2).Length > 0 ? node.Input(2) : node.Name + ".bias") + "_finetuned");
                graph.SetInitializer(TensorData.Create(biasName, [outputs], gemmBias.Select(b => b / beta).ToArray().AsSpan()));
                graph.SetNodeInput(node, 2, biasName);
            }
            return;
        }

        var transposed = new float[inputs * outputs];
        for (var o = 0; o < outputs; o++)
            for (var i = 0; i < inputs; i++)
                transposed[i * outputs + o] = update.Weights[o * inputs + i];
        var weightName = graph.UniqueName(node.Input(1) + "_finetuned");
        graph.SetInitializer(TensorData.Create(weightName, [inputs, outputs], transposed.AsSpan()));
        graph.SetNodeInput(node, 1, weightName);
        if (update.Bias is { } bias && layer.BiasOutput is { } addOutput && graph.Producer(addOutput) is { } add)
        {
            var slot = add.Input(0) == node.Output(0) ? 1 : 0;
            var biasName = graph.UniqueName(add.Input(slot) + "_finetuned");
            graph.SetInitializer(TensorData.Create(biasName, [outputs], bias.AsSpan()));
            graph.SetNodeInput(add, slot, biasName);
        }
    }

    /// <summary>The batch dimension of the base's first input (a number or a symbol), or the symbol N.</summary>
    private static Dimension BatchDimension(Graph graph) =>
        graph.RuntimeInputs.FirstOrDefault()?.Shape?.FirstOrDefault() switch
        {
            { Value: { } v } => new Dimension(v, null),
            { Symbol: { Length: > 0 } s } => new Dimension(null, s),
            _ => new Dimension(null, "N"),
        };
}
