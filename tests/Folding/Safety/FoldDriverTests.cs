using OnnxBn.Folding.Rules;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>The fold driver: one fate per BN, work linear in the graph's size, bounded rounds, rule bugs named as bugs.</summary>
public sealed class FoldDriverTests
{
    [Fact]
    public void Two_Batch_Norms_Of_One_Name_Are_Refused_With_A_Clear_Error()
    {
        var model = OnnxModel.FromBytes(ChainModels.ConvBnChain(2, duplicateBnNames: true));

        var error = Assert.Throws<OnnxModelException>(() => FoldPass.Run(model));

        Assert.Equal("node 'bn'", error.Element);
        Assert.Contains("used by 2 nodes", error.Message);
    }

    [Fact]
    public void Every_Batch_Norm_Of_A_Chain_Gets_Its_Own_Fate()
    {
        var report = FoldPass.Run(OnnxModel.FromBytes(ChainModels.ConvBnChain(50)));

        Assert.Equal(50, report.Folded);
        Assert.Equal(50, report.Fates.Select(f => f.Node).Distinct().Count());
        Assert.Equal(50, report.NodesAfter);
    }

    [Fact]
    public void A_Folds_Node_Visits_Grow_Linearly_With_The_Graph_Size()
    {
        // Quadratic work (a walk of every node per fold) makes 4x the nodes cost 16x the visits; linear work, 4x.
        // Counted, not timed, so a loaded machine cannot fail it; the time is measured in bench/ (section fold-nodes).
        long small = FoldNodeVisits(4_000), large = FoldNodeVisits(16_000);

        Assert.True(large <= 4.5 * small, $"4k nodes: {small} node visits, 16k nodes: {large}");
    }

    /// <summary>Nodes the fold of a Conv→BN chain of <paramref name="nodes"/> nodes visits (<see cref="Graph.NodeVisits"/>).</summary>
    private static long FoldNodeVisits(int nodes)
    {
        var model = OnnxModel.FromBytes(ChainModels.ConvBnChain(nodes / 2));
        // Loading validates the graph, a walk of its own: only the pass's visits count.
        long loaded = model.Graph.NodeVisits;

        var report = FoldPass.Run(model);

        Assert.Equal(nodes / 2, report.Folded);
        return model.Graph.NodeVisits - loaded;
    }

    /// <summary>Claims a fold every time without changing anything: the rounds would never end.</summary>
    private sealed class RestlessRule : IFoldRule
    {
        public string Name => "Restless";

        public RuleDirection Direction => RuleDirection.Backward;

        public RuleMatch Match(FoldContext context, AffineOp op) => RuleMatch.Ready(() => "itself");
    }

    private static OnnxModel ConvBnRelu() => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 1, 1, 1)
        .Output("y", OnnxDataType.Float, 1, 1, 1, 1)
        .Initializer("W", [1, 1, 1, 1], 2f)
        .Initializer("g", [1], 1f).Initializer("b", [1], 0f).Initializer("m", [1], 0f).Initializer("v", [1], 1f)
        .Node("Conv", ["x", "W"], ["c"], "conv")
        .Node("BatchNormalization", ["c", "g", "b", "m", "v"], ["n"], "bn")
        .Node("Relu", ["n"], ["y"], "relu")
        .Build();

    [Fact]
    public void A_Rule_That_Breaks_The_Graph_Is_An_Internal_Error_Naming_The_Rule_Not_An_Invalid_Model()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FoldPass.RunWith(ConvBnRelu(), null, [new DanglingRule()]));

        Assert.Contains(DanglingRule.RuleName, error.Message);
        Assert.Contains("'n'", error.Message);
        Assert.IsNotType<OnnxModelException>(error);
    }

    [Fact]
    public void Rounds_Are_Capped_When_Rules_Never_Settle()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FoldPass.RunWith(ConvBnRelu(), null, [new RestlessRule()]));

        Assert.Contains($"{FoldPass.MaxRounds} rounds", error.Message);
    }
}
