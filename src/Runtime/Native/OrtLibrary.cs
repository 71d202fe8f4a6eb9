using System.Runtime.InteropServices;

namespace OnnxBn.Runtime.Native;

/// <summary>
/// Finds and loads the ONNX Runtime shared library and obtains its C API function table.
/// </summary>
/// <remarks>
/// <para>Resolution order (the first candidate that loads and offers C API <see cref="ApiVersion"/> wins):</para>
/// <list type="number">
/// <item>an explicit path given to <see cref="Load"/> or, failing that, the environment variable
/// <see cref="LibraryPathVariable"/> (<c>ONNXBN_ORT_LIBRARY</c>). When one of these is set it is the only candidate:
/// a library the user named is never silently replaced by another one;</item>
/// <item><see cref="LibraryFileName"/> next to the application (<see cref="AppContext.BaseDirectory"/>), where the
/// build copies it;</item>
/// <item>the download cache, <see cref="DefaultCacheDirectory"/>: <c>$ONNXBN_CACHE/onnxruntime/1.29.0</c>, or
/// <c>$HOME/.cache/onnxbn/onnxruntime/1.29.0</c> when <c>ONNXBN_CACHE</c> is not set.</item>
/// </list>
/// <para>When no candidate works, <see cref="OrtLibraryNotFoundException"/> lists every path tried and why.</para>
/// </remarks>
public static unsafe class OrtLibrary
{
    /// <summary>The ONNX Runtime release onnxbn pins and the build fetches.</summary>
    public const string PinnedVersion = "1.29.0";

    /// <summary>The C API version requested from the library (<c>ORT_API_VERSION</c> of ONNX Runtime 1.29).</summary>
    public const uint ApiVersion = 29;

    /// <summary>The file name of the library on Linux.</summary>
    public const string LibraryFileName = "libonnxruntime.so.1";

    /// <summary>Environment variable naming the library file to load instead of searching.</summary>
    public const string LibraryPathVariable = "ONNXBN_ORT_LIBRARY";

    /// <summary>Environment variable replacing the cache root <c>$HOME/.cache/onnxbn</c>.</summary>
    public const string CacheVariable = "ONNXBN_CACHE";

    private static readonly Lock Gate = new();
    private static OrtApi? _api;
    private static string? _loadedPath;
    private static string? _loadedVersion;

    /// <summary>Where the build caches the pinned library (honours <see cref="CacheVariable"/>).</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable(CacheVariable);
            if (string.IsNullOrEmpty(root))
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "onnxbn");
            return Path.Combine(root, "onnxruntime", PinnedVersion);
        }
    }

    /// <summary>True once a library is loaded.</summary>
    public static bool IsLoaded => Volatile.Read(ref _api) is not null;

    /// <summary>The path of the loaded library; loads it with the default resolution if needed.</summary>
    public static string LoadedPath
    {
        get
        {
            _ = Api;
            return _loadedPath!;
        }
    }

    /// <summary>The version string the loaded library reports (for example <c>1.29.0</c>); loads it if needed.</summary>
    public static string LoadedVersion
    {
        get
        {
            _ = Api;
            return _loadedVersion!;
        }
    }

    /// <summary>The function table, loading the library with the default resolution on first use.</summary>
    internal static OrtApi Api => Volatile.Read(ref _api) ?? Load(null);

    /// <summary>
    /// The candidate paths in resolution order: <paramref name="explicitPath"/> or <see cref="LibraryPathVariable"/>
    /// alone when either is set, otherwise the application directory and then the cache.
    /// </summary>
    public static IReadOnlyList<string> CandidatePaths(string? explicitPath = null)
    {
        var named = string.IsNullOrEmpty(explicitPath)
            ? Environment.GetEnvironmentVariable(LibraryPathVariable)
            : explicitPath;
        if (!string.IsNullOrEmpty(named))
            return [Path.GetFullPath(named)];
        return
        [
            Path.Combine(AppContext.BaseDirectory, LibraryFileName),
            Path.Combine(DefaultCacheDirectory, LibraryFileName),
        ];
    }

    /// <summary>
    /// Loads the library (once per process). Later calls return the already loaded table; asking for a different
    /// explicit path after a library is loaded is an error because a process can hold only one ONNX Runtime.
    /// </summary>
    /// <exception cref="OrtLibraryNotFoundException">No candidate could be loaded.</exception>
    internal static OrtApi Load(string? explicitPath)
    {
        lock (Gate)
        {
            if (_api is not null)
            {
                if (!string.IsNullOrEmpty(explicitPath) && Path.GetFullPath(explicitPath) != _loadedPath)
                    throw new InvalidOperationException(
                        $"ONNX Runtime is already loaded from {_loadedPath}; cannot switch to {explicitPath}.");
                return _api;
            }

            var attempts = new List<(string Path, string Reason)>();
            foreach (var path in CandidatePaths(explicitPath))
            {
                if (TryLoad(path, ApiVersion, out var api, out var version, out var reason))
                {
                    _loadedPath = path;
                    _loadedVersion = version;
                    Volatile.Write(ref _api, api);
                    return api;
                }
                attempts.Add((path, reason));
            }
            throw new OrtLibraryNotFoundException(attempts);
        }
    }

    /// <summary>Loads the library from an explicit path, or with the default resolution when it is null.</summary>
    /// <exception cref="OrtLibraryNotFoundException">No candidate could be loaded.</exception>
    public static void EnsureLoaded(string? explicitPath = null) => Load(explicitPath);

    internal static bool TryLoad(string path, uint apiVersion, out OrtApi api, out string version, out string reason)
    {
        api = null!;
        version = "";
        if (!File.Exists(path))
        {
            reason = "not found";
            return false;
        }

        nint library;
        try
        {
            library = NativeLibrary.Load(path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            reason = "cannot be loaded: " + ex.Message.ReplaceLineEndings(" ");
            return false;
        }

        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBase))
        {
            NativeLibrary.Free(library);
            reason = "not an ONNX Runtime library (no OrtGetApiBase export)";
            return false;
        }

        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t version); const char* (*GetVersionString)(void); }
        var apiBase = ((delegate* unmanaged[Cdecl]<nint*>)getApiBase)();
        version = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint>)apiBase[1])()) ?? "unknown";
        var table = ((delegate* unmanaged[Cdecl]<uint, nint>)apiBase[0])(apiVersion);
        if (table == 0)
        {
            NativeLibrary.Free(library);
            reason = $"ONNX Runtime {version} does not provide C API version {apiVersion}; onnxbn needs ONNX Runtime " +
                     $"{PinnedVersion} or newer";
            return false;
        }

        api = new OrtApi((void**)table);
        reason = "";
        return true;
    }
}
