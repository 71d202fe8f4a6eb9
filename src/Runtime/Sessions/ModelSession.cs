using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Sessions;

/// <summary>
/// An official <see cref="InferenceSession"/> together with where it runs (the device chosen, and why
/// <see cref="DeviceKind.Auto"/> fell back to the CPU) and its inputs and outputs in our element types. Runs through
/// this object are safe against a concurrent or earlier <see cref="Dispose"/>: they throw
/// <see cref="ObjectDisposedException"/> instead of reaching freed native memory. One session may be run from many
/// threads at once.
/// </summary>
public sealed partial class ModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly UseGate _gate;
    private readonly Dictionary<string, int> _outputIndex;

    private ModelSession(InferenceSession session, string source, Device device, string? fallbackReason)
    {
        _session = session;
        _gate = new UseGate(this, session.Dispose);
        Source = source;
        Device = device;
        FallbackReason = fallbackReason;
        Inputs = session.InputNames.Select(n => SessionPort.From(n, session.InputMetadata[n])).ToArray();
        Outputs = session.OutputNames.Select(n => SessionPort.From(n, session.OutputMetadata[n])).ToArray();
        _outputIndex = Outputs.Select((o, i) => (o.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>Loads a model file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime rejected the model.</exception>
    /// <exception cref="DeviceUnavailableException">CUDA was required but cannot be used.</exception>
    public static ModelSession Open(string modelPath, SessionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        var full = Path.GetFullPath(modelPath);
        if (!File.Exists(full))
            throw new FileNotFoundException($"Model file not found: {modelPath}", modelPath);
        return Create(full, settings, options => new InferenceSession(full, options));
    }

    /// <summary>Loads a model from its serialized bytes (ONNX Runtime parses them; the array is not kept).</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime rejected the model.</exception>
    /// <exception cref="DeviceUnavailableException">CUDA was required but cannot be used.</exception>
    public static ModelSession Open(byte[] model, SessionSettings? settings = null, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(source, settings, options => new InferenceSession(model, options));
    }

    /// <summary>
    /// Loads a model held in memory by the folding library (serialized with <see cref="OnnxModel.ToBytes"/>, external
    /// data inlined).
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime rejected the model.</exception>
    /// <exception cref="DeviceUnavailableException">CUDA was required but cannot be used.</exception>
    public static ModelSession Open(OnnxModel model, SessionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Open(model.ToBytes(), settings, model.SourcePath ?? "<memory>");
    }

    /// <summary>The model file's full path, or a label for a model from memory.</summary>
    public string Source { get; }

    /// <summary>Where the session actually runs: the CPU, or CUDA with its device.</summary>
    public Device Device { get; }

    /// <summary>Why <see cref="DeviceKind.Auto"/> fell back to the CPU (ONNX Runtime's reason), or null.</summary>
    public string? FallbackReason { get; }

    /// <summary>The model's inputs, in the model's order.</summary>
    public IReadOnlyList<SessionPort> Inputs { get; }

    /// <summary>The model's outputs, in the model's order.</summary>
    public IReadOnlyList<SessionPort> Outputs { get; }

    /// <summary>The input named <paramref name="name"/>, or null.</summary>
    public SessionPort? FindInput(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    /// <summary>The output named <paramref name="name"/>, or null.</summary>
    public SessionPort? FindOutput(string name) => _outputIndex.TryGetValue(name, out var i) ? Outputs[i] : null;

    /// <summary>The official session, for calls this class does not wrap (keep this object alive while using it).</summary>
    /// <exception cref="ObjectDisposedException">This session was disposed.</exception>
    public InferenceSession Session
    {
        get
        {
            ObjectDisposedException.ThrowIf(_gate.IsDisposed, this);
            return _session;
        }
    }

    /// <summary>Releases the native session, after runs still in progress have finished.</summary>
    public void Dispose() => _gate.Dispose();

    private static ModelSession Create(string source, SessionSettings? settings, Func<SessionOptions, InferenceSession> open)
    {
        settings ??= new SessionSettings();
        var requested = settings.Device;
        switch (requested.Kind)
        {
            case DeviceKind.Cpu:
                return new ModelSession(OpenWith(settings, null, open), source, Device.Cpu, null);
            case DeviceKind.Cuda:
                return new ModelSession(OpenWith(settings, requested.Id, open), source, requested, null);
            default:
                try
                {
                    return new ModelSession(OpenWith(settings, requested.Id, open), source, Device.Cuda(requested.Id), null);
                }
                catch (DeviceUnavailableException ex)
                {
                    var reason = $"CUDA unavailable, running on the CPU: {ex.Reason}";
                    settings.DeviceFallback?.Invoke(reason);
                    return new ModelSession(OpenWith(settings, null, open), source, Device.Cpu, reason);
                }
        }
    }

    private static InferenceSession OpenWith(SessionSettings settings, int? cudaDevice, Func<SessionOptions, InferenceSession> open)
    {
        using var options = settings.ToSessionOptions(cudaDevice);
        try
        {
            return open(options);
        }
        catch (OnnxRuntimeException ex) when (cudaDevice is { } device && MentionsCuda(ex))
        {
            // The provider registered but could not start (no device, driver or library): that is unavailability.
            throw new DeviceUnavailableException(Device.Cuda(device), OrtErrors.OneLine(ex.Message), ex);
        }
    }

    private static bool MentionsCuda(OnnxRuntimeException ex) =>
        OrtErrors.CodeOf(ex) == OrtErrorCode.EpFail || ex.Message.Contains("cuda", StringComparison.OrdinalIgnoreCase);
}
