using OnnxBn.TestUtilities;

namespace OnnxBn.Serving.Tests;

/// <summary>Bounded concurrent load: every answer equals, bit for bit, a direct run of the served session.</summary>
[Collection(ServingCollection.Name)]
public sealed class LoadTests
{
    private const int Workers = 32;
    private const int RequestsPerWorker = 200;
    private const int DistinctImages = 64;

    [Fact]
    public async Task Every_Answer_Under_32_Workers_Matches_A_Direct_Run()
    {
        await using var host = await ServingHost.StartAsync(Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx"), o => o.Watch = false);
        var images = Enumerable.Range(0, DistinctImages).Select(Wire.Image).ToArray();
        var expected = images.Select(image => Wire.DirectRun(host.Holder.Current!, image, Wire.ImageShape)).ToArray();

        var failures = await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (var r = 0; r < RequestsPerWorker; r++)
            {
                var which = (worker * RequestsPerWorker + r) % DistinctImages;
                // Alternate the formats so both codecs run concurrently.
                var binary = r % 2 == 0;
                using var response = await host.Client.PostAsync("/predict",
                    binary ? Wire.Binary(images[which], Wire.ImageShape) : Wire.FlatJson(images[which], Wire.ImageShape));
                var answer = binary ? await Wire.BinaryOutputAsync(response) : await Wire.JsonOutputAsync(response);
                if (!answer.AsSpan().SequenceEqual(expected[which]))
                    return $"worker {worker} request {r} (image {which}, {(binary ? "binary" : "JSON")}) differs from the direct run";
            }
            return null;
        })));

        Assert.Equal([], failures.OfType<string>());
    }
}
