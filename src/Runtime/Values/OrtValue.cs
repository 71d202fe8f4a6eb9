using OnnxBn.Folding;
using System.Runtime.InteropServices;
using OnnxBn.Runtime.Native;

namespace OnnxBn.Runtime.Values;

/// <summary>
/// An ONNX Runtime value (<c>OrtValue</c>): a tensor either wrapping caller memory without a copy
/// (<see cref="CreateTensor{T}(Memory{T}, ReadOnlySpan{long})"/>; the value owns the pin on that memory) or allocated
/// by ONNX Runtime (<see cref="Allocate"/>, and the outputs of a run). Dispose it to release the native value.
/// </summary>
/// <remarks>
/// Type, shape and the data pointer are read once when the value is created, so reading the data afterwards costs no
/// native call and allocates nothing. Non-tensor values (sequences, maps) have <see cref="IsTensor"/> false.
/// </remarks>
public sealed unsafe class OrtValue : IDisposable
{
    private static readonly Lazy<MemoryInfoHandle> CpuMemory = new(CreateCpuMemoryInfo);

    private readonly long[] _shape;
    private readonly void* _data;

    private OrtValue(ValueHandle handle, bool isTensor, TensorElementType type, long[] shape, long count, void* data)
    {
        Handle = handle;
        IsTensor = isTensor;
        ElementType = type;
        _shape = shape;
        ElementCount = count;
        _data = data;
    }

    internal ValueHandle Handle { get; }

    /// <summary>True for tensors; false for sequences, maps and other non-tensor values.</summary>
    public bool IsTensor { get; }

    /// <summary>The element type (<see cref="TensorElementType.Undefined"/> for a non-tensor value).</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The tensor's dimensions (empty for a scalar and for non-tensor values).</summary>
    public ReadOnlySpan<long> Shape => _shape;

    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>True once <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => Handle.IsClosed;

    /// <summary>
    /// Wraps <paramref name="data"/> as a tensor of <paramref name="shape"/> without copying. The memory stays pinned
    /// until the value is disposed (or finalized); ONNX Runtime reads inputs from it and writes outputs into it.
    /// </summary>
    /// <exception cref="ArgumentException">The element count of <paramref name="shape"/> differs from the data length.</exception>
    public static OrtValue CreateTensor<T>(Memory<T> data, ReadOnlySpan<long> shape) where T : unmanaged
    {
        var type = TensorElementTypes.Of<T>();
        var count = OrtShapes.ElementCount(shape);
        if (count != data.Length)
            throw new ArgumentException(
                $"Shape {OrtShapes.FormatShape(shape.ToArray())} holds {count} elements but the buffer has {data.Length}.",
                nameof(data));

        var api = OrtApi.Instance;
        var memory = CpuMemory.Value;
        var pin = data.Pin();
        nint value = 0;
        try
        {
            fixed (long* dims = shape)
                api.Check(api.CreateTensorWithDataAsOrtValue(memory.DangerousGetHandle(), pin.Pointer,
                    (nuint)(count * sizeof(T)), dims, (nuint)shape.Length, (int)type, &value));
        }
        catch
        {
            pin.Dispose();
            throw;
        }
        return new OrtValue(new ValueHandle(value, pin), true, type, shape.ToArray(), count, pin.Pointer);
    }

    /// <summary>Wraps an array as a tensor without copying (see <see cref="CreateTensor{T}(Memory{T}, ReadOnlySpan{long})"/>).</summary>
    public static OrtValue CreateTensor<T>(T[] data, ReadOnlySpan<long> shape) where T : unmanaged =>
        CreateTensor(data.AsMemory(), shape);

