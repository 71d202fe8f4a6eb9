using Microsoft.ML.OnnxRuntime;

namespace OnnxBn.Runtime.Sessions;

/// <summary>
/// The process's one ONNX Runtime environment (<see cref="OrtEnv"/>): created on first use with ONNX Runtime's
/// defaults, or once, before any session, by <see cref="Initialize"/> with shared global thread pools.
/// </summary>
public static class OrtSetup
{
    private static readonly Lock Gate = new();
    private static GlobalThreadPools? _threadPools;

    /// <summary>The global pools the environment was created with, or null when sessions own their pools.</summary>
    public static GlobalThreadPools? ThreadPools
    {
        get
        {
            lock (Gate)
                return _threadPools;
        }
    }

    /// <summary>Whether the environment exists (a session was created or <see cref="Initialize"/> ran).</summary>
    public static bool IsCreated => OrtEnv.IsCreated;

    /// <summary>ONNX Runtime's version, like <c>1.32.0</c>.</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>The execution providers the loaded natives were built with (CPUExecutionProvider, CUDAExecutionProvider, …).</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>
    /// Creates the environment with <paramref name="logLevel"/> and, when given, <paramref name="threadPools"/> as
    /// process-wide pools. When the environment already exists this does nothing, unless other pools are asked for.
    /// </summary>
    /// <exception cref="InvalidOperationException">The environment already exists with other pools (or none).</exception>
    public static void Initialize(OrtLoggingLevel logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, GlobalThreadPools? threadPools = null)
    {
        lock (Gate)
        {
            if (OrtEnv.IsCreated)
            {
                if (threadPools is null || threadPools == _threadPools)
                    return;
                throw new InvalidOperationException(
                    $"ONNX Runtime's environment already exists with {(_threadPools?.ToString() ?? "per-session thread pools")}; " +
                    $"{threadPools} must be set up before the first session is created.");
            }
            using var threading = threadPools is null ? null : new OrtThreadingOptions
            {
                GlobalIntraOpNumThreads = threadPools.IntraOpThreads,
                GlobalInterOpNumThreads = threadPools.InterOpThreads,
                GlobalSpinControl = threadPools.AllowSpinning,
            };
            var options = new EnvironmentCreationOptions { threadOptions = threading!, logLevel = logLevel, logId = "onnxbn" };
            OrtEnv.CreateInstanceWithOptions(ref options);
            _threadPools = threadPools;
        }
    }
}
