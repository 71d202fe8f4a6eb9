using OnnxBn.Folding;
namespace OnnxBn.Training.Surgery;

/// <summary>
/// Finds the last K dense layers in front of a tensor, for fine-tuning them outside ONNX:
/// <code>
///   x → Gemm|MatMul(+Add) → act → … → Gemm|MatMul(+Add) → act → tensor      (act ∈ Relu, LeakyRelu, Elu, Selu, Sigmoid, Tanh, or none)
/// </code>
/// Each intermediate value must feed only the next node of the chain (no skip connection reads it), weights and
/// biases must be float32 constants, and a MatMul must be rank 2 with a constant [in, out] weight.
/// </summary>
public static class LinearChain
{
    /// <summary>An activation op (Folding's op traits) that <see cref="ActivationKind"/> can compute.</summary>
    private static bool IsSupportedActivation(Node node) =>
        node.Has(OpTrait.Activation) && Enum.TryParse<ActivationKind>(node.OpType, out var kind) && kind != ActivationKind.Identity;

    /// <summary>The last <paramref name="count"/> dense layers before <paramref name="tensor"/>, first to last.</summary>
    /// <exception cref="UnsupportedModelException">A layer on the way is not of a supported kind; the message names it.</exception>
    public static IReadOnlyList<LinearLayer> Last(OnnxModel model, string tensor, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var graph = model.Graph;
        var layers = new List<LinearLayer>();
        var value = tensor;
        for (var k = 0; k < count; k++)
        {
            var layerOutput = value;
            var node = graph.Producer(value);
            string? activation = null;
            float alpha = 0, gamma = 0;
            if (node is not null && IsSupportedActivation(node))
            {
                activation = node.OpType;
                (alpha, gamma) = ActivationParameters(node);
                value = node.Input(0);
                RequireSingleUse(model, value, node);
                node = graph.Producer(value);
            }
            var layer = node switch
            {
                not null when node.Is("Gemm") => FromGemm(model, node),
                not null when node.Is("Add") && GraphCut.BiasedMatMul(graph, node) is { } matMul => FromMatMul(model, matMul, node),
                not null when node.Is("MatMul") => FromMatMul(model, node, null),
                _ => throw Unsupported(model, count, k, value, node),
            };
            layers.Add(layer with { Output = layerOutput, ActivationOp = activation, ActivationAlpha = alpha, ActivationGamma = gamma });
            value = layer.Input;
            if (k < count - 1)
                RequireSingleUse(model, value, node);
        }
        layers.Reverse();
        return layers;
    }

    private static (float Alpha, float Gamma) ActivationParameters(Node node) => node.OpType switch
    {
        "LeakyRelu" => (node.GetFloat("alpha", 0.01f), 0f),
        "Elu" => (node.GetFloat("alpha", 1f), 0f),
        "Selu" => (node.GetFloat("alpha", 1.67326319217681884765625f), node.GetFloat("gamma", 1.05070102214813232421875f)),
        _ => (0f, 0f),
    };

    private static LinearLayer FromGemm(OnnxModel model, Node gemm)
    {
        if (gemm.GetInt("transA", 0) != 0)
            throw new UnsupportedModelException(model.SourcePath, "a Gemm with transA=1 cannot be unfrozen", gemm.DisplayName);
        var b = Constant(model, gemm, gemm.Input(1), "weight");
        if (b.Rank != 2)
            throw new UnsupportedModelException(model.SourcePath, $"Gemm weight has rank {b.Rank}, not 2", gemm.DisplayName);
        var transB = gemm.GetInt("transB", 0) != 0;
        var alpha = gemm.GetFloat("alpha", 1f);
        var beta = gemm.GetFloat("beta", 1f);
        var outputs = (int)(transB ? b.Dims[0] : b.Dims[1]);
        var inputs = (int)(transB ? b.Dims[1] : b.Dims[0]);
        var weights = ToRows(b.ToArray<float>(), inputs, outputs, transposed: !transB, alpha);
        float[]? bias = null;
        if (gemm.Input(2).Length > 0)
            bias = BroadcastBias(model, gemm, Constant(model, gemm, gemm.Input(2), "bias"), outputs, beta);
        return new LinearLayer(gemm.DisplayName, LinearForm.Gemm, gemm.Input(0), gemm.Output(0), inputs, outputs, weights, bias, null, 0, 0)
        {
            LinearOutput = gemm.Output(0),
        };
    }

