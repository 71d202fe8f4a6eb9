using System.Runtime.InteropServices;
using Google.Protobuf;
using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.ModelIO.WireFields;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>
/// The loader's zero-copy parse (initializer raw_data as slices of the file buffer) must build exactly the message
/// the generated parser builds, and step aside whenever it is not sure.
/// </summary>
public sealed class SlicingParserTests
{
    /// <summary>A Conv whose weight is most of the file (so the sliced path is taken), plus a small raw bias.</summary>
    private static ModelProto WeightHeavyModel() => ModelProto.Parser.ParseFrom(new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 4, 3, 3)
        .Output("y", OnnxDataType.Float, 1, 16, 1, 1)
        .Initializer("W", [16, 4, 3, 3], Enumerable.Range(0, 16 * 4 * 9).Select(i => i * 0.25f).ToArray())
        .Initializer("B", [16], Enumerable.Range(0, 16).Select(i => -i * 1f).ToArray())
        .Node("Conv", ["x", "W", "B"], ["y"], "conv")
        .ToBytes());

    [Theory]
    [MemberData(nameof(RoundTripTests.Models), MemberType = typeof(RoundTripTests))]
    public void Sliced_Parse_Equals_Generated_Parse_And_Serializes_To_The_Same_Bytes(string source)
    {
        byte[] file = source.StartsWith("builtin:", StringComparison.Ordinal) ? WeightHeavyModel().ToByteArray() : File.ReadAllBytes(source);
        var expected = ModelProto.Parser.ParseFrom(file);

        var sliced = SlicingModelParser.TryParse(file);

        if (sliced is null)
            Assert.True(RawDataBytes(expected) < file.Length / 2, "only a model with little raw_data may be left to the generated parser");
        else
        {
            Assert.Equal(expected, sliced);
            Assert.Equal(expected.ToByteArray(), sliced.ToByteArray());
        }
    }

    /// <summary>Files of 8 MiB and more are read in parts on several threads: the parts must meet exactly.</summary>
    [Fact]
    public void A_Large_File_Read_In_Parallel_Parts_Loads_The_Same_Model()
    {
        var random = new Random(8);
        int count = (9 << 20) / sizeof(float) + 3; // not a multiple of the part count
        byte[] file = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, count)
            .Output("y", OnnxDataType.Float, 1, 1)
            .Initializer("W", [count, 1], Enumerable.Range(0, count).Select(_ => random.NextSingle()).ToArray())
            .Node("MatMul", ["x", "W"], ["y"], "mm")
            .ToBytes();
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("big.onnx"), file);

        var model = OnnxModel.Load(temp.File("big.onnx"));

        Assert.Equal(file, model.ToBytes());
    }

    [Fact]
    public void Payloads_Alias_The_File_Buffer_Instead_Of_Copies()
    {
        byte[] file = WeightHeavyModel().ToByteArray();

        var sliced = SlicingModelParser.TryParse(file)!;

        foreach (var tensor in sliced.Graph.Initializer)
        {
            Assert.True(MemoryMarshal.TryGetArray(tensor.RawData.Memory, out var segment));
            Assert.Same(file, segment.Array);
            Assert.Equal(tensor.RawData.ToByteArray(), file.AsSpan(segment.Offset, segment.Count).ToArray());
        }
    }

    [Fact]
    public void Unknown_Fields_In_Model_Graph_And_Tensor_Survive()
    {
        var proto = WeightHeavyModel();
        proto.Graph.Initializer[0] = TensorProto.Parser.ParseFrom([.. proto.Graph.Initializer[0].ToByteArray(), .. Field(77, "t"u8)]);
        proto.Graph = GraphProto.Parser.ParseFrom([.. proto.Graph.ToByteArray(), .. Field(88, "g"u8)]);
        byte[] file = [.. proto.ToByteArray(), .. Field(99, "m"u8)];

        var sliced = SlicingModelParser.TryParse(file)!;

        Assert.Equal(file, sliced.ToByteArray());
    }

    [Fact]
    public void Repeated_Graph_Fields_Merge_With_Initializers_In_File_Order()
    {
        var first = WeightHeavyModel();
        var second = new ModelProto { Graph = new GraphProto() };
        second.Graph.Initializer.Add(new TensorProto { Name = "extra", DataType = 1, RawData = ByteString.CopyFrom(new byte[4096]) });
        second.Graph.Initializer[0].Dims.Add(1024);
        byte[] file = [.. first.ToByteArray(), .. second.ToByteArray()];

        var sliced = SlicingModelParser.TryParse(file)!;

        Assert.Equal(ModelProto.Parser.ParseFrom(file), sliced);
        Assert.Equal(["W", "B", "extra"], sliced.Graph.Initializer.Select(t => t.Name));
    }

    [Fact]
    public void A_Repeated_Raw_Data_Field_Keeps_The_Last_Value_Like_Protobuf()
    {
        // Serializing a parsed tensor writes raw_data once, so the duplicate is spliced into the wire bytes by hand.
        var proto = WeightHeavyModel();
        var weight = proto.Graph.Initializer[0];
        proto.Graph.Initializer.RemoveAt(0);
        byte[] replacement = Enumerable.Range(0, weight.RawData.Length).Select(i => (byte)i).ToArray();
        byte[] graph = [.. proto.Graph.ToByteArray(), .. Field(5, [.. weight.ToByteArray(), .. Field(9, replacement)])];
        proto.Graph = null;
        byte[] file = [.. proto.ToByteArray(), .. Field(7, graph)];

        var sliced = SlicingModelParser.TryParse(file)!;

        Assert.Equal(ModelProto.Parser.ParseFrom(file), sliced);
        Assert.Equal(replacement, sliced.Graph.Initializer.Single(t => t.Name == "W").RawData.ToByteArray());
    }

    [Fact]
    public void Truncated_Input_Is_Left_To_The_Generated_Parser()
    {
        byte[] file = WeightHeavyModel().ToByteArray();

        Assert.Null(SlicingModelParser.TryParse(file[..(file.Length - 10)]));
    }

    [Fact]
    public void Group_Encoded_Unknown_Fields_Parse_Exactly_As_Protobuf_Does()
    {
        // An empty group for field 1: legal wire format the generated parser keeps as an unknown field (and writes back).
        byte[] group = [.. WeightHeavyModel().ToByteArray(), (1 << 3) | 3, (1 << 3) | 4];

        Assert.Equal(ModelProto.Parser.ParseFrom(group), SlicingModelParser.TryParse(group));
    }

    [Fact]
    public void Corrupted_Files_Either_Parse_Exactly_As_Protobuf_Does_Or_Step_Aside()
    {
        byte[] original = WeightHeavyModel().ToByteArray();
        // Only bytes outside the payloads: tags, lengths and the other fields are where the scanner makes decisions.
        var payload = new bool[original.Length];
        foreach (var tensor in SlicingModelParser.TryParse(original)!.Graph.Initializer)
        {
            MemoryMarshal.TryGetArray(tensor.RawData.Memory, out var segment);
            Array.Fill(payload, true, segment.Offset, segment.Count);
        }
        int[] structure = Enumerable.Range(0, original.Length).Where(i => !payload[i]).ToArray();
        var random = new Random(20251122);
        int slicedTrials = 0, rejectedTrials = 0;
        for (int trial = 0; trial < 500; trial++)
        {
            byte[] file = (byte[])original.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                file[structure[random.Next(structure.Length)]] = (byte)random.Next(256);

            ModelProto? expected;
            try { expected = ModelProto.Parser.ParseFrom(file); }
            catch (InvalidProtocolBufferException) { expected = null; }
            var sliced = SlicingModelParser.TryParse(file);

            if (sliced is not null)
                Assert.True(expected is not null && expected.Equals(sliced), $"trial {trial} (seed 20251122): sliced parse differs from protobuf's");
            slicedTrials += sliced is null ? 0 : 1;
            rejectedTrials += expected is null ? 1 : 0;
        }
        // Both outcomes must be common, or the property above was barely exercised.
        Assert.True(slicedTrials > 50 && rejectedTrials > 50, $"{slicedTrials} sliced, {rejectedTrials} rejected by protobuf");
    }

    private static long RawDataBytes(ModelProto proto) => proto.Graph?.Initializer.Sum(t => (long)t.RawData.Length) ?? 0;
}
