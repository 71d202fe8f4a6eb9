using Microsoft.ML.OnnxRuntime;

namespace OnnxBn.Runtime.Sessions;

/// <summary>ONNX Runtime's status codes (OrtErrorCode), as its exception messages carry them.</summary>
public enum OrtErrorCode
{
    /// <summary>The message named no code we know.</summary>
    Unknown = -1,
#pragma warning disable CS1591 // the names are ONNX Runtime's own, documented in onnxruntime_c_api.h
    Ok = 0, Fail = 1, InvalidArgument = 2, NoSuchFile = 3, NoModel = 4, EngineError = 5, RuntimeException = 6,
    InvalidProtobuf = 7, ModelLoaded = 8, NotImplemented = 9, InvalidGraph = 10, EpFail = 11, ModelLoadCanceled = 12,
    ModelRequiresCompilation = 13, NotFound = 14,
#pragma warning restore CS1591
}

/// <summary>Reads what an <see cref="OnnxRuntimeException"/> says: its code and its reason on one line.</summary>
public static class OrtErrors
{
    private const string CodePrefix = "[ErrorCode:";

    /// <summary>The status code in the message (<c>[ErrorCode:InvalidGraph] …</c>), or <see cref="OrtErrorCode.Unknown"/>.</summary>
    public static OrtErrorCode CodeOf(OnnxRuntimeException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return CodeOf(exception.Message);
    }

    /// <summary>The status code in an ONNX Runtime message, or <see cref="OrtErrorCode.Unknown"/>.</summary>
    public static OrtErrorCode CodeOf(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var start = message.IndexOf(CodePrefix, StringComparison.Ordinal);
        if (start < 0)
            return OrtErrorCode.Unknown;
        start += CodePrefix.Length;
        var end = message.IndexOf(']', start);
        return end > start && Enum.TryParse<OrtErrorCode>(message.AsSpan(start, end - start), out var code) ? code : OrtErrorCode.Unknown;
    }

    /// <summary>
    /// ONNX Runtime's reason on one line: without the <c>[ErrorCode:…]</c> prefix or the source location
    /// (<c>/onnxruntime_src/…cc:1988 Func() [ONNXRuntimeError] : 1 : FAIL : </c>) it may carry, ending with a period.
    /// </summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.StartsWith(CodePrefix, StringComparison.Ordinal) && message.IndexOf(']') is var close and > 0)
            message = message[(close + 1)..];
        const string marker = "[ONNXRuntimeError] : ";
        var at = message.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            // After the marker: "<code> : <NAME> : <reason>".
            var rest = message[(at + marker.Length)..];
            var parts = rest.Split(" : ", 3);
            message = parts.Length == 3 ? parts[2] : rest;
        }
        var line = string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.EndsWith('.') ? line : line + ".";
    }
}
