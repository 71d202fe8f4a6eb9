using OnnxBn.Folding;
using OnnxBn.Runtime.Reference;

namespace OnnxBn.TestUtilities.Random;

/// <summary>The activation a generated <see cref="ActivationPathProblem"/> puts after the BN.</summary>
public enum PathActivation
{
    Relu,
    LeakyRelu,
    /// <summary>PRelu with a [C, 1, 1] slope.</summary>
    PReluPerChannel,
    /// <summary>PRelu with a [1] slope.</summary>
    PReluScalar,
}

/// <summary>The linear op at the end of the path.</summary>
public enum PathLinear
{
    /// <summary>Conv 3×3 with pads 1 (and a bias).</summary>
    PaddedConv,
    /// <summary>Flatten → Gemm (transB = 1, C).</summary>
    Gemm,
    /// <summary>Flatten → MatMul.</summary>
    MatMul,
}

/// <summary>One pooling op on the path: kind, kernel, stride, symmetric pads, count_include_pad.</summary>
public sealed record PathPool(string Kind, int Kernel, int Stride, int Pad, bool CountIncludePad)
{
    /// <summary>The spatial size after the pool (ceil_mode 0; a global pool gives 1).</summary>
    public long Out(long size) => Kind == "GlobalAveragePool" ? 1 : (size + 2 * Pad - Kernel) / Stride + 1;

    public override string ToString() => Kind == "GlobalAveragePool" ? Kind : $"{Kind}(k{Kernel},s{Stride},p{Pad}{(CountIncludePad ? ",incl" : "")})";
}

/// <summary>
/// One generated pre-activation problem: x [N, C, H, W] (from a Conv whose output also feeds a side output, so the
/// BN cannot fold backward, or a graph input) → BN → activation → pools → linear op. Channels listed in
/// <see cref="NegativeChannels"/> get a negative γ: the scale cannot pass the activation, so the BN must be kept;
/// otherwise it must become Add(t/s) with s in the linear op. <see cref="ToString"/> is the reproduction recipe.
/// </summary>
public sealed record ActivationPathProblem
{
    public required int Seed { get; init; }

    public required long Batch { get; init; }

    public required long Channels { get; init; }

    public required long Height { get; init; }

    public required long Width { get; init; }

    /// <summary>A Conv produces the BN input (and a side graph output reads it too), or the BN reads the graph input.</summary>
    public required bool ProducedByBranchingConv { get; init; }

    public required PathActivation Activation { get; init; }

    public required IReadOnlyList<PathPool> Pools { get; init; }

    public required PathLinear Linear { get; init; }

    public required IReadOnlyList<int> NegativeChannels { get; init; }

    /// <summary>The path forks after the pools: a Conv1x1 also reads the value and writes the output "y2".</summary>
    public bool SecondBranch { get; init; }

    /// <summary>The BN must become an Add with its scale in the linear op (no channel blocks it).</summary>
    public bool MustFold => NegativeChannels.Count == 0;

    /// <summary>Draws a problem from <paramref name="seed"/>.</summary>
    public static ActivationPathProblem Generate(int seed)
    {
        var r = new SeededRandom(seed);
        long channels = r.Int(1, 5), height = r.Int(3, 7), width = r.Int(3, 7);
        var pools = new List<PathPool>();
        int poolCount = r.Int(0, 2);
        for (int i = 0; i < poolCount; i++)
        {
            string kind = r.Pick("MaxPool", "AveragePool", "GlobalAveragePool");
            if (kind == "GlobalAveragePool")
            {
                pools.Add(new PathPool(kind, 1, 1, 0, false));
                break;
            }
            int kernel = r.Int(2, 3);
            pools.Add(new PathPool(kind, kernel, r.Int(1, 2), r.Int(0, kernel - 1), r.Chance(0.5)));
        }
        var negative = r.Chance(0.3) ? Enumerable.Range(0, (int)channels).Where(_ => r.Chance(0.5)).ToList() : [];
        return new ActivationPathProblem
        {
            Seed = seed,
            Batch = r.Int(1, 2),
            Channels = channels,
            Height = height,
            Width = width,
            ProducedByBranchingConv = r.Chance(0.5),
            Activation = r.Pick(Enum.GetValues<PathActivation>()),
            Pools = pools,
            Linear = pools.Count > 0 && pools[^1].Kind == "GlobalAveragePool" ? r.Pick(PathLinear.Gemm, PathLinear.MatMul) : r.Pick(Enum.GetValues<PathLinear>()),
            NegativeChannels = negative,
            // Drawn last, so every other field of a seed is what it was before forks were generated.
            SecondBranch = r.Chance(0.3),
        };
    }

    public override string ToString() =>
        $"seed {Seed}: x[{Batch},{Channels},{Height},{Width}]{(ProducedByBranchingConv ? " → Conv (also a graph output)" : "")} → BN"
        + $"{(NegativeChannels.Count > 0 ? $" (negative γ on channels {string.Join(",", NegativeChannels)})" : "")} → {Activation}"
        + string.Concat(Pools.Select(p => $" → {p}")) + $" → {Linear}" + (SecondBranch ? " and → Conv1x1 (a fork)" : "");

