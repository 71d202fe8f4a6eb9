using OnnxBn.Folding;

namespace OnnxBn.TestUtilities.Random;

public static partial class FoldProblemBuilder
{
    /// <summary>Emits the nodes and weights of one problem; the last value is renamed to the graph output.</summary>
    private sealed class Emitter(FoldProblem p)
    {
        private readonly SeededRandom _rng = new(unchecked(p.Seed * 17 + 3));
        private readonly List<(string Op, string[] Inputs, string[] Outputs, string Name, (string, object)[] Attributes)> _nodes = [];
        private int _next;

        public GraphBuilder Builder { get; } = new(opset: 13);

        /// <summary>Adds the buffered nodes, with <paramref name="last"/> renamed to <paramref name="output"/>.</summary>
        public GraphBuilder Finish(string last, string output)
        {
            string Rename(string v) => v == last ? output : v;
            foreach (var n in _nodes)
                Builder.Node(n.Op, n.Inputs.Select(Rename).ToArray(), n.Outputs.Select(Rename).ToArray(), n.Name, n.Attributes);
            return Builder;
        }

        private string Node(string op, string[] inputs, params (string, object)[] attributes)
        {
            string output = $"{op.ToLowerInvariant()}_{_next++}";
            _nodes.Add((op, inputs, [output], $"{op}_{_nodes.Count}", attributes));
            return output;
        }

        private string Weight(string stem, long[] dims, double[] values)
        {
            string name = $"{stem}_{_next++}";
            Builder.Initializer(TensorData.FromDoubles(name, p.ElementType, dims, values));
            return name;
        }

        public string Linear(string x) => p.Kind switch
        {
            LinearKind.Conv or LinearKind.ConvTranspose => Conv(x),
            LinearKind.Gemm => Gemm(x),
            _ => MatMul(x),
        };

        private string Conv(string x)
        {
            bool transpose = p.Kind == LinearKind.ConvTranspose;
            long[] wDims = transpose
                ? [p.InChannels, p.OutChannels / p.Group, .. p.Kernel]
                : [p.OutChannels, p.InChannels / p.Group, .. p.Kernel];
            long fanIn = wDims[1..].Aggregate(1L, (a, d) => a * d);
            string w = Weight("W", wDims, _rng.Normals(wDims.Aggregate(1L, (a, d) => a * d), 1 / Math.Sqrt(fanIn)));
            var inputs = new List<string> { x, w };
            if (p.Bias) inputs.Add(Weight("B", [p.OutChannels], _rng.Normals(p.OutChannels, 0.5)));
            var attributes = new List<(string, object)> { ("group", p.Group) };
            if (p.Strides.Length > 0) attributes.Add(("strides", p.Strides));
            if (p.Dilations.Length > 0) attributes.Add(("dilations", p.Dilations));
            if (p.AutoPad != "NOTSET") attributes.Add(("auto_pad", p.AutoPad));
            else if (p.Pads.Length > 0) attributes.Add(("pads", p.Pads));
            if (transpose && p.OutputPadding.Length > 0) attributes.Add(("output_padding", p.OutputPadding));
            if (_rng.Chance(0.5)) attributes.Add(("kernel_shape", p.Kernel));
            return Node(p.Kind.ToString(), [.. inputs], [.. attributes]);
        }

        private string Gemm(string x)
        {
            long k = p.InChannels, n = p.OutChannels;
            string b = Weight("B", p.TransB ? [n, k] : [k, n], _rng.Normals(k * n, 1 / Math.Sqrt(k)));
            var inputs = new List<string> { x, b };
            long[]? cDims = p.C switch
            {
                GemmC.Scalar => [],
                GemmC.Vector => [n],
                GemmC.Row => [1, n],
                GemmC.Full => [p.Batch, n],
                _ => null,
            };
            if (cDims is not null) inputs.Add(Weight("C", cDims, _rng.Normals(cDims.Aggregate(1L, (a, d) => a * d), 0.5)));
            return Node("Gemm", [.. inputs], ("alpha", p.Alpha), ("beta", p.Beta), ("transB", p.TransB ? 1L : 0L));
        }

