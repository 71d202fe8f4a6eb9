using OnnxBn.Folding;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Cli.Tests;

/// <summary><c>onnxbn run</c> in-process: outputs, files written, and the exit code of every failure class.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public void Random_Inputs_Print_Shape_Summary_And_Top5()
    {
        var model = RunCommandTestModels.Classifier();
        var (code, output, error) = CliHarness.Run("run", model, "--random", "1", "--seed", "3");
        Assert.True(code == 0, error);
        Assert.Contains("logits: float32 [1,10]", output);
        Assert.Contains("  min ", output);
        Assert.Contains("  values ", output);
        Assert.Contains("top-5 [0]: ", output);
        Assert.Contains("uses [1,8]", error);
        Assert.Equal(output, CliHarness.Run("run", model, "--random", "1", "--seed", "3").Out);
    }

    [Fact]
    public void Shape_Sets_The_Symbolic_Batch_Of_A_Random_Input()
    {
        var (code, output, error) = CliHarness.Run("run", RunCommandTestModels.Classifier(), "--random", "1", "--shape", "input=3x8");
        Assert.True(code == 0, error);
        Assert.Contains("logits: float32 [3,10]", output);
        Assert.Contains("top-5 [2]: ", output);
    }

    [Fact]
    public void Npy_Input_Gives_The_Expected_Class_And_Writes_Npy_Outputs_To_A_Directory()
    {
        var dir = RunCommandTestModels.TempDirectory();
        var input = Path.Combine(dir, "x.npy");
        var features = new float[8];
        features[3] = 5f; // class 3 wins (weights favour class c for feature c % 8)
        NpyFormat.Write(input, TensorData.Create("x", [1, 8], features));
        var outDir = Path.Combine(dir, "out");

        var (code, output, error) = CliHarness.Run("run", RunCommandTestModels.Classifier(), "--input", $"input={input}", "--output", outDir);
        Assert.True(code == 0, error);
        Assert.Contains("top-5 [0]: 3 (", output);
        var logits = NpyFormat.Read(Path.Combine(outDir, "logits.npy"));
        Assert.Equal([1L, 10L], logits.Dims);
        Assert.Equal(3, Array.IndexOf(logits.ToArray<float>(), logits.ToArray<float>().Max()));
    }

    [Fact]
    public void Pb_Input_Without_A_Name_And_Pb_Output_File()
    {
        var dir = RunCommandTestModels.TempDirectory();
        var input = Path.Combine(dir, "input_0.pb");
        File.WriteAllBytes(input, TensorData.Create("input", [2, 8], new float[16]).ToTensorProtoBytes());
        var output = Path.Combine(dir, "output_0.pb");

        var (code, _, error) = CliHarness.Run("run", RunCommandTestModels.Classifier(), "-i", input, "-o", output);
        Assert.True(code == 0, error);
        var logits = TensorData.LoadTensorProto(output);
        Assert.Equal("logits", logits.Name);
        Assert.Equal([2L, 10L], logits.Dims);
    }

    [Theory]
    [InlineData("missing-input", 2, "Input 'input' [batch,8] is missing")]
    [InlineData("unknown-input", 2, "The model has no input 'image'; its inputs are: input")]
    [InlineData("bad-assignment", 2, "--input: 'input=' is not NAME=FILE")]
    [InlineData("bad-device", 2, "--device: 'tpu' is not a device")]
    [InlineData("bad-shape", 2, "--shape: 'input=2xa': dimension 'a' is not a non-negative integer")]
    [InlineData("shape-without-random", 2, "--shape only applies to --random inputs")]
    [InlineData("missing-model", 3, "Model file not found")]
    [InlineData("missing-input-file", 3, "Input file not found")]
    [InlineData("wrong-dtype", 2, "int64 values cannot feed input 'input' of type float32")]
    [InlineData("wrong-shape", 2, "shape [1,7] does not fit input 'input' [batch,8] (dimension 1)")]
    [InlineData("malformed-npy", 3, "not a readable .npy file: missing the \\x93NUMPY magic")]
    [InlineData("garbage-model", 3, "ONNX Runtime error InvalidProtobuf")]
    [InlineData("cuda", 4, "cuda:0 execution provider is unavailable")]
    public void Failures_Are_One_Line_With_The_Right_Exit_Code(string kind, int exitCode, string message)
    {
        var dir = RunCommandTestModels.TempDirectory();
        var model = RunCommandTestModels.Classifier();
        string Npy(string name, TensorData tensor)
        {
            var path = Path.Combine(dir, name);
            NpyFormat.Write(path, tensor);
            return path;
        }
        string[] args = kind switch
        {
            "missing-input" => ["run", model],
            "unknown-input" => ["run", model, "--input", "image=x.npy"],
            "bad-assignment" => ["run", model, "--input", "input="],
            "bad-device" => ["run", model, "--random", "1", "--device", "tpu"],
            "bad-shape" => ["run", model, "--random", "1", "--shape", "input=2xa"],
            "shape-without-random" => ["run", model, "--shape", "input=2x8"],
            "missing-model" => ["run", Path.Combine(dir, "nope.onnx"), "--random", "1"],
            "missing-input-file" => ["run", model, "--input", $"input={Path.Combine(dir, "nope.npy")}"],
            "wrong-dtype" => ["run", model, "--input", Npy("d.npy", TensorData.Create("d", [1, 8], new long[8]))],
            "wrong-shape" => ["run", model, "--input", Npy("s.npy", TensorData.Create("s", [1, 7], new float[7]))],
            "malformed-npy" => ["run", model, "--input", WriteText(dir, "m.npy", "hello")],
            "garbage-model" => ["run", WriteText(dir, "g.onnx", "not a model"), "--random", "1"],
            "cuda" => ["run", model, "--random", "1", "--device", "cuda"],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var (code, output, error) = CliHarness.Run(args);
        Assert.Equal(exitCode, code);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("top-5", output);
    }

    [Fact]
    public void Auto_Device_Falls_Back_To_Cpu_With_A_Warning()
    {
        var (code, output, error) = CliHarness.Run("run", RunCommandTestModels.Classifier(), "--random", "1", "--device", "auto");
        Assert.True(code == 0, error);
        Assert.Contains("on cpu", output);
        Assert.Contains("warning: CUDA unavailable, running on the CPU:", error);
    }

    [Fact]
    public void Runtime_Exceptions_Map_To_Their_Exit_Codes()
    {
        Assert.Equal(ExitCode.RuntimeUnavailable, ExceptionExitCodes.Classify(new DllNotFoundException("onnxruntime")));
        Assert.Equal(ExitCode.RuntimeUnavailable, ExceptionExitCodes.Classify(new OnnxBn.Runtime.Sessions.DeviceUnavailableException(OnnxBn.Runtime.Sessions.Device.Cuda(), "not enabled")));
        Assert.Equal(ExitCode.InvalidModel, ExceptionExitCodes.Classify(new NpyFormatException("a.npy", "bad")));
        Assert.Equal(ExitCode.Usage, ExceptionExitCodes.Classify(new OnnxBn.Runtime.Inputs.InputMismatchException("string input: pass --input")));
        Assert.Equal(ExitCode.UnsupportedModel, ExceptionExitCodes.Classify(new OnnxBn.Folding.UnsupportedModelException("m.onnx", "segmented tensors are not supported", "W")));
        Assert.Equal(ExitCode.InvalidModel, ExceptionExitCodes.Classify(new OnnxBn.Folding.OnnxModelException("m.onnx", "truncated", null)));
    }

    [Fact]
    public void A_Model_Onnx_Runtime_Rejects_Exits_3()
    {
        // Well-formed for our loader, invalid for ONNX Runtime: Relu given two inputs.
        var dir = Directory.CreateTempSubdirectory("onnxbn-run-invalid").FullName;
        var path = Path.Combine(dir, "invalid.onnx");
        File.WriteAllBytes(path, new OnnxBn.TestUtilities.GraphBuilder()
            .Input("x", OnnxBn.Folding.OnnxDataType.Float, 1, 2)
            .Output("y", OnnxBn.Folding.OnnxDataType.Float, 1, 2)
            .Node("Relu", ["x", "x"], ["y"])
            .ToBytes());
        var (code, _, error) = CliHarness.Run("run", path, "--random", "1");
        Assert.Equal(3, code);
        Assert.StartsWith("error:", error);
    }

    [Fact]
    public void A_Valid_Model_Onnx_Runtime_Has_No_Kernel_For_Exits_6_Unsupported()
    {
        var (code, output, error) = CliHarness.Run("run", AcoshOnDoubles(), "--random", "1");

        Assert.Equal((int)ExitCode.UnsupportedModel, code);
        Assert.Equal("", output);
        Assert.Contains("Could not find an implementation for Acosh", error);
    }

    /// <summary>Valid ONNX (Acosh accepts double) that ONNX Runtime's CPU provider implements only for float.</summary>
    internal static string AcoshOnDoubles()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("onnxbn-run-unsupported").FullName, "acosh_double.onnx");
        File.WriteAllBytes(path, new OnnxBn.TestUtilities.GraphBuilder()
            .Input("x", OnnxBn.Folding.OnnxDataType.Double, 1, 2)
            .Output("y", OnnxBn.Folding.OnnxDataType.Double, 1, 2)
            .Node("Acosh", ["x"], ["y"])
            .ToBytes());
        return path;
    }

    private static string WriteText(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
