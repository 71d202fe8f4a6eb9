using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Graph.TryGetConstant: initializers that cannot be overridden and Constant nodes in every attribute form.</summary>
public sealed class ConstantLookupTests
{
    [Fact]
    public void Constant_Value_Tensor_Is_A_Constant()
    {
        var graph = WithConstant(new AttributeProto
        {
            Name = "value",
            Type = AttributeProto.Types.AttributeType.Tensor,
            T = TensorProto.Parser.ParseFrom(TensorData.Create("ignored", [2], [1.5f, 2.5f]).ToTensorProtoBytes()),
        });

        Assert.True(graph.TryGetConstant("k", out var tensor));
        Assert.Equal("k", tensor.Name);
        Assert.Equal([1.5f, 2.5f], tensor.ToArray<float>());
    }

    [Fact]
    public void Constant_Value_Float_Is_A_Float_Scalar()
    {
        var graph = WithConstant(new AttributeProto { Name = "value_float", Type = AttributeProto.Types.AttributeType.Float, F = 0.25f });

        Assert.True(graph.TryGetConstant("k", out var tensor));
        Assert.Equal(0, tensor.Rank);
        Assert.Equal([0.25f], tensor.ToArray<float>());
    }

    [Fact]
    public void Constant_Value_Floats_Is_A_Float_Vector()
    {
        var attribute = new AttributeProto { Name = "value_floats", Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.Add([1f, 2f, 3f]);

        Assert.True(WithConstant(attribute).TryGetConstant("k", out var tensor));
        Assert.Equal([3L], tensor.Dims);
        Assert.Equal([1f, 2f, 3f], tensor.ToArray<float>());
    }

    [Fact]
    public void Constant_Value_Int_Is_An_Int64_Scalar()
    {
        var graph = WithConstant(new AttributeProto { Name = "value_int", Type = AttributeProto.Types.AttributeType.Int, I = -7 });

        Assert.True(graph.TryGetConstant("k", out var tensor));
        Assert.Equal(0, tensor.Rank);
        Assert.Equal([-7L], tensor.ToArray<long>());
    }

    [Fact]
    public void Constant_Value_Ints_Is_An_Int64_Vector()
    {
        var attribute = new AttributeProto { Name = "value_ints", Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add([4L, -1L]);

        Assert.True(WithConstant(attribute).TryGetConstant("k", out var tensor));
        Assert.Equal([4L, -1L], tensor.ToArray<long>());
    }

    [Fact]
    public void Constant_Value_String_Is_Not_A_Numeric_Constant()
    {
        var graph = WithConstant(new AttributeProto { Name = "value_string", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("hi") });

        Assert.False(graph.TryGetConstant("k", out _));
    }

    [Fact]
    public void Initializer_That_Is_Not_A_Graph_Input_Is_A_Constant()
    {
        var graph = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2)
            .Output("y", OnnxDataType.Float, 2)
            .Initializer("b", [2], 1f, 2f)
            .Node("Add", ["x", "b"], ["y"], "add")
            .Build().Graph;

        Assert.True(graph.TryGetConstant("b", out var tensor));
        Assert.Equal([1f, 2f], tensor.ToArray<float>());
        Assert.False(graph.TryGetConstant("x", out _));
        Assert.False(graph.TryGetConstant("y", out _));
        Assert.False(graph.TryGetConstant("", out _));
    }

    [Fact]
    public void Initializer_That_Is_Also_A_Graph_Input_Is_Not_A_Constant()
    {
        var graph = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2)
            .Input("b", OnnxDataType.Float, 2)
            .Output("y", OnnxDataType.Float, 2)
            .Initializer("b", [2], 1f, 2f)
            .Node("Add", ["x", "b"], ["y"], "add")
            .Build().Graph;

        Assert.False(graph.TryGetConstant("b", out _));
        Assert.NotNull(graph.Initializer("b"));
        Assert.Equal(["x"], graph.RuntimeInputs.Select(v => v.Name));
    }

    private static Graph WithConstant(AttributeProto attribute)
    {
        var proto = ModelProto.Parser.ParseFrom(new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2)
            .Output("y", OnnxDataType.Float, 2)
            .Node("Add", ["x", "k"], ["y"], "add")
            .ToBytes());
        var constant = new NodeProto { OpType = "Constant", Name = "const" };
        constant.Output.Add("k");
        constant.Attribute.Add(attribute);
        proto.Graph.Node.Insert(0, constant);
        return OnnxModel.FromBytes(proto.ToByteArray()).Graph;
    }
}
