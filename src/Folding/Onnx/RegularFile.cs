using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Opens files named by an untrusted model for reading, and only if they are regular files. A FIFO named as a model
/// or data file blocks <c>open(2)</c> until someone writes to it (inspect and fold hung forever); a device such as
/// /dev/zero reads without end. On Linux the file is opened non-blocking and its type checked on the open handle
/// (no window between the check and the open); elsewhere FIFOs do not live in the file system (Windows) or the type
/// is checked by name first.
/// </summary>
internal static partial class RegularFile
{
    /// <summary>
    /// A read handle on <paramref name="path"/>; an <see cref="IOException"/> whose message is the reason when it
    /// cannot be opened or is not a regular file (a directory, FIFO, socket or device).
    /// </summary>
    public static SafeFileHandle OpenRead(string path)
    {
        if (!OperatingSystem.IsLinux())
            return OpenPortable(path);
        int fd = Open(path, ReadOnly | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string reason = Marshal.GetPInvokeErrorMessage(errno);
            // ENOENT, ENOTDIR: missing, as File.OpenHandle would say.
            if (errno is NoSuchFile or NotAFolder)
                throw new FileNotFoundException(reason, path);
            throw new IOException(reason);
        }
        var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        try
        {
            if (KindOf(fd) is { } kind)
                throw new IOException($"is a {kind}, not a regular file");
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static SafeFileHandle OpenPortable(string path)
    {
        if (Directory.Exists(path))
            throw new IOException("is a directory, not a regular file");
        return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    /// <summary>What the open file is when it is not a regular file ("FIFO", "directory"...), or null.</summary>
    private static unsafe string? KindOf(int fd)
    {
        // struct statx has one layout on every Linux architecture; stx_mode is the u16 at byte 28.
        byte* buffer = stackalloc byte[256];
        if (Statx(fd, "", EmptyPath, StatxType, buffer) != 0)
            throw new IOException($"cannot tell what kind of file it is ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
        int type = *(ushort*)(buffer + 28) & 0xF000;
        return type switch
        {
            0x8000 => null,
            0x4000 => "directory",
            0x1000 => "FIFO",
            0xC000 => "socket",
            0x2000 => "character device",
            0x6000 => "block device",
            _ => "special file",
        };
    }

    /// <summary>
    /// <paramref name="path"/> with every symbolic link resolved (in the folders too), as the OS will find the file;
    /// the path unchanged when it does not exist.
    /// </summary>
    public static string RealPath(string path) => Resolve(Path.GetFullPath(path), depth: 0);

    private static string Resolve(string full, int depth)
    {
        // Linux gives up after 40 links as well (ELOOP): a cycle of links is refused rather than followed forever.
        if (depth > 40)
            throw new IOException("too many levels of symbolic links");
        string root = Path.GetPathRoot(full)!;
        string current = root;
        foreach (string part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is not { } target)
                continue;
            string resolved = Path.GetFullPath(target, Path.GetDirectoryName(current)!);
            current = Resolve(resolved, depth + 1);
        }
        return current;
    }

    private const int NoSuchFile = 2, NotAFolder = 20;
    private const int ReadOnly = 0, NonBlocking = 0x800, CloseOnExec = 0x80000;
    private const int EmptyPath = 0x1000;
    private const uint StatxType = 1;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
