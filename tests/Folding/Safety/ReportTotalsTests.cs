using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>Parameter totals as Keras' summary() counts them, on the book's MLP.</summary>
public sealed class ReportTotalsTests
{
    private const string BookMlp = "fashion_mlp_bn_after_act.onnx";

    /// <summary>Counts from the initializers: every float tensor a node reads; BN's mean and var are non-trainable.</summary>
    private static ParameterCounts CountByHand(OnnxModel model)
    {
        var graph = model.Graph;
        long total = graph.Initializers
            .Where(t => t.ElementType is OnnxDataType.Float && graph.Consumers(t.Name).Count > 0)
            .Sum(t => t.ElementCount);
        long nonTrainable = graph.Nodes.Where(n => n.OpType == "BatchNormalization")
            .Sum(bn => graph.Initializer(bn.Input(3))!.ElementCount + graph.Initializer(bn.Input(4))!.ElementCount);
        return new ParameterCounts(total, total - nonTrainable, nonTrainable);
    }

    [Fact]
    public void Before_Totals_Match_A_Count_Of_The_Initializers_And_The_Book()
    {
        var model = OnnxModel.Load(RepoModel(BookMlp));
        var expected = CountByHand(model);

        var report = FoldPass.Run(model);

        Assert.Equal(expected, report.Before);
        // Hands-On ML ch. 11: 271,346 total, 268,978 trainable, 2,368 non-trainable (784 + 300 + 100 mean and var).
        Assert.Equal(new ParameterCounts(271_346, 268_978, 2_368), report.Before);
    }

    [Fact]
    public void After_Totals_Drop_Every_Bn_Parameter_And_Match_The_Folded_Initializers()
    {
        var model = OnnxModel.Load(RepoModel(BookMlp));
        var before = CountByHand(model);
        long bnParameters = 4 * model.Graph.Nodes.Where(n => n.OpType == "BatchNormalization")
            .Sum(bn => model.Graph.Initializer(bn.Input(1))!.ElementCount);

        var report = FoldPass.Run(model);

        Assert.Equal(3, report.Folded);
        Assert.Equal(CountByHand(model), report.After);
        Assert.Equal(new ParameterCounts(before.Total - bnParameters, before.Total - bnParameters, 0), report.After);
        Assert.Equal(4 * 1184L, bnParameters);
    }

    [Fact]
    public void Node_Counts_Drop_By_The_Folded_Bns()
    {
        var model = OnnxModel.Load(RepoModel(BookMlp));
        int nodes = model.Graph.Nodes.Count;

        var report = FoldPass.Run(model);

        Assert.Equal((nodes, nodes - 3), (report.NodesBefore, report.NodesAfter));
        Assert.Equal(nodes - 3, model.Graph.Nodes.Count);
    }
}
