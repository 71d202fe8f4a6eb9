using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Runtime.Tests;

/// <summary>Tiny ONNX models built in code (opset 13, IR version 8), so the tests need no model files.</summary>
internal static class TestModels
{
    /// <summary>Y = Relu(X + B) with X float [N,4] (symbolic N) and B = [-1, 0, 1, 2]; second output S = X + B.</summary>
    public static byte[] AddRelu()
    {
        var graph = new GraphProto { Name = "add_relu" };
        graph.Input.Add(Tensor("X", 1, "N", 4));
        graph.Output.Add(Tensor("Y", 1, "N", 4));
        graph.Output.Add(Tensor("S", 1, "N", 4));
        graph.Initializer.Add(FloatInitializer("B", [4], [-1f, 0f, 1f, 2f]));
        graph.Node.Add(Node("Add", ["X", "B"], ["S"]));
        graph.Node.Add(Node("Relu", ["S"], ["Y"]));
        return Serialize(graph);
    }

    /// <summary>Y = Identity(X) for X of ONNX element type <paramref name="elementType"/> and shape [2,3].</summary>
    public static byte[] Identity(int elementType)
    {
        var graph = new GraphProto { Name = "identity" };
        graph.Input.Add(Tensor("X", elementType, 2, 3));
        graph.Output.Add(Tensor("Y", elementType, 2, 3));
        graph.Node.Add(Node("Identity", ["X"], ["Y"]));
        return Serialize(graph);
    }

    /// <summary>
    /// Logits = X · W + C with X float [N,8] and fixed W [8,10], C [10]: a small classifier whose class k wins for an
    /// input with a large value at feature k % 8.
    /// </summary>
    public static byte[] Classifier()
    {
        var weights = new float[8 * 10];
        for (var f = 0; f < 8; f++)
            for (var c = 0; c < 10; c++)
                weights[f * 10 + c] = c % 8 == f ? 1f + 0.1f * c : 0.01f * (f - c);
        var bias = Enumerable.Range(0, 10).Select(c => 0.001f * c).ToArray();
        var graph = new GraphProto { Name = "classifier" };
        graph.Input.Add(Tensor("input", 1, "batch", 8));
        graph.Output.Add(Tensor("logits", 1, "batch", 10));
        graph.Initializer.Add(FloatInitializer("W", [8, 10], weights));
        graph.Initializer.Add(FloatInitializer("C", [10], bias));
        graph.Node.Add(Node("MatMul", ["input", "W"], ["xw"]));
        graph.Node.Add(Node("Add", ["xw", "C"], ["logits"]));
        return Serialize(graph);
    }

    /// <summary>A chain of <paramref name="depth"/> MatMuls of X [size,size] with one shared weight: slow enough to cancel.</summary>
    public static byte[] MatMulChain(int depth, int size)
    {
        var graph = new GraphProto { Name = "chain" };
        graph.Input.Add(Tensor("X", 1, size, size));
        graph.Output.Add(Tensor("Y", 1, size, size));
        var identityish = new float[size * size];
        for (var i = 0; i < size; i++)
            identityish[i * size + i] = 1f;
        graph.Initializer.Add(FloatInitializer("W", [size, size], identityish));
        var current = "X";
        for (var i = 0; i < depth; i++)
        {
            var next = i == depth - 1 ? "Y" : $"h{i}";
            graph.Node.Add(Node("MatMul", [current, "W"], [next]));
            current = next;
        }
        return Serialize(graph);
    }

    public static string WriteTemp(byte[] model, string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "onnxbn-runtime-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, model);
        return path;
    }

    private static byte[] Serialize(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "onnxbn-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{outputs[0]}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static ValueInfoProto Tensor(string name, int elementType, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is string symbol
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim) });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } },
        };
    }

    private static TensorProto FloatInitializer(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = 1 };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }
}
