using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Fields our onnx_ir.proto does not model (newer ONNX versions, vendor extensions) must survive.</summary>
public sealed class UnknownFieldTests
{
    private static readonly byte[] Payload = "future-field"u8.ToArray();

    /// <summary>A Relu model whose ModelProto carries field 26 and whose node carries field 99, both unknown to us.</summary>
    private static byte[] ModelWithUnknownFields()
    {
        var proto = ModelProto.Parser.ParseFrom(new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2)
            .Output("y", OnnxDataType.Float, 2)
            .Node("Relu", ["x"], ["y"], "relu")
            .ToBytes());
        var node = proto.Graph.Node[0];
        proto.Graph.Node[0] = NodeProto.Parser.ParseFrom([.. node.ToByteArray(), .. WireFields.Field(99, Payload)]);
        return [.. proto.ToByteArray(), .. WireFields.Field(26, Payload)];
    }

    [Fact]
    public void The_Crafted_Fields_Are_Really_Unknown_To_Our_Proto()
    {
        Assert.Null(ModelProto.Descriptor.FindFieldByNumber(26));
        Assert.Null(NodeProto.Descriptor.FindFieldByNumber(99));
    }

    [Fact]
    public void Unknown_Fields_Survive_Load_And_ToBytes_Byte_For_Byte()
    {
        byte[] original = ModelWithUnknownFields();

        byte[] saved = OnnxModel.FromBytes(original).ToBytes();

        Assert.Equal(original, saved);
    }

    [Fact]
    public void Unknown_Fields_Survive_Save_To_Path_And_Clone()
    {
        using var temp = new TempFolder();
        byte[] original = ModelWithUnknownFields();
        string target = temp.File("m.onnx");

        OnnxModel.FromBytes(original).Clone().Save(target);

        Assert.Equal(original, File.ReadAllBytes(target));
    }

    [Fact]
    public void Unknown_Node_Field_Survives_A_Fold_Of_Another_Node()
    {
        var model = OnnxModel.FromBytes(ModelWithUnknownFields());

        FoldPass.Run(model);

        var node = ModelProto.Parser.ParseFrom(model.ToBytes()).Graph.Node[0];
        Assert.EndsWith(Convert.ToHexString(WireFields.Field(99, Payload)), Convert.ToHexString(node.ToByteArray()));
    }
}
