using System.Text.Json;

namespace OnnxBn.Cli.Tests;

/// <summary><c>onnxbn inspect</c> in-process: the layer table, totals, model facts and the BN fold preview.</summary>
public sealed class InspectCommandTests
{
    [Fact]
    public void Shows_Layers_Totals_And_What_Fold_Would_Do()
    {
        string input = CliHarness.Write(CliHarness.ConvBn());
        string hash = CliHarness.Sha256(input);

        var (code, output, error) = CliHarness.Run("inspect", input);

        Assert.True(code == 0, error);
        Assert.Matches(@"conv\s+Conv\s+\[N,2,3,3\]\s+6", output);
        Assert.Matches(@"bn\s+BatchNormalization\s+\[N,2,3,3\]\s+8", output);
        Assert.Contains("Total params: 14", output);
        Assert.Contains("Trainable params: 10", output);
        Assert.Contains("Non-trainable params: 4", output);
        Assert.Contains("Opsets: ai.onnx 13", output);
        Assert.Contains("Producer: OnnxBn.TestUtilities", output);
        Assert.Contains("Inputs: x: float32[N,2,3,3]", output);
        Assert.Contains("Outputs: y: float32[N,2,3,3]", output);
        Assert.Matches(@"bn\s+BatchNormalization\s+folded backward into conv", output);
        Assert.Contains("After fold: 2 -> 1 nodes, 14 -> 6 params", output);
        Assert.Equal(hash, CliHarness.Sha256(input));
    }

    [Fact]
    public void Counts_Bns_And_Parameters_Of_Every_Scope_Including_Branch_Only_Initializers()
    {
        var (code, output, error) = CliHarness.Run("inspect", CliHarness.Write(CliHarness.IfWithBranchBn()));

        Assert.True(code == 0, error);
        // W (4, in the main graph) and the branch's own BN parameters (8): the totals see both.
        Assert.Contains("Total params: 12", output);
        Assert.Contains("Non-trainable params: 4", output);
        Assert.Matches(@"main\s+1\s+0\s+0\s+4", output);
        Assert.Matches(@"main/If 'gate'/then_branch\s+2\s+1\s+12\s+8", output);
        Assert.Matches(@"main/If 'gate'/else_branch\s+1\s+0\s+0\s+0", output);
        Assert.Contains("BatchNorms: 1 (fold would fold 1, keep 0)", output);
        Assert.Matches(@"main/If 'gate'/then_branch\s+then_bn\s+BatchNormalization\s+folded backward into then_conv", output);
    }

