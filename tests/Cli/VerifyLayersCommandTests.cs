using System.Text.Json;
using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary><c>verify --layers</c>, <c>fold --verify --layers</c>, <c>--reference float64</c> and the error-statistic options.</summary>
public sealed class VerifyLayersCommandTests
{
    private static readonly string SmallCnn = Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx");

    /// <summary>small_cnn_bn folded, with one weight of conv2 moved by 0.5, saved to a fresh folder.</summary>
    private static string DamagedFold() => CliHarness.DamagedFold(SmallCnn, "/bn2/BatchNormalization_output_0", 0.5);

    [Fact]
    public void Layers_Json_Names_The_First_Divergence_And_Exits_1()
    {
        var (code, output, _) = CliHarness.Run("verify", SmallCnn, DamagedFold(), "--layers", "--json", "-");

        Assert.Equal(1, code);
        var first = JsonDocument.Parse(output).RootElement.GetProperty("firstDivergence");
        Assert.Equal("/bn2/BatchNormalization_output_0", first.GetProperty("tensor").GetString());
        Assert.Equal("/bn2/BatchNormalization", first.GetProperty("nodeA").GetString());
        Assert.Equal("/conv2/Conv", first.GetProperty("nodeB").GetString());
        Assert.Equal("/bn2/BatchNormalization folded backward into /conv2/Conv", first.GetProperty("fold").GetString());
        Assert.Equal("suspect", first.GetProperty("rounding").GetString());
    }

    [Fact]
    public void Layers_Text_Shows_The_Worst_Layers_And_The_First_Divergence()
    {
        var (code, output, _) = CliHarness.Run("verify", SmallCnn, DamagedFold(), "--layers");

        Assert.Equal(1, code);
        Assert.Contains("worst 5:", output);
        Assert.Contains("first divergence: tensor '/bn2/BatchNormalization_output_0', written by /bn2/BatchNormalization (BatchNormalization) in the original and /conv2/Conv (Conv) in the candidate", output);
        Assert.Contains("fold: /bn2/BatchNormalization folded backward into /conv2/Conv", output);
        Assert.Contains("ONNX Runtime graph optimizations disabled", output);
    }

