namespace OnnxBn.Runtime.Native;

/// <summary>
/// An error reported by ONNX Runtime through an <c>OrtStatus</c>: the library's own error code and message.
/// </summary>
public class OrtException : Exception
{
    /// <summary>Creates the exception for an ONNX Runtime status.</summary>
    public OrtException(OrtErrorCode code, string message)
        : base($"ONNX Runtime error {code}: {message}")
    {
        Code = code;
        OrtMessage = message;
    }

    /// <summary>ONNX Runtime's error code.</summary>
    public OrtErrorCode Code { get; }

    /// <summary>ONNX Runtime's message, unchanged.</summary>
    public string OrtMessage { get; }
}

/// <summary>
/// The ONNX Runtime shared library could not be found, could not be loaded, or does not offer the C API version
/// onnxbn was written against. <see cref="Attempts"/> lists every path tried and why each was rejected.
/// </summary>
public sealed class OrtLibraryNotFoundException : Exception
{
    /// <summary>Creates the exception from the list of attempts, each a path and the reason it was rejected.</summary>
    public OrtLibraryNotFoundException(IReadOnlyList<(string Path, string Reason)> attempts)
        : base(Describe(attempts))
    {
        Attempts = attempts;
    }

    /// <summary>Every candidate path in the order tried, with the reason it was not used.</summary>
    public IReadOnlyList<(string Path, string Reason)> Attempts { get; }

    private static string Describe(IReadOnlyList<(string Path, string Reason)> attempts)
    {
        var tried = string.Join("; ", attempts.Select(a => $"{a.Path} ({a.Reason})"));
        return $"ONNX Runtime {OrtLibrary.PinnedVersion} (C API {OrtLibrary.ApiVersion}) is not available. Tried: {tried}. " +
               $"Build the project once (dotnet build fetches it into {OrtLibrary.DefaultCacheDirectory}) or set " +
               $"{OrtLibrary.LibraryPathVariable} to a {OrtLibrary.LibraryFileName} of ONNX Runtime {OrtLibrary.PinnedVersion} or newer.";
    }
}
