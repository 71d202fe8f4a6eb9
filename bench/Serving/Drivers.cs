using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using OnnxBn.Folding;
using OnnxBn.Serving.Codecs;
using OnnxBn.Serving.Inference;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Benchmark;

/// <summary>One way of answering a request: over HTTP in a wire format, or a direct call in this process.</summary>
internal interface IDriver
{
    string Name { get; }

    /// <summary>Answers one request; false when the answer was not a success.</summary>
    ValueTask<bool> RequestAsync();

    /// <summary>Whether <see cref="RequestAsync"/> blocks (it then gets a thread of its own per worker).</summary>
    bool Blocking { get; }
}

/// <summary>
/// The anchor: the sample's own run path (<see cref="ModelRunner"/>) on the served session, no HTTP. Its workers take
/// turns on the thread pool as the server's requests do; with a thread per worker, 64 concurrent runs (each also
/// using ONNX Runtime's intra-op threads) oversubscribe 2 cores and the anchor, not the server, is what gets measured.
/// </summary>
internal sealed class InProcessDriver(ServedModel model, float[] image) : IDriver
{
    private readonly NamedTensor[] _inputs = [new("input", OnnxDataType.Float, [1, 1, 28, 28], MemoryMarshal.AsBytes(image.AsSpan()).ToArray())];

    public string Name => "in-process loop";
    public bool Blocking => false;

    public async ValueTask<bool> RequestAsync()
    {
        await Task.Yield();
        return ModelRunner.Run(model, _inputs).Length == 1;
    }
}

/// <summary>POST /predict in the binary format or as JSON.</summary>
internal sealed class HttpDriver(string name, HttpClient client, float[] image, bool json) : IDriver
{
    private readonly byte[] _binary = MemoryMarshal.AsBytes(image.AsSpan()).ToArray();
    private readonly string _json = System.Text.Json.JsonSerializer.Serialize(new
    {
        inputs = new { input = new { shape = new[] { 1, 1, 28, 28 }, data = image } },
    });

    public string Name => name;
    public bool Blocking => false;

    public async ValueTask<bool> RequestAsync()
    {
        HttpContent content;
        if (json)
        {
            content = new StringContent(_json, System.Text.Encoding.UTF8, "application/json");
        }
        else
        {
            content = new ByteArrayContent(_binary);
            content.Headers.ContentType = new MediaTypeHeaderValue(BinaryTensorCodec.MediaType);
            content.Headers.Add(BinaryTensorCodec.ShapeHeader, "1,1,28,28");
        }
        using (content)
        using (var response = await client.PostAsync("/predict", content).ConfigureAwait(false))
        {
            await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
    }
}

/// <summary>Closed-loop load: <c>concurrency</c> workers, each sending its next request when the last is answered.</summary>
internal static class ClosedLoop
{
    public sealed record Result(double RequestsPerSecond, double[] LatenciesMs, int Failures);

    public static async Task<Result> RunAsync(IDriver driver, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        var deadline = duration;
        async Task WorkerAsync(int index)
        {
            var mine = latencies[index] = new List<double>(4096);
            while (clock.Elapsed < deadline)
            {
                var start = Stopwatch.GetTimestamp();
                if (!await driver.RequestAsync().ConfigureAwait(false))
                    Interlocked.Increment(ref failures);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        Task[] workers;
        if (driver.Blocking)
        {
            // A thread per worker: a blocking call must not wait for the thread pool to grow.
            workers = Enumerable.Range(0, concurrency).Select(i =>
            {
                var done = new TaskCompletionSource();
                var thread = new Thread(() =>
                {
                    WorkerAsync(i).GetAwaiter().GetResult();
                    done.SetResult();
                })
                { IsBackground = true };
                thread.Start();
                return done.Task;
            }).ToArray();
        }
        else
        {
            workers = Enumerable.Range(0, concurrency).Select(i => Task.Run(() => WorkerAsync(i))).ToArray();
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        return new Result(all.Length / elapsed, all, failures);
    }
}
