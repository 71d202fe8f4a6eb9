namespace OnnxBn.Cli.Tests;

public sealed class HelpTests
{
    [Fact]
    public void Help_Lists_The_Commands_And_Every_Exit_Code()
    {
        var (code, output, _) = CliHarness.Run("--help");

        Assert.Equal(0, code);
        Assert.Contains("fold", output);
        Assert.Contains("inspect", output);
        foreach (var exit in new[] { "0 ok", "1 check failed", "2 usage", "3 invalid", "4 ONNX Runtime", "5 ONNX Runtime error", "6 unsupported", "70 internal" })
            Assert.Contains(exit, output);
        foreach (var listed in Enum.GetValues<ExitCode>())
            Assert.Contains($" {(int)listed} ", output.ReplaceLineEndings(" "));
    }

    [Fact]
    public void Fold_Help_Describes_Its_Options()
    {
        var (code, output, _) = CliHarness.Run("fold", "--help");

        Assert.Equal(0, code);
        foreach (var option in new[] { "--output", "-o", "--lower-unfolded", "--json", "--only" })
            Assert.Contains(option, output);
    }
}
