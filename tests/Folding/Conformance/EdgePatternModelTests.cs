using OnnxBn.Runtime.Reference;

namespace OnnxBn.Folding.Tests.Conformance;

/// <summary>
/// What the fold does to the exported edge-case models of models/ (export/issue14_edge_patterns.py) beyond the
/// counts the manifest gives: which inputs it freezes, which nodes it leaves or removes, which weights it refuses to write.
/// ModelConformanceTests checks their outputs against the reference data.
/// </summary>
public sealed class EdgePatternModelTests
{
    private static OnnxModel Load(string name) => OnnxModel.Load(Path.Combine(ModelZoo.RepoModels, name + ".onnx"));

    private static ZooModel Zoo(string name) => ModelZoo.Read(ModelZoo.RepoModels).Single(m => m.Name == name);

    [Fact]
    public void Ir3_Model_Freezes_Its_Initializer_Inputs_By_Default_And_Says_Why()
    {
        var model = Load("synth_ir3_initializer_inputs");
        int initializers = model.Graph.Initializers.Count();
        Assert.Equal(3, model.IrVersion);
        Assert.Equal(initializers + 1, model.Graph.Inputs.Count);

        var report = FoldPass.Run(model);

        Assert.Equal(initializers, report.FrozenInputs.Count);
        Assert.Contains("IR version 3", report.FreezeReason);
        Assert.Equal(2, report.Folded);
        Assert.True(model.IrVersion >= 4);
        Assert.Equal(["input"], model.Graph.Inputs.Select(i => i.Name));
        Assert.DoesNotContain(model.Graph.Nodes, n => n.OpType == "BatchNormalization");
    }

    [Fact]
    public void Kept_Bn_Chain_Stays_Two_BatchNormalization_Nodes_Unless_Lowering_Is_Asked()
    {
        var kept = Load("synth_bn_bn_chain_kept");
        var keptReport = FoldPass.Run(kept);
        var lowered = Load("synth_bn_bn_chain_kept");
        var loweredReport = FoldPass.Run(lowered, new FoldOptions { LowerUnfolded = true });

        Assert.Equal(2, keptReport.Kept);
        Assert.Equal(["BatchNormalization", "BatchNormalization", "Relu", "MaxPool"], kept.Graph.Nodes.Select(n => n.OpType));
        Assert.Equal((0, 2), (loweredReport.Kept, loweredReport.Lowered));
        Assert.DoesNotContain(lowered.Graph.Nodes, n => n.OpType == "BatchNormalization");
        Assert.Null(ModelConformanceTests.Violation(Zoo("synth_bn_bn_chain_kept")));
        AssertStillMatchesTestData("synth_bn_bn_chain_kept", lowered);
    }

    [Fact]
    public void Float16_Fold_That_Would_Overflow_Keeps_The_Bn_And_Writes_Only_Finite_Weights()
    {
        var model = Load("synth_fp16_overflow_bn");

        var report = FoldPass.Run(model);

        var bnA = report.Fates.Single(f => f.Node == "bnA");
        Assert.Equal(BnOutcome.Kept, bnA.Outcome);
        Assert.Contains("overflow float16", bnA.Detail);
        Assert.Equal(BnOutcome.FoldedBackward, report.Fates.Single(f => f.Node == "bnB").Outcome);
        var convB = model.Graph.Nodes.Single(n => n.OpType == "Conv" && n.Name == "convB");
        Assert.True(model.Graph.TryGetConstant(convB.Input(1), out var weight));
        Assert.Equal(OnnxDataType.Float16, weight.ElementType);
        foreach (var tensor in model.Graph.Initializers.Where(t => t.ElementType == OnnxDataType.Float16))
            Assert.All(tensor.ToDoubleArray(), v => Assert.True(double.IsFinite(v), $"{tensor.Name} holds {v}"));
    }

    [Fact]
    public void Scan_Body_Bn_Folds_In_Its_Own_Scope_And_The_Outer_Parameters_Go()
    {
        var model = Load("synth_scan_body_bn");

        var report = FoldPass.Run(model);

        var fate = Assert.Single(report.Fates, f => f.Kind == "BatchNormalization");
        Assert.Equal(BnOutcome.FoldedBackward, fate.Outcome);
        Assert.Contains("Scan", fate.Scope);
        Assert.EndsWith("/body", fate.Scope);
        var scan = model.Graph.Nodes.Single(n => n.OpType == "Scan");
        var body = model.Graph.Subgraphs(scan).Single().Graph;
        Assert.DoesNotContain(body.Nodes, n => n.OpType == "BatchNormalization");
        // The folded weight and bias live in the body; nothing reads the outer W, b and BN parameters any more.
        Assert.Equal(["state0"], model.Graph.Initializers.Select(t => t.Name));
        AssertStillMatchesTestData("synth_scan_body_bn", model);
    }

    [Fact]
    public void Frozen_Batch_Norm_Exported_Without_Constant_Folding_Folds_And_Its_Arithmetic_Goes()
    {
        var model = Load("synth_frozen_batchnorm");

        var report = FoldPass.Run(model);

        Assert.Equal(2, report.Fates.Count);
        Assert.All(report.Fates, f => Assert.Equal(("Mul+Add", BnOutcome.FoldedBackward), (f.Kind, f.Outcome)));
        Assert.Equal(["Conv", "Relu", "Conv"], model.Graph.Nodes.Select(n => n.OpType));
        AssertStillMatchesTestData("synth_frozen_batchnorm", model);
    }

    private static void AssertStillMatchesTestData(string name, OnnxModel folded)
    {
        var zoo = Zoo(name);
        var (input, expected) = zoo.TestCase();
        var actual = ReferenceEvaluator.Evaluate(folded, new Dictionary<string, RefTensor> { [folded.Graph.RuntimeInputs[0].Name] = input })[folded.Graph.Outputs[0].Name];
        Assert.True(actual.MaxAbsDiff(expected) <= zoo.Tolerance * Math.Max(1, expected.MaxAbs()), $"{name}: {actual.MaxAbsDiff(expected):G4}");
    }
}
