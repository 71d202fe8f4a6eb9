using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// The values of a constant input as float64, looking through the Cast and Identity nodes mixed-precision exports put
/// between a float16 initializer and the node that reads it (the magnitudes are all a rounding bound needs).
/// </summary>
internal static class ConstantValues
{
    private const int MaxDepth = 8;

    public static double[]? Of(Graph graph, string name, out long[] dims)
    {
        dims = [];
        for (var depth = 0; depth < MaxDepth && name.Length > 0; depth++)
        {
            if (graph.TryGetConstant(name, out var tensor))
            {
                dims = tensor.DimsArray();
                return tensor.ToDoubleArray();
            }
            if (graph.Producer(name) is not { } node || !(node.Is("Cast") || node.Is("Identity")))
                return null;
            name = node.Input(0);
        }
        return null;
    }
}
