using System.Text.Json;
using System.Xml.Linq;
using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary><c>onnxbn verify</c> in-process: every exit code, the report files, and real Fashion-MNIST images.</summary>
public sealed class VerifyCommandTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("onnxbn-cli-verify").FullName;

    /// <summary>y = x ⊙ w with x float [N,3] and w a constant [3], the output named <paramref name="output"/>.</summary>
    private string Model(string name, float[] w, string output = "y")
    {
        var builder = new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 3)
            .Output(output, OnnxDataType.Float, "N", 3)
            .Initializer("w", [3], w)
            .Node("Mul", ["x", "w"], [output]);
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, builder.ToBytes());
        return path;
    }

    /// <summary>scores [N,10] = Flatten(x [N,1,28,28]) · W, W fixed: a tiny image classifier.</summary>
    private string ImageModel(string name, float scale)
    {
        var w = Enumerable.Range(0, 784 * 10).Select(i => scale * (((i * 7919) % 101) - 50) / 500f).ToArray();
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 1, 28, 28)
            .Output("scores", OnnxDataType.Float, "N", 10)
            .Initializer("W", [784, 10], w)
            .Node("Flatten", ["x"], ["f"], null, ("axis", 1L))
            .Node("MatMul", ["f", "W"], ["scores"])
            .ToBytes());
        return path;
    }

    [Fact]
    public void Equivalent_Models_Exit_0_With_A_Table()
    {
        var (code, output, error) = CliHarness.Run("verify", Model("a.onnx", [1, 2, 3]), Model("b.onnx", [1, 2, 3]));
        Assert.Equal(0, code);
        Assert.Contains("EQUIVALENT", output);
        Assert.Contains("max abs", output);
        Assert.Equal("", error);
    }

    [Fact]
    public void Different_Models_Exit_1_And_Name_Output_And_Index()
    {
        var (code, output, _) = CliHarness.Run("verify", Model("a.onnx", [1, 2, 3]), Model("b.onnx", [1, 2, 4]));
        Assert.Equal(1, code);
        Assert.Contains("NOT EQUIVALENT", output);
        Assert.Contains("output 'y' at index [", output);
    }

    [Fact]
    public void Tolerances_From_The_Command_Line_Decide()
    {
        var a = Model("a.onnx", [1, 2, 3]);
        var b = Model("b.onnx", [1, 2, 3.001f]);
        Assert.Equal(1, CliHarness.Run("verify", a, b).Code);
        Assert.Equal(0, CliHarness.Run("verify", a, b, "--atol", "0.01").Code);
        Assert.Equal(0, CliHarness.Run("verify", a, b, "--tol", "y=0.01:0").Code);
        Assert.Equal(0, CliHarness.Run("verify", a, b, "--rtol", "0.01").Code);
    }

    [Fact]
    public void A_Missing_Output_Exits_1_Not_A_Crash()
    {
        var two = Path.Combine(_dir, "two.onnx");
        File.WriteAllBytes(two, new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 3)
            .Output("y", OnnxDataType.Float, "N", 3).Output("z", OnnxDataType.Float, "N", 3)
            .Initializer("w", [3], 1, 2, 3)
            .Node("Mul", ["x", "w"], ["y"]).Node("Add", ["x", "w"], ["z"]).ToBytes());
        var (code, output, error) = CliHarness.Run("verify", two, Model("b.onnx", [1, 2, 3]));
        Assert.Equal(1, code);
        Assert.Contains("FAIL (missing)", output);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("--atol", "-1")]
    [InlineData("--atol", "abc")]
    [InlineData("--tol", "novalue")]
    [InlineData("--ort-opt", "turbo")]
    [InlineData("--device", "tpu")]
    [InlineData("--min-top1", "2")]
    [InlineData("--random", "0")]
    [InlineData("--shape", "x=2xZ")]
    [InlineData("--scale", "1/255")]
    [InlineData("--input", "=nofile")]
    public void Malformed_Options_Exit_2(string option, string value)
    {
        var a = Model("a.onnx", [1, 2, 3]);
        var (code, _, error) = CliHarness.Run("verify", a, a, option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("error", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Usage_Errors_Exit_2()
    {
        var a = Model("a.onnx", [1, 2, 3]);
        Assert.Equal(2, CliHarness.Run("verify").Code);
        Assert.Equal(2, CliHarness.Run("verify", a).Code); // no candidate and no --against-device
        Assert.Equal(2, CliHarness.Run("verify", a, a, "--random", "2", "--data", "fashion-mnist").Code);
        Assert.Equal(2, CliHarness.Run("verify", a, a, "--shape", "nope=1x3").Code); // names no input
        Assert.Equal(2, CliHarness.Run("verify", a, a, "--data", "fashion-mnist", "--limit", "2").Code); // [N,3] holds no image
    }

    [Fact]
    public void Unreadable_Models_Exit_3()
    {
        var a = Model("a.onnx", [1, 2, 3]);
        var garbage = Path.Combine(_dir, "garbage.onnx");
        File.WriteAllText(garbage, "not a model");
        var (code, _, error) = CliHarness.Run("verify", a, garbage);
        Assert.Equal(3, code);
        Assert.Contains("candidate", error);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal(3, CliHarness.Run("verify", Path.Combine(_dir, "missing.onnx"), a).Code);
        Assert.Equal(3, CliHarness.Run("verify", a, a, "--inputs", Path.Combine(_dir, "no-such-dir")).Code);
    }

    [Fact]
    public void A_Valid_Model_Onnx_Runtime_Cannot_Run_Exits_6_Unsupported()
    {
        var unsupported = RunCommandTests.AcoshOnDoubles();

        var (code, _, error) = CliHarness.Run("verify", unsupported, unsupported, "--random", "2");

        Assert.Equal((int)ExitCode.UnsupportedModel, code);
        Assert.Contains("original", error);
        Assert.Contains("Could not find an implementation for Acosh", error);
    }

    [Fact]
    public void Unavailable_Cuda_Exits_4_Or_Runs_When_A_Gpu_Is_There()
    {
        var a = Model("a.onnx", [1, 2, 3]);
        var (code, _, error) = CliHarness.Run("verify", a, "--device", "cuda", "--against-device", "cpu");
        // This machine class has no GPU; on one with CUDA the same command compares CPU against CUDA and passes.
        Assert.True(code is 4 or 0, $"exit {code}: {error}");
        if (code == 4)
            Assert.Contains("cuda", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_Onnx_Runtime_Error_During_A_Run_Exits_5()
    {
        // Reshape to 7 elements fails inside Run for any batch of 3-element rows.
        var bad = Path.Combine(_dir, "bad.onnx");
        File.WriteAllBytes(bad, new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 3)
            .Output("y", OnnxDataType.Float, 7)
            .Initializer(TensorData.Create("shape", [1], new long[] { 7 }))
            .Node("Reshape", ["x", "shape"], ["y"]).ToBytes());
        var (code, _, error) = CliHarness.Run("verify", bad, bad);
        Assert.Equal(5, code);
        Assert.DoesNotContain("   at ", error);
        // --verbose adds the stack trace (shown here on a usage error, which stops before ONNX Runtime starts)
        Assert.Contains("   at ", CliHarness.Run("verify", bad, bad, "--atol", "-1", "--verbose").Err);
    }

    [Fact]
    public void Json_And_JUnit_Files_Parse_And_Hold_The_Numbers()
    {
        var json = Path.Combine(_dir, "out", "report.json");
        var junit = Path.Combine(_dir, "out", "report.xml");
        var (code, _, _) = CliHarness.Run("verify", Model("a.onnx", [1, 2, 3]), Model("b.onnx", [1, 2, 4]), "--random", "6", "--seed", "1",
            "--json", json, "--junit", junit);
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var y = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal(18, y.GetProperty("elements").GetInt64());
        Assert.True(y.GetProperty("maxAbsError").GetDouble() > 0.1);
        Assert.Equal(2, y.GetProperty("worst").GetProperty("index")[1].GetInt64());
        var suite = XDocument.Load(junit).Root!.Element("testsuite")!;
        Assert.Equal("1", suite.Attribute("failures")!.Value);
        Assert.Contains("output 'y' at index", suite.Element("testcase")!.Element("failure")!.Attribute("message")!.Value);
    }

    [Fact]
    public void Json_To_Stdout_Replaces_The_Table()
    {
        var a = Model("a.onnx", [1, 2, 3]);
        var (code, output, _) = CliHarness.Run("verify", a, a, "--json", "-");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetProperty("equivalent").GetBoolean());
    }

    [Fact]
    public void Fashion_Mnist_Images_Are_Compared_With_Top1()
    {
        var a = ImageModel("a.onnx", 1);
        var b = ImageModel("b.onnx", 1.000001f);
        var (code, output, error) = CliHarness.Run("verify", a, b, "--data", "fashion-mnist:test", "--limit", "20", "--batch-size", "8",
            "--min-top1", "1.0", "--json", "-");
        Assert.True(code == 0, error + output);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(3, doc.RootElement.GetProperty("runs").GetInt32());
        var scores = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal(20, scores.GetProperty("rows").GetInt64());
        Assert.Equal(1.0, scores.GetProperty("top1Agreement").GetDouble());
        Assert.StartsWith("fashion-mnist:test", doc.RootElement.GetProperty("inputs").GetString());
    }

    [Fact]
    public void Backend_Test_Data_Directory_Feeds_The_Models()
    {
        var set = Directory.CreateDirectory(Path.Combine(_dir, "data", "test_data_set_0")).FullName;
        File.WriteAllBytes(Path.Combine(set, "input_0.pb"), TensorData.Create("x", [2, 3], new float[] { 1, 2, 3, 4, 5, 6 }).ToTensorProtoBytes());
        var a = Model("a.onnx", [1, 2, 3]);
        var (code, output, _) = CliHarness.Run("verify", a, a, "--inputs", Path.Combine(_dir, "data"));
        Assert.Equal(0, code);
        Assert.Contains("1 run(s)", output);
    }

    [Fact]
    public void Fold_Verify_Writes_The_Folded_Model_Only_When_Equivalent()
    {
        var model = Path.Combine(_dir, "conv_bn.onnx");
        File.WriteAllBytes(model, ConvBn().ToBytes());
        var folded = Path.Combine(_dir, "folded.onnx");
        var (code, output, error) = CliHarness.Run("fold", model, "-o", folded, "--verify", "--random", "3");
        Assert.True(code == 0, error + output);
        Assert.Contains("EQUIVALENT", output);
        Assert.True(File.Exists(folded));

        // Zero tolerance: float rounding in the folded weights is now a failure, and nothing is written.
        var strict = Path.Combine(_dir, "strict.onnx");
        (code, output, error) = CliHarness.Run("fold", model, "-o", strict, "--verify", "--atol", "0", "--rtol", "0");
        Assert.Equal(1, code);
        Assert.Contains("NOT EQUIVALENT", output);
        Assert.Contains("output 'y' at index [", output);
        Assert.Contains("not written", error);
        Assert.False(File.Exists(strict));
    }

    [Fact]
    public void Fold_Verify_Shares_The_Input_Options_And_Their_Usage_Errors()
    {
        var model = Path.Combine(_dir, "conv_bn.onnx");
        File.WriteAllBytes(model, ConvBn().ToBytes());
        Assert.Equal(2, CliHarness.Run("fold", model, "-o", Path.Combine(_dir, "a.onnx"), "--atol", "1e-3").Code); // needs --verify
        Assert.Equal(2, CliHarness.Run("fold", model, "-o", Path.Combine(_dir, "b.onnx"), "--verify", "--tol", "oops").Code);
        Assert.Equal(2, CliHarness.Run("fold", model, "-o", Path.Combine(_dir, "c.onnx"), "--verify", "--data", "fashion-mnist").Code);
        Assert.False(File.Exists(Path.Combine(_dir, "c.onnx")));
    }

    [Fact]
    public void Fold_Verify_With_Json_Keeps_Stdout_One_Fold_Document()
    {
        var model = Path.Combine(_dir, "conv_bn.onnx");
        File.WriteAllBytes(model, ConvBn().ToBytes());
        var (code, output, error) = CliHarness.Run("fold", model, "-o", Path.Combine(_dir, "j.onnx"), "--verify", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Contains("EQUIVALENT", error);
    }

    /// <summary>Conv(x [N,2,5,5]) → BatchNormalization → y: folds backward into the Conv.</summary>
    private static GraphBuilder ConvBn()
    {
        float[] Values(int n, float lo, float hi, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * random.NextSingle()).ToArray();
        }
        return new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 2, 5, 5)
            .Output("y", OnnxDataType.Float, "N", 3, 5, 5)
            .Initializer("W", [3, 2, 3, 3], Values(54, -1, 1, 1))
            .Initializer("B", [3], Values(3, -0.5f, 0.5f, 2))
            .Initializer("gamma", [3], Values(3, 0.5f, 1.5f, 3))
            .Initializer("beta", [3], Values(3, -0.2f, 0.2f, 4))
            .Initializer("mean", [3], Values(3, -0.5f, 0.5f, 5))
            .Initializer("var", [3], Values(3, 0.25f, 2f, 6))
            .Node("Conv", ["x", "W", "B"], ["c"], "conv", ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["y"], "bn", ("epsilon", 1e-5f));
    }
}
