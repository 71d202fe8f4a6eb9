using System.Diagnostics;

namespace OnnxBn.TestUtilities;

/// <summary>
/// A tiny tmpfs mounted in a temporary folder, to fill up (disk full) or to mount read-only, the way a user's full
/// or read-only disk fails. Mounting needs root (CI runs the tests as root); <see cref="TryMount"/> returns null where
/// it is not allowed, and the tests that use it say so.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    public static SmallDisk? TryMount(int kilobytes, bool readOnly = false)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "onnxbn-tests", "disk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        string options = $"size={kilobytes}k" + (readOnly ? ",ro" : "");
        if (Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path) == 0)
            return new SmallDisk(path);
        Directory.Delete(path);
        return null;
    }

    /// <summary>True when this machine lets tests mount (root on Linux), so the disk tests must not pass vacuously.</summary>
    public static bool ShouldBeAbleToMount => OperatingSystem.IsLinux() && Environment.UserName == "root";

    public void Dispose()
    {
        Run("umount", Path);
        try { Directory.Delete(Path, recursive: true); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                process.Kill(entireProcessTree: true);
                return -1;
            }
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
