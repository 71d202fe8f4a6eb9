using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Names of a save's temporary files, and the removal of those a killed save left behind. A temporary is
/// ".&lt;final name&gt;.&lt;process id&gt;.&lt;random&gt;.tmp" next to its final file: the process id tells, on the next save
/// into that folder, whether its writer is gone (then the file is stale and removed) or may still be writing (a
/// concurrent save, left alone). Names are reserved before the file is created, so a failure at any byte can remove it.
/// </summary>
internal static partial class TempFiles
{
    /// <summary>Temporaries this process is writing right now (a same-process save must not remove them).</summary>
    private static readonly ConcurrentDictionary<string, byte> Live = new(StringComparer.Ordinal);

    /// <summary>A fresh temporary name beside <paramref name="finalPath"/>, registered as in use until <see cref="Release"/>.</summary>
    public static string Reserve(string finalPath)
    {
        string temp = Path.Combine(Path.GetDirectoryName(finalPath)!,
            $".{Path.GetFileName(finalPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Live[temp] = 0;
        return temp;
    }

    /// <summary>Deletes <paramref name="temp"/> if it exists and forgets it; true when it is gone.</summary>
    public static bool Remove(string temp)
    {
        bool gone = TryDelete(temp);
        Release(temp);
        return gone;
    }

    /// <summary>Forgets <paramref name="temp"/> (renamed into place, or abandoned).</summary>
    public static void Release(string temp) => Live.TryRemove(temp, out _);

    /// <summary>Removes the temporaries of our own naming in <paramref name="directory"/> whose writer is gone.</summary>
    public static int RemoveStale(string directory)
    {
        int removed = 0;
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(directory, ".*.tmp").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // the save itself will report what is wrong with the folder
        }
        foreach (string path in candidates)
            if (IsStale(path) && TryDelete(path))
                removed++;
        return removed;
    }

    private static bool IsStale(string path)
    {
        var match = OurName().Match(Path.GetFileName(path));
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            return false;
        return pid == Environment.ProcessId ? !Live.ContainsKey(path) : !IsRunning(pid);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Deletes <paramref name="path"/>; false when the OS refuses (the caller has nothing better to do).</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\..+\.([0-9]{1,10})\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex OurName();
}
