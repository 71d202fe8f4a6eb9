namespace OnnxBn.Cli.Rendering;

/// <summary>Writes a report asked for with <c>--json FILE</c> or <c>--junit FILE</c>, creating its folder.</summary>
internal static class ReportFile
{
    public static void Write(string path, string content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
            Directory.CreateDirectory(directory);
        // Through a temporary file, so a reader (a CI step) never sees half a report.
        var temp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            File.WriteAllText(temp, content + Environment.NewLine);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
