namespace OnnxBn.Folding.Onnx;

/// <summary>Turns the operating system's refusals during a save into one <see cref="ModelWriteException"/>.</summary>
internal static class WriteFailure
{
    /// <summary>Runs <paramref name="write"/>; an I/O or permission failure becomes a ModelWriteException naming <paramref name="target"/>.</summary>
    public static void Guard(string target, Action write)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && ex is not ModelWriteException)
        {
            throw new ModelWriteException(target, Printable.Reason(ex), ex);
        }
    }
}
