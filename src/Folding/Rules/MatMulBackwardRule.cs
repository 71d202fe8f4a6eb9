namespace OnnxBn.Folding.Rules;

/// <summary>
/// BN(MatMul(x, B)) → Add(MatMul(x, B'), t)        BN(Add(MatMul(x, B), c)) → Add(MatMul(x, B'), c')
///
/// With a constant 2-D B [K, N], feature n of the MatMul output (its last axis) is x·B[:, n], so a per-feature
/// affine map on the last axis folds as B' = B·diag(s), c' = s·c + t (see <see cref="DenseLayer"/>). Without an
/// Add, a new Add(·, t) writes the BN's output: a MatMul + Add works for inputs of any rank, where a Gemm would need
/// a rank-2 input (and t = 0 needs no Add at all). This covers tf2onnx's Keras Dense + BN, MatMul → Add → Mul → Add.
///
/// The affine map must scale the last axis. BatchNormalization scales axis 1, which is the feature axis only when
/// the MatMul output has rank 2; on [B, T, F] it normalizes T, which no weight of the MatMul can absorb: declined
/// (PyTorch's Transpose → BN → Transpose around it is <see cref="TransposedSequenceBackwardRule"/>).
/// </summary>
internal sealed class MatMulBackwardRule : IFoldRule
{
    public string Name => "MatMul←BN";

    public RuleDirection Direction => RuleDirection.Backward;

    public RuleMatch Match(FoldContext context, AffineOp op)
    {
        string producerType = context.Graph.Producer(op.Input) is { } p && p.Is("Add") ? "Add" : "MatMul";
        if (LinearGuards.BackwardProducer(context, op, producerType, out var last) is { } declined)
            return declined;
        if (DenseLayer.TryRead(context, last, out var layer) is { } layerReason)
            return RuleMatch.Decline(layerReason);
        int rank = layer.OutputRank;
        if (!op.Axis.Is(rank - 1, rank))
            return RuleMatch.Decline(op.Kind == "BatchNormalization"
                ? $"BatchNormalization normalizes axis 1 of the rank-{rank} MatMul output, not its feature axis {rank - 1}"
                : $"scales {op.Axis} of the rank-{rank} MatMul output, not its feature axis {rank - 1}");
        if (layer.OutputScaling(op, out var s, out var t) is { } reason)
            return RuleMatch.Decline(reason);

        return RuleMatch.Ready(() =>
        {
            foreach (var node in op.Nodes) context.Graph.RemoveNode(node);
            return layer.Fold(context, s, t, op.Output);
        });
    }
}
