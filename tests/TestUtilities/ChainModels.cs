using Google.Protobuf;
using OnnxBn.Folding;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.TestUtilities;

/// <summary>
/// Long Conv→BatchNormalization chains, as big graphs for scaling tests: every pair folds backward, and every
/// intermediate value is declared in value_info (as shape-inferred exports have it).
/// </summary>
public static class ChainModels
{
    /// <summary>x[1,1,1,1] → (Conv "conv_i" → BN "bn_i") × <paramref name="pairs"/> → y; 2 × pairs nodes.</summary>
    public static byte[] ConvBnChain(int pairs, bool duplicateBnNames = false)
    {
        var graph = new GraphProto { Name = "chain" };
        graph.Input.Add(Value("x0"));
        for (int i = 0; i < pairs; i++)
        {
            // Each pair has its own parameters, as a trained network does.
            foreach (var (name, value) in new[] { ("W", 2f), ("gamma", 3f), ("beta", 0.5f), ("mean", 0.25f), ("var", 4f) })
                graph.Initializer.Add(TensorProto.Parser.ParseFrom(TensorData.Create($"{name}{i}", name == "W" ? [1L, 1, 1, 1] : [1L], [value]).ToTensorProtoBytes()));
            var conv = new NodeProto { OpType = "Conv", Name = $"conv_{i}" };
            conv.Input.AddRange([$"x{i}", $"W{i}"]);
            conv.Output.Add($"c{i}");
            var bn = new NodeProto { OpType = "BatchNormalization", Name = duplicateBnNames ? "bn" : $"bn_{i}" };
            bn.Input.AddRange([$"c{i}", $"gamma{i}", $"beta{i}", $"mean{i}", $"var{i}"]);
            bn.Output.Add($"x{i + 1}");
            graph.Node.Add(conv);
            graph.Node.Add(bn);
            graph.ValueInfo.Add(Value($"c{i}"));
            if (i + 1 < pairs) graph.ValueInfo.Add(Value($"x{i + 1}"));
        }
        graph.Output.Add(Value($"x{pairs}"));
        var model = new ModelProto { IrVersion = 8, ProducerName = "OnnxBn.TestUtilities", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static ValueInfoProto Value(string name)
    {
        var shape = new TensorShapeProto();
        for (int i = 0; i < 4; i++) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)OnnxDataType.Float, Shape = shape } },
        };
    }
}
