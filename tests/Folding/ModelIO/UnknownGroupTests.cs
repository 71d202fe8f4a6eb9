using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>
/// Unknown fields of every wire type, groups included (empty, nested, at the model, graph and tensor levels), load,
/// fold and save: what load accepts, save can write.
/// </summary>
public sealed class UnknownGroupTests
{
    private static byte[] Tag(int field, int wire) => [.. Varint(((ulong)field << 3) | (uint)wire)];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7) bytes.Add((byte)(value | 0x80));
        bytes.Add((byte)value);
        return [.. bytes];
    }

    /// <summary>One unknown field of each wire type: varint, fixed64, bytes, fixed32, an empty group and a nested group.</summary>
    private static byte[] EveryWireType(int field) =>
    [
        .. Tag(field, 0), 42,
        .. Tag(field + 1, 1), 1, 2, 3, 4, 5, 6, 7, 8,
        .. Tag(field + 2, 2), 3, (byte)'a', (byte)'b', (byte)'c',
        .. Tag(field + 3, 5), 1, 2, 3, 4,
        .. Tag(field + 4, 3), .. Tag(field + 4, 4),
        .. Tag(field + 5, 3), .. Tag(1, 0), 7, .. Tag(2, 3), .. Tag(3, 2), 1, 9, .. Tag(2, 4), .. Tag(field + 5, 4),
    ];

    private static byte[] ModelWithUnknownGroups()
    {
        var proto = ModelProto.Parser.ParseFrom(CliModel());
        var weight = proto.Graph.Initializer[0];
        proto.Graph.Initializer[0] = TensorProto.Parser.ParseFrom([.. weight.ToByteArray(), .. EveryWireType(300)]);
        var graph = GraphProto.Parser.ParseFrom([.. proto.Graph.ToByteArray(), .. EveryWireType(400)]);
        proto.Graph = graph;
        return [.. proto.ToByteArray(), .. EveryWireType(500)];
    }

    /// <summary>Conv with a 4 KiB weight (large enough to take the zero-copy paths) → BN.</summary>
    private static byte[] CliModel()
    {
        var weights = Enumerable.Range(0, 1024).Select(i => i / 1024f).ToArray();
        return new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 16, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 64, 2, 2)
            .Initializer("W", [64, 16, 1, 1], weights)
            .Initializer("gamma", [64], Enumerable.Repeat(2f, 64).ToArray())
            .Initializer("beta", [64], Enumerable.Repeat(1f, 64).ToArray())
            .Initializer("mean", [64], Enumerable.Repeat(0.5f, 64).ToArray())
            .Initializer("var", [64], Enumerable.Repeat(4f, 64).ToArray())
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn")
            .ToBytes();
    }

    [Fact]
    public void An_Empty_Group_Appended_To_A_Model_Loads_Folds_And_Saves()
    {
        using var temp = new TempFolder();
        byte[] bytes = [.. CliModel(), .. Tag(77, 3), .. Tag(77, 4)];
        File.WriteAllBytes(temp.File("m.onnx"), bytes);
        var model = OnnxModel.Load(temp.File("m.onnx"));

        FoldPass.Run(model);
        model.Save(temp.File("out.onnx"));

        Assert.EndsWith(Convert.ToHexString([.. Tag(77, 3), .. Tag(77, 4)]), Convert.ToHexString(File.ReadAllBytes(temp.File("out.onnx"))));
    }

    [Fact]
    public void Unknown_Fields_Of_Every_Wire_Type_At_Every_Level_Round_Trip_Byte_For_Byte()
    {
        using var temp = new TempFolder();
        byte[] original = ModelWithUnknownGroups();
        File.WriteAllBytes(temp.File("m.onnx"), original);

        OnnxModel.Load(temp.File("m.onnx")).Save(temp.File("out.onnx"));

        Assert.Equal(original, File.ReadAllBytes(temp.File("out.onnx")));
        Assert.Equal(original, OnnxModel.FromBytes(original).ToBytes());
    }

    [Fact]
    public void Unknown_Groups_Survive_A_Fold_And_An_External_Data_Save()
    {
        using var temp = new TempFolder();
        var model = OnnxModel.FromBytes(ModelWithUnknownGroups());

        FoldPass.Run(model);
        model.Save(temp.File("out.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge, ExternalThresholdBytes = 16 });

        var saved = File.ReadAllBytes(temp.File("out.onnx"));
        Assert.EndsWith(Convert.ToHexString(EveryWireType(500)), Convert.ToHexString(saved));
        Assert.DoesNotContain(OnnxModel.Load(temp.File("out.onnx")).Graph.Nodes, n => n.Is("BatchNormalization"));
    }

    [Fact]
    public void A_Group_Without_Its_End_Is_An_Invalid_Model()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("m.onnx"), [.. CliModel(), .. Tag(77, 3)]);

        BadInputAssert.LoadFails(temp.File("m.onnx"));
    }
}
