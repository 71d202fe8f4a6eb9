using OnnxBn.Folding.Numerics;

namespace OnnxBn.Folding.Rules;

/// <summary>
/// BN(Gemm(A, B, C)) → Gemm(A, B', C') with beta = 1
///
/// Gemm computes Y = alpha·op(A)·op(B) + beta·C with op(B) = B or Bᵀ (transB). Y is [M, N]; its feature axis is
/// axis 1, and column n of Y depends on B only through column n of op(B): axis 1 of B when transB = 0, axis 0 when
/// transB = 1. Whether A is transposed does not matter, since only the columns of Y are scaled. So
///   B' = B scaled by s along the output-feature axis        (alpha unchanged)
///   C'[m, n] = s[n]·beta·C[m, n] + t[n]                      (C = 0 when absent), then beta := 1.
/// C may be a scalar, [1], [N], [1, N], [M, 1] or [M, N]; C' is [N] unless C has rank 2, then [rows of C, N]
/// (an [M, 1] C grows to [M, N]: the per-column scale makes it vary along n). The affine axis must be axis 1.
/// </summary>
internal sealed class GemmBackwardRule : IFoldRule
{
    public string Name => "Gemm←BN";

    public RuleDirection Direction => RuleDirection.Backward;

    public RuleMatch Match(FoldContext context, AffineOp op)
    {
        if (LinearGuards.BackwardProducer(context, op, "Gemm", out var gemm) is { } declined)
            return declined;
        if (!op.Axis.Is(1, 2))
            return RuleMatch.Decline($"scales {op.Axis}, not Gemm's feature axis 1");
        if (!context.TryConstant(gemm.Input(1), out var weight))
            return RuleMatch.Decline(context.NotConstant("Gemm weight B", gemm.Input(1)));
        if (!weight.ElementType.IsFoldableFloat() || weight.Rank != 2)
            return RuleMatch.Decline("Gemm weight B is not a 2-D float tensor");
        bool transB = gemm.GetInt("transB", 0) != 0;
        int featureAxis = transB ? 0 : 1;
        int features = (int)weight.Dims[featureAxis];
        if (op.Channels != features && op.Channels != 1)
            return RuleMatch.Decline($"{op.Channels} channels, but Gemm has {features} output features");
        TensorData? bias = null;
        if (gemm.Input(2).Length > 0 && !context.TryConstant(gemm.Input(2), out bias))
            return RuleMatch.Decline(context.NotConstant("Gemm C", gemm.Input(2)));
        if (bias is not null && BiasShapeProblem(bias, features) is { } problem)
            return RuleMatch.Decline(problem);
        if (NarrowFloat.ScaledDamage(weight, featureAxis, AxisScaling.Broadcast(op.Scale, features), "the folded Gemm weight B") is { } damage)
            return RuleMatch.Decline(damage);

        return RuleMatch.Ready(() =>
        {
            double[] s = AxisScaling.Broadcast(op.Scale, features), t = AxisScaling.Broadcast(op.Shift, features);
            var scaled = AxisScaling.ScaledCopy(weight, featureAxis, s);
            double beta = gemm.GetFloat("beta", 1f);
            var (c, cDims) = FoldedBias(bias, beta, s, t);

            string stem = gemm.Name.Length > 0 ? gemm.Name : gemm.Output(0);
            context.ReplaceInputWithWeight(gemm, 1, $"{stem}_B_bnfold", scaled, weight);
            var biasType = bias?.ElementType ?? weight.ElementType;
            context.ReplaceInputWithWeight(gemm, 2, $"{stem}_C_bnfold", TensorData.FromDoubles("", biasType, cDims, c), bias);
            gemm.RemoveAttribute("beta");
            // Gemm before opset 7 broadcasts C only when asked to.
            if (context.Opset is > 0 and < 7)
                gemm.SetInt("broadcast", 1);
            context.RemoveAffineRenamingProducer(op, gemm);
            return gemm.DisplayName;
        });
    }

    /// <summary>Why C cannot be folded into, or null: it must broadcast to [M, N] along rows and columns.</summary>
    private static string? BiasShapeProblem(TensorData bias, int features)
    {
        if (!bias.ElementType.IsFoldableFloat())
            return "Gemm C is not a float tensor";
        if (bias.Rank > 2)
            return $"Gemm C has rank {bias.Rank}";
        long columns = bias.Rank == 0 ? 1 : bias.Dims[^1];
        if (columns != 1 && columns != features)
            return $"Gemm C has {columns} columns, but Gemm has {features} output features";
        return null;
    }

    /// <summary>C'[m, n] = s[n]·beta·C[m, n] + t[n] with C broadcast along n; C absent reads as 0.</summary>
    private static (double[] Values, long[] Dims) FoldedBias(TensorData? bias, double beta, double[] s, double[] t)
    {
        int n = s.Length;
        double[] c = bias?.ToDoubleArray() ?? [0.0];
        int rows = bias is { Rank: 2 } ? (int)bias.Dims[0] : 1;
        int columns = bias is null || bias.Rank == 0 ? 1 : (int)bias.Dims[^1];
        var result = new double[rows * n];
        for (int m = 0; m < rows; m++)
            for (int j = 0; j < n; j++)
                result[m * n + j] = s[j] * beta * c[m * columns + (columns == 1 ? 0 : j)] + t[j];
        long[] dims = bias is { Rank: 2 } ? [rows, n] : [n];
        return (result, dims);
    }
}
