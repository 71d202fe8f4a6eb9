using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Editing the graph's outputs and inputs on the IR, and pruning what no output needs, with the indexes kept.</summary>
public sealed class GraphBoundaryTests
{
    // x → Relu → r → Add(r, b) → a → Mul(a, r) → y ; r → Sigmoid → s ; c (unread input, default from an initializer).
    private static OnnxModel Model() => new GraphBuilder()
        .Input("x", OnnxDataType.Float, "N", 2)
        .Input("c", OnnxDataType.Float, 2)
        .Output("y", OnnxDataType.Float, "N", 2)
        .Output("s", OnnxDataType.Float, "N", 2)
        .ValueInfo("a", OnnxDataType.Float, "N", 2)
        .ValueInfo("r", OnnxDataType.Float, "N", 2)
        .ValueInfo("c", OnnxDataType.Float, 2)
        .Initializer("b", [2], 1f, 2f)
        .Initializer("c", [2], 3f, 4f)
        .Initializer("w", [2], 5f, 6f)
        .Node("Relu", ["x"], ["r"], "relu")
        .Node("Add", ["r", "b"], ["a"], "add")
        .Node("Mul", ["a", "w"], ["y"], "mul")
        .Node("Sigmoid", ["r"], ["s"], "sigmoid")
        .Build();

    [Fact]
    public void SetOutputs_Replaces_The_Outputs_In_Order_And_Updates_IsGraphOutput()
    {
        var graph = Model().Graph;

        graph.SetOutputs([ValueInfo.Tensor("s", OnnxDataType.Float), graph.FindValueInfo("a")!]);

        Assert.Equal(["s", "a"], graph.Outputs.Select(o => o.Name));
        Assert.True(graph.IsGraphOutput("a"));
        Assert.False(graph.IsGraphOutput("y"));
        Assert.Equal("a: float32[N,2]", graph.Outputs[1].ToString());
        graph.CheckInvariants();
    }

    [Fact]
    public void SetOutput_Drops_The_Value_Info_Entry_Its_Declaration_Replaces()
    {
        var graph = Model().Graph;

        graph.SetOutput(graph.FindValueInfo("a")!);

        Assert.DoesNotContain(graph.ValueInfos, v => v.Name == "a");
        Assert.Equal("[N,2]", graph.FindValueInfo("a")!.ShapeText);
    }

    [Fact]
    public void SetOutputs_Rejects_An_Undefined_A_Repeated_Or_No_Output_And_Leaves_The_Graph_As_It_Was()
    {
        var graph = Model().Graph;

        Assert.Contains("'nope'", Assert.Throws<ArgumentException>(() => graph.SetOutput(ValueInfo.Tensor("nope", OnnxDataType.Float))).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() =>
            graph.SetOutputs([ValueInfo.Tensor("a", OnnxDataType.Float), ValueInfo.Tensor("a", OnnxDataType.Float)])).Message);
        Assert.Throws<ArgumentException>(() => graph.SetOutputs([]));

