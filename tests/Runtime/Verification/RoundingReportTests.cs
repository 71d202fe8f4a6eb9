using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Verification;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>
/// What <c>--reference float64</c> says about folds and failed outputs: a bound for Mul+Add folds too, one note per
/// reason, and a verdict note when a failure is float rounding rather than the fold.
/// </summary>
public sealed class RoundingReportTests
{
    private static OnnxModel Bundled(string name) => OnnxModel.Load(Path.Combine(RepositoryPaths.Models, name + ".onnx"));

    private static EquivalenceOptions Reference(FoldReport folds, Tolerance? tolerance = null) => new()
    {
        Float64Reference = true,
        Folds = folds,
        Tolerance = tolerance ?? Tolerance.Default,
        Inputs = new RandomInputSource(2, seed: 5),
    };

    [Theory]
    [InlineData("Mul", "Add", false)]
    [InlineData("Div", "Sub", false)]
    [InlineData("Mul", null, false)]
    [InlineData("Mul", "Add", true)]
    public void A_Fold_Of_A_Mul_Add_Affine_Map_Gets_A_Rounding_Bound(string scaleOp, string? shiftOp, bool forward)
    {
        var original = VerificationModels.ConvAffine(scaleOp, shiftOp, forward);
        var folded = original.Clone();
        var folds = FoldPass.Run(folded);
        var fate = Assert.Single(folds.Fates);
        Assert.Equal(forward ? BnOutcome.FoldedForward : BnOutcome.FoldedBackward, fate.Outcome);

        var layers = EquivalenceChecker.Compare(original, folded, Reference(folds)).Layers!;

        var checkedLayer = Assert.Single(layers.Layers, l => l.Rounding is not null);
        Assert.True(checkedLayer.Rounding!.WithinBound, $"observed {checkedLayer.Rounding.Observed} > bound {checkedLayer.Rounding.Bound}");
        Assert.DoesNotContain(layers.Notes, n => n.StartsWith("no rounding bound", StringComparison.Ordinal));
    }

    [Fact]
    public void Skipped_Tensors_Of_One_Reason_Share_One_Note()
    {
        var missing = new MissingBounds();
        for (var i = 0; i < 53; i++)
            missing.Add($"t{i}", new MissingBound("the folded node is not a linear op with constant weights", $"Mul m{i} is not a linear op"));
        missing.Add("lone", new MissingBound("their folded node's input was not compared", "its input u was not compared"));

        var notes = missing.Notes().ToList();

        Assert.Equal(
        [
            "no rounding bound for 53 tensors (the folded node is not a linear op with constant weights): t0, t1, t2, ...",
            "no rounding bound for lone: its input u was not compared",
        ], notes);
    }

    [Fact]
    public void A_Failure_That_Is_Float_Rounding_Is_Said_After_The_Verdict()
    {
        var original = Bundled("small_cnn_bn");
        var folded = original.Clone();
        var folds = FoldPass.Run(folded);

        // No tolerance at all: float32 rounding of the folded weights is enough to fail.
        var report = EquivalenceChecker.Compare(original, folded, Reference(folds, new Tolerance(0, 0)));

        Assert.False(report.IsEquivalent);
        var diagnosis = report.RoundingDiagnosis!;
        Assert.Equal("output", diagnosis.Output);
        Assert.True(diagnosis.FoldError < diagnosis.RuntimeRounding);
        Assert.Equal((3, 3), (diagnosis.FoldsChecked, diagnosis.FoldedLayers));
        var lines = report.ToText().TrimEnd().Split(Environment.NewLine);
        Assert.StartsWith("note: every fold is within its expected rounding and the fold error at output 'output' (", lines[^1]);
        Assert.EndsWith("the tolerance is tighter than float32 arithmetic allows here", lines[^1]);
        Assert.Contains("\"roundingDiagnosis\": {", report.ToJson());
    }

    [Fact]
    public void A_Damaged_Fold_Gets_No_Rounding_Diagnosis()
    {
        var original = Bundled("small_cnn_bn");
        var folded = original.Clone();
        var folds = FoldPass.Run(folded);
        var conv = folded.Graph.Producer("/bn1/BatchNormalization_output_0")!;
        var weight = folded.Graph.Initializer(conv.Input(1))!;
        var values = weight.ToDoubleArray();
        values[4] += 0.25;
        folded.Graph.SetInitializer(TensorData.FromDoubles(weight.Name, weight.ElementType, weight.DimsArray(), values));

        var report = EquivalenceChecker.Compare(original, folded, Reference(folds));

        Assert.False(report.IsEquivalent);
        Assert.Null(report.RoundingDiagnosis);
        Assert.DoesNotContain("tighter than", report.ToText());
    }

    [Fact]
    public void Without_The_Reference_A_Failure_Gets_No_Rounding_Diagnosis()
    {
        var original = Bundled("small_cnn_bn");
        var folded = original.Clone();
        FoldPass.Run(folded);

        var report = EquivalenceChecker.Compare(original, folded,
            new EquivalenceOptions { CompareLayers = true, Tolerance = new Tolerance(0, 0) });

        Assert.False(report.IsEquivalent);
        Assert.Null(report.RoundingDiagnosis);
    }
}
