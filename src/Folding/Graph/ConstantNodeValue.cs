using OnnxBn.Folding.Onnx;

namespace OnnxBn.Folding;

/// <summary>Reads the value of a Constant node in any of its attribute forms (value, value_float(s), value_int(s)).</summary>
internal static class ConstantNodeValue
{
    public static TensorData? Read(Node node, string? file)
    {
        string name = node.Output(0);
        var attribute = node.Proto.Attribute.FirstOrDefault();
        if (attribute is null) return null;
        return attribute.Name switch
        {
            "value" when attribute.T is { } t => TensorProtoCodec.Decode(t, file, externalData: null).WithName(name),
            "value_float" => TensorData.Create(name, [], [attribute.F]),
            "value_floats" => TensorData.Create(name, [attribute.Floats.Count], attribute.Floats.ToArray().AsSpan()),
            "value_int" => TensorData.Create(name, [], [attribute.I]),
            "value_ints" => TensorData.Create(name, [attribute.Ints.Count], attribute.Ints.ToArray().AsSpan()),
            _ => null,
        };
    }
}
