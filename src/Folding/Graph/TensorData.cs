using System.Runtime.InteropServices;
using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

/// <summary>
/// An immutable constant tensor (an initializer, a Constant node's value, a test input): name, element type,
/// dims and the little-endian payload. A tensor read from a file remembers its original message so that an
/// untouched tensor is written back exactly as it was read (typed fields stay typed fields, external stays external).
/// A weight a fold computed may hold its payload deferred (<see cref="DeferredPayload"/>): the bytes are a pure
/// function of immutable inputs, computed when first read, so the tensor is as immutable as any other.
/// </summary>
public sealed partial class TensorData
{
    private readonly long[] _dims;
    private readonly ReadOnlyMemory<byte> _payload;
    private readonly DeferredPayload? _deferred;

    internal TensorData(string name, OnnxDataType elementType, long[] dims, ReadOnlyMemory<byte> payload,
        TensorProto? sourceProto, ExternalPlacement? placement)
        : this(name, elementType, dims, payload, null, sourceProto, placement)
    {
    }

    /// <summary>A tensor whose payload is computed when first read (see <see cref="DeferredPayload"/>).</summary>
    internal TensorData(string name, OnnxDataType elementType, long[] dims, DeferredPayload payload)
        : this(name, elementType, dims, ReadOnlyMemory<byte>.Empty, payload, null, null)
    {
    }

    private TensorData(string name, OnnxDataType elementType, long[] dims, ReadOnlyMemory<byte> payload,
        DeferredPayload? deferred, TensorProto? sourceProto, ExternalPlacement? placement)
    {
        Name = name;
        ElementType = elementType;
        _dims = dims;
        _payload = payload;
        _deferred = deferred;
        SourceProto = sourceProto;
        Placement = placement;
        ElementCount = ShapeMath.ElementCount(dims);
    }

    /// <summary>The tensor's name (the graph value it defines, for an initializer).</summary>
    public string Name { get; }

    /// <summary>The element type of the payload; it fixes how <see cref="RawBytes"/> is read.</summary>
    public OnnxDataType ElementType { get; }

    /// <summary>The shape, outermost axis first; empty for a scalar. Every dim is at least 0.</summary>
    public IReadOnlyList<long> Dims => _dims;

    /// <summary>The number of axes: 0 for a scalar.</summary>
    public int Rank => _dims.Length;

    /// <summary>The number of elements, the product of <see cref="Dims"/> (1 for a scalar, 0 when any dim is 0).</summary>
    public long ElementCount { get; }

    /// <summary>The payload as ONNX raw_data stores it: little-endian, densely packed, row-major.</summary>
    public ReadOnlySpan<byte> RawBytes => PayloadMemory.Span;

    /// <summary>The original message, for a tensor read from a model and not changed since.</summary>
    internal TensorProto? SourceProto { get; }

    /// <summary>Where the tensor's bytes lived (or should live) in an external data file.</summary>
    internal ExternalPlacement? Placement { get; }

    /// <summary>The payload, computed first if it is deferred.</summary>
    internal ReadOnlyMemory<byte> PayloadMemory => _deferred is null ? _payload : _deferred.Bytes;

    /// <summary>Payload size in bytes, without computing a deferred payload.</summary>
    internal int PayloadLength => _deferred?.Length ?? _payload.Length;

    /// <summary>
    /// The deferred payload while it has not been computed (a writer can then stream it in pieces instead of
    /// making it whole), else null.
    /// </summary>
    internal DeferredPayload? PendingPayload => _deferred is { IsMaterialized: false } ? _deferred : null;

    /// <summary>A copy of the dims as an array.</summary>
    public long[] DimsArray() => (long[])_dims.Clone();

    /// <summary>A tensor of the given element type built from values of the same managed type.</summary>
    public static TensorData Create<T>(string name, long[] dims, ReadOnlySpan<T> values) where T : unmanaged
    {
        var type = OnnxDataTypes.Of<T>();
        long count = ShapeMath.ElementCount(dims);
        if (count != values.Length)
            throw new ArgumentException($"Tensor '{name}': {values.Length} values do not fill dims [{string.Join(",", dims)}] ({count} elements).");
        byte[] bytes = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("OnnxBn runs on little-endian machines only.");
        return new TensorData(name, type, (long[])dims.Clone(), bytes, null, null);
    }

