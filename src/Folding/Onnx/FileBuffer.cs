using System.Runtime.InteropServices;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// The array a whole model file is read into. On Linux its pages are advised to be transparent huge pages before the
/// read fills them: reading 100 MB into fresh 4 KiB pages costs one page fault per 4 KiB, which in a fresh process (and
/// far more in a virtual machine) costs as much as the copy itself; with 2 MiB pages a ResNet-50 reads in about half
/// the time (bench/README.md, "Start-up"). The advice changes nothing but the page size; where the kernel refuses it
/// or has huge pages off, the read runs as before.
/// </summary>
internal static partial class FileBuffer
{
    private const int HugePage = 2 << 20;
    private const int MadviseHugePage = 14;

    /// <summary>An uninitialized array of <paramref name="length"/> bytes (every byte is about to be overwritten).</summary>
    public static byte[] Allocate(int length)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(length, pinned: length >= 2 * HugePage);
        if (length >= 2 * HugePage && OperatingSystem.IsLinux())
            AdviseHugePages(bytes);
        return bytes;
    }

    private static unsafe void AdviseHugePages(byte[] pinned)
    {
        fixed (byte* start = pinned)
        {
            // Only whole huge pages inside the array: advice is per page and must not reach the GC's neighbours.
            var first = ((nuint)start + HugePage - 1) & ~(nuint)(HugePage - 1);
            var end = ((nuint)start + (nuint)pinned.Length) & ~(nuint)(HugePage - 1);
            if (end > first)
                _ = Madvise((nint)first, end - first, MadviseHugePage);
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
