using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Files that are not models at all: each gets an OnnxModelException naming the file and the defect.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Missing_File_Is_Reported_As_Not_Found()
    {
        BadInputAssert.LoadFails(_temp.File("absent.onnx"), "not found");
    }

    [Fact]
    public void Directory_Is_Reported_As_Not_A_Model_File()
    {
        Directory.CreateDirectory(_temp.File("folder.onnx"));

        BadInputAssert.LoadFails(_temp.File("folder.onnx"), "directory");
    }

    [Fact]
    public void Random_Bytes_Are_Reported_As_Not_An_Onnx_Model()
    {
        var bytes = new byte[4096];
        new Random(20240601).NextBytes(bytes);
        File.WriteAllBytes(_temp.File("random.onnx"), bytes);

        BadInputAssert.LoadFails(_temp.File("random.onnx"), "not an ONNX model");
    }

    [Fact]
    public void Text_File_Is_Reported_As_Not_An_Onnx_Model()
    {
        File.WriteAllText(_temp.File("notes.onnx"), "ir_version: 8\ngraph { node { op_type: \"Relu\" } }\n");

        BadInputAssert.LoadFails(_temp.File("notes.onnx"), "not an ONNX model");
    }

    [Fact]
    public void Empty_File_Is_Reported_As_Empty()
    {
        File.WriteAllBytes(_temp.File("empty.onnx"), []);

        BadInputAssert.LoadFails(_temp.File("empty.onnx"), "empty");
    }

    [Theory]
    [MemberData(nameof(RoundTripTests.Models), MemberType = typeof(RoundTripTests))]
    public void Model_Cut_In_Half_Is_Reported_As_Truncated(string source)
    {
        byte[] whole = source.StartsWith("builtin:", StringComparison.Ordinal) ? ModelWithWeights().ToBytes() : File.ReadAllBytes(source);
        File.WriteAllBytes(_temp.File("half.onnx"), whole[..(whole.Length / 2)]);

        BadInputAssert.LoadFails(_temp.File("half.onnx"), "truncated");
    }

    [Fact]
    public void Node_Input_That_Nothing_Produces_Is_Named()
    {
        string path = Write(new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2)
            .Output("y", OnnxDataType.Float, 2)
            .Node("Add", ["x", "ghost"], ["y"], "add"));

        BadInputAssert.LoadFails(path, "'ghost'", "produced by nothing", "node 'add'");
    }

    [Fact]
    public void Cyclic_Graph_Is_Reported_As_A_Cycle()
    {
        string path = Write(new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2)
            .Output("y", OnnxDataType.Float, 2)
            .Node("Add", ["x", "b"], ["a"], "first")
            .Node("Relu", ["a"], ["b"], "second")
            .Node("Identity", ["a"], ["y"], "out"));

        BadInputAssert.LoadFails(path, "cycle");
    }

    [Fact]
    public void Initializer_Defined_Twice_Is_Named()
    {
        string path = Write(ModelWithWeights().Initializer("W", [2], 5f, 6f));

        BadInputAssert.LoadFails(path, "tensor 'W'", "defined twice");
    }

    [Fact]
    public void Sub_Graph_Reading_An_Undefined_Outer_Value_Is_Named()
    {
        var proto = ModelProto.Parser.ParseFrom(new GraphBuilder()
            .Input("cond", OnnxDataType.Bool)
            .Output("y", OnnxDataType.Float, 2)
            .Node("If", ["cond"], ["y"], "branch")
            .ToBytes());
        var body = new GraphProto { Name = "then" };
        body.Node.Add(new NodeProto { OpType = "Identity", Input = { "nowhere" }, Output = { "z" } });
        body.Output.Add(new ValueInfoProto { Name = "z" });
        var node = proto.Graph.Node[0];
        node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = body.Clone() });

        BadInputAssert.LoadFails(WriteProto(proto), "'nowhere'", "produced by nothing");
    }

    internal static GraphBuilder ModelWithWeights() => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 64)
        .Output("y", OnnxDataType.Float, 1, 64)
        .Initializer("W", [64], Enumerable.Range(0, 64).Select(i => i * 0.5f).ToArray())
        .Node("Add", ["x", "W"], ["y"], "add");

    private string Write(GraphBuilder builder) => WriteProto(ModelProto.Parser.ParseFrom(builder.ToBytes()));

    private string WriteProto(ModelProto proto)
    {
        string path = _temp.File("bad.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        return path;
    }
}
