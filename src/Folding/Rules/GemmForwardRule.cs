using OnnxBn.Folding.Numerics;

namespace OnnxBn.Folding.Rules;

/// <summary>
/// Gemm(BN(x), B, C) → Gemm(x, B', C'), also through a Flatten/Reshape between BN and Gemm.
///
/// Gemm computes alpha·A·B + beta·C with A = s⊙x + t (s, t per input feature k of A; through a Flatten each
/// channel's value repeats over its block of P = K/C features):
///   alpha·(s⊙x + t)·B + beta·C = alpha·x·(diag(s)·B) + (beta·C + alpha·t·B)
/// so B' = diag(s)·B scales B's input-feature axis (axis 0 when transB=0, axis 1 when transB=1) and
/// C' = beta·C + alpha·(t·B), written as [N] (or [M,N] when C has rows), with beta set to 1. beta = 0 drops C.
/// Needs transA=0 (A's axis 1 holds the features) and constant B and C.
/// </summary>
internal sealed class GemmForwardRule : IFoldRule, IForwardFolder
{
    public string Name => "BN→Gemm";

    public RuleDirection Direction => RuleDirection.Forward;

    public string OpType => "Gemm";

    public RuleMatch Match(FoldContext context, AffineOp op) => ForwardFold.Match(context, op, this);

    public string? Plan(FoldContext context, AffineOp op, ForwardSite site, out Action apply)
    {
        apply = () => { };
        var gemm = site.Linear;
        if (gemm.Input(0) != site.Value || gemm.Inputs.Skip(1).Contains(site.Value))
            return "reads the output as B or C, not as A";
        if (gemm.GetInt("transA", 0) != 0)
            return "transA=1: the features are on axis 0 of A";
        if (context.Opset is > 0 and < 7)
            return $"Gemm of opset {context.Opset} (broadcast attribute) is not rewritten";
        if (site.Via is null && !op.Axis.Is(1, context.Shapes.RankOf(op.Input) ?? 2))
            return $"scales {op.Axis}, not Gemm's feature axis 1";
        if (!context.TryConstant(gemm.Input(1), out var b))
            return context.NotConstant("Gemm B", gemm.Input(1));
        if (!b.ElementType.IsFoldableFloat() || b.Rank != 2)
            return "Gemm B is not a float matrix";
        bool transB = gemm.GetInt("transB", 0) != 0;
        int featureAxis = transB ? 1 : 0;
        long features = b.Dims[featureAxis], outputs = b.Dims[1 - featureAxis];
        if (site.Layout(op, features, out var layout) is { } mismatch)
            return mismatch;
        TensorData? c = null;
        if (gemm.Input(2).Length > 0 && !context.TryConstant(gemm.Input(2), out c))
            return context.NotConstant("Gemm C", gemm.Input(2));
        if (c is not null && CRows(c, outputs) is not long rows)
            return $"Gemm C of shape {ShapeMath.Format(c!.DimsArray())} does not broadcast to [M, {outputs}]";

        double[] s = layout.Expand(op.Scale, features);
        double[] t = layout.Expand(op.Shift, features);
        double alpha = gemm.GetFloat("alpha", 1f), beta = gemm.GetFloat("beta", 1f);
        double[] w = b.ToDoubleArray();
        double[] shiftThroughB = ShiftThrough(w, transB, features, outputs, t);
        AxisScaling.ScaleAlong(w, b.Dims, featureAxis, s);
        long cRows = c is null ? 1 : CRows(c, outputs)!.Value;
        double[] bias = NewBias(c, beta, alpha, shiftThroughB, cRows);

        if (NarrowFloat.WriteDamage(b.ElementType, w, b, "the folded Gemm weight B") is { } weightDamage)
            return weightDamage;
        if (NarrowFloat.WriteDamage(c?.ElementType ?? b.ElementType, bias, c, "the folded Gemm C") is { } biasDamage)
            return biasDamage;

        apply = () =>
        {
            string stem = gemm.Name.Length > 0 ? gemm.Name : gemm.Output(0);
            context.ReplaceInputWithWeight(gemm, 1, $"{stem}_B_bnfold", TensorData.FromDoubles("", b.ElementType, b.DimsArray(), w), b);
            // A pure scale adds nothing to a Gemm without C.
            if (c is null && bias.All(v => v == 0))
                return;
            long[] dims = cRows == 1 ? [outputs] : [cRows, outputs];
            context.ReplaceInputWithWeight(gemm, 2, $"{stem}_C_bnfold", TensorData.FromDoubles("", c?.ElementType ?? b.ElementType, dims, bias), c);
            if (gemm.HasAttribute("beta")) gemm.SetFloat("beta", 1f);
        };
        return null;
    }

    /// <summary>(t·B)[n] = Σ_k t[k]·B[k, n], reading B as [K, N] or, with transB, [N, K].</summary>
    internal static double[] ShiftThrough(double[] w, bool transB, long features, long outputs, double[] t)
    {
        var result = new double[outputs];
        for (long k = 0; k < features; k++)
        {
            if (t[k] == 0) continue;
            for (long n = 0; n < outputs; n++)
                result[n] += t[k] * w[transB ? n * features + k : k * outputs + n];
        }
        return result;
    }

    /// <summary>The number of rows C has once broadcast to [M, N] (1 for scalar, [N], [1,N]), or null when it does not broadcast.</summary>
    private static long? CRows(TensorData c, long outputs)
    {
        var dims = c.Dims;
        if (dims.Count > 2) return null;
        long last = dims.Count == 0 ? 1 : dims[^1];
        if (last != 1 && last != outputs) return null;
        return dims.Count == 2 ? dims[0] : 1;
    }

    /// <summary>C'[m, n] = beta·C[m, n] + alpha·(t·B)[n], with C broadcast to [rows, N] (and dropped when beta = 0).</summary>
    private static double[] NewBias(TensorData? c, double beta, double alpha, double[] shiftThroughB, long rows)
    {
        long outputs = shiftThroughB.Length;
        var result = new double[rows * outputs];
        double[]? old = c is not null && beta != 0 ? c.ToDoubleArray() : null;
        long oldColumns = c is null || c.Dims.Count == 0 ? 1 : c.Dims[^1];
        for (long m = 0; m < rows; m++)
            for (long n = 0; n < outputs; n++)
            {
                double fromC = old is null ? 0 : beta * old[m * oldColumns + (oldColumns == 1 ? 0 : n)];
                result[m * outputs + n] = fromC + alpha * shiftThroughB[n];
            }
        return result;
    }
}
