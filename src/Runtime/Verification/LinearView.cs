using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// A linear node with constant weights seen as y = W·x + b per output channel, for <see cref="RoundingBound"/>:
/// the data input, the largest L1 norm of a weight row (one output channel), the terms per output and max |b|.
/// Conv [M, C/g, k…], ConvTranspose [C, M/g, k…], Gemm (transB, alpha, beta·C), MatMul [K, N], and an Add of a
/// constant after a MatMul (how a backward fold gives a bias-free MatMul its bias), and any of these seen through a
/// data-movement op after it.
/// </summary>
internal sealed record LinearView(string DataInput, double Gain, long Terms, double BiasMax)
{
    public static LinearView? Of(Graph graph, Node node)
    {
        double[]? Constant(string name, out long[] dims) => ConstantValues.Of(graph, name, out dims);
        double MaxAbs(string name, double factor = 1) => Constant(name, out _) is { Length: > 0 } v ? v.Max(Math.Abs) * Math.Abs(factor) : 0;

        switch (node.OpType)
        {
            case "Conv" when Constant(node.Input(1), out var dims) is { } w && dims.Length >= 3:
            {
                var row = w.Length / dims[0];
                return new LinearView(node.Input(0), ColumnOrRowMax(w, [dims[0], row], rows: true), row, MaxAbs(node.Input(2)));
            }
            case "ConvTranspose" when Constant(node.Input(1), out var dims) is { } w && dims.Length >= 3:
            {
                var group = node.GetInt("group", 1);
                long inChannels = dims[0], perGroupOut = dims[1], taps = w.Length / (dims[0] * dims[1]);
                var sums = new double[group * perGroupOut];
                for (long ci = 0; ci < inChannels; ci++)
                    for (long j = 0; j < perGroupOut; j++)
                        for (long t = 0; t < taps; t++)
                            sums[ci / (inChannels / group) * perGroupOut + j] += Math.Abs(w[(ci * perGroupOut + j) * taps + t]);
                return new LinearView(node.Input(0), sums.Max(), inChannels / group * taps, MaxAbs(node.Input(2)));
            }
            case "Gemm" when Constant(node.Input(1), out var dims) is { } b && dims.Length == 2:
            {
                var alpha = Math.Abs(node.GetFloat("alpha", 1f));
                var transB = node.GetInt("transB", 0) != 0;
                var gain = ColumnOrRowMax(b, dims, rows: transB) * alpha;
                return new LinearView(node.Input(0), gain, transB ? dims[1] : dims[0], MaxAbs(node.Input(2), node.GetFloat("beta", 1f)));
            }
            case "MatMul" when Constant(node.Input(1), out var dims) is { } b && dims.Length == 2:
                return new LinearView(node.Input(0), ColumnOrRowMax(b, dims, rows: false), dims[0], 0);
            case "Add":
                for (var side = 0; side < 2; side++)
                {
                    if (Constant(node.Input(side), out _) is null || graph.Producer(node.Input(1 - side)) is not { OpType: "MatMul" } matMul ||
                        Of(graph, matMul) is not { } inner)
                        continue;
                    return inner with { BiasMax = MaxAbs(node.Input(side)) };
                }
                return null;
            case var _ when node.Has(OpTrait.ElementMoving) || node.Has(OpTrait.Reshaping):
                // Moves the folded node's values without arithmetic (a fold through an NHWC Transpose writes there).
                return graph.Producer(node.Input(0)) is { } producer ? Of(graph, producer) : null;
            default:
                return null;
        }
    }

    /// <summary>The largest L1 norm of a row (<paramref name="rows"/>) or a column of a 2-D matrix.</summary>
    private static double ColumnOrRowMax(double[] m, long[] dims, bool rows)
    {
        long r = dims[0], c = dims[1];
        var sums = new double[rows ? r : c];
        for (long i = 0; i < r; i++)
            for (long j = 0; j < c; j++)
                sums[rows ? i : j] += Math.Abs(m[i * c + j]);
        return sums.Length == 0 ? 0 : sums.Max();
    }
}