        private string MatMul(string x)
        {
            long k = p.InChannels, n = p.OutChannels;
            string y = Node("MatMul", [x, Weight("W", [k, n], _rng.Normals(k * n, 1 / Math.Sqrt(k)))]);
            if (p.Kind != LinearKind.MatMulAdd) return y;
            // Both operand orders occur in exported models (PyTorch writes Add(bias, y) for some Linear exports).
            string bias = Weight("b", [n], _rng.Normals(n, 0.5));
            return _rng.Chance(0.5) ? Node("Add", [y, bias]) : Node("Add", [bias, y]);
        }

        /// <summary>One BN (or tf2onnx Mul+Add) over axis 1 with <paramref name="channels"/> channels.</summary>
        public string Affine(string x, long channels)
        {
            int rank = FoldProblemBuilder.InputShape(p).Length;
            if (p.Affine == AffineForm.MulAdd)
            {
                // tf2onnx emits [C] constants on a [N, C] tensor; rank 3+ would need [C, 1, ...] to hit axis 1.
                long[] dims = [channels, .. Enumerable.Repeat(1L, Math.Max(0, rank - 2))];
                string scaled = Node("Mul", [x, Weight("scale", dims, _rng.Uniforms(channels, 0.5, 1.5))]);
                return Node("Add", [scaled, Weight("shift", dims, _rng.Normals(channels, 0.2))]);
            }
            string gamma = Weight("gamma", [channels], _rng.Uniforms(channels, 0.5, 1.5));
            string beta = Weight("beta", [channels], _rng.Normals(channels, 0.2));
            string mean = Weight("mean", [channels], _rng.Normals(channels, 0.5));
            string variance = Weight("var", [channels], _rng.Uniforms(channels, 0.5, 2));
            return _rng.Chance(0.3)
                ? Node("BatchNormalization", [x, gamma, beta, mean, variance])
                : Node("BatchNormalization", [x, gamma, beta, mean, variance], ("epsilon", _rng.Pick(1e-5f, 1e-3f, 0.1f)));
        }

        public string Activation(string op, string x) => op switch
        {
            "LeakyRelu" => Node(op, [x], ("alpha", 0.1f)),
            "Elu" => Node(op, [x], ("alpha", 0.7f)),
            "Clip" => Node(op, [x, Weight("min", [], [-1]), Weight("max", [], [1.5])]),
            _ => Node(op, [x]),
        };

        public string Reshape(string x) => p.Reshaping switch
        {
            Reshaping.Flatten => Node("Flatten", [x]),
            Reshaping.Reshape => Node("Reshape", [x, ShapeConstant()]),
            Reshaping.DynamicView => Node("Reshape", [x, ViewShape(x)]),
            _ => x,
        };

        /// <summary>
        /// [x.size(0), -1 | K] as the exporter computes it (opset 13): Gather with a scalar 0 then Unsqueeze, or with
        /// [0]; -1 or K as a vector, or as a scalar under its own Unsqueeze; sometimes a Cast to int64 at the end.
        /// </summary>
        private string ViewShape(string x)
        {
            string dims = Node("Shape", [x]);
            string batch = _rng.Chance(0.5)
                ? Node("Unsqueeze", [Node("Gather", [dims, Int64("index", [], 0)], ("axis", 0L)), Int64("axes", [1], 0)])
                : Node("Gather", [dims, Int64("index", [1], 0)], ("axis", 0L));
            long features = _rng.Chance(0.7) ? -1 : p.InChannels;
            string last = _rng.Chance(0.5)
                ? Int64("features", [1], features)
                : Node("Unsqueeze", [Int64("features", [], features), Int64("axes", [1], 0)]);
            string shape = Node("Concat", [batch, last], ("axis", 0L));
            return _rng.Chance(0.3) ? Node("Cast", [shape], ("to", (long)OnnxDataType.Int64)) : shape;
        }

        private string Int64(string stem, long[] dims, long value)
        {
            string name = $"{stem}_{_next++}";
            Builder.Initializer(TensorData.Create<long>(name, dims, [value]));
            return name;
        }

        private string ShapeConstant()
        {
            string name = $"shape_{_next++}";
            Builder.Initializer(TensorData.Create<long>(name, [2], [0, -1]));
            return name;
        }
    }
}
