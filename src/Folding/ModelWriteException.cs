namespace OnnxBn.Folding;

/// <summary>
/// A model (or one of its external data files) could not be written: the disk is full, the folder is read-only, a
/// folder squats on the output name. The message is one line naming the output and the operating system's reason;
/// nothing was left behind (no temporary file, no partial output) and any previous model at the path is intact.
/// </summary>
public sealed class ModelWriteException : IOException
{
    /// <summary>
    /// A failure to write <paramref name="path"/>, with the message "&lt;path&gt;: cannot be written (&lt;reason&gt;)".
    /// </summary>
    /// <param name="path">The model (or external data) file that was being saved.</param>
    /// <param name="reason">Why, in the operating system's words when it gave one.</param>
    /// <param name="inner">The I/O exception that reported the failure, if any.</param>
    public ModelWriteException(string path, string reason, Exception? inner = null)
        : base($"{path}: cannot be written ({reason})", inner)
    {
        FilePath = path;
        Reason = reason;
    }

    /// <summary>The model file that was being saved.</summary>
    public string FilePath { get; }

    /// <summary>Why, in the operating system's words when it gave one.</summary>
    public string Reason { get; }
}
