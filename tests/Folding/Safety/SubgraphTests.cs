using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// The outer graph and the If or Loop bodies fold each in their own scope, and the bodies' reads of outer values
/// (a shared weight) and their own names keep working after the outer graph is folded.
/// </summary>
public sealed class SubgraphTests
{
    /// <summary>
    /// A body computing Conv(x, W) → BN → <paramref name="output"/> from the outer x and W, with its own BN parameters;
    /// with <paramref name="bnParameters"/> "input", the BN's γ is the main graph's input g (not a constant: it stays).
    /// </summary>
    private static GraphBuilder ConvBnBody(string output, string localName, string bnParameters = "own") => new GraphBuilder()
        .Output(output, OnnxDataType.Float, 1, 2, 2, 2)
        .Initializer($"{localName}_gamma", [2], 2f, 3f)
        .Initializer($"{localName}_beta", [2], 0.5f, -1f)
        .Initializer($"{localName}_mean", [2], 1f, 2f)
        .Initializer($"{localName}_var", [2], 1f, 4f)
        .Node("Conv", ["x", "W"], [localName], "body_conv")
        .Node("BatchNormalization", [localName, bnParameters == "input" ? "g" : $"{localName}_gamma", $"{localName}_beta", $"{localName}_mean", $"{localName}_var"], [output], "body_bn");

    private static GraphProto BodyOf(GraphBuilder builder) => ModelProto.Parser.ParseFrom(builder.ToBytes()).Graph;

