using OnnxBn.Folding.Numerics;

namespace OnnxBn.Folding.Rules;

/// <summary>
/// A dense layer as exporters write it: MatMul(x, B) with a constant 2-D B [K, N] (or PyTorch's Transpose of a
/// constant [N, K], see <see cref="MatMulWeight"/>), optionally followed by
/// Add(·, c) (either operand order: PyTorch writes Add(bias, x) for inputs of rank 3) with a constant c that varies
/// only along the last axis ([N], [1, N], a scalar, ...). Its output features are the last axis of the MatMul's
/// output, and a per-feature affine map s·y + t folds into it as
///   B' = B·diag(s)        c' = s·c + t      (c = 0 when there is no Add: an Add(·, t) is added, unless t = 0).
/// Used by the MatMul backward rules, which first check that the affine map scales the feature axis.
/// </summary>
internal sealed class DenseLayer
{
    private DenseLayer(Node matMul, MatMulWeight weight, int outputRank, Node? biasAdd, int biasIndex, TensorData? bias)
    {
        MatMul = matMul;
        Weight = weight;
        OutputRank = outputRank;
        BiasAdd = biasAdd;
        BiasIndex = biasIndex;
        Bias = bias;
    }

    public Node MatMul { get; }

    public MatMulWeight Weight { get; }

    /// <summary>The rank of the layer's output (the MatMul's, which the Add keeps).</summary>
    public int OutputRank { get; }

    public Node? BiasAdd { get; }

    public int BiasIndex { get; }

    public TensorData? Bias { get; }

    public int Features => (int)Weight.Columns;

    /// <summary>The node whose output is the layer's output.</summary>
    public Node Last => BiasAdd ?? MatMul;

    /// <summary>
    /// Reads the dense layer whose last node is <paramref name="last"/> (a MatMul, or an Add after one), or says why
    /// it is not one that can be folded into. The caller checks that <paramref name="last"/>'s own output feeds only
    /// the affine op; this checks the MatMul → Add link.
    /// </summary>
    public static string? TryRead(FoldContext context, Node last, out DenseLayer layer)
    {
        layer = null!;
        var matMul = last;
        Node? add = null;
        int biasIndex = -1;
        TensorData? bias = null;
        if (last.Is("Add"))
        {
            if (BiasOperand(context, last, out biasIndex, out bias, out var producer) is { } addReason)
                return addReason;
            if (context.SoleConsumer(producer.Output(0)) is null)
                return "MatMul output also feeds another node or is a graph output";
            (matMul, add) = (producer, last);
        }
        else if (!last.Is("MatMul"))
            return $"input comes from {last.OpType}, not MatMul or Add";

        if (MatMulWeight.Resolve(context, matMul.Input(1), out var weight) is { } weightReason)
            return weightReason;
        if (context.Shapes.RankOf(matMul.Output(0)) is not int rank)
            return "MatMul output rank is unknown";
        if (bias is not null && BiasShapeProblem(bias, (int)weight.Columns, rank) is { } biasReason)
            return biasReason;
        layer = new DenseLayer(matMul, weight, rank, add, biasIndex, bias);
        return null;
    }

    /// <summary>
    /// The per-feature s and t of <paramref name="op"/> on this layer's output (a single channel broadcast to every
    /// feature), or why they cannot fold into it: another channel count, or weights damaged in their 16-bit type.
    /// </summary>
    public string? OutputScaling(AffineOp op, out double[] s, out double[] t)
    {
        s = t = [];
        if (op.Channels != Features && op.Channels != 1)
            return $"{op.Channels} channels, but MatMul has {Features} output features";
        s = AxisScaling.Broadcast(op.Scale, Features);
        t = AxisScaling.Broadcast(op.Shift, Features);
        return FoldDamage(s, t);
    }

    /// <summary>
    /// Why the weights <see cref="Fold"/> would write for s·y + t would be damaged in their 16-bit type
    /// (<see cref="Numerics.NarrowFloat"/>), or null. Rules call it before they edit anything.
    /// </summary>
    private string? FoldDamage(double[] s, double[] t)
    {
        double[] w = ScaledWeight(s);
        if (Weight.WriteDamage(w, "the folded MatMul weight B") is { } weightDamage)
            return weightDamage;
        return Bias is { } bias
            ? NarrowFloat.WriteDamage(bias.ElementType, FoldedBias(s, t), bias, "the folded MatMul bias")
            : NarrowFloat.WriteDamage(Weight.Source.ElementType, t, null, "the MatMul bias t");
    }