    /// <summary>
    /// A tensor of <paramref name="elementType"/> (a float type) holding <paramref name="values"/> rounded to that
    /// type: how rules write back results they computed in float64.
    /// </summary>
    public static TensorData FromDoubles(string name, OnnxDataType elementType, long[] dims, ReadOnlySpan<double> values)
    {
        long count = ShapeMath.ElementCount(dims);
        if (count != values.Length)
            throw new ArgumentException($"Tensor '{name}': {values.Length} values do not fill dims [{string.Join(",", dims)}].");
        byte[] bytes = ElementCodec.EncodeDoubles(elementType, values, name);
        return new TensorData(name, elementType, (long[])dims.Clone(), bytes, null, null);
    }

    /// <summary>The same payload under another name (no copy).</summary>
    public TensorData WithName(string name) => new(name, ElementType, _dims, _payload, _deferred, null, Placement);

    /// <summary>The same payload with other dims of the same element count (no copy).</summary>
    public TensorData WithDims(long[] dims)
    {
        if (ShapeMath.ElementCount(dims) != ElementCount)
            throw new ArgumentException($"Tensor '{Name}': cannot reshape {ElementCount} elements to [{string.Join(",", dims)}].");
        return new TensorData(Name, ElementType, (long[])dims.Clone(), _payload, _deferred, null, Placement);
    }

    /// <summary>A copy that keeps this tensor's external placement hint (used when a rule replaces a weight).</summary>
    internal TensorData WithPlacementOf(TensorData? original) =>
        original?.Placement is null ? this : new TensorData(Name, ElementType, _dims, _payload, _deferred, null, original.Placement with { Offset = -1 });

    /// <summary>The values converted to float64 (float, double, half, bfloat16 and integer types).</summary>
    public double[] ToDoubleArray() => ElementCodec.DecodeDoubles(ElementType, RawBytes, ElementCount, Name);

    /// <summary>The values as <typeparamref name="T"/>, which must be the tensor's own element type.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var wanted = OnnxDataTypes.Of<T>();
        if (wanted != ElementType)
            throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType.DisplayName()}, not {wanted.DisplayName()}.");
        return MemoryMarshal.Cast<byte, T>(RawBytes).ToArray();
    }

    /// <summary>The values as a span of <typeparamref name="T"/> (the tensor's own element type), without copying.</summary>
    public ReadOnlySpan<T> AsSpan<T>() where T : unmanaged
    {
        var wanted = OnnxDataTypes.Of<T>();
        if (wanted != ElementType)
            throw new InvalidOperationException($"Tensor '{Name}' holds {ElementType.DisplayName()}, not {wanted.DisplayName()}.");
        return MemoryMarshal.Cast<byte, T>(RawBytes);
    }

    /// <summary>Reads a serialized TensorProto (a backend-test .pb file); external data is not allowed there.</summary>
    public static TensorData ParseTensorProto(ReadOnlySpan<byte> bytes, string? sourcePath)
    {
        TensorProto proto;
        try
        {
            proto = TensorProto.Parser.ParseFrom(bytes);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw new OnnxModelException(sourcePath, $"not a serialized ONNX TensorProto ({ex.Message})");
        }
        return TensorProtoCodec.Decode(proto, sourcePath, externalData: null);
    }

    /// <summary>Reads a serialized TensorProto file.</summary>
    public static TensorData LoadTensorProto(string path)
    {
        if (!File.Exists(path))
            throw new OnnxModelException(path, "file not found");
        return ParseTensorProto(File.ReadAllBytes(path), path);
    }

    /// <summary>This tensor as a serialized TensorProto (raw_data layout unless unchanged since it was read).</summary>
    public byte[] ToTensorProtoBytes() => Google.Protobuf.MessageExtensions.ToByteArray(TensorProtoCodec.EncodeInline(this));

    /// <summary>Name, element type and dims, e.g. "conv1.weight: float32[64,3,7,7]"; the payload is not printed.</summary>
    public override string ToString() => $"{Name}: {ElementType.DisplayName()}[{string.Join(",", _dims)}]";
}