    [Fact]
    public void Fold_Verify_Layers_Uses_Its_Own_Fold_Report()
    {
        var output = Path.Combine(CliHarness.NewFolder(), "folded.onnx");
        var (code, text, _) = CliHarness.Run("fold", SmallCnn, "-o", output, "--verify", "--layers", "--reference", "float64");

        Assert.Equal(0, code);
        Assert.Contains("folds from the fold report that made the candidate", text);
        Assert.Contains("first divergence: none", text);
        Assert.Contains("folds: 3 of 3 folded layer(s) within expected rounding", text);
        Assert.Contains("ORT rounding", text);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void Fold_Report_File_Names_The_Folds_Of_A_Fold_With_Other_Options()
    {
        // --only forward moves bn1's scale through the Relu into /MatMul_1; a default fold would fold it backward.
        var model = Path.Combine(RepositoryPaths.Models, "keras_flatten_mlp_bn.onnx");
        var folder = CliHarness.NewFolder();
        string folded = Path.Combine(folder, "folded.onnx"), report = Path.Combine(folder, "fold.json");
        Assert.Equal(0, CliHarness.Run("fold", model, "--only", "forward", "-o", folded, "--json", report).Code);

        var guessed = Layers(CliHarness.Run("verify", model, folded, "--random", "2", "--layers", "--json", "-").Out);
        var (code, json, _) = CliHarness.Run("verify", model, folded, "--random", "2", "--layers", "--json", "-", "--fold-report", report);

        Assert.Equal(0, code);
        var given = Layers(json);
        Assert.Equal("/bn1/BatchNormalization folded backward into /MatMul + /Add", guessed["/bn1/BatchNormalization_output_0"]);
        Assert.StartsWith("/bn1/BatchNormalization folded forward into /MatMul_1", given["/MatMul_1_output_0"]);
        Assert.False(given.ContainsKey("/bn1/BatchNormalization_output_0"));
    }

    [Theory]
    [InlineData(false, "{\"batchNorms\": [{\"node\": \"bn\"}]}", "batchNorms[0] has no \"kind\" string")]
    [InlineData(false, "not json", "not JSON")]
    [InlineData(true, "{\"batchNorms\": []}", "--fold-report applies with --layers")]
    public void Fold_Report_That_Cannot_Be_Used_Is_A_Usage_Error(bool withoutLayers, string content, string message)
    {
        var report = Path.Combine(CliHarness.NewFolder(), "fold.json");
        File.WriteAllText(report, content);
        string[] layers = withoutLayers ? [] : ["--layers"];

        var (code, _, error) = CliHarness.Run(["verify", SmallCnn, SmallCnn, "--random", "1", .. layers, "--fold-report", report]);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains(message, error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    /// <summary>Compared tensor → the fold verify attributes to it, from a <c>verify --layers --json</c> report.</summary>
    private static Dictionary<string, string> Layers(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("layers").EnumerateArray()
            .Where(l => l.GetProperty("fold").ValueKind == JsonValueKind.String)
            .ToDictionary(l => l.GetProperty("tensor").GetString()!, l => l.GetProperty("fold").GetString()!);

    [Fact]
    public void A_Model_With_TopK_Folds_And_Verifies_Layer_By_Layer()
    {
        // TopK's values and int64 indices both feed the output; the layer run used to declare the indices float and
        // ONNX Runtime refused the probe (exit 5).
        var model = CliHarness.Write(TopKAfterConvBn());
        var folded = Path.Combine(CliHarness.NewFolder(), "folded.onnx");
        Assert.Equal(0, CliHarness.Run("fold", model, "-o", folded).Code);

        var json = Path.Combine(CliHarness.NewFolder(), "verify.json");
        var (code, output, error) = CliHarness.Run("verify", model, folded, "--layers", "--reference", "float64", "--json", json);
        var (foldCode, _, foldError) = CliHarness.Run("fold", model, "-o", Path.Combine(CliHarness.NewFolder(), "f.onnx"),
            "--verify", "--layers", "--reference", "float64");

        Assert.True(code == 0, error);
        Assert.True(foldCode == 0, foldError);
        Assert.Contains("first divergence: none", output);
        Assert.Contains("folds: 1 of 1 folded layer(s) within expected rounding", output);
        var compared = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("layers").EnumerateArray()
            .Select(l => l.GetProperty("tensor").GetString()).ToList();
        Assert.Contains("values", compared);
        Assert.Contains("indices", compared);
    }

    /// <summary>x [N,2,3,3] → Conv → BN → Flatten → TopK(k 3) → values + float(indices) → y [N,3].</summary>
    private static GraphBuilder TopKAfterConvBn()
    {
        var random = new Random(3);
        float[] Values(int n, float lo, float hi) => Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * random.NextSingle()).ToArray();
        return new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 2, 3, 3)
            .Output("y", OnnxDataType.Float, "N", 3)
            .Initializer("W", [4, 2, 1, 1], Values(8, -1, 1))
            .Initializer("gamma", [4], Values(4, 0.5f, 1.5f))
            .Initializer("beta", [4], Values(4, -0.2f, 0.2f))
            .Initializer("mean", [4], Values(4, -0.5f, 0.5f))
            .Initializer("var", [4], Values(4, 0.25f, 2f))
            .Initializer(TensorData.Create("k", [1], new long[] { 3 }.AsSpan()))
            .Node("Conv", ["x", "W"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["bn_out"], "bn")
            .Node("Flatten", ["bn_out"], ["flat"], "flatten")
            .Node("TopK", ["flat", "k"], ["values", "indices"], "topk", ("axis", 1L))
            .Node("Cast", ["indices"], ["indices_f"], "cast", ("to", (long)OnnxDataType.Float))
            .Node("Add", ["values", "indices_f"], ["y"], "add");
    }

    [Fact]
    public void Fold_Verify_Layers_Json_Carries_The_Verification_With_Its_Layers()
    {
        var output = Path.Combine(CliHarness.NewFolder(), "folded.onnx");
        var (code, json, _) = CliHarness.Run("fold", SmallCnn, "-o", output, "--verify", "--layers", "--json", "-");

        Assert.Equal(0, code);
        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal(3, root.GetProperty("folded").GetInt32());
        var verification = root.GetProperty("verification");
        Assert.True(verification.GetProperty("layers").GetArrayLength() > 0);
        Assert.Equal(JsonValueKind.Null, verification.GetProperty("firstDivergence").ValueKind);
    }

    [Fact]
    public void Auto_Device_Says_Once_That_Both_Models_Run_On_The_Cpu()
    {
        var (code, output, error) = CliHarness.Run("verify", SmallCnn, SmallCnn, "--device", "auto", "--random", "2");

        Assert.True(code == 0, error);
        var fallbacks = (output + error).Split('\n').Where(l => l.Contains("CUDA unavailable", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(fallbacks);
        Assert.Contains("original and candidate", line);
    }

    [Fact]
    public void Error_Statistic_And_Validate_Options_Apply()
    {
        var folded = Path.Combine(CliHarness.NewFolder(), "folded.onnx");
        Assert.Equal(0, CliHarness.Run("fold", SmallCnn, "-o", folded).Code);

        var (code, output, _) = CliHarness.Run("verify", SmallCnn, folded, "--check-error-stat", "quantile", "--error-quantile", "0.5", "--validate", "--layers");

        Assert.Equal(0, code);
        Assert.Contains("check:     quantile 0.5 error against the tolerance, NaN/Inf validated", output);
        // The checked statistic's values have columns of their own, in the outputs' table and the layers' alike.
        var headers = output.Split('\n').Where(l => l.Contains("max abs", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, headers.Count);
        Assert.All(headers, h => Assert.Contains("quantile 0.5 abs  quantile 0.5 rel", h));
    }

    [Theory]
    [InlineData("--check-error-stat", "p99")]
    [InlineData("--reference", "float32")]
    [InlineData("--error-quantile", "0.9")] // without --check-error-stat quantile
    public void Malformed_Diagnostic_Options_Exit_2(string option, string value)
    {
        var (code, _, error) = CliHarness.Run("verify", SmallCnn, SmallCnn, option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("error", error);
    }

    [Fact]
    public void Quantile_Above_One_Exits_2()
    {
        var (code, _, error) = CliHarness.Run("verify", SmallCnn, SmallCnn, "--check-error-stat", "quantile", "--error-quantile", "1.5");
        Assert.Equal(2, code);
        Assert.Contains("--error-quantile", error);
    }
}
