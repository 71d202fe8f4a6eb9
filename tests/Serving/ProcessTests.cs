using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using OnnxBn.TestUtilities;

namespace OnnxBn.Serving.Tests;

/// <summary>The sample as a real process: URL on the first stdout line, SIGTERM stops it cleanly, exit codes.</summary>
[Collection(ServingCollection.Name)]
public sealed partial class ProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Process_Prints_Its_Url_First_Serves_And_Exits_0_On_Sigterm()
    {
        using var process = Start("--model", Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx"), "--port", "0", "--watch", "false");
        try
        {
            using var firstLine = new CancellationTokenSource(Patience);
            var url = await process.StandardOutput.ReadLineAsync(firstLine.Token);
            Assert.Matches("^http://127\\.0\\.0\\.1:[0-9]+$", url);
            using var client = new HttpClient { BaseAddress = new Uri(url!), Timeout = Patience };
            await Eventually.TrueAsync(async () => (await client.GetAsync("/readyz")).IsSuccessStatusCode, "the process never became ready");
            using var answer = await client.PostAsync("/predict", Wire.Binary(Wire.Image(4), Wire.ImageShape));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

            Terminate(process);
            using var exit = new CancellationTokenSource(Patience);
            await process.WaitForExitAsync(exit.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Process_Without_A_Model_Exits_2_And_With_An_Unservable_Model_Exits_3()
    {
        using var folder = new TempFolder();
        var broken = folder.File("broken.onnx");
        await File.WriteAllTextAsync(broken, "not a model");

        Assert.Equal((2, "onnxbn-serving: no model given: pass --model PATH (or set Serving:Model)"), await RunToEndAsync("--port", "0"));
        var (code, error) = await RunToEndAsync("--model", broken, "--port", "0");
        Assert.Equal(3, code);
        Assert.Contains("not a readable ONNX model", error);
    }

    private static Process Start(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OnnxBn.Serving.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    private static async Task<(int Code, string Error)> RunToEndAsync(params string[] args)
    {
        using var process = Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var exit = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(exit.Token);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        await stdout;
        return (process.ExitCode, (await stderr).Trim());
    }

    private static void Terminate(Process process)
    {
        if (OperatingSystem.IsWindows())
            process.Kill(); // no SIGTERM there; the test then only checks that it ends
        else
            Assert.Equal(0, Kill(process.Id, 15));
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
