using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Producer/consumer indexes, graph inputs/outputs and topological order of the graph view.</summary>
public sealed class GraphViewTests
{
    // x → Relu(r) → Add(r, b) → a → Mul(a, r) → y ; r also feeds Sigmoid → s (a second graph output).
    // Nodes are listed backwards: the file order is not a topological order.
    private static OnnxModel Shuffled() => new GraphBuilder()
        .Input("x", OnnxDataType.Float, "N", 2)
        .Output("y", OnnxDataType.Float, "N", 2)
        .Output("s", OnnxDataType.Float, "N", 2)
        .Initializer("b", [2], 1f, 2f)
        .Node("Mul", ["a", "r"], ["y"], "mul")
        .Node("Sigmoid", ["r"], ["s"], "sigmoid")
        .Node("Add", ["r", "b"], ["a"], "add")
        .Node("Relu", ["x"], ["r"], "relu")
        .Build();

    [Fact]
    public void Producer_Maps_Each_Value_To_Its_Node()
    {
        var graph = Shuffled().Graph;

        Assert.Equal("relu", graph.Producer("r")!.Name);
        Assert.Equal("add", graph.Producer("a")!.Name);
        Assert.Null(graph.Producer("x"));
        Assert.Null(graph.Producer("b"));
    }

    [Fact]
    public void Contains_Knows_Which_Nodes_Are_Still_In_The_Graph()
    {
        var graph = Shuffled().Graph;
        var sigmoid = graph.Producer("s")!;
        Assert.True(graph.Contains(sigmoid));

        graph.RemoveNode(sigmoid);
        var added = graph.AddNode("Relu", ["a"], ["s"], "relu2");

        Assert.False(graph.Contains(sigmoid));
        Assert.True(graph.Contains(added));
        Assert.All(graph.Nodes, n => Assert.True(graph.Contains(n)));
    }

    [Fact]
    public void Consumers_Lists_Every_Reader_Once()
    {
        var graph = Shuffled().Graph;

        Assert.Equal(["add", "mul", "sigmoid"], graph.Consumers("r").Select(n => n.Name).Order());
        Assert.Equal(["add"], graph.Consumers("b").Select(n => n.Name));
        Assert.Empty(graph.Consumers("y"));
    }

    [Fact]
    public void Graph_Inputs_And_Outputs_Are_Known_With_Symbolic_Dims()
    {
        var graph = Shuffled().Graph;

        Assert.True(graph.IsGraphInput("x"));
        Assert.False(graph.IsGraphInput("b"));
        Assert.True(graph.IsGraphOutput("y"));
        Assert.True(graph.IsGraphOutput("s"));
        Assert.False(graph.IsGraphOutput("r"));
        Assert.Equal("x: float32[N,2]", graph.Inputs.Single().ToString());
        Assert.Equal(["y", "s"], graph.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void Topological_Order_Of_A_Shuffled_Graph_Puts_Producers_First()
    {
        var graph = Shuffled().Graph;

        var order = graph.TopologicalOrder().Select(n => n.Name).ToList();

        Assert.Equal(["relu", "sigmoid", "add", "mul"], order);
    }

    [Fact]
    public void TopologicalSort_Reorders_The_Saved_Nodes()
    {
        var model = Shuffled();

        model.Graph.TopologicalSort();

        var saved = ModelProto.Parser.ParseFrom(model.ToBytes());
        Assert.Equal(["relu", "sigmoid", "add", "mul"], saved.Graph.Node.Select(n => n.Name));
    }

    [Fact]
    public void Node_Reading_A_Value_Inside_A_Sub_Graph_Is_Its_Consumer()
    {
        var graph = WithIf().Graph;

        var branch = graph.Nodes.Single(n => n.OpType == "If");
        Assert.Contains("w", branch.ImplicitInputs);
        Assert.DoesNotContain("inner", branch.ImplicitInputs);
        Assert.Contains(branch, graph.Consumers("w"));
        Assert.Equal(["make_w", "branch"], graph.TopologicalOrder().Select(n => n.Name));
    }

    [Fact]
    public void Value_Read_Only_By_A_Sub_Graph_Is_Not_A_Dead_Initializer()
    {
        var proto = ModelProto.Parser.ParseFrom(WithIf().ToBytes());
        proto.Graph.Node.RemoveAt(1);
        proto.Graph.Initializer.Add(TensorProto.Parser.ParseFrom(TensorData.Create("w", [2], [1f, 2f]).ToTensorProtoBytes()));
        var model = OnnxModel.FromBytes(proto.ToByteArray());

        Assert.Equal(0, model.Graph.RemoveDeadInitializers());
        Assert.NotNull(model.Graph.Initializer("w"));
    }

    /// <summary>x → Relu → w; If(cond) whose then-branch reads w from the outer scope (and its own "inner").</summary>
    private static OnnxModel WithIf()
    {
        var proto = ModelProto.Parser.ParseFrom(new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2)
            .Input("cond", OnnxDataType.Bool)
            .Output("y", OnnxDataType.Float, 2)
            .Node("If", ["cond"], ["y"], "branch")
            .Node("Relu", ["x"], ["w"], "make_w")
            .ToBytes());
        var thenBranch = new GraphProto { Name = "then" };
        thenBranch.Node.Add(new NodeProto { OpType = "Neg", Input = { "w" }, Output = { "inner" } });
        thenBranch.Node.Add(new NodeProto { OpType = "Abs", Input = { "inner" }, Output = { "t" } });
        thenBranch.Output.Add(new ValueInfoProto { Name = "t" });
        var elseBranch = new GraphProto { Name = "else" };
        elseBranch.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "e" } });
        elseBranch.Output.Add(new ValueInfoProto { Name = "e" });
        var node = proto.Graph.Node[0];
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = thenBranch });
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = elseBranch });
        return OnnxModel.FromBytes(proto.ToByteArray());
    }
}
