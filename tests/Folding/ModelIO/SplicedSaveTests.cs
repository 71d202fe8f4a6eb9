using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.ModelIO.WireFields;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>
/// Saving splices tensor payloads into a small serialized skeleton instead of letting protobuf copy them; the bytes
/// must be exactly what the generated serializer writes for the full message, before and after folding (folded
/// weights are deferred and streamed), on every path that writes a model.
/// </summary>
public sealed class SplicedSaveTests
{
    [Theory]
    [MemberData(nameof(RoundTripTests.Models), MemberType = typeof(RoundTripTests))]
    public void Saved_Bytes_Equal_The_Generated_Serializer_Before_And_After_Folding(string source)
    {
        var model = source.StartsWith("builtin:", StringComparison.Ordinal) ? ConvBn(64, 32).Build() : OnnxModel.Load(source);

        AssertAllWritersMatchGenerated(model);
        FoldPass.Run(model);
        AssertAllWritersMatchGenerated(model);
    }

    /// <summary>
    /// Around the splice threshold and where the payload, tensor or graph length needs one more varint byte
    /// (16384 = 2^14, 2 MiB = 2^21): every enclosing length prefix is rewritten.
    /// </summary>
    [Theory]
    [InlineData(4092)]
    [InlineData(4096)]
    [InlineData(16380)]
    [InlineData(16384)]
    [InlineData((1 << 21) - 64)]
    [InlineData(1 << 21)]
    public void Length_Prefixes_Are_Rewritten_Across_Varint_Size_Boundaries(int weightBytes)
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, weightBytes / 4)
            .Output("y", OnnxDataType.Float, 1, 1)
            .Initializer("W", [weightBytes / 4, 1], Enumerable.Range(0, weightBytes / 4).Select(i => i * 0.5f).ToArray())
            .Node("MatMul", ["x", "W"], ["y"], "mm")
            .Build();

        AssertAllWritersMatchGenerated(model);
    }

    [Fact]
    public void Large_Typed_Field_Tensors_And_Unknown_Fields_Are_Written_As_They_Were_Read()
    {
        var proto = ModelProto.Parser.ParseFrom(ConvBn(64, 32).ToBytes());
        var typed = new TensorProto { Name = "typed", DataType = (int)OnnxDataType.Float };
        typed.Dims.Add(2048);
        typed.FloatData.AddRange(Enumerable.Range(0, 2048).Select(i => (float)i));
        proto.Graph.Initializer.Add(typed);
        proto.Graph.Initializer[0] = TensorProto.Parser.ParseFrom([.. proto.Graph.Initializer[0].ToByteArray(), .. Field(77, "t"u8)]);
        proto.Graph = GraphProto.Parser.ParseFrom([.. proto.Graph.ToByteArray(), .. Field(88, "g"u8)]);
        byte[] file = [.. proto.ToByteArray(), .. Field(99, "m"u8)];
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("in.onnx"), file);

        var model = OnnxModel.Load(temp.File("in.onnx"));
        model.Save(temp.File("out.onnx"));

        Assert.Equal(file, File.ReadAllBytes(temp.File("out.onnx")));
        AssertAllWritersMatchGenerated(model);
    }

    [Fact]
    public void Folded_Weights_Are_Streamed_To_The_File_Without_Being_Kept()
    {
        var model = ConvBn(64, 32).Build();
        FoldPass.Run(model);
        var folded = model.Graph.Initializers.Single(t => t.Name.EndsWith("_W_bnfold", StringComparison.Ordinal));
        using var temp = new TempFolder();

        model.Save(temp.File("folded.onnx"));
        byte[] bytes = model.ToBytes();

        Assert.NotNull(folded.PendingPayload);
        var reloaded = OnnxModel.Load(temp.File("folded.onnx")).Graph.Initializer(folded.Name)!;
        Assert.Equal(folded.RawBytes.ToArray(), reloaded.RawBytes.ToArray());
        Assert.Null(folded.PendingPayload); // reading RawBytes computed it once
        Assert.Equal(bytes, File.ReadAllBytes(temp.File("folded.onnx")));
    }

    [Fact]
    public void Folded_Weights_Written_To_External_Data_Equal_The_Inline_Ones()
    {
        var model = ConvBn(64, 32).Build();
        FoldPass.Run(model);
        using var temp = new TempFolder();
        var inline = OnnxModel.FromBytes(model.ToBytes());

        model.Save(temp.File("ext.onnx"), new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge, ExternalThresholdBytes = 1024 });

        Assert.Equal(["ext.onnx", "ext.onnx.data"], temp.FileNames());
        var external = OnnxModel.Load(temp.File("ext.onnx"));
        foreach (var tensor in inline.Graph.Initializers)
            Assert.Equal(tensor.RawBytes.ToArray(), external.Graph.Initializer(tensor.Name)!.RawBytes.ToArray());
    }

    [Fact]
    public void A_Clone_Of_A_Folded_Model_Shares_The_Deferred_Weights_Without_Computing_Them()
    {
        var model = ConvBn(64, 32).Build();
        FoldPass.Run(model);
        var folded = model.Graph.Initializers.Single(t => t.Name.EndsWith("_W_bnfold", StringComparison.Ordinal));

        var clone = model.Clone();

        Assert.NotNull(folded.PendingPayload);
        Assert.Equal(model.ToBytes(), clone.ToBytes());
    }

    /// <summary>Conv (weight [outChannels, inChannels, 3, 3], no bias) followed by BN: a foldable pair with a spliced weight.</summary>
    private static GraphBuilder ConvBn(int outChannels, int inChannels)
    {
        int count = outChannels * inChannels * 9;
        var random = new Random(outChannels * 31 + inChannels);
        float[] Values(int n, double scale, double offset) =>
            Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * scale + offset)).ToArray();
        return new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", inChannels, 5, 5)
            .Output("y", OnnxDataType.Float, "N", outChannels, 3, 3)
            .Initializer("W", [outChannels, inChannels, 3, 3], Values(count, 2, -1))
            .Initializer("gamma", [outChannels], Values(outChannels, 1, 0.5))
            .Initializer("beta", [outChannels], Values(outChannels, 1, -0.5))
            .Initializer("mean", [outChannels], Values(outChannels, 1, -0.5))
            .Initializer("var", [outChannels], Values(outChannels, 1, 0.5))
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn");
    }

    /// <summary>Save(path), Save(stream) and ToBytes all write what the generated serializer writes for the full message.</summary>
    private static void AssertAllWritersMatchGenerated(OnnxModel model)
    {
        using var temp = new TempFolder();
        using var stream = new MemoryStream();

        model.Save(temp.File("m.onnx"));
        model.Save(stream);
        byte[] bytes = model.ToBytes();
        // Last: the generated serializer needs every payload whole, which computes deferred weights for good.
        byte[] expected = model.Snapshot().ToByteArray();

        Assert.Equal(expected, File.ReadAllBytes(temp.File("m.onnx")));
        Assert.Equal(expected, stream.ToArray());
        Assert.Equal(expected, bytes);
    }
}
