namespace OnnxBn.Cli;

/// <summary>The process exit codes of every onnxbn command; README and --help list the same table.</summary>
public enum ExitCode
{
    /// <summary>The command did what was asked.</summary>
    Ok = 0,
    /// <summary>A check ran and failed (verify found a mismatch).</summary>
    CheckFailed = 1,
    /// <summary>The command line was wrong.</summary>
    Usage = 2,
    /// <summary>A model or data file was unreadable, invalid or unsupported.</summary>
    InvalidModel = 3,
    /// <summary>ONNX Runtime or a requested execution provider is not available.</summary>
    RuntimeUnavailable = 4,
    /// <summary>ONNX Runtime reported an error while loading or running a model.</summary>
    RuntimeError = 5,
    /// <summary>A bug in onnxbn.</summary>
    InternalError = 70,
}
