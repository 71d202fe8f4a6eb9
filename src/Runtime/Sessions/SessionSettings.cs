using Microsoft.ML.OnnxRuntime;

namespace OnnxBn.Runtime.Sessions;

/// <summary>
/// How a <see cref="ModelSession"/> is built: threads, graph optimization, execution mode, memory behaviour and the
/// device. A plain managed description: the official <see cref="SessionOptions"/> is created from it for each
/// session and disposed right after, so one instance can configure any number of sessions.
/// </summary>
public sealed class SessionSettings
{
    /// <summary>Threads used inside one operator (0 = ONNX Runtime's default, one per physical core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads used to run independent nodes in <see cref="ExecutionMode.ORT_PARALLEL"/> (0 = default).</summary>
    public int InterOpThreads { get; set; }

    /// <summary>
    /// Run on the environment's process-wide pools (<see cref="OrtSetup.Initialize"/>) instead of pools of this
    /// session's own; <see cref="IntraOpThreads"/> and <see cref="InterOpThreads"/> are then not used.
    /// </summary>
    public bool UseGlobalThreadPools { get; set; }

    /// <summary>Graph rewrites applied at load; <see cref="GraphOptimizationLevel.ORT_DISABLE_ALL"/> for reference runs.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Sequential (default) or parallel execution of nodes.</summary>
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.ORT_SEQUENTIAL;

    /// <summary>When set, ONNX Runtime writes the optimized graph to this file while creating the session.</summary>
    public string? OptimizedModelFilePath { get; set; }

    /// <summary>Plan memory from the first run's shapes and reuse the plan (default on).</summary>
    public bool EnableMemoryPattern { get; set; } = true;

    /// <summary>Use an arena for CPU allocations (default on); off returns memory to the system after each run.</summary>
    public bool EnableCpuMemArena { get; set; } = true;

    /// <summary>Whether idle intra-op workers spin before sleeping (ONNX Runtime's default: yes).</summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>Where to run: <see cref="Device.Cpu"/> (default), CUDA, or auto.</summary>
    public Device Device { get; set; } = Device.Cpu;

    /// <summary>Log severity for this session (null = the environment's).</summary>
    public OrtLoggingLevel? LogLevel { get; set; }

    /// <summary>
    /// Extra session configuration entries (keys from ONNX Runtime's onnxruntime_session_options_config_keys.h).
    /// </summary>
    public IDictionary<string, string> ConfigEntries { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Called once when <see cref="DeviceKind.Auto"/> falls back to the CPU, with the reason.</summary>
    public Action<string>? DeviceFallback { get; set; }

    /// <summary>
    /// The official options for these settings, with CUDA device <paramref name="cudaDevice"/> appended when given.
    /// The caller disposes them.
    /// </summary>
    /// <exception cref="DeviceUnavailableException">CUDA cannot be appended (CPU-only natives, missing libraries).</exception>
    public SessionOptions ToSessionOptions(int? cudaDevice = null)
    {
        var options = new SessionOptions();
        try
        {
            if (UseGlobalThreadPools)
            {
                if (OrtSetup.ThreadPools is null)
                    throw new InvalidOperationException(
                        "The session asks for the global thread pools, but ONNX Runtime's environment was created without " +
                        "them: call OrtSetup.Initialize(threadPools: …) before the first session.");
                options.DisablePerSessionThreads();
            }
            else
            {
                options.IntraOpNumThreads = IntraOpThreads;
                options.InterOpNumThreads = InterOpThreads;
            }
            options.GraphOptimizationLevel = OptimizationLevel;
            options.ExecutionMode = ExecutionMode;
            options.EnableMemoryPattern = EnableMemoryPattern;
            options.EnableCpuMemArena = EnableCpuMemArena;
            if (OptimizedModelFilePath is { } optimized)
                options.OptimizedModelFilePath = Path.GetFullPath(optimized);
            if (LogLevel is { } level)
                options.LogSeverityLevel = level;
            if (!AllowSpinning)
                options.AddSessionConfigEntry(AllowSpinningKey, "0");
            foreach (var (key, value) in ConfigEntries)
                options.AddSessionConfigEntry(key, value);
            if (cudaDevice is { } device)
                AppendCuda(options, device);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>ONNX Runtime's key for whether intra-op workers spin.</summary>
    internal const string AllowSpinningKey = "session.intra_op.allow_spinning";

    private static void AppendCuda(SessionOptions options, int device)
    {
        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(new Dictionary<string, string>
            {
                ["device_id"] = device.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            options.AppendExecutionProvider_CUDA(cuda);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new DeviceUnavailableException(Device.Cuda(device), OrtErrors.OneLine(ex.Message), ex);
        }
    }
}
