using OnnxBn.Folding;
namespace OnnxBn.Training.Surgery;

/// <summary>
/// The channel count of a feature map that model A does not declare a shape for: walk back from the tensor through
/// ops that keep the channels (activations, BatchNormalization, pooling, residual Add/Mul) to the Conv that made them;
/// its weight [C_out, C_in/groups, kH, kW] gives C. A head's gap and batchnorm need only C (the positions per channel
/// follow from the feature size).
/// </summary>
public static class FeatureChannels
{
    private static readonly HashSet<string> ChannelKeeping = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid", "Tanh", "Clip", "HardSigmoid", "HardSwish", "Identity", "Dropout",
        "BatchNormalization", "MaxPool", "AveragePool", "LpPool", "Add", "Mul", "Sub", "Div",
    };

    /// <summary>C of <paramref name="tensor"/> when a Conv or ConvTranspose made it, else null.</summary>
    public static int? Of(OnnxModel model, string tensor)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var node = graph.Producer(tensor);
        for (var steps = 0; node is not null && steps < 1000; steps++)
        {
            if ((node.Is("Conv") || node.Is("ConvTranspose")) && graph.TryGetConstant(node.Input(1), out var weight) && weight.Rank >= 3)
                return (int)(node.Is("Conv") ? weight.Dims[0] : weight.Dims[1] * node.GetInt("group", 1));
            if (node.Domain is not ("" or "ai.onnx") || !ChannelKeeping.Contains(node.OpType))
                return null;
            // For a residual Add the first non-constant input carries the channels.
            var next = node.Inputs.FirstOrDefault(input => input.Length > 0 && !graph.TryGetConstant(input, out _));
            node = next is null ? null : graph.Producer(next);
        }
        return null;
    }
}
