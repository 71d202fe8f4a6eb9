using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// PyTorch's <c>x.view(x.size(0), -1)</c> around a BN, as the 1.13 exporter writes it with a dynamic batch axis:
/// <code>
///   x:[N,2,2,1] → BN (s = [1,2], t = [0.5,-3]) → h ─────────────────────────────── Reshape(h, shape) → f:[N,4] → Gemm(B:[1,4], transB, C) → y:[N,1]
///                                               └ Shape → Gather(0) → Unsqueeze([0]) ┐                   ↑
///                                                              Constant [-1] ─────── Concat(axis 0) → shape
/// </code>
/// Each test writes "shape" from "h" its own way (<see cref="View"/> takes that part).
/// </summary>
internal static class DynamicViewFixtures
{
    /// <summary>The BN → Reshape(h, shape) → Gemm model; <paramref name="shape"/> adds the nodes that compute "shape".</summary>
    public static GraphBuilder View(long opset, Func<GraphBuilder, GraphBuilder> shape) =>
        shape(new GraphBuilder(opset)
                .Input("x", OnnxDataType.Float, "N", 2, 2, 1)
                .Output("y", OnnxDataType.Float, "N", 1)
                .Initializer("B", [1, 4], 1f, 2f, 3f, 4f)
                .Initializer("C", [1], 100f)
                .Bn("bn", "x", "h"))
            .Node("Reshape", ["h", "shape"], ["f"], "reshape")
            .Node("Gemm", ["f", "B", "C"], ["y"], "fc", ("transB", 1L));

    /// <summary>Shape(<paramref name="of"/>) → Gather(indices <paramref name="index"/> as a scalar) → "n".</summary>
    public static GraphBuilder BatchSize(this GraphBuilder b, string of = "h", long index = 0) => b
        .Node("Shape", [of], ["dims"], "shape_of")
        .Constant("index", TensorData.Create<long>("", [], [index]))
        .Node("Gather", ["dims", "index"], ["n"], "gather", ("axis", 0L));

    /// <summary>Unsqueeze(<paramref name="input"/>, axes [0]) → <paramref name="output"/>: an attribute before opset 13, an input from 13.</summary>
    public static GraphBuilder Unsqueeze(this GraphBuilder b, long opset, string input, string output, string name)
    {
        if (opset < 13)
            return b.Node("Unsqueeze", [input], [output], name, ("axes", new long[] { 0 }));
        return b.Constant($"{name}_axes", TensorData.Create<long>("", [1], [0]))
            .Node("Unsqueeze", [input, $"{name}_axes"], [output], name);
    }

    /// <summary>The constant 1-D tensor [<paramref name="value"/>] as an initializer.</summary>
    public static GraphBuilder Vector(this GraphBuilder b, string name, long value) =>
        b.Initializer(TensorData.Create<long>(name, [1], [value]));

    /// <summary>Concat(<paramref name="first"/>, <paramref name="second"/>, axis 0) → "shape".</summary>
    public static GraphBuilder ConcatShape(this GraphBuilder b, string first, string second, string output = "shape") =>
        b.Node("Concat", [first, second], [output], "concat", ("axis", 0L));

    /// <summary>The exporter's form at <paramref name="opset"/>: Gather scalar 0, Unsqueeze, Concat with a constant [-1].</summary>
    public static GraphBuilder ExporterView(long opset) => View(opset, b => b
        .BatchSize()
        .Unsqueeze(opset, "n", "n1", "unsqueeze")
        .Vector("minus_one", -1)
        .ConcatShape("n1", "minus_one"));

    /// <summary>Folds a copy of <paramref name="original"/> and checks it computes the same for a batch of 3 (reference evaluator).</summary>
    public static (OnnxModel Folded, FoldReport Report) FoldAndCompare(OnnxModel original)
    {
        var folded = original.Clone();
        var report = FoldPass.Run(folded);
        var rng = new OnnxBn.TestUtilities.Random.SeededRandom(5);
        long[] dims = [.. original.Graph.RuntimeInputs[0].Shape!.Select(d => d.Value ?? 3)];
        var input = RefTensor.Of(dims, rng.Normals(RefTensor.ElementCount(dims), 1));
        var expected = ReferenceEvaluator.EvaluateSingle(original, input);
        var actual = ReferenceEvaluator.EvaluateSingle(folded, input);
        Assert.True(actual.MaxAbsDiff(expected) <= 1e-5 * Math.Max(1, expected.MaxAbs()), $"max |diff| {actual.MaxAbsDiff(expected)}");
        return (folded, report);
    }

    /// <summary>The one BN's fate after folding <paramref name="builder"/>'s model.</summary>
    public static BnFate Fate(GraphBuilder builder) => Assert.Single(FoldPass.Run(builder.Build()).Fates);
}
