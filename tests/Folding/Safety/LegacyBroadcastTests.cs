using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// Before opset 7, Add/Mul broadcast only with broadcast=1, aligned from the end or from an axis attribute. Nodes
/// the fold creates there must say so; nodes it reads must not be taken for numpy-style broadcasting.
/// </summary>
public sealed class LegacyBroadcastTests
{
    [Fact]
    public void Lowering_In_Opset_6_Writes_C_Constants_Broadcast_From_Axis_1()
    {
        var model = new GraphBuilder(6)
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .BnParameters("bn")
            .Node("BatchNormalization", ["x", "bn_gamma", "bn_beta", "bn_mean", "bn_var"], ["y"], "bn", ("is_test", 1L))
            .Build();

        var report = FoldPass.Run(model, new FoldOptions { LowerUnfolded = true });

        Assert.Equal(BnOutcome.Lowered, Fate(report, "bn").Outcome);
        Assert.Equal(["Mul", "Add"], OpTypes(model));
        foreach (var node in model.Graph.Nodes)
        {
            Assert.Equal(1, node.GetInt("broadcast", 0));
            Assert.Equal(1, node.GetInt("axis", -1));
            Assert.Equal([2L], Constant(model, node.Input(1)).DimsArray());
        }
    }

    [Fact]
    public void Lowering_From_Opset_7_Writes_Numpy_Style_Constants_Without_Legacy_Attributes()
    {
        var model = new GraphBuilder(9)
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Bn("bn", "x", "y")
            .Build();

        FoldPass.Run(model, new FoldOptions { LowerUnfolded = true });

        Assert.All(model.Graph.Nodes, node => Assert.False(node.HasAttribute("broadcast")));
        Assert.Equal([2L, 1, 1], Constant(model, model.Graph.Nodes[0].Input(1)).DimsArray());
    }

    [Fact]
    public void An_Opset_6_Mul_Broadcasting_From_Axis_1_Is_Not_Read_As_A_Last_Axis_Scale()
    {
        // s[2] aligned from axis 1 scales channels, where numpy-style alignment would scale the last axis.
        var model = new GraphBuilder(6)
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
            .Initializer("s", [2], 2f, 3f)
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("Mul", ["c", "s"], ["y"], "scale", ("broadcast", 1L), ("axis", 1L))
            .Build();
        var bytes = model.ToBytes();

        var report = FoldPass.Run(model);

        Assert.Empty(report.Fates);
        Assert.Equal(bytes, model.ToBytes());
    }

    [Fact]
    public void A_Forward_Fold_Into_An_Opset_6_MatMul_Adds_Its_Bias_With_Broadcast_1()
    {
        var model = new GraphBuilder(6)
            .Input("x", OnnxDataType.Float, 3, 2)
            .Output("y", OnnxDataType.Float, 3, 3)
            .BnParameters("bn")
            .Initializer("W", [2, 3], 1f, 2f, 3f, 4f, 5f, 6f)
            .Node("BatchNormalization", ["x", "bn_gamma", "bn_beta", "bn_mean", "bn_var"], ["h"], "bn", ("is_test", 1L))
            .Node("MatMul", ["h", "W"], ["y"], "fc")
            .Build();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedForward, Fate(report, "bn").Outcome);
        Assert.Equal(["MatMul", "Add"], OpTypes(model));
        var add = model.Graph.Nodes[1];
        Assert.Equal(1, add.GetInt("broadcast", 0));
        Assert.False(add.HasAttribute("axis"));
    }
}
