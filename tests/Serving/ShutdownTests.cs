using System.Net;
using OnnxBn.TestUtilities;

namespace OnnxBn.Serving.Tests;

/// <summary>Stopping the service with requests in flight: each completes or gets a clean 503, nothing crashes.</summary>
[Collection(ServingCollection.Name)]
public sealed class ShutdownTests
{
    [Fact]
    public async Task Requests_In_Flight_Complete_Or_Get_503_When_The_Service_Stops()
    {
        var host = await ServingHost.StartAsync(Path.Combine(RepositoryPaths.Models, "resnet_mini.onnx"), o => o.Watch = false);
        var model = host.Holder.Current!;
        var image = Wire.Image(11);
        var expected = Wire.DirectRun(model, image, Wire.ImageShape);
        var answered = 0;
        var stopping = new TaskCompletionSource();

        var workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            var seen = new List<string>();
            while (true)
            {
                HttpResponseMessage response;
                try
                {
                    response = await host.Client.PostAsync("/predict", Wire.Binary(image, Wire.ImageShape));
                }
                catch (HttpRequestException) when (stopping.Task.IsCompleted)
                {
                    return seen; // the listener is closed: the connection is refused or closed, as it should be
                }
                using (response)
                {
                    if (response.StatusCode == HttpStatusCode.OK)
                        Wire.AssertSameBits(expected, await Wire.BinaryOutputAsync(response), "answer during shutdown");
                    else
                        seen.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                Interlocked.Increment(ref answered);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    return seen;
            }
        })).ToArray();

        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref answered) >= 50), "no answers before the stop");
        stopping.SetResult();
        using (var timeout = new CancellationTokenSource(ServingHost.Patience))
            await host.App.StopAsync(timeout.Token);
        var statuses = (await Task.WhenAll(workers)).SelectMany(s => s).ToArray();

        Assert.All(statuses, s => Assert.StartsWith("503", s));
        Assert.True(model.IsReleased, "the session outlived the service");
        await host.DisposeAsync();
    }
}
