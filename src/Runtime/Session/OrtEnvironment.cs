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

    private OrtEnvironment(EnvHandle handle, OrtLogLevel logLevel)
    {
        Handle = handle;
        LogLevel = logLevel;
    }

    /// <summary>The environment, created on first use with <see cref="OrtLogLevel.Warning"/> and the default library resolution.</summary>
    /// <exception cref="OrtLibraryNotFoundException">The library could not be loaded.</exception>
    public static OrtEnvironment Instance => Volatile.Read(ref _instance) ?? Initialize();

    /// <summary>The minimum severity ONNX Runtime logs at.</summary>
    public OrtLogLevel LogLevel { get; }

    /// <summary>The path of the loaded library.</summary>
    public string LibraryPath => OrtLibrary.LoadedPath;

    /// <summary>The version the loaded library reports, for example <c>1.29.0</c>.</summary>
    public string Version => OrtLibrary.LoadedVersion;

    internal EnvHandle Handle { get; }

    /// <summary>
    /// Creates the environment with a log level and, optionally, an explicit library path (see
    /// <see cref="OrtLibrary"/> for the resolution order). The first call decides; later calls return the same
    /// environment (a different log level is not applied to it: use <see cref="SessionOptions.LogLevel"/> per
    /// session) and fail only if they ask for a different library.
    /// </summary>
    /// <exception cref="OrtLibraryNotFoundException">The library could not be loaded.</exception>
    public static OrtEnvironment Initialize(OrtLogLevel? logLevel = null, string? libraryPath = null)
    {
        lock (Gate)
        {
            if (_instance is not null)
            {
                // ORT has one environment per process; commands run in one process (tests, embedding apps) may ask
                // for different log levels, which sessions set for themselves.
                OrtLibrary.Load(libraryPath);
                return _instance;
            }

            var api = OrtLibrary.Load(libraryPath);
            var chosen = logLevel ?? OrtLogLevel.Warning;
            nint env;
            fixed (byte* logId = "onnxbn\0"u8)
                api.Check(api.CreateEnv((int)chosen, logId, &env));
            var created = new OrtEnvironment(new EnvHandle(env), chosen);
            Volatile.Write(ref _instance, created);
            return created;
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
