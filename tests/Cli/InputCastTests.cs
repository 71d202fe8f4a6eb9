using OnnxBn.Folding;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Cli.Tests;

/// <summary>A numpy float64 file for a float32 input is cast with a warning; one that would overflow is refused.</summary>
public sealed class InputCastTests
{
    private static string Npy(TensorData tensor)
    {
        var path = Path.Combine(CliHarness.NewFolder(), "input.npy");
        NpyFormat.Write(path, tensor);
        return path;
    }

    [Fact]
    public void Run_Casts_A_Float64_Npy_For_A_Float32_Input_With_One_Warning()
    {
        var values = Enumerable.Range(0, 8).Select(i => i == 3 ? 5.0 : 0.1 * i).ToArray();
        var npy = Npy(TensorData.Create("input", [1, 8], values.AsSpan()));
        var rounding = values.Max(v => Math.Abs((double)(float)v - v));

        var (code, output, error) = CliHarness.Run("run", RunCommandTestModels.Classifier(), "--input", $"input={npy}");

        Assert.True(code == 0, error);
        Assert.Contains("top-5 [0]: 3 (", output);
        Assert.Equal($"warning: {npy}: float64 values cast to float32 for input 'input' (max rounding error " +
                     $"{rounding.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)})", error.Trim());
    }

    [Fact]
    public void Verify_Casts_A_Float64_Npy_With_The_Same_Warning()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());
        var npy = Npy(TensorData.Create("x", [1, 2, 3, 3], Enumerable.Range(0, 18).Select(i => i / 7.0).ToArray().AsSpan()));

        var (code, _, error) = CliHarness.Run("verify", model, model, "--input", $"x={npy}");

        Assert.True(code == 0, error);
        Assert.StartsWith($"warning: {npy}: float64 values cast to float32 for input 'x' (max rounding error ", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void A_Value_That_Would_Overflow_The_Input_Type_Is_Refused_With_Exit_2()
    {
        var npy = Npy(TensorData.Create("input", [1, 8], new[] { 0, 0, 1e39, 0, 0, 0, 0, 0 }.AsSpan()));

        var (code, output, error) = CliHarness.Run("run", RunCommandTestModels.Classifier(), "-i", npy);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Equal($"error: {npy}: value 1E+39 at index 2 overflows float32 input 'input'; scale the data or feed a float64 input.", error.Trim());
        Assert.DoesNotContain("top-5", output);
    }
}
