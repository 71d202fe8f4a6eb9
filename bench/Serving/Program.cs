using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Serving;
using OnnxBn.Serving.Benchmark;
using OnnxBn.Serving.Models;

// dotnet OnnxBn.Serving.Benchmark.dll [--seconds 2] [--rounds 2] [--models resnet_mini,fashion_mlp_bn_after_act]
//   [--models-dir models] [--out bench/Serving/results.md]
var seconds = double.Parse(Arg("--seconds", "2"), CultureInfo.InvariantCulture);
var rounds = int.Parse(Arg("--rounds", "2"), CultureInfo.InvariantCulture);
var models = Arg("--models", "resnet_mini,fashion_mlp_bn_after_act,cnn32x3,cnn64x4").Split(',');
var modelsDir = Arg("--models-dir", "models");
var output = Arg("--out", "bench/Serving/results.md");
int[] concurrencies = [1, 8, 64];

var report = new List<string>
{
    $"Serving throughput and latency, {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}, {Environment.ProcessorCount} cores, " +
    $"load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} before; closed loop, {seconds} s per cell, median of {rounds} " +
    "interleaved rounds; HTTP client in the same process as the server (both on the same cores); ratios against the " +
    "in-process loop at the same concurrency.",
    "",
};
foreach (var model in models)
{
    var path = Path.Combine(modelsDir, model + ".onnx");
    var synthetic = WideCnn.Parse(model);
    if (synthetic is { } size)
    {
        path = Path.Combine(Path.GetTempPath(), $"onnxbn-serving-bench-{Environment.ProcessId}-{model}.onnx");
        await File.WriteAllBytesAsync(path, WideCnn.Build(size.Channels, size.Layers));
    }
    await using var plain = await StartAsync(path);
    var image = Enumerable.Range(0, 784).Select(i => (float)((i * 37 % 255) / 255.0)).ToArray();
    IDriver[] drivers =
    [
        new InProcessDriver(plain.Services.GetRequiredService<ModelHolder>().Current!, image),
        new HttpDriver("HTTP binary", plain.Client, image, json: false),
        new HttpDriver("HTTP JSON", plain.Client, image, json: true),
    ];
    report.Add($"### {model}{(synthetic is null ? "" : " (synthetic, bench/Serving/WideCnn.cs)")}");
    report.Add("");
    report.Add("| concurrency | path | requests/s | p50 ms | p99 ms | throughput vs in-process | p50 vs in-process |");
    report.Add("|---|---|---|---|---|---|---|");
    foreach (var concurrency in concurrencies)
    {
        var cells = drivers.ToDictionary(d => d, _ => new List<ClosedLoop.Result>());
        foreach (var driver in drivers) // warm-up: connections, JIT, arenas
            await ClosedLoop.RunAsync(driver, concurrency, TimeSpan.FromSeconds(0.3));
        for (var round = 0; round < rounds; round++)
        {
            // Rotate the order each round so drift in machine load hits every path alike.
            foreach (var driver in drivers.Skip(round % drivers.Length).Concat(drivers.Take(round % drivers.Length)))
                cells[driver].Add(await ClosedLoop.RunAsync(driver, concurrency, TimeSpan.FromSeconds(seconds)));
        }
        var anchor = Summary(cells[drivers[0]]);
        foreach (var driver in drivers)
        {
            var s = Summary(cells[driver]);
            var failed = s.Failures > 0 ? $" {s.Failures} failed" : "";
            report.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {concurrency} | {driver.Name} | {s.Rate:F0} | {s.P50:F3} | {s.P99:F3} | {s.Rate / anchor.Rate:F2}× | {s.P50 / anchor.P50:F2}× |{failed}"));
            Console.Error.WriteLine(report[^1]);
        }
    }
    report.Add("");
    if (synthetic is not null)
        File.Delete(path);
}
await File.WriteAllLinesAsync(output, report);
Console.WriteLine(string.Join('\n', report));
return 0;

static (double Rate, double P50, double P99, int Failures) Summary(List<ClosedLoop.Result> results)
{
    // Median over rounds of each statistic.
    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return LatencyStatistics.Percentile(sorted, 0.5);
    }
    var stats = results.Select(r => LatencyStatistics.Of(r.LatenciesMs)).ToArray();
    return (Median(results.Select(r => r.RequestsPerSecond)), Median(stats.Select(s => s.P50)), Median(stats.Select(s => s.P99)),
        results.Sum(r => r.Failures));
}

static async Task<Server> StartAsync(string model)
{
    var app = ServingApp.Build(["--Logging:LogLevel:Default=Warning"], options =>
    {
        options.Model = model;
        options.Port = 0;
        options.Watch = false;
    });
    await app.StartAsync();
    var server = new Server(app);
    while (!(await server.Client.GetAsync("/readyz")).IsSuccessStatusCode)
        await Task.Delay(50);
    return server;
}

string Arg(string name, string fallback)
{
    var at = Array.LastIndexOf(args, name); // the last one wins, so run.sh's defaults can be overridden
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

internal sealed class Server(WebApplication app) : IAsyncDisposable
{
    public HttpClient Client { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
    {
        BaseAddress = ServingApp.BoundAddress(app),
    };

    public IServiceProvider Services => app.Services;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
