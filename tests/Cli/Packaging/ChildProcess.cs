using System.Diagnostics;

namespace OnnxBn.Cli.Tests.Packaging;

/// <summary>A child process run to its end within a time limit (killed with its children past it).</summary>
internal static class ChildProcess
{
    public sealed record Result(int Code, string Out, string Err)
    {
        public string Describe(string what) => $"{what} exited {Code}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    /// <summary>The dotnet host running these tests, else the one on PATH.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>
    /// Runs <paramref name="file"/> in <paramref name="directory"/>. With <paramref name="environment"/>, the child sees
    /// exactly those variables (nothing inherited); otherwise it inherits this process's.
    /// </summary>
    public static Result Run(string file, IEnumerable<string> args, string directory, TimeSpan limit,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        if (environment is not null)
        {
            start.Environment.Clear();
            foreach (var (name, value) in environment)
                start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(30));
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not exit within {limit.TotalMinutes} minutes");
        }
        // A grandchild (an MSBuild node, a server) may keep the pipes open after the process exited: bound that too.
        if (!Task.WaitAll([stdout, stderr], TimeSpan.FromMinutes(1)))
            throw new TimeoutException($"{file} {string.Join(' ', args)} exited, but its output stayed open for a minute");
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
