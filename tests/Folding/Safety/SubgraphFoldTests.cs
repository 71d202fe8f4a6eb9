using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>
/// BNs inside If branches and Loop bodies fold like BNs of the main graph, each in its own scope: a value a body
/// reads from outside is a constant only when it is an initializer (or Constant) of an enclosing graph, a body's own
/// names shadow outer ones, new weights go into the body under names no scope uses, and an outer weight goes only
/// once no scope reads it.
/// </summary>
public sealed class SubgraphFoldTests
{
    private const string ThenScope = "main/If 'if'/then_branch";

    /// <summary>A branch computing Conv(x, <paramref name="weight"/>) → BN "<paramref name="prefix"/>_bn" → <paramref name="prefix"/>_y.</summary>
    private static GraphBuilder ConvBnBranch(string prefix, string weight = "W") => new GraphBuilder()
        .Output($"{prefix}_y", OnnxDataType.Float, 1, 2, 2, 2)
        .Node("Conv", ["x", weight], [$"{prefix}_c"], $"{prefix}_conv")
        .Bn($"{prefix}_bn", $"{prefix}_c", $"{prefix}_y");

    private static GraphBuilder ReluBranch(string prefix) => new GraphBuilder()
        .Output($"{prefix}_y", OnnxDataType.Float, 1, 2, 2, 2)
        .Node("Relu", ["x"], [$"{prefix}_y"], $"{prefix}_relu");

    /// <summary>x:[1,2,2,2], cond → If(cond) over the two branches → y; W = [[1, 2], [-1, 0.5]] as a 1×1 Conv weight.</summary>
    private static GraphBuilder IfModel(GraphBuilder thenBranch, GraphBuilder elseBranch) => new GraphBuilder()
        .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
        .Input("cond", OnnxDataType.Bool)
        .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
        .Initializer("W", [2, 2, 1, 1], 1f, 2f, -1f, 0.5f)
        .If("cond", ["y"], thenBranch, elseBranch, "if");

    private static IReadOnlyDictionary<string, RefTensor> Feeds(bool condition) =>
        new Dictionary<string, RefTensor> { ["x"] = Input(1, 2, 2, 2), ["cond"] = RefTensor.Scalar(condition ? 1 : 0) };

    /// <summary>Folds a copy of <paramref name="model"/> and checks it computes what the original does on both branches.</summary>
    private static (OnnxModel Folded, FoldReport Report) FoldEquivalently(OnnxModel model, Func<bool, IReadOnlyDictionary<string, RefTensor>>? feeds = null)
    {
        var folded = model.Clone();
        var report = FoldPass.Run(folded);
        folded = OnnxModel.FromBytes(folded.ToBytes());
        foreach (bool condition in new[] { true, false })
            AssertSameOutputs(model, folded, (feeds ?? Feeds)(condition));
        return (folded, report);
    }

    private static Graph Branch(OnnxModel model, string node, string attribute) =>
        model.Graph.Subgraphs(model.Graph.Nodes.Single(n => n.Name == node)).Single(s => s.Attribute == attribute).Graph;

    [Fact]
    public void Folds_Bn_Inside_Then_Branch()
    {
        var (folded, report) = FoldEquivalently(IfModel(ConvBnBranch("then"), ReluBranch("else")).Build());

        var fate = Fate(report, "then_bn");
        Assert.Equal(BnOutcome.FoldedBackward, fate.Outcome);
        Assert.Equal(ThenScope, fate.Scope);
        var branch = Branch(folded, "if", "then_branch");
        Assert.Equal(["Conv"], branch.Nodes.Select(n => n.OpType));
        // The folded weight and bias live in the branch: the enclosing graph is not the BN's to edit.
        var conv = branch.Nodes.Single();
        Assert.NotNull(branch.Initializer(conv.Input(1)));
        Assert.NotNull(branch.Initializer(conv.Input(2)));
        Assert.Equal("then_y", conv.Output(0));
    }

    [Fact]
    public void Bns_Of_Both_Branches_Are_Reported_With_Their_Scope()
    {
        var model = IfModel(ConvBnBranch("then"), ConvBnBranch("else")).Build();

        var report = FoldPass.Run(model);

        Assert.Equal([("then_bn", ThenScope), ("else_bn", "main/If 'if'/else_branch")], report.Fates.Select(f => (f.Node, f.Scope)));
        Assert.Equal(2, report.Folded);
        Assert.Equal(1 + 2 * 2, report.NodesBefore); // If, and Conv + BN in each branch
        Assert.Equal(1 + 2 * 1, report.NodesAfter);
    }

