namespace OnnxBn.Cli;

/// <summary>The process exit codes of every onnxbn command; docs/exit-codes.md and --help list the same table.</summary>
public enum ExitCode
{
    /// <summary>The command did what was asked.</summary>
    Ok = 0,
    /// <summary>A check ran and failed (verify found a mismatch).</summary>
    CheckFailed = 1,
    /// <summary>The command line was wrong.</summary>
    Usage = 2,
    /// <summary>A model or data file was missing, unreadable or invalid.</summary>
    InvalidModel = 3,
    /// <summary>ONNX Runtime or a requested execution provider is not available.</summary>
    RuntimeUnavailable = 4,
    /// <summary>ONNX Runtime reported an error while loading or running a model.</summary>
    RuntimeError = 5,
    /// <summary>
    /// A valid model asks for something onnxbn or ONNX Runtime does not do: an operator without a kernel for its
    /// types, a layer transfer cannot unfreeze, a tensor layout the reader does not handle.
    /// </summary>
    UnsupportedModel = 6,
    /// <summary>
    /// Reading or writing failed at the operating system: disk full, read-only or unwritable folder, I/O error (as
    /// sysexits' EX_IOERR). The message carries the OS's reason; nothing partial is left behind.
    /// </summary>
    IoError = 74,
    /// <summary>Ctrl-C or SIGTERM stopped the command after it cleaned up (transfer: after writing model B).</summary>
    Interrupted = 130,
    /// <summary>A bug in onnxbn.</summary>
    InternalError = 70,
}
