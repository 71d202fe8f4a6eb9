using OnnxBn.Folding.Numerics;

namespace OnnxBn.Folding.Rules;

/// <summary>
/// MatMul(BN(x), B) [→ Add(·, bias)] → MatMul(x, B') → Add(·, bias'), also through a Flatten/Reshape.
///
/// With the affine op on the last axis of x (the axis MatMul contracts) and B a constant [K, N] matrix:
///   (s⊙x + t)·B + bias = x·(diag(s)·B) + (bias + t·B)
/// so B' = diag(s)·B scales B's rows and bias' = bias + t·B. A constant bias Add right after the MatMul (one
/// varying along the last axis: [N], [1,N], scalar) gets the new bias; otherwise a new Add is inserted that writes
/// the MatMul's old output name. We keep MatMul + Add rather than turning it into a Gemm: it works for inputs of
/// any rank ([B,T,K]) and keeps the exporter's structure. B may be a Transpose of a constant (bias-free nn.Linear).
/// </summary>
internal sealed class MatMulForwardRule : IFoldRule, IForwardFolder
{
    public string Name => "BN→MatMul";

    public RuleDirection Direction => RuleDirection.Forward;

    public string OpType => "MatMul";

    public RuleMatch Match(FoldContext context, AffineOp op) => ForwardFold.Match(context, op, this);

    public string? Plan(FoldContext context, AffineOp op, ForwardSite site, out Action apply)
    {
        apply = () => { };
        var matMul = site.Linear;
        if (matMul.Input(0) != site.Value || matMul.Input(1) == site.Value)
            return "reads the output as B, not as A";
        int? rank = context.Shapes.RankOf(op.Input);
        if (site.Via is null && !op.Axis.IsLast(rank))
            return $"scales {op.Axis}, not the last axis of MatMul's input (rank {rank?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"})";
        if (MatMulWeight.Resolve(context, matMul.Input(1), out var weight) is { } notConstant)
            return notConstant;
        if (site.Layout(op, weight.Rows, out var layout) is { } mismatch)
            return mismatch;

        double[] s = layout.Expand(op.Scale, weight.Rows);
        double[] t = layout.Expand(op.Shift, weight.Rows);
        double[] w = (double[])weight.Values.Clone();
        double[] shiftThroughB = GemmForwardRule.ShiftThrough(w, transB: false, weight.Rows, weight.Columns, t);
        AxisScaling.ScaleAlong(w, [weight.Rows, weight.Columns], axis: 0, s);
        var biasAdd = FindBiasAdd(context, matMul, weight.Columns, out int biasIndex, out var bias);
        double[]? sum = null;
        if (biasAdd is not null)
        {
            double[] old = bias!.ToDoubleArray();
            sum = shiftThroughB.Select((v, n) => v + old[old.Length == 1 ? 0 : n]).ToArray();
        }
        if (weight.WriteDamage(w, "the folded MatMul weight B") is { } weightDamage)
            return weightDamage;
        if (sum is not null && NarrowFloat.WriteDamage(bias!.ElementType, sum, bias, "the folded MatMul bias") is { } biasDamage)
            return biasDamage;
        if (sum is null && NarrowFloat.WriteDamage(weight.Source.ElementType, shiftThroughB, null, "the MatMul bias t·B") is { } shiftDamage)
            return shiftDamage;

        apply = () =>
        {
            string stem = matMul.Name.Length > 0 ? matMul.Name : matMul.Output(0);
            weight.Replace(context, matMul, 1, $"{stem}_B_bnfold", w);
            if (biasAdd is not null)
            {
                long[] dims = bias!.Rank == 0 ? [weight.Columns] : [.. bias.Dims.SkipLast(1), weight.Columns];
                string biasStem = biasAdd.Name.Length > 0 ? biasAdd.Name : stem;
                context.ReplaceInputWithWeight(biasAdd, biasIndex, $"{biasStem}_bias_bnfold", TensorData.FromDoubles("", bias!.ElementType, dims, sum!), bias);
                return;
            }
            // A pure scale needs no bias Add.
            if (shiftThroughB.All(v => v == 0))
                return;
            var graph = context.Graph;
            string output = matMul.Output(0);
            string product = graph.UniqueName($"{stem}_unshifted");
            graph.SetNodeOutput(matMul, 0, product);
            string shift = context.AddWeight($"{stem}_bias_bnfold", TensorData.FromDoubles("", weight.Source.ElementType, [weight.Columns], shiftThroughB));
            var add = graph.AddNode("Add", [product, shift], [output], graph.UniqueName($"{stem}_bnfold_add"), after: matMul);
            LegacyBroadcast.Mark(context, add);
        };
        return null;
    }

    /// <summary>
    /// The Add that alone reads the MatMul's output and adds a constant bias varying at most along the last axis
    /// (so a new bias of the same rank with N entries there broadcasts the same way), or null.
    /// </summary>
    private static Node? FindBiasAdd(FoldContext context, Node matMul, long columns, out int index, out TensorData? bias)
    {
        index = -1;
        bias = null;
        if (context.SoleConsumer(matMul.Output(0)) is not { } add || !add.Is("Add") || add.Inputs.Count != 2
            || LegacyBroadcast.NotTrailingReason(context, add) is not null)
            return null;
        index = add.Input(0) == matMul.Output(0) ? 1 : 0;
        if (add.Input(1 - index) != matMul.Output(0) || !context.TryConstant(add.Input(index), out var constant))
            return null;
        var dims = constant.Dims;
        bool lastAxisOnly = dims.Take(Math.Max(0, dims.Count - 1)).All(d => d == 1) && (dims.Count == 0 || dims[^1] == 1 || dims[^1] == columns);
        if (!constant.ElementType.IsFoldableFloat() || !lastAxisOnly)
            return null;
        bias = constant;
        return add;
    }
}
