using OnnxBn.Folding;
using OnnxBn.Runtime.Native;

namespace OnnxBn.Runtime.Session;

/// <summary>
/// A loaded model ready to run (<c>OrtSession</c>). Created from a file, from bytes, or from an in-memory
/// <c>OnnxModel</c>; exposes input/output metadata and runs the model (see the Run overloads). One session may be run
/// from many threads at once. Dispose it to release the native session.
/// </summary>
public sealed unsafe partial class InferenceSession : IDisposable
{
    private readonly SessionHandle _handle;

    /// <summary>Loads a model file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OrtException">ONNX Runtime rejected the model.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was required but cannot be used.</exception>
    public InferenceSession(string modelPath, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        var full = Path.GetFullPath(modelPath);
        if (!File.Exists(full))
            throw new FileNotFoundException($"Model file not found: {modelPath}", modelPath);
        Source = full;
        var utf8 = OrtEnvironment.Utf8(full);
        (_handle, ActiveProvider, ProviderFallbackReason) = Create(options ?? new SessionOptions(),
            (api, env, opts, session) =>
            {
                fixed (byte* path = utf8)
                    return api.CreateSession(env, path, opts, session);
            });
        (Inputs, Outputs, _inputNames, _outputNames) = ReadMetadataOrRelease();
    }

    /// <summary>Loads a model from its serialized bytes (ONNX Runtime parses them; the array is not kept).</summary>
    /// <exception cref="OrtException">ONNX Runtime rejected the model.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was required but cannot be used.</exception>
    public InferenceSession(byte[] model, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Source = "<memory>";
        (_handle, ActiveProvider, ProviderFallbackReason) = Create(options ?? new SessionOptions(),
            (api, env, opts, session) =>
            {
                fixed (byte* data = model)
                    return api.CreateSessionFromArray(env, data, (nuint)model.Length, opts, session);
            });
        (Inputs, Outputs, _inputNames, _outputNames) = ReadMetadataOrRelease();
    }

    /// <summary>Loads a model from serialized bytes held in a span (copied once).</summary>
    public static InferenceSession FromModelBytes(ReadOnlySpan<byte> model, SessionOptions? options = null) =>
        new(model.ToArray(), options);

    /// <summary>
    /// Loads a model held in memory by the folding library (serialized with <see cref="OnnxModel.ToBytes"/>, so
    /// external data must already be inlined or resolvable).
    /// </summary>
    /// <exception cref="OrtException">ONNX Runtime rejected the model.</exception>
    public static InferenceSession FromModel(OnnxModel model, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new InferenceSession(model.ToBytes(), options);
    }

    private delegate nint Creator(OrtApi api, nint env, nint options, nint* session);

    /// <summary>The model file's full path, or <c>&lt;memory&gt;</c>.</summary>
    public string Source { get; }

    /// <summary>The provider the session actually runs on: CPU, or CUDA with its device.</summary>
    public ExecutionProvider ActiveProvider { get; }

    /// <summary>
    /// Why <see cref="ExecutionProviderKind.Auto"/> fell back to the CPU (ONNX Runtime's reason), or null when it did
    /// not fall back. Also reported through <see cref="SessionOptions.ProviderFallback"/>.
    /// </summary>
    public string? ProviderFallbackReason { get; }

    internal SessionHandle Handle => _handle;

    /// <summary>Releases the native session (deferred until running calls finish).</summary>
    public void Dispose() => _handle.Dispose();

    private (NodeMetadata[], NodeMetadata[], NameTable, NameTable) ReadMetadataOrRelease()
    {
        try
        {
            return ReadMetadata();
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    private static (SessionHandle, ExecutionProvider, string?) Create(SessionOptions options, Creator creator)
    {
        var env = OrtEnvironment.Instance;
        var requested = options.ExecutionProvider;
        switch (requested.Kind)
        {
            case ExecutionProviderKind.Cpu:
                return (CreateWith(env, options, null, creator), ExecutionProvider.Cpu, null);
            case ExecutionProviderKind.Cuda:
                return (CreateWith(env, options, requested.DeviceId, creator), requested, null);
            default:
                try
                {
                    var cuda = ExecutionProvider.Cuda(requested.DeviceId);
                    return (CreateWith(env, options, requested.DeviceId, creator), cuda, null);
                }
                catch (ExecutionProviderUnavailableException ex)
                {
                    var reason = $"CUDA unavailable, running on CPU: {ex.Reason}";
                    options.ProviderFallback?.Invoke(reason);
                    return (CreateWith(env, options, null, creator), ExecutionProvider.Cpu, reason);
                }
        }
    }

    private static SessionHandle CreateWith(OrtEnvironment env, SessionOptions options, int? cudaDevice, Creator creator)
    {
        var api = OrtApi.Instance;
        using var native = NativeSessionOptions.Create(options, cudaDevice);
        nint session;
        try
        {
            api.Check(creator(api, env.Handle.DangerousGetHandle(), native.DangerousGetHandle(), &session));
        }
        catch (OrtException ex) when (cudaDevice is { } device && MentionsCuda(ex))
        {
            // The provider registered but could not start (no device, driver or library): that is unavailability.
            throw new ExecutionProviderUnavailableException(ExecutionProvider.Cuda(device),
                NativeSessionOptions.OneLine(ex.OrtMessage), NativeSessionOptions.CudaRemedy);
        }
        return new SessionHandle(session, env.Handle);
    }

    private static bool MentionsCuda(OrtException ex) =>
        ex.Code == OrtErrorCode.EpFail || ex.OrtMessage.Contains("cuda", StringComparison.OrdinalIgnoreCase);
}
