using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>The checker on small GraphBuilder models run through ONNX Runtime.</summary>
public sealed class EquivalenceCheckerTests
{
    private static readonly float[] W = [1f, 2f, 3f];

    [Fact]
    public void Identical_Models_Are_Equivalent()
    {
        var report = EquivalenceChecker.Compare(VerificationModels.Scale(W), VerificationModels.Scale(W));
        Assert.True(report.IsEquivalent, report.FailureMessage);
        Assert.Equal("", report.FailureMessage);
        Assert.Equal(1, report.Runs);
        Assert.Equal(RandomInputSource.DefaultSamples * 3, report.Outputs.Single().Elements);
        Assert.Equal(GraphOptimizationLevel.ORT_DISABLE_ALL, report.OptimizationLevel);
        report.AssertEquivalent();
    }

    [Fact]
    public void A_Difference_Within_Tolerance_Passes()
    {
        var report = EquivalenceChecker.Compare(VerificationModels.Scale(W), VerificationModels.Scale([1f, 2f, 3.00001f]));
        Assert.True(report.IsEquivalent, report.FailureMessage);
        Assert.True(report.Outputs.Single().MaxAbsError > 0);
    }

    [Fact]
    public void A_Difference_Outside_Tolerance_Fails_At_The_Changed_Column()
    {
        var report = EquivalenceChecker.Compare(VerificationModels.Scale(W), VerificationModels.Scale([1f, 2.1f, 3f]));
        Assert.False(report.IsEquivalent);
        var y = report.Outputs.Single();
        Assert.Equal(OutputVerdict.ToleranceExceeded, y.Verdict);
        Assert.Equal(1, y.Worst!.Index[1]);
        var ex = Assert.Throws<EquivalenceException>(() => report.AssertEquivalent());
        Assert.Contains("output 'y' at index [", ex.Message);
        Assert.Contains($"original {OutputComparison.Num(y.Worst.Original)}", ex.Message);
        Assert.Contains($"candidate {OutputComparison.Num(y.Worst.Candidate)}", ex.Message);
    }

    [Fact]
    public void Looser_Per_Output_Tolerance_Accepts_The_Difference()
    {
        var options = new EquivalenceOptions { OutputTolerances = new Dictionary<string, Tolerance> { ["y"] = new(0.5, 0) } };
        var report = EquivalenceChecker.Compare(VerificationModels.Scale(W), VerificationModels.Scale([1f, 2.1f, 3f]), options);
        Assert.True(report.IsEquivalent, report.FailureMessage);
    }

    [Fact]
    public void Renamed_Outputs_Are_Matched_By_Position()
    {
        var report = EquivalenceChecker.Compare(VerificationModels.Scale(W, "y"), VerificationModels.Scale(W, "renamed"));
        Assert.True(report.IsEquivalent, report.FailureMessage);
        var y = report.Outputs.Single();
        Assert.Equal(OutputMatch.Position, y.MatchedBy);
        Assert.Equal("renamed", y.CandidateName);
    }

    [Fact]
    public void A_Missing_Output_Is_A_Failure_Not_A_Crash()
    {
        var report = EquivalenceChecker.Compare(VerificationModels.TwoOutputs(W), VerificationModels.Scale(W));
        Assert.False(report.IsEquivalent);
        Assert.True(report.Outputs.Single(o => o.Name == "y").Passed);
        var z = report.Outputs.Single(o => o.Name == "z");
        Assert.Equal(OutputVerdict.Missing, z.Verdict);
        Assert.Contains("output 'z': the candidate has no such output", report.FailureMessage);
    }

    [Fact]
    public void An_Extra_Candidate_Output_Is_Noted_But_Does_Not_Fail()
    {
        var report = EquivalenceChecker.Compare(VerificationModels.Scale(W), VerificationModels.TwoOutputs(W));
        Assert.True(report.IsEquivalent, report.FailureMessage);
        Assert.Contains(report.Notes, n => n.Contains("'z'"));
    }

    [Fact]
    public void Different_Shapes_Fail_With_Both_Shapes()
    {
        var report = EquivalenceChecker.Compare(VerificationModels.Scale(W), VerificationModels.Reduced(W));
        var y = report.Outputs.Single();
        Assert.Equal(OutputVerdict.ShapeMismatch, y.Verdict);
        Assert.Contains("original [4,3], candidate [4,1]", y.Problem);
        Assert.False(report.IsEquivalent);
    }

