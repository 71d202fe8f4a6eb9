namespace OnnxBn.Runtime.Native;

/// <summary>
/// The error codes of ONNX Runtime's C API (<c>OrtErrorCode</c>), with the numbers the library uses.
/// A code newer than this list still round-trips as its number.
/// </summary>
public enum OrtErrorCode
{
    /// <summary>No error (never carried by an <see cref="OrtException"/>).</summary>
    Ok = 0,
    /// <summary>Generic failure.</summary>
    Fail = 1,
    /// <summary>An argument was invalid: wrong input name, type, shape or option value.</summary>
    InvalidArgument = 2,
    /// <summary>A file (model, external data) does not exist.</summary>
    NoSuchFile = 3,
    /// <summary>No model was loaded.</summary>
    NoModel = 4,
    /// <summary>An execution engine failed.</summary>
    EngineError = 5,
    /// <summary>An exception inside ONNX Runtime, including a run stopped by its terminate flag.</summary>
    RuntimeException = 6,
    /// <summary>The model is not valid protobuf.</summary>
    InvalidProtobuf = 7,
    /// <summary>A model was already loaded.</summary>
    ModelLoaded = 8,
    /// <summary>An operator or feature is not implemented (for example an unsupported opset).</summary>
    NotImplemented = 9,
    /// <summary>The graph failed validation.</summary>
    InvalidGraph = 10,
    /// <summary>An execution provider failed.</summary>
    EpFail = 11,
}
