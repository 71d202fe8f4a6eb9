using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Tests.Sessions;

public sealed class ModelSessionTests
{
    private static readonly float[] Input = [-3f, 0.5f, -0.5f, 1f, 2f, -2f, 0f, -4f];

    // Relu(X + [-1, 0, 1, 2]) for Input as [2,4].
    internal static readonly float[] Expected = [0f, 0.5f, 0.5f, 3f, 1f, 0f, 1f, 0f];

    [Fact]
    public void Reports_Inputs_And_Outputs_With_Symbolic_Dimensions()
    {
        using var session = ModelSession.Open(TestModels.AddRelu());
        var input = Assert.Single(session.Inputs);
        Assert.Equal("X", input.Name);
        Assert.True(input.IsTensor);
        Assert.Equal(OnnxDataType.Float, input.ElementType);
        Assert.Equal([-1L, 4L], input.Shape);
        Assert.Equal(["N", ""], input.SymbolicDimensions);
        Assert.Equal("[N,4]", input.ShapeText);
        Assert.Equal(["Y", "S"], session.Outputs.Select(o => o.Name));
        Assert.Null(session.FindInput("nope"));
        Assert.Equal("S", session.FindOutput("S")!.Name);
    }

    [Fact]
    public void Runs_From_A_File_From_Bytes_And_From_An_OnnxModel_With_The_Same_Result()
    {
        var bytes = TestModels.AddRelu();
        using var folder = new OnnxBn.TestUtilities.TempFolder();
        var path = folder.File("add_relu.onnx");
        File.WriteAllBytes(path, bytes);
        using var fromFile = ModelSession.Open(path);
        using var fromBytes = ModelSession.Open(bytes);
        using var fromModel = ModelSession.Open(OnnxModel.FromBytes(bytes));
        Assert.Equal(Path.GetFullPath(path), fromFile.Source);
        Assert.Equal(Expected, RunY(fromFile));
        Assert.Equal(Expected, RunY(fromBytes));
        Assert.Equal(Expected, RunY(fromModel));
    }

    [Fact]
    public void Returns_Only_The_Requested_Outputs_In_Order()
    {
        using var session = ModelSession.Open(TestModels.AddRelu());
        using var input = OrtValue.CreateTensorValueFromMemory(Input, [2, 4]);
        using var results = session.Run(new Dictionary<string, OrtValue> { ["X"] = input }, ["S"]);
        var s = Assert.Single(results);
        Assert.Equal([-4f, 0.5f, 0.5f, 3f, 1f, -2f, 1f, -2f], s.GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal([2L, 4L], s.GetTensorTypeAndShape().Shape);
    }

    [Fact]
    public void Missing_Model_File_Is_A_FileNotFoundException()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => ModelSession.Open("/nonexistent/model.onnx"));
        Assert.Contains("/nonexistent/model.onnx", ex.Message);
    }

    [Fact]
    public void Garbage_Bytes_Are_An_Invalid_Protobuf_Error()
    {
        var ex = Assert.Throws<OnnxRuntimeException>(() => ModelSession.Open(new byte[] { 1, 2, 3, 4, 5 }));
        Assert.Equal(OrtErrorCode.InvalidProtobuf, OrtErrors.CodeOf(ex));
    }

    [Fact]
    public void Wrong_Shape_Is_An_InvalidArgument_Error_Naming_The_Input()
    {
        using var session = ModelSession.Open(TestModels.AddRelu());
        using var input = OrtValue.CreateTensorValueFromMemory(new float[6], [2, 3]);
        var ex = Assert.Throws<OnnxRuntimeException>(() => session.Run(new Dictionary<string, OrtValue> { ["X"] = input }));
        Assert.Equal(OrtErrorCode.InvalidArgument, OrtErrors.CodeOf(ex));
        Assert.Contains("X", OrtErrors.OneLine(ex.Message));
    }

    [Fact]
    public void Every_Setting_Is_Accepted_And_Gives_The_Same_Answer()
    {
        using var folder = new OnnxBn.TestUtilities.TempFolder();
        var optimized = folder.File("optimized.onnx");
        SessionSettings[] variants =
        [
            new() { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, EnableMemoryPattern = false },
            new() { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, EnableCpuMemArena = false },
            new() { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, IntraOpThreads = 1, InterOpThreads = 1 },
            new() { ExecutionMode = ExecutionMode.ORT_PARALLEL, InterOpThreads = 2, LogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR },
            new() { OptimizedModelFilePath = optimized, AllowSpinning = false, ConfigEntries = { ["session.inter_op.allow_spinning"] = "0" } },
        ];
        foreach (var settings in variants)
        {
            using var session = ModelSession.Open(TestModels.AddRelu(), settings);
            Assert.Equal(Expected, RunY(session));
        }
        Assert.True(new FileInfo(optimized).Length > 0, "the optimized model file should be written");
    }

    internal static float[] RunY(ModelSession session)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(Input.ToArray(), [2, 4]);
        using var results = session.Run(new Dictionary<string, OrtValue> { ["X"] = input }, ["Y"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