    /// <summary>The model (output "y") and a seeded input for it.</summary>
    public (OnnxModel Model, Dictionary<string, RefTensor> Inputs) Build()
    {
        var r = new SeededRandom(Seed * 7919 + 1);
        long c = Channels;
        var b = new GraphBuilder(opset: 13).Input("x", OnnxDataType.Float, Batch, c, Height, Width);
        string bnInput = "x";
        if (ProducedByBranchingConv)
        {
            b.Output("side", OnnxDataType.Float, Batch, c, Height, Width)
                .Initializer(Floats("W0", [c, c, 1, 1], r.Normals(c * c, 0.7)))
                .Node("Conv", ["x", "W0"], ["side"], "conv0");
            bnInput = "side";
        }
        double[] gamma = r.Uniforms(c, 0.5, 1.5);
        foreach (int channel in NegativeChannels) gamma[channel] = -gamma[channel];
        b.Initializer(Floats("gamma", [c], gamma)).Initializer(Floats("beta", [c], r.Normals(c, 0.5)))
            .Initializer(Floats("mean", [c], r.Normals(c, 0.5))).Initializer(Floats("var", [c], r.Uniforms(c, 0.25, 2)))
            .Node("BatchNormalization", [bnInput, "gamma", "beta", "mean", "var"], ["h"], "bn");
        string value = Activate(b, r, "h");
        long height = Height, width = Width;
        for (int i = 0; i < Pools.Count; i++)
        {
            var p = Pools[i];
            string output = $"pool{i}";
            if (p.Kind == "GlobalAveragePool")
                b.Node(p.Kind, [value], [output], output);
            else
                b.Node(p.Kind, [value], [output], output, [("kernel_shape", new long[] { p.Kernel, p.Kernel }), ("strides", new long[] { p.Stride, p.Stride }),
                    ("pads", new long[] { p.Pad, p.Pad, p.Pad, p.Pad }), .. p.Kind == "AveragePool" ? [("count_include_pad", p.CountIncludePad ? 1L : 0L)] : Array.Empty<(string, object)>()]);
            (value, height, width) = (output, p.Out(height), p.Out(width));
        }
        long features = c * height * width;
        switch (Linear)
        {
            case PathLinear.PaddedConv:
                b.Output("y", OnnxDataType.Float, Batch, 3, height, width)
                    .Initializer(Floats("W", [3, c, 3, 3], r.Normals(3 * c * 9, 0.4))).Initializer(Floats("Wb", [3], r.Normals(3, 0.2)))
                    .Node("Conv", [value, "W", "Wb"], ["y"], "linear", ("pads", new long[] { 1, 1, 1, 1 }), ("kernel_shape", new long[] { 3, 3 }));
                break;
            case PathLinear.Gemm:
                b.Output("y", OnnxDataType.Float, Batch, 4).Node("Flatten", [value], ["flat"], "flatten")
                    .Initializer(Floats("B", [4, features], r.Normals(4 * features, 0.4))).Initializer(Floats("C", [4], r.Normals(4, 0.2)))
                    .Node("Gemm", ["flat", "B", "C"], ["y"], "linear", ("transB", 1L));
                break;
            default:
                b.Output("y", OnnxDataType.Float, Batch, 4).Node("Flatten", [value], ["flat"], "flatten")
                    .Initializer(Floats("B", [features, 4], r.Normals(features * 4, 0.4)))
                    .Node("MatMul", ["flat", "B"], ["y"], "linear");
                break;
        }
        var inputs = new Dictionary<string, RefTensor> { ["x"] = RefTensor.Of([Batch, c, Height, Width], r.Normals(Batch * c * Height * Width, 1)) };
        if (SecondBranch)
            b.Output("y2", OnnxDataType.Float, Batch, 2, height, width)
                .Initializer(Floats("W2", [2, c, 1, 1], r.Normals(2 * c, 0.6)))
                .Node("Conv", [value, "W2"], ["y2"], "branch");
        return (b.Build(), inputs);
    }

    private string Activate(GraphBuilder b, SeededRandom r, string input)
    {
        switch (Activation)
        {
            case PathActivation.Relu:
                b.Node("Relu", [input], ["act"], "act");
                break;
            case PathActivation.LeakyRelu:
                b.Node("LeakyRelu", [input], ["act"], "act", ("alpha", (float)r.Uniform(0.01, 0.5)));
                break;
            default:
                long[] dims = Activation == PathActivation.PReluPerChannel ? [Channels, 1, 1] : [1];
                b.Initializer(Floats("slope", dims, r.Uniforms(dims[0], -0.5, 0.5))).Node("PRelu", [input, "slope"], ["act"], "act");
                break;
        }
        return "act";
    }

    private static TensorData Floats(string name, long[] dims, double[] values) => TensorData.FromDoubles(name, OnnxDataType.Float, dims, values);
}
