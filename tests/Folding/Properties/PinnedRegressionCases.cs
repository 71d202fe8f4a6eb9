using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Properties;

/// <summary>
/// Seeds the property tests once failed on, pinned by name so the bug they found stays fixed even if the
/// generators change. Add a case for every new failing seed.
/// </summary>
public sealed class PinnedRegressionCases
{
    // The BN→BN merge of a 1-channel chain writes a Mul/Add with [1]-shaped constants; the recognizer read them as
    // "axis -1", so no Conv rule would take the merged op and the chain stayed in the graph as Mul+Add.
    [Fact]
    public void One_Channel_Bn_Chain_After_Conv1d_Merges_Then_Folds_Backward() =>
        FoldEquivalence.AssertHolds(FoldProblems.Chain(49), requireSpecFolds: true);

    [Fact]
    public void One_Channel_Triple_Bn_Chain_After_Conv_With_Bias_Folds_Completely() =>
        FoldEquivalence.AssertHolds(FoldProblems.Chain(59), requireSpecFolds: true);

    [Fact]
    public void One_Channel_Bn_Chain_Before_Strided_Dilated_Conv2d_Folds_Forward() =>
        FoldEquivalence.AssertHolds(FoldProblems.Chain(65), requireSpecFolds: true);

    [Fact]
    public void One_Channel_Bn_Chain_Before_Conv3d_Folds_Forward() =>
        FoldEquivalence.AssertHolds(FoldProblems.Chain(72), requireSpecFolds: true);
}
