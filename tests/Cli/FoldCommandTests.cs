using System.Text.Json;
using OnnxBn.Folding;

namespace OnnxBn.Cli.Tests;

/// <summary><c>onnxbn fold</c> in-process: the file it writes, its report, and the exit code of every failure.</summary>
public sealed class FoldCommandTests
{
    [Fact]
    public void Writes_The_Default_Output_Next_To_The_Input_Without_BatchNorm()
    {
        string input = CliHarness.Write(CliHarness.ConvBn());
        string hash = CliHarness.Sha256(input);

        var (code, output, error) = CliHarness.Run("fold", input);

        Assert.True(code == 0, error);
        string folded = Path.Combine(Path.GetDirectoryName(input)!, "model.folded.onnx");
        var model = OnnxModel.Load(folded);
        Assert.DoesNotContain(model.Graph.Nodes, n => n.Is("BatchNormalization"));
        Assert.Equal(["conv"], model.Graph.Nodes.Select(n => n.Name));
        Assert.Equal(hash, CliHarness.Sha256(input));
        Assert.Contains("folded backward into conv", output);
        Assert.Contains("BNs: 1 folded, 0 lowered, 0 kept", output);
        Assert.Contains("Nodes: 2 -> 1", output);
        Assert.Contains($"wrote {folded}", output);
        Assert.Empty(error);
    }

    [Fact]
    public void Report_Names_The_Scope_Of_A_Bn_Inside_A_Branch()
    {
        string input = CliHarness.Write(CliHarness.IfWithBranchBn());

        var (code, output, error) = CliHarness.Run("fold", input);

        Assert.True(code == 0, error);
        Assert.Matches(@"Scope\s+BatchNorm\s+Kind\s+Outcome", output);
        Assert.Matches(@"main/If 'gate'/then_branch\s+then_bn\s+BatchNormalization\s+folded backward into then_conv", output);
        Assert.Contains("BNs: 1 folded, 0 lowered, 0 kept", output);
    }

    [Fact]
    public void Reports_Parameter_Totals_Before_And_After()
    {
        string input = CliHarness.Write(CliHarness.ConvBn());

        var (_, output, _) = CliHarness.Run("fold", input);

        // Before: W 4 + b 2 + γ 2 + β 2 trainable, mean 2 + var 2 non-trainable. After: W' 4 + b' 2.
        Assert.Matches(@"Total\s+14\s+6", output);
        Assert.Matches(@"Trainable\s+10\s+6", output);
        Assert.Matches(@"Non-trainable\s+4\s+0", output);
    }

    [Fact]
    public void Json_Is_One_Document_With_The_Counts()
    {
        string input = CliHarness.Write(CliHarness.ConvBn());
        string outputPath = Path.Combine(Path.GetDirectoryName(input)!, "out.onnx");

        var (code, output, error) = CliHarness.Run("fold", input, "-o", outputPath, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("folded").GetInt32());
        Assert.Equal(0, root.GetProperty("kept").GetInt32());
        Assert.Equal(2, root.GetProperty("nodesBefore").GetInt32());
        Assert.Equal(1, root.GetProperty("nodesAfter").GetInt32());
        Assert.Equal(14, root.GetProperty("parametersBefore").GetProperty("total").GetInt64());
        Assert.Equal("bn", root.GetProperty("batchNorms")[0].GetProperty("node").GetString());
        Assert.True(File.Exists(outputPath));
        Assert.Contains($"wrote {outputPath}", error);
    }

    [Theory]
    [InlineData("backward", "kept")]
    [InlineData("forward", "folded forward into gemm")]
    public void Only_Restricts_The_Fold_Direction(string direction, string expected)
    {
        string input = CliHarness.Write(CliHarness.BnGemm());

        var (code, output, error) = CliHarness.Run("fold", input, "--only", direction);

        Assert.True(code == 0, error);
        Assert.Contains(expected, output);
    }

    [Fact]
    public void Lower_Unfolded_Replaces_A_Kept_BatchNorm_With_Mul_And_Add()
    {
        string input = CliHarness.Write(CliHarness.LoneBn());
        string outputPath = Path.Combine(Path.GetDirectoryName(input)!, "lowered.onnx");

        var (code, output, error) = CliHarness.Run("fold", input, "--lower-unfolded", "-o", outputPath);

        Assert.True(code == 0, error);
        Assert.Contains("lowered to Mul+Add", output);
        Assert.Equal(["Mul", "Add"], OnnxModel.Load(outputPath).Graph.Nodes.Select(n => n.OpType));
    }

    [Theory]
    [InlineData(false, "BNs: 2 folded, 0 lowered, 0 kept")]
    [InlineData(true, "BNs: 0 folded, 0 lowered, 2 kept")]
    public void No_Scale_Through_Keeps_The_Pre_Activation_Bns(bool off, string summary)
    {
        string folder = CliHarness.NewFolder();
        string input = Path.Combine(folder, "preact_resnet_block.onnx");
        File.Copy(CliHarness.RepoModels().Single(m => Path.GetFileName(m) == "preact_resnet_block.onnx"), input);

        var (code, output, error) = off ? CliHarness.Run("fold", input, "--no-scale-through") : CliHarness.Run("fold", input);

        Assert.True(code == 0, error);
        Assert.Contains(summary, output);
    }

