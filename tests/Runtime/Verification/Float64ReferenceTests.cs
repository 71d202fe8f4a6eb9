using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Verification;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary><c>--reference float64</c> and the predicted rounding bound per fold.</summary>
public sealed class Float64ReferenceTests
{
    public static TheoryData<string> BundledModels()
    {
        var data = new TheoryData<string>();
        foreach (var file in RepositoryPaths.ModelFiles())
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(BundledModels))]
    public void Every_Fold_Of_A_Bundled_Model_Is_Within_Its_Predicted_Rounding_Bound(string name)
    {
        var original = OnnxModel.Load(Path.Combine(RepositoryPaths.Models, name + ".onnx"));
        var folded = original.Clone();
        var folds = FoldPass.Run(folded);
        var options = new EquivalenceOptions
        {
            CompareLayers = true,
            Folds = folds,
            Inputs = new BackendTestDataSource(Path.Combine(RepositoryPaths.Models, name)),
        };

        var layers = EquivalenceChecker.Compare(original, folded, options).Layers!;

        var checkedFolds = layers.Layers.Where(l => l.Rounding is not null).ToList();
        Assert.All(checkedFolds, l => Assert.True(l.Rounding!.WithinBound,
            $"{name} {l.Tensor}: observed {l.Rounding.Observed} > bound {l.Rounding.Bound}"));
        // BNs and the Mul+Add maps exporters write instead, their parameters constant or computed from constants.
        var foldedBatchNorms = folds.Fates.Where(f => f.Outcome is BnOutcome.FoldedBackward or BnOutcome.FoldedForward).ToList();
        if (foldedBatchNorms.Any(f => f.Scope == BnFate.MainScope))
            Assert.True(checkedFolds.Count > 0, string.Join("\n", layers.Notes));
        // A fold inside an If branch or a Loop body can only be seen at the outputs of the node holding it.
        foreach (var inner in foldedBatchNorms.Where(f => f.Scope != BnFate.MainScope))
            Assert.Contains(layers.Layers, l => l.Folds.Contains(inner));
    }

    [Fact]
    public void Reference_Separates_The_Fold_Error_From_Runtime_Rounding()
    {
        var original = OnnxModel.Load(Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx"));
        var folded = original.Clone();
        FoldPass.Run(folded);
        var options = new EquivalenceOptions { Float64Reference = true, Inputs = new RandomInputSource(2, seed: 5) };

        var layers = EquivalenceChecker.Compare(original, folded, options).Layers!;

        Assert.True(layers.ReferenceEvaluated);
        Assert.All(layers.Layers, l => Assert.NotNull(l.Reference));
        var bn1 = layers.Layers.Single(l => l.Tensor == "/bn1/BatchNormalization_output_0");
        // Both runtimes round in float32; the folded weights alone (exact arithmetic) move the values far less.
        Assert.True(bn1.Reference!.OriginalRounding > 0);
        Assert.True(bn1.Reference.FoldError < bn1.Reference.OriginalRounding,
            $"fold error {bn1.Reference.FoldError}, runtime rounding {bn1.Reference.OriginalRounding}");
        Assert.True(bn1.Reference.FoldError <= 1e-6 * Math.Max(1, bn1.Comparison.MaxAbsOriginal));
    }

    [Fact]
    public void Reference_Puts_A_Damaged_Weight_On_The_Fold()
    {
        var original = OnnxModel.Load(Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx"));
        var folded = original.Clone();
        FoldPass.Run(folded);
        var conv = folded.Graph.Producer("/bn1/BatchNormalization_output_0")!;
        var weight = folded.Graph.Initializer(conv.Input(1))!;
        var values = weight.ToDoubleArray();
        values[4] += 0.25;
        folded.Graph.SetInitializer(TensorData.FromDoubles(weight.Name, weight.ElementType, weight.DimsArray(), values));

        var layers = EquivalenceChecker.Compare(original, folded,
            new EquivalenceOptions { Float64Reference = true, Inputs = new RandomInputSource(2, seed: 5) }).Layers!;

        var first = layers.FirstDivergence!;
        Assert.Equal("/bn1/BatchNormalization_output_0", first.Tensor);
        Assert.True(first.Reference!.FoldError > 1000 * first.Reference.OriginalRounding,
            $"fold error {first.Reference.FoldError}, runtime rounding {first.Reference.OriginalRounding}");
        Assert.Equal("suspect", first.Rounding!.Verdict);
    }

    [Fact]
    public void An_Op_The_Reference_Lacks_Leaves_A_Note_And_The_Layer_Comparison_Intact()
    {
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 2, 3)
            .Output("y", OnnxDataType.Float, 2, 3)
            .Node("Erf", ["x"], ["e"], "erf")
            .Node("Relu", ["e"], ["y"], "relu")
            .Build();

        var report = EquivalenceChecker.Compare(model, model.Clone(), new EquivalenceOptions { Float64Reference = true });

        Assert.True(report.IsEquivalent);
        Assert.False(report.Layers!.ReferenceEvaluated);
        Assert.Contains(report.Layers.Notes, n => n.Contains("float64 reference not used", StringComparison.Ordinal) && n.Contains("Erf", StringComparison.Ordinal));
        Assert.Equal(2, report.Layers.Layers.Count);
        Assert.All(report.Layers.Layers, l => Assert.Null(l.Reference));
    }
}
