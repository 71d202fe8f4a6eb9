using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.Folding.Tests.ModelIO;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>A fold edits nodes and initializers only: everything else in the model survives it.</summary>
public sealed class PreservationTests
{
    private const int UnknownModelField = 26, UnknownGraphField = 50, UnknownNodeField = 99;
    private static readonly byte[] Payload = "future-field"u8.ToArray();

    /// <summary>Conv→BN with doc strings, metadata, a second opset import and unknown fields on model, graph and Conv.</summary>
    private static byte[] DecoratedConvBn()
    {
        var proto = ModelProto.Parser.ParseFrom(ConvBn().ToBytes());
        proto.DocString = "model doc";
        proto.ProducerName = "exporter";
        proto.ProducerVersion = "9.9";
        proto.Domain = "org.example";
        proto.ModelVersion = 7;
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "safety tests" });
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        proto.Graph.DocString = "graph doc";
        proto.Graph.MetadataProps.Add(new StringStringEntryProto { Key = "graph key", Value = "graph value" });
        var conv = proto.Graph.Node.Single(n => n.OpType == "Conv");
        conv.DocString = "conv doc";
        conv.MetadataProps.Add(new StringStringEntryProto { Key = "node key", Value = "node value" });
        int index = proto.Graph.Node.IndexOf(conv);
        proto.Graph.Node[index] = NodeProto.Parser.ParseFrom([.. conv.ToByteArray(), .. WireFields.Field(UnknownNodeField, Payload)]);
        proto.Graph = GraphProto.Parser.ParseFrom([.. proto.Graph.ToByteArray(), .. WireFields.Field(UnknownGraphField, Payload)]);
        return [.. proto.ToByteArray(), .. WireFields.Field(UnknownModelField, Payload)];
    }

    [Fact]
    public void The_Crafted_Fields_Are_Really_Unknown_To_Our_Proto()
    {
        Assert.Null(ModelProto.Descriptor.FindFieldByNumber(UnknownModelField));
        Assert.Null(GraphProto.Descriptor.FindFieldByNumber(UnknownGraphField));
        Assert.Null(NodeProto.Descriptor.FindFieldByNumber(UnknownNodeField));
    }

    [Fact]
    public void Fold_Preserves_Opsets_Metadata_Doc_Strings_And_Producer()
    {
        var model = OnnxModel.FromBytes(DecoratedConvBn());
        Assert.Equal(1, FoldPass.Run(model).Folded);

        var saved = ModelProto.Parser.ParseFrom(model.ToBytes());
        Assert.Equal("model doc", saved.DocString);
        Assert.Equal(("exporter", "9.9"), (saved.ProducerName, saved.ProducerVersion));
        Assert.Equal(("org.example", 7L), (saved.Domain, saved.ModelVersion));
        Assert.Equal([("", 13L), ("com.microsoft", 1L)], saved.OpsetImport.Select(o => (o.Domain, o.Version)));
        Assert.Equal([("author", "safety tests")], saved.MetadataProps.Select(p => (p.Key, p.Value)));
        Assert.Equal("graph doc", saved.Graph.DocString);
        Assert.Equal([("graph key", "graph value")], saved.Graph.MetadataProps.Select(p => (p.Key, p.Value)));
        var conv = Assert.Single(saved.Graph.Node);
        Assert.Equal("conv doc", conv.DocString);
        Assert.Equal([("node key", "node value")], conv.MetadataProps.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public void Fold_Preserves_Unknown_Fields_Of_Model_Graph_And_Surviving_Node()
    {
        var model = OnnxModel.FromBytes(DecoratedConvBn());
        FoldPass.Run(model);

        var saved = ModelProto.Parser.ParseFrom(model.ToBytes());
        string Hex(byte[] bytes) => Convert.ToHexString(bytes);
        Assert.Contains(Hex(WireFields.Field(UnknownModelField, Payload)), Hex(model.ToBytes()));
        Assert.Contains(Hex(WireFields.Field(UnknownGraphField, Payload)), Hex(saved.Graph.ToByteArray()));
        Assert.Contains(Hex(WireFields.Field(UnknownNodeField, Payload)), Hex(Assert.Single(saved.Graph.Node).ToByteArray()));
    }
}
