namespace OnnxBn.Folding;

/// <summary>
/// A tensor payload that is a pure function of immutable inputs and is computed only when someone reads it. A fold
/// replaces most of a model's weight bytes by scaled copies; computed eagerly, those copies are a model-sized block of
/// fresh memory whose page faults cost as much as the arithmetic, and saving then reads them back once more. A
/// writer instead streams the payload in cache-sized pieces (<see cref="CopyTo"/>) straight into the output file;
/// anything else that asks for the bytes gets them computed once and cached (<see cref="Bytes"/>).
/// </summary>
internal abstract class DeferredPayload
{
    private byte[]? _bytes;

    /// <summary>Payload size in bytes.</summary>
    public abstract int Length { get; }

    /// <summary>
    /// Bytes a piece handed to <see cref="CopyTo"/> must start at and be a multiple of (the element size): pieces
    /// are computed element by element.
    /// </summary>
    public abstract int Granularity { get; }

    /// <summary>True once the whole payload has been computed and cached.</summary>
    public bool IsMaterialized => Volatile.Read(ref _bytes) is not null;

    /// <summary>The whole payload, computed on first use (once, even when threads race for it) and kept.</summary>
    public byte[] Bytes
    {
        get
        {
            if (Volatile.Read(ref _bytes) is { } bytes)
                return bytes;
            var computed = Materialize();
            return Interlocked.CompareExchange(ref _bytes, computed, null) ?? computed;
        }
    }

    /// <summary>
    /// Computes bytes [<paramref name="offset"/>, offset + destination.Length) of the payload into
    /// <paramref name="destination"/>; both ends must be multiples of <see cref="Granularity"/>. Any split into
    /// pieces gives the same bytes as the whole.
    /// </summary>
    public abstract void CopyTo(long offset, Span<byte> destination);

    /// <summary>The whole payload in a new array (by default one <see cref="CopyTo"/> over all of it).</summary>
    protected virtual byte[] Materialize()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(Length);
        CopyTo(0, bytes);
        return bytes;
    }
}
