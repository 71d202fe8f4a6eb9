using System.Runtime.InteropServices;
using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Reads a TensorProto into a <see cref="TensorData"/> with every consistency check a hostile file needs, and
/// writes tensors back. The only place that knows the typed repeated fields of TensorProto.
/// </summary>
internal static class TensorProtoCodec
{
    /// <summary>Tensors above this many elements are refused outright: 2^40 elements is no real model.</summary>
    private const long MaxElements = 1L << 40;

    public static TensorData Decode(TensorProto proto, string? file, ExternalDataReader? externalData)
    {
        string name = proto.Name ?? "";
        string label = name.Length == 0 ? "<unnamed tensor>" : $"tensor '{name}'";
        var type = (OnnxDataType)proto.DataType;
        if (!Enum.IsDefined(type) || type == OnnxDataType.Undefined)
            throw new OnnxModelException(file, $"unknown element type {proto.DataType}", label);

        long[] dims = proto.Dims.ToArray();
        long count = CheckedCount(dims, file, label);
        if (proto.Segment is not null)
            throw new UnsupportedModelException(file, "segmented tensors are not supported", label);

        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
        {
            if (externalData is null)
                throw new OnnxModelException(file, "external data is not allowed here", label);
            var (payload, placement) = externalData.Read(proto, label, ExpectedBytes(type, count, file, label));
            return new TensorData(name, type, dims, payload, proto, placement);
        }

        if (type == OnnxDataType.String)
        {
            if (proto.StringData.Count != count)
                throw new OnnxModelException(file, $"holds {proto.StringData.Count} strings but its dims {ShapeMath.Format(dims)} need {count}", label);
            return new TensorData(name, type, dims, ReadOnlyMemory<byte>.Empty, proto, null);
        }

        if (proto.HasRawData)
        {
            long expected = ExpectedBytes(type, count, file, label);
            if (proto.RawData.Length != expected)
                throw new OnnxModelException(file,
                    $"raw_data has {proto.RawData.Length} bytes but dims {ShapeMath.Format(dims)} of {type.DisplayName()} need {expected}", label);
            return new TensorData(name, type, dims, proto.RawData.Memory, proto, null);
        }

        return new TensorData(name, type, dims, DecodeTypedFields(proto, type, count, file, label), proto, null);
    }

