using System.Diagnostics;
using System.Text.Json;

namespace OnnxBn.Cli.Tests;

/// <summary>
/// <c>onnxbn bench</c> as users start it: a fresh process, whose ONNX Runtime environment is created with the global
/// thread pools both benchmarked models share (in-process tests cannot reach that path: their environment exists).
/// </summary>
public sealed class BenchFreshProcessTests
{
    [Fact]
    public void A_Fresh_Bench_Process_Runs_Both_Models_On_One_Shared_Global_Pool()
    {
        var model = BenchCommandTests.GemmBn();

        var (code, output, error) = Onnxbn("bench", model, "--folded", "--batch", "1,2", "--threads", "2",
            "--warmup", "1", "--iterations", "3", "--creations", "1", "--json", "-");

        Assert.True(code == 0, error);
        using var report = JsonDocument.Parse(output);
        var settings = report.RootElement.GetProperty("settings");
        Assert.Equal("shared global pool (2 intra-op threads, spinning)", settings.GetProperty("threadPool").GetString());
        Assert.Equal(2, report.RootElement.GetProperty("comparisons").GetArrayLength());
        Assert.DoesNotContain('\r', error);
    }

    [Fact]
    public void Cuda_Without_Gpu_Natives_Exits_4_With_One_Line_Naming_ONNX_Runtimes_Reason_In_A_Fresh_Process()
    {
        var (code, _, error) = Onnxbn("run", BenchCommandTests.GemmBn(), "--random", "1", "--device", "cuda");

        Assert.Equal(4, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("CUDA execution provider is not enabled in this build", line);
        Assert.Contains("--device cpu", line);
    }

    [Fact]
    public void Auto_Without_Gpu_Natives_Runs_On_The_Cpu_With_One_Warning_In_A_Fresh_Process()
    {
        var (code, output, error) = Onnxbn("run", BenchCommandTests.GemmBn(), "--random", "1", "--device", "auto");

        Assert.True(code == 0, error);
        Assert.Contains("on cpu", output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("warning: CUDA unavailable", StringComparison.Ordinal));
    }

    internal static CliResult Onnxbn(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "onnxbn.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"onnxbn {string.Join(' ', args)} did not exit within 5 minutes");
        }
        // A grandchild (an MSBuild node, a server) may keep the pipes open after the process exited: bound that too.
        if (!Task.WaitAll([stdout, stderr], TimeSpan.FromMinutes(1)))
            throw new TimeoutException($"onnxbn {string.Join(' ', args)} exited, but its output stayed open for a minute");
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
