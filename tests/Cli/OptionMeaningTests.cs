using System.Text.Json;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Cli.Tests;

/// <summary>Options shared by several commands mean the same in each (docs/cli-options.md), and old spellings still work.</summary>
public sealed class OptionMeaningTests
{
    [Theory]
    [InlineData("fold")]
    [InlineData("inspect")]
    [InlineData("verify")]
    public void Json_Without_File_Is_One_Json_Document_On_Stdout(string command)
    {
        var model = CliHarness.Write(CliHarness.ConvBn());
        string[] args = command switch
        {
            "fold" => ["fold", model, "-o", Path.Combine(CliHarness.NewFolder(), "f.onnx"), "--json"],
            "verify" => ["verify", model, model, "--json"],
            _ => ["inspect", model, "--json"],
        };

        var (code, output, error) = CliHarness.Run(args);

        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Theory]
    [InlineData("fold", "BNs: 1 folded")]
    [InlineData("inspect", "Total params:")]
    [InlineData("verify", "EQUIVALENT")]
    public void Json_With_File_Writes_The_File_And_Keeps_The_Text_Report_On_Stdout(string command, string textReport)
    {
        var model = CliHarness.Write(CliHarness.ConvBn());
        var json = Path.Combine(CliHarness.NewFolder(), "reports", "report.json");
        string[] args = command switch
        {
            "fold" => ["fold", model, "-o", Path.Combine(CliHarness.NewFolder(), "f.onnx"), "--json", json],
            "verify" => ["verify", model, model, "--json", json],
            _ => ["inspect", model, "--json", json],
        };

        var (code, output, error) = CliHarness.Run(args);

        Assert.True(code == 0, error);
        Assert.Contains(textReport, output);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(json)!));
    }

    [Fact]
    public void Json_Before_The_Model_Never_Takes_The_Model_As_Its_File()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());
        var before = CliHarness.Sha256(model);

        var (code, output, error) = CliHarness.Run("inspect", "--json", model);

        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(before, CliHarness.Sha256(model));
    }

    [Fact]
    public void Bench_Json_Without_File_Is_One_Json_Document_On_Stdout()
    {
        var (code, output, error) = CliHarness.Run("bench", BenchCommandTests.GemmBn(), "--warmup", "1", "--iterations", "2",
            "--creations", "1", "--threads", "1", "--json");

        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        Assert.True(document.RootElement.TryGetProperty("models", out _));
    }

    [Fact]
    public void Fold_Verify_Writes_A_JUnit_Report_As_Verify_Does()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());
        var junit = Path.Combine(CliHarness.NewFolder(), "fold.xml");

        var (code, _, error) = CliHarness.Run("fold", model, "-o", Path.Combine(CliHarness.NewFolder(), "f.onnx"), "--verify", "--junit", junit);

        Assert.True(code == 0, error);
        var suite = System.Xml.Linq.XDocument.Load(junit);
        Assert.Single(suite.Descendants("testcase"));
        Assert.Empty(suite.Descendants("failure"));
    }

    [Fact]
    public void Fold_Junit_Without_Verify_Is_A_Usage_Error()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());

        var (code, _, error) = CliHarness.Run("fold", model, "-o", Path.Combine(CliHarness.NewFolder(), "f.onnx"), "--junit", "x.xml");

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("apply with --verify only", error);
    }

    [Fact]
    public void Verify_Random_Needs_A_Count()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());

        var (code, _, error) = CliHarness.Run("verify", model, model, "--random");

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("--random", error);
    }

    [Fact]
    public void Batch_Size_Still_Works_With_A_One_Line_Deprecation_Warning()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());

        var old = CliHarness.Run("verify", model, model, "--random", "12", "--batch-size", "4", "--json", "--quiet");
        var now = CliHarness.Run("verify", model, model, "--random", "12", "--batch", "4", "--json", "--quiet");

        Assert.Equal(0, old.Code);
        Assert.Equal("warning: --batch-size is deprecated; write --batch (same meaning).", old.Err.Trim());
        Assert.Equal("", now.Err);
        using var oldReport = JsonDocument.Parse(old.Out);
        using var newReport = JsonDocument.Parse(now.Out);
        Assert.Equal(3, oldReport.RootElement.GetProperty("runs").GetInt32());
        Assert.Equal(3, newReport.RootElement.GetProperty("runs").GetInt32());
    }

    [Fact]
    public void Run_Random_Is_A_Sample_Count_As_In_Verify()
    {
        var (code, output, error) = CliHarness.Run("run", RunCommandTestModels.Classifier(), "--random", "3", "--seed", "1");

        Assert.True(code == 0, error);
        Assert.Contains("logits: float32 [3,10]", output);
        Assert.DoesNotContain("deprecated", error);
    }

    [Fact]
    public void Run_Random_Without_A_Count_Works_As_One_Sample_With_A_Deprecation_Warning()
    {
        var model = RunCommandTestModels.Classifier();

        var old = CliHarness.Run("run", model, "--random", "--seed", "2");
        var now = CliHarness.Run("run", model, "--random", "1", "--seed", "2");

        Assert.Equal(0, old.Code);
        Assert.StartsWith("warning: --random without a count is deprecated; write --random 1", old.Err);
        Assert.Equal(now.Out, old.Out);
    }

    [Fact]
    public void Old_Spellings_Are_Recognised_After_Global_Options_Too()
    {
        var (code, output, error) = CliHarness.Run("--verbose", "run", RunCommandTestModels.Classifier(), "--random");

        Assert.True(code == 0, error);
        Assert.Contains("logits: float32 [1,10]", output);
        Assert.StartsWith("warning: --random without a count is deprecated", error);
    }

    [Fact]
    public void Input_Without_A_Name_Feeds_The_Only_Input_In_Verify_As_In_Run()
    {
        var model = CliHarness.Write(CliHarness.ConvBn());
        var npy = Path.Combine(CliHarness.NewFolder(), "x.npy");
        NpyFormat.Write(npy, TensorData.Create("x", [2, 2, 3, 3], Enumerable.Range(0, 36).Select(i => i / 36f).ToArray()));

        var (code, output, error) = CliHarness.Run("verify", model, model, "-i", npy);

        Assert.True(code == 0, error);
        Assert.Contains("x.npy", output);
    }

    [Fact]
    public void Run_Refuses_Inputs_Dir_Mixed_With_Other_Input_Options()
    {
        var (code, _, error) = CliHarness.Run("run", RunCommandTestModels.Classifier(), "--inputs", CliHarness.NewFolder(), "--random", "1");

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Equal("error: --inputs gives every input of every run: leave out --input and --random.", error.Trim());
    }

    [Theory]
    [InlineData("fold")]
    [InlineData("verify")]
    [InlineData("inspect")]
    [InlineData("run")]
    [InlineData("bench")]
    [InlineData("transfer")]
    public void Every_Command_Accepts_Quiet(string command)
    {
        var (code, output, _) = CliHarness.Run(command, "--quiet", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--quiet", output);
    }
}