    [Fact]
    public void Outer_Scope_Graph_Input_Is_Not_Constant()
    {
        // The branch's Conv weight is a graph input of the main graph: a caller feeds it, so nothing can be folded into it.
        var model = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Input("cond", OnnxDataType.Bool)
            .Input("Wi", OnnxDataType.Float, 2, 2, 1, 1)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .If("cond", ["y"], ConvBnBranch("then", weight: "Wi"), ReluBranch("else"), "if")
            .Build();

        var report = FoldPass.Run(model);

        AssertKept(report, "then_bn", "not a constant");
        Assert.Equal(ThenScope, Fate(report, "then_bn").Scope);
        Assert.Contains("BatchNormalization", Branch(model, "if", "then_branch").Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void Outer_Initializer_Listed_As_Main_Graph_Input_Folds_Only_When_Frozen()
    {
        // W is an initializer and a graph input (keep_initializers_as_inputs): a default a caller may override.
        var model = IfModel(ConvBnBranch("then"), ReluBranch("else")).Input("W", OnnxDataType.Float, 2, 2, 1, 1).Build();

        var kept = FoldPass.Run(model.Clone());
        var frozen = model.Clone();
        var report = FoldPass.Run(frozen, new FoldOptions { FreezeInitializerInputs = true });

        AssertKept(kept, "then_bn", "graph input whose initializer is only a default", "freeze initializer inputs");
        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "then_bn").Outcome);
        Assert.Equal(["W"], report.FrozenInputs);
        foreach (bool condition in new[] { true, false })
            AssertSameOutputs(model, frozen, Feeds(condition));
    }

    [Fact]
    public void Bn_Parameters_From_A_Main_Graph_Input_Keep_The_Branch_Bn()
    {
        var then = new GraphBuilder()
            .Output("then_y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("t_beta", [2], 0.5f, -1f)
            .Initializer("t_mean", [2], 1f, 2f)
            .Initializer("t_var", [2], 1f, 4f)
            .Node("Conv", ["x", "W"], ["then_c"], "then_conv")
            .Node("BatchNormalization", ["then_c", "gamma_in", "t_beta", "t_mean", "t_var"], ["then_y"], "then_bn");
        var model = IfModel(then, ReluBranch("else")).Input("gamma_in", OnnxDataType.Float, 2).Build();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.Kept, Fate(report, "then_bn").Outcome);
        Assert.Contains("BatchNormalization", Branch(model, "if", "then_branch").Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void Outer_Initializer_Used_By_Two_Scopes_Is_Not_Mutated()
    {
        // The main graph's Conv and the branch's Conv share W; the branch's fold must write a weight of its own.
        var model = IfModel(ConvBnBranch("then"), ReluBranch("else"))
            .Output("z", OnnxDataType.Float, 1, 2, 2, 2)
            .Node("Conv", ["x", "W"], ["z"], "main_conv")
            .Build();

        var (folded, report) = FoldEquivalently(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "then_bn").Outcome);
        Assert.Equal([1.0, 2, -1, 0.5], Constant(folded, "W").ToDoubleArray());
        Assert.Equal("W", folded.Graph.Nodes.Single(n => n.Name == "main_conv").Input(1));
        var branchConv = Branch(folded, "if", "then_branch").Nodes.Single(n => n.Name == "then_conv");
        Assert.NotEqual("W", branchConv.Input(1));
    }

    [Fact]
    public void Outer_Initializer_Read_Only_By_Folded_Branches_Is_Removed()
    {
        var (folded, _) = FoldEquivalently(IfModel(ConvBnBranch("then"), ConvBnBranch("else")).Build());

        Assert.Null(folded.Graph.Initializer("W"));
        Assert.DoesNotContain("W", folded.Graph.Nodes.Single(n => n.Name == "if").ImplicitInputs);
    }

    [Fact]
    public void Outer_Initializer_Another_Branch_Still_Reads_Stays()
    {
        // The else branch reads W without a BN after it: the then branch's fold must not take W away from it.
        var elseBranch = new GraphBuilder()
            .Output("else_y", OnnxDataType.Float, 1, 2, 2, 2)
            .Node("Conv", ["x", "W"], ["else_y"], "else_conv");
        var (folded, _) = FoldEquivalently(IfModel(ConvBnBranch("then"), elseBranch).Build());

        Assert.Equal([1.0, 2, -1, 0.5], Constant(folded, "W").ToDoubleArray());
        Assert.Equal("W", Branch(folded, "if", "else_branch").Nodes.Single().Input(1));
    }

    [Fact]
    public void Shadowed_Name_Resolves_To_Inner_Scope()
    {
        // The main graph's then_bn_gamma is [10, -10]; the branch defines its own then_bn_gamma = [2, 3], which is
        // the one its BN reads. Folding with the outer value would scale by 5× and flip a sign.
        var model = IfModel(ConvBnBranch("then"), ReluBranch("else"))
            .Initializer("then_bn_gamma", [2], 10f, -10f)
            .Output("g", OnnxDataType.Float, 2)
            .Node("Identity", ["then_bn_gamma"], ["g"], "outer_reader")
            .Build();

        var (folded, report) = FoldEquivalently(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "then_bn").Outcome);
        var branch = Branch(folded, "if", "then_branch");
        var weight = branch.Initializer(branch.Nodes.Single().Input(1))!.ToDoubleArray();
        // s = γ/√var = [2, 1.5] (ε = 0) scales the output channels of W = [[1, 2], [-1, 0.5]].
        Assert.Equal([2.0, 4, -1.5, 0.75], weight);
    }

