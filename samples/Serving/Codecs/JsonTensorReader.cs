using System.Text.Json;
using OnnxBn.Folding;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Codecs;

/// <summary>
/// Reads a JSON prediction request: <c>{"inputs": {"NAME": VALUE, ...}}</c> where VALUE is nested arrays
/// (<c>[[0.1, 0.2], [0.3, 0.4]]</c>, shape from the nesting) or <c>{"shape": [2, 2], "data": [0.1, 0.2, 0.3, 0.4]}</c>
/// (flat, row-major). Numbers are read as the model input's element type; floats also accept "NaN", "Infinity" and
/// "-Infinity", booleans true/false.
/// </summary>
internal static class JsonTensorReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>The tensors in <paramref name="body"/>, typed by <paramref name="signature"/>.</summary>
    /// <exception cref="BadRequestException">Malformed JSON, an unknown input, a ragged array, a value out of range...</exception>
    public static IReadOnlyList<NamedTensor> Read(ReadOnlyMemory<byte> body, ModelSignature signature, long maxElements)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new BadRequestException($"malformed JSON: {ex.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Object)
                throw new BadRequestException("the body must be a JSON object with an \"inputs\" object: {\"inputs\": {\"NAME\": [...]}}");
            var tensors = new List<NamedTensor>();
            var budget = maxElements;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in inputs.EnumerateObject())
            {
                var inputName = JsonText.NameOf(property);
                if (!seen.Add(inputName))
                    throw new BadRequestException($"input {Quote.Name(inputName)} is given twice");
                var port = signature.FindInput(inputName) ?? throw new BadRequestException(
                    $"unknown input {Quote.Name(inputName)}; the model's inputs are: {string.Join(", ", signature.Inputs.Select(i => i.Name))}");
                if (!ElementTypes.Json.Contains(port.ElementType))
                    throw new BadRequestException(
                        $"input '{port.Name}' is {port.ElementType.DisplayName()}, which JSON cannot carry; send it as application/x-onnxbn-tensor");
                var tensor = ReadTensor(port.Name, port.ElementType, property.Value, budget);
                budget -= tensor.ElementCount;
                tensors.Add(tensor);
            }
            return tensors;
        }
    }

    private static NamedTensor ReadTensor(string name, OnnxDataType type, JsonElement value, long budget)
    {
        JsonElement data;
        long[] shape;
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (!value.TryGetProperty("shape", out var shapeElement) || !value.TryGetProperty("data", out data))
                throw new BadRequestException($"input '{name}': an object value needs \"shape\" and \"data\"");
            shape = ReadShape(name, shapeElement);
            if (value.TryGetProperty("type", out var typeElement) &&
                (typeElement.ValueKind != JsonValueKind.String || ElementTypes.Parse(JsonText.Of(typeElement)) != type))
                throw new BadRequestException($"input '{name}': \"type\" must be \"{type.DisplayName()}\", the model's element type");
            if (data.ValueKind != JsonValueKind.Array)
                throw new BadRequestException($"input '{name}': \"data\" must be a flat array of numbers");
        }
        else
        {
            data = value;
            shape = NestedShape(value);
        }
        var count = NamedTensor.ElementCountOf(shape);
        if (count < 0 || count > budget)
            throw new BadRequestException($"input '{name}': more elements than the request limit allows ({budget})");
        var bytes = new byte[count * type.SizeInBytes()];
        long written = 0;
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (data.GetArrayLength() != count)
                throw new BadRequestException($"input '{name}': \"data\" has {data.GetArrayLength()} elements, the shape needs {count}");
            foreach (var element in data.EnumerateArray())
                JsonElementWriter.Write(name, type, element, bytes, written++);
        }
        else
        {
            Fill(name, type, data, shape, 0, bytes, ref written);
        }
        return new NamedTensor(name, type, shape, bytes);
    }

    private static long[] ReadShape(string name, JsonElement shape)
    {
        if (shape.ValueKind != JsonValueKind.Array || shape.GetArrayLength() > 32)
            throw new BadRequestException($"input '{name}': \"shape\" must be an array of at most 32 dimensions");
        return shape.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var v) && v >= 0
            ? v
            : throw new BadRequestException($"input '{name}': every dimension of \"shape\" must be a non-negative integer")).ToArray();
    }

    /// <summary>The shape the nesting describes, read down the first element at each level (checked by <see cref="Fill"/>).</summary>
    private static long[] NestedShape(JsonElement value)
    {
        var shape = new List<long>();
        for (var level = value; level.ValueKind == JsonValueKind.Array; level = level[0])
        {
            shape.Add(level.GetArrayLength());
            if (level.GetArrayLength() == 0)
                break;
        }
        return [.. shape];
    }

    private static void Fill(string name, OnnxDataType type, JsonElement value, long[] shape, int depth, byte[] bytes, ref long written)
    {
        if (depth == shape.Length)
        {
            JsonElementWriter.Write(name, type, value, bytes, written++);
            return;
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != shape[depth])
            throw new BadRequestException(
                $"input '{name}': ragged nested arrays (every array at depth {depth} must have {shape[depth]} elements)");
        foreach (var element in value.EnumerateArray())
            Fill(name, type, element, shape, depth + 1, bytes, ref written);
    }
}
