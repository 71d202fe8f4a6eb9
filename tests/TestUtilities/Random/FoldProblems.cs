using OnnxBn.Folding;

namespace OnnxBn.TestUtilities.Random;

/// <summary>
/// Seeded generators, one per property-test family. Each draws a whole <see cref="FoldProblem"/> from its seed and
/// states what the spec requires (<see cref="FoldProblem.MustFold"/>): 0 for patterns that must never fold.
/// </summary>
public static partial class FoldProblems
{
    private static readonly string[] Activations = ["Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid", "Tanh", "Clip"];

    private static OnnxDataType ElementType(SeededRandom r) =>
        r.Chance(0.3) ? OnnxDataType.Double : OnnxDataType.Float;

    private static string? MaybeActivation(SeededRandom r, double p) => r.Chance(p) ? r.Pick(Activations) : null;

    /// <summary>Conv → BN, 1-D/2-D/3-D, groups incl. depthwise, pads/auto_pad, strides, dilations, bias or not.</summary>
    public static FoldProblem BackwardConv(int seed)
    {
        var r = new SeededRandom(seed);
        var conv = ConvGeometry(r, allowAutoPad: true, padded: r.Chance(0.6));
        string? between = r.Chance(0.1) ? r.Pick(Activations) : null;
        return conv with
        {
            Seed = seed,
            Family = nameof(BackwardConv),
            Kind = LinearKind.Conv,
            Position = BnPosition.After,
            ElementType = ElementType(r),
            Bias = r.Chance(0.5),
            Activation = MaybeActivation(r, 0.3),
            ActivationBetween = between,
            MustFold = between is null ? 1 : 0,
        };
    }

    /// <summary>ConvTranspose → BN: groups, strides, pads, dilations, output_padding, bias or not.</summary>
    public static FoldProblem BackwardConvTranspose(int seed)
    {
        var r = new SeededRandom(seed);
        var conv = ConvGeometry(r, allowAutoPad: false, padded: r.Chance(0.5));
        int k = conv.Spatial.Length;
        // The spec requires output_padding < stride or dilation; the output must keep at least one element.
        var outputPadding = Enumerable.Range(0, k)
            .Select(i => (long)r.Int(0, (int)Math.Max(conv.Strides[i], conv.Dilations[i]) - 1)).ToArray();
        var pads = conv.Pads.Length == 0 ? new long[2 * k] : (long[])conv.Pads.Clone();
        for (int i = 0; i < k; i++)
        {
            long full = conv.Strides[i] * (conv.Spatial[i] - 1) + outputPadding[i] + (conv.Kernel[i] - 1) * conv.Dilations[i] + 1;
            if (full - pads[i] - pads[k + i] < 1) pads[i] = pads[k + i] = 0;
        }
        return conv with
        {
            Seed = seed,
            Family = nameof(BackwardConvTranspose),
            Kind = LinearKind.ConvTranspose,
            Position = BnPosition.After,
            ElementType = ElementType(r),
            Bias = r.Chance(0.5),
            Pads = pads,
            OutputPadding = outputPadding,
            Activation = MaybeActivation(r, 0.3),
            MustFold = 1,
        };
    }

    /// <summary>Gemm → BN: transB, alpha, beta, C absent/scalar/[N]/[1,N]/[M,N].</summary>
    public static FoldProblem BackwardGemm(int seed)
    {
        var r = new SeededRandom(seed);
        return Dense(r, seed, nameof(BackwardGemm), LinearKind.Gemm, BnPosition.After) with { MustFold = 1 };
    }

    /// <summary>
    /// MatMul → BN and MatMul → Add → BN on [M, K]; a rank-3 [B, T, K] MatMul (BN then normalizes T, not the
    /// feature axis) must be kept.
    /// </summary>
    public static FoldProblem BackwardMatMul(int seed)
    {
        var r = new SeededRandom(seed);
        var p = Dense(r, seed, nameof(BackwardMatMul), r.Pick(LinearKind.MatMul, LinearKind.MatMulAdd), BnPosition.After);
        return r.Chance(0.15)
            ? p with { MatMulLeadingDim = r.Int(1, 4), MustFold = 0 }
            : p with { MustFold = 1 };
    }

    /// <summary>BN → Gemm / MatMul / MatMul+Add, optionally after an activation (BN after activation).</summary>
    public static FoldProblem ForwardDense(int seed)
    {
        var r = new SeededRandom(seed);
        var kind = r.Pick(LinearKind.Gemm, LinearKind.MatMul, LinearKind.MatMulAdd);
        return Dense(r, seed, nameof(ForwardDense), kind, BnPosition.Before) with { MustFold = 1 };
    }

    /// <summary>BN → Conv: folds when unpadded (any stride/dilation/group); a padded Conv must keep the BN.</summary>
    public static FoldProblem ForwardConv(int seed)
    {
        var r = new SeededRandom(seed);
        bool padded = r.Chance(0.4);
        var conv = ConvGeometry(r, allowAutoPad: false, padded);
        if (padded && conv.Pads.All(v => v == 0))
            conv = conv with { Pads = conv.Pads.Select((v, i) => i == 0 ? 1L : v).ToArray() };
        if (!padded && r.Chance(0.3))
            conv = conv with { AutoPad = "VALID", Pads = [] };
        return conv with
        {
            Seed = seed,
            Family = nameof(ForwardConv),
            Kind = LinearKind.Conv,
            Position = BnPosition.Before,
            ElementType = ElementType(r),
            Bias = r.Chance(0.5),
            Activation = MaybeActivation(r, 0.4),
            MustFold = padded ? 0 : 1,
        };
    }

    /// <summary>[act →] BN over [N, C, H, W] → Flatten or Reshape(0, −1) → Gemm / MatMul(+Add).</summary>
    public static FoldProblem ForwardThroughFlatten(int seed)
    {
        var r = new SeededRandom(seed);
        long channels = r.Int(1, 4);
        long[] spatial = [r.Int(1, 3), r.Int(1, 3)];
        var kind = r.Pick(LinearKind.Gemm, LinearKind.Gemm, LinearKind.MatMul, LinearKind.MatMulAdd);
        var p = Dense(r, seed, nameof(ForwardThroughFlatten), kind, BnPosition.Before);
        return p with
        {
            InChannels = channels * spatial[0] * spatial[1],
            Spatial = spatial,
            Reshaping = r.Chance(0.7) ? Reshaping.Flatten : Reshaping.Reshape,
            MustFold = 1,
        };
    }

    /// <summary>
    /// BN (or tf2onnx Mul+Add) on [M, C, H, W] or [M, C] → PyTorch's dynamic x.view(x.size(0), -1) → Gemm / MatMul /
    /// MatMul+Add: folds forward, the Shape then reading the BN's input.
    /// </summary>
    public static FoldProblem ForwardThroughDynamicView(int seed)
    {
        var r = new SeededRandom(seed);
        long channels = r.Int(1, 4);
        long[] spatial = r.Chance(0.7) ? [r.Int(1, 3), r.Int(1, 3)] : [];
        var kind = r.Pick(LinearKind.Gemm, LinearKind.MatMul, LinearKind.MatMulAdd);
        var p = Dense(r, seed, nameof(ForwardThroughDynamicView), kind, BnPosition.Before);
        return p with
        {
            InChannels = channels * spatial.Aggregate(1L, (a, d) => a * d),
            Spatial = spatial,
            Affine = r.Chance(0.2) ? AffineForm.MulAdd : AffineForm.BatchNormalization,
            Reshaping = Reshaping.DynamicView,
            MustFold = 1,
        };
    }
}
