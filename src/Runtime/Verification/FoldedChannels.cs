using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>One channel of the affine map a fold removed, y = s·(x − μ) + β.</summary>
internal readonly record struct FoldedChannel(double Scale, double Mean, double Shift);

/// <summary>
/// The per-channel scale, mean and shift of the op a fold removed, read from the original graph: a
/// BatchNormalization (s = γ/√(var + ε), its mean μ and shift β), or the Mul/Div(+Add/Sub) affine map exporters
/// write instead (tf2onnx, torchvision's FrozenBatchNorm2d: y = s·x + t, which is μ = 0 and β = t). The rounding
/// bound only needs the largest magnitudes, so an affine map whose scale and shift do not line up channel by
/// channel (different lengths, neither 1) is read as one channel of the smallest |s| and the largest |t|, which
/// bounds every channel's |t|/|s| and |t| from above.
/// </summary>
internal static class FoldedChannels
{
    public static FoldedChannel[]? Of(Graph original, BnFate fate)
    {
        var node = original.Nodes.FirstOrDefault(n => n.Name == fate.Node || (n.Name.Length == 0 && n.Output(0) == fate.Node));
        if (node is null)
            return null;
        return fate.Kind == "BatchNormalization" ? BatchNorm(original, node) : Affine(original, node, fate.Kind.Split('+'));
    }

    private static FoldedChannel[]? BatchNorm(Graph graph, Node bn)
    {
        if (!bn.Is("BatchNormalization"))
            return null;
        double[]? Values(int i) => ConstantValues.Of(graph, bn.Input(i), out _);
        if (Values(1) is not { } gamma || Values(2) is not { } beta || Values(3) is not { } mean || Values(4) is not { } variance ||
            gamma.Length != beta.Length || gamma.Length != mean.Length || gamma.Length != variance.Length)
            return null;
        double epsilon = bn.GetFloat("epsilon", 1e-5f);
        return gamma.Select((g, c) => new FoldedChannel(g / Math.Sqrt(variance[c] + epsilon), mean[c], beta[c])).ToArray();
    }

    /// <summary>Mul(x, a) or Div(x, a), then, when the fold's kind says so, Add(·, b) or Sub(·, b) as its sole consumer.</summary>
    private static FoldedChannel[]? Affine(Graph graph, Node first, string[] kind)
    {
        if (kind.Length is < 1 or > 2 || kind[0] != first.OpType || !(first.Is("Mul") || first.Is("Div")) ||
            ConstantOperand(graph, first, allowLeft: first.Is("Mul")) is not { } operand || operand.Length == 0)
            return null;
        var scale = first.Is("Div") ? operand.Select(v => 1 / v).ToArray() : operand;
        double[] shift = [0];
        if (kind.Length == 2)
        {
            var consumers = graph.Consumers(first.Output(0));
            if (consumers.Count != 1 || kind[1] != consumers[0].OpType || !(consumers[0].Is("Add") || consumers[0].Is("Sub")) ||
                ConstantOperand(graph, consumers[0], allowLeft: consumers[0].Is("Add")) is not { } b || b.Length == 0)
                return null;
            shift = consumers[0].Is("Sub") ? b.Select(v => -v).ToArray() : b;
        }
        if (scale.Length == shift.Length || scale.Length == 1 || shift.Length == 1)
        {
            var channels = Math.Max(scale.Length, shift.Length);
            return Enumerable.Range(0, channels)
                .Select(c => new FoldedChannel(scale[scale.Length == 1 ? 0 : c], 0, shift[shift.Length == 1 ? 0 : c])).ToArray();
        }
        return [new FoldedChannel(scale.Min(Math.Abs), 0, shift.Max(Math.Abs))];
    }

    /// <summary>The values of the node's one constant operand (the second, or for a commutative op either), else null.</summary>
    private static double[]? ConstantOperand(Graph graph, Node node, bool allowLeft)
    {
        if (node.Inputs.Count != 2)
            return null;
        double[]? left = ConstantValues.Of(graph, node.Input(0), out _), right = ConstantValues.Of(graph, node.Input(1), out _);
        return (left, right) switch
        {
            (null, { } r) => r,
            ({ } l, null) when allowLeft => l,
            _ => null,
        };
    }
}
