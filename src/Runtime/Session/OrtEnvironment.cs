using System.Runtime.InteropServices;
using System.Text;
using OnnxBn.Runtime.Native;

namespace OnnxBn.Runtime.Session;

/// <summary>
/// The process-wide ONNX Runtime environment (<c>OrtEnv</c>): loads the library and owns the logger every session
/// shares. It lives for the rest of the process; sessions keep it alive through their handles.
/// </summary>
public sealed unsafe class OrtEnvironment
{
    private static readonly Lock Gate = new();
    private static OrtEnvironment? _instance;

    private OrtEnvironment(EnvHandle handle, OrtLogLevel logLevel, GlobalThreadPools? threadPools)
    {
        Handle = handle;
        LogLevel = logLevel;
        ThreadPools = threadPools;
    }

    /// <summary>Whether the environment exists yet (it is created on first use and then fixed for the process).</summary>
    public static bool IsCreated => Volatile.Read(ref _instance) is not null;

    /// <summary>The environment, created on first use with <see cref="OrtLogLevel.Warning"/> and the default library resolution.</summary>
    /// <exception cref="OrtLibraryNotFoundException">The library could not be loaded.</exception>
    public static OrtEnvironment Instance => Volatile.Read(ref _instance) ?? Initialize();

    /// <summary>The minimum severity ONNX Runtime logs at.</summary>
    public OrtLogLevel LogLevel { get; }

    /// <summary>The process-wide thread pools the environment was created with; null when every session has its own.</summary>
    public GlobalThreadPools? ThreadPools { get; }

    /// <summary>The path of the loaded library.</summary>
    public string LibraryPath => OrtLibrary.LoadedPath;

    /// <summary>The version the loaded library reports, for example <c>1.29.0</c>.</summary>
    public string Version => OrtLibrary.LoadedVersion;

    internal EnvHandle Handle { get; }

    /// <summary>
    /// Creates the environment with a log level, optionally an explicit library path (see <see cref="OrtLibrary"/>
    /// for the resolution order) and optionally process-wide thread pools. The first call decides; later calls
    /// return the same environment (a different log level is not applied to it: use
    /// <see cref="SessionOptions.LogLevel"/> per session) and fail if they ask for a different library or for
    /// thread pools the environment was not created with.
    /// </summary>
    /// <exception cref="OrtLibraryNotFoundException">The library could not be loaded.</exception>
    /// <exception cref="InvalidOperationException">The environment already exists without these thread pools.</exception>
    public static OrtEnvironment Initialize(OrtLogLevel? logLevel = null, string? libraryPath = null, GlobalThreadPools? threadPools = null)
    {
        lock (Gate)
        {
            if (_instance is not null)
            {
                // ORT has one environment per process; commands run in one process (tests, embedding apps) may ask
                // for different log levels, which sessions set for themselves. Thread pools cannot be added later.
                OrtLibrary.Load(libraryPath);
                if (threadPools is not null && threadPools != _instance.ThreadPools)
                    throw new InvalidOperationException(
                        $"ONNX Runtime's environment already exists with {_instance.ThreadPools?.ToString() ?? "per-session thread pools"}; " +
                        $"a {threadPools} must be asked for before the first session is created.");
                return _instance;
            }

            var api = OrtLibrary.Load(libraryPath);
            var chosen = logLevel ?? OrtLogLevel.Warning;
            var created = new OrtEnvironment(CreateEnv(api, chosen, threadPools), chosen, threadPools);
            Volatile.Write(ref _instance, created);
            return created;
        }
    }

    private static EnvHandle CreateEnv(OrtApi api, OrtLogLevel level, GlobalThreadPools? threadPools)
    {
        nint env;
        fixed (byte* logId = "onnxbn\0"u8)
        {
            if (threadPools is null)
            {
                api.Check(api.CreateEnv((int)level, logId, &env));
                return new EnvHandle(env);
            }

            nint raw;
            api.Check(api.CreateThreadingOptions(&raw));
            using var options = new ThreadingOptionsHandle(raw);
            api.Check(api.SetGlobalIntraOpNumThreads(raw, threadPools.IntraOpThreads));
            api.Check(api.SetGlobalInterOpNumThreads(raw, threadPools.InterOpThreads));
            api.Check(api.SetGlobalSpinControl(raw, threadPools.AllowSpinning ? 1 : 0));
            api.Check(api.CreateEnvWithGlobalThreadPools((int)level, logId, raw, &env));
            return new EnvHandle(env);
        }
    }

    /// <summary>The execution providers compiled into the loaded library, for example CPUExecutionProvider.</summary>
    public IReadOnlyList<string> AvailableProviders
    {
        get
        {
            var api = OrtApi.Instance;
            byte** names;
            int count;
            api.Check(api.GetAvailableProviders(&names, &count));
            try
            {
                var result = new string[count];
                for (var i = 0; i < count; i++)
                    result[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? "";
                return result;
            }
            finally
            {
                api.Check(api.ReleaseAvailableProviders(names, count));
            }
        }
    }

    internal static byte[] Utf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
