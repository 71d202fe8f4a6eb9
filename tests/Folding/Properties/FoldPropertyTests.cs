using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Properties;

/// <summary>
/// Hundreds of seeded random folding problems per family: folded ≡ original (reference evaluator), the report's
/// folded count equals the BNs actually removed, and patterns that must never fold are kept. Families whose rules
/// are on main also require every foldable BN to be folded (<see cref="RulesOnMain"/>).
/// </summary>
public sealed class FoldPropertyTests
{
    private const int Seeds = 300;

    [Fact]
    public void Backward_Conv_Folds_Equivalently_For_Any_Rank_Group_Padding_Stride_Dilation() =>
        FoldEquivalence.AssertFamily(FoldProblems.BackwardConv, Seeds, RulesOnMain.ConvBackward);

    [Fact]
    public void Backward_ConvTranspose_Folds_Equivalently() =>
        FoldEquivalence.AssertFamily(FoldProblems.BackwardConvTranspose, Seeds, RulesOnMain.ConvTransposeBackward);

    [Fact]
    public void Backward_Gemm_Folds_Equivalently_For_TransB_Alpha_Beta_And_Every_C_Form() =>
        FoldEquivalence.AssertFamily(FoldProblems.BackwardGemm, Seeds, RulesOnMain.GemmBackward);

    [Fact]
    public void Backward_MatMul_And_MatMul_Add_Fold_Equivalently_And_Rank3_Is_Kept() =>
        FoldEquivalence.AssertFamily(FoldProblems.BackwardMatMul, Seeds, RulesOnMain.MatMulBackward);

    [Fact]
    public void Forward_Gemm_And_MatMul_Fold_Equivalently() =>
        FoldEquivalence.AssertFamily(FoldProblems.ForwardDense, Seeds, RulesOnMain.DenseForward);

    [Fact]
    public void Forward_Conv_Folds_Unpadded_And_Keeps_Padded() =>
        FoldEquivalence.AssertFamily(FoldProblems.ForwardConv, Seeds, RulesOnMain.ConvForward);

    [Fact]
    public void Forward_Folds_Through_Flatten_And_Reshape_Into_Gemm() =>
        FoldEquivalence.AssertFamily(FoldProblems.ForwardThroughFlatten, Seeds, RulesOnMain.FlattenForward);

    [Fact]
    public void Bn_Chains_Fold_Completely() =>
        FoldEquivalence.AssertFamily(FoldProblems.Chain, Seeds, RulesOnMain.Chains);

    [Fact]
    public void Tf2Onnx_Dense_Then_Mul_Add_Folds_Into_One_Linear_Op() =>
        FoldEquivalence.AssertFamily(FoldProblems.Tf2OnnxDenseThenBn, Seeds, RulesOnMain.Tf2OnnxDense);
}
