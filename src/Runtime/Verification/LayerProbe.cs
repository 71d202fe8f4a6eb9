using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// ONNX Runtime returns graph outputs only, so the layer run reads intermediates from a copy of the model that
/// declares them as extra graph outputs (Polygraphy's "mark all"). The copy keeps every original output first and
/// in order; each added output carries its value_info declaration when the model has one, else its inferred type.
/// </summary>
internal static class LayerProbe
{
    public static OnnxModel Expose(OnnxModel model, IEnumerable<string> names, IReadOnlyDictionary<string, OnnxDataType> types)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var outputs = graph.Outputs.ToList();
        var present = outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!present.Add(name))
                continue;
            outputs.Add(graph.FindValueInfo(name) is { IsTensor: true } declared && declared.ElementType != OnnxDataType.Undefined
                ? declared
                : ValueInfo.Tensor(name, types[name]));
        }
        graph.SetOutputs(outputs);
        return copy;
    }
}
