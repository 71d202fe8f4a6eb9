using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// The values of a constant input as float64, read the way the fold reads them (<see cref="ConstantChain"/>: through
/// Cast, Identity and reshapes, and computed from constants, as FrozenBatchNorm2d exports its scale): the magnitudes
/// are all a rounding bound needs.
/// </summary>
internal static class ConstantValues
{
    public static double[]? Of(Graph graph, string name, out long[] dims)
    {
        dims = [];
        if (name.Length == 0 || !new ConstantChain(graph).TryGet(name, out var tensor))
            return null;
        dims = tensor.DimsArray();
        return tensor.ToDoubleArray();
    }
}
