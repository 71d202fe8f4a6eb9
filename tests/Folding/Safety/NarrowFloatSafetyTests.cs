using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// float16/bfloat16 folds: computed in float64, written back in 16 bits only when every value fits as well as a
/// normal number of the type does; otherwise the BN is kept with the reason (overflow, flush to zero, subnormal
/// precision loss) rather than writing a damaged weight.
/// </summary>
public sealed class NarrowFloatSafetyTests
{
    /// <summary>x fp16 [1,2,1,1] → Conv(W <paramref name="type"/> [2,2,1,1] = <paramref name="w"/>) → BN-15(γ, β = 0, mean = 0, var = 1, fp32) → y.</summary>
    private static OnnxModel ConvBn(OnnxDataType type, double[] w, float[] gamma, float[]? beta = null) => new GraphBuilder(opset: 15)
        .Input("x", type, 1, 2, 1, 1)
        .Output("y", type, 1, 2, 1, 1)
        .Initializer(TensorData.FromDoubles("W", type, [2, 2, 1, 1], w))
        .Initializer("g", [2], gamma)
        .Initializer("be", [2], beta ?? [0f, 0f])
        .Initializer("mu", [2], 0f, 0f)
        .Initializer("va", [2], 1f, 1f)
        .Node("Conv", ["x", "W"], ["c"], "conv")
        .Node("BatchNormalization", ["c", "g", "be", "mu", "va"], ["y"], "bn", ("epsilon", 0f))
        .Build();

    [Fact]
    public void Float16_Weight_That_Would_Overflow_Is_Kept()
    {
        // 60000 · 2 = 120000 > 65504.
        var report = FoldPass.Run(ConvBn(OnnxDataType.Float16, [60000, 1, 1, 1], [2f, 1f]));

        AssertKept(report, "bn", "the folded Conv weight would overflow float16", "becomes +inf");
    }

    [Fact]
    public void Float16_Weight_That_Would_Flush_To_Zero_Is_Kept()
    {
        // 0.001 · 1e-5 = 1e-8, below half of float16's smallest subnormal (2⁻²⁴ ≈ 6e-8).
        var report = FoldPass.Run(ConvBn(OnnxDataType.Float16, [0.001, 1, 1, 1], [1e-5f, 1f]));

        AssertKept(report, "bn", "would flush a non-zero weight to zero in float16");
    }

    [Fact]
    public void Float16_Weight_Pushed_Into_The_Subnormal_Range_Is_Kept()
    {
        // 0.1 · 2.5e-4 ≈ 2.5e-5 is subnormal in float16 (below 2⁻¹⁴ ≈ 6.1e-5): fewer significant bits than the original.
        var report = FoldPass.Run(ConvBn(OnnxDataType.Float16, [0.1, 1, 1, 1], [2.5e-4f, 1f]));

        AssertKept(report, "bn", "would lose precision in float16's subnormal range");
    }

    [Fact]
    public void Bfloat16_Weight_That_Would_Overflow_Is_Kept()
    {
        var report = FoldPass.Run(ConvBn(OnnxDataType.BFloat16, [3e38, 1, 1, 1], [4f, 1f]));

        AssertKept(report, "bn", "would overflow bfloat16");
    }

    [Fact]
    public void Float16_Bias_That_Would_Overflow_Is_Kept()
    {
        // No Conv bias: b' = t = β = 70000, beyond float16.
        var report = FoldPass.Run(ConvBn(OnnxDataType.Float16, [1, 0, 0, 1], [1f, 1f], [70000f, 0f]));

        AssertKept(report, "bn", "the folded Conv bias would overflow float16");
    }

    [Fact]
    public void Ordinary_Float16_Fold_Still_Folds()
    {
        var model = ConvBn(OnnxDataType.Float16, [0.5, -0.25, 1, 2], [1.5f, 0.75f], [0.1f, -0.2f]);

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
    }

    [Fact]
    public void Float32_Is_Not_Held_To_The_16_Bit_Range()
    {
        var report = FoldPass.Run(ConvBn(OnnxDataType.Float, [60000, 1, 1, 1], [2f, 1f]));

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
    }

    [Fact]
    public void Gemm_With_A_Float16_Weight_That_Would_Overflow_Is_Kept()
    {
        var model = new GraphBuilder(opset: 15)
            .Input("x", OnnxDataType.Float16, 1, 2)
            .Output("y", OnnxDataType.Float16, 1, 2)
            .Initializer(TensorData.FromDoubles("B", OnnxDataType.Float16, [2, 2], [40000, 1, 1, 1]))
            .Initializer("g", [2], 3f, 1f).Initializer("be", [2], 0f, 0f).Initializer("mu", [2], 0f, 0f).Initializer("va", [2], 1f, 1f)
            .Node("Gemm", ["x", "B"], ["c"], "fc", ("transB", 1L))
            .Node("BatchNormalization", ["c", "g", "be", "mu", "va"], ["y"], "bn", ("epsilon", 0f))
            .Build();

        AssertKept(FoldPass.Run(model), "bn", "the folded Gemm weight B would overflow float16");
    }
}