    private double[] ScaledWeight(double[] s)
    {
        double[] w = (double[])Weight.Values.Clone();
        AxisScaling.ScaleAlong(w, [Weight.Rows, Weight.Columns], axis: 1, s);
        return w;
    }

    /// <summary>c'[j] = s[j]·c[j] + t[j], c broadcast along the features.</summary>
    private double[] FoldedBias(double[] s, double[] t)
    {
        double[] c = Bias!.ToDoubleArray();
        var folded = new double[Features];
        for (int j = 0; j < folded.Length; j++)
            folded[j] = s[j] * c[c.Length == 1 ? 0 : j] + t[j];
        return folded;
    }

    /// <summary>
    /// Rewrites the layer to compute s·y + t into <paramref name="output"/>. The caller has already removed the nodes
    /// that wrote <paramref name="output"/>; returns the display names of the layer's nodes.
    /// </summary>
    public string Fold(FoldContext context, double[] s, double[] t, string output)
    {
        var graph = context.Graph;
        int n = Features;
        double[] w = ScaledWeight(s);
        string stem = MatMul.Name.Length > 0 ? MatMul.Name : MatMul.Output(0);
        Weight.Replace(context, MatMul, 1, $"{stem}_B_bnfold", w);

        if (BiasAdd is not null)
        {
            var bias = Bias!;
            double[] folded = FoldedBias(s, t);
            long[] dims = bias.Rank == 0 ? [n] : [.. bias.Dims.SkipLast(1), n];
            string addStem = BiasAdd.Name.Length > 0 ? BiasAdd.Name : stem;
            context.ReplaceInputWithWeight(BiasAdd, BiasIndex, $"{addStem}_bias_bnfold", TensorData.FromDoubles("", bias.ElementType, dims, folded), bias);
            RenameOutput(graph, BiasAdd, output);
        }
        else if (t.All(v => v == 0))
            RenameOutput(graph, MatMul, output);
        else
        {
            string shift = context.AddWeight($"{stem}_bias_bnfold", TensorData.FromDoubles("", Weight.Source.ElementType, [n], t));
            var add = graph.AddNode("Add", [MatMul.Output(0), shift], [output], graph.UniqueName($"{stem}_bnfold_add"), after: MatMul);
            LegacyBroadcast.Mark(context, add);
        }
        return BiasAdd is null ? MatMul.DisplayName : $"{MatMul.DisplayName} + {BiasAdd.DisplayName}";
    }

    private static void RenameOutput(Graph graph, Node node, string output)
    {
        string old = node.Output(0);
        graph.SetNodeOutput(node, 0, output);
        graph.RemoveValueInfo(old);
    }

    /// <summary>The constant operand of an Add whose other operand a MatMul produces, or why there is none.</summary>
    private static string? BiasOperand(FoldContext context, Node add, out int biasIndex, out TensorData? bias, out Node matMul)
    {
        biasIndex = -1;
        bias = null;
        matMul = null!;
        if (add.Inputs.Count != 2)
            return $"Add has {add.Inputs.Count} inputs";
        if (LegacyBroadcast.NotTrailingReason(context, add) is { } legacy)
            return legacy;
        for (int i = 0; i < 2; i++)
        {
            if (!context.TryConstant(add.Input(i), out var constant) || context.Graph.Producer(add.Input(1 - i)) is not { } producer)
                continue;
            if (!producer.Is("MatMul"))
                return $"Add's non-constant operand comes from {producer.OpType}, not MatMul";
            (biasIndex, bias, matMul) = (i, constant, producer);
            return null;
        }
        return "Add adds two computed values: neither is a constant bias of a MatMul";
    }

    /// <summary>c must vary only along the last axis (1 or N values) and not raise the output's rank.</summary>
    private static string? BiasShapeProblem(TensorData bias, int features, int outputRank)
    {
        if (!bias.ElementType.IsFoldableFloat())
            return "Add bias is not a float tensor";
        if (bias.Rank > outputRank)
            return $"Add bias has rank {bias.Rank}, above the MatMul output's {outputRank}";
        if (bias.Dims.SkipLast(1).Any(d => d != 1))
            return $"Add bias [{string.Join(",", bias.Dims)}] varies along more than the feature axis";
        long last = bias.Rank == 0 ? 1 : bias.Dims[^1];
        if (last != 1 && last != features)
            return $"Add bias has {last} values, but MatMul has {features} output features";
        return null;
    }
}
