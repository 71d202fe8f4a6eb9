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
    /// <summary>Ops whose output has input 0's channel count: same-shape, broadcasting and pooling ops.</summary>
    private static bool KeepsChannels(Node node) =>
        node.Has(OpTrait.SameShape) || node.Has(OpTrait.Broadcasting) || node.Has(OpTrait.Pooling) || node.Has(OpTrait.GlobalPooling);

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
            if (!KeepsChannels(node))
                return null;
            // For a residual Add the first non-constant input carries the channels.
            var next = node.Inputs.FirstOrDefault(input => input.Length > 0 && !graph.TryGetConstant(input, out _));
            node = next is null ? null : graph.Producer(next);
        }
        return null;
    }
}
