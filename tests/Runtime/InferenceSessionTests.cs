using OnnxBn.Folding;
using OnnxBn.Runtime.Native;
using OnnxBn.Runtime.Session;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Tests;

public sealed class InferenceSessionTests
{
    private static readonly float[] Input = [-3f, 0.5f, -0.5f, 1f, 2f, -2f, 0f, -4f];

    // Relu(X + [-1, 0, 1, 2]) for Input as [2,4].
    private static readonly float[] Expected = [0f, 0.5f, 0.5f, 3f, 1f, 0f, 1f, 0f];

    [Fact]
    public void Reports_Inputs_And_Outputs_With_Symbolic_Dimensions()
    {
        using var session = new InferenceSession(TestModels.AddRelu());
        var input = Assert.Single(session.Inputs);
        Assert.Equal("X", input.Name);
        Assert.Equal(OrtValueKind.Tensor, input.Kind);
        Assert.Equal(TensorElementType.Float, input.ElementType);
        Assert.Equal([-1L, 4L], input.Shape);
        Assert.Equal(["N", ""], input.SymbolicDimensions);
        Assert.Equal("[N,4]", input.ShapeText);
        Assert.Equal(["Y", "S"], session.Outputs.Select(o => o.Name));
        Assert.Null(session.FindInput("nope"));
    }

    [Fact]
    public void Runs_From_A_File_And_From_Bytes_With_The_Same_Result()
    {
        var bytes = TestModels.AddRelu();
        var path = TestModels.WriteTemp(bytes, "add_relu.onnx");
        using var fromFile = new InferenceSession(path);
        using var fromBytes = InferenceSession.FromModelBytes(bytes);
        Assert.Equal(Path.GetFullPath(path), fromFile.Source);
        Assert.Equal(Expected, RunY(fromFile));
        Assert.Equal(Expected, RunY(fromBytes));
    }

    [Fact]
    public void Runs_An_In_Memory_OnnxModel()
    {
        var model = OnnxBn.Folding.OnnxModel.FromBytes(TestModels.AddRelu());
        using var session = InferenceSession.FromModel(model);
        Assert.Equal(Expected, RunY(session));
    }

    [Fact]
    public void Returns_Only_The_Requested_Outputs_In_Order()
    {
        using var session = new InferenceSession(TestModels.AddRelu());
        using var input = OrtValue.CreateTensor(Input, [2, 4]);
        using var results = session.Run(new Dictionary<string, OrtValue> { ["X"] = input }, ["S"]);
        Assert.Equal(["S"], results.Names);
        Assert.Equal([-4f, 0.5f, 0.5f, 3f, 1f, -2f, 1f, -2f], results[0].ToArray<float>());
        Assert.Equal([2L, 4L], results[0].Shape.ToArray());
    }

    [Fact]
    public void Missing_Model_File_Is_A_FileNotFoundException()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => new InferenceSession("/nonexistent/model.onnx"));
        Assert.Contains("/nonexistent/model.onnx", ex.Message);
    }

    [Fact]
    public void Garbage_Bytes_Are_An_OrtException_With_A_Code()
    {
        var ex = Assert.Throws<OrtException>(() => new InferenceSession(new byte[] { 1, 2, 3, 4, 5 }));
        Assert.Equal(OrtErrorCode.InvalidProtobuf, ex.Code);
    }

    [Fact]
    public void Unknown_Input_Name_Lists_The_Real_Ones()
    {
        using var session = new InferenceSession(TestModels.AddRelu());
        using var input = OrtValue.CreateTensor(Input, [2, 4]);
        var ex = Assert.Throws<ArgumentException>(() => session.Run(new Dictionary<string, OrtValue> { ["x"] = input }));
        Assert.Contains("no input named 'x'; its inputs are: X", ex.Message);
    }

    [Fact]
    public void Wrong_Shape_Is_An_InvalidArgument_OrtException()
    {
        using var session = new InferenceSession(TestModels.AddRelu());
        using var input = OrtValue.CreateTensor(new float[6], [2, 3]);
        var ex = Assert.Throws<OrtException>(() => session.Run(new Dictionary<string, OrtValue> { ["X"] = input }));
        Assert.Equal(OrtErrorCode.InvalidArgument, ex.Code);
        Assert.Contains("X", ex.OrtMessage);
    }

    [Fact]
    public void Wrong_Element_Type_Is_An_InvalidArgument_OrtException()
    {
        using var session = new InferenceSession(TestModels.AddRelu());
        using var input = OrtValue.CreateTensor(new double[8], [2, 4]);
        var ex = Assert.Throws<OrtException>(() => session.Run(new Dictionary<string, OrtValue> { ["X"] = input }));
        Assert.Equal(OrtErrorCode.InvalidArgument, ex.Code);
    }

    [Fact]
    public void Every_Session_Option_Is_Accepted_And_Gives_The_Same_Answer()
    {
        var optimized = Path.Combine(Directory.CreateTempSubdirectory("onnxbn-opt").FullName, "optimized.onnx");
        SessionOptions[] variants =
        [
            new() { GraphOptimizationLevel = GraphOptimizationLevel.Disabled, EnableMemoryPattern = false },
            new() { GraphOptimizationLevel = GraphOptimizationLevel.Basic, EnableCpuMemArena = false },
            new() { GraphOptimizationLevel = GraphOptimizationLevel.Extended, IntraOpNumThreads = 1, InterOpNumThreads = 1 },
            new() { ExecutionMode = ExecutionMode.Parallel, InterOpNumThreads = 2, LogLevel = OrtLogLevel.Error, LogId = "t" },
            new() { OptimizedModelFilePath = optimized, ConfigEntries = { ["session.intra_op.allow_spinning"] = "0" } },
        ];
        foreach (var options in variants)
        {
            using var session = new InferenceSession(TestModels.AddRelu(), options);
            Assert.Equal(Expected, RunY(session));
        }
        Assert.True(new FileInfo(optimized).Length > 0, "the optimized model file should be written");
    }

    [Fact]
    public void Disposing_The_Session_Twice_Is_Harmless_And_Later_Runs_Fail_Cleanly()
    {
        var session = new InferenceSession(TestModels.AddRelu());
        session.Dispose();
        session.Dispose();
        using var input = OrtValue.CreateTensor(Input, [2, 4]);
        Assert.Throws<ObjectDisposedException>(() => session.Run(new Dictionary<string, OrtValue> { ["X"] = input }));
    }

    internal static float[] RunY(InferenceSession session)
    {
        using var input = OrtValue.CreateTensor(Input.ToArray(), [2, 4]);
        using var results = session.Run(new Dictionary<string, OrtValue> { ["X"] = input });
        return results["Y"].ToArray<float>();
    }
}
