using System.Buffers.Binary;
using System.Text.Json;
using OnnxBn.Folding;

namespace OnnxBn.Serving.Codecs;

/// <summary>Stores one JSON value as an element of a tensor's little-endian bytes, refusing values the type cannot hold.</summary>
internal static class JsonElementWriter
{
    /// <summary>Writes <paramref name="value"/> as element <paramref name="index"/> of <paramref name="bytes"/>.</summary>
    /// <exception cref="BadRequestException">The value is not a number of the right kind, or is out of range.</exception>
    public static void Write(string name, OnnxDataType type, JsonElement value, byte[] bytes, long index)
    {
        var at = bytes.AsSpan(checked((int)(index * type.SizeInBytes())));
        switch (type)
        {
            case OnnxDataType.Float:
                BinaryPrimitives.WriteSingleLittleEndian(at, (float)Floating(name, value, float.MaxValue));
                break;
            case OnnxDataType.Double:
                BinaryPrimitives.WriteDoubleLittleEndian(at, Floating(name, value, double.MaxValue));
                break;
            case OnnxDataType.Float16:
                BinaryPrimitives.WriteHalfLittleEndian(at, (Half)Floating(name, value, (double)Half.MaxValue));
                break;
            case OnnxDataType.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(at, Integer(name, value, long.MinValue, long.MaxValue));
                break;
            case OnnxDataType.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(at, (int)Integer(name, value, int.MinValue, int.MaxValue));
                break;
            case OnnxDataType.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(at, (short)Integer(name, value, short.MinValue, short.MaxValue));
                break;
            case OnnxDataType.Int8:
                at[0] = (byte)(sbyte)Integer(name, value, sbyte.MinValue, sbyte.MaxValue);
                break;
            case OnnxDataType.UInt8:
                at[0] = (byte)Integer(name, value, byte.MinValue, byte.MaxValue);
                break;
            case OnnxDataType.UInt16:
                BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)Integer(name, value, ushort.MinValue, ushort.MaxValue));
                break;
            case OnnxDataType.UInt32:
                BinaryPrimitives.WriteUInt32LittleEndian(at, (uint)Integer(name, value, uint.MinValue, uint.MaxValue));
                break;
            case OnnxDataType.UInt64:
                BinaryPrimitives.WriteUInt64LittleEndian(at, value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var u)
                    ? u : throw Invalid(name, value, "an unsigned 64-bit integer"));
                break;
            case OnnxDataType.Bool:
                at[0] = value.ValueKind switch
                {
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    _ => throw Invalid(name, value, "true or false"),
                };
                break;
            default:
                throw new BadRequestException($"input '{name}' is {type.DisplayName()}, which JSON cannot carry");
        }
    }

    private static double Floating(string name, JsonElement value, double max)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
            return Math.Abs(number) <= max ? number : throw Invalid(name, value, $"a number within ±{max:G3}");
        if (value.ValueKind == JsonValueKind.String)
        {
            switch (JsonText.Of(value))
            {
                case "NaN": return double.NaN;
                case "Infinity": return double.PositiveInfinity;
                case "-Infinity": return double.NegativeInfinity;
            }
        }
        throw Invalid(name, value, "a number");
    }

    private static long Integer(string name, JsonElement value, long min, long max) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max
            ? number
            : throw Invalid(name, value, $"an integer in [{min}, {max}]");

    private static BadRequestException Invalid(string name, JsonElement value, string expected) =>
        new($"input '{name}': {Describe(value)} is not {expected}");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => Quote.Name(value.GetRawText()).Trim('\''),
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array (nested deeper than the shape)",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };
}
