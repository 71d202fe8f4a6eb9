using OnnxBn.Folding;

namespace OnnxBn.Cli.Tests;

/// <summary>What the long commands show on stderr while they work: redrawn on a terminal, 10 % lines in logs.</summary>
public sealed class ProgressTests
{
    private static string[] ProgressLines(string error, string label) =>
        error.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith(label + ": ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void Verify_In_A_Log_Prints_Plain_Lines_At_10_Percent_Marks()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());

        var (code, output, error) = CliHarness.Run("verify", model, model, "--random", "64", "--batch", "8");

        Assert.True(code == 0, error);
        Assert.Contains("EQUIVALENT", output);
        var lines = ProgressLines(error, "verify");
        Assert.InRange(lines.Length, 2, 10);
        Assert.All(lines, l => Assert.Matches(@"^verify: \d{1,3}% \d+ runs?: random samples \d+-\d+ \(seed 0\)$", l));
        Assert.Equal("verify: 100% 8 runs: random samples 56-63 (seed 0)", lines[^1]);
        Assert.DoesNotContain('\r', error);
    }

    [Fact]
    public void Verify_Layers_Shows_Progress_For_Its_Second_Pass_Too()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());

        var (code, output, error) = CliHarness.Run("verify", model, model, "--random", "64", "--batch", "8", "--layers");

        Assert.True(code == 0, error);
        Assert.Contains("first divergence: none", output);
        var layerLines = ProgressLines(error, "verify").Where(l => l.Contains("% layers, ", StringComparison.Ordinal)).ToArray();
        Assert.InRange(layerLines.Length, 2, 10);
        Assert.Equal("verify: 100% layers, 8 runs: random samples 56-63 (seed 0)", layerLines[^1]);
    }

    [Fact]
    public void Verify_On_A_Terminal_Redraws_In_Place_And_Leaves_The_Report_Alone()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());

        var (code, output, error) = CliHarness.RunOnTerminal("verify", model, model, "--random", "64", "--batch", "8");

        Assert.True(code == 0, error);
        Assert.Contains("\rverify [", error);
        Assert.Empty(ProgressLines(error, "verify"));
        Assert.DoesNotContain('\r', output);
        Assert.Equal(CliHarness.Run("verify", model, model, "--random", "64", "--batch", "8").Out, output);
    }

    [Fact]
    public void Quiet_Hides_Progress_On_A_Terminal_And_In_A_Log()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());

        var log = CliHarness.Run("verify", model, model, "--random", "64", "--batch", "8", "--quiet");
        var terminal = CliHarness.RunOnTerminal("fold", model, "-o", Path.Combine(CliHarness.NewFolder(), "f.onnx"),
            "--verify", "--random", "64", "--batch", "8", "-q");

        Assert.Equal((0, ""), (log.Code, log.Err));
        Assert.Equal(0, terminal.Code);
        Assert.DoesNotContain('\r', terminal.Err);
    }

    [Fact]
    public void Fold_Verify_In_A_Log_Prints_Verify_Progress_Lines()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());

        var (code, _, error) = CliHarness.Run("fold", model, "-o", Path.Combine(CliHarness.NewFolder(), "f.onnx"),
            "--verify", "--random", "40", "--batch", "10");

        Assert.True(code == 0, error);
        Assert.Equal(["verify: 25% 1 run", "verify: 50% 2 runs", "verify: 75% 3 runs", "verify: 100% 4 runs"],
            ProgressLines(error, "verify").Select(l => l[..l.IndexOf(':', 8)]));
    }

    [Fact]
    public void Run_Over_Several_Test_Data_Sets_Reports_Each_Set_And_Its_Progress()
    {
        var folder = CliHarness.NewFolder();
        for (var set = 0; set < 3; set++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(folder, $"test_data_set_{set}")).FullName;
            File.WriteAllBytes(Path.Combine(dir, "input_0.pb"),
                TensorData.Create("input", [1, 8], Enumerable.Range(0, 8).Select(i => i == set ? 5f : 0f).ToArray()).ToTensorProtoBytes());
        }
        var outputs = Path.Combine(CliHarness.NewFolder(), "out");

        var (code, output, error) = CliHarness.Run("run", RunCommandTestModels.Classifier(), "--inputs", folder, "-o", outputs);

        Assert.True(code == 0, error);
        Assert.Contains("run test_data_set_2:", output);
        Assert.Equal(["run: 33% test_data_set_0", "run: 66% test_data_set_1", "run: 100% test_data_set_2"], ProgressLines(error, "run"));
        for (var set = 0; set < 3; set++)
            Assert.True(File.Exists(Path.Combine(outputs, $"test_data_set_{set}", "logits.npy")));
    }
}