    private static long CheckedCount(long[] dims, string? file, string label)
    {
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0)
                throw new OnnxModelException(file, $"has a negative dimension ({d}) in {ShapeMath.Format(dims)}", label);
            if (d != 0 && count > MaxElements / d)
                throw new OnnxModelException(file, $"claims an absurd size: dims {ShapeMath.Format(dims)}", label);
            count *= d;
        }
        return count;
    }

    private static long ExpectedBytes(OnnxDataType type, long count, string? file, string label)
    {
        if (type is OnnxDataType.Int4 or OnnxDataType.UInt4 or OnnxDataType.Float4E2M1)
            return (count + 1) / 2;
        int size = type.SizeInBytes();
        if (size == 0)
            throw new UnsupportedModelException(file, $"{type.DisplayName()} tensors cannot be stored as raw bytes", label);
        return count * size;
    }

    private static byte[] DecodeTypedFields(TensorProto p, OnnxDataType type, long count, string? file, string label)
    {
        switch (type)
        {
            case OnnxDataType.Float:
                return Bytes<float>(p.FloatData, count, "float_data", file, label);
            case OnnxDataType.Complex64:
                return Bytes<float>(p.FloatData, 2 * count, "float_data", file, label);
            case OnnxDataType.Double:
                return Bytes<double>(p.DoubleData, count, "double_data", file, label);
            case OnnxDataType.Complex128:
                return Bytes<double>(p.DoubleData, 2 * count, "double_data", file, label);
            case OnnxDataType.Int64:
                return Bytes<long>(p.Int64Data, count, "int64_data", file, label);
            case OnnxDataType.UInt64:
                return Bytes<ulong>(p.Uint64Data, count, "uint64_data", file, label);
            case OnnxDataType.UInt32:
                CheckCount(p.Uint64Data.Count, count, "uint64_data", file, label);
                return MemoryMarshal.AsBytes(p.Uint64Data.Select(v => (uint)v).ToArray().AsSpan()).ToArray();
            case OnnxDataType.Int32:
                return Bytes<int>(p.Int32Data, count, "int32_data", file, label);
            default:
                return NarrowInt32Field(p, type, count, file, label);
        }
    }

    /// <summary>Types narrower than 32 bits travel in int32_data, one element (or, for 4-bit types, two) per entry.</summary>
    private static byte[] NarrowInt32Field(TensorProto p, OnnxDataType type, long count, string? file, string label)
    {
        int size = type.SizeInBytes();
        if (size == 0)
        {
            long packed = (count + 1) / 2;
            CheckCount(p.Int32Data.Count, packed, "int32_data", file, label);
            return p.Int32Data.Select(v => (byte)v).ToArray();
        }
        CheckCount(p.Int32Data.Count, count, "int32_data", file, label);
        var bytes = new byte[count * size];
        for (int i = 0; i < p.Int32Data.Count; i++)
        {
            int v = p.Int32Data[i];
            if (size == 1) bytes[i] = (byte)v;
            else { bytes[2 * i] = (byte)v; bytes[2 * i + 1] = (byte)(v >> 8); }
        }
        return bytes;
    }

    private static byte[] Bytes<T>(Google.Protobuf.Collections.RepeatedField<T> field, long count, string fieldName, string? file, string label)
        where T : unmanaged
    {
        CheckCount(field.Count, count, fieldName, file, label);
        return MemoryMarshal.AsBytes(field.ToArray().AsSpan()).ToArray();
    }

    private static void CheckCount(int actual, long expected, string fieldName, string? file, string label)
    {
        if (actual != expected)
            throw new OnnxModelException(file, $"{fieldName} holds {actual} values but its dims need {expected}", label);
    }

    /// <summary>The message for a tensor that is stored inside the model (the original message when unchanged).</summary>
    public static TensorProto EncodeInline(TensorData tensor)
    {
        if (tensor.SourceProto is { } source && source.DataLocation != TensorProto.Types.DataLocation.External && source.Name == tensor.Name)
            return source;
        var proto = NewHeader(tensor);
        proto.RawData = UnsafeByteOperations.UnsafeWrap(tensor.PayloadMemory);
        return proto;
    }

    /// <summary>
    /// The message <see cref="EncodeInline"/> makes, but with raw_data present and empty, for a writer that splices
    /// the payload in itself (<see cref="SplicedModel"/>); null when the tensor's bytes are not stored as raw_data
    /// (an unchanged tensor read from typed fields keeps them, see <see cref="EncodeInline"/>). Never computes a
    /// deferred payload.
    /// </summary>
    public static TensorProto? EncodeInlineHeader(TensorData tensor)
    {
        TensorProto proto;
        if (tensor.SourceProto is { } source && source.DataLocation != TensorProto.Types.DataLocation.External && source.Name == tensor.Name)
        {
            if (!source.HasRawData)
                return null;
            proto = source.Clone();
        }
        else
        {
            proto = NewHeader(tensor);
        }
        proto.RawData = ByteString.Empty;
        return proto;
    }

    /// <summary>The message for a tensor whose bytes go to <paramref name="placement"/>.</summary>
    public static TensorProto EncodeExternal(TensorData tensor, ExternalPlacement placement)
    {
        TensorProto proto;
        if (tensor.SourceProto is { } source && source.Name == tensor.Name)
        {
            proto = source.Clone();
            proto.ClearRawData();
            proto.FloatData.Clear(); proto.DoubleData.Clear(); proto.Int32Data.Clear();
            proto.Int64Data.Clear(); proto.Uint64Data.Clear();
        }
        else
        {
            proto = NewHeader(tensor);
        }
        proto.DataLocation = TensorProto.Types.DataLocation.External;
        ExternalDataEntries.Set(proto, placement);
        return proto;
    }

    private static TensorProto NewHeader(TensorData tensor)
    {
        var proto = new TensorProto { Name = tensor.Name, DataType = (int)tensor.ElementType };
        proto.Dims.AddRange(tensor.Dims);
        return proto;
    }
}