        Assert.Equal(["y", "s"], graph.Outputs.Select(o => o.Name));
        graph.CheckInvariants();
    }

    [Fact]
    public void An_Output_Taken_From_Another_Graph_Is_Copied_Not_Shared()
    {
        var source = Model().Graph;
        var target = Model().Graph;

        target.SetOutput(source.Outputs[0]);

        Assert.NotSame(source.Outputs[0].Proto, target.Outputs[0].Proto);
        Assert.Equal("y: float32[N,2]", target.Outputs[0].ToString());
    }

    [Fact]
    public void PruneUnreachable_Removes_Nodes_Initializers_And_Value_Info_No_Output_Needs()
    {
        var graph = Model().Graph;
        graph.SetOutput(graph.FindValueInfo("a")!);

        Assert.Equal(2, graph.PruneUnreachable());

        Assert.Equal(["relu", "add"], graph.Nodes.Select(n => n.Name));
        Assert.Equal(["b", "c"], graph.Initializers.Select(t => t.Name)); // c backs a graph input: inputs stay
        Assert.Equal(["r", "c"], graph.ValueInfos.Select(v => v.Name));
        Assert.Equal(["add"], graph.Consumers("r").Select(n => n.Name));
        Assert.Null(graph.Producer("y"));
        Assert.Equal(["x", "c"], graph.Inputs.Select(i => i.Name));
        graph.CheckInvariants();
    }

    [Fact]
    public void PruneUnreachable_Keeps_Everything_When_Every_Node_Feeds_An_Output()
    {
        var graph = Model().Graph;

        Assert.Equal(0, graph.PruneUnreachable());

        Assert.Equal(4, graph.Nodes.Count);
        Assert.Equal(["b", "c", "w"], graph.Initializers.Select(t => t.Name));
    }

    [Fact]
    public void PruneUnreachable_Keeps_The_Producer_Of_A_Value_Only_A_Sub_Graph_Reads()
    {
        var graph = WithIf().Graph;

        Assert.Equal(1, graph.PruneUnreachable());

        Assert.Equal(["make_w", "branch"], graph.Nodes.Select(n => n.Name));
        graph.CheckInvariants();
    }

    [Fact]
    public void RemoveUnusedInputs_Drops_Unread_Inputs_With_Their_Default_And_Value_Info()
    {
        var graph = Model().Graph;

        Assert.Equal(["c"], graph.RemoveUnusedInputs());

        Assert.Equal(["x"], graph.Inputs.Select(i => i.Name));
        Assert.False(graph.IsGraphInput("c"));
        Assert.Null(graph.Initializer("c"));
        Assert.Null(graph.FindValueInfo("c"));
        graph.CheckInvariants();
    }

    [Fact]
    public void RemoveUnusedInputs_Keeps_An_Input_That_Is_Also_An_Output()
    {
        var graph = Model().Graph;
        graph.SetOutput(graph.Inputs[0]);
        graph.PruneUnreachable();

        Assert.Equal(["c"], graph.RemoveUnusedInputs());

        Assert.Empty(graph.Nodes);
        Assert.Equal(["x"], graph.Inputs.Select(i => i.Name));
        Assert.Equal(["x"], graph.Outputs.Select(o => o.Name));
        graph.CheckInvariants();
    }

    [Fact]
    public void An_Edited_Boundary_Survives_Saving_And_Loading()
    {
        var model = Model();
        var graph = model.Graph;
        graph.SetOutput(ValueInfo.Tensor("a", OnnxDataType.Float, [new Dimension(null, "batch"), new Dimension(2, null)]));
        graph.PruneUnreachable();
        graph.RemoveUnusedInputs();

        var reloaded = OnnxModel.FromBytes(model.ToBytes()).Graph;

        Assert.Equal("a: float32[batch,2]", reloaded.Outputs.Single().ToString());
        Assert.Equal(["x"], reloaded.Inputs.Select(i => i.Name));
        Assert.Equal(["relu", "add"], reloaded.Nodes.Select(n => n.Name));
        Assert.Equal(["b"], reloaded.Initializers.Select(t => t.Name));
    }

    [Fact]
    public void ValueInfo_Tensor_Declares_Element_Type_And_Shape_With_Symbols_And_Unknown_Dimensions()
    {
        var declared = ValueInfo.Tensor("p", OnnxDataType.Float16, [new Dimension(null, "N"), new Dimension(3, null), default]);

        Assert.Equal("p: float16[N,3,?]", declared.ToString());
        Assert.True(declared.IsTensor);
        Assert.Equal(3, declared.Rank);
        Assert.Equal([new Dimension(null, "N"), new Dimension(3, null), new Dimension(null, null)], declared.Shape!);
    }

    [Fact]
    public void ValueInfo_Tensor_Without_A_Shape_Has_Unknown_Rank()
    {
        var declared = ValueInfo.Tensor("p", OnnxDataType.Int64);

        Assert.Null(declared.Rank);
        Assert.Null(declared.Shape);
        Assert.Equal(OnnxDataType.Int64, declared.ElementType);
    }

    [Fact]
    public void ValueInfo_Tensor_Rejects_A_Negative_Dimension_And_An_Empty_Name()
    {
        Assert.Throws<ArgumentException>(() => ValueInfo.Tensor("p", OnnxDataType.Float, [new Dimension(-1, null)]));
        Assert.Throws<ArgumentException>(() => ValueInfo.Tensor("", OnnxDataType.Float));
    }

    /// <summary>x → Relu → w read only inside If's then-branch; an unrelated Neg(x) → z that no output needs.</summary>
    private static OnnxModel WithIf()
    {
        var proto = ModelProto.Parser.ParseFrom(new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2)
            .Input("cond", OnnxDataType.Bool)
            .Output("y", OnnxDataType.Float, 2)
            .Node("Relu", ["x"], ["w"], "make_w")
            .Node("Neg", ["x"], ["z"], "unused")
            .Node("If", ["cond"], ["y"], "branch")
            .ToBytes());
        var thenBranch = new GraphProto { Name = "then" };
        thenBranch.Node.Add(new NodeProto { OpType = "Abs", Input = { "w" }, Output = { "t" } });
        thenBranch.Output.Add(new ValueInfoProto { Name = "t" });
        var elseBranch = new GraphProto { Name = "else" };
        elseBranch.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "e" } });
        elseBranch.Output.Add(new ValueInfoProto { Name = "e" });
        var node = proto.Graph.Node[2];
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = thenBranch });
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = elseBranch });
        return OnnxModel.FromBytes(proto.ToByteArray());
    }
}