    /// <summary>
    /// The outer Conv→BN of <see cref="SafetyFixtures.ConvBn"/> plus If(cond) whose branches run their own Conv→BN
    /// on the outer x and W. The then-branch names its Conv output "conv_W_bnfold", the name the outer fold would
    /// pick for the Conv's new weight.
    /// </summary>
    private static byte[] ConvBnWithIf(string bnParameters = "own")
    {
        var proto = ModelProto.Parser.ParseFrom(ConvBn()
            .Input("cond", OnnxDataType.Bool)
            .Input("g", OnnxDataType.Float, 2)
            .Output("branch", OnnxDataType.Float, 1, 2, 2, 2)
            .ToBytes());
        var node = new NodeProto { OpType = "If", Name = "if" };
        node.Input.Add("cond");
        node.Output.Add("branch");
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = BodyOf(ConvBnBody("then_y", "conv_W_bnfold", bnParameters)) });
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = BodyOf(ConvBnBody("else_y", "else_c", bnParameters)) });
        proto.Graph.Node.Add(node);
        return proto.ToByteArray();
    }

    /// <summary>The outer Conv→BN plus a Loop whose body runs Conv→BN on the outer x and W and scans the result out.</summary>
    private static byte[] ConvBnWithLoop(string bnParameters = "own")
    {
        var proto = ModelProto.Parser.ParseFrom(ConvBn()
            .Initializer(TensorData.Create("trips", [], new long[] { 2 }.AsSpan()))
            .Input("cond", OnnxDataType.Bool)
            .Input("g", OnnxDataType.Float, 2)
            .Output("scanned", OnnxDataType.Float, 2, 1, 2, 2, 2)
            .ToBytes());
        var body = BodyOf(ConvBnBody("body_y", "body_c", bnParameters)
            .Input("i", OnnxDataType.Int64)
            .Input("cond_in", OnnxDataType.Bool)
            .Output("cond_out", OnnxDataType.Bool)
            .Node("Identity", ["cond_in"], ["cond_out"], "keep_going"));
        // Loop body outputs: the condition first, then the scan outputs.
        var outputs = body.Output.ToList();
        body.Output.Clear();
        body.Output.Add(outputs.Single(o => o.Name == "cond_out"));
        body.Output.Add(outputs.Single(o => o.Name == "body_y"));
        var node = new NodeProto { OpType = "Loop", Name = "loop" };
        node.Input.AddRange(["trips", "cond"]);
        node.Output.Add("scanned");
        node.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        proto.Graph.Node.Add(node);
        return proto.ToByteArray();
    }

    private static IReadOnlyDictionary<string, RefTensor> Feeds(bool condition) => new Dictionary<string, RefTensor>
    {
        ["x"] = Input(1, 2, 2, 2),
        ["cond"] = RefTensor.Scalar(condition ? 1 : 0),
        ["g"] = RefTensor.Of([2], [1.5, -0.5]),
    };

    [Theory]
    [InlineData("if")]
    [InlineData("loop")]
    public void Outer_Bn_And_Body_Bns_Fold_Each_In_Its_Scope(string controlFlow)
    {
        var original = OnnxModel.FromBytes(controlFlow == "if" ? ConvBnWithIf() : ConvBnWithLoop());
        var model = original.Clone();
        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into conv", Assert.Single(report.Fates, f => f.Scope == BnFate.MainScope).Description);
        var bodies = report.Fates.Where(f => f.Node == "body_bn").ToList();
        Assert.Equal(controlFlow == "if" ? 2 : 1, bodies.Count);
        Assert.All(bodies, f => Assert.Equal(BnOutcome.FoldedBackward, f.Outcome));
        Assert.All(bodies, f => Assert.StartsWith($"main/{(controlFlow == "if" ? "If 'if'" : "Loop 'loop'")}/", f.Scope));
        AssertSameOutputs(original, model, Feeds(true));
    }

    [Theory]
    [InlineData("if")]
    [InlineData("loop")]
    public void A_Body_Whose_Bn_Stays_Is_Left_Byte_For_Byte(string controlFlow)
    {
        byte[] original = controlFlow == "if" ? ConvBnWithIf("input") : ConvBnWithLoop("input");
        var model = OnnxModel.FromBytes(original);
        var report = FoldPass.Run(model);

        Assert.Equal("folded backward into conv", Fate(report, "bn").Description);
        Assert.All(report.Fates.Where(f => f.Node == "body_bn"), f => Assert.Equal(BnOutcome.Kept, f.Outcome));
        var before = ModelProto.Parser.ParseFrom(original).Graph.Node.Single(n => n.Name == controlFlow);
        var after = ModelProto.Parser.ParseFrom(model.ToBytes()).Graph.Node.Single(n => n.Name == controlFlow);
        Assert.Equal(before.ToByteArray(), after.ToByteArray());
    }

    [Theory]
    [InlineData("if")]
    [InlineData("loop")]
    public void A_Weight_The_Body_Reads_Survives_The_Outer_Fold(string controlFlow)
    {
        var model = OnnxModel.FromBytes(controlFlow == "if" ? ConvBnWithIf("input") : ConvBnWithLoop("input"));
        FoldPass.Run(model);

        Assert.Equal([1.0, 0, 0, 1], Constant(model, "W").ToDoubleArray());
        Assert.NotEqual("W", model.Graph.Nodes.Single(n => n.Name == "conv").Input(1));
    }

    [Fact]
    public void New_Weight_Names_Do_Not_Shadow_Names_Defined_Inside_A_Body()
    {
        var model = OnnxModel.FromBytes(ConvBnWithIf());
        FoldPass.Run(model);

        var conv = model.Graph.Nodes.Single(n => n.Name == "conv");
        Assert.NotEqual("conv_W_bnfold", conv.Input(1));
        Assert.Null(model.Graph.Initializer("conv_W_bnfold"));
    }

    [Fact]
    public void Bn_Whose_Output_A_Body_Reads_Is_Not_Folded_Forward()
    {
        // The body reads h (the BN's output) from the outer scope: bypassing the BN would change what it sees.
        var proto = ModelProto.Parser.ParseFrom(new GraphBuilder()
            .Input("x", OnnxDataType.Float, 4, 2)
            .Input("cond", OnnxDataType.Bool)
            .Output("z", OnnxDataType.Float, 4, 2)
            .Output("branch", OnnxDataType.Float, 4, 2)
            .Bn("bn", "x", "h")
            .Initializer("B", [2, 2], 1f, 2f, 3f, 4f)
            .Node("Gemm", ["h", "B"], ["z"], "gemm")
            .ToBytes());
        var branch = BodyOf(new GraphBuilder().Output("b_out", OnnxDataType.Float, 4, 2).Node("Relu", ["h"], ["b_out"], "body_relu"));
        var node = new NodeProto { OpType = "If", Name = "if" };
        node.Input.Add("cond");
        node.Output.Add("branch");
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch });
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch.Clone() });
        proto.Graph.Node.Add(node);
        var model = OnnxModel.FromBytes(proto.ToByteArray());

        var report = FoldPass.Run(model);

        AssertKept(report, "bn", "output is read inside a sub-graph");
        Assert.Equal("h", model.Graph.Nodes.Single(n => n.Name == "gemm").Input(0));
    }
}