    [Theory]
    [MemberData(nameof(RepoModels))]
    public void Repository_Model_Folds_Leaving_Only_The_BatchNorms_It_Reports_Kept(string model)
    {
        string folder = CliHarness.NewFolder();
        string input = Path.Combine(folder, Path.GetFileName(model));
        if (model == "builtin:conv_bn") File.WriteAllBytes(input, CliHarness.ConvBn().ToBytes());
        else File.Copy(model, input);
        string hash = CliHarness.Sha256(input);

        var (code, output, error) = CliHarness.Run("fold", input, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        int keptBns = json.RootElement.GetProperty("batchNorms").EnumerateArray()
            .Count(b => b.GetProperty("kind").GetString() == "BatchNormalization" && b.GetProperty("outcome").GetString() == "Kept");
        var folded = OnnxModel.Load(ModelPathsForTest.Folded(input));
        Assert.Equal(keptBns, folded.Graph.Scopes().Sum(s => s.Graph.Nodes.Count(n => n.Is("BatchNormalization"))));
        Assert.Equal(hash, CliHarness.Sha256(input));
    }

    /// <summary>Every model in models/ (a missing folder fails the theory), plus a built-in one.</summary>
    public static TheoryData<string> RepoModels()
    {
        var data = new TheoryData<string> { "builtin:conv_bn" };
        foreach (var model in CliHarness.RepoModels()) data.Add(model);
        return data;
    }

    [Fact]
    public void Output_Equal_To_The_Input_Is_A_Usage_Error()
    {
        string input = CliHarness.Write(CliHarness.ConvBn());
        string hash = CliHarness.Sha256(input);

        var (code, output, error) = CliHarness.Run("fold", input, "-o", input);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("is the input model", error);
        Assert.Empty(output);
        Assert.Equal(hash, CliHarness.Sha256(input));
    }

    [Fact]
    public void Missing_Model_Exits_With_Invalid_Model()
    {
        string input = Path.Combine(CliHarness.NewFolder(), "absent.onnx");

        var (code, _, error) = CliHarness.Run("fold", input);

        Assert.Equal((int)ExitCode.InvalidModel, code);
        Assert.Contains("absent.onnx: file not found", error);
        Assert.False(File.Exists(ModelPathsForTest.Folded(input)));
    }

    [Fact]
    public void Garbage_File_Exits_With_Invalid_Model_And_Writes_Nothing()
    {
        string folder = CliHarness.NewFolder();
        string input = Path.Combine(folder, "garbage.onnx");
        File.WriteAllText(input, "this is not a protobuf model, just text\n");
        string hash = CliHarness.Sha256(input);

        var (code, output, error) = CliHarness.Run("fold", input);

        Assert.Equal((int)ExitCode.InvalidModel, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains("garbage.onnx", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Empty(output);
        Assert.Equal(["garbage.onnx"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Equal(hash, CliHarness.Sha256(input));
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("--only", "sideways")]
    public void Unknown_Option_Or_Value_Is_A_Usage_Error(params string[] extra)
    {
        string input = CliHarness.Write(CliHarness.ConvBn());
        string hash = CliHarness.Sha256(input);

        var (code, _, error) = CliHarness.Run(["fold", input, .. extra]);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("error:", error);
        Assert.False(File.Exists(ModelPathsForTest.Folded(input)));
        Assert.Equal(hash, CliHarness.Sha256(input));
    }

    [Fact]
    public void Output_Path_That_Is_A_Directory_Is_A_Usage_Error()
    {
        string input = CliHarness.Write(CliHarness.ConvBn());
        string directory = Path.Combine(Path.GetDirectoryName(input)!, "out.onnx");
        Directory.CreateDirectory(directory);

        var (code, _, error) = CliHarness.Run("fold", input, "-o", directory);

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("cannot write", error);
    }

    [Fact]
    public void Initializer_Inputs_Are_Kept_With_A_Hint_And_Fold_With_Freeze_Initializer_Inputs()
    {
        var builder = CliHarness.ConvBn();
        foreach (var name in new[] { "gamma", "beta", "mean", "var" })
            builder.Input(name, Folding.OnnxDataType.Float, 2);
        string input = CliHarness.Write(builder);

        var (keptCode, kept, _) = CliHarness.Run("fold", input, "-o", input + ".kept.onnx");
        var (code, output, error) = CliHarness.Run("fold", input, "--freeze-initializer-inputs", "--json");

        Assert.Equal(0, keptCode);
        Assert.Contains("freeze initializer inputs to fold it", kept);
        Assert.True(code == 0, error);
        using var report = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(1, report.RootElement.GetProperty("folded").GetInt32());
        Assert.Equal(["gamma", "beta", "mean", "var"], report.RootElement.GetProperty("frozenInputs").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["x"], OnnxModel.Load(ModelPathsForTest.Folded(input)).Graph.Inputs.Select(i => i.Name));
    }
}

internal static class ModelPathsForTest
{
    public static string Folded(string input) =>
        Path.Combine(Path.GetDirectoryName(input)!, Path.GetFileNameWithoutExtension(input) + ".folded.onnx");
}
