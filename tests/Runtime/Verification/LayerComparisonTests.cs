using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Verification;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary><c>verify --layers</c>: the first tensor beyond tolerance, the nodes writing it and the fold that touched them.</summary>
public sealed class LayerComparisonTests
{
    private static OnnxModel Bundled(string name) => OnnxModel.Load(Path.Combine(RepositoryPaths.Models, name + ".onnx"));

    private static EquivalenceOptions LayerOptions(FoldReport? folds = null) => new()
    {
        CompareLayers = true,
        Folds = folds,
        Inputs = new RandomInputSource(4, seed: 3),
    };

    /// <summary>Folds a copy and adds <paramref name="delta"/> to one element of the weight of the node writing <paramref name="tensor"/>.</summary>
    private static (OnnxModel Folded, FoldReport Report) FoldAndDamage(OnnxModel original, string tensor, double delta)
    {
        var folded = original.Clone();
        var report = FoldPass.Run(folded);
        var node = folded.Graph.Producer(tensor)!;
        var weight = folded.Graph.Initializer(node.Input(1))!;
        var values = weight.ToDoubleArray();
        values[values.Length / 3] += delta;
        folded.Graph.SetInitializer(TensorData.FromDoubles(weight.Name, weight.ElementType, weight.DimsArray(), values));
        return (folded, report);
    }

    [Fact]
    public void Names_The_Damaged_Conv_Layer_As_First_Divergence()
    {
        var original = Bundled("small_cnn_bn");
        var (folded, folds) = FoldAndDamage(original, "/bn2/BatchNormalization_output_0", 0.5);

        var report = EquivalenceChecker.Compare(original, folded, LayerOptions(folds));

        var first = report.Layers!.FirstDivergence!;
        Assert.Equal("/bn2/BatchNormalization_output_0", first.Tensor);
        Assert.Equal("/bn2/BatchNormalization", first.OriginalNode);
        Assert.Equal("/conv2/Conv", first.CandidateNode);
        Assert.Contains("/bn2/BatchNormalization folded backward into /conv2/Conv", first.FoldDescription);
        Assert.False(first.Rounding!.WithinBound);
        Assert.All(report.Layers.Layers.Where(l => l.Index < first.Index), l => Assert.True(l.Passed, l.Tensor));
    }

    [Fact]
    public void Names_The_Damaged_Gemm_Layer_Of_An_Mlp_As_First_Divergence()
    {
        var original = Bundled("fashion_model_A_bn");
        // The first layer reads the random pixels themselves: a hidden layer's damaged weight may meet a dead ReLU unit.
        var bn = original.Graph.Nodes.First(n => n.Is("BatchNormalization"));
        var (folded, folds) = FoldAndDamage(original, bn.Output(0), 0.5);

        var report = EquivalenceChecker.Compare(original, folded, LayerOptions(folds));

        var first = report.Layers!.FirstDivergence!;
        Assert.Equal(bn.Output(0), first.Tensor);
        Assert.Equal(bn.DisplayName, first.OriginalNode);
        Assert.Equal("Gemm", first.CandidateOp);
        Assert.Contains($"{bn.DisplayName} folded backward into", first.FoldDescription);
        Assert.Equal("suspect", first.Rounding!.Verdict);
        Assert.True(first.Index > 0, "the Flatten before it is compared and agrees");
    }

    [Fact]
    public void A_Layer_Whose_Shape_Differs_Heads_The_Worst_Layers()
    {
        // Both end in the same [1,8] values, but the candidate's 'h' is [4,2] where the original's is [2,4].
        static GraphBuilder Start() => new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2, 4).Output("y", OnnxDataType.Float, 1, 8)
            .Initializer(TensorData.Create("flat", [2], new long[] { 1, 8 }.AsSpan()))
            .Initializer(TensorData.Create("tall", [2], new long[] { 4, 2 }.AsSpan()));
        var original = Start().Node("Relu", ["x"], ["h"], "relu").Node("Reshape", ["h", "flat"], ["y"], "flatten").Build();
        var candidate = Start().Node("Relu", ["x"], ["r"], "relu").Node("Reshape", ["r", "tall"], ["h"], "tall")
            .Node("Reshape", ["h", "flat"], ["y"], "flatten").Build();

        var report = EquivalenceChecker.Compare(original, candidate, LayerOptions(new FoldReport([], new(0, 0, 0), new(0, 0, 0), 2, 3)));

