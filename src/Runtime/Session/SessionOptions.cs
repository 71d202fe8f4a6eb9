namespace OnnxBn.Runtime.Session;

/// <summary>
/// How an <see cref="InferenceSession"/> is built: threads, graph optimization, execution mode, memory behaviour and
/// the execution provider. A plain managed description; the native <c>OrtSessionOptions</c> is created from it when
/// a session is created and released right after, so one instance can configure any number of sessions.
/// </summary>
public sealed class SessionOptions
{
    /// <summary>Threads used inside one operator (0 = ONNX Runtime's default, one per physical core).</summary>
    public int IntraOpNumThreads { get; set; }

    /// <summary>
    /// Run on the environment's process-wide pools (<see cref="OrtEnvironment.ThreadPools"/>) instead of pools of
    /// this session's own; <see cref="IntraOpNumThreads"/> and <see cref="InterOpNumThreads"/> are then not used.
    /// Creating the session fails if the environment was created without global pools.
    /// </summary>
    public bool UseGlobalThreadPools { get; set; }

    /// <summary>Threads used to run independent nodes in <see cref="ExecutionMode.Parallel"/> (0 = default).</summary>
    public int InterOpNumThreads { get; set; }

    /// <summary>Graph rewrites applied at load; <see cref="GraphOptimizationLevel.Disabled"/> for reference runs.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.All;

    /// <summary>Sequential (default) or parallel execution of nodes.</summary>
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.Sequential;

    /// <summary>When set, ONNX Runtime writes the optimized graph to this file while creating the session.</summary>
    public string? OptimizedModelFilePath { get; set; }

    /// <summary>Plan memory from the first run's shapes and reuse the plan (default on).</summary>
    public bool EnableMemoryPattern { get; set; } = true;

    /// <summary>Use an arena for CPU allocations (default on); off returns memory to the system after each run.</summary>
    public bool EnableCpuMemArena { get; set; } = true;

    /// <summary>Where to run: <see cref="ExecutionProvider.Cpu"/> (default), CUDA, or auto.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>Log severity for this session (null = the environment's).</summary>
    public OrtLogLevel? LogLevel { get; set; }

    /// <summary>Identifier ONNX Runtime puts on this session's log lines.</summary>
    public string? LogId { get; set; }

    /// <summary>
    /// Extra session configuration entries passed to <c>AddSessionConfigEntry</c> (keys from ONNX Runtime's
    /// onnxruntime_session_options_config_keys.h, for example <c>session.intra_op.allow_spinning</c> = <c>0</c>).
    /// </summary>
    public IDictionary<string, string> ConfigEntries { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Called once when <see cref="ExecutionProviderKind.Auto"/> falls back to the CPU, with the reason.</summary>
    public Action<string>? ProviderFallback { get; set; }
}
