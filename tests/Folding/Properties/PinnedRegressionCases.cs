using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Properties;

/// <summary>
/// Problems the property tests once failed on, pinned as literal records: the structure (op, shapes, group, pads,
/// strides, dilations, bias, dtype, how many BNs where) is written out here, so a change to the generators cannot
/// quietly turn a pinned case into a different one. The builder still draws the weights and inputs from
/// <see cref="FoldProblem.Seed"/> (the bugs these pin were structural). Add a case for every new failing seed,
/// copied from the failure message.
/// </summary>
public sealed class PinnedRegressionCases
{
    // The BN→BN merge of a 1-channel chain writes a Mul/Add with [1]-shaped constants; the recognizer read them as
    // "axis -1", so no Conv rule would take the merged op and the chain stayed in the graph as Mul+Add.
    [Fact]
    public void One_Channel_Bn_Chain_After_Conv1d_Merges_Then_Folds_Backward() =>
        FoldEquivalence.AssertHolds(new FoldProblem
        {
            Seed = 49, Family = "Chain (pinned)", Kind = LinearKind.Conv, Position = BnPosition.After,
            ElementType = OnnxDataType.Double, AffineCount = 2,
            Batch = 2, InChannels = 3, OutChannels = 1, Spatial = [3],
            Kernel = [2], Group = 1, Pads = [0, 0], Strides = [3], Dilations = [1], Bias = false,
            MustFold = 2,
        }, requireSpecFolds: true);

    [Fact]
    public void One_Channel_Triple_Bn_Chain_After_Conv_With_Bias_Folds_Completely() =>
        FoldEquivalence.AssertHolds(new FoldProblem
        {
            Seed = 59, Family = "Chain (pinned)", Kind = LinearKind.Conv, Position = BnPosition.After,
            ElementType = OnnxDataType.Double, AffineCount = 3,
            Batch = 1, InChannels = 2, OutChannels = 1, Spatial = [4],
            Kernel = [1], Group = 1, Pads = [0, 0], Strides = [1], Dilations = [1], Bias = true,
            MustFold = 3,
        }, requireSpecFolds: true);

    [Fact]
    public void One_Channel_Bn_Chain_Before_Strided_Dilated_Conv2d_Folds_Forward() =>
        FoldEquivalence.AssertHolds(new FoldProblem
        {
            Seed = 65, Family = "Chain (pinned)", Kind = LinearKind.Conv, Position = BnPosition.Before,
            ElementType = OnnxDataType.Float, AffineCount = 3,
            Batch = 1, InChannels = 1, OutChannels = 1, Spatial = [3, 3],
            Kernel = [1, 1], Group = 1, Pads = [0, 0, 0, 0], Strides = [2, 1], Dilations = [1, 2], Bias = true,
            MustFold = 3,
        }, requireSpecFolds: true);

    [Fact]
    public void One_Channel_Bn_Chain_Before_Conv3d_Folds_Forward() =>
        FoldEquivalence.AssertHolds(new FoldProblem
        {
            Seed = 72, Family = "Chain (pinned)", Kind = LinearKind.Conv, Position = BnPosition.Before,
            ElementType = OnnxDataType.Double, AffineCount = 2,
            Batch = 1, InChannels = 1, OutChannels = 2, Spatial = [5, 4, 3],
            Kernel = [3, 1, 3], Group = 1, Pads = [0, 0, 0, 0, 0, 0], Strides = [3, 3, 1], Dilations = [2, 1, 1],
            Bias = false,
            MustFold = 2,
        }, requireSpecFolds: true);
}
