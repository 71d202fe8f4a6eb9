using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary>
/// After a failed verification the CLI says which of its options would settle it: the float64 reference when it did
/// not run, a tolerance when the reference shows the failure is float rounding, nothing when a fold is broken.
/// </summary>
public sealed class VerifyHintTests
{
    private static readonly string SmallCnn = Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx");

    private static string Folded()
    {
        var folded = Path.Combine(CliHarness.NewFolder(), "folded.onnx");
        Assert.Equal(0, CliHarness.Run("fold", SmallCnn, "-o", folded).Code);
        return folded;
    }

    [Fact]
    public void A_Tolerance_Failure_Without_The_Reference_Points_To_It()
    {
        var (code, output, _) = CliHarness.Run("verify", SmallCnn, Folded(), "--atol", "0", "--rtol", "0");

        Assert.Equal(1, code);
        Assert.EndsWith("hint: --reference float64 tells float rounding from fold error, layer by layer", output.TrimEnd());
    }

    [Fact]
    public void A_Failure_The_Reference_Shows_Is_Rounding_Gets_A_Tolerance_That_Passes()
    {
        var folded = Folded();
        var (code, output, _) = CliHarness.Run("verify", SmallCnn, folded, "--atol", "0", "--rtol", "0", "--reference", "float64");

        Assert.Equal(1, code);
        var lines = output.TrimEnd().Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.StartsWith("note: every fold is within its expected rounding", lines[^2]);
        Assert.StartsWith("hint: --atol ", lines[^1]);
        var atol = lines[^1].Split(' ')[2];
        Assert.Equal(0, CliHarness.Run("verify", SmallCnn, folded, "--atol", atol, "--rtol", "0").Code);
    }

    [Fact]
    public void Fold_Verify_Gives_The_Same_Hint_And_Writes_Nothing()
    {
        var output = Path.Combine(CliHarness.NewFolder(), "folded.onnx");

        var (code, text, _) = CliHarness.Run("fold", SmallCnn, "-o", output, "--verify", "--atol", "0", "--rtol", "0");

        Assert.Equal(1, code);
        Assert.Contains("hint: --reference float64 tells float rounding from fold error, layer by layer", text);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void With_Json_On_Stdout_The_Hint_Goes_To_Stderr()
    {
        var (code, output, error) = CliHarness.Run("verify", SmallCnn, Folded(), "--atol", "0", "--rtol", "0", "--json", "-");

        Assert.Equal(1, code);
        Assert.StartsWith("{", output.TrimStart());
        Assert.DoesNotContain("hint:", output);
        Assert.Contains("hint: --reference float64", error);
    }

    [Fact]
    public void A_Broken_Fold_Gets_No_Tolerance_Hint()
    {
        var (code, output, _) = CliHarness.Run("verify", SmallCnn, DamagedFold(), "--reference", "float64");

        Assert.Equal(1, code);
        Assert.DoesNotContain("hint:", output);
        Assert.DoesNotContain("tighter than", output);
    }

    /// <summary>small_cnn_bn folded, with one weight of conv1 moved by 0.25.</summary>
    private static string DamagedFold() => CliHarness.DamagedFold(SmallCnn, "/bn1/BatchNormalization_output_0", 0.25, index: 4);
}