    [Fact]
    public void New_Weight_Names_Are_Unique_Across_Scopes()
    {
        // Both branches hold a Conv of the same name reading the same outer W: each fold names a new weight that no
        // other scope uses, so neither shadows nor is shadowed by the other branch's or the main graph's.
        var model = IfModel(ConvBnBranch("then").Node("Identity", ["then_y"], ["unused"], "conv"),
            ConvBnBranch("else")).Build();
        var (folded, _) = FoldEquivalently(model);

        var thenNames = Branch(folded, "if", "then_branch").Initializers.Select(t => t.Name).ToHashSet();
        var elseNames = Branch(folded, "if", "else_branch").Initializers.Select(t => t.Name).ToHashSet();
        Assert.Empty(thenNames.Intersect(elseNames));
        Assert.DoesNotContain(folded.Graph.Initializers, t => thenNames.Contains(t.Name) || elseNames.Contains(t.Name));
    }

    [Fact]
    public void Bns_Of_One_Name_In_Two_Branches_Fold_Each_In_Its_Scope()
    {
        // Both branches name their BN "bn"; the else branch's BN reads the main graph's bn_* parameters.
        var model = IfModel(new GraphBuilder().Output("then_y", OnnxDataType.Float, 1, 2, 2, 2)
            .Node("Conv", ["x", "W"], ["c1"], "conv_a").Bn("bn", "c1", "then_y"),
            new GraphBuilder().Output("else_y", OnnxDataType.Float, 1, 2, 2, 2)
            .Node("Conv", ["x", "W"], ["c2"], "conv_b").Node("BatchNormalization", ["c2", "bn_gamma", "bn_beta", "bn_mean", "bn_var"], ["else_y"], "bn"))
            .BnParameters("bn")
            .Build();

        var (_, report) = FoldEquivalently(model);

        Assert.Equal([ThenScope, "main/If 'if'/else_branch"], report.Fates.Where(f => f.Node == "bn").Select(f => f.Scope));
        Assert.Equal(2, report.Folded);
    }

    [Fact]
    public void Two_Bns_Of_One_Name_In_One_Branch_Refuse_The_Model_Before_Any_Edit()
    {
        var then = new GraphBuilder()
            .Output("then_y", OnnxDataType.Float, 1, 2, 2, 2)
            .Node("Conv", ["x", "W"], ["c"], "then_conv")
            .Bn("twin", "c", "h")
            .Node("BatchNormalization", ["h", "twin_gamma", "twin_beta", "twin_mean", "twin_var"], ["then_y"], "twin");
        var model = IfModel(then, ReluBranch("else")).Input("W", OnnxDataType.Float, 2, 2, 1, 1).Build();
        byte[] before = model.ToBytes();

        var error = Assert.Throws<OnnxModelException>(() => FoldPass.Run(model, new FoldOptions { FreezeInitializerInputs = true }));

        Assert.Contains("node 'twin'", error.Message);
        Assert.Equal(before, model.ToBytes());
    }

