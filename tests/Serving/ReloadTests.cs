using System.Net;
using System.Text.Json;
using OnnxBn.Folding;
using OnnxBn.Serving.Models;
using OnnxBn.TestUtilities;

namespace OnnxBn.Serving.Tests;

/// <summary>
/// Verified hot reload: a file written at the watched path replaces the live model only when it folds, verifies and
/// keeps the signature; otherwise the old model keeps serving and the refusal is logged, counted and shown.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class ReloadTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private ServingHost _host = null!;

    private string Watched => _folder.File("model.onnx");

    private static byte[] ModelBytes(string name) => File.ReadAllBytes(Path.Combine(RepositoryPaths.Models, name));

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Watched, ModelBytes("small_cnn_bn.onnx"));
        _host = await ServingHost.StartAsync(Watched);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Good_Model_Replaces_The_Live_One_While_Every_Request_Succeeds()
    {
        var image = Wire.Image(5);
        var before = Wire.DirectRun(_host.Holder.Current!, image, Wire.ImageShape);
        using var stop = new CancellationTokenSource();
        var answers = new List<(string Generation, float[] Output)>();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await _host.Client.PostAsync("/predict", Wire.Binary(image, Wire.ImageShape));
                var output = await Wire.BinaryOutputAsync(response);
                lock (answers)
                    answers.Add((response.Headers.GetValues("X-Model-Generation").Single(), output));
            }
        });

        var outcome = await ReplaceAsync(ModelBytes("fashion_mlp_bn_after_act.onnx"));
        var after = Wire.DirectRun(_host.Holder.Current!, image, Wire.ImageShape);
        await Eventually.TrueAsync(() => Task.FromResult(answers.Any(a => a.Generation == "2")), "no answer from the new model");
        await stop.CancelAsync();
        await load;

        Assert.True(outcome.GetProperty("applied").GetBoolean(), outcome.ToString());
        Assert.Equal(2, _host.Holder.Current!.Generation);
        Assert.NotEqual(before, after);
        foreach (var (generation, output) in answers)
            Wire.AssertSameBits(generation == "1" ? before : after, output, $"answer from generation {generation}");
        Assert.Contains("onnxbn_serving_reloads_total{otel_scope_name=\"OnnxBn.Serving\",outcome=\"applied\"} 1",
            await _host.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Broken_File_Is_Refused_Counted_And_The_Old_Model_Keeps_Serving()
    {
        var image = Wire.Image(6);
        var before = Wire.DirectRun(_host.Holder.Current!, image, Wire.ImageShape);

        var outcome = await ReplaceAsync("this is not an ONNX model"u8.ToArray());

        Assert.False(outcome.GetProperty("applied").GetBoolean());
        Assert.Contains("not a readable ONNX model", outcome.GetProperty("reason").GetString());
        await AssertStillServesAsync(image, before);
        Assert.Contains("onnxbn_serving_reloads_total{otel_scope_name=\"OnnxBn.Serving\",outcome=\"rejected\"} 1",
            await _host.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Half_Written_File_Is_Refused_Then_Applied_Once_Complete()
    {
        var image = Wire.Image(7);
        var before = Wire.DirectRun(_host.Holder.Current!, image, Wire.ImageShape);
        var complete = ModelBytes("fashion_mlp_bn_after_act.onnx");

        // Written in place (no rename), as a slow copy would: first half, then the rest.
        var refused = await ChangeAsync(() => File.WriteAllBytes(Watched, complete[..(complete.Length / 2)]));
        Assert.False(refused.GetProperty("applied").GetBoolean(), refused.ToString());
        await AssertStillServesAsync(image, before);

        var applied = await ChangeAsync(() =>
        {
            using var file = new FileStream(Watched, FileMode.Append);
            file.Write(complete, complete.Length / 2, complete.Length - complete.Length / 2);
        });
        Assert.True(applied.GetProperty("applied").GetBoolean(), applied.ToString());
        Assert.Equal(2, _host.Holder.Current!.Generation);
    }

    [Fact]
    public async Task Model_Whose_Folded_Version_Differs_From_Its_Original_Is_Refused()
    {
        var image = Wire.Image(8);
        var before = Wire.DirectRun(_host.Holder.Current!, image, Wire.ImageShape);

        // Same signature as the live model; the BN subtracts a mean of 1e7 from a Gemm output near 1e7 and scales the
        // difference by 1000. The original rounds that output to float32's 1-unit spacing before subtracting, the
        // folded model never forms it: their answers differ by hundreds, far beyond the tolerance.
        var illConditioned = new GraphBuilder()
            .Input("input", OnnxDataType.Float, "N", 1, 28, 28)
            .Output("output", OnnxDataType.Float, "N", 10)
            .Initializer("W", [784, 10], Enumerable.Repeat(1f, 7840).ToArray())
            .Initializer("B", [10], Enumerable.Repeat(1e7f, 10).ToArray())
            .Initializer("gamma", [10], Enumerable.Repeat(1f, 10).ToArray())
            .Initializer("beta", [10], new float[10])
            .Initializer("mean", [10], Enumerable.Repeat(1e7f + 392, 10).ToArray())
            .Initializer("var", [10], Enumerable.Repeat(1e-6f, 10).ToArray())
            .Node("Flatten", ["input"], ["flat"])
            .Node("Gemm", ["flat", "W", "B"], ["z"])
            .Node("BatchNormalization", ["z", "gamma", "beta", "mean", "var"], ["output"], "bn", ("epsilon", 0f));
        var outcome = await ReplaceAsync(illConditioned.ToBytes());

        Assert.False(outcome.GetProperty("applied").GetBoolean());
        Assert.Contains("does not match the original", outcome.GetProperty("reason").GetString());
        await AssertStillServesAsync(image, before);
    }

    [Fact]
    public async Task Model_With_Another_Signature_Is_Refused()
    {
        var image = Wire.Image(9);
        var before = Wire.DirectRun(_host.Holder.Current!, image, Wire.ImageShape);

        var outcome = await ReplaceAsync(ExampleGraphs.Classifier().ToBytes());

        Assert.False(outcome.GetProperty("applied").GetBoolean());
        Assert.Contains("the signature changed", outcome.GetProperty("reason").GetString());
        await AssertStillServesAsync(image, before);
    }

    [Fact]
    public void Swapped_Out_Session_Is_Disposed_Only_After_Its_Last_Request()
    {
        var loader = new ModelLoader(new ServingOptions());
        using var holder = new ModelHolder();
        var first = loader.Load(ModelBytes("small_cnn_bn.onnx"));
        var second = loader.Load(ModelBytes("fashion_mlp_bn_after_act.onnx"));
        holder.Swap(first);
        var lease = holder.Lease();

        holder.Swap(second);

        Assert.False(first.IsReleased);
        Assert.Equal(10, Wire.DirectRun(lease.Model, Wire.Image(0), Wire.ImageShape).Length);
        lease.Dispose();
        Assert.True(first.IsReleased);
        holder.Dispose();
        Assert.True(second.IsReleased);
        Assert.Throws<ModelUnavailableException>(() => holder.Lease());
    }

    /// <summary>Replaces the watched file atomically (write beside it, then rename) and waits for the reload's outcome.</summary>
    private Task<JsonElement> ReplaceAsync(byte[] model) => ChangeAsync(() =>
    {
        var staging = _folder.File("model.onnx.tmp");
        File.WriteAllBytes(staging, model);
        File.Move(staging, Watched, overwrite: true);
    });

    private async Task<JsonElement> ChangeAsync(Action change)
    {
        var previous = (await LastReloadAsync())?.GetProperty("at").GetString();
        change();
        JsonElement? outcome = null;
        await Eventually.TrueAsync(async () =>
        {
            outcome = await LastReloadAsync();
            return outcome?.GetProperty("at").GetString() is { } at && at != previous;
        }, "the change was never reloaded");
        return outcome!.Value;
    }

    private async Task<JsonElement?> LastReloadAsync()
    {
        using var model = JsonDocument.Parse(await _host.Client.GetStringAsync("/model"));
        var last = model.RootElement.GetProperty("lastReload");
        return last.ValueKind == JsonValueKind.Null ? null : last.Clone();
    }

    private async Task AssertStillServesAsync(float[] image, float[] expected)
    {
        using var response = await _host.Client.PostAsync("/predict", Wire.Binary(image, Wire.ImageShape));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("X-Model-Generation").Single());
        Wire.AssertSameBits(expected, await Wire.BinaryOutputAsync(response), "answer after a refused reload");
    }
}
