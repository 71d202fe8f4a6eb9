using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Rules.BackwardFixtures;

namespace OnnxBn.Folding.Tests.Rules;

public sealed class TransposedSequenceBackwardRuleTests
{
    // PyTorch Linear on [N, L, C] then BatchNorm1d over C:
    // x:[1,3,2] → MatMul(W:[[1,2],[3,4]]) → Add(b, m)? → Transpose(0,2,1) → BN(s = [2, 1.5], t = [-1.5, -4]) → Transpose(0,2,1) → y
    private static GraphBuilder Sequence(bool withBias, long[]? outerPerm = null)
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 3, 2)
            .Output("y", OnnxDataType.Float, 1, 3, 2)
            .Initializer("W", [2, 2], 1f, 2f, 3f, 4f)
            .Initializer("b", [2], 10f, 20f)
            .Node("MatMul", ["x", "W"], ["m"], "/linear/MatMul");
        if (withBias) builder.Node("Add", ["b", "m"], ["a"], "/linear/Add");
        return builder
            .Node("Transpose", [withBias ? "a" : "m"], ["t1"], "/Transpose", ("perm", new long[] { 0, 2, 1 }))
            .TwoChannelBn("t1", "n")
            .Node("Transpose", ["n"], ["y"], "/Transpose_1", ("perm", outerPerm ?? [0, 2, 1]));
    }

    [Fact]
    public void Folds_Linear_Transpose_Bn_Transpose_Into_The_Linear()
    {
        var model = Sequence(withBias: true).Build();
        var report = FoldPass.Run(model);

        Assert.Equal(["MatMul", "Add"], OpTypes(model));
        Assert.Equal("y", model.Graph.Nodes[1].Output(0));
        Assert.Equal([2.0, 3, 6, 6], InputValues(model, "MatMul", 1));
        Assert.Equal([18.5, 26], InputValues(model, "Add", 0));
        var fate = Assert.Single(report.Fates);
        Assert.Equal("folded backward into /linear/MatMul + /linear/Add (through /Transpose and /Transpose_1)", fate.Description);
    }

    [Fact]
    public void Folds_Bias_Free_Linear_Adding_The_Shift()
    {
        var model = Sequence(withBias: false).Build();
        FoldPass.Run(model);

        Assert.Equal(["MatMul", "Add"], OpTypes(model));
        var add = model.Graph.Nodes[1];
        Assert.Equal(["m", add.Input(1)], add.Inputs);
        Assert.Equal("y", add.Output(0));
        Assert.Equal([-1.5, -4], Constant(model, add.Input(1)).ToDoubleArray());
    }

    [Fact]
    public void When_The_Second_Transpose_Is_Not_Its_Inverse_Folds_Through_The_First_And_Keeps_The_Second()
    {
        // Not this rule's pattern, but Linear←Transpose←BN's: the first Transpose maps BN's axis 1 onto the features.
        var model = Sequence(withBias: true, outerPerm: [1, 0, 2]).Build();
        var original = model.Clone();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Assert.Single(report.Fates).Outcome);
        Assert.Equal(["MatMul", "Add", "Transpose", "Transpose"], OpTypes(model));
        Safety.SafetyFixtures.AssertSameOutputs(original, model, Safety.SafetyFixtures.Feed("x", Safety.SafetyFixtures.Input(1, 3, 2)));
    }

    [Fact]
    public void Keeps_Bn_When_The_First_Transpose_Is_A_Graph_Output()
    {
        var model = Sequence(withBias: true).Output("t1", OnnxDataType.Float, 1, 2, 3).Build();
        AssertKept(FoldPass.Run(model), "Transpose output is also a graph output");
    }

    [Fact]
    public void When_Its_Output_Feeds_Two_Nodes_Folds_Through_The_First_Transpose_Only()
    {
        var model = Sequence(withBias: true).Output("r", OnnxDataType.Float, 1, 2, 3).Node("Relu", ["n"], ["r"]).Build();
        var original = model.Clone();
        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Assert.Single(report.Fates).Outcome);
        Assert.Equal(["MatMul", "Add", "Transpose", "Transpose", "Relu"], OpTypes(model));
        Safety.SafetyFixtures.AssertSameOutputs(original, model, Safety.SafetyFixtures.Feed("x", Safety.SafetyFixtures.Input(1, 3, 2)));
    }

    [Fact]
    public void Keeps_Bn_When_The_Linear_Output_Feeds_Two_Nodes()
    {
        var model = Sequence(withBias: true).Output("r", OnnxDataType.Float, 1, 3, 2).Node("Relu", ["a"], ["r"]).Build();
        AssertKept(FoldPass.Run(model), "Add output also feeds another node or is a graph output");
    }

    [Fact]
    public void Does_Not_Mutate_A_Weight_Shared_With_Another_MatMul()
    {
        var model = Sequence(withBias: true)
            .Output("z", OnnxDataType.Float, 1, 3, 2)
            .Node("MatMul", ["x", "W"], ["z"], "other")
            .Build();
        FoldPass.Run(model);

        Assert.Equal("W", model.Graph.Nodes.Single(n => n.Name == "other").Input(1));
        Assert.Equal([1.0, 2, 3, 4], Constant(model, "W").ToDoubleArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Folded_Linear_Computes_What_The_Transposed_Bn_Did(bool withBias)
    {
        AssertFoldKeepsOutputs(Sequence(withBias), 1, 3, 2);
    }
}
