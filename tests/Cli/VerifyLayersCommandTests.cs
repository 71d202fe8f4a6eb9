using System.Text.Json;
using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary><c>verify --layers</c>, <c>fold --verify --layers</c>, <c>--reference float64</c> and the error-statistic options.</summary>
public sealed class VerifyLayersCommandTests
{
    private static readonly string SmallCnn = Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx");

    /// <summary>small_cnn_bn folded, with one weight of conv2 moved by 0.5, saved to a fresh folder.</summary>
    private static string DamagedFold()
    {
        var model = OnnxModel.Load(SmallCnn);
        FoldPass.Run(model);
        var conv = model.Graph.Producer("/bn2/BatchNormalization_output_0")!;
        var weight = model.Graph.Initializer(conv.Input(1))!;
        var values = weight.ToDoubleArray();
        values[values.Length / 2] += 0.5;
        model.Graph.SetInitializer(TensorData.FromDoubles(weight.Name, weight.ElementType, weight.DimsArray(), values));
        var path = Path.Combine(CliHarness.NewFolder(), "damaged.onnx");
        model.Save(path);
        return path;
    }

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
        Assert.Contains("folds from the fold report of this fold", text);
        Assert.Contains("first divergence: none", text);
        Assert.Contains("folds: 3 of 3 folded layer(s) within expected rounding", text);
        Assert.Contains("ORT rounding", text);
        Assert.True(File.Exists(output));
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

        var (code, output, _) = CliHarness.Run("verify", SmallCnn, folded, "--check-error-stat", "quantile", "--error-quantile", "0.5", "--validate");

        Assert.Equal(0, code);
        Assert.Contains("check:     quantile 0.5 error against the tolerance, NaN/Inf validated", output);
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