    /// <summary>Allocates a zero-filled tensor in native memory with ONNX Runtime's default CPU allocator.</summary>
    public static OrtValue Allocate(TensorElementType type, ReadOnlySpan<long> shape)
    {
        var size = TensorElementTypes.SizeInBytes(type);
        if (size == 0)
            throw new NotSupportedException($"Cannot allocate a tensor of {type}.");
        var count = OrtShapes.ElementCount(shape);
        var api = OrtApi.Instance;
        nint value;
        fixed (long* dims = shape)
            api.Check(api.CreateTensorAsOrtValue(api.DefaultAllocator, dims, (nuint)shape.Length, (int)type, &value));
        var handle = new ValueHandle(value);
        void* data;
        api.Check(api.GetTensorMutableData(value, &data));
        NativeMemory.Clear(data, (nuint)(count * size));
        return new OrtValue(handle, true, type, shape.ToArray(), count, data);
    }

    /// <summary>Allocates a zero-filled tensor of <typeparamref name="T"/> in native memory.</summary>
    public static OrtValue Allocate<T>(ReadOnlySpan<long> shape) where T : unmanaged =>
        Allocate(TensorElementTypes.Of<T>(), shape);

    /// <summary>Takes ownership of a value ONNX Runtime created (a run output) and reads its type and shape.</summary>
    internal static OrtValue FromNative(nint value)
    {
        var handle = new ValueHandle(value);
        try
        {
            var api = OrtApi.Instance;
            int isTensor;
            api.Check(api.IsTensor(value, &isTensor));
            if (isTensor == 0)
                return new OrtValue(handle, false, TensorElementType.Undefined, [], 0, null);

            nint info;
            api.Check(api.GetTensorTypeAndShape(value, &info));
            using var infoHandle = new TensorTypeAndShapeInfoHandle(info);
            var (type, shape, _) = TensorInfo.Read(api, info);
            void* data;
            api.Check(api.GetTensorMutableData(value, &data));
            return new OrtValue(handle, true, type, shape, OrtShapes.ElementCount(shape), data);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The tensor's elements, read-only. <typeparamref name="T"/> must match <see cref="ElementType"/>.</summary>
    public ReadOnlySpan<T> GetTensorDataAsSpan<T>() where T : unmanaged => GetTensorMutableDataAsSpan<T>();

    /// <summary>The tensor's elements, writable in place. <typeparamref name="T"/> must match <see cref="ElementType"/>.</summary>
    public Span<T> GetTensorMutableDataAsSpan<T>() where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        if (!IsTensor)
            throw new InvalidOperationException("This value is not a tensor.");
        if (TensorElementTypes.TryOf<T>() != ElementType)
            throw new InvalidOperationException($"The tensor holds {ElementType}, not {typeof(T).Name}.");
        return new Span<T>(_data, checked((int)ElementCount));
    }

    /// <summary>The tensor's raw little-endian bytes.</summary>
    public ReadOnlySpan<byte> GetTensorBytes() => GetTensorMutableBytes();

    /// <summary>The tensor's raw little-endian bytes, writable in place.</summary>
    public Span<byte> GetTensorMutableBytes()
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        if (!IsTensor || TensorElementTypes.SizeInBytes(ElementType) == 0)
            throw new InvalidOperationException($"This value has no fixed-size tensor data ({ElementType}).");
        return new Span<byte>(_data, checked((int)(ElementCount * TensorElementTypes.SizeInBytes(ElementType))));
    }

    /// <summary>Copies the tensor's elements into a new array.</summary>
    public T[] ToArray<T>() where T : unmanaged => GetTensorDataAsSpan<T>().ToArray();

    /// <summary>Releases the native value and, for wrapped memory, its pin.</summary>
    public void Dispose() => Handle.Dispose();

    private static MemoryInfoHandle CreateCpuMemoryInfo()
    {
        var api = OrtApi.Instance;
        nint info;
        // OrtDeviceAllocator = 0, OrtMemTypeDefault = 0: plain CPU memory owned by the caller.
        api.Check(api.CreateCpuMemoryInfo(0, 0, &info));
        return new MemoryInfoHandle(info);
    }

    internal static MemoryInfoHandle CpuMemoryInfo => CpuMemory.Value;
}