    [Fact]
    public void A_Candidate_Input_Without_Counterpart_Is_A_Problem()
    {
        var twoInputs = new TestUtilities.GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 3).Input("extra", OnnxDataType.Float, "N", 3)
            .Output("y", OnnxDataType.Float, "N", 3)
            .Node("Mul", ["x", "extra"], ["y"]).Build();
        var report = EquivalenceChecker.Compare(VerificationModels.Scale(W), twoInputs);
        Assert.False(report.IsEquivalent);
        Assert.Contains(report.Problems, p => p.Contains("'extra'"));
        Assert.Equal(0, report.Runs);
    }

    [Fact]
    public void Folded_Conv_Bn_Is_Equivalent_And_A_Broken_Fold_Is_Caught_In_The_Right_Channel()
    {
        var original = VerificationModels.ConvBn();
        var folded = original.Clone();
        var fold = FoldPass.Run(folded);
        Assert.DoesNotContain(folded.Graph.Nodes, n => n.Is("BatchNormalization"));
        Assert.NotNull(fold);
        EquivalenceChecker.Compare(original, folded).AssertEquivalent();

        var broken = VerificationModels.BreakChannel(folded, channel: 1, factor: 1.01);
        var report = EquivalenceChecker.Compare(original, broken);
        var y = Assert.Single(report.Failures);
        Assert.Equal("y", y.Name);
        Assert.Equal(4, y.Worst!.Index.Count);
        Assert.Equal(1, y.Worst.Index[1]); // [n, channel, h, w]
        Assert.Contains("output 'y' at index [", Assert.Throws<EquivalenceException>(() => report.AssertEquivalent()).Message);
    }

    [Fact]
    public void Graph_Optimization_Level_Is_Applied_To_Both_Sessions()
    {
        var options = new EquivalenceOptions { OptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        var report = EquivalenceChecker.Compare(VerificationModels.ConvBn(), VerificationModels.ConvBn(), options);
        Assert.True(report.IsEquivalent, report.FailureMessage);
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_ALL, report.OptimizationLevel);
    }

    [Fact]
    public void Serialized_Models_And_Files_Compare_Like_In_Memory_Models()
    {
        var dir = Directory.CreateTempSubdirectory("onnxbn-verify-").FullName;
        var a = Path.Combine(dir, "a.onnx");
        var b = Path.Combine(dir, "b.onnx");
        VerificationModels.Scale(W).Save(a);
        VerificationModels.Scale([1f, 2f, 4f]).Save(b);
        Assert.False(EquivalenceChecker.Compare(a, b).IsEquivalent);
        Assert.True(EquivalenceChecker.Compare(File.ReadAllBytes(a), File.ReadAllBytes(a)).IsEquivalent);
    }

    [Fact]
    public void An_Unloadable_Model_Raises_A_Model_Load_Exception_Naming_It()
    {
        var dir = Directory.CreateTempSubdirectory("onnxbn-verify-").FullName;
        var garbage = Path.Combine(dir, "garbage.onnx");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5]);
        var ok = Path.Combine(dir, "ok.onnx");
        VerificationModels.Scale(W).Save(ok);
        var ex = Assert.Throws<ModelLoadException>(() => EquivalenceChecker.Compare(ok, garbage));
        Assert.Equal("candidate", ex.Role);
        Assert.True(ex.IsInvalidModel);
        Assert.True(Assert.Throws<ModelLoadException>(() => EquivalenceChecker.Compare(Path.Combine(dir, "none.onnx"), ok)).IsInvalidModel);
    }

    [Fact]
    public void Compare_Devices_Runs_One_Model_Twice()
    {
        var dir = Directory.CreateTempSubdirectory("onnxbn-verify-").FullName;
        var path = Path.Combine(dir, "m.onnx");
        VerificationModels.ConvBn().Save(path);
        var report = EquivalenceChecker.CompareDevices(path, Device.Cpu, Device.Cpu);
        Assert.True(report.IsEquivalent, report.FailureMessage);
        Assert.Equal(0, report.Outputs.Single().MaxAbsError);
    }
}
