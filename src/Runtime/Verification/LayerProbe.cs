using OnnxBn.Folding;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// ONNX Runtime returns graph outputs only, so the layer run reads intermediates from a copy of the model that
/// declares them as extra graph outputs (Polygraphy's "mark all"). The copy keeps every original output first and
/// in order; each added output carries the model's value_info declaration when it has one, and no type otherwise:
/// the runtime then types it from the node that writes it, where a type of our own reading would fail the load
/// whenever it is wrong (TopK's int64 indices declared float). The probe session's types decide what is compared,
/// and how: floats within tolerance, integers and booleans exactly.
/// </summary>
internal static class LayerProbe
{
    public static OnnxModel Expose(OnnxModel model, IEnumerable<string> names)
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
                : ValueInfo.Untyped(name));
        }
        graph.SetOutputs(outputs);
        return copy;
    }

    /// <summary>
    /// The pairs whose tensors are of a compared type in either probe session, with the original's element type as
    /// ONNX Runtime reports it (the candidate's when the original's is not compared): a sequence, a string or an
    /// 8-bit float the probe exposed has no numbers to compare.
    /// </summary>
    public static IReadOnlyList<LayerPair> ComparedPairs(IReadOnlyList<LayerPair> pairs, ModelSession original, ModelSession candidate)
    {
        var kept = new List<LayerPair>(pairs.Count);
        foreach (var pair in pairs)
        {
            var a = original.FindOutput(pair.Tensor);
            var b = candidate.FindOutput(pair.CandidateTensor);
            if (IsCompared(a) || IsCompared(b))
                kept.Add(pair with { ElementType = IsCompared(a) ? a!.ElementType : b!.ElementType });
        }
        return kept;
    }

    private static bool IsCompared(SessionPort? port) => port is { IsTensor: true } && LayerTypes.IsCompared(port.ElementType);
}
