using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Serving.Codecs;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Inference;

/// <summary>Checks a request's tensors against the model before anything reaches ONNX Runtime.</summary>
internal static class InputValidator
{
    /// <summary>
    /// The tensors in the model's input order, once each is known, present exactly once, of the input's element type,
    /// rank and fixed dimensions, with no empty dimension, and all together within <paramref name="maxElements"/>.
    /// </summary>
    /// <exception cref="BadRequestException">The first rule broken, with the input it concerns.</exception>
    public static NamedTensor[] InModelOrder(IReadOnlyList<NamedTensor> tensors, ModelSignature signature, long maxElements)
    {
        var ordered = new NamedTensor[signature.Inputs.Count];
        long total = 0;
        foreach (var tensor in tensors)
        {
            var index = IndexOf(signature, tensor.Name);
            if (ordered[index] is not null)
                throw new BadRequestException($"input '{tensor.Name}' is given twice");
            var port = signature.Inputs[index];
            if (tensor.ElementType != port.ElementType)
                throw new BadRequestException($"input '{port.Name}' must be {port.ElementType.DisplayName()}, not {tensor.ElementType.DisplayName()}");
            if (tensor.Shape.Length != port.Shape.Count)
                throw new BadRequestException(
                    $"input '{port.Name}' has shape {TensorDataInterop.FormatShape(tensor.Shape)}; the model expects {port.ShapeText} (rank {port.Shape.Count})");
            for (var d = 0; d < tensor.Shape.Length; d++)
            {
                if (port.Shape[d] >= 0 && tensor.Shape[d] != port.Shape[d])
                    throw new BadRequestException(
                        $"input '{port.Name}' has shape {TensorDataInterop.FormatShape(tensor.Shape)}; the model expects {port.ShapeText}");
                if (tensor.Shape[d] == 0)
                    throw new BadRequestException($"input '{port.Name}' has an empty dimension {d}");
            }
            total += tensor.ElementCount;
            if (total > maxElements)
                throw new BadRequestException($"the request holds more than {maxElements} elements");
            ordered[index] = tensor;
        }
        for (var i = 0; i < ordered.Length; i++)
        {
            if (ordered[i] is null)
                throw new BadRequestException($"input '{signature.Inputs[i].Name}' is missing");
        }
        return ordered;
    }

    private static int IndexOf(ModelSignature signature, string name)
    {
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            if (signature.Inputs[i].Name == name)
                return i;
        }
        throw new BadRequestException(
            $"unknown input {Quote.Name(name)}; the model's inputs are: {string.Join(", ", signature.Inputs.Select(i => i.Name))}");
    }
}
