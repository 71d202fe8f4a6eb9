using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>Pieces the backward rule tests share: a two-channel BN with simple s and t, and report lookups.</summary>
internal static class BackwardFixtures
{
    /// <summary>s = γ/√var = [2, 1.5] and t = β − mean·s = [-1.5, -4] (ε = 0).</summary>
    public static readonly double[] S = [2, 1.5], T = [-1.5, -4];

    /// <summary>Adds BatchNormalization(<paramref name="input"/>) → <paramref name="output"/> with s = [2, 1.5], t = [-1.5, -4].</summary>
    public static GraphBuilder TwoChannelBn(this GraphBuilder builder, string input, string output, string name = "bn", params (string, object)[] extra) =>
        builder
            .Initializer($"{name}_gamma", [2], 2f, 3f)
            .Initializer($"{name}_beta", [2], 0.5f, -1f)
            .Initializer($"{name}_mean", [2], 1f, 2f)
            .Initializer($"{name}_var", [2], 1f, 4f)
            .Node("BatchNormalization", [input, $"{name}_gamma", $"{name}_beta", $"{name}_mean", $"{name}_var"], [output], name,
                [("epsilon", 0f), .. extra]);

    /// <summary>The values of input <paramref name="index"/> of the only node of type <paramref name="opType"/>.</summary>
    public static double[] InputValues(OnnxModel model, string opType, int index)
    {
        var node = Assert.Single(model.Graph.Nodes, n => n.OpType == opType);
        Assert.True(model.Graph.TryGetConstant(node.Input(index), out var tensor), $"input {index} of {opType} is not a constant");
        return tensor.ToDoubleArray();
    }

    public static TensorData Constant(OnnxModel model, string value)
    {
        Assert.True(model.Graph.TryGetConstant(value, out var tensor), $"{value} is not a constant");
        return tensor;
    }

    public static string[] OpTypes(OnnxModel model) => model.Graph.Nodes.Select(n => n.OpType).ToArray();

    /// <summary>Asserts the single BN was kept, with a reason that contains <paramref name="reason"/>.</summary>
    public static void AssertKept(FoldReport report, string reason)
    {
        var fate = Assert.Single(report.Fates);
        Assert.Equal(BnOutcome.Kept, fate.Outcome);
        Assert.Contains(reason, fate.Detail);
    }

    public static void AssertClose(double[] expected, double[] actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>
    /// Folds the model built by <paramref name="builder"/> and asserts that one BN was folded and that the folded
    /// model computes what the original did on a fixed input (float64 reference evaluator).
    /// </summary>
    public static OnnxModel AssertFoldKeepsOutputs(GraphBuilder builder, params long[] inputShape)
    {
        var original = builder.Build();
        var folded = builder.Build();
        var report = FoldPass.Run(folded);
        Assert.Equal(BnOutcome.FoldedBackward, Assert.Single(report.Fates).Outcome);
        int count = RefTensor.ElementCount(inputShape);
        var input = RefTensor.Of(inputShape, Enumerable.Range(0, count).Select(i => Math.Sin(1.7 * i + 0.3) * 3).ToArray());
        var expected = ReferenceEvaluator.EvaluateSingle(original, input);
        var actual = ReferenceEvaluator.EvaluateSingle(folded, input);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True(actual.MaxAbsDiff(expected) <= 1e-5 * Math.Max(1, expected.MaxAbs()), $"max |diff| {actual.MaxAbsDiff(expected)}");
        return folded;
    }
}
