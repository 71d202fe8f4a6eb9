using System.Diagnostics;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// The process's resident memory and its high-water mark. On Linux the mark (VmHWM) can be reset by writing "5" to
/// /proc/self/clear_refs, which lets one process measure the peak of each phase separately; elsewhere
/// <see cref="TryReset"/> returns false and the peak is the process's lifetime peak.
/// </summary>
public static class PeakMemory
{
    /// <summary>Current resident set (working set) in bytes.</summary>
    public static long WorkingSetBytes
    {
        get
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }
    }

    /// <summary>Peak resident set in bytes since the process started or since the last successful <see cref="TryReset"/>.</summary>
    public static long PeakBytes
    {
        get
        {
            using var process = Process.GetCurrentProcess();
            return process.PeakWorkingSet64;
        }
    }

    /// <summary>Resets the peak to the current resident set; false when the platform does not allow it.</summary>
    public static bool TryReset()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> and returns the peak resident bytes while it ran and the growth over the
    /// resident set just before it (after a full garbage collection, so earlier garbage does not count).
    /// </summary>
    public static (long PeakBytes, long GrowthBytes) Measure(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var before = WorkingSetBytes;
        TryReset();
        action();
        var peak = PeakBytes;
        return (peak, Math.Max(0, peak - before));
    }
}