        Assert.True(report.IsEquivalent);
        var worst = report.Layers!.Worst(5).First();
        Assert.Equal(("h", OutputVerdict.ShapeMismatch), (worst.Tensor, worst.Comparison.Verdict));
        Assert.Contains("FAIL (shape)", report.ToText());
    }

    [Fact]
    public void Intact_Fold_Has_No_Divergence_And_Explains_Every_Removed_Tensor()
    {
        var original = Bundled("resnet_mini");
        var folded = original.Clone();
        FoldPass.Run(folded);

        var report = EquivalenceChecker.Compare(original, folded, LayerOptions());

        var layers = report.Layers!;
        Assert.Null(layers.FirstDivergence);
        Assert.True(layers.Layers.Count > 20, $"{layers.Layers.Count} layers");
        Assert.All(layers.Layers, l => Assert.Equal(LayerMatch.Name, l.MatchedBy));
        Assert.Equal(15, layers.Layers.Count(l => l.Folds.Count > 0));
        Assert.All(layers.Unmatched, u => Assert.Contains("fold", u.Reason));
        Assert.Equal(15, layers.Unmatched.Count);
        Assert.Contains("a fold of a copy of the original", layers.FoldSource);
        Assert.Contains("first divergence: none", report.ToText());
    }

    [Fact]
    public void A_Surviving_Name_Whose_Value_The_Fold_Rescaled_Is_Not_Compared()
    {
        // MatMul → BN folds into MatMul' + Add(bias): the MatMul keeps its output name but now writes s·(W·x).
        var original = Bundled("fashion_mlp_bn_before_act");
        var folded = original.Clone();
        FoldPass.Run(folded);

        var layers = EquivalenceChecker.Compare(original, folded, LayerOptions()).Layers!;

        Assert.Null(layers.FirstDivergence);
        var rescaled = Assert.Single(layers.Unmatched, u => u.Tensor == "/fc2/MatMul_output_0");
        Assert.StartsWith("the value before the BN, which the fold rewrote", rescaled.Reason);
        Assert.DoesNotContain(layers.Layers, l => l.Tensor == "/fc2/MatMul_output_0");
    }

    [Fact]
    public void A_Bn_Parameter_Computed_From_Constants_Is_Listed_As_Removed_By_The_Fold()
    {
        // PyTorch exports a BN statistic shared with another parameter as Identity(initializer); the fold consumes it.
        var original = VerificationModels.ConvBn();
        var bn = original.Graph.Nodes.Single(n => n.Is("BatchNormalization"));
        original.Graph.AddNode("Identity", ["var"], ["var_copy"], "var_identity", after: null);
        original.Graph.SetNodeInput(bn, 4, "var_copy");
        original.Graph.TopologicalSort();
        var folded = original.Clone();
        FoldPass.Run(folded);

        var layers = EquivalenceChecker.Compare(original, folded, LayerOptions()).Layers!;

        var parameter = Assert.Single(layers.Unmatched, u => u.Tensor == "var_copy");
        Assert.Equal("removed by the fold: bn folded backward into conv", parameter.Reason);
    }

    [Fact]
    public void A_Mul_Add_The_Candidate_Still_Has_Is_Not_Taken_For_Folded()
    {
        // A re-fold of the original folds the Mul+Add; the candidate kept it, so no fold touched its nodes.
        var original = VerificationModels.ConvAffine("Mul", "Add", forward: false);

        var layers = EquivalenceChecker.Compare(original, original.Clone(), LayerOptions()).Layers!;

        Assert.All(layers.Layers, l => Assert.Empty(l.Folds));
        Assert.Empty(layers.Unmatched);
    }

    [Theory]
    [InlineData("densenet_tail", "/norm1/BatchNormalization_output_0")]
    [InlineData("preact_resnet_block", "/block/relu1/Relu_output_0")]
    [InlineData("preact_leaky_block", null)]
    [InlineData("synth_conv_relu_bn_flatten_gemm", "flatten_out")]
    [InlineData("small_cnn_dynamic_view", "/Reshape_output_0")]
    public void Names_A_Forward_Fold_Leaves_On_Its_Way_Are_Not_Compared(string model, string? rewritten)
    {
        // A forward fold moves s and t into the op it reaches: a Flatten/Reshape output then holds pre-BN values, and a
        // scale-through path holds x + t/s under the BN's name and s⁻¹-scaled activations after it.
        var original = Bundled(model);
        var folded = original.Clone();
        FoldPass.Run(folded);

        var layers = EquivalenceChecker.Compare(original, folded, LayerOptions()).Layers!;

        Assert.Null(layers.FirstDivergence);
        var onTheWay = layers.Unmatched.Where(u => u.Reason.StartsWith("the value on the way of a forward fold", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(onTheWay);
        if (rewritten is not null)
            Assert.Contains(onTheWay, u => u.Tensor == rewritten);
        Assert.DoesNotContain(layers.Layers, l => onTheWay.Any(u => u.Tensor == l.Tensor));
    }

    [Theory]
    [InlineData("Conv_3", "Conv_3")]
    [InlineData("Gemm_1, Gemm_2", "Gemm_1|Gemm_2")]
    [InlineData("Conv_3 (merged with BN_2)", "Conv_3")]
    [InlineData("/linear/MatMul + /linear/Add (through /Transpose and /Transpose_1)", "/linear/MatMul|/linear/Add")]
    [InlineData("Conv(y)", "Conv(y)")]
    public void Fold_Targets_Are_Read_From_The_Report_Detail(string detail, string expected) =>
        Assert.Equal(expected.Split('|'), FoldAttribution.Targets(detail));

    [Fact]
    public void Renamed_Copy_Matches_Every_Layer_By_Structure()
    {
        var original = Bundled("small_cnn_bn");
        var renamed = Renamed(original);

        var report = EquivalenceChecker.Compare(original, renamed, LayerOptions());

        var layers = report.Layers!;
        Assert.Empty(layers.Unmatched);
        Assert.Null(layers.FirstDivergence);
        Assert.All(layers.Layers.Where(l => l.Tensor != "output"), l => Assert.Equal(LayerMatch.Structure, l.MatchedBy));
        Assert.All(layers.Layers, l => Assert.Equal("r_" + l.Tensor, l.CandidateTensor));
    }

    [Fact]
    public void Renamed_Folded_Model_Compares_What_Matches_And_Notes_The_Rest()
    {
        var original = Bundled("small_cnn_bn");
        var folded = original.Clone();
        FoldPass.Run(folded);

        var report = EquivalenceChecker.Compare(original, Renamed(folded), LayerOptions());

        var layers = report.Layers!;
        var output = Assert.Single(layers.Layers);
        Assert.Equal(LayerMatch.Position, output.MatchedBy);
        Assert.Contains(layers.Unmatched, u => u.Reason.StartsWith("no tensor of this name", StringComparison.Ordinal));
        Assert.Contains("with no counterpart in the candidate (renamed or restructured)", report.ToText());
    }

    [Fact]
    public void Json_Carries_Layers_And_The_First_Divergence()
    {
        var original = Bundled("small_cnn_bn");
        var (folded, folds) = FoldAndDamage(original, "/bn3/BatchNormalization_output_0", 0.5);

        var json = System.Text.Json.JsonDocument.Parse(EquivalenceChecker.Compare(original, folded, LayerOptions(folds)).ToJson()).RootElement;

        Assert.True(json.GetProperty("layers").GetArrayLength() > 5);
        var first = json.GetProperty("firstDivergence");
        Assert.Equal("/bn3/BatchNormalization_output_0", first.GetProperty("tensor").GetString());
        Assert.Equal("/bn3/BatchNormalization", first.GetProperty("nodeA").GetString());
        Assert.Equal("/conv3/Conv", first.GetProperty("nodeB").GetString());
        Assert.Contains("folded backward into /conv3/Conv", first.GetProperty("fold").GetString());
        Assert.True(json.GetProperty("outputs").GetArrayLength() == 1, "the outputs array is still there");
    }

    [Fact]
    public void Without_Layers_The_Json_Has_No_Layer_Keys()
    {
        var model = Bundled("small_cnn_bn");
        var json = System.Text.Json.JsonDocument.Parse(EquivalenceChecker.Compare(model, model.Clone()).ToJson()).RootElement;
        Assert.False(json.TryGetProperty("layers", out _));
        Assert.Null(EquivalenceChecker.Compare(model, model.Clone()).Layers);
    }

    /// <summary>A copy with every node output renamed to r_NAME (graph outputs included): same computation, no shared names.</summary>
    internal static OnnxModel Renamed(OnnxModel model)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var outputs = graph.Outputs.Select(o => (o.Name, o.ElementType, o.Shape)).ToList();
        foreach (var node in graph.TopologicalOrder().ToList())
        {
            for (var i = 0; i < node.Outputs.Count; i++)
            {
                var name = node.Output(i);
                if (name.Length == 0)
                    continue;
                var consumers = graph.Consumers(name).ToList();
                graph.SetNodeOutput(node, i, "r_" + name);
                foreach (var consumer in consumers)
                    for (var j = 0; j < consumer.Inputs.Count; j++)
                        if (consumer.Input(j) == name)
                            graph.SetNodeInput(consumer, j, "r_" + name);
            }
        }
        graph.SetOutputs(outputs.Select(o => ValueInfo.Tensor("r_" + o.Name, o.ElementType, o.Shape)));
        return copy;
    }
}
