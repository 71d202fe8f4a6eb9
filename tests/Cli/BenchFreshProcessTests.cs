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

    private static (int Code, string Out, string Err) Onnxbn(params string[] args)
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
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
