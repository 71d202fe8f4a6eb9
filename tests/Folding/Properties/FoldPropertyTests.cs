using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Properties;

/// <summary>
/// Hundreds of seeded random folding problems per family: folded ≡ original (reference evaluator), the report's
/// folded count equals the BNs actually removed, patterns that must never fold are kept, and every BN the spec
/// calls foldable is folded.
/// </summary>
public sealed class FoldPropertyTests
{
    private const int Seeds = 300;

    [Fact]
    public void Backward_Conv_Folds_Equivalently_For_Any_Rank_Group_Padding_Stride_Dilation() =>
        FoldEquivalence.AssertFamily(FoldProblems.BackwardConv, Seeds, requireSpecFolds: true);

    [Fact]
    public void Backward_ConvTranspose_Folds_Equivalently() =>
        FoldEquivalence.AssertFamily(FoldProblems.BackwardConvTranspose, Seeds, requireSpecFolds: true);

    [Fact]
    public void Backward_Gemm_Folds_Equivalently_For_TransB_Alpha_Beta_And_Every_C_Form() =>
        FoldEquivalence.AssertFamily(FoldProblems.BackwardGemm, Seeds, requireSpecFolds: true);

    [Fact]
    public void Backward_MatMul_And_MatMul_Add_Fold_Equivalently_And_Rank3_Is_Kept() =>
        FoldEquivalence.AssertFamily(FoldProblems.BackwardMatMul, Seeds, requireSpecFolds: true);

    [Fact]
    public void Forward_Gemm_And_MatMul_Fold_Equivalently() =>
        FoldEquivalence.AssertFamily(FoldProblems.ForwardDense, Seeds, requireSpecFolds: true);

    [Fact]
    public void Forward_Conv_Folds_Unpadded_And_Keeps_Padded() =>
        FoldEquivalence.AssertFamily(FoldProblems.ForwardConv, Seeds, requireSpecFolds: true);

    [Fact]
    public void Forward_Folds_Through_Flatten_And_Reshape_Into_Gemm() =>
        FoldEquivalence.AssertFamily(FoldProblems.ForwardThroughFlatten, Seeds, requireSpecFolds: true);

    [Fact]
    public void Forward_Folds_Through_PyTorch_Dynamic_View_Into_Gemm_And_MatMul() =>
        FoldEquivalence.AssertFamily(FoldProblems.ForwardThroughDynamicView, Seeds, requireSpecFolds: true);

    [Fact]
    public void Bn_Chains_Fold_Completely() =>
        FoldEquivalence.AssertFamily(FoldProblems.Chain, Seeds, requireSpecFolds: true);

    [Fact]
    public void Tf2Onnx_Dense_Then_Mul_Add_Folds_Into_One_Linear_Op() =>
        FoldEquivalence.AssertFamily(FoldProblems.Tf2OnnxDenseThenBn, Seeds, requireSpecFolds: true);

    [Fact]
    public void Mul_Add_That_May_Broadcast_Folds_Equivalently_And_A_Broadcasting_Mul_Is_Never_Folded()
    {
        var tally = BroadcastAffineEquivalence.AssertFamily(FoldProblems.BroadcastingChannelAffine, Seeds);

        // The generator must keep exercising both sides of the property: folds that happen, broadcasts that stay.
        Assert.True(tally.Folded > Seeds / 10, $"only {tally.Folded} affine ops folded in {Seeds} seeds");
        Assert.True(tally.BroadcastKept > Seeds / 10, $"only {tally.BroadcastKept} broadcasting seeds in {Seeds}");
    }
}
