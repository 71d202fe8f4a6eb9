using System.Runtime.InteropServices;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// Writes every dirty page of the machine to disk (<c>sync(2)</c>) between timed file rewrites. ONNX Runtime's
/// optimizer writes its output without fsync and our save fsyncs; without a flush in between, the fsync of one
/// measurement also waits for the pages the previous one (or a build just before the suite) left dirty, since ext4
/// commits earlier writes with the journal. Untimed, so each measurement pays for its own writes only.
/// </summary>
internal static partial class DirtyPages
{
    public static void Flush()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            Sync();
    }

    [LibraryImport("libc", EntryPoint = "sync")]
    private static partial void Sync();
}
