namespace OnnxBn.Serving.Models;

/// <summary>
/// The live model: requests lease it, a reload swaps it atomically. The model swapped out keeps serving the requests
/// that already leased it and is disposed when the last of them ends.
/// </summary>
public sealed class ModelHolder : IDisposable
{
    private ServedModel? _current;
    private long _generation;
    private bool _closed;
    private readonly Lock _swap = new();

    /// <summary>The live model, or null before the first load (for status pages; requests use <see cref="Lease"/>).</summary>
    public ServedModel? Current => Volatile.Read(ref _current);

    /// <summary>Leases the live model for one request.</summary>
    /// <exception cref="ModelUnavailableException">No model is loaded yet, or the service is shutting down.</exception>
    public ModelLease Lease()
    {
        while (true)
        {
            var model = Volatile.Read(ref _current) ?? throw new ModelUnavailableException(
                Volatile.Read(ref _closed) ? "the service is shutting down" : "the model is not loaded yet");
            // A swap may release the model between the read and the increment: then read the new one.
            if (model.TryAddReference())
                return new ModelLease(model);
        }
    }

    /// <summary>Makes <paramref name="model"/> the live model and releases the holder's reference to the previous one.</summary>
    /// <returns>The generation number given to <paramref name="model"/>.</returns>
    /// <exception cref="ObjectDisposedException">The holder was disposed; <paramref name="model"/> is released.</exception>
    public long Swap(ServedModel model)
    {
        ServedModel? previous;
        lock (_swap)
        {
            if (_closed)
            {
                model.Release();
                throw new ObjectDisposedException(nameof(ModelHolder));
            }
            model.Generation = ++_generation;
            previous = Interlocked.Exchange(ref _current, model);
        }
        previous?.Release();
        return model.Generation;
    }

    /// <summary>Stops leasing; the live model is disposed once its in-flight requests end.</summary>
    public void Dispose()
    {
        ServedModel? last;
        lock (_swap)
        {
            if (_closed)
                return;
            _closed = true;
            last = Interlocked.Exchange(ref _current, null);
        }
        last?.Release();
    }
}

/// <summary>No model can answer now (not loaded yet, or shutting down): the client gets 503 and may retry.</summary>
public sealed class ModelUnavailableException(string reason) : Exception(reason);