    [Fact]
    public void A_Branch_Without_A_Foldable_Bn_Is_Left_Byte_For_Byte()
    {
        var model = IfModel(ConvBnBranch("then"), ReluBranch("else")).Build();
        var before = Google.Protobuf.MessageExtensions.ToByteArray(ElseBranchMessage(model));

        FoldPass.Run(model);

        Assert.Equal(before, Google.Protobuf.MessageExtensions.ToByteArray(ElseBranchMessage(model)));
    }

    private static Onnx.Proto.GraphProto ElseBranchMessage(OnnxModel model) =>
        Onnx.Proto.ModelProto.Parser.ParseFrom(model.ToBytes()).Graph.Node.Single(n => n.Name == "if")
            .Attribute.Single(a => a.Name == "else_branch").G;

    /// <summary>
    /// Loop(3, true, x): the body computes y' = Relu(BN(Conv(y, W))) with W and the BN's parameters initializers of
    /// the main graph (loop-invariant), or of the body itself when <paramref name="bodyParameters"/>.
    /// </summary>
    private static GraphBuilder LoopModel(bool bodyParameters, GraphBuilder? innerIf = null)
    {
        var body = new GraphBuilder()
            .Input("i", OnnxDataType.Int64)
            .Input("cond_in", OnnxDataType.Bool)
            .Input("y_in", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("cond_out", OnnxDataType.Bool)
            .Output("y_out", OnnxDataType.Float, 1, 2, 2, 2)
            .Node("Identity", ["cond_in"], ["cond_out"], "keep_going")
            .Node("Conv", ["y_in", "W"], ["body_c"], "body_conv")
            .Node("BatchNormalization", ["body_c", "body_bn_gamma", "body_bn_beta", "body_bn_mean", "body_bn_var"], ["body_n"], "body_bn", ("epsilon", 0f))
            .Node("Relu", ["body_n"], [innerIf is null ? "y_out" : "body_r"], "body_relu");
        if (innerIf is not null)
            body.If("cond_in", ["y_out"], innerIf, new GraphBuilder().Output("pass_y", OnnxDataType.Float, 1, 2, 2, 2)
                .Node("Identity", ["body_r"], ["pass_y"], "pass"), "gate");
        if (bodyParameters)
            body.BnParameters("body_bn");
        var main = new GraphBuilder()
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 0.5f, 0.25f, -0.25f, 0.75f)
            .Initializer(TensorData.Create("trips", [], new long[] { 3 }.AsSpan()))
            .Initializer(TensorData.Create("go", [], new[] { true }.AsSpan()))
            .Loop("trips", "go", ["x"], ["y"], body, "loop");
        return bodyParameters ? main : main.BnParameters("body_bn");
    }

    private static IReadOnlyDictionary<string, RefTensor> LoopFeeds(bool _) => Feed("x", Input(1, 2, 2, 2));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Loop_Body_Bn_Folds(bool bodyParameters)
    {
        var (folded, report) = FoldEquivalently(LoopModel(bodyParameters).Build(), LoopFeeds);

        var fate = Fate(report, "body_bn");
        Assert.Equal(BnOutcome.FoldedBackward, fate.Outcome);
        Assert.Equal("main/Loop 'loop'/body", fate.Scope);
        Assert.DoesNotContain("BatchNormalization", Branch(folded, "loop", "body").Nodes.Select(n => n.OpType));
        // The outer W no scope reads any more is gone; the BN's parameters went with it.
        Assert.Null(folded.Graph.Initializer("W"));
        Assert.Null(folded.Graph.Initializer("body_bn_gamma"));
    }

    [Fact]
    public void Bn_Parameter_Computed_In_The_Body_Is_Not_Constant()
    {
        // γ = Relu(outer γ) is computed by the body on every iteration: only initializers (and Constants) are constants.
        var model = LoopModel(bodyParameters: false).Build();
        var proto = Onnx.Proto.ModelProto.Parser.ParseFrom(model.ToBytes());
        var body = proto.Graph.Node.Single(n => n.Name == "loop").Attribute.Single().G;
        body.Node.Insert(0, new Onnx.Proto.NodeProto { OpType = "Relu", Name = "gamma_relu", Input = { "body_bn_gamma" }, Output = { "body_gamma" } });
        body.Node.Single(n => n.Name == "body_bn").Input[1] = "body_gamma";
        model = OnnxModel.FromBytes(Google.Protobuf.MessageExtensions.ToByteArray(proto));

        var (_, report) = FoldEquivalently(model, LoopFeeds);

        Assert.Equal(BnOutcome.Kept, Fate(report, "body_bn").Outcome);
    }

