using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary>
/// Exit 70 end to end: a fold rule that breaks a graph invariant, run by the real fold driver inside
/// <c>onnxbn fold</c>. The broken rule reaches the command through <see cref="CliSeams"/>, which no argument or
/// environment variable can set.
/// </summary>
public sealed class InternalErrorExitCodeTests
{
    private static readonly CliSeams BrokenRule = new()
    {
        Fold = (model, options) => FoldPass.RunWith(model, options, [new DanglingRule()]),
    };

    [Fact]
    public void A_Rule_That_Breaks_The_Graph_Exits_70_With_One_Line_Naming_The_Rule_And_Writes_Nothing()
    {
        var input = CliHarness.Write(CliHarness.ConvBn());
        var folder = Path.GetDirectoryName(input)!;
        var output = Path.Combine(folder, "out.onnx");
        var inputHash = CliHarness.Sha256(input);

        var (code, stdout, stderr) = CliHarness.Run(BrokenRule, "fold", input, "-o", output);

        Assert.Equal(70, code);
        Assert.Equal(
            $"internal error: fold rule {DanglingRule.RuleName} broke the graph at bn (a bug in onnxbn): graph output 'y' " +
            "is produced by nothing; please report it (--verbose adds the stack trace).",
            Assert.Single(Lines(stderr)));
        Assert.Empty(stdout);
        Assert.Equal([input], Directory.GetFiles(folder));
        Assert.Equal(inputHash, CliHarness.Sha256(input));
    }

    [Fact]
    public void Verbose_Adds_The_Stack_Trace_After_The_Same_First_Line()
    {
        var input = CliHarness.Write(CliHarness.ConvBn());
        var output = Path.Combine(Path.GetDirectoryName(input)!, "out.onnx");

        var (code, _, stderr) = CliHarness.Run(BrokenRule, "fold", input, "-o", output, "--verbose");

        Assert.Equal(70, code);
        var lines = Lines(stderr);
        Assert.StartsWith($"internal error: fold rule {DanglingRule.RuleName} broke the graph at ", lines[0]);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("at OnnxBn.Folding.FoldPass.", StringComparison.Ordinal));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void The_Same_Model_Folds_With_The_Standard_Rules()
    {
        var input = CliHarness.Write(CliHarness.ConvBn());
        var output = Path.Combine(Path.GetDirectoryName(input)!, "out.onnx");

        var (code, _, stderr) = CliHarness.Run("fold", input, "-o", output);

        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(output));
    }

    private static string[] Lines(string text) =>
        text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
