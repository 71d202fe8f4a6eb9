using OnnxBn.Folding;
using OnnxBn.Runtime.Reference;

namespace OnnxBn.TestUtilities.Random;

/// <summary>
/// Turns a <see cref="BroadcastAffineProblem"/> into a model and its input x, all drawn from the problem's seed:
/// x → producer [→ Relu] → v → Mul "affine/mul" [→ Add "affine/add"] → a → consumer → y.
/// </summary>
public static class BroadcastAffineBuilder
{
    /// <summary>The name of the affine op's Mul node (the label its fate is reported under).</summary>
    public const string MulNode = "affine/mul";

    /// <summary>Builds the model (graph output shape declared) and its input.</summary>
    public static BuiltBroadcastAffine Build(BroadcastAffineProblem p)
    {
        long[] inputShape = p.Producer == LinearKind.Conv ? [p.Batch, p.InChannels, .. p.Spatial] : [p.Batch, p.InChannels];
        var rng = new SeededRandom(unchecked(p.Seed * 31 + 7));
        var x = RefTensor.FromTensorData(TensorData.FromDoubles("x", p.ElementType, inputShape,
            rng.Normals(RefTensor.ElementCount(inputShape), 1)));
        // As in FoldProblemBuilder, the output's shape comes from evaluating the graph once without it.
        var provisional = Graph(p, inputShape).OutputWithoutShape("y", p.ElementType).Build();
        var y = ReferenceEvaluator.EvaluateSingle(provisional, x);
        var model = Graph(p, inputShape).Output("y", p.ElementType, y.Shape.Cast<object>().ToArray()).Build();
        return new BuiltBroadcastAffine(p, model, new Dictionary<string, RefTensor> { ["x"] = x });
    }

    private static GraphBuilder Graph(BroadcastAffineProblem p, long[] inputShape)
    {
        var rng = new SeededRandom(unchecked(p.Seed * 17 + 3));
        var builder = new GraphBuilder(opset: 13);
        var nodes = new List<(string Op, string[] Inputs, string Output, string Name, (string, object)[] Attributes)>();
        int next = 0;
        string Weight(string stem, long[] dims, double[] values)
        {
            string name = $"{stem}_{next++}";
            builder.Initializer(TensorData.FromDoubles(name, p.ElementType, dims, values));
            return name;
        }
        string Node(string op, string[] inputs, string? name = null, params (string, object)[] attributes)
        {
            string output = $"{op.ToLowerInvariant()}_{next++}";
            nodes.Add((op, inputs, output, name ?? $"{op}_{nodes.Count}", attributes));
            return output;
        }
        object[] Declared(long[] shape) => [(object)"N", .. shape[1..].Cast<object>()];

        builder.Input("x", p.ElementType, Declared(inputShape));
        long pc = p.LinearChannels, k = p.InChannels;
        string v;
        switch (p.Producer)
        {
            case LinearKind.Conv:
                long[] wDims = [pc, k, .. p.Spatial.Select(_ => p.Kernel)];
                long fanIn = wDims[1..].Aggregate(1L, (a, d) => a * d);
                var conv = new List<string> { "x", Weight("W", wDims, rng.Normals(wDims.Aggregate(1L, (a, d) => a * d), 1 / Math.Sqrt(fanIn))) };
                if (p.Bias) conv.Add(Weight("b", [pc], rng.Normals(pc, 0.5)));
                v = Node("Conv", [.. conv], "producer");
                break;
            case LinearKind.Gemm:
                var gemm = new List<string> { "x", Weight("B", p.TransB ? [pc, k] : [k, pc], rng.Normals(k * pc, 1 / Math.Sqrt(k))) };
                if (p.Bias) gemm.Add(Weight("C", [pc], rng.Normals(pc, 0.5)));
                v = Node("Gemm", [.. gemm], "producer", ("transB", p.TransB ? 1L : 0L));
                break;
            default:
                v = Node("MatMul", ["x", Weight("W", [k, pc], rng.Normals(k * pc, 1 / Math.Sqrt(k)))], "producer");
                if (p.Producer == LinearKind.MatMulAdd) v = Node("Add", [v, Weight("b", [pc], rng.Normals(pc, 0.5))], "producer/bias");
                break;
        }
        if (p.DeclareProducer) builder.ValueInfo(v, p.ElementType, Declared(p.ProducerShape));
        if (p.Relu)
        {
            v = Node("Relu", [v]);
            if (p.DeclareProducer) builder.ValueInfo(v, p.ElementType, Declared(p.ProducerShape));
        }

        long kc = p.ConstantChannels;
        string scale = Weight("scale", p.ConstantDims, rng.Uniforms(kc, 0.5, 1.5));
        string a = Node("Mul", p.ConstantFirst ? [scale, v] : [v, scale], MulNode);
        if (p.Shift)
        {
            string shift = Weight("shift", p.ConstantDims, rng.Normals(kc, 0.2));
            a = p.Subtract ? Node("Sub", [a, shift], "affine/sub") : Node("Add", rng.Chance(0.5) ? [a, shift] : [shift, a], "affine/add");
        }
        long[] affineShape = p.AffineShape;
        // A graph output is declared as y; value_info would name a value the rename below removes.
        if (p.DeclareAffineOutput && p.Consumer != AffineConsumer.Output) builder.ValueInfo(a, p.ElementType, Declared(affineShape));

        long q = affineShape[1], n = rng.Int(1, 3);
        string y = p.Consumer switch
        {
            AffineConsumer.FlattenGemm => Node("Gemm", [Node("Flatten", [a], "flatten"),
                Weight("B", [affineShape[1..].Aggregate(1L, (s, d) => s * d), n], rng.Normals(affineShape[1..].Aggregate(1L, (s, d) => s * d) * n, 0.5))], "consumer"),
            AffineConsumer.Gemm => Node("Gemm", [a, Weight("B", [q, n], rng.Normals(q * n, 0.5))], "consumer"),
            AffineConsumer.MatMul => Node("MatMul", [a, Weight("W", [affineShape[^1], n], rng.Normals(affineShape[^1] * n, 0.5))], "consumer"),
            AffineConsumer.BatchNorm => Node("BatchNormalization", [a, Weight("gamma", [q], rng.Uniforms(q, 0.5, 1.5)),
                Weight("beta", [q], rng.Normals(q, 0.2)), Weight("mean", [q], rng.Normals(q, 0.5)), Weight("var", [q], rng.Uniforms(q, 0.5, 2))], "consumer"),
            _ => a,
        };

        string Rename(string value) => value == y ? "y" : value;
        foreach (var node in nodes)
            builder.Node(node.Op, node.Inputs.Select(Rename).ToArray(), [Rename(node.Output)], node.Name, node.Attributes);
        return builder;
    }
}

/// <summary>A generated broadcasting-affine model and the inputs to run it on.</summary>
public sealed record BuiltBroadcastAffine(BroadcastAffineProblem Problem, OnnxModel Model, IReadOnlyDictionary<string, RefTensor> Inputs);
