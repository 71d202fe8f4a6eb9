using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Cli.Tests;

/// <summary>Small models written to temporary files for the run command tests (opset 13, IR version 8).</summary>
internal static class RunCommandTestModels
{
    public static string TempDirectory() =>
        Directory.CreateTempSubdirectory("onnxbn-cli-run").FullName;

    /// <summary>logits = input · W + C with input float [batch,8] and W favouring class c for feature c % 8.</summary>
    public static string Classifier()
    {
        var weights = new float[8 * 10];
        for (var f = 0; f < 8; f++)
            for (var c = 0; c < 10; c++)
                weights[f * 10 + c] = c % 8 == f ? 1f + 0.1f * c : 0.01f * (f - c);
        var graph = new GraphProto { Name = "classifier" };
        graph.Input.Add(Tensor("input", "batch", 8));
        graph.Output.Add(Tensor("logits", "batch", 10));
        graph.Initializer.Add(Initializer("W", [8, 10], weights));
        graph.Initializer.Add(Initializer("C", [10], new float[10]));
        graph.Node.Add(Node("MatMul", ["input", "W"], "xw"));
        graph.Node.Add(Node("Add", ["xw", "C"], "logits"));
        var model = new ModelProto { IrVersion = 8, ProducerName = "onnxbn-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        var path = Path.Combine(TempDirectory(), "classifier.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = op };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto Tensor(string name, string batch, long features)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = features });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } },
        };
    }

    private static TensorProto Initializer(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = 1 };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }
}
