using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

public sealed class RoundTripTests
{
    private const string Builtin = "builtin:conv_bn";

    /// <summary>Every model in models/ (a missing folder fails the theory), plus a built-in one.</summary>
    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string> { Builtin };
        foreach (var path in ModelFiles.RepoModels())
            data.Add(path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ToBytes_Of_Loaded_Model_Parses_To_The_Original_Message(string source)
    {
        byte[] original = ReadSource(source);
        var model = source == Builtin ? OnnxModel.FromBytes(original) : OnnxModel.Load(source);

        var reparsed = ModelProto.Parser.ParseFrom(model.ToBytes());

        Assert.Equal(ModelProto.Parser.ParseFrom(original), reparsed);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Save_To_Path_Of_Loaded_Model_Parses_To_The_Original_Message(string source)
    {
        using var temp = new TempFolder();
        byte[] original = ReadSource(source);
        var model = source == Builtin ? OnnxModel.FromBytes(original) : OnnxModel.Load(source);
        string target = temp.File("copy.onnx");

        model.Save(target);

        Assert.Equal(ModelProto.Parser.ParseFrom(original), ModelProto.Parser.ParseFrom(File.ReadAllBytes(target)));
        Assert.Equal(["copy.onnx"], temp.FileNames());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Clone_Is_Independent_Of_The_Original(string source)
    {
        byte[] original = ReadSource(source);
        var model = source == Builtin ? OnnxModel.FromBytes(original) : OnnxModel.Load(source);

        var clone = model.Clone();
        foreach (var node in clone.Graph.Nodes.ToArray())
            clone.Graph.RemoveNode(node);
        FoldPass.Run(model.Clone());

        Assert.Equal(ModelProto.Parser.ParseFrom(original), ModelProto.Parser.ParseFrom(model.ToBytes()));
    }

    private static byte[] ReadSource(string source) =>
        source == Builtin ? ConvBn().ToBytes() : File.ReadAllBytes(source);

    private static GraphBuilder ConvBn() => new GraphBuilder()
        .Input("x", OnnxDataType.Float, "N", 2, 3, 3)
        .Output("y", OnnxDataType.Float, "N", 2, 3, 3)
        .Initializer("W", [2, 2, 1, 1], 1f, 2f, 3f, 4f)
        .Initializer("gamma", [2], 2f, 3f)
        .Initializer("beta", [2], 1f, -1f)
        .Initializer("mean", [2], 5f, 6f)
        .Initializer("var", [2], 4f, 9f)
        .Node("Conv", ["x", "W"], ["c"], "conv")
        .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn");
}
