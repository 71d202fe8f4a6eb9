using Google.Protobuf;
using OnnxBn.Folding;
using OnnxBn.Folding.Onnx.Proto;
using Xunit;

namespace OnnxBn.TestUtilities;

/// <summary>
/// y = x·W + B with W [2,2] at offset 0 and B [2] at offset 64 of "weights.bin" (a gap in between, as aligned
/// writers leave), written by hand so the reader is tested against bytes it did not write.
/// </summary>
internal static class ExternalDataModel
{
    public static readonly float[] W = [1.5f, -2f, 3.25f, 4f];
    public static readonly float[] B = [0.5f, -0.75f];

    /// <summary>Writes m.onnx and weights.bin into <paramref name="folder"/>; returns the model path.</summary>
    public static string Write(string folder, string location = "weights.bin", long bOffset = 64, long? bLength = null)
    {
        var proto = ModelProto.Parser.ParseFrom(new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2)
            .Output("y", OnnxDataType.Float, 1, 2)
            .Node("MatMul", ["x", "W"], ["h"], "matmul")
            .Node("Add", ["h", "B"], ["y"], "add")
            .ToBytes());
        proto.Graph.Initializer.Add(External("W", [2, 2], location, 0, 16));
        proto.Graph.Initializer.Add(External("B", [2], location, bOffset, bLength ?? 8));
        string modelPath = Path.Combine(folder, "m.onnx");
        File.WriteAllBytes(modelPath, proto.ToByteArray());

        var bin = new byte[72];
        Buffer.BlockCopy(W, 0, bin, 0, 16);
        Buffer.BlockCopy(B, 0, bin, 64, 8);
        if (!Path.IsPathRooted(location) && !location.Contains(".."))
            File.WriteAllBytes(Path.Combine(folder, location), bin);
        return modelPath;
    }

    public static TensorProto External(string name, long[] dims, string location, long offset, long length)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)OnnxDataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.AddRange(dims);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return tensor;
    }

    public static void AssertValues(OnnxModel model)
    {
        Assert.Equal(W, model.Graph.Initializer("W")!.ToArray<float>());
        Assert.Equal(B, model.Graph.Initializer("B")!.ToArray<float>());
    }

    public static ModelProto Parse(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

    /// <summary>Whether the saved model at <paramref name="modelPath"/> keeps <paramref name="name"/> in a data file.</summary>
    public static bool IsExternal(string modelPath, string name) => IsExternal(Parse(modelPath), name);

    public static bool IsExternal(ModelProto proto, string name) =>
        proto.Graph.Initializer.Single(t => t.Name == name).DataLocation == TensorProto.Types.DataLocation.External;
}
