using System.Globalization;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Codecs;

/// <summary>
/// The binary format, <c>application/x-onnxbn-tensor</c> (or <c>application/octet-stream</c>): the body is one
/// tensor's elements, little-endian, row-major, nothing else; headers describe it. Request:
/// <c>X-Tensor-Shape: 1,1,28,28</c> (required), <c>X-Tensor-Name</c> (required when the model has several inputs),
/// <c>X-Tensor-Type: float32</c> (optional; must be the input's type), <c>X-Output-Name</c> (optional: which output
/// to return, default the first). The answer carries the same three headers for the output it holds. Names are
/// UTF-8 (<see cref="TensorNameHeaders"/>).
/// </summary>
internal static class BinaryTensorCodec
{
    /// <summary>The media type.</summary>
    public const string MediaType = "application/x-onnxbn-tensor";

    /// <summary>Header: the tensor's name.</summary>
    public const string NameHeader = "X-Tensor-Name";

    /// <summary>Header: the tensor's dimensions, comma-separated.</summary>
    public const string ShapeHeader = "X-Tensor-Shape";

    /// <summary>Header: the tensor's element type (float32, int64, ...).</summary>
    public const string TypeHeader = "X-Tensor-Type";

    /// <summary>Request header: the output to return.</summary>
    public const string OutputHeader = "X-Output-Name";

    /// <summary>The one input tensor a binary request carries.</summary>
    /// <exception cref="BadRequestException">Missing or malformed headers, or a body of the wrong length.</exception>
    public static NamedTensor Read(IHeaderDictionary headers, byte[] body, ModelSignature signature, long maxElements)
    {
        string? name = TensorNameHeaders.Read(headers, NameHeader);
        if (name is null)
        {
            if (signature.Inputs.Count != 1)
                throw new BadRequestException($"the model has {signature.Inputs.Count} inputs: name the one sent in {NameHeader}");
            name = signature.Inputs[0].Name;
        }
        var port = signature.FindInput(name) ?? throw new BadRequestException(
            $"unknown input {Quote.Name(name)}; the model's inputs are: {string.Join(", ", signature.Inputs.Select(i => i.Name))}");
        string? typeText = headers[TypeHeader];
        if (typeText is not null && ElementTypes.Parse(typeText) != port.ElementType)
            throw new BadRequestException($"{TypeHeader} is {Quote.Name(typeText)} but input '{port.Name}' is {port.ElementType.DisplayName()}");
        var size = port.ElementType.SizeInBytes();
        if (size == 0)
            throw new BadRequestException($"input '{port.Name}' is {port.ElementType.DisplayName()}, which has no fixed-size binary form");
        var shape = ParseShape(headers[ShapeHeader]);
        var count = NamedTensor.ElementCountOf(shape);
        if (count < 0 || count > maxElements)
            throw new BadRequestException($"{ShapeHeader} describes more elements than the request limit allows ({maxElements})");
        if (body.LongLength != count * size)
            throw new BadRequestException(
                $"the body has {body.LongLength} bytes; shape {TensorDataInterop.FormatShape(shape)} of {port.ElementType.DisplayName()} needs {count * size}");
        return new NamedTensor(port.Name, port.ElementType, shape, body);
    }

    /// <summary>The output a binary answer holds: the one named in <see cref="OutputHeader"/>, else the first.</summary>
    /// <exception cref="BadRequestException">The header names no output.</exception>
    public static NamedTensor Choose(IHeaderDictionary requestHeaders, IReadOnlyList<NamedTensor> outputs)
    {
        string? wanted = TensorNameHeaders.Read(requestHeaders, OutputHeader);
        return wanted is null
            ? outputs[0]
            : outputs.FirstOrDefault(o => o.Name == wanted) ?? throw new BadRequestException(
                $"unknown output {Quote.Name(wanted)}; the model's outputs are: {string.Join(", ", outputs.Select(o => o.Name))}");
    }

    /// <summary>Sets the headers that describe <paramref name="output"/>.</summary>
    public static void Describe(IHeaderDictionary headers, NamedTensor output)
    {
        headers[NameHeader] = TensorNameHeaders.Write(output.Name);
        headers[ShapeHeader] = string.Join(",", output.Shape);
        headers[TypeHeader] = output.ElementType.DisplayName();
    }

    private static long[] ParseShape(string? text)
    {
        if (text is null)
            throw new BadRequestException($"a binary request needs {ShapeHeader} (for example 1,1,28,28)");
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (text.Trim().Length == 0)
            return [];
        if (parts.Length > 32)
            throw new BadRequestException($"{ShapeHeader} has more than 32 dimensions");
        return parts.Select(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw new BadRequestException($"{ShapeHeader} must be comma-separated non-negative integers, not {Quote.Name(text)}")).ToArray();
    }
}
