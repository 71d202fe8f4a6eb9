using System.Buffers.Binary;
using System.Text.Json;
using OnnxBn.Folding;

namespace OnnxBn.Serving.Codecs;

/// <summary>
/// Writes a JSON prediction answer:
/// <c>{"generation": 1, "outputs": {"NAME": {"type": "float32", "shape": [1, 10], "data": [...]}}}</c>, data flat and
/// row-major, floats in their shortest round-trip form (so the client reads back the exact bits), non-finite floats as
/// "NaN", "Infinity", "-Infinity".
/// </summary>
internal static class JsonTensorWriter
{
    /// <summary>Writes the answer to <paramref name="writer"/>.</summary>
    /// <exception cref="BadRequestException">An output's element type has no JSON form.</exception>
    public static void Write(Utf8JsonWriter writer, long generation, IReadOnlyList<NamedTensor> outputs)
    {
        writer.WriteStartObject();
        writer.WriteNumber("generation", generation);
        writer.WriteStartObject("outputs");
        foreach (var output in outputs)
        {
            if (!ElementTypes.Json.Contains(output.ElementType))
                throw new BadRequestException(
                    $"output '{output.Name}' is {output.ElementType.DisplayName()}, which JSON cannot carry; ask for application/x-onnxbn-tensor");
            writer.WriteStartObject(output.Name);
            writer.WriteString("type", output.ElementType.DisplayName());
            writer.WriteStartArray("shape");
            foreach (var dim in output.Shape)
                writer.WriteNumberValue(dim);
            writer.WriteEndArray();
            writer.WriteStartArray("data");
            WriteElements(writer, output.ElementType, output.Data);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteElements(Utf8JsonWriter writer, OnnxDataType type, ReadOnlySpan<byte> data)
    {
        var size = type.SizeInBytes();
        for (var at = 0; at + size <= data.Length; at += size)
        {
            var element = data.Slice(at, size);
            switch (type)
            {
                case OnnxDataType.Float: WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(element)); break;
                case OnnxDataType.Double: WriteFloat(writer, BinaryPrimitives.ReadDoubleLittleEndian(element)); break;
                case OnnxDataType.Float16: WriteFloat(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(element)); break;
                case OnnxDataType.Int64: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(element)); break;
                case OnnxDataType.Int32: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(element)); break;
                case OnnxDataType.Int16: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(element)); break;
                case OnnxDataType.Int8: writer.WriteNumberValue((sbyte)element[0]); break;
                case OnnxDataType.UInt8: writer.WriteNumberValue(element[0]); break;
                case OnnxDataType.UInt16: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(element)); break;
                case OnnxDataType.UInt32: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(element)); break;
                case OnnxDataType.UInt64: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(element)); break;
                case OnnxDataType.Bool: writer.WriteBooleanValue(element[0] != 0); break;
            }
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    private static void WriteFloat(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }
}
