using System.Runtime.InteropServices;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Makes renames inside a folder durable. fsync of a file covers its contents, not the folder entry that names it:
/// after "write temp, fsync, rename over target" a power loss can still bring back the old name's old file until the
/// folder itself is synced. .NET cannot open a folder as a file, so this calls the C library on Linux and macOS;
/// elsewhere (Windows' MoveFileEx is durable on its own) it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>Flushes <paramref name="directory"/>'s entries to disk; a failure is an <see cref="IOException"/>.</summary>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return;
        int fd = Open(directory, ReadOnly);
        if (fd < 0)
            throw new IOException($"{directory}: cannot open the folder to make the rename durable (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            // Some file systems (and containers' overlay layers) do not sync folders; EINVAL there means "nothing to do".
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != EInval)
                throw new IOException($"{directory}: cannot sync the folder after the rename (errno {errno})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private const int EInval = 22;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
