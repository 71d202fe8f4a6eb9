using OnnxBn.Folding.Tests.Conformance;
using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Safety;

/// <summary>Small models and assertions the safety tests share.</summary>
internal static class SafetyFixtures
{
    /// <summary>
    /// x:[1,2,2,2] → Conv(W = identity [2,2,1,1], b = [1, -1]) → c → BatchNormalization → y, with
    /// γ = [2, 3], β = [0.5, -1], mean = [1, 2], var = [1, 4]: s = γ/√(var+ε), t = β − mean·s.
    /// </summary>
    public static GraphBuilder ConvBn(long opset = 13, string[]? bnOutputs = null, params (string, object)[] bnAttributes) =>
        new GraphBuilder(opset)
            .Input("x", OnnxDataType.Float, 1, 2, 2, 2)
            .Output("y", OnnxDataType.Float, 1, 2, 2, 2)
            .Initializer("W", [2, 2, 1, 1], 1f, 0f, 0f, 1f)
            .Initializer("b", [2], 1f, -1f)
            .BnParameters("bn")
            .Node("Conv", ["x", "W", "b"], ["c"], "conv")
            .Node("BatchNormalization", ["c", "bn_gamma", "bn_beta", "bn_mean", "bn_var"], bnOutputs ?? ["y"], "bn", bnAttributes);

    /// <summary>γ = [2, 3], β = [0.5, -1], mean = [1, 2], var = [1, 4] named <paramref name="prefix"/>_gamma etc.</summary>
    public static GraphBuilder BnParameters(this GraphBuilder builder, string prefix) => builder
        .Initializer($"{prefix}_gamma", [2], 2f, 3f)
        .Initializer($"{prefix}_beta", [2], 0.5f, -1f)
        .Initializer($"{prefix}_mean", [2], 1f, 2f)
        .Initializer($"{prefix}_var", [2], 1f, 4f);

    /// <summary>Adds BatchNormalization(<paramref name="input"/>) → <paramref name="output"/> with ε = 0 (s = [2, 1.5], t = [-1.5, -4]).</summary>
    public static GraphBuilder Bn(this GraphBuilder builder, string name, string input, string output) => builder
        .BnParameters(name)
        .Node("BatchNormalization", [input, $"{name}_gamma", $"{name}_beta", $"{name}_mean", $"{name}_var"], [output], name, ("epsilon", 0f));

    /// <summary>A deterministic, non-trivial input of <paramref name="shape"/>.</summary>
    public static RefTensor Input(params long[] shape)
    {
        int count = RefTensor.ElementCount(shape);
        return RefTensor.Of(shape, Enumerable.Range(0, count).Select(i => Math.Sin(1.3 * i + 0.7) * 2.5).ToArray());
    }

    /// <summary>Asserts that every graph output of <paramref name="after"/> equals <paramref name="before"/>'s on the same inputs.</summary>
    public static void AssertSameOutputs(OnnxModel before, OnnxModel after, IReadOnlyDictionary<string, RefTensor> inputs, double tolerance = 1e-5)
    {
        var expected = ReferenceEvaluator.Evaluate(before, inputs);
        var actual = ReferenceEvaluator.Evaluate(after, inputs);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.Equal(e.Shape, a.Shape);
            double diff = a.MaxAbsDiff(e);
            Assert.True(diff <= tolerance * Math.Max(1, e.MaxAbs()), $"output '{name}': max |diff| {diff}");
        }
    }

    public static IReadOnlyDictionary<string, RefTensor> Feed(string name, RefTensor value) =>
        new Dictionary<string, RefTensor> { [name] = value };

    /// <summary>The fate of the BN named <paramref name="node"/>.</summary>
    public static BnFate Fate(FoldReport report, string node) => Assert.Single(report.Fates, f => f.Node == node);

    /// <summary>Asserts the BN was kept with a reason that contains every fragment.</summary>
    public static void AssertKept(FoldReport report, string node, params string[] fragments)
    {
        var fate = Fate(report, node);
        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        foreach (string fragment in fragments)
            Assert.Contains(fragment, fate.Detail);
    }

    public static TensorData Constant(OnnxModel model, string value)
    {
        Assert.True(model.Graph.TryGetConstant(value, out var tensor), $"{value} is not a constant");
        return tensor;
    }

    public static string[] OpTypes(OnnxModel model) => model.Graph.Nodes.Select(n => n.OpType).ToArray();

    /// <summary>Every model of the repository's models/ folder (theory data).</summary>
    public static TheoryData<string> RepoModelFiles()
    {
        var data = new TheoryData<string>();
        foreach (var model in ModelZoo.Read(ModelZoo.RepoModels))
            data.Add(model.File);
        return data;
    }

    public static string RepoModel(string file) => Path.Combine(ModelZoo.RepoModels, file);
}