    private static LinearLayer FromMatMul(OnnxModel model, Node matMul, Node? add)
    {
        var graph = model.Graph;
        var w = Constant(model, matMul, matMul.Input(1), "weight");
        if (w.Rank != 2)
            throw new UnsupportedModelException(model.SourcePath, $"MatMul weight has rank {w.Rank}, not 2", matMul.DisplayName);
        if (new ShapeInference(graph).RankOf(matMul.Input(0)) is { } rank && rank != 2)
            throw new UnsupportedModelException(model.SourcePath, $"MatMul input has rank {rank}; only [N, features] layers can be unfrozen", matMul.DisplayName);
        var inputs = (int)w.Dims[0];
        var outputs = (int)w.Dims[1];
        var weights = ToRows(w.ToArray<float>(), inputs, outputs, transposed: true, 1f);
        float[]? bias = null;
        if (add is not null)
        {
            RequireSingleUse(model, matMul.Output(0), add);
            var biasName = add.Input(0) == matMul.Output(0) ? add.Input(1) : add.Input(0);
            bias = BroadcastBias(model, add, Constant(model, add, biasName, "bias"), outputs, 1f);
        }
        var output = add?.Output(0) ?? matMul.Output(0);
        return new LinearLayer(matMul.DisplayName, LinearForm.MatMul, matMul.Input(0), output, inputs, outputs, weights, bias, null, 0, 0)
        {
            LinearOutput = matMul.Output(0),
            BiasOutput = add?.Output(0),
        };
    }

    private static TensorData Constant(OnnxModel model, Node node, string name, string what)
    {
        if (!model.Graph.TryGetConstant(name, out var tensor))
            throw new UnsupportedModelException(model.SourcePath, $"the {what} '{name}' is not a constant, so the layer cannot be unfrozen", node.DisplayName);
        if (tensor.ElementType != OnnxDataType.Float)
            throw new UnsupportedModelException(model.SourcePath, $"the {what} '{name}' is {tensor.ElementType}, not float32", node.DisplayName);
        return tensor;
    }

    /// <summary>[out, in] rows from a [in, out] (transposed) or [out, in] matrix, times <paramref name="scale"/>.</summary>
    private static float[] ToRows(float[] matrix, int inputs, int outputs, bool transposed, float scale)
    {
        var rows = new float[outputs * inputs];
        for (var o = 0; o < outputs; o++)
            for (var i = 0; i < inputs; i++)
                rows[o * inputs + i] = scale * (transposed ? matrix[i * outputs + o] : matrix[o * inputs + i]);
        return rows;
    }

    private static float[] BroadcastBias(OnnxModel model, Node node, TensorData bias, int outputs, float scale)
    {
        var values = bias.ToArray<float>();
        var perOutput = bias.ElementCount == outputs && bias.Dims.Count(d => d != 1) <= 1 && (bias.Rank < 2 || bias.Dims[0] == 1);
        if (values.Length != 1 && !perOutput)
            throw new UnsupportedModelException(model.SourcePath,
                $"bias of shape [{string.Join(",", bias.Dims)}] is not per output unit ({outputs})", node.DisplayName);
        return Enumerable.Range(0, outputs).Select(o => scale * values[values.Length == 1 ? 0 : o]).ToArray();
    }

    private static void RequireSingleUse(OnnxModel model, string value, Node? consumer)
    {
        var graph = model.Graph;
        if (graph.Consumers(value).Count > 1 || graph.IsGraphOutput(value))
            throw new UnsupportedModelException(model.SourcePath,
                $"'{value}' is also read outside the layer chain (skip connection or extra output), so these layers cannot be unfrozen",
                consumer?.DisplayName);
    }

    private static UnsupportedModelException Unsupported(OnnxModel model, int count, int k, string value, Node? node) =>
        new(model.SourcePath,
            $"cannot unfreeze {count} layer(s): layer {count - k} from the end ends at '{value}', produced by " +
            $"{node?.OpType ?? "no node (a graph input)"}; unfreezing supports Gemm or MatMul(+Add) layers with " +
            "Relu/LeakyRelu/Elu/Selu/Sigmoid/Tanh between them (fold BatchNormalization first)",
            node?.DisplayName);
}
