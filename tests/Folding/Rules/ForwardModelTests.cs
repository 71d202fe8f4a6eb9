using System.Text.Json;
using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// The example models whose BNs fold forward (or must stay): every BN gets the fate models/manifest.json gives it,
/// and the folded model computes what the original does on the model's test input (reference evaluator).
/// </summary>
public sealed class ForwardModelTests
{
    [Theory]
    [InlineData("fashion_mlp_bn_after_act")]
    [InlineData("fashion_mlp_bn_before_act")]
    [InlineData("synth_conv_relu_bn_flatten_gemm")]
    [InlineData("synth_bn_padded_conv")]
    [InlineData("small_cnn_dynamic_view")]
    [InlineData("preact_resnet_block")]
    [InlineData("densenet_tail")]
    [InlineData("preact_leaky_block")]
    [InlineData("preact_negative_gamma")]
    public void Forward_Folds_Match_The_Manifest(string name)
    {
        string models = Path.Combine(RepoRoot(), "models");
        var model = OnnxModel.Load(Path.Combine(models, $"{name}.onnx"));
        var report = FoldPass.Run(model, new FoldOptions { Directions = FoldDirections.ForwardOnly });

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(models, "manifest.json")));
        var expected = manifest.RootElement.GetProperty("models").GetProperty(name).GetProperty("batchnorm").EnumerateArray()
            .Select(bn => (Node: bn.GetProperty("node").GetString()!, Fold: bn.GetProperty("fold").GetString()!)).ToList();
        Assert.NotEmpty(expected);
        foreach (var (node, fold) in expected)
        {
            var fate = Assert.Single(report.Fates, f => f.Node == node);
            if (fold.StartsWith("forward into ", StringComparison.Ordinal))
                Assert.Equal($"folded {fold}", fate.Description);
            else if (fold.StartsWith("kept:", StringComparison.Ordinal))
                Assert.Equal(BnOutcome.Kept, fate.Outcome);
            if (fold.StartsWith("kept: channel", StringComparison.Ordinal))
                Assert.Contains(fold["kept: ".Length..], fate.Detail);
            // Backward folds are BackwardModelTests' and Conformance's: forward-only, a BN before an activation may
            // now lose its scale forward (ScaleThroughActivationRule), which those do not pin.
        }
    }

    [Fact]
    public void Book_Mlp_With_Bn_After_Activations_Loses_Every_Bn_Forward()
    {
        var model = OnnxModel.Load(Path.Combine(RepoRoot(), "models", "fashion_mlp_bn_after_act.onnx"));
        var report = FoldPass.Run(model);

        Assert.Equal(3, report.Fates.Count);
        Assert.All(report.Fates, f => Assert.Equal(BnOutcome.FoldedForward, f.Outcome));
        Assert.Equal(["Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"], model.Graph.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void PyTorch_Dynamic_View_Cnn_Loses_Every_Bn_And_Its_Shape_Reads_The_Relu()
    {
        var model = OnnxModel.Load(Path.Combine(RepoRoot(), "models", "small_cnn_dynamic_view.onnx"));
        var report = FoldPass.Run(model);

        Assert.Equal("folded forward into /fc/Gemm", Assert.Single(report.Fates, f => f.Node == "/bn2/BatchNormalization").Description);
        Assert.DoesNotContain(model.Graph.Nodes, n => n.Is("BatchNormalization"));
        string relu = Assert.Single(model.Graph.Nodes, n => n.Name == "/relu2/Relu").Output(0);
        Assert.Equal(relu, Assert.Single(model.Graph.Nodes, n => n.Is("Shape")).Input(0));
        Assert.Equal(relu, Assert.Single(model.Graph.Nodes, n => n.Is("Reshape")).Input(0));
    }

    [Fact]
    public void Padded_Conv_Bn_Is_Kept_Saying_The_Padding_Would_See_The_Shift()
    {
        var model = OnnxModel.Load(Path.Combine(RepoRoot(), "models", "synth_bn_padded_conv.onnx"));
        var report = FoldPass.Run(model);

        var fate = Assert.Single(report.Fates, f => f.Node == "bn_before_padded_conv");
        Assert.Contains("conv2_padded is a padded Conv (pads=[1,1,1,1]): its zero padding would see the shift at the border", fate.Description);
    }

    [Theory]
    [InlineData("fashion_mlp_bn_after_act")]
    [InlineData("fashion_mlp_bn_before_act")]
    [InlineData("synth_conv_relu_bn_flatten_gemm")]
    [InlineData("synth_bn_padded_conv")]
    [InlineData("small_cnn_dynamic_view")]
    public void Folded_Model_Computes_What_The_Original_Does(string name)
    {
        string models = Path.Combine(RepoRoot(), "models");
        var original = OnnxModel.Load(Path.Combine(models, $"{name}.onnx"));
        var folded = original.Clone();
        FoldPass.Run(folded, new FoldOptions { Directions = FoldDirections.ForwardOnly });
        var input = RefTensor.FromTensorData(TensorData.LoadTensorProto(Path.Combine(models, name, "test_data_set_0", "input_0.pb")));

        var expected = ReferenceEvaluator.EvaluateSingle(original, input);
        var actual = ReferenceEvaluator.EvaluateSingle(folded, input);

        // float32 weights: the rounding of W' = s·W is the only difference
        Assert.True(actual.MaxAbsDiff(expected) <= 1e-4 * Math.Max(1, expected.MaxAbs()),
            $"{name}: max |diff| = {actual.MaxAbsDiff(expected)}");
    }

    /// <summary>The folder holding OnnxBn.sln, found by walking up from the test binaries.</summary>
    internal static string RepoRoot() => RepositoryPaths.Root;
}