    [Fact]
    public void Json_Names_Each_Bn_Scope_And_Counts_Per_Scope()
    {
        var (code, output, error) = CliHarness.Run("inspect", CliHarness.Write(CliHarness.IfWithBranchBn()), "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(12, root.GetProperty("parameters").GetProperty("total").GetInt64());
        var scopes = root.GetProperty("scopes").EnumerateArray().ToList();
        Assert.Equal(["main", "main/If 'gate'/then_branch", "main/If 'gate'/else_branch"], scopes.Select(s => s.GetProperty("path").GetString()));
        Assert.Equal(1, scopes[1].GetProperty("batchNorms").GetInt32());
        Assert.Equal(8, scopes[1].GetProperty("parametersHeld").GetInt64());
        var bn = Assert.Single(root.GetProperty("batchNorms").EnumerateArray());
        Assert.Equal("main/If 'gate'/then_branch", bn.GetProperty("scope").GetString());
    }

    [Fact]
    public void Shows_Why_A_BatchNorm_Would_Be_Kept()
    {
        var (code, output, error) = CliHarness.Run("inspect", CliHarness.Write(CliHarness.LoneBn()));

        Assert.True(code == 0, error);
        Assert.Contains("BatchNorms: 1 (fold would fold 0, keep 1)", output);
        Assert.Matches(@"bn\s+BatchNormalization\s+kept: ", output);
    }

    [Fact]
    public void Json_Is_One_Document_With_Nodes_Totals_And_BatchNorms()
    {
        var (code, output, error) = CliHarness.Run("inspect", CliHarness.Write(CliHarness.ConvBn()), "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("nodes").GetArrayLength());
        Assert.Equal(14, root.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.Equal(4, root.GetProperty("parameters").GetProperty("nonTrainable").GetInt64());
        var bn = Assert.Single(root.GetProperty("batchNorms").EnumerateArray());
        Assert.Equal("folded backward into conv", bn.GetProperty("foldWould").GetString());
        Assert.Equal(13, root.GetProperty("opsets")[0].GetProperty("version").GetInt64());
    }

    [Fact]
    public void Propagates_Shapes_Through_Conv_Pool_Flatten_And_Gemm()
    {
        var builder = new OnnxBn.TestUtilities.GraphBuilder()
            .Input("x", Folding.OnnxDataType.Float, "N", 1, 8, 8)
            .Output("y", Folding.OnnxDataType.Float, "N", 3)
            .Initializer("W", [4, 1, 3, 3], new float[36])
            .Initializer("G", [16, 3], new float[48])
            .Node("Conv", ["x", "W"], ["c"], "conv", ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 }))
            .Node("MaxPool", ["c"], ["p"], "pool", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Node("Flatten", ["p"], ["f"], "flatten")
            .Node("Gemm", ["f", "G"], ["y"], "gemm");

        var (code, output, error) = CliHarness.Run("inspect", CliHarness.Write(builder));

        Assert.True(code == 0, error);
        Assert.Matches(@"conv\s+Conv\s+\[N,4,4,4\]", output);
        Assert.Matches(@"pool\s+MaxPool\s+\[N,4,2,2\]", output);
        Assert.Matches(@"flatten\s+Flatten\s+\[N,16\]", output);
        Assert.Matches(@"gemm\s+Gemm\s+\[N,3\]\s+48", output);
    }

    [Fact]
    public void Missing_Model_Exits_With_Invalid_Model()
    {
        var (code, _, error) = CliHarness.Run("inspect", Path.Combine(CliHarness.NewFolder(), "absent.onnx"));

        Assert.Equal((int)ExitCode.InvalidModel, code);
        Assert.Contains("file not found", error);
    }

    [Theory]
    [MemberData(nameof(FoldCommandTests.RepoModels), MemberType = typeof(FoldCommandTests))]
    public void Repository_Model_Is_Summarized_With_Consistent_Totals(string model)
    {
        string input = model == "builtin:conv_bn" ? CliHarness.Write(CliHarness.ConvBn()) : model;
        string hash = CliHarness.Sha256(input);

        var (code, output, error) = CliHarness.Run("inspect", input, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        long rowSum = root.GetProperty("nodes").EnumerateArray().Sum(n => n.GetProperty("parameters").GetInt64());
        var scopes = root.GetProperty("scopes").EnumerateArray().ToList();
        Assert.Equal(rowSum, scopes[0].GetProperty("parametersRead").GetInt64());
        long readSum = scopes.Sum(s => s.GetProperty("parametersRead").GetInt64());
        var totals = root.GetProperty("parameters");
        Assert.True(totals.GetProperty("total").GetInt64() <= readSum, "a weight is counted at least once by the scope reading it");
        Assert.Equal(totals.GetProperty("total").GetInt64(), totals.GetProperty("trainable").GetInt64() + totals.GetProperty("nonTrainable").GetInt64());
        Assert.Equal(hash, CliHarness.Sha256(input));
    }

    [Fact]
    public void Freeze_Initializer_Inputs_Previews_The_Fold_Of_Overridable_Weights_Without_Touching_The_File()
    {
        var builder = CliHarness.ConvBn();
        foreach (var name in new[] { "gamma", "beta", "mean", "var" })
            builder.Input(name, Folding.OnnxDataType.Float, 2);
        string input = CliHarness.Write(builder);
        string hash = CliHarness.Sha256(input);

        var (_, plain, _) = CliHarness.Run("inspect", input);
        var (code, frozen, error) = CliHarness.Run("inspect", input, "--freeze-initializer-inputs");

        Assert.Contains("fold would fold 0, keep 1", plain);
        Assert.Contains("freeze initializer inputs to fold it", plain);
        Assert.True(code == 0, error);
        Assert.Contains("fold would fold 1, keep 0", frozen);
        Assert.Equal(hash, CliHarness.Sha256(input));
    }
}
