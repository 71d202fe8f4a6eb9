using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Cli.Commands;
using OnnxBn.Folding;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Sessions;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary><c>onnxbn bench</c> in-process: argument handling, a short smoke run, the table and the JSON report.</summary>
public sealed class BenchCommandTests
{
    private static readonly string[] Quick = ["--warmup", "1", "--iterations", "3", "--creations", "2", "--threads", "1"];

    /// <summary>Gemm → BN → Relu on x [batch,8]: the BN folds backward into the Gemm.</summary>
    internal static string GemmBn()
    {
        var w = Enumerable.Range(0, 64).Select(i => (i % 9 == 0 ? 1f : 0.01f * (i % 5))).ToArray();
        var bytes = new GraphBuilder()
            .Input("x", OnnxDataType.Float, "batch", 8)
            .Output("y", OnnxDataType.Float, "batch", 8)
            .Initializer("W", [8, 8], w)
            .Initializer("gamma", [8], 1f, 2f, 1f, 2f, 1f, 2f, 1f, 2f)
            .Initializer("beta", [8], new float[8])
            .Initializer("mean", [8], 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f)
            .Initializer("var", [8], 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f)
            .Node("Gemm", ["x", "W"], ["h"], "fc")
            .Node("BatchNormalization", ["h", "gamma", "beta", "mean", "var"], ["hn"], "bn")
            .Node("Relu", ["hn"], ["y"], "relu")
            .ToBytes();
        var path = Path.Combine(Directory.CreateTempSubdirectory("onnxbn-cli-bench").FullName, "gemm_bn.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Folded_Smoke_Run_Prints_Both_Models_The_Ratio_And_Writes_Json()
    {
        var model = GemmBn();
        var json = Path.Combine(Path.GetDirectoryName(model)!, "report.json");
        var (code, output, error) = CliHarness.Run(["bench", model, "--folded", "--batch", "1,4", "--json", json, .. Quick]);
        Assert.True(code == 0, error);
        Assert.Contains("fold: 1 of 1 BN folded", output);
        Assert.Contains("     4  folded", output);
        Assert.Contains("folded/original: median ", output);
        Assert.Contains("session creation folded/original: median", output);
        // stderr is not a terminal here: plain progress lines at 10 % marks, no carriage-return redraws.
        var progress = error.ReplaceLineEndings("\n").Split('\n').Where(line => line.StartsWith("bench: ", StringComparison.Ordinal)).ToArray();
        Assert.InRange(progress.Length, 1, 10);
        Assert.All(progress, line => Assert.Matches(@"^bench: \d{1,3}% ", line));
        Assert.Contains(progress, line => line.StartsWith("bench: 100% ", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', error);
        var report = BenchmarkReport.FromJson(File.ReadAllText(json));
        Assert.Equal([1, 4], report.Settings.Batches);
        Assert.Equal(3, report.Models[1].Batches[1].LatencyMs.Count);
        Assert.Equal(3, report.Settings.Iterations);
    }

    [Fact]
    public void Interrupted_Bench_Exits_130_And_Leaves_No_Temporary_Folder()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "onnxbn-bench*").ToHashSet();
        var interrupted = new CliSeams { Interrupt = new CancellationToken(canceled: true) };

        var (code, output, error) = CliHarness.Run(interrupted, ["bench", GemmBn(), "--folded", .. Quick]);

        Assert.Equal(130, code);
        Assert.Contains("interrupted: no report written; temporary files removed.", error);
        Assert.Empty(output);
        var left = Directory.GetDirectories(Path.GetTempPath(), "onnxbn-bench*").Except(before).ToList();
        Assert.True(left.Count == 0, "left behind: " + string.Join(", ", left));
    }

    [Fact]
    public void Auto_Device_Without_Cuda_Warns_Once_However_Many_Sessions_It_Creates()
    {
        var (code, _, error) = CliHarness.Run(["bench", GemmBn(), "--folded", "--device", "auto", "--creations", "3", .. Quick[..4]]);

        Assert.True(code == 0, error);
        if (OrtSetup.AvailableProviders.Contains("CUDAExecutionProvider") && !error.Contains("CUDA unavailable"))
            return; // a machine with a working GPU runs on CUDA: nothing to warn about
        Assert.Single(error.Split('\n'), line => line.StartsWith("warning: CUDA unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_To_Stdout_Replaces_The_Table()
    {
        var (code, output, error) = CliHarness.Run(["bench", GemmBn(), "--json", "-", "--ort-opt", "disabled", .. Quick]);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("onnxbn.bench/1", doc.RootElement.GetProperty("schema").GetString());
        Assert.Equal("disabled", doc.RootElement.GetProperty("settings").GetProperty("ortOptimization").GetString());
        Assert.Equal("model", doc.RootElement.GetProperty("models")[0].GetProperty("label").GetString());
    }

    [Fact]
    public void Compare_Benchmarks_Two_Files_And_Duration_Replaces_Iterations()
    {
        var model = GemmBn();
        var (code, output, error) = CliHarness.Run("bench", model, "--compare", model, "--duration", "20ms", "--warmup", "0", "--creations", "1");
        Assert.True(code == 0, error);
        Assert.Contains("compare/model: median", output);
        Assert.Contains("0.0 s per batch size", output);
    }

    [Fact]
    public void Backend_Test_Folder_And_Tensor_Files_Feed_The_Runs()
    {
        var model = GemmBn();
        var data = Path.Combine(Path.GetDirectoryName(model)!, "test_data_set_0");
        Directory.CreateDirectory(data);
        var input = Path.Combine(data, "input_0.pb");
        File.WriteAllBytes(input, TensorData.Create("x", [2, 8], Enumerable.Range(0, 16).Select(i => i * 0.1f).ToArray()).ToTensorProtoBytes());

        var (code, output, error) = CliHarness.Run(["bench", model, "--inputs", Path.GetDirectoryName(model)!, "--batch", "2", "--json", "-", .. Quick]);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        Assert.StartsWith("test data: ", doc.RootElement.GetProperty("settings").GetProperty("inputs").GetString());

        (code, output, error) = CliHarness.Run(["bench", model, "--input", $"x={input}", "--batch", "2", "--folded", .. Quick]);
        Assert.True(code == 0, error);
        Assert.Contains("inputs: files: x=", output);

        (code, _, error) = CliHarness.Run(["bench", model, "--input", $"x={input}", .. Quick]);
        Assert.Equal(2, code);
        Assert.Contains("holds 2 samples, not batch 1 (--batch).", error);
    }

    [Theory]
    [InlineData("two-sources", 2, "Give one input source: --inputs, --input or --data")]
    [InlineData("shape-with-files", 2, "--shape applies to random inputs only")]
    [InlineData("bad-input-file", 2, "--input: '=x' is not NAME=FILE")]
    [InlineData("bad-data", 2, "--data: ")]
    [InlineData("both-modes", 2, "either --compare or --folded")]
    [InlineData("iterations-and-duration", 2, "either --iterations or --duration")]
    [InlineData("bad-batch", 2, "--batch 1,x: batch sizes must be positive integers")]
    [InlineData("zero-batch", 2, "--batch 0: batch sizes must be positive integers")]
    [InlineData("repeated-batch", 2, "a batch size is listed twice")]
    [InlineData("bad-duration", 2, "--duration soon: give a positive time")]
    [InlineData("bad-opt", 2, "--ort-opt fast: use disabled, basic, extended or all")]
    [InlineData("bad-device", 2, "--device: 'tpu' is not a device")]
    [InlineData("bad-shape", 2, "--shape: 'x' is not NAME=DIMS")]
    [InlineData("wrong-shape", 2, "the shape given for input 'x': dimension 1 is 9 but the model fixes it at 8")]
    [InlineData("negative-warmup", 2, "Warmup must be 0 or more runs")]
    [InlineData("missing-model", 3, "Model file not found")]
    [InlineData("missing-compare", 3, "Model file not found")]
    [InlineData("garbage-model", 3, "ONNX Runtime error InvalidProtobuf")]
    [InlineData("cuda", 4, "cuda:0 execution provider is unavailable")]
    public void Failures_Are_One_Line_With_The_Right_Exit_Code(string kind, int exitCode, string message)
    {
        var model = GemmBn();
        var dir = Path.GetDirectoryName(model)!;
        string[] args = kind switch
        {
            "two-sources" => ["bench", model, "--inputs", dir, "--data", "fashion-mnist"],
            "shape-with-files" => ["bench", model, "--inputs", dir, "--shape", "x=1x8"],
            "bad-input-file" => ["bench", model, "--input", "=x"],
            "bad-data" => ["bench", model, "--data", "fashion-mnist:validation"],
            "both-modes" => ["bench", model, "--folded", "--compare", model],
            "iterations-and-duration" => ["bench", model, "--iterations", "3", "--duration", "1s"],
            "bad-batch" => ["bench", model, "--batch", "1,x"],
            "zero-batch" => ["bench", model, "--batch", "0"],
            "repeated-batch" => ["bench", model, "--batch", "2,2"],
            "bad-duration" => ["bench", model, "--duration", "soon"],
            "bad-opt" => ["bench", model, "--ort-opt", "fast"],
            "bad-device" => ["bench", model, "--device", "tpu"],
            "bad-shape" => ["bench", model, "--shape", "x"],
            "wrong-shape" => ["bench", model, "--shape", "x=1x9", .. Quick],
            "negative-warmup" => ["bench", model, "--warmup", "-1"],
            "missing-model" => ["bench", Path.Combine(dir, "nope.onnx")],
            "missing-compare" => ["bench", model, "--compare", Path.Combine(dir, "nope.onnx")],
            "garbage-model" => ["bench", WriteText(dir, "g.onnx", "not a model"), .. Quick],
            "cuda" => ["bench", model, "--device", "cuda", .. Quick],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var (code, output, error) = CliHarness.Run(args);
        Assert.Equal(exitCode, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error", StringComparison.Ordinal)).ToList();
        Assert.Contains(message, Assert.Single(lines));
        Assert.DoesNotContain("p50 ms", output);
    }

    [Theory]
    [InlineData("10s", 10.0)]
    [InlineData("1.5s", 1.5)]
    [InlineData("500ms", 0.5)]
    [InlineData("2m", 120.0)]
    [InlineData("3", 3.0)]
    public void Durations_Parse_With_Units(string text, double seconds) =>
        Assert.Equal(seconds, BenchCommand.ParseDuration(text).TotalSeconds, 9);

    [Fact]
    public void Optimization_Levels_Parse_By_Name()
    {
        Assert.Equal(GraphOptimizationLevel.ORT_DISABLE_ALL, OnnxBn.Cli.Options.CommonOptions.ParseOrtOpt("disabled"));
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_BASIC, OnnxBn.Cli.Options.CommonOptions.ParseOrtOpt("basic"));
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OnnxBn.Cli.Options.CommonOptions.ParseOrtOpt("Extended"));
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_ALL, OnnxBn.Cli.Options.CommonOptions.ParseOrtOpt("all"));
        Assert.Equal([1, 32, 256], BenchCommand.ParseBatches("1, 32,256"));
    }

    private static string WriteText(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