    [Fact]
    public void Nested_If_Inside_Loop_Folds_And_Reports_The_Full_Path()
    {
        var innerIf = new GraphBuilder()
            .Output("gate_y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("G", [2, 2, 1, 1], 1f, -0.5f, 0.25f, 1f)
            .Node("Conv", ["body_r", "G"], ["gate_c"], "gate_conv")
            .Bn("gate_bn", "gate_c", "gate_y");

        var (folded, report) = FoldEquivalently(LoopModel(bodyParameters: false, innerIf).Build(), LoopFeeds);

        Assert.Equal("main/Loop 'loop'/body/If 'gate'/then_branch", Fate(report, "gate_bn").Scope);
        Assert.Equal(2, report.Folded);
        var body = Branch(folded, "loop", "body");
        var gate = body.Subgraphs(body.Nodes.Single(n => n.Name == "gate")).Single(s => s.Attribute == "then_branch").Graph;
        Assert.Equal(["Conv"], gate.Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void Scan_Body_Bn_Folds_Into_The_Body_Gemm()
    {
        // Scan over x:[3,2,2] along axis 0: each step runs Gemm(x_t, W) → BN on its [2,2] slice and scans the result out.
        var body = new GraphBuilder()
            .Input("x_t", OnnxDataType.Float, 2, 2)
            .Output("y_t", OnnxDataType.Float, 2, 2)
            .Node("Gemm", ["x_t", "W2"], ["g_t"], "step_gemm")
            .Bn("step_bn", "g_t", "y_t");
        var model = new GraphBuilder(opset: 11)
            .Input("xs", OnnxDataType.Float, 3, 2, 2)
            .Output("ys", OnnxDataType.Float, 3, 2, 2)
            .Initializer("W2", [2, 2], 1f, -2f, 0.5f, 3f)
            .Node("Scan", ["xs"], ["ys"], "scan", ("num_scan_inputs", 1L), ("body", body))
            .Build();

        var (folded, report) = FoldEquivalently(model, _ => Feed("xs", Input(3, 2, 2)));

        var fate = Fate(report, "step_bn");
        Assert.Equal(BnOutcome.FoldedBackward, fate.Outcome);
        Assert.Equal("main/Scan 'scan'/body", fate.Scope);
        Assert.Equal(["Gemm"], Branch(folded, "scan", "body").Nodes.Select(n => n.OpType));
    }

    [Fact]
    public void Lower_Unfolded_Lowers_A_Branch_Bn_Inside_Its_Branch()
    {
        var then = new GraphBuilder()
            .Output("then_y", OnnxDataType.Float, 1, 2, 2, 2)
            .Bn("then_bn", "x", "then_y");
        var model = IfModel(then, ReluBranch("else")).Build();
        var lowered = model.Clone();

        var report = FoldPass.Run(lowered, new FoldOptions { LowerUnfolded = true });

        var fate = Fate(report, "then_bn");
        Assert.Equal(BnOutcome.Lowered, fate.Outcome);
        Assert.Equal(ThenScope, fate.Scope);
        lowered = OnnxModel.FromBytes(lowered.ToBytes());
        Assert.Equal(["Mul", "Add"], Branch(lowered, "if", "then_branch").Nodes.Select(n => n.OpType));
        foreach (bool condition in new[] { true, false })
            AssertSameOutputs(model, lowered, Feeds(condition));
    }

    [Fact]
    public void Parameter_Totals_Count_Branch_Only_Initializers_Once()
    {
        // W (4) is read by both branches; each branch has its own BN parameters (4 × 2) and the main graph none.
        var report = FoldPass.Run(IfModel(ConvBnBranch("then"), ConvBnBranch("else")).Build());

        Assert.Equal(4 + 2 * 8, report.Before.Total);
        Assert.Equal(2 * 4, report.Before.NonTrainable);
        Assert.Equal(2 * (4 + 2), report.After.Total);
    }

    [Fact]
    public void Report_Json_Names_The_Scope_Of_Every_Bn()
    {
        var report = FoldPass.Run(IfModel(ConvBnBranch("then"), ReluBranch("else")).Build());

        using var json = System.Text.Json.JsonDocument.Parse(report.ToJson());
        var bn = json.RootElement.GetProperty("batchNorms").EnumerateArray().Single();
        Assert.Equal("then_bn", bn.GetProperty("node").GetString());
        Assert.Equal(ThenScope, bn.GetProperty("scope").GetString());
    }
}
