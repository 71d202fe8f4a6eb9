using Microsoft.ML.OnnxRuntime;

namespace OnnxBn.Runtime.Sessions;

/// <summary>ONNX Runtime's status codes (OrtErrorCode in onnxruntime_c_api.h), as its exception messages carry them.</summary>
public enum OrtErrorCode
{
    /// <summary>The message named no code we know.</summary>
    Unknown = -1,

    /// <summary>No error.</summary>
    Ok = 0,

    /// <summary>A failure ONNX Runtime gives no more specific code.</summary>
    Fail = 1,

    /// <summary>An argument (an input, a shape, an option) is invalid.</summary>
    InvalidArgument = 2,

    /// <summary>A file was not found.</summary>
    NoSuchFile = 3,

    /// <summary>There is no model.</summary>
    NoModel = 4,

    /// <summary>An error inside the execution engine.</summary>
    EngineError = 5,

    /// <summary>An exception inside a kernel while running.</summary>
    RuntimeException = 6,

    /// <summary>The model is not a valid protobuf message.</summary>
    InvalidProtobuf = 7,

    /// <summary>The model is loaded already.</summary>
    ModelLoaded = 8,

    /// <summary>The model needs something ONNX Runtime does not implement (an operator, a type, an opset).</summary>
    NotImplemented = 9,

    /// <summary>The graph is invalid.</summary>
    InvalidGraph = 10,

    /// <summary>An execution provider failed.</summary>
    EpFail = 11,

    /// <summary>Loading the model was canceled.</summary>
    ModelLoadCanceled = 12,

    /// <summary>The model must be compiled for an execution provider first.</summary>
    ModelRequiresCompilation = 13,

    /// <summary>Something named was not found.</summary>
    NotFound = 14,
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
